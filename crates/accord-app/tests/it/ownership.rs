//! Ownership and evasion networks on one node, on SQLite and PostgreSQL: relations recorded between real SDN
//! entities and unlisted companies, the OFAC 50 Percent Rule of the built-in policies concluding from them
//! (aggregate shares, an unknown share, a relation revoked), screening and determinations showing the path, bad
//! input refused; and parties that share a listed party's identifier or street address found by screening.

use crate::support::*;
use accord_app::{DetermineOptions, NewRelation, RelationRevocation};
use accord_core::ErrorCode;
use accord_core::determination::Outcome;
use accord_core::ownership::{OwnershipStatus, PartyRef, RelationKind};
use accord_store::Backend;
use serde_json::json;

/// The real OFAC SDN list in force, and two of its entities (organisations).
async fn sdn(w: &World) -> (PartyRef, PartyRef) {
    let entities = accord_testing::data::import_list(&w.app, "ofac/sdn.csv").await;
    let firms: Vec<PartyRef> = entities
        .iter()
        .filter(|e| e.kind == accord_core::listed::EntityKind::Organization)
        .take(2)
        .map(PartyRef::listed)
        .collect();
    (firms[0].clone(), firms[1].clone())
}

fn firm(name: &str) -> PartyRef {
    PartyRef { list_id: None, entity_id: None, name: name.into(), country: Some("AE".into()) }
}

fn owns(from: &PartyRef, to: &PartyRef, share: Option<f64>) -> NewRelation {
    NewRelation {
        from: from.clone(),
        to: to.clone(),
        kind: RelationKind::Owns,
        share_percent: share,
        valid_from: None,
        valid_until: None,
        source: "commercial registry extract".into(),
    }
}

fn sale(party: &str) -> accord_controls::Transaction {
    serde_json::from_value(json!({"date": accord_core::now().to_string()[..10], "origin": "US", "destination": "AE",
        "end_use": {"category": "civil"}, "items": [{"code": null, "description": "laptops"}],
        "parties": [{"role": "consignee", "name": party, "country": "AE", "type": "organization"}]}))
    .unwrap()
}

fn us(d: &accord_controls::Determination) -> &accord_core::determination::JurisdictionAnswer {
    d.jurisdictions.iter().find(|a| a.jurisdiction == "US").unwrap()
}

