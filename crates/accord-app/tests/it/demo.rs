//! The demo coalition, on SQLite and PostgreSQL: one call seeds authorities, exporters of every size, officials,
//! cases in every state, an ally's denial with an open consultation, and people who can sign in; a node with an
//! administrator already is refused.

use accord_app::{App, DEMO_PASSWORD};
use accord_core::ErrorCode;
use accord_core::cases::CaseStatus;
use accord_core::denials::ConsultationStatus;
use accord_store::Backend;
use accord_testing::{TestDb, operator};
use std::collections::BTreeSet;
use std::sync::Arc;

async fn the_demo_seeds_a_coalition_with_cases_in_every_state(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    let list = accord_app::demo_control_list("2021-01-01").unwrap();
    let report = app.seed_demo(&list).await.unwrap();
    let op = operator();

    assert_eq!(app.authorities().await.unwrap().len(), 3);
    let sizes: BTreeSet<String> =
        app.organisations(&op).await.unwrap().iter().map(|o| o.size_class.as_str().to_owned()).collect();
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), ["large", "medium", "micro", "small"]);
    let statuses: BTreeSet<&str> = app.cases(&op).await.unwrap().iter().map(|c| c.status.as_str()).collect();
    for s in [
        CaseStatus::Open,
        CaseStatus::AwaitingCountersignature,
        CaseStatus::Approved,
        CaseStatus::Refused,
        CaseStatus::Returned,
    ] {
        assert!(statuses.contains(s.as_str()), "a case {s:?}: {statuses:?}");
    }
    assert_eq!(report.cases.len(), 6);
    // The queue a page at a time: the same cases in the same order as the whole list.
    let (first, total) = app.cases_page(&op, 1, 4).await.unwrap();
    let (second, _) = app.cases_page(&op, 2, 4).await.unwrap();
    assert_eq!((first.len(), second.len(), total), (4, 2, 6));
    let paged: Vec<_> = first.iter().chain(&second).map(|c| c.id.clone()).collect();
    let whole: Vec<_> = app.cases(&op).await.unwrap().iter().map(|c| c.id.clone()).collect();
    assert_eq!(paged, whole);
    assert!(app.cases_page(&op, 3, 4).await.unwrap().0.is_empty(), "past the last page");
    assert_eq!(app.licences(&op).await.unwrap().len(), 1, "the approval issued its licence");
    let denials = app.denials(&op, None).await.unwrap();
    let by: BTreeSet<&str> = denials.iter().map(|d| d.denial.authority_id.as_str()).collect();
    assert_eq!(by.into_iter().collect::<Vec<_>>(), ["DE-BAFA", "FR-SBDU"], "SBDU's denial and BAFA's refusal");
    let consultations = app.consultations(&op).await.unwrap();
    assert_eq!(consultations.len(), 1);
    assert_eq!(consultations[0].status, ConsultationStatus::Open);
    assert!(app.applications(&op).await.unwrap().iter().any(|a| a.submitted_at.is_none()), "a draft");

    // Everyone listed signs in with the demo password, and sees what their role allows.
    assert!(report.people.len() >= 11, "{:?}", report.people);
    for person in &report.people {
        let signed =
            app.sign_in(&person.email, DEMO_PASSWORD, None).await.unwrap_or_else(|e| panic!("{}: {e}", person.email));
        assert_eq!(signed.user.role.as_str(), person.role);
    }
    assert!(app.verify_audit(&op).await.unwrap().ok, "the demo is recorded in the audit trail like real work");
    let again = app.seed_demo(&list).await.unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyBootstrapped, "a node with records is never seeded");
}

async fn the_demo_shows_an_ownership_rule_at_work_when_the_sdn_list_is_at_hand(backend: Backend) {
    let (_db, store) = TestDb::store(backend).await;
    let app = App::new(Arc::new(store));
    app.seed_demo(&accord_app::demo_control_list("2021-01-01").unwrap()).await.unwrap();
    app.ensure_policies(&operator()).await.unwrap();
    let parsed = accord_lists::read(&accord_testing::data::shared("ofac/sdn.csv"), None, false).unwrap();
    let import = accord_testing::data::list_import(parsed, "ofac/sdn.csv");
    let firm = app.seed_demo_ownership(import).await.unwrap();
    let report = app.ownership(&operator(), None).await.unwrap();
    let f = report.findings.iter().find(|f| f.party.name == firm).expect("the demo firm is concluded about");
    assert!(f.explanation.contains("owned 60 %") && f.rule_id == "us.ofac_50_percent", "{}", f.explanation);
}

accord_testing::on_both_backends!(
    the_demo_seeds_a_coalition_with_cases_in_every_state,
    the_demo_shows_an_ownership_rule_at_work_when_the_sdn_list_is_at_hand,
);
