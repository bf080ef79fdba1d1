//! The web interface in a real headless Chromium: a public visitor classifies goods by searching and browsing the
//! control list, opens an entry with its jurisdictions' codes and sub-items, and meets a clear page for a wrong code;
//! an invited exporter sets a password, signs in and out; forms without their token are refused.

use crate::support::{Node, World, world};
use accord_store::Backend;
use accord_testing::browser::Browser;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// Asserts that axe-core finds no serious or critical WCAG violation on the page shown.
fn accessible(b: &Browser, page: &str) {
    let violations = b.accessibility_violations();
    assert!(violations.is_empty(), "{page}: {violations:#?}");
}

/// Serves `node` on a loopback port; its base URL.
async fn serve(node: &Node) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(accord_server::serve(listener, node.router.clone(), std::future::pending()));
    format!("http://{addr}")
}

async fn a_public_visitor_classifies_goods_by_searching_and_browsing_the_control_list(backend: Backend) {
    let node = Node::new(backend).await;
    accord_testing::data::import_controls(&node.app, "2025-01-01", true).await;
    let base = serve(&node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        b.open(&format!("{base}/"));
        assert!(b.title().ends_with("· Accord"), "{}", b.title());
        assert_eq!(b.script("return document.documentElement.lang"), "en");
        assert_eq!(b.tab(1), "Skip to the content", "the skip link comes first on the keyboard");
        b.screenshot(&format!("start-{tag}"));
        accessible(&b, "start");

        // Search by code from the start page.
        b.find("#q").type_text("3A001");
        b.find("form.search button").click();
        b.wait_url("/controls?q=3A001");
        let hits = b.find_all("ol.hits li");
        assert!(!hits.is_empty(), "3A001 is found");
        assert!(hits[0].text().starts_with("3A001"), "the code itself comes first: {}", hits[0].text());
        b.screenshot(&format!("controls-search-{tag}"));
        accessible(&b, "search results");

        // The entry: each jurisdiction's code with its reasons for control, and its text.
        b.find("ol.hits li a").click();
        b.wait_url("/controls/3A001");
        assert!(b.find("h1").text().starts_with("3A001 "), "{}", b.find("h1").text());
        let rows: Vec<String> = b.find_all("tbody tr").iter().map(|r| r.text()).collect();
        assert!(rows.iter().any(|r| r.starts_with("EU")), "{rows:?}");
        let us = rows.iter().find(|r| r.starts_with("US")).unwrap_or_else(|| panic!("a US row: {rows:?}"));
        assert!(us.contains("NS1"), "the US reasons for control are shown: {us}");
        assert!(b.find("pre.text").text().contains("General purpose integrated circuits"));
        b.screenshot(&format!("controls-entry-{tag}"));
        accessible(&b, "an entry");

        // Listed sub-items are pages of their own, with the way back to their parent.
        b.open(&format!("{base}/controls/5A991"));
        let sub_items: Vec<String> = b.find_all("ul.entries li a").iter().map(|a| a.text()).collect();
        assert!(sub_items.contains(&"5A991.b".to_owned()), "{sub_items:?}");
        b.find("ul.entries li a[href='/controls/5A991.b']").click();
        b.wait_url("/controls/5A991.b");
        assert!(b.find("h1").text().starts_with("5A991.b "), "{}", b.find("h1").text());
        let crumbs: Vec<String> = b.find_all("p.meta a").iter().map(|a| a.text()).collect();
        assert!(crumbs.contains(&"5A991".to_owned()), "{crumbs:?}");
        let deeper: Vec<String> = b.find_all("ul.entries li a").iter().map(|a| a.text()).collect();
        assert!(deeper.contains(&"5A991.b.1".to_owned()), "{deeper:?}");
        b.screenshot(&format!("controls-sub-item-{tag}"));
        accessible(&b, "a sub-item");
        // A sub-item the list keeps in its entry's text leads to that entry, which says so.
        b.open(&format!("{base}/controls/3A001.a.1"));
        assert!(b.find("h1").text().starts_with("3A001 "), "{}", b.find("h1").text());
        assert!(b.find("#within").text().contains("3A001.a.1"), "{}", b.find("#within").text());
        accessible(&b, "a sub-item within its entry");

        // Browsing a category indents sub-items under their entry.
        b.open(&format!("{base}/controls"));
        b.find("a[href='/controls?category=5']").click();
        b.wait_url("category=5");
        let entries = b.find_all("ul.entries li");
        assert!(entries.len() > 10, "category 5 lists its entries");
        let indents: Vec<String> = entries.iter().filter_map(|e| e.attribute("style")).collect();
        assert!(indents.iter().any(|s| s != "margin-left: 0rem"), "some entries are sub-items: {indents:?}");

        // Every version of the list, from the list's page.
        b.open(&format!("{base}/controls"));
        b.find("a[href='/controls/versions']").click();
        b.wait_url("/controls/versions");
        assert!(b.find("main table").text().contains("2025-11"), "{}", b.find("main table").text());
        accessible(&b, "the versions");

        // The pages speak German once it is chosen, and keep it.
        b.open(&format!("{base}/controls"));
        b.find("footer a[hreflang='de']").click();
        b.wait_text("header nav", "Güterliste");
        assert_eq!(b.script("return document.documentElement.lang"), "de");
        assert!(b.url().ends_with("/controls"), "back to the page the choice was made on: {}", b.url());
        b.open(&format!("{base}/"));
        assert_eq!(b.find("h1").text(), "Exportkontrolle, eine Koalition");
        accessible(&b, "the start page in German");
        b.find("footer a[hreflang='en']").click();
        b.wait_text("h1", "Export controls, one coalition");

        // A wrong code is a page that says so and suggests the nearest codes.
        b.open(&format!("{base}/controls/3A00X"));
        assert_eq!(b.find("h1").text(), "Not found");
        assert!(b.find(".error").text().contains("nearest"), "{}", b.find(".error").text());
        // Every form field has a label a screen reader can read.
        b.open(&format!("{base}/controls"));
        let unlabelled = b.script(
            "return [...document.querySelectorAll('input, select, textarea')].filter(i => !i.labels || !i.labels.length).length",
        );
        assert_eq!(unlabelled, 0);
    })
    .await
    .unwrap();
}

