//! Determinations through the application service, on SQLite and PostgreSQL: the control list and policy set in
//! force on the day, parties screened against the real lists with their listing dates, a new policy version that
//! changes the answer from its effective date, and a policy with an error refused while the version in force stays.

use accord_app::{App, DetermineOptions, PolicyImport};
use accord_controls::{Outcome, Transaction, builtin_policies};
use accord_core::ErrorCode;
use accord_core::principal::Principal;
use accord_store::Backend;
use accord_testing::TestDb;
use serde_json::json;
use std::sync::Arc;

use accord_testing::operator;

async fn with_control_list(app: &App) {
    accord_testing::data::import_controls(app, "2014-01-01", true).await;
}

async fn import_list(app: &App, rel: &str) {
    accord_testing::data::import_list(app, rel).await;
}

fn tx(v: serde_json::Value) -> Transaction {
    serde_json::from_value(v).unwrap()
}

fn opts(at: Option<&str>) -> DetermineOptions {
    DetermineOptions { at: at.map(str::to_owned), ..DetermineOptions::default() }
}

fn outcome(d: &accord_controls::Determination, j: &str) -> Outcome {
    d.jurisdictions.iter().find(|a| a.jurisdiction == j).unwrap_or_else(|| panic!("{j} not answered")).outcome
}

async fn parties_are_screened_against_the_real_lists_with_their_listing_dates(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    with_control_list(&app).await;
    assert!(app.ensure_policies(&operator()).await.unwrap(), "the built-in set is stored on first use");
    assert!(!app.ensure_policies(&operator()).await.unwrap(), "and only once");

    // A denied person of the real BIS list, whose order ran from 2017-10-16 until 2020-10-13.
    let sale = |date: &str| {
        tx(json!({"date": date, "origin": "US", "destination": "MX", "end_use": {"category": "civil"},
                  "items": [{"code": null, "description": "laptops"}],
                  "parties": [{"role": "purchaser", "name": "Adrian Manuel Hernandez", "country": "MX", "type": "person"}]}))
    };
    let unscreened = app.determine(&operator(), &sale("2025-12-01"), &opts(None)).await.unwrap();
    assert_eq!(
        outcome(&unscreened, "US"),
        Outcome::LicenceRequired,
        "no list is loaded: the parties could not be checked"
    );
    assert!(unscreened.jurisdictions[0].reasons.iter().any(|r| r.rule == "screening.unavailable" && r.missing_data));

    import_list(&app, "bis/dpl.txt").await;
    let events = app.audit_events(&operator(), 0, 1000).await.unwrap().len();
    let during = app.determine(&operator(), &sale("2019-06-01"), &opts(Some("2025-12-01"))).await.unwrap();
    assert_eq!(outcome(&during, "US"), Outcome::Prohibited, "{:#?}", during.jurisdictions[0].reasons);
    let hit = &during.party_hits[0];
    assert_eq!((hit.list_id.as_str(), hit.in_force), ("us_bis_dpl", true));
    assert_eq!(hit.listed_until.map(|d| d.to_string()).as_deref(), Some("2020-10-13"));
    let reason = during.jurisdictions[0].reasons.iter().find(|r| r.rule == "us.party.denied_person").unwrap();
    assert!(reason.detail.contains("Adrian Manuel Hernandez") && !reason.party_hits.is_empty(), "{}", reason.detail);
    assert!(during.versions.lists.contains("us_bis_dpl@1"), "{:?}", during.versions);
    assert_eq!(during.versions.threshold, Some(accord_screen::DEFAULT_THRESHOLD));

    let partly = app.determine(&operator(), &sale("2025-12-01"), &opts(None)).await.unwrap();
    assert_eq!(outcome(&partly, "US"), Outcome::LicenceRequired, "the SDN and CSL checks could not be made");
    let missing: Vec<&str> =
        partly.jurisdictions[0].reasons.iter().filter(|r| r.missing_data).map(|r| r.rule.as_str()).collect();
    assert_eq!(missing, ["us.party.sdn", "us.party.denied_person_csl", "us.party.entity_list", "us.party.unverified"]);
    import_list(&app, "csl/csl.csv").await;
    import_list(&app, "ofac/sdn.csv").await;
    let after = app.determine(&operator(), &sale("2025-12-01"), &opts(None)).await.unwrap();
    assert_eq!(
        outcome(&after, "US"),
        Outcome::NoLicenceRequired,
        "the denial order expired: {:#?}",
        after.jurisdictions[0].reasons
    );
    assert!(!after.party_hits.is_empty() && !after.party_hits[0].in_force, "the hit is still shown, not in force");
    let events = events + 2;
    assert_eq!(app.audit_events(&operator(), 0, 1000).await.unwrap().len(), events, "determinations change nothing");

    let unknown =
        tx(json!({"date": "2025-12-01", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
                            "items": [{"code": "3A00X"}]}));
    let e = app.determine(&operator(), &unknown, &opts(None)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownControlCode);
    assert!(e.details.unwrap()["nearest"].as_array().unwrap().contains(&json!("3A001")));
    assert_eq!(
        app.determine(&Principal::Anonymous, &sale("2025-12-01"), &opts(None)).await.unwrap_err().code,
        ErrorCode::Unauthenticated
    );
}