async fn shares_of_listed_owners_add_up_and_screening_and_determinations_show_the_path(backend: Backend) {
    let w = world(backend).await;
    let (x, y) = sdn(&w).await;
    let analyst = user(&w.app, "analyst", "a@bis.example", Some("US-BIS"), None).await;
    let gulf = firm("Gulf Horizon Trading FZE");
    let r1 = w.app.record_relation(&analyst, owns(&x, &gulf, Some(30.0))).await.unwrap();
    let r2 = w.app.record_relation(&analyst, owns(&y, &gulf, Some(25.0))).await.unwrap();
    assert_eq!((r1.version, r1.authority_id.as_str()), (1, "US-BIS"));

    let report = w.app.ownership(&analyst, None).await.unwrap();
    let covered: Vec<_> = report.findings.iter().filter(|f| f.rule_id == "us.ofac_50_percent").collect();
    assert_eq!(covered.len(), 1, "{:#?}", report.findings);
    let f = covered[0];
    assert_eq!(
        (f.party.name.as_str(), f.status, f.percent),
        ("Gulf Horizon Trading FZE", OwnershipStatus::Covered, 55.0)
    );
    assert!(f.explanation.contains(&format!("30 % by {} (us_ofac_sdn) + 25 % by", x.name)), "{}", f.explanation);
    assert!(f.explanation.contains("= 55 % ≥ 50 %") && f.explanation.contains("blocked"), "{}", f.explanation);
    assert_eq!(f.relations, {
        let mut ids = vec![r1.id.clone(), r2.id.clone()];
        ids.sort();
        ids
    });
    assert!(f.unverified.is_some() && f.citation.contains("FAQ 401"));
    assert!(
        report.not_applying.iter().any(|n| n.starts_with("us.bis_affiliates"))
            || report.day >= jiff::civil::date(2026, 11, 10),
        "the Affiliates rule is suspended until 9 November 2026: {:?}",
        report.not_applying
    );
    let suspended = w.app.ownership(&analyst, Some(jiff::civil::date(2026, 6, 1))).await.unwrap();
    assert!(suspended.not_applying.iter().any(|n| n.contains("suspended from 2025-11-10 through 2026-11-09")));

    // Screening the unlisted company: no list hit, but owned by listed parties, with the path.
    let q = accord_app::ScreenQuery {
        name: "Gulf Horizon Trading FZE".into(),
        r#type: None,
        country: Some("AE".into()),
        ..accord_app::ScreenQuery::default()
    };
    let screened =
        w.app.screen(&w.exporter, std::slice::from_ref(&q), 5, accord_screen::DEFAULT_THRESHOLD).await.unwrap();
    let hit = &screened[0].ownership[0];
    assert_eq!((hit.finding.status, hit.finding.rule_id.as_str()), (OwnershipStatus::Covered, "us.ofac_50_percent"));
    assert!(hit.score > 0.99 && hit.finding.listed_owners.len() == 2);

    // A determination for a sale to it: prohibited in the US, by the rule that reads the ownership conclusions.
    let d =
        w.app.determine(&operator(), &sale("Gulf Horizon Trading FZE"), &DetermineOptions::default()).await.unwrap();
    assert_eq!(us(&d).outcome, Outcome::Prohibited, "{:#?}", us(&d).reasons);
    let reason = us(&d).reasons.iter().find(|r| r.rule == "us.party.ofac_owned").unwrap();
    assert!(!reason.party_hits.is_empty());
    let owned_hit = &d.party_hits[reason.party_hits[0]];
    assert_eq!(owned_hit.list_id, "ownership");
    assert!(owned_hit.programs[0].contains("= 55 %"), "{:?}", owned_hit.programs);

    // One owner's share revoked: 30 % is not enough; the sale is no longer blocked by ownership.
    let revoked = w
        .app
        .revoke_relation(&analyst, &r2.id, RelationRevocation { reason: "divested, registry of 2026-03-02".into() })
        .await
        .unwrap();
    assert_eq!((revoked.version, revoked.revoked_because.as_deref()), (2, Some("divested, registry of 2026-03-02")));
    let again = w.app.revoke_relation(&analyst, &r2.id, RelationRevocation { reason: "twice".into() }).await;
    assert_eq!(again.unwrap_err().code, ErrorCode::Conflict);
    let screened =
        w.app.screen(&w.exporter, std::slice::from_ref(&q), 5, accord_screen::DEFAULT_THRESHOLD).await.unwrap();
    assert!(screened[0].ownership.is_empty(), "{:?}", screened[0].ownership);
    let d =
        w.app.determine(&operator(), &sale("Gulf Horizon Trading FZE"), &DetermineOptions::default()).await.unwrap();
    assert!(us(&d).reasons.iter().all(|r| r.rule != "us.party.ofac_owned"));

    // An owner's share unknown: undetermined, the missing share named, a licence assumed required.
    let delta = firm("Delta Marine Holdings LLC");
    w.app.record_relation(&analyst, owns(&x, &delta, Some(20.0))).await.unwrap();
    w.app.record_relation(&analyst, owns(&y, &delta, None)).await.unwrap();
    let report = w.app.ownership(&analyst, None).await.unwrap();
    let f = report.findings.iter().find(|f| f.party.name == "Delta Marine Holdings LLC").unwrap();
    assert_eq!((f.status, f.percent), (OwnershipStatus::Undetermined, 20.0));
    assert_eq!(f.missing, [format!("the share of Delta Marine Holdings LLC owned by {} (us_ofac_sdn)", y.name)]);
    let d =
        w.app.determine(&operator(), &sale("Delta Marine Holdings LLC"), &DetermineOptions::default()).await.unwrap();
    let reason = us(&d).reasons.iter().find(|r| r.rule == "us.party.ownership_undetermined").unwrap();
    assert!(reason.missing_data);
    assert_eq!(us(&d).outcome, Outcome::LicenceRequired);
}