async fn pages_are_html_with_a_strict_policy_and_errors_keep_their_status(backend: Backend) {
    let node = Node::new(backend).await;
    accord_testing::data::import_controls(&node.app, "2025-01-01", false).await;
    let get = |path: &str| {
        let router = node.router.clone();
        let req = Request::get(path).body(Body::empty()).unwrap();
        async move { router.oneshot(req).await.unwrap() }
    };
    let page = get("/controls?q=3A001").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert_eq!(get("/controls/3A00X").await.status(), StatusCode::NOT_FOUND);
    // Input the API refuses is refused here with the same status, and shown as a page.
    let long = "x".repeat(201);
    let refused = get(&format!("/controls?q={long}")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.headers()["content-type"], "text/html; charset=utf-8");
    // What a visitor types comes back escaped, never as markup.
    let echoed = get("/controls?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    let body = axum::body::to_bytes(echoed.into_body(), 1 << 20).await.unwrap();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "the query is escaped");
    // The browser's language is followed until a choice is made.
    let german = {
        let req = Request::get("/").header("accept-language", "de-DE,de;q=0.9,en;q=0.5").body(Body::empty()).unwrap();
        let body = axum::body::to_bytes(node.router.clone().oneshot(req).await.unwrap().into_body(), 1 << 20).await;
        String::from_utf8(body.unwrap().to_vec()).unwrap()
    };
    assert!(german.contains("<html lang=\"de\">") && german.contains("Güter einstufen"), "{german}");
    let css = get("/static/accord.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

async fn an_invited_exporter_sets_a_password_signs_in_and_signs_out_in_the_browser(backend: Backend) {
    let w = world(backend).await;
    let exporter = w.id("exporter_de").to_owned();
    // The admin makes the link over the API, as a console or script would.
    let invited =
        w.node.post(&format!("/api/v1/users/{exporter}/invitation"), Some(w.key("admin")), serde_json::json!({})).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    let token = invited.body["token"].as_str().unwrap().to_owned();
    let base = serve(&w.node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        b.open(&format!("{base}/invitations/{token}"));
        assert!(b.find("main").text().contains("exporter_de@example.org"), "the link names whose password it sets");
        accessible(&b, "the invitation");
        // Two different passwords: the form comes back with the error and nothing is set.
        b.find("#password").type_text("a long enough pass phrase");
        b.find("#repeat").type_text("another long pass phrase");
        b.find("main form button").click();
        assert!(b.find("#form-error").text().contains("differ"), "{}", b.find("#form-error").text());
        b.find("#password").type_text("a long enough pass phrase");
        b.find("#repeat").type_text("a long enough pass phrase");
        b.find("main form button").click();
        b.wait_url("/account");
        assert_eq!(b.find("h1").text(), "Your account");
        assert!(b.find("main").text().contains("exporter_de@example.org"));
        assert_eq!(b.find("header nav a[href='/account']").text(), "exporter_de", "the header names who is signed in");
        b.screenshot(&format!("account-{tag}"));
        accessible(&b, "the account");

        // The link works once.
        b.open(&format!("{base}/invitations/{token}"));
        assert!(b.find(".error").text().contains("invitation_invalid"), "{}", b.find(".error").text());

        // Signing out ends the session; the account page then asks to sign in.
        sign_out(&b, &base);
        b.open(&format!("{base}/account"));
        b.wait_url("/sign-in?next=/account");

        // A wrong password is refused beside the form, without saying which part was wrong; then the right one
        // signs in and goes where the visitor was going.
        b.find("#email").type_text("exporter_de@example.org");
        b.find("#password").type_text("not the pass phrase");
        b.find("main form button").click();
        assert!(b.find("#form-error").text().contains("e-mail address or the password is wrong"));
        accessible(&b, "sign-in with an error");
        assert_eq!(
            b.find("#email").attribute("value").as_deref(),
            Some("exporter_de@example.org"),
            "the address is kept"
        );
        b.find("#password").type_text("a long enough pass phrase");
        b.find("main form button").click();
        b.wait_url("/account");
        b.screenshot(&format!("signed-in-{tag}"));
    })
    .await
    .unwrap();
}

async fn forms_without_their_token_are_refused_and_cookies_are_strict(backend: Backend) {
    let w = world(backend).await;
    set_passwords(&w, &["exporter_de"]).await;
    let send = |method: &str, path: &str, cookie: Option<String>, form: &str| {
        let mut req = Request::builder().method(method).uri(path).header("host", "accord.bafa.example");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        let req =
            req.header("content-type", "application/x-www-form-urlencoded").body(Body::from(form.to_owned())).unwrap();
        let router = w.node.router.clone();
        async move { router.oneshot(req).await.unwrap() }
    };
    let credentials = "email=exporter_de%40example.org&password=a+long+enough+pass+phrase";
    let login = format!("{credentials}&next=%2Faccount");
    // Without the form token (a cross-site post), nobody is signed in.
    let forged = send("POST", "/sign-in", None, &format!("{login}&form_token=abc")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(forged.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("accord_session=")));
    // With the token its cookie carries, the session cookie is set: HttpOnly, SameSite=Strict, Secure off loopback.
    let signed = send("POST", "/sign-in", Some("accord_form=t0k3n".into()), &format!("{login}&form_token=t0k3n")).await;
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed.headers()["location"], "/account");
    let session = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("accord_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{flag}: {session}");
    }
    let cookie = session.split(';').next().unwrap().to_owned();
    // Signing out without the session's token is refused, and the session goes on.
    let refused = send("POST", "/sign-out-everywhere", Some(cookie.clone()), "csrf=wrong").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let account = send("GET", "/account", Some(cookie.clone()), "").await;
    assert_eq!(account.status(), StatusCode::OK, "still signed in");
    // A redirect after sign-in never leaves the site.
    let away = send(
        "POST",
        "/sign-in",
        Some("accord_form=t".into()),
        &format!("{credentials}&form_token=t&next=%2F%2Fevil.example"),
    )
    .await;
    assert_eq!(away.status(), StatusCode::SEE_OTHER);
    assert_eq!(away.headers()["location"], "/account");
}

/// Gives members of the world the password "a long enough pass phrase", through invitations made by the operator.
async fn set_passwords(w: &World, who: &[&str]) {
    for member in who {
        let invitation = w.node.app.invite(&accord_testing::operator(), w.id(member)).await.unwrap();
        w.node.app.accept_invitation(&invitation.token, "a long enough pass phrase").await.unwrap();
    }
}

/// Signs out from the account page.
fn sign_out(b: &Browser, base: &str) {
    b.open(&format!("{base}/account"));
    b.find("form[action='/sign-out'] button").click();
    b.wait_url("/sign-in");
}

/// Signs in through the sign-in page.
fn sign_in(b: &Browser, base: &str, email: &str, password: &str) {
    b.open(&format!("{base}/sign-in"));
    b.find("#email").type_text(email);
    b.find("#password").type_text(password);
    b.find("main form button").click();
    b.wait_url("/account");
}

