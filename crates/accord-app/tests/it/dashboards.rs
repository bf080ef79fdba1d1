//! The dashboard and the transparency report over decided cases, on SQLite and PostgreSQL: outcomes and cost by
//! firm size for the authority's officials, and a public report where small counts are hidden.

use crate::support::*;
use accord_core::ErrorCode;
use accord_store::Backend;
use serde_json::json;

/// The end of June two years on: within any licence's longest validity.
fn later() -> String {
    format!("{}-06-30", jiff::Zoned::now().date().year() + 2)
}

async fn the_dashboard_counts_outcomes_by_size_and_the_report_hides_small_counts(backend: Backend) {
    let w = world(backend).await;
    for n in 0..6 {
        let applied = w
            .app
            .create_application(&w.exporter, application("CN", json!("3A001.a.1"), 5000.0 + f64::from(n)), None, true)
            .await
            .unwrap();
        let id = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap();
        let d = if n < 5 {
            decision("approve", 1, json!({"valid_until": later()}))
        } else {
            decision("return", 1, json!({}))
        };
        w.app.decide(&w.officer_de, &id, d).await.unwrap();
    }
    let d = w.app.dashboard(&w.officer_de).await.unwrap();
    let small = d.by_size.iter().find(|r| r.group == "small").expect("the exporter is a small firm");
    assert_eq!(small.decided, 6);
    assert_eq!(small.approval_percent.map(|p| p.round()), Some(83.0));
    assert!(small.mean_cost_eur.unwrap() > 0.0 && !d.cost_model.is_empty());
    assert!(d.processing.iter().all(|r| r.authority == "DE-BAFA"), "an officer sees their authority");
    let cn3 = d.by_destination.iter().find(|r| r.destination == "CN" && r.category == "3").unwrap();
    assert_eq!((cn3.licences, cn3.general_authorisations), (5, 0), "five licences granted for category 3 to China");
    assert!(d.to_csv().lines().any(|l| l.starts_with("size,small,,6,")), "{}", d.to_csv());
    assert_eq!(w.app.dashboard(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(w.app.dashboard(&w.officer_de).await.unwrap(), d, "nothing changed: the same dashboard");
    let applied =
        w.app.create_application(&w.exporter, application("CN", json!("3A001.a.1"), 9000.0), None, true).await.unwrap();
    let id = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap();
    w.app.decide(&w.officer_de, &id, decision("approve", 1, json!({"valid_until": later()}))).await.unwrap();
    let again = w.app.dashboard(&w.officer_de).await.unwrap();
    let small = again.by_size.iter().find(|r| r.group == "small").unwrap();
    assert_eq!(small.decided, 7, "a decision since is counted at once");

    let report = w.app.transparency_report(None).await.unwrap();
    let row = report.rows.iter().find(|r| r.jurisdiction == "EU" && r.size == "small").unwrap();
    // One return is too few to publish, and with the total it would give away the approvals: both are hidden.
    assert_eq!((row.approved, row.refused, row.returned, row.total), (None, Some(0), None, Some(7)));
    let too_small = w.app.transparency_report(Some(2)).await.unwrap_err();
    assert_eq!(too_small.details.unwrap()["field"], "min_cell");
}

async fn refreshed_statistics_are_served_at_once_and_catch_up_on_the_next_refresh(backend: Backend) {
    let w = &world(backend).await;
    let decide = |value: f64| async move {
        let applied = w
            .app
            .create_application(&w.exporter, application("CN", json!("3A001.a.1"), value), None, true)
            .await
            .unwrap();
        let id = applied.application.outcomes.iter().find(|o| o.jurisdiction == "EU").unwrap().case_id.clone().unwrap();
        w.app.decide(&w.officer_de, &id, decision("approve", 1, json!({"valid_until": later()}))).await.unwrap();
    };
    let decided =
        |d: &accord_core::stats::Dashboard| d.by_size.iter().find(|r| r.group == "small").map_or(0, |r| r.decided);
    decide(5000.0).await;
    assert!(w.app.refresh_statistics().await.unwrap(), "the first refresh computes");
    assert!(!w.app.refresh_statistics().await.unwrap(), "nothing changed: nothing to compute");
    let first = w.app.dashboard(&w.officer_de).await.unwrap();
    assert_eq!(decided(&first), 1);
    let report = w.app.transparency_report(None).await.unwrap();

    // A decision since: the pages serve what the refresher computed, until it runs again.
    decide(6000.0).await;
    assert_eq!(w.app.dashboard(&w.officer_de).await.unwrap(), first, "served as computed, not on the request");
    assert_eq!(w.app.transparency_report(None).await.unwrap(), report);
    assert!(w.app.refresh_statistics().await.unwrap());
    let second = w.app.dashboard(&w.officer_de).await.unwrap();
    assert_eq!(decided(&second), 2, "the next refresh counts it");
    assert!(second.computed_at > first.computed_at);
}

accord_testing::on_both_backends!(
    the_dashboard_counts_outcomes_by_size_and_the_report_hides_small_counts,
    refreshed_statistics_are_served_at_once_and_catch_up_on_the_next_refresh,
);