async fn bad_relations_are_refused_with_a_precise_error_and_nothing_is_kept(backend: Backend) {
    let w = world(backend).await;
    let (x, _) = sdn(&w).await;
    let officer = &w.officer_us;
    let a = firm("Alpha Trading LLC");
    let cases: Vec<(NewRelation, ErrorCode, &str)> = vec![
        (owns(&x, &a, Some(120.0)), ErrorCode::ValidationFailed, "share_percent"),
        (owns(&x, &a, Some(0.0)), ErrorCode::ValidationFailed, "share_percent"),
        (owns(&a, &a, Some(10.0)), ErrorCode::ValidationFailed, "itself"),
        (
            NewRelation { kind: RelationKind::Controls, ..owns(&x, &a, Some(10.0)) },
            ErrorCode::ValidationFailed,
            "only an ownership",
        ),
        (
            NewRelation { valid_from: Some("2026-13-01".into()), ..owns(&x, &a, None) },
            ErrorCode::ValidationFailed,
            "valid_from",
        ),
        (
            NewRelation {
                valid_from: Some("2026-05-01".into()),
                valid_until: Some("2026-04-01".into()),
                ..owns(&x, &a, None)
            },
            ErrorCode::ValidationFailed,
            "ends after it begins",
        ),
        (
            owns(&PartyRef { entity_id: Some("no-such-entity".into()), ..x.clone() }, &a, Some(10.0)),
            ErrorCode::NotFound,
            "no-such-entity",
        ),
        (owns(&PartyRef { name: " ".into(), ..firm("") }, &a, None), ErrorCode::ValidationFailed, "from.name"),
        (owns(&x, &a, Some(10.0)).with_source("\u{0007}bell"), ErrorCode::ValidationFailed, "source"),
        (
            owns(&x, &PartyRef { country: Some("Panama".into()), ..a.clone() }, Some(10.0)),
            ErrorCode::ValidationFailed,
            "to.country",
        ),
    ];
    for (input, code, says) in cases {
        let e = w.app.record_relation(officer, input).await.unwrap_err();
        assert_eq!(e.code, code, "{}", e.message);
        assert!(
            e.message.contains(says) || e.details.as_ref().is_some_and(|d| d.to_string().contains(says)),
            "{says}: {}",
            e.message
        );
    }
    w.app.record_relation(officer, owns(&x, &a, Some(40.0))).await.unwrap();
    // Sent twice: the second is refused, naming the first.
    let twice = w.app.record_relation(officer, owns(&x, &a, Some(40.0))).await.unwrap_err();
    assert_eq!(twice.code, ErrorCode::Conflict);
    assert!(twice.message.contains("already recorded as rel_"), "{}", twice.message);
    // A new share of the same owner replaces the old one (40 % is not added to 60 %).
    w.app.record_relation(officer, owns(&x, &a, Some(60.0))).await.unwrap();
    let report = w.app.ownership(officer, None).await.unwrap();
    let f = report.findings.iter().find(|f| f.party.name == "Alpha Trading LLC").unwrap();
    assert_eq!(f.percent, 60.0, "{}", f.explanation);
    let over = w.app.record_relation(officer, owns(&firm("Other Holder"), &a, Some(45.0))).await.unwrap_err();
    assert_eq!(over.code, ErrorCode::Conflict, "{}", over.message);
    assert!(over.message.contains("105 %"), "{}", over.message);
    let e = w.app.record_relation(&w.exporter, owns(&x, &a, Some(1.0))).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Forbidden);
    assert_eq!(w.app.relations(&w.exporter).await.unwrap_err().code, ErrorCode::Forbidden);
    let e = w
        .app
        .revoke_relation(
            &w.officer_de,
            &w.app.relations(officer).await.unwrap()[0].id,
            RelationRevocation { reason: "not ours".into() },
        )
        .await;
    assert_eq!(e.unwrap_err().code, ErrorCode::NotFound, "another authority's relation");
    assert_eq!(w.app.relations(officer).await.unwrap().len(), 2, "only the good ones were kept");
}