async fn a_signed_in_exporter_checks_a_shipment_and_reads_each_answer_with_its_sources(backend: Backend) {
    let w = world(backend).await;
    let op = accord_testing::operator();
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    w.node.app.ensure_policies(&op).await.unwrap();
    set_passwords(&w, &["exporter_de"]).await;
    let base = serve(&w.node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        b.open(&format!("{base}/check"));
        b.wait_url("/sign-in?next=/check");
        sign_in(&b, &base, "exporter_de@example.org", "a long enough pass phrase");
        b.find("header nav a[href='/check']").click();
        b.wait_url("/check");
        let date = b.find("#date");
        b.script("document.getElementById('date').value = '2025-12-01'");
        assert_eq!(date.attribute("value").as_deref().map(str::len), Some(10), "the day defaults to today");
        b.find("#origin").type_text("DE");
        b.find("#destination").type_text("CN");
        b.find("#statement").type_text("university radar lab");
        b.find("#code").type_text("3A001.a.1");
        b.find("#description").type_text("rad-hard ICs");
        b.find("#quantity").type_text("10");
        b.find("#value").type_text("5000");
        b.find("#currency").type_text("EUR");
        b.find("main form button").click();
        b.wait_url("destination=CN");
        let eu = b.find("#j-EU").text();
        assert_eq!(eu, "EU: A licence is needed");
        let reasons = b.find("section.answer ol.reasons").text();
        assert!(reasons.contains("Regulation (EU) 2021/821, Art. 3(1)"), "the legal source is cited: {reasons}");
        assert!(b.find("section.answer .error").text().contains("not verified against a primary source"));
        b.screenshot(&format!("check-{tag}"));
        accessible(&b, "a checked shipment");

        // The policies in force and where their facts come from, and the authorities, are public pages.
        b.open(&format!("{base}/policies"));
        let policies = b.find("main table").text();
        assert!(policies.contains("EU") && policies.contains("US"), "{policies}");
        let sources = b.find("table.sources").text();
        assert!(sources.contains("no: hand-encoded") && sources.contains("yes, from the primary source"), "{sources}");
        accessible(&b, "the policies");
        b.open(&format!("{base}/authorities"));
        assert!(b.find("main table").text().contains("DE-BAFA"));
        accessible(&b, "the authorities");
        b.open(&format!(
            "{base}/check?date=2025-12-01&origin=DE&destination=CN&end_use=civil&code=3A001.a.1&description=ICs"
        ));

        // A wrong value comes back beside the form, with the field named, and the form keeps what was typed.
        b.find("#code").type_text("X");
        b.find("main form button").click();
        b.wait_url("code=3A001.a.1X");
        assert!(b.find("#form-error").text().contains("items[0].code"), "{}", b.find("#form-error").text());
        assert!(b.find("label[for='code'] #code-error").text().contains("items[0].code"), "the error is beside its field");
        assert_eq!(b.find("#destination").attribute("value").as_deref(), Some("CN"));

        // A licence is needed: the exporter applies from the answer, with the declarations, and the case opens.
        b.open(&format!(
            "{base}/check?date=2025-12-01&origin=DE&destination=CN&end_use=civil&code=3A001.a.1&description=ICs\
             &quantity=10&value=5000&currency=EUR&party_role=consignee&party_name=Shenzhen+Example+Trading&party_country=CN"
        ));
        let files = std::env::temp_dir().join(format!("accord-web-files-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&files).unwrap();
        let fake_pdf = files.join("end-user-statement.pdf");
        std::fs::write(&fake_pdf, "this is text, not a PDF").unwrap();
        let statement = files.join("end-user-statement.txt");
        std::fs::write(&statement, "The end user declares that the goods serve radar research.").unwrap();
        let fill_in = |file: &std::path::Path| {
            b.find("#end_use_statement").type_text("Radar research at a university laboratory");
            b.find("#document_0").type_text(&file.display().to_string());
            for d in ["no_wmd_end_use", "no_military_end_use", "no_reexport_without_consent"] {
                b.find(&format!("form.apply input[name='{d}']")).click();
            }
        };
        fill_in(&fake_pdf);
        accessible(&b, "a checked shipment with the application form");
        // A file that is not what it claims to be is refused beside its field, and nothing is saved.
        b.find("form.apply button").click();
        b.wait_text("#form-error", "document_rejected");
        let beside = b.find("label[for='document_kind_0'] #document_0-error").text();
        assert!(beside.contains("end-user-statement.pdf") && beside.contains("not application/pdf"), "{beside}");
        assert_eq!(b.find("#destination").attribute("value").as_deref(), Some("CN"), "the shipment is kept");
        accessible(&b, "an application refused beside its field");
        b.open(&format!("{base}/cases"));
        assert!(b.find_all("table.queue tbody tr").is_empty(), "a refused application leaves no case behind");

        // With a real statement the application is stored with its file, and the case opens.
        b.open(&format!(
            "{base}/check?date=2025-12-01&origin=DE&destination=CN&end_use=civil&code=3A001.a.1&description=ICs\
             &quantity=10&value=5000&currency=EUR&party_role=consignee&party_name=Shenzhen+Example+Trading&party_country=CN"
        ));
        fill_in(&statement);
        b.find("form.apply button").click();
        b.wait_url("/cases");
        let rows = b.find_all("table.queue tbody tr");
        assert_eq!(rows.len(), 1, "the application opened its case");
        assert!(rows[0].text().contains("EU") && rows[0].text().contains("open"), "{}", rows[0].text());
        b.find("table.queue tbody tr a").click();
        b.wait_url("/cases/case_");
        let main = b.find("main").text();
        assert!(main.contains("end-user-statement.txt") && main.contains("uploaded"), "the file is on the case");
        assert!(main.contains("application submitted") && main.contains("case opened"), "the history: {main}");

        // The same case in German, chosen in the footer.
        b.find("footer a[hreflang='de']").click();
        b.wait_text("#status", "offen");
        assert_eq!(b.find("html").attribute("lang").as_deref(), Some("de"));
        let main = b.find("main").text();
        assert!(main.contains("Verlauf") && main.contains("Antrag eingereicht") && main.contains("Das Geschäft"), "{main}");
        b.screenshot(&format!("case-de-{tag}"));
        accessible(&b, "a case in German");
        std::fs::remove_dir_all(&files).unwrap();
    })
    .await
    .unwrap();
}

async fn an_officer_refuses_from_the_queue_and_a_senior_officer_countersigns_in_the_browser(backend: Backend) {
    let w = world(backend).await;
    let op = accord_testing::operator();
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    w.node.app.ensure_policies(&op).await.unwrap();
    let application = serde_json::json!({
        "transaction": {"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
            "items": [{"code": "3A001.a.1", "description": "rad-hard ICs", "quantity": 10, "value": 5000, "currency": "EUR"}],
            "parties": [{"role": "consignee", "name": "Shenzhen Example Trading Co., Ltd.", "country": "CN"}]},
        "end_use_statement": "Radar research at a university laboratory",
        "declarations": {"no_wmd_end_use": true, "no_military_end_use": true, "no_reexport_without_consent": true}
    });
    let applied = w.node.post("/api/v1/applications?submit=true", Some(w.key("exporter_de")), application).await;
    assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
    let case_id = applied.body["outcomes"][0]["case_id"].as_str().unwrap().to_owned();
    set_passwords(&w, &["officer_de", "senior_de"]).await;
    let base = serve(&w.node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "officer_de@example.org", "a long enough pass phrase");
        b.find("header nav a[href='/cases']").click();
        b.wait_url("/cases");
        b.find(&format!("a[href='/cases/{case_id}']")).click();
        b.wait_url(&format!("/cases/{case_id}"));
        assert!(b.find("main").text().contains("Shenzhen Example Trading"), "the transaction is on the case page");
        assert!(b.find("#status").text().contains("open"), "{}", b.find("#status").text());
        b.screenshot(&format!("case-{tag}"));
        accessible(&b, "a case");
        // A refusal without criteria is refused beside the form, and the case stays open.
        b.find("input[name='kind'][value='refuse']").click();
        b.find("#reason").type_text("Risk of diversion to military end use");
        b.find("form[action$='/decide'] button").click();
        b.wait_text("#form-error", "refusal criterion");
        b.find("input[name='kind'][value='refuse']").click();
        b.find("#reason").type_text("Risk of diversion to military end use");
        b.find("#refusal_criteria").type_text("Criterion 7");
        b.find("form[action$='/decide'] button").click();
        b.wait_text("#status", "awaiting countersignature");
        assert!(b.find_all("form[action$='/countersign']").is_empty(), "an officer does not countersign");

        // A second, senior officer countersigns.
        sign_out(&b, &base);
        sign_in(&b, &base, "senior_de@example.org", "a long enough pass phrase");
        b.open(&format!("{base}/cases/{case_id}"));
        b.find("form[action$='/countersign'] button").click();
        b.wait_text("#status", "refused");
        assert!(b.find("#countersigned").text().contains("user:"), "{}", b.find("#countersigned").text());
        b.screenshot(&format!("case-countersigned-{tag}"));
        accessible(&b, "a decided case");
    })
    .await
    .unwrap();
}

