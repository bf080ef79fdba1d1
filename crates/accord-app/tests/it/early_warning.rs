//! Early warning on one node, on SQLite and PostgreSQL: the real trade statistics imported as a version (a bad row
//! refuses the set and nothing is stored), the indicators with an authority's thresholds, and the alerts they raise
//! once each, assigned, shared and closed.

use crate::support::*;
use accord_app::{AlertAssignment, AlertClosing, TradeImport};
use accord_core::ErrorCode;
use accord_core::warning::{AlertOutcome, AlertStatus, Thresholds};

use accord_store::Backend;

/// The real BIS Denied Persons List, read.
fn dpl() -> accord_lists::ParsedList {
    accord_lists::read(&accord_testing::data::shared("bis/dpl.txt"), None, false).unwrap()
}

/// Puts a read list in force.
async fn import_dpl(w: &World, parsed: accord_lists::ParsedList) {
    accord_testing::data::put_in_force(&w.app, parsed, "bis/dpl.txt").await;
}

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
    import_dpl(&w, dpl()).await;
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

async fn stored_declarations_raise_an_alert_for_each_injected_pattern_once(backend: Backend) {
    let w = world(backend).await;
    let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
    let (ds, truth) = accord_trade::generate::generate(7, 3_000, 3);
    let csv = accord_trade::generate::to_csv(&ds);

    // Only an authority's analysts import, and a bad row refuses the file with nothing stored.
    let e = w.app.import_declarations(&w.exporter, "d.csv", csv.as_bytes(), None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    let bad = format!("{csv}2025-02-30,X,Y,,KG,8542,,1,1,,BAD-1\n");
    let e = w.app.import_declarations(&analyst, "d.csv", bad.as_bytes(), None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedFile);
    assert!(e.message.contains(&format!("d.csv:{}", ds.len() + 2)), "{}", e.message);
    assert!(w.app.declaration_imports(&analyst).await.unwrap().is_empty());

    let first = w.app.import_declarations(&analyst, "d.csv", csv.as_bytes(), None).await.unwrap();
    assert_eq!((first.unchanged, first.import.added, first.import.skipped), (false, ds.len() as i64, 0));
    assert!(w.app.import_declarations(&analyst, "d.csv", csv.as_bytes(), None).await.unwrap().unchanged);

    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    for (indicator, subjects) in [
        ("structuring", &truth.structuring),
        ("new_consignee", &truth.new_consignees),
        ("ga_new_destination", &truth.ga_new_destinations),
    ] {
        let found: std::collections::BTreeSet<String> =
            raised.iter().filter(|a| a.indicator == indicator).flat_map(|a| a.subject.clone()).collect();
        assert!(subjects.is_subset(&found), "{indicator}: {subjects:?} not all in {found:?}");
    }
    let structuring = raised.iter().find(|a| a.indicator == "structuring").unwrap();
    assert!(structuring.references.len() >= 3 && structuring.evidence.len() == structuring.references.len());
    assert!(structuring.evidence.iter().all(|e| e.value < 5000.0 && e.value >= 4500.0), "{:?}", structuring.evidence);
    assert!(!structuring.method.is_empty() && structuring.citation.contains("FIN-2022-Alert003"));
    assert_eq!(structuring.data_version, 1);
    assert!(w.app.run_early_warning(&analyst).await.unwrap().is_empty(), "each finding raises one alert");

    // Sent again with one new declaration: the rest are skipped; one stored declaration changed refuses it all.
    let mut more = ds[..50].to_vec();
    let mut new = ds[0].clone();
    new.reference = "DCL-NEW-1".into();
    more.push(new);
    let again_csv = accord_trade::generate::to_csv(&more);
    let again = w.app.import_declarations(&analyst, "e.csv", again_csv.as_bytes(), None).await.unwrap();
    assert_eq!((again.import.seq, again.import.added, again.import.skipped), (2, 1, 50));
    more[3].value_eur += 1.0;
    more[50].reference = "DCL-NEW-2".into();
    let changed = accord_trade::generate::to_csv(&more);
    let e = w.app.import_declarations(&analyst, "f.csv", changed.as_bytes(), None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    assert!(e.message.contains(&more[3].reference), "{}", e.message);
    assert_eq!(w.app.declaration_imports(&analyst).await.unwrap().len(), 2, "the refused import left nothing");
    // The same declarations as Parquet: read with the same checks, the new one added.
    let mut parquet = ds[..10].to_vec();
    parquet[9].reference = "DCL-PARQUET-1".into();
    let bytes = accord_trade::parquet::write(&parquet).unwrap();
    let pq = w.app.import_declarations(&analyst, "g.parquet", &bytes, None).await.unwrap();
    assert_eq!((pq.import.added, pq.import.skipped), (1, 9));
    // Another authority sees none of them.
    assert!(w.app.declaration_imports(&w.officer_us).await.unwrap().is_empty());
}

async fn a_high_priority_product_surging_to_a_destination_raises_a_product_growth_alert(backend: Backend) {
    let w = world(backend).await;
    let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
    let mut csv = accord_trade::declarations::HEADER.join(",");
    csv.push('\n');
    for (year, month) in (2024..=2025).flat_map(|y| (1..=12).map(move |m| (y, m))) {
        let chips = if year == 2025 && (4..=7).contains(&month) { 4000 } else { 1000 };
        csv.push_str(&format!("{year}-{month:02}-10,Acme,Tian LLC,,KG,85423190,,1,{chips},,C-{year}-{month}\n"));
        csv.push_str(&format!("{year}-{month:02}-11,Acme,Tian LLC,,KG,94032080,,1,1000,,F-{year}-{month}\n"));
    }
    w.app.import_declarations(&analyst, "p.csv", csv.as_bytes(), None).await.unwrap();
    let t = Thresholds { baseline_from: 2024, baseline_to: 2024, ..Thresholds::default() };
    w.app.set_warning_thresholds(&analyst, t).await.unwrap();
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    let growth: Vec<&str> = raised.iter().filter(|a| a.indicator == "product_growth").map(|a| a.id.as_str()).collect();
    assert_eq!(growth, ["alr-product_growth-kg-8542-2025-06"]);
    let a = raised.iter().find(|a| a.indicator == "product_growth").unwrap();
    assert_eq!((a.partner.as_str(), a.product.as_deref(), a.ratio), ("KG", Some("8542"), 4.0));
    assert_eq!(a.evidence.len(), 18, "the months up to the signal");
}

async fn an_item_refused_twice_by_an_ally_then_applied_for_here_raises_a_licence_pattern_alert(backend: Backend) {
    let w = world(backend).await;
    let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
    let denial = |reference: &str| -> accord_core::denials::NewDenial {
        serde_json::from_value(serde_json::json!({"reference": reference, "control_codes": ["3A001"],
            "item_description": "ICs", "destination": "CN", "refusal_criteria": ["national security"],
            "parties": [{"role": "consignee", "name": "SHANGHAI EXAMPLE TRADING CO LTD"}]}))
        .unwrap()
    };
    // One refusal by the US is a matter for consultation, not yet a pattern.
    w.app.create_denial(&w.officer_us, denial("BIS-1")).await.unwrap();
    let apply = || application("CN", serde_json::json!("3A001.a.1"), 5000.0);
    w.app.create_application(&w.exporter, apply(), None, true).await.unwrap();
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    assert!(raised.iter().all(|a| a.indicator != "refused_then_elsewhere"), "{raised:?}");

    // A second refusal: the application made here after both is the pattern (through another ally), once.
    w.app.create_denial(&w.officer_us, denial("BIS-2")).await.unwrap();
    let second = w.app.create_application(&w.other_exporter, apply(), None, true).await.unwrap();
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    let found: Vec<_> = raised.iter().filter(|a| a.indicator == "refused_then_elsewhere").collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let a = found[0];
    assert_eq!(a.references[0], second.application.id.to_string());
    assert_eq!((a.partner.as_str(), a.ratio, a.threshold), ("CN", 2.0, 2.0));
    assert_eq!(a.subject, ["Shanghai Example Trading Co., Ltd.", "3A001.a.1"]);
    assert!(
        a.summary.contains("refused 2 times (by US-BIS)") && a.summary.contains("through another ally"),
        "{}",
        a.summary
    );
    assert!(w.app.run_early_warning(&analyst).await.unwrap().is_empty());

    // The officer opens a pre-licence check on that application's case, once, from the alert.
    let verify = || accord_app::AlertVerification {
        case_id: None,
        kind: accord_core::cases::TaskKind::PreLicenceCheck,
        assignee: "Embassy in Beijing".into(),
        due_date: "2031-01-31".into(),
    };
    let e = w.app.verify_from_alert(&analyst, &a.id, verify()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden, "analysts raise alerts; officers open tasks");
    let case = w.app.verify_from_alert(&w.officer_de, &a.id, verify()).await.unwrap();
    assert_eq!(case.application_id, second.application.id);
    assert_eq!(case.tasks.last().unwrap().assignee, "Embassy in Beijing");
    let alert = w.app.alerts(&analyst).await.unwrap().into_iter().find(|x| x.id == a.id).unwrap();
    assert_eq!(alert.task, Some(format!("{}#{}", case.id, case.tasks.len() - 1)));
    let again = w.app.verify_from_alert(&w.officer_de, &a.id, verify()).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyExists);
    let other = w.app.verify_from_alert(&w.officer_us, &a.id, verify()).await.unwrap_err();
    assert_eq!(other.code, ErrorCode::NotFound, "another authority's alert is not found");

    // An authority that sets three refusals sees no pattern in two.
    let strict = Thresholds {
        declarations: accord_core::warning::DeclarationSettings { repeat_refusals: 3, ..Default::default() },
        ..Thresholds::default()
    };
    w.app.set_warning_thresholds(&w.officer_de, strict).await.unwrap();
    w.app.create_application(&w.other_exporter, apply(), None, true).await.unwrap();
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    assert!(raised.iter().all(|a| a.indicator != "refused_then_elsewhere"), "{raised:?}");
    let e = w.app.set_warning_thresholds(
        &w.officer_de,
        Thresholds {
            declarations: accord_core::warning::DeclarationSettings { repeat_refusals: 0, ..Default::default() },
            ..Thresholds::default()
        },
    );
    assert_eq!(e.await.unwrap_err().details.unwrap()["field"], "repeat_refusals");
}

async fn a_consignee_declared_at_a_listed_partys_street_address_is_found_whatever_its_name(backend: Backend) {
    let w = world(backend).await;
    let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
    let parsed = dpl();
    // A listed street address from the real list: three words or more, one with a digit.
    let (listed_name, address) = street_address(&parsed.entities);
    import_dpl(&w, parsed).await;
    let quoted = address.replace('"', "\"\"");
    let csv = format!(
        "{},{}\n2025-03-01,Acme Photonics GmbH,Zzyzx Quiet Holdings,,AE,85423190,,1,900,,A-1,\"{quoted}\",\n\
         2025-03-02,Acme Photonics GmbH,Other Imports,,AE,85423190,,1,900,,A-2,\"Somewhere Else 1 Road\",\n",
        accord_trade::declarations::HEADER.join(","),
        accord_trade::declarations::ADDRESS_COLUMNS.join(",")
    );
    let analysis = w.app.analyse_declarations(&analyst, "a.csv", csv.as_bytes(), None).await.unwrap();
    let shared: Vec<_> = analysis.findings.iter().filter(|f| f.indicator.as_str() == "shared_address").collect();
    assert_eq!(shared.len(), 1, "{shared:?}");
    assert_eq!(
        (shared[0].subject.as_str(), shared[0].references.as_slice()),
        ("Zzyzx Quiet Holdings", &["A-1".to_owned()][..])
    );
    assert!(shared[0].summary.contains(&listed_name), "{}", shared[0].summary);

    // Stored and run, it raises its alert.
    w.app.import_declarations(&analyst, "a.csv", csv.as_bytes(), None).await.unwrap();
    let raised = w.app.run_early_warning(&analyst).await.unwrap();
    assert!(
        raised.iter().any(|a| a.indicator == "shared_address" && a.subject == ["Zzyzx Quiet Holdings"]),
        "{raised:?}"
    );
    // A header with other extra columns is refused.
    let odd = csv.replacen("end_user_address", "end_user_phone", 1);
    let e = w.app.analyse_declarations(&analyst, "b.csv", odd.as_bytes(), None).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedFile);
}

