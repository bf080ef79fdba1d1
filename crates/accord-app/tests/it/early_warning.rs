//! Early warning on one node, on SQLite and PostgreSQL: the real trade statistics imported as a version (a bad row
//! refuses the set and nothing is stored), the indicators with an authority's thresholds, and the alerts they raise
//! once each, assigned, shared and closed.

use crate::support::*;
use accord_app::{AlertAssignment, AlertClosing, TradeImport};
use accord_core::ErrorCode;
use accord_core::warning::{AlertOutcome, AlertStatus, Thresholds};
use accord_store::Backend;

fn trade_files() -> Vec<accord_trade::SourceFile> {
    accord_trade::source_files(&accord_testing::data::shared("trade")).unwrap()
}

async fn trade_statistics_raise_alerts_once_that_an_analyst_assigns_shares_and_closes(backend: Backend) {
    let w = world(backend).await;
    let op = operator();
    let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
    let how = || TradeImport { label: None, source: "../shared/data/trade".into() };

    // A bad row anywhere refuses the whole set, and nothing is stored.
    let mut bad = trade_files();
    let kg = bad.iter_mut().find(|f| f.name == "eu_exports_to_kyrgyzstan_monthly.csv").unwrap();
    kg.bytes.extend_from_slice(b"Austria,Kyrgyzstan,TOTAL,Total,2024-13,export,5,AT,KG\n");
    let refused = w.app.import_trade(&op, &bad, how()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::MalformedFile);
    assert!(refused.message.contains("eu_exports_to_kyrgyzstan_monthly.csv:1990"), "{}", refused.message);
    assert!(w.app.trade_versions(&op).await.unwrap().is_empty());
    assert_eq!(w.app.run_early_warning(&analyst).await.unwrap_err().code, ErrorCode::NotFound);

    let exporter = w.app.import_trade(&w.exporter, &trade_files(), how()).await.unwrap_err();
    assert_eq!(exporter.code, ErrorCode::Forbidden);
    let first = w.app.import_trade(&analyst, &trade_files(), how()).await.unwrap();
    assert!(!first.unchanged && first.version.entries > 40_000, "{:?}", first.version);
    assert!(w.app.import_trade(&op, &trade_files(), how()).await.unwrap().unchanged, "the same files change nothing");

    // The indicators, and the alerts they raise once.
    let kg = w.app.indicators(&analyst, Some("kg")).await.unwrap();
    assert_eq!(kg.len(), 2, "growth and the mirror gap");
    assert!(kg.iter().all(|s| !s.method.is_empty() && !s.citation.is_empty()));
    assert_eq!(w.app.indicators(&analyst, Some("XX")).await.unwrap_err().code, ErrorCode::NotFound);
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    let ids: Vec<&str> = raised.iter().map(|a| a.id.as_str()).collect();
    for id in [
        "alr-export_growth-kg-2022-08",
        "alr-mirror_gap-kg-2022",
        "alr-export_growth-am-2022-07",
        "alr-mirror_gap-am-2022",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        raised
            .iter()
            .all(|a| !a.period.starts_with("2019") && !a.period.starts_with("2020") && !a.period.starts_with("2021"))
    );
    let growth = raised.iter().find(|a| a.id == "alr-export_growth-kg-2022-08").unwrap();
    assert_eq!(growth.evidence.len(), 36, "three years of evidence up to the period");
    assert_eq!(growth.evidence.last().unwrap().period, "2022-08");
    assert!(w.app.run_early_warning(&analyst).await.unwrap().is_empty(), "each signal raises one alert");

    // An authority's stricter thresholds are its own.
    let strict = Thresholds { growth_ratio: 6.0, ..Thresholds::default() };
    let bad_thresholds = Thresholds { growth_ratio: 0.9, ..Thresholds::default() };
    let e = w.app.set_warning_thresholds(&analyst, bad_thresholds).await.unwrap_err();
    assert_eq!(e.details.unwrap()["field"], "growth_ratio");
    w.app.set_warning_thresholds(&w.officer_us, strict.clone()).await.unwrap();
    assert_eq!(w.app.warning_thresholds(&w.officer_us).await.unwrap(), strict);
    assert_eq!(w.app.warning_thresholds(&analyst).await.unwrap(), Thresholds::default());
    let us = w.app.run_early_warning(&w.officer_us).await.unwrap();
    assert!(
        us.iter().all(|a| a.indicator != "export_growth" || a.partner == "KG"),
        "{:?}",
        us.iter().map(|a| &a.id).collect::<Vec<_>>()
    );

    // Assigned, shared, closed.
    let id = "alr-mirror_gap-kg-2022";
    let other = w.app.assign_alert(&analyst, id, AlertAssignment { analyst: Some("usr_nobody".into()) }).await;
    assert_eq!(other.unwrap_err().details.unwrap()["field"], "analyst");
    let a = w.app.assign_alert(&analyst, id, AlertAssignment::default()).await.unwrap();
    assert_eq!(a.status, AlertStatus::Assigned);
    let bafa_only = "alr-export_growth-am-2022-07";
    let elsewhere = w.app.assign_alert(&w.officer_us, bafa_only, AlertAssignment::default()).await.unwrap_err();
    assert_eq!(elsewhere.code, ErrorCode::NotFound, "BIS raised its own, not this one; it changes only its own");
    let from_bafa = |alerts: Vec<accord_core::warning::Alert>| -> Vec<String> {
        alerts.into_iter().filter(|a| a.authority_id == "DE-BAFA").map(|a| a.id).collect()
    };
    assert!(from_bafa(w.app.alerts(&w.officer_us).await.unwrap()).is_empty(), "BAFA's alerts are its own");
    w.app.share_alert(&analyst, id).await.unwrap();
    assert_eq!(w.app.share_alert(&analyst, id).await.unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(from_bafa(w.app.alerts(&w.officer_us).await.unwrap()), [id], "shared, the allies see it");
    let closing = |note: &str| AlertClosing { outcome: AlertOutcome::Confirmed, note: note.into() };
    assert_eq!(w.app.close_alert(&analyst, id, closing("")).await.unwrap_err().details.unwrap()["field"], "note");
    let closed = w
        .app
        .close_alert(&analyst, id, closing("Dual-use items re-exported to RU; verification opened."))
        .await
        .unwrap();
    assert_eq!((closed.status, closed.outcome), (AlertStatus::Closed, Some(AlertOutcome::Confirmed)));
    assert_eq!(w.app.close_alert(&analyst, id, closing("again")).await.unwrap_err().code, ErrorCode::Conflict);
    assert_eq!(w.app.alerts(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);

    // An officer opens a draft proposal from the alert, once; an analyst does not draft proposals.
    let input = || -> accord_app::NewProposal {
        serde_json::from_value(serde_json::json!({
            "title": "Catch-all for machinery to Kyrgyzstan", "rationale": "The mirror gap of 2022.",
            "changes": [{"op": "amend", "code": "3A001", "title": "Electronic items, clarified"}],
            "effective_date": jiff::Zoned::now().date().checked_add(jiff::Span::new().days(90)).unwrap().to_string(),
        }))
        .unwrap()
    };
    let x = w.app.propose_from_alert(&w.officer_de, id, input()).await.unwrap();
    assert_eq!(x.origin, Some(format!("alert DE-BAFA:{id}")));
    let alert =
        w.app.alerts(&w.officer_de).await.unwrap().into_iter().find(|a| a.id == id && a.authority_id == "DE-BAFA");
    assert_eq!(alert.unwrap().proposal, Some(x.key()));
    assert_eq!(w.app.propose_from_alert(&w.officer_de, id, input()).await.unwrap_err().code, ErrorCode::AlreadyExists);
    assert_eq!(w.app.propose_from_alert(&analyst, id, input()).await.unwrap_err().code, ErrorCode::Forbidden);
}

async fn declarations_name_a_consignee_that_resembles_a_listed_party_and_appeared_just_after_its_listing(
    backend: Backend,
) {
    let w = world(backend).await;
    let csv = "date,exporter,consignee,end_user,destination,hs_code,control_code,quantity,value_eur,authorisation,reference\n\
        2017-11-01,Acme Photonics GmbH,Adrian Manuel Hernandez,,MX,85423190,3A001,10,12000,,D-1\n\
        2017-11-20,Acme Photonics GmbH,Ordinary Imports SA,,MX,39269097,,5,800,,D-2\n";
    let unscreened = w.app.analyse_declarations(&w.officer_de, "d.csv", csv.as_bytes(), None).await.unwrap();
    assert!(!unscreened.screened && unscreened.findings.iter().all(|f| f.indicator.as_str() != "listed_party"));
    let parsed = accord_lists::read(&accord_testing::data::shared("bis/dpl.txt"), None, false).unwrap();
    let import = accord_app::ListImport {
        list_id: parsed.list_id.clone(),
        format: parsed.format.as_str().to_owned(),
        content_hash: parsed.content_hash.clone(),
        problems: parsed.problems.len(),
        entities: parsed.entities,
        source: "bis/dpl.txt".into(),
    };
    w.app.import_list(&operator(), import).await.unwrap();
    let analysis = w.app.analyse_declarations(&w.officer_de, "d.csv", csv.as_bytes(), None).await.unwrap();
    assert!(analysis.screened);
    let listed: Vec<_> = analysis.findings.iter().filter(|f| f.indicator.as_str() == "listed_party").collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (listed[0].subject.as_str(), listed[0].references.as_slice()),
        ("Adrian Manuel Hernandez", &["D-1".to_owned()][..])
    );
    assert!(listed[0].summary.contains("16 days after that listing (2017-10-16)"), "{}", listed[0].summary);
    let exporter = w.app.analyse_declarations(&w.exporter, "d.csv", csv.as_bytes(), None).await.unwrap_err();
    assert_eq!(exporter.code, ErrorCode::Forbidden);
}

accord_testing::on_both_backends!(
    trade_statistics_raise_alerts_once_that_an_analyst_assigns_shares_and_closes,
    declarations_name_a_consignee_that_resembles_a_listed_party_and_appeared_just_after_its_listing,
);