async fn an_allys_denial_blocks_an_approval_until_the_consultation_is_answered_in_the_browser(backend: Backend) {
    let node = Node::new(backend).await;
    let report = node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let consulted = report.cases.iter().find(|(_, state)| state.contains("consultation")).unwrap().0.clone();
    let base = serve(&node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        let approve = |b: &Browser| {
            b.open(&format!("{base}/cases/{consulted}"));
            b.find("input[name='kind'][value='approve']").click();
            b.find("#reason").type_text("The consignee is a known research customer");
            b.script("document.getElementById('valid_until').value = '2027-06-30'");
            b.find("form[action$='/decide'] button").click();
        };
        // BAFA's officer cannot approve while SBDU has not answered on its denial.
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        approve(&b);
        b.wait_text("#form-error", "consultation_required");
        assert!(b.find("#status").text().contains("open"), "{}", b.find("#status").text());
        assert!(b.find("main").text().contains("Matches allied denials"), "the case names the denial");
        assert!(b.find("ul.consultations").text().contains("DE-BAFA asks FR-SBDU"), "the consultation is on the case");
        assert!(b.find_all("form.consult").is_empty(), "a denial is consulted on once");

        // SBDU's officer answers in the coalition view.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@sbdu.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/coalition']").click();
        b.wait_url("/coalition");
        let consultation = b.find("article.consultation").text();
        assert!(
            consultation.contains("DE-BAFA asks FR-SBDU") && consultation.contains("Status: open"),
            "{consultation}"
        );
        assert!(b.find("table.denials").text().contains("SBDU-2026-0042"));
        accessible(&b, "the coalition view");
        b.screenshot(&format!("coalition-{tag}"));
        b.find("article.consultation input[value='no_objection']").click();
        b.find("article.consultation textarea").type_text("The consignee has since been audited; no objection");
        b.find("article.consultation form button").click();
        b.wait_text("article.consultation .status", "answered");
        assert!(b.find("article.consultation .answer").text().contains("No objection"));
        assert!(b.find_all("article.consultation form").is_empty(), "a consultation is answered once");

        // BAFA reads the answer, and now it may approve.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/coalition"));
        assert!(b.find("article.consultation .answer").text().contains("since been audited"));
        approve(&b);
        b.wait_text("#status", "approved");
        assert!(b.find("main").text().contains("licence issued"), "the history records the licence");
    })
    .await
    .unwrap();
}

async fn an_issuing_officer_amends_and_suspends_a_licence_that_the_exporter_only_reads(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/licences"));
        b.find("main table a").click();
        let licence = b.wait_url("/licences/lic_");
        b.find("#amend_conditions").type_text("\nReport every shipment within 14 days");
        b.find("#amend_reason").type_text("Closer follow-up of this consignee");
        b.find("form[action$='/amend'] button").click();
        b.wait_text("#conditions", "within 14 days");
        assert!(b.find("ol.amendments").text().contains("Closer follow-up"), "the amendment is recorded");
        // Reinstating an active licence is refused with the reason, beside the form.
        b.find("input[name='action'][value='reinstate']").click();
        b.find("#status_reason").type_text("Nothing to reinstate");
        b.find("form[action$='/status'] button").click();
        b.wait_text("#form-error", "conflict");
        b.find("input[name='action'][value='suspend']").click();
        b.find("#status_reason").type_text("End-use check pending");
        b.find("form[action$='/status'] button").click();
        b.wait_text("#status", "suspended");
        accessible(&b, "a licence its issuing officer works on");

        sign_out(&b, &base);
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.open(&licence);
        assert!(b.find("#status").text().contains("suspended"));
        assert!(b.find("main").text().contains("End-use check pending"), "the exporter reads why");
        assert!(b.find_all("form[action$='/amend']").is_empty() && b.find_all("form[action$='/status']").is_empty());
    })
    .await
    .unwrap();
}

async fn a_signed_in_exporter_screens_a_party_and_sees_why_it_matched(backend: Backend) {
    let w = world(backend).await;
    let op = accord_testing::operator();
    let mut company = accord_core::listed::ListedEntity::new(
        "test_list",
        "C-1",
        accord_core::listed::EntityKind::Organization,
        "Rosoboronexport OAO",
    );
    company.add_name("Rosoboroneksport", accord_core::listed::NameKind::Alias);
    company.addresses.push("24 Stromynka Street, Moscow".into());
    let entities = vec![company];
    let hash = accord_core::audit::hex(&<sha2::Sha256 as sha2::Digest>::digest(
        entities.iter().map(accord_core::listed::entity_hash).collect::<String>().as_bytes(),
    ));
    let import = accord_app::ListImport {
        list_id: "test_list".into(),
        format: "ftm".into(),
        content_hash: hash,
        entities,
        problems: 0,
        source: "test".into(),
    };
    w.node.app.import_list(&op, import).await.unwrap();
    set_passwords(&w, &["exporter_de", "officer_de"]).await;
    let base = serve(&w.node).await;
    let tag = format!("{backend:?}").to_lowercase();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "exporter_de@example.org", "a long enough pass phrase");
        b.find("header nav a[href='/screen']").click();
        b.wait_url("/screen");
        // A zero-width space hidden in the name does not hide the party, and is reported.
        b.find("#name").type_text("Rosoboron\u{200B}export");
        b.find("form.search button").click();
        b.wait_url("name=");
        assert!(b.find("#hits").text().starts_with('1'), "{}", b.find("#hits").text());
        let hit = b.find("ol.hits li").text();
        assert!(hit.contains("Rosoboron") && hit.contains("test_list C-1"), "{hit}");
        assert!(b.find("#warnings").text().to_lowercase().contains("invisible"), "{}", b.find("#warnings").text());
        accessible(&b, "screening results");
        b.screenshot(&format!("screen-{tag}"));
        // A year that is not one is refused beside the form.
        b.find("#birth_year").type_text("19x1");
        b.find("form.search button").click();
        b.wait_url("birth_year=19x1");
        assert!(b.find("#form-error").text().contains("not a year"), "{}", b.find("#form-error").text());
        assert!(b.find_all("form.adjudicate").is_empty(), "an exporter does not adjudicate");
        // Another name at the listed party's street address: no hit, but connected, and said why.
        b.find("#birth_year").clear();
        b.find("#name").clear();
        b.find("#name").type_text("Quiet Harbour Logistics");
        b.find("#address").type_text("Office 2, 24 Stromynka Street, Moscow");
        b.find("form.search button").click();
        b.wait_text("ul.connections", "the address '24 Stromynka Street, Moscow' with Rosoboronexport OAO (test_list)");
        accessible(&b, "screening results with a connection");

        // An officer judges the hit a false positive, with the reason; screened again, it shows as judged.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer_de@example.org", "a long enough pass phrase");
        b.open(&format!("{base}/screen?name=Rosoboronexport"));
        b.find("form.adjudicate input[value='false_positive']").click();
        b.find("form.adjudicate input[name='reason']").type_text("Our customer is a bakery in Bonn");
        b.find("form.adjudicate button").click();
        b.wait_text("ol.hits li", "judged a false positive by your authority");
        assert!(b.find_all("form.adjudicate").is_empty(), "a judged hit is not judged again");
    })
    .await
    .unwrap();
}

