//! Early warning over HTTP on SQLite and PostgreSQL: the real trade statistics posted as one set (larger than other
//! bodies), a bad row refused with its file and line, the indicators, the alerts raised once and worked, and a
//! proposal opened from one.

use crate::support::world;
use accord_store::Backend;
use axum::http::StatusCode;
use serde_json::json;

fn files() -> Vec<serde_json::Value> {
    accord_trade::source_files(&accord_testing::data::shared("trade"))
        .unwrap()
        .into_iter()
        .map(|f| json!({"name": f.name, "text": String::from_utf8(f.bytes).unwrap()}))
        .collect()
}

async fn trade_statistics_are_posted_as_a_set_and_raise_alerts_an_analyst_closes(backend: Backend) {
    let w = world(backend).await;
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    let analyst = Some(w.key("analyst_de"));
    let none = w.node.post("/api/v1/warnings/run", analyst, json!({})).await;
    assert_eq!((none.status, none.code()), (StatusCode::NOT_FOUND, "not_found"), "{}", none.body);

    let mut bad = files();
    let text = bad[0]["text"].as_str().unwrap().to_owned() + "Armenia,,2019-13,export,1,,export\n";
    bad[0]["text"] = json!(text);
    let refused = w.node.post("/api/v1/trade/versions", analyst, json!({"files": bad})).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "malformed_file"),
        "{}",
        refused.body
    );
    assert!(
        refused.body["error"]["message"].as_str().unwrap().contains("armenia_trade_monthly.csv:22445"),
        "{}",
        refused.body
    );
    assert_eq!(w.node.get("/api/v1/trade/versions", analyst).await.body, json!([]));
    let exporter = w.node.post("/api/v1/trade/versions", Some(w.key("exporter_de")), json!({"files": files()})).await;
    assert_eq!(exporter.status, StatusCode::FORBIDDEN);

    let stored =
        w.node.post("/api/v1/trade/versions", analyst, json!({"files": files(), "label": "comext-2024-11"})).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    let again = w.node.post("/api/v1/trade/versions", analyst, json!({"files": files()})).await;
    assert_eq!((again.status, &again.body["unchanged"]), (StatusCode::OK, &json!(true)));

    let kg = w.node.get("/api/v1/warnings/indicators?partner=KG", analyst).await;
    assert_eq!(kg.body.as_array().unwrap().len(), 2, "{}", kg.body);
    let unknown = w.node.get("/api/v1/warnings/indicators?colour=red", analyst).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let weak = w
        .node
        .post(
            "/api/v1/warnings/thresholds",
            analyst,
            json!({"baseline_from": 2019, "baseline_to": 2021,
        "growth_ratio": 1.0, "growth_months": 3, "mirror_ratio": 1.25}),
        )
        .await;
    assert_eq!(weak.body["error"]["details"]["field"], "growth_ratio", "{}", weak.body);

    let raised = w.node.post("/api/v1/warnings/run", analyst, json!({})).await;
    assert!(raised.body.as_array().unwrap().iter().any(|a| a["id"] == "alr-mirror_gap-kg-2022"), "{}", raised.body);
    assert_eq!(w.node.post("/api/v1/warnings/run", analyst, json!({})).await.body, json!([]));
    let close = "/api/v1/alerts/alr-mirror_gap-kg-2022/close";
    let wrong = w.node.post(close, analyst, json!({"outcome": "maybe", "note": "x"})).await;
    assert_eq!(wrong.code(), "invalid_body");
    let closed =
        w.node.post(close, analyst, json!({"outcome": "no_concern", "note": "Re-exports of cars, lawful."})).await;
    assert_eq!((closed.body["status"].as_str(), closed.body["outcome"].as_str()), (Some("closed"), Some("no_concern")));
    let unknown = w.node.post("/api/v1/alerts/alr-nothing/share", analyst, json!({})).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let proposal = json!({"title": "Kyrgyzstan", "rationale": "The mirror gap.", "effective_date":
        jiff::Zoned::now().date().checked_add(jiff::Span::new().days(90)).unwrap().to_string(),
        "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}]});
    let path = "/api/v1/alerts/alr-mirror_gap-kg-2022/proposal";
    assert_eq!(w.node.post(path, analyst, proposal.clone()).await.status, StatusCode::FORBIDDEN);
    let opened = w.node.post(path, Some(w.key("officer_de")), proposal).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.body["origin"], "alert DE-BAFA:alr-mirror_gap-kg-2022");
}