/// The declarations both paths read: generated ones with their patterns, a party resembling a listed one, a
/// consignee at a listed street address, and names that would break quoted SQL.
fn mixed_declarations(listed_address: &str) -> (String, String) {
    let (mut ds, _) = accord_trade::generate::generate(5, 4_000, 3);
    let template = ds[0].clone();
    let extra = [
        ("X-1", "Adrian Manuel Hernandez", "", 2025, 3),
        ("X-2", "Zzyzx Quiet Holdings", listed_address, 2025, 4),
        ("X-3", "O'Brien \"Trading\"; DROP TABLE d; --", "", 2025, 12),
        // A name an SDN entry says its listed person is linked to, though it is not listed itself.
        ("X-4", "Bosque de Santa Teresita Ltda", "", 2025, 6),
    ];
    for (reference, consignee, address, year, month) in extra {
        ds.push(accord_trade::declarations::Declaration {
            reference: reference.into(),
            date: jiff::civil::date(year, month, 2),
            consignee: consignee.into(),
            consignee_address: address.into(),
            control_code: Some("3A001".into()),
            ..template.clone()
        });
    }
    // A high-priority product surging to a destination in 2025 against 2024.
    for (year, month) in (2024..=2025).flat_map(|y| (1..=12).map(move |m| (y, m))) {
        ds.push(accord_trade::declarations::Declaration {
            reference: format!("G-{year}-{month}"),
            date: jiff::civil::date(year, month, 10),
            destination: "KG".into(),
            hs_code: "85423190".into(),
            control_code: None,
            value_eur: if year == 2025 && (4..=7).contains(&month) { 400_000.0 } else { 100_000.0 },
            ..template.clone()
        });
    }
    // The second file sends part of the first again (skipped) and the rest.
    let (a, b) = ds.split_at(ds.len() / 2);
    let second: Vec<_> = a[a.len() - 100..].iter().chain(b).cloned().collect();
    (accord_trade::generate::to_csv(a), accord_trade::generate::to_csv(&second))
}