async fn an_officer_takes_a_case_and_asks_and_the_exporter_answers_on_the_case_page(backend: Backend) {
    let node = Node::new(backend).await;
    let report = node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let case_id = report.cases.iter().find(|(_, state)| state == "open").unwrap().0.clone();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/cases/{case_id}"));
        b.find("form[action$='/assign'] button").click();
        b.wait_text("main", "Assigned to: usr_");
        b.find("#advice").type_text("The consignee is known to us");
        b.find("form[action$='/advise'] button").click();
        b.wait_text("main", "The consignee is known to us");
        // A verification task, opened and then closed with its outcome and report.
        b.script("document.getElementById('task_due').value = '2027-01-15'");
        b.find("#task_assignee").type_text("Embassy Beijing, economic section");
        b.find("form.task button").click();
        let tasks = b.wait_text("ol.tasks", "Embassy Beijing");
        assert!(tasks.contains("open"), "{tasks}");
        b.find("form.outcome input[value='favourable']").click();
        b.find("form.outcome input[name='report']").type_text("End user visited; premises match the declared use");
        b.find("form.outcome button").click();
        // The form's own choices say "favourable" too: wait for the recorded report.
        let tasks = b.wait_text("ol.tasks", "premises match");
        assert!(tasks.contains("favourable"), "{tasks}");
        assert!(b.find_all("form.outcome").is_empty(), "an outcome is recorded once");
        accessible(&b, "a case being worked on");
        // Asking the exporter stops the clock; the case waits for them.
        b.find("#question").type_text("Please send the end-user certificate");
        b.find("form[action$='/ask'] button").click();
        b.wait_text("main", "Please send the end-user certificate");

        sign_out(&b, &base);
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/cases/{case_id}"));
        assert!(b.find_all("form[action$='/decide']").is_empty(), "an exporter does not decide");
        b.find("#answer").type_text("Attached to the application today");
        b.find("form[action$='/answer'] button").click();
        b.wait_text("main", "Answer: Attached to the application today");
        assert!(b.find_all("form[action$='/answer']").is_empty(), "the question is answered");
    })
    .await
    .unwrap();
}

async fn an_exporter_reports_a_shipment_and_sees_what_is_left_of_the_licence(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    let today = jiff::Zoned::now().date().to_string();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/licences']").click();
        b.wait_url("/licences");
        b.find("main table a").click();
        b.wait_url("/licences/lic_");
        assert_eq!(b.find("table.items td.left").text(), "10", "nothing shipped yet");
        accessible(&b, "a licence");
        let ship = |quantity: &str| {
            b.script(&format!("document.getElementById('date').value = '{today}'"));
            b.find("#quantity").type_text(quantity);
            b.find("#value").type_text("100");
            b.find("#consignee").type_text("Bangalore Composites Pvt. Ltd.");
            b.find("#transport_document").type_text("AWB 176-12345675");
            b.find("form[action$='/shipments'] button").click();
        };
        ship("4");
        b.wait_text("table.items td.left", "6");
        assert!(b.find("ul.shipments").text().contains("Bangalore Composites"));
        // More than is left is refused beside the form, and nothing is drawn.
        ship("100");
        b.wait_text("#form-error", "shipment_refused");
        assert_eq!(b.find("table.items td.left").text(), "6");
    })
    .await
    .unwrap();
}

async fn an_exporter_records_training_and_an_officer_certifies_its_programme_on_the_compliance_page(backend: Backend) {
    let node = Node::new(backend).await;
    let report = node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let case_id = report.cases.iter().find(|(_, state)| state == "open").unwrap().0.clone();
    let base = serve(&node).await;
    let today = jiff::Zoned::now().date();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/compliance']").click();
        b.wait_url("/compliance");
        assert!(b.find_all("form input[value='certification']").is_empty(), "an exporter does not certify itself");
        b.find("#person").type_text("Jana Berger");
        b.find("#course").type_text("Dual-use export control basics");
        b.script(&format!("document.getElementById('training_date').value = '{}'", today.tomorrow().unwrap()));
        b.find("form:has(input[value='training']) button").click();
        b.wait_text("#form-error", "validation_failed");
        b.script(&format!("document.getElementById('training_date').value = '{today}'"));
        b.find("#person").type_text("Jana Berger");
        b.find("#course").type_text("Dual-use export control basics");
        b.find("form:has(input[value='training']) button").click();
        b.wait_text("#trainings", "Jana Berger");
        accessible(&b, "the compliance profile");

        // The reviewing officer reaches the profile from the case, and certifies the programme.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/cases/{case_id}"));
        b.find("a[href^='/compliance?organisation=']").click();
        b.wait_url("/compliance?organisation=org_");
        b.wait_text("#trainings", "Jana Berger");
        b.script(&format!(
            "document.getElementById('certified_on').value = '{today}'; \
             document.getElementById('expires_on').value = '{}'",
            today.checked_add(jiff::Span::new().years(2)).unwrap()
        ));
        b.find("form:has(input[value='certification']) button").click();
        b.wait_text("#icp", "DE-BAFA");
        b.wait_text("#tier", "trusted");
    })
    .await
    .unwrap();
}

