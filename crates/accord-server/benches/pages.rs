//! Server-side rendering of the officer's pages with 10,000 cases in the store (SQLite): the queue (first page and a
//! deep page) and a case page, each requested through the real router with a signed-in session, one at a time.
//! Prints p50/p99 render times and page sizes against the targets (p99 under 50 ms, pages under 200 KB).
//! Then times the impact preview of a proposal to change the control list over the same applications.
//! Run with `cargo bench -p accord-server --bench pages` (CASES=N to change the number of cases).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use accord_app::App;
use accord_core::principal::Principal;
use accord_store::{DbUrl, SqlStore};
use axum::body::Body;
use axum::http::Request;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(run());
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run() {
    let total: usize = std::env::var("CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-bench-pages"));
    std::fs::create_dir_all(&dir).unwrap();
    let url = DbUrl::parse(&format!("sqlite://{}", dir.join("bench.db").display())).unwrap();
    let app = App::new(Arc::new(SqlStore::open(&url, 4).await.unwrap()));
    let op = Principal::Operator { name: "bench".into() };
    app.import_controls(&op, &accord_app::demo_control_list("2021-01-01").unwrap(), "bench").await.unwrap();
    app.ensure_policies(&op).await.unwrap();
    let authority =
        json!({"id": "DE-BAFA", "name": "BAFA", "jurisdiction": "EU", "country": "DE", "time_zone": "Europe/Berlin"});
    app.create_authority(&op, serde_json::from_value(authority).unwrap()).await.unwrap();
    let org = json!({"name": "Acme Photonics GmbH", "country": "DE", "size_class": "small", "authority_id": "DE-BAFA"});
    let org = app.create_organisation(&op, serde_json::from_value(org).unwrap()).await.unwrap();
    let officer =
        json!({"name": "Officer", "email": "officer@bafa.example", "role": "officer", "authority_id": "DE-BAFA"});
    let officer = app.create_user(&op, serde_json::from_value(officer).unwrap()).await.unwrap();
    let invitation = app.invite(&op, officer.id.as_str()).await.unwrap();
    app.accept_invitation(&invitation.token, "a long enough pass phrase").await.unwrap();

    let started = Instant::now();
    let destinations = ["CN", "BR", "IN", "PK", "EG", "AE", "TR", "VN"];
    let codes = ["3A001.a.1", "5A002", "6A003", "1C010"];
    let mut first_case = None;
    for i in 0..total {
        let application = json!({
            "organisation_id": org.id,
            "transaction": {"date": "2025-12-01", "origin": "DE", "destination": destinations[i % destinations.len()],
                "end_use": {"category": "civil"},
                "items": [{"code": codes[i % codes.len()], "description": "goods", "quantity": 1 + i % 50, "value": 100 + i, "currency": "EUR"}],
                "parties": [{"role": "consignee", "name": format!("Consignee {i} Ltd."), "country": destinations[i % destinations.len()]}]},
            "end_use_statement": "Research"
        });
        let applied =
            app.create_application(&op, serde_json::from_value(application).unwrap(), None, true).await.unwrap();
        if first_case.is_none() {
            first_case = applied.application.outcomes.iter().find_map(|o| o.case_id.clone());
        }
    }
    let case_id = first_case.expect("a case");
    eprintln!("{total} applications submitted in {:.1} s", started.elapsed().as_secs_f64());

    let router = accord_server::router(app.clone(), accord_server::DEFAULT_BODY_LIMIT);
    let signed = app.sign_in("officer@bafa.example", "a long enough pass phrase", None).await.unwrap();
    let cookie = format!("accord_session={}", signed.token);
    // As `accord serve` does every five seconds when anything changed: the statistics are computed off the request.
    let t = Instant::now();
    app.refresh_statistics().await.unwrap();
    println!("dashboards and report computed in the background in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    println!("page                       p50        p99        size      target");
    for (label, path, rounds) in [
        ("queue, first page", "/cases".to_owned(), 200),
        ("queue, page 100", "/cases?page=100".to_owned(), 200),
        ("a case", format!("/cases/{case_id}"), 500),
        ("the dashboard (all cases)", "/dashboard".to_owned(), 200),
        ("the transparency report", "/transparency".to_owned(), 200),
    ] {
        let mut times = Vec::with_capacity(rounds);
        let mut size = 0;
        for _ in 0..rounds {
            let req =
                Request::get(&path).header("cookie", &cookie).header("host", "127.0.0.1").body(Body::empty()).unwrap();
            let t = Instant::now();
            let response = router.clone().oneshot(req).await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
            times.push(t.elapsed());
            size = body.len();
        }
        let first = times[0];
        times.sort();
        let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
        let ok = p99 < Duration::from_millis(50) && size < 200 * 1024;
        println!(
            "{label:<26} {:>7.2} ms {:>7.2} ms {:>6.1} KB  {}",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            size as f64 / 1024.0,
            if ok { "met" } else { "MISSED (p99 < 50 ms, < 200 KB)" }
        );
        if path == "/dashboard" || path == "/transparency" {
            println!("{:<26} {:>7.2} ms (the first request)", "", first.as_secs_f64() * 1e3);
        }
    }

    // The impact preview of a proposal: every application determined again under the proposed list.
    let officer = app.session(&signed.token).await.unwrap().principal;
    let effective = jiff::Zoned::now().date().checked_add(jiff::Span::new().days(60)).unwrap();
    let proposal = json!({
        "title": "Raise the 5A002 threshold", "rationale": "bench",
        "changes": [{"op": "rethreshold", "code": "5A002", "text": "Information security above a higher threshold"}],
        "effective_date": effective.to_string(),
    });
    let key = app.propose(&officer, serde_json::from_value(proposal).unwrap()).await.unwrap().key();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        last = Some(app.impact(&officer, &key, 10_000).await.unwrap());
        times.push(t.elapsed());
    }
    times.sort();
    let impact = last.unwrap();
    println!(
        "impact preview over {} suite cases and {} applications: p50 {:.0} ms, slowest {:.0} ms ({} answers would change)",
        impact.suite.determined,
        impact.applications.determined,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        impact.suite.flips.len() + impact.applications.flips.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