async fn a_party_sharing_a_listed_partys_identifier_or_street_address_is_connected_whatever_its_name(backend: Backend) {
    let w = world(backend).await;
    accord_testing::data::import_list(&w.app, "ofac/sdn.csv").await;
    let dpl = accord_testing::data::import_list(&w.app, "bis/dpl.txt").await;
    // A real SDN firm's registration number, and a real DPL party's street address.
    let (listed, number) = ("IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY", "26740");
    let (dpl_name, address) = street_address(&dpl);
    let query = |name: &str, identifiers: Vec<String>, address: Option<String>| accord_app::ScreenQuery {
        name: name.into(),
        identifiers,
        address,
        ..accord_app::ScreenQuery::default()
    };
    let queries = [
        query("Sahand Aviation Parts Co", vec![format!("No. {number}")], None),
        query("Quiet Harbour Logistics", vec![], Some(format!("Suite 9, {address}"))),
        query("Quiet Harbour Logistics", vec!["99999999".into()], Some("Main Street, Springfield".into())),
        // A company an SDN entry says its listed person is linked to, though it is not listed itself.
        query("Bosque de Santa Teresita Ltda.", vec![], None),
    ];
    let results = w.app.screen(&w.exporter, &queries, 5, accord_screen::DEFAULT_THRESHOLD).await.unwrap();
    assert!(results[0].hits.is_empty(), "the name is not listed");
    let c = &results[0].connections[0];
    assert_eq!(c.explanation, format!("shares the Registration Number {number} with {listed} (us_ofac_sdn)"));
    let c = &results[1].connections[0];
    assert_eq!(c.shared, accord_screen::network::SharedAttribute::Address);
    assert!(c.explanation.contains(&dpl_name), "{}", c.explanation);
    assert!(results[2].connections.is_empty(), "{:?}", results[2].connections);
    let c = &results[3].connections[0];
    assert_eq!(c.shared, accord_screen::network::SharedAttribute::LinkedName);
    assert!(
        c.explanation.starts_with("SAAVEDRA ARCE, Rodrigo Eugenio (us_ofac_sdn) is listed as linked to"),
        "{}",
        c.explanation
    );
    // More than 20 identifiers, or a control character, are refused naming the query and the field.
    let e = w.app.screen(&w.exporter, &[query("X", vec!["123456".into(); 21], None)], 5, 0.8).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::ValidationFailed);
    assert!(e.message.contains("identifiers"), "{}", e.message);
    let e =
        w.app.screen(&w.exporter, &[query("X", vec![], Some("1 Main\u{0007}St".into()))], 5, 0.8).await.unwrap_err();
    assert!(e.message.contains("address"), "{}", e.message);
}

trait WithSource {
    fn with_source(self, source: &str) -> Self;
}

impl WithSource for NewRelation {
    fn with_source(self, source: &str) -> Self {
        NewRelation { source: source.into(), ..self }
    }
}

accord_testing::on_both_backends!(
    a_party_sharing_a_listed_partys_identifier_or_street_address_is_connected_whatever_its_name,
    shares_of_listed_owners_add_up_and_screening_and_determinations_show_the_path,
    bad_relations_are_refused_with_a_precise_error_and_nothing_is_kept,
);