async fn an_officer_turns_on_a_second_factor_and_then_signs_in_with_a_code(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/account"));
        assert!(b.find("#second-factor-state").text().starts_with("Off"));
        b.find("form[action='/account/second-factor'] button").click();
        b.wait_text("#second-factor-state", "Being set up");
        let secret = b.find("#totp-secret").text();
        assert!(b.find("#totp-uri").text().contains(&secret));
        accessible(&b, "the account page setting up a second factor");
        let step = accord_app::totp_step(jiff::Timestamp::now().as_second());
        let code = |offset: i64| accord_app::totp_code(&accord_app::from_base32(&secret).unwrap(), step + offset);
        b.find("#code-confirm").type_text("000000");
        b.find("form[action='/account/second-factor'] button").click();
        b.wait_text("#form-error", "second_factor_invalid");
        b.find("#code-confirm").type_text(&code(0));
        b.find("form[action='/account/second-factor'] button").click();
        b.wait_text("#second-factor-state", "On");

        // Signing in now takes a code: without one the form says so; the code of the next step works.
        sign_out(&b, &base);
        b.open(&format!("{base}/sign-in"));
        b.find("#email").type_text("officer@bafa.example");
        b.find("#password").type_text(accord_app::DEMO_PASSWORD);
        b.find("main form button").click();
        b.wait_text("#form-error", "second_factor_required");
        b.find("#password").type_text(accord_app::DEMO_PASSWORD);
        b.find("#code").type_text(&code(1));
        b.find("main form button").click();
        b.wait_url("/account");
        assert!(b.find("#second-factor-state").text().starts_with("On"));
    })
    .await
    .unwrap();
}

async fn an_exporter_submits_a_draft_from_the_applications_page_and_follows_its_case(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/applications']").click();
        b.wait_url("/applications");
        let draft = b.find_all("table.applications tbody tr").into_iter().find(|r| r.text().contains("draft"));
        let draft = draft.expect("the demo's draft is listed");
        assert!(draft.text().contains("SG") && draft.text().contains("5A002"), "{}", draft.text());
        accessible(&b, "the applications");
        b.find("form[action$='/submit'] button").click();
        b.wait_url("/applications");
        b.wait_gone("form[action$='/submit']");
        let submitted: Vec<String> = b.find_all("table.applications tbody tr").iter().map(|r| r.text()).collect();
        let singapore = submitted.iter().find(|r| r.contains("SG")).unwrap();
        assert!(singapore.contains("submitted") && singapore.contains("case_"), "{singapore}");
    })
    .await
    .unwrap();
}

async fn an_officer_consults_the_ally_whose_denial_a_new_case_matches_from_the_case_page(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    let today = jiff::Zoned::now().date();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        // The exporter applies to ship to the consignee SBDU refused.
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.open(&format!(
            "{base}/check?date={today}&origin=DE&destination=CN&end_use=civil&code=3A001.a.1&description=ICs\
             &quantity=5&value=2000&currency=EUR&party_role=consignee\
             &party_name=Shenzhen+Example+Trading+Co.%2C+Ltd.&party_country=CN"
        ));
        b.find("#end_use_statement").type_text("Spare parts for a university radar laboratory");
        for d in ["no_wmd_end_use", "no_military_end_use", "no_reexport_without_consent"] {
            b.find(&format!("form.apply input[name='{d}']")).click();
        }
        b.find("form.apply button").click();
        b.wait_url("/cases");
        b.open(&format!("{base}/applications"));
        let case_link = b.find("table.applications tbody tr a[href^='/cases/']").attribute("href").unwrap();

        // BAFA's officer sees the match on the case and consults SBDU from there, once.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}{case_link}"));
        assert!(b.find("main").text().contains("Matches allied denials"));
        b.find("form.consult textarea").type_text("Your denial names this consignee. Do you object?");
        b.find("form.consult button").click();
        b.wait_text("ul.consultations", "DE-BAFA asks FR-SBDU");
        assert!(b.find("ul.consultations").text().contains("open"), "{}", b.find("ul.consultations").text());
        assert!(b.find_all("form.consult").is_empty(), "the denial is consulted on");
        accessible(&b, "a case with its consultation");
    })
    .await
    .unwrap();
}

async fn a_proposal_goes_through_a_panel_public_comment_and_the_vote_to_adoption_in_the_browser(backend: Backend) {
    let clock = std::sync::Arc::new(accord_app::Clock::default());
    let node = Node::with(backend, |app| app.with_clock(clock.clone())).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let d0 = clock.today();
    let day = move |n: i64| d0.checked_add(jiff::Span::new().days(n)).unwrap();
    let officer = node.app.sign_in("officer@bafa.example", accord_app::DEMO_PASSWORD, None).await.unwrap();
    let officer = node.app.session(&officer.token).await.unwrap().principal;
    let proposal = serde_json::from_value(serde_json::json!({
        "title": "Raise the 3A001 threshold",
        "rationale": "Commercial parts now reach the old threshold.",
        "changes": [{"op": "rethreshold", "code": "3A001", "text": "Electronic items above 90 GHz"}],
        "effective_date": day(40).to_string(),
    }))
    .unwrap();
    let key = node.app.propose(&officer, proposal).await.unwrap().key();
    let to_panel = accord_core::governance::ProposalStep::ToPanel;
    node.app.step_proposal(&officer, &key, to_panel, accord_app::StepInput::default()).await.unwrap();
    let op = accord_testing::operator();
    let expert = serde_json::json!({"name": "Prof. Weber", "email": "weber@uni.example", "role": "panel_member"});
    let expert = node.app.create_user(&op, serde_json::from_value(expert).unwrap()).await.unwrap();
    let invitation = node.app.invite(&op, expert.id.as_str()).await.unwrap();
    node.app.accept_invitation(&invitation.token, accord_app::DEMO_PASSWORD).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        // An expert of the panel gives an opinion on the draft, declaring their interests.
        sign_in(&b, &base, "weber@uni.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/proposals/{key}"));
        b.find("form.opinion input[value='support']").click();
        b.find("#affiliation option[value='academia']").click();
        b.find("#interests").type_text("none");
        b.find("#opinion_text").type_text("The threshold matches what laboratories buy today.");
        b.find("form.opinion button").click();
        b.wait_text("ul.opinions", "laboratories buy today");
        assert!(b.find_all("form.opinion").is_empty(), "one opinion per expert");
        accessible(&b, "a proposal with a panel");

        // The officer publishes it for comment.
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/proposals/{key}"));
        b.script(&format!("document.getElementById('comment_until').value = '{}'", day(5)));
        b.find("form.step button").click();
        b.wait_text("#status", "open for comment");
        sign_out(&b, &base);

        // A member of the public finds the proposal and comments, without an account.
        b.open(&format!("{base}/proposals"));
        b.find("table.proposals a").click();
        b.wait_url("/proposals/DE-BAFA:prp_");
        assert!(b.find("table.changes").text().contains("Electronic items above 90 GHz"));
        accessible(&b, "a proposal open for comment");
        b.find("#respondent_type option[value='university']").click();
        b.find("#text").type_text("Our radar lab buys these parts off the shelf; the new threshold helps.");
        b.find("form.comment button").click();
        b.wait_url("comment=received");
        assert!(!b.find("main").text().contains("radar lab buys"), "not public before moderation");

        // The proposing authority's officer publishes it, and later puts the proposal to the vote.
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/proposals/{key}"));
        assert!(b.find("#impact").text().contains("0 answers would change"), "{}", b.find("#impact").text());
        b.find("form.moderate button[value='true']").click();
        b.wait_text("ol.comments", "radar lab buys");
        clock.set(Some(day(6)));
        b.open(&format!("{base}/proposals/{key}"));
        b.find("#comment_response").type_text("Laboratories: the threshold is raised as they asked.");
        b.script(&format!("document.getElementById('vote_until').value = '{}'", day(10)));
        b.find("form.step button").click();
        b.wait_text("#status", "being voted on");
        accessible(&b, "a proposal being voted on");

        // Two of the three authorities vote for it; after the deadline the officer closes the vote.
        for senior in ["senior@bafa.example", "senior@sbdu.example"] {
            sign_out(&b, &base);
            sign_in(&b, &base, senior, accord_app::DEMO_PASSWORD);
            b.open(&format!("{base}/proposals/{key}"));
            b.find("form.vote input[value='for']").click();
            b.find("form.vote button").click();
            b.wait_text(
                "ul.votes",
                senior.split('@').nth(1).unwrap().split('.').next().unwrap().to_uppercase().as_str(),
            );
            assert!(b.find_all("form.vote").is_empty(), "an authority votes once");
        }
        clock.set(Some(day(11)));
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/proposals/{key}"));
        b.find("form.close button").click();
        b.wait_text("#status", "adopted");
        assert!(b.find("#tally").text().contains("2 for, 0 against"), "{}", b.find("#tally").text());
        b.open(&format!("{base}/controls/versions"));
        b.find(&format!("a[href='/proposals/{key}']")).click();
        b.wait_url(&format!("/proposals/{key}"));
        accessible(&b, "an adopted proposal");
        b.open(&format!("{base}/controls/3A001?at={}", day(40)));
        assert!(b.find("main").text().contains("Electronic items above 90 GHz"), "the new version on its day");
    })
    .await
    .unwrap();
}