async fn declarations_are_analysed_from_a_csv_body_and_a_bad_one_is_refused_with_its_line(backend: Backend) {
    let w = world(backend).await;
    let (ds, truth) = accord_trade::generate::generate(3, 3_000, 3);
    let csv = accord_trade::generate::to_csv(&ds);
    let post = |key: Option<&str>, body: String| {
        let mut req = axum::http::Request::post("/api/v1/declarations/analyse").header("content-type", "text/csv");
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        w.node.send(req.body(axum::body::Body::from(body)).unwrap())
    };
    let analysed = post(Some(w.key("analyst_de")), csv.clone()).await;
    assert_eq!(analysed.status, StatusCode::OK, "{}", analysed.body);
    assert_eq!(analysed.body["declarations"], ds.len());
    let subjects: Vec<&str> = analysed.body["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["indicator"] == "structuring")
        .map(|f| f["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), truth.structuring.len(), "{subjects:?}");
    let bad = post(Some(w.key("analyst_de")), csv.replacen(",AE,", ",Arabia,", 1)).await;
    assert_eq!((bad.status, bad.code()), (StatusCode::UNPROCESSABLE_ENTITY, "malformed_file"), "{}", bad.body);
    assert!(bad.body["error"]["message"].as_str().unwrap().contains("declarations.csv:"), "{}", bad.body);
    assert_eq!(post(Some(w.key("exporter_de")), csv.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(post(None, csv).await.status, StatusCode::UNAUTHORIZED);
}

async fn declarations_are_imported_from_a_csv_body_once_and_raise_alerts(backend: Backend) {
    let w = world(backend).await;
    let (ds, truth) = accord_trade::generate::generate(5, 2_000, 2);
    let csv = accord_trade::generate::to_csv(&ds);
    let post = |key: &str, path: &str, body: String| {
        let req = axum::http::Request::post(path)
            .header("content-type", "text/csv")
            .header("authorization", format!("Bearer {key}"));
        w.node.send(req.body(axum::body::Body::from(body)).unwrap())
    };
    let analyst = w.key("analyst_de");
    let stored = post(analyst, "/api/v1/declarations?label=january", csv.clone()).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    assert_eq!(
        (stored.body["import"]["label"].as_str(), stored.body["import"]["added"].as_u64()),
        (Some("january"), Some(ds.len() as u64))
    );
    let again = post(analyst, "/api/v1/declarations", csv.clone()).await;
    assert_eq!((again.status, again.body["unchanged"].as_bool()), (StatusCode::OK, Some(true)));
    let odd = post(analyst, "/api/v1/declarations?colour=blue", csv.clone()).await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST, "{}", odd.body);
    let mut changed = ds.clone();
    changed[0].quantity += 1.0;
    let conflict = post(analyst, "/api/v1/declarations", accord_trade::generate::to_csv(&changed)).await;
    assert_eq!((conflict.status, conflict.code()), (StatusCode::CONFLICT, "conflict"), "{}", conflict.body);
    assert_eq!(post(w.key("exporter_de"), "/api/v1/declarations", csv).await.status, StatusCode::FORBIDDEN);
    let imports = w.node.get("/api/v1/declarations/imports", Some(analyst)).await;
    assert_eq!(imports.body.as_array().unwrap().len(), 1, "{}", imports.body);

    let raised = w.node.post("/api/v1/warnings/run", Some(analyst), json!({})).await;
    let structuring = raised.body.as_array().unwrap().iter().filter(|a| a["indicator"] == "structuring").count();
    assert_eq!(structuring, truth.structuring.len(), "{}", raised.body);
}

accord_testing::on_both_backends!(
    relations_are_recorded_and_revoked_over_http_and_screening_shows_the_ownership,
    declarations_are_imported_from_a_csv_body_once_and_raise_alerts,
    trade_statistics_are_posted_as_a_set_and_raise_alerts_an_analyst_closes,
    declarations_are_analysed_from_a_csv_body_and_a_bad_one_is_refused_with_its_line,
);

async fn relations_are_recorded_and_revoked_over_http_and_screening_shows_the_ownership(backend: Backend) {
    let w = world(backend).await;
    accord_testing::data::import_controls(&w.node.app, "2021-01-01", false).await;
    w.node.app.ensure_policies(&accord_testing::operator()).await.unwrap();
    accord_testing::data::import_list(&w.node.app, "ofac/sdn.csv").await;
    let analyst = Some(w.key("analyst_de"));
    let relation = json!({"from": {"list_id": "us_ofac_sdn", "entity_id": "306", "name": "x"}, "kind": "owns",
        "to": {"name": "Caribe Holdings S.A.", "country": "PA"}, "share_percent": 60, "source": "registry"});
    let made = w.node.post("/api/v1/relations", analyst, relation.clone()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    assert_eq!(made.body["from"]["name"], "BANCO NACIONAL DE CUBA");
    let id = made.body["id"].as_str().unwrap().to_owned();

    let report = w.node.get("/api/v1/ownership?at=2026-12-01", analyst).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let finding = &report.body["findings"][0];
    assert_eq!(
        (finding["rule_id"].as_str(), finding["status"].as_str()),
        (Some("us.ofac_50_percent"), Some("covered"))
    );
    assert!(finding["explanation"].as_str().unwrap().contains("owned 60 % by BANCO NACIONAL DE CUBA (us_ofac_sdn)"));
    let screened = w
        .node
        .post("/api/v1/screen", Some(w.key("exporter_de")), json!({"queries": [{"name": "Caribe Holdings SA"}]}))
        .await;
    assert_eq!(screened.status, StatusCode::OK, "{}", screened.body);
    assert!(screened.body["results"][0]["hits"].as_array().unwrap().is_empty(), "not on any list");
    assert_eq!(screened.body["results"][0]["ownership"][0]["finding"]["party"]["name"], "Caribe Holdings S.A.");

    // A front company giving a listed firm's registration number, written its own way: connected, and said why.
    let front = json!({"name": "Sahand Aviation Parts Co", "country": "IR", "identifiers": ["Reg. no. 26-740"]});
    let screened = w.node.post("/api/v1/screen", Some(w.key("exporter_de")), front).await;
    assert_eq!(screened.status, StatusCode::OK, "{}", screened.body);
    let connection = &screened.body["results"][0]["connections"][0];
    assert_eq!((connection["entity_id"].as_str(), connection["shared"].as_str()), (Some("11195"), Some("identifier")));
    assert!(
        connection["explanation"].as_str().unwrap().contains("Registration Number 26740 with IRAN AIRCRAFT"),
        "{connection}"
    );
    let many = json!({"name": "X Co", "identifiers": vec!["123456"; 21]});
    let many = w.node.post("/api/v1/screen", Some(w.key("exporter_de")), many).await;
    assert_eq!((many.status, many.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{}", many.body);

    // Bad input: a precise error with its code, nothing kept.
    let bad_day = w.node.get("/api/v1/ownership?at=someday", analyst).await;
    assert_eq!((bad_day.status, bad_day.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let mut wrong = relation.clone();
    wrong["share_percent"] = json!("sixty");
    let wrong = w.node.post("/api/v1/relations", analyst, wrong).await;
    assert_eq!((wrong.status, wrong.code()), (StatusCode::BAD_REQUEST, "invalid_body"), "{}", wrong.body);
    let mut unknown = relation.clone();
    unknown["colour"] = json!("red");
    let unknown = w.node.post("/api/v1/relations", analyst, unknown).await;
    assert_eq!((unknown.status, unknown.code()), (StatusCode::BAD_REQUEST, "invalid_body"), "{}", unknown.body);
    let mut over = relation.clone();
    over["share_percent"] = json!(101);
    let over = w.node.post("/api/v1/relations", analyst, over).await;
    assert_eq!((over.status, over.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"), "{}", over.body);
    let exporter = w.node.get("/api/v1/relations", Some(w.key("exporter_de"))).await;
    assert_eq!((exporter.status, exporter.code()), (StatusCode::FORBIDDEN, "forbidden"));
    assert_eq!(w.node.get("/api/v1/relations", analyst).await.body.as_array().unwrap().len(), 1);

    let revoked = w.node.post(&format!("/api/v1/relations/{id}/revoke"), analyst, json!({"reason": "sold"})).await;
    assert_eq!((revoked.status, revoked.body["version"].as_i64()), (StatusCode::OK, Some(2)), "{}", revoked.body);
    let twice = w.node.post(&format!("/api/v1/relations/{id}/revoke"), analyst, json!({"reason": "sold"})).await;
    assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "conflict"));
    let missing = w.node.post("/api/v1/relations/rel_nope/revoke", analyst, json!({"reason": "x"})).await;
    assert_eq!((missing.status, missing.code()), (StatusCode::NOT_FOUND, "not_found"));
    let report = w.node.get("/api/v1/ownership?at=2026-12-01", analyst).await;
    assert_eq!(report.body["findings"], json!([]));
}