async fn a_policy_version_changes_the_answer_from_its_effective_date_and_a_broken_one_is_refused(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    let to_china =
        tx(json!({"date": "2026-02-28", "origin": "DE", "destination": "CN", "end_use": {"category": "civil"},
                             "items": [{"code": "3A001.a.1"}]}));
    let none = app.determine(&operator(), &to_china, &opts(None)).await.unwrap_err();
    assert_eq!(none.code, ErrorCode::NotFound, "no control list yet: {}", none.message);
    with_control_list(&app).await;
    let none = app.determine(&operator(), &to_china, &opts(None)).await.unwrap_err();
    assert!(none.message.contains("no policy set"), "{}", none.message);
    app.ensure_policies(&operator()).await.unwrap();

    // An amendment: China added to EU001's destinations from 2026-03-01.
    let mut files = builtin_policies();
    let sets = files.iter_mut().find(|f| f.name == "data/eu-sets.toml").unwrap();
    sets.text = sets.text.replacen("\"CA\",", "\"CA\", \"CN\",", 1);
    assert!(sets.text.contains("\"CN\","));
    let how = PolicyImport {
        label: Some("2026.1".into()),
        effective_date: Some("2026-03-01".into()),
        rationale: "EU001 extended".into(),
        source: "test".into(),
    };
    let stored = app.import_policies(&operator(), &files, how.clone()).await.unwrap();
    assert_eq!((stored.unchanged, stored.version.seq), (false, 2));
    assert!(app.import_policies(&operator(), &files, how.clone()).await.unwrap().unchanged);
    let undated = PolicyImport { effective_date: None, ..how.clone() };
    assert!(
        app.import_policies(&operator(), &files, undated).await.unwrap().unchanged,
        "the same files, re-read another day"
    );

    let before = app.determine(&operator(), &to_china, &opts(None)).await.unwrap();
    assert_eq!(outcome(&before, "EU"), Outcome::LicenceRequired);
    assert!(before.versions.policies.starts_with("policies-2021-09-09@1"), "{}", before.versions.policies);
    let mut later = to_china.clone();
    later.date = "2026-03-01".into();
    let after = app.determine(&operator(), &later, &opts(None)).await.unwrap();
    assert_eq!(outcome(&after, "EU"), Outcome::GeneralAuthorisation);
    assert_eq!(after.jurisdictions[0].general_authorisations, ["EU001"]);
    assert!(after.versions.policies.starts_with("2026.1@2"), "{}", after.versions.policies);
    let asked_earlier = app.determine(&operator(), &later, &opts(Some("2026-02-01"))).await.unwrap();
    assert_eq!(outcome(&asked_earlier, "EU"), Outcome::LicenceRequired, "--at picks the versions of another day");

    // A broken file: refused with file and line, nothing stored, the version in force still answers.
    let mut broken = files.clone();
    let eu = broken.iter_mut().find(|f| f.name == "eu.toml").unwrap();
    eu.text = eu.text.replacen("\"@eu001_destinations\"", "\"@eu001_destinatons\"", 1);
    let e = app.import_policies(&operator(), &broken, how).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPolicy);
    assert!(e.message.starts_with("eu.toml, line "), "{}", e.message);
    assert_eq!(app.policy_versions().await.unwrap().len(), 2);
    assert_eq!(
        outcome(&app.determine(&operator(), &later, &opts(None)).await.unwrap(), "EU"),
        Outcome::GeneralAuthorisation
    );
    let refused = app.import_policies(&Principal::Anonymous, &files, PolicyImport::default()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Unauthenticated);

    let info = app.policy_version_info(Some("2026-03-01")).await.unwrap();
    assert_eq!(info.version.label, "2026.1");
    assert_eq!(info.policies.len(), 3);
    let report = app.verify_audit(&operator()).await.unwrap();
    assert!(report.ok);
}

accord_testing::on_both_backends!(
    parties_are_screened_against_the_real_lists_with_their_listing_dates,
    a_policy_version_changes_the_answer_from_its_effective_date_and_a_broken_one_is_refused
);