async fn an_exporter_reports_on_a_control_and_the_officer_triages_it_with_a_theme(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/feedback']").click();
        b.wait_url("/feedback");
        let give = |cost: &str| {
            b.find("#subject").type_text("3A001");
            b.find("#kind option[value='unintended_consequence']").click();
            b.find("#text").type_text("Our ordinary lab amplifiers fall under it.");
            b.find("#cost").type_text(cost);
            b.find("form.feedback button").click();
        };
        give("a lot");
        b.wait_text("#form-error", "validation_failed");
        give("25000");
        b.wait_text("ol.feedback", "ordinary lab amplifiers");
        accessible(&b, "the feedback page");

        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/feedback"));
        b.find("form.triage input[name='theme']").type_text("catches lab equipment");
        b.find("form.triage button[value='triaged']").click();
        b.wait_text("table.summary", "catches lab equipment (1)");
        assert!(b.find("table.summary").text().contains("25000"), "{}", b.find("table.summary").text());
        assert!(b.find_all("form.triage").is_empty(), "triaged once");
    })
    .await
    .unwrap();
}

async fn an_officer_sees_what_falls_due_runs_the_technology_watch_and_closes_a_cycle_on_the_reviews_page(
    backend: Backend,
) {
    let clock = std::sync::Arc::new(accord_app::Clock::default());
    let node = Node::with(backend, |app| app.with_clock(clock.clone())).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let d0 = clock.today();
    let officer = node.app.sign_in("officer@bafa.example", accord_app::DEMO_PASSWORD, None).await.unwrap();
    let officer = node.app.session(&officer.token).await.unwrap().principal;
    let schedule: Vec<accord_core::governance::ReviewSchedule> =
        serde_json::from_value(serde_json::json!([{"title": "Annual review of category 3", "category": 3,
        "every_months": 12, "first_opens_on": d0.to_string(), "proposals_within_days": 10, "closes_within_days": 30}]))
        .unwrap();
    let cycle = node.app.run_review_schedule(&officer, &schedule).await.unwrap().remove(0).id;
    let technology = serde_json::from_value(serde_json::json!({"id": "advanced-ics", "name": "Advanced ICs",
        "description": "High-frequency ICs for radar.", "codes": ["3A001"], "chokepoints": ["GaN-on-SiC wafers"],
        "indicators": [{"metric": "licence_volume", "at_least": 1, "window_days": 3650, "direction": "elevate"}]}))
    .unwrap();
    node.app.keep_technology(&officer, technology).await.unwrap();
    let base = serve(&node).await;
    let day11 = d0.checked_add(jiff::Span::new().days(11)).unwrap();
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "export@acme.example", accord_app::DEMO_PASSWORD);
        assert!(b.find_all("header nav a[href='/reviews']").is_empty(), "not for exporters");
        sign_out(&b, &base);
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/reviews']").click();
        b.wait_url("/reviews");
        b.wait_text("#reminders", "Annual review of category 3");
        b.wait_text(".technology", "GaN-on-SiC wafers");
        accessible(&b, "the reviews page");
        b.find(&format!("#{cycle} form.close button")).click();
        b.wait_text("#form-error", "conflict");
        b.find("form.watch button").click();
        b.wait_text("#readings", "licence applications");
        b.find("#readings a").click();
        b.wait_text("#status", "with an expert panel");
        clock.set(Some(day11));
        b.open(&format!("{base}/reviews"));
        b.find(&format!("#{cycle} form.close button")).click();
        b.wait_text(&format!("#{cycle} .left"), "Left open");
        assert!(b.find_all(&format!("#{cycle} form.close")).is_empty(), "closed once");
    })
    .await
    .unwrap();
}

async fn an_officer_raises_alerts_from_trade_statistics_reads_their_evidence_and_closes_one_in_the_browser(
    backend: Backend,
) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let files = accord_trade::source_files(&accord_testing::data::shared("trade")).unwrap();
    let how = accord_app::TradeImport { label: None, source: "../shared/data/trade".into() };
    node.app.import_trade(&accord_testing::operator(), &files, how).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/warnings']").click();
        b.wait_url("/warnings");
        b.wait_text("#no-alerts", "No alert yet");
        b.find("form.run button").click();
        b.wait_text("#alr-mirror_gap-kg-2022", "KG reported importing");
        assert!(!b.find_all("#alr-mirror_gap-kg-2022 svg.chart polyline").is_empty(), "the evidence is drawn");
        accessible(&b, "the early-warning page");
        b.find("#alr-mirror_gap-kg-2022 form.assign button").click();
        b.wait_text("#alr-mirror_gap-kg-2022 .meta", "being worked on");
        b.find("#alr-mirror_gap-kg-2022 form.close button").click();
        b.wait_text("#form-error", "validation_failed");
        b.find("#alr-mirror_gap-kg-2022 form.close input[value='confirmed']").click();
        b.find("#alr-mirror_gap-kg-2022 form.close textarea").type_text("Machinery re-exported to Russia.");
        b.find("#alr-mirror_gap-kg-2022 form.close button").click();
        b.wait_text("#alr-mirror_gap-kg-2022 .meta", "confirmed");
        assert!(b.find_all("#alr-mirror_gap-kg-2022 form.close").is_empty(), "closed once");
        b.find("#growth_ratio").clear();
        b.find("#growth_ratio").type_text("twice");
        b.find("form.thresholds button").click();
        b.wait_text("#form-error", "validation_failed");
    })
    .await
    .unwrap();
}

