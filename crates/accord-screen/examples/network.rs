//! Speed and memory of the evasion network and the ownership rules on every list.
//!
//! Loads every list in the shared data folder, builds the name index and the network of shared attributes
//! (identifiers and telephone numbers read from the remarks, street addresses), then applies the OFAC 50 Percent
//! Rule to a generated ownership graph (firms owned in chains and in aggregate by real SDN entities), and screens
//! the development set's names the way a node answers one party: the name index, the index of the ownership
//! conclusions' parties, and the network (an identifier and an address per query, and the names listed parties
//! are linked to). Prints build times,
//! memory, and the latency of the whole per-party answer.
//!
//! Usage: `cargo run --release -p accord-screen --example network [-- DATA_DIR]` (`FIRMS=n`, default 10,000).

mod common;

use accord_core::listed::{EntityKind, ListedEntity};
use accord_core::ownership::{ControlEffect, OwnershipRule, PartyRef, Relation, RelationKind};
use accord_screen::network::{Attributes, Network};
use accord_screen::{DEFAULT_THRESHOLD, Index, Query};
use common::{Rng, data_dir, peak_rss_mb, rss_mb};
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = data_dir();
    let mut entities: Vec<ListedEntity> = Vec::new();
    for rel in ["ofac/sdn.csv", "ofac/cons_prim.csv", "un/UN_consolidated.xml", "eu", "bis/dpl.txt", "csl/csl.csv"] {
        entities.extend(accord_lists::read(&data.join(rel), None, false)?.entities);
    }
    println!("{} listed entities", entities.len());
    let index = Index::build(&entities, None);
    let before = rss_mb();
    let started = Instant::now();
    let network = Network::build(&entities);
    let (ids, phones, addresses) = network.size();
    println!(
        "network of shared attributes: {ids} identifiers, {phones} telephone numbers, {addresses} street addresses, \
         {} linked names; built in {:.0} ms, {:.1} MB",
        network.linked_names(),
        started.elapsed().as_secs_f64() * 1e3,
        rss_mb() - before
    );

    // A generated graph: FIRMS firms, each owned by two to four owners among the SDN organisations and the firms
    // made before it (chains), shares adding up to at most 100 %.
    let firms: usize = std::env::var("FIRMS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let sdn: Vec<PartyRef> = entities
        .iter()
        .filter(|e| e.list_id == "us_ofac_sdn" && e.kind == EntityKind::Organization)
        .map(PartyRef::listed)
        .collect();
    let firm = |i: usize| PartyRef {
        list_id: None,
        entity_id: None,
        name: format!("Generated Holding {i} Ltd"),
        country: Some("AE".into()),
    };
    let mut rng = Rng(7);
    let mut relations = Vec::new();
    for i in 0..firms {
        let owners = 2 + rng.below(3) as usize;
        let mut left = 100.0;
        for _ in 0..owners {
            let share = (5 + rng.below(40)) as f64;
            if share > left {
                break;
            }
            left -= share;
            let from = if i > 0 && rng.below(2) == 0 {
                firm(rng.below(i as u64) as usize)
            } else {
                sdn[rng.below(sdn.len() as u64) as usize].clone()
            };
            relations.push(Relation {
                id: format!("rel_{}", relations.len()),
                authority_id: "US-BIS".into(),
                version: 1,
                from,
                to: firm(i),
                kind: RelationKind::Owns,
                share_percent: Some(share),
                valid_from: None,
                valid_until: None,
                source: "generated".into(),
                recorded_by: "bench".into(),
                recorded_at: accord_core::now(),
                revoked_at: None,
                revoked_because: None,
            });
        }
    }
    let rule = OwnershipRule {
        id: "us.ofac_50_percent".into(),
        jurisdiction: "US".into(),
        effect: "blocked".into(),
        owner_lists: vec!["us_ofac_sdn".into()],
        owner_id_prefixes: vec![],
        threshold_percent: 50.0,
        at_least: true,
        aggregate: true,
        control: ControlEffect::Ignored,
        in_force_from: None,
        suspensions: vec![],
        citation: "OFAC FAQ 401".into(),
        unverified: None,
    };
    let started = Instant::now();
    let findings = accord_screen::ownership::apply(&rule, jiff::civil::date(2026, 12, 1), &sdn, &relations);
    let applied = started.elapsed();
    let conclusions: Vec<ListedEntity> = findings
        .iter()
        .enumerate()
        .map(|(i, f)| ListedEntity::new("ownership", &i.to_string(), EntityKind::Organization, &f.party.name))
        .collect();
    let owned_index = Index::build(&conclusions, None);
    println!(
        "ownership: {} relations among {firms} firms and {} SDN organisations → {} firms covered; applied in {:.0} ms, \
         their names indexed in {:.0} ms",
        relations.len(),
        sdn.len(),
        findings.len(),
        applied.as_secs_f64() * 1e3,
        (started.elapsed() - applied).as_secs_f64() * 1e3
    );

    // One party's answer, as a node gives it: the lists, the ownership conclusions, the network.
    let mut reader = csv::Reader::from_path(data.join("screening-dev/queries.csv"))?;
    let names: Vec<String> =
        reader.records().filter_map(|r| r.ok()?.get(0).map(str::to_owned)).filter(|n| !n.trim().is_empty()).collect();
    let mut latencies = Vec::with_capacity(names.len());
    let mut connected = 0;
    for (i, name) in names.iter().enumerate() {
        let query = Query { name: name.clone(), kind: None, country: None, birth_year: None };
        let party = Attributes {
            identifiers: vec![format!("Reg. no. {}", 10_000 + i)],
            addresses: vec![format!("{} Generated Street, Dubai", i)],
            phones: vec![],
        };
        let started = Instant::now();
        let hits = index.screen(&query, 10, DEFAULT_THRESHOLD)?;
        let owned = owned_index.screen(&query, 10, DEFAULT_THRESHOLD)?;
        let mut links = network.connections(&party);
        links.extend(network.linked_to(&query, DEFAULT_THRESHOLD)?);
        latencies.push(started.elapsed());
        connected += usize::from(!links.is_empty());
        std::hint::black_box((hits, owned));
    }
    latencies.sort();
    println!(
        "per party (names of screening-dev, one thread): p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs over {} parties \
         ({connected} connected by the generated identifiers and addresses)",
        percentile(&latencies, 0.5).as_secs_f64() * 1e6,
        percentile(&latencies, 0.99).as_secs_f64() * 1e6,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e6),
        latencies.len()
    );
    println!("peak RSS {:.0} MB", peak_rss_mb());
    Ok(())
}