/// What the two paths must agree on, alert by alert, in the order of their ids.
fn agreed(alerts: &[accord_core::warning::Alert]) -> Vec<serde_json::Value> {
    let mut alerts: Vec<_> = alerts.iter().collect();
    alerts.sort_by(|a, b| a.id.cmp(&b.id));
    alerts
        .iter()
        .map(|a| serde_json::json!([a.id, a.summary, a.subject, a.references, a.partner, a.period, a.evidence.len()]))
        .collect()
}

async fn the_columnar_engine_raises_the_alerts_the_database_raises_and_remakes_its_copies(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("accord-columnar-app-{backend:?}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = accord_columnar::Columnar::open(&accord_testing::data::duckdb(), &dir)
        .expect("the DuckDB library (scripts/install-duckdb.sh installs it)");
    let parsed = dpl();
    let (_, address) = street_address(&parsed.entities);
    let (first, second) = mixed_declarations(&address);
    let mut raised = Vec::new();
    let mut worlds = Vec::new();
    for columnar in [false, true] {
        let mut w = world(backend).await;
        if columnar {
            w.app = w.app.clone().with_columnar(engine.clone());
        }
        import_dpl(&w, parsed.clone()).await;
        accord_testing::data::import_list(&w.app, "ofac/sdn.csv").await;
        let analyst = user(&w.app, "analyst", "analyst@bafa.example", Some("DE-BAFA"), None).await;
        let t = Thresholds { baseline_from: 2024, baseline_to: 2024, ..Thresholds::default() };
        w.app.set_warning_thresholds(&analyst, t).await.unwrap();
        w.app.import_declarations(&analyst, "a.csv", first.as_bytes(), None).await.unwrap();
        let b = w.app.import_declarations(&analyst, "b.csv", second.as_bytes(), None).await.unwrap();
        assert_eq!(b.import.skipped, 100);
        raised.push(w.app.run_early_warning(&analyst).await.unwrap());
        worlds.push((w, analyst));
    }
    let (plain, columnar) = (agreed(&raised[0]), agreed(&raised[1]));
    for indicator in [
        "structuring",
        "new_consignee",
        "ga_new_destination",
        "listed_party",
        "shared_address",
        "product_growth",
        "linked_name",
    ] {
        assert!(raised[0].iter().any(|a| a.indicator == indicator), "{indicator} in {plain:?}");
    }
    assert!(raised[0].iter().any(|a| a.subject.iter().any(|s| s.starts_with("O'Brien"))));
    let linked = raised[0].iter().find(|a| a.indicator == "linked_name").unwrap();
    assert!(
        linked.summary.contains("SAAVEDRA ARCE, Rodrigo Eugenio (us_ofac_sdn) is listed as linked to"),
        "{}",
        linked.summary
    );
    assert_eq!(columnar, plain);
    assert!(worlds[1].0.app.columnar().unwrap().starts_with("DuckDB v"));

    // The copies were made at import, each of what its import added; lost or damaged, they are made again.
    let imports = worlds[1].0.app.declaration_imports(&worlds[1].1).await.unwrap();
    for i in &imports {
        assert!(engine.is_complete("DE-BAFA", i.seq, i.added), "import {} copied", i.seq);
    }
    std::fs::remove_file(engine.file("DE-BAFA", 1)).unwrap();
    let copy = engine.file("DE-BAFA", 2);
    let bytes = std::fs::read(&copy).unwrap();
    std::fs::write(&copy, &bytes[..bytes.len() / 3]).unwrap();
    let mut more = accord_trade::declarations::HEADER.join(",");
    more.push_str("\n2025-12-30,Acme Photonics GmbH,Brand New Consignee LLC,,KG,85423190,3A001,1,9000,,Y-1\n");
    let mut again = Vec::new();
    for (w, analyst) in &worlds {
        w.app.import_declarations(analyst, "c.csv", more.as_bytes(), None).await.unwrap();
        again.push(w.app.run_early_warning(analyst).await.unwrap());
    }
    assert!(again[0].iter().any(|a| a.subject == ["Brand New Consignee LLC"]), "{:?}", agreed(&again[0]));
    assert_eq!(agreed(&again[1]), agreed(&again[0]));
    let imports = worlds[1].0.app.declaration_imports(&worlds[1].1).await.unwrap();
    for i in &imports {
        assert!(engine.is_complete("DE-BAFA", i.seq, i.added), "import {} copied again", i.seq);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

accord_testing::on_both_backends!(
    the_columnar_engine_raises_the_alerts_the_database_raises_and_remakes_its_copies,
    a_consignee_declared_at_a_listed_partys_street_address_is_found_whatever_its_name,
    an_item_refused_twice_by_an_ally_then_applied_for_here_raises_a_licence_pattern_alert,
    stored_declarations_raise_an_alert_for_each_injected_pattern_once,
    a_high_priority_product_surging_to_a_destination_raises_a_product_growth_alert,
    trade_statistics_raise_alerts_once_that_an_analyst_assigns_shares_and_closes,
    declarations_name_a_consignee_that_resembles_a_listed_party_and_appeared_just_after_its_listing,
);
