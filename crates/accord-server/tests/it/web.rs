//! The web interface in a real headless Chromium: a public visitor classifies goods by searching and browsing the
//! control list, opens an entry with its jurisdictions' codes and sub-items, and meets a clear page for a wrong code.

use crate::support::Node;
use accord_store::Backend;
use accord_testing::browser::Browser;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

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

        // Search by code from the start page.
        b.find("#q").type_text("3A001");
        b.find("form.search button").click();
        b.wait_url("/controls?q=3A001");
        let hits = b.find_all("ol.hits li");
        assert!(!hits.is_empty(), "3A001 is found");
        assert!(hits[0].text().starts_with("3A001"), "the code itself comes first: {}", hits[0].text());
        b.screenshot(&format!("controls-search-{tag}"));

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

        // Browsing a category indents sub-items under their entry.
        b.open(&format!("{base}/controls"));
        b.find("a[href='/controls?category=5']").click();
        b.wait_url("category=5");
        let entries = b.find_all("ul.entries li");
        assert!(entries.len() > 10, "category 5 lists its entries");
        let indents: Vec<String> = entries.iter().filter_map(|e| e.attribute("style")).collect();
        assert!(indents.iter().any(|s| s != "margin-left: 0rem"), "some entries are sub-items: {indents:?}");

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
    let css = get("/static/accord.css").await;
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
}

accord_testing::on_both_backends!(
    a_public_visitor_classifies_goods_by_searching_and_browsing_the_control_list,
    pages_are_html_with_a_strict_policy_and_errors_keep_their_status,
);