async fn an_analyst_uploads_declarations_and_reads_the_alerts_they_raise_in_the_browser(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("accord-web-declarations-{}-{backend:?}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Computed by the columnar engine, as a node at scale runs.
    let engine = accord_columnar::Columnar::open(&accord_testing::data::duckdb(), &dir.join("columnar")).unwrap();
    let node = Node::with(backend, |app| app.with_columnar(engine)).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let (ds, truth) = accord_trade::generate::generate(11, 2_000, 1);
    let good = dir.join("declarations.csv");
    std::fs::write(&good, accord_trade::generate::to_csv(&ds)).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "date,exporter\n2025-01-01,Acme\n").unwrap();
    let structuring = truth.structuring.iter().next().unwrap().clone();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "analyst@bafa.example", accord_app::DEMO_PASSWORD);
        b.open(&format!("{base}/warnings"));
        b.wait_text("#no-imports", "No declarations");
        b.wait_text("#engine", "DuckDB v");
        b.find("#declarations-file").type_text(&bad.display().to_string());
        b.find("form.declarations button").click();
        b.wait_text("#form-error", "malformed_file");
        b.find("#declarations-file").type_text(&good.display().to_string());
        b.find("#declarations-label").type_text("January");
        b.find("form.declarations button").click();
        b.wait_text("#imported", &format!("{} added", ds.len()));
        b.wait_text("table.imports", "January");
        b.find("form.run button").click();
        b.wait_text("main", &structuring);
        let alert = b.find_all("section.alert").into_iter().map(|e| e.text()).find(|t| t.contains(&structuring));
        let alert = alert.unwrap();
        assert!(alert.contains("Declarations:") && alert.contains("DCL-"), "{alert}");
        accessible(&b, "the early-warning page with declarations");
    })
    .await
    .unwrap();
}

async fn an_analyst_records_who_owns_a_company_and_reads_the_path_to_its_listed_owner_in_the_browser(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    node.app.ensure_policies(&accord_testing::operator()).await.unwrap();
    accord_testing::data::import_list(&node.app, "ofac/sdn.csv").await;
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        sign_in(&b, &base, "analyst@bafa.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/ownership']").click();
        b.wait_url("/ownership");
        b.wait_text("#no-relations", "No relation");
        b.find("#from_list").type_text("us_ofac_sdn");
        b.find("#from_id").type_text("306");
        b.find("#share").type_text("lots");
        b.find("#to_name").type_text("Caribe Holdings S.A.");
        b.find("#to_country").type_text("PA");
        b.find("#source").type_text("Registro Público de Panamá extract");
        b.find("form.record button").click();
        b.wait_text("#form-error", "validation_failed");
        b.find("#share").clear();
        b.find("#share").type_text("60");
        b.find("form.record button").click();
        b.wait_text(".finding", "owned 60 % by BANCO NACIONAL DE CUBA (us_ofac_sdn)");
        b.wait_text("table.relations", "Caribe Holdings S.A.");
        accessible(&b, "the ownership page");
        b.find("form.revoke input[name='reason']").type_text("Sold in March");
        b.find("form.revoke button").click();
        b.wait_text(".revoked", "Sold in March");
        b.wait_text("#no-findings", "No party is covered");
    })
    .await
    .unwrap();
}

async fn anyone_reads_the_transparency_report_and_an_officer_the_dashboard_with_their_charts(backend: Backend) {
    let node = Node::new(backend).await;
    node.app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    let base = serve(&node).await;
    tokio::task::spawn_blocking(move || {
        let b = Browser::start();
        b.open(&format!("{base}/"));
        b.find("header nav a[href='/transparency']").click();
        b.wait_url("/transparency");
        b.wait_text("#methodology", "primary suppression");
        let cells: Vec<String> = b.find_all("table.report td").iter().map(|c| c.text()).collect();
        for n in cells.iter().filter_map(|c| c.parse::<u64>().ok()) {
            assert!(n == 0 || n >= 5, "a small count is published: {cells:?}");
        }
        assert!(cells.iter().any(|c| c == "hidden"), "the demo's few decisions are hidden: {cells:?}");
        assert!(!b.find_all("svg.chart").is_empty(), "the published counts are drawn");
        accessible(&b, "the transparency report");
        b.find("p.periods a[href='/transparency?period=quarter']").click();
        b.wait_url("period=quarter");
        let first = b.wait_text("table.report tbody td", "-Q");
        assert!(first.len() == 7 && first.contains("-Q"), "rows by quarter: {first}");
        b.open(&format!("{base}/transparency?period=month"));
        b.wait_text("main", "validation_failed");
        b.open(&format!("{base}/transparency?min_cell=1"));
        b.wait_text("main", "validation_failed");
        sign_in(&b, &base, "officer@bafa.example", accord_app::DEMO_PASSWORD);
        b.find("header nav a[href='/dashboard']").click();
        b.wait_url("/dashboard");
        b.wait_text("#cost-model", "EUR 65 an hour");
        assert!(!b.find_all("svg.chart rect").is_empty(), "the charts are drawn");
        accessible(&b, "the dashboard");
    })
    .await
    .unwrap();
}

accord_testing::on_both_backends!(
    an_analyst_records_who_owns_a_company_and_reads_the_path_to_its_listed_owner_in_the_browser,
    anyone_reads_the_transparency_report_and_an_officer_the_dashboard_with_their_charts,
    an_officer_raises_alerts_from_trade_statistics_reads_their_evidence_and_closes_one_in_the_browser,
    an_analyst_uploads_declarations_and_reads_the_alerts_they_raise_in_the_browser,
    an_officer_sees_what_falls_due_runs_the_technology_watch_and_closes_a_cycle_on_the_reviews_page,
    an_exporter_reports_on_a_control_and_the_officer_triages_it_with_a_theme,
    a_proposal_goes_through_a_panel_public_comment_and_the_vote_to_adoption_in_the_browser,
    an_officer_consults_the_ally_whose_denial_a_new_case_matches_from_the_case_page,
    an_exporter_submits_a_draft_from_the_applications_page_and_follows_its_case,
    an_officer_turns_on_a_second_factor_and_then_signs_in_with_a_code,
    an_exporter_reports_a_shipment_and_sees_what_is_left_of_the_licence,
    an_officer_takes_a_case_and_asks_and_the_exporter_answers_on_the_case_page,
    a_signed_in_exporter_screens_a_party_and_sees_why_it_matched,
    an_allys_denial_blocks_an_approval_until_the_consultation_is_answered_in_the_browser,
    an_issuing_officer_amends_and_suspends_a_licence_that_the_exporter_only_reads,
    an_exporter_records_training_and_an_officer_certifies_its_programme_on_the_compliance_page,
    an_officer_refuses_from_the_queue_and_a_senior_officer_countersigns_in_the_browser,
    a_signed_in_exporter_checks_a_shipment_and_reads_each_answer_with_its_sources,
    an_invited_exporter_sets_a_password_signs_in_and_signs_out_in_the_browser,
    forms_without_their_token_are_refused_and_cookies_are_strict,
    a_public_visitor_classifies_goods_by_searching_and_browsing_the_control_list,
    pages_are_html_with_a_strict_policy_and_errors_keep_their_status,
);
