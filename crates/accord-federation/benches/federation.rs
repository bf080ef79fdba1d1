//! Federation figures on this machine, nodes in one process talking HTTP over loopback:
//! - propagation: a denial recorded at A until it is readable at B and at C (p50, p99; notification-driven pulls);
//! - catch-up: a node that joins late pulls a backlog of envelopes (envelopes/s).
//!
//! Run with `cargo bench -p accord-federation` (DENIALS=200 BACKLOG=10000 to change the sizes; BACKEND=postgres).

use accord_core::denials::NewDenial;
use accord_store::Backend;
use accord_testing::nodes::{connect, node, operator, replicate};
use std::time::{Duration, Instant};

fn denial(i: usize) -> NewDenial {
    serde_json::from_value(serde_json::json!({
        "reference": format!("DE-{i}"), "control_codes": ["3A001.a"], "item_description": "radar ICs",
        "destination": "CN", "end_use": "military radar", "refusal_criteria": ["criterion 7"],
        "parties": [{"role": "consignee", "name": format!("Front Company {i} Ltd"), "country": "CN"}]
    }))
    .expect("a denial")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let backend = match std::env::var("BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let (denials, backlog) = (env("DENIALS", 200), env("BACKLOG", 10_000));
    let (a, b, c) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &c]).await;
    let tasks = [replicate(&a), replicate(&b), replicate(&c)];

    let mut latencies = Vec::with_capacity(denials * 2);
    for i in 0..denials {
        let started = Instant::now();
        let id = a.app.create_denial(&a.officer, denial(i)).await.expect("recorded").id.to_string();
        let mut pending = vec![&b, &c];
        while !pending.is_empty() {
            let mut still = Vec::new();
            for n in pending {
                if n.app.denial(&n.officer, &id).await.is_ok() {
                    latencies.push(started.elapsed());
                } else {
                    still.push(n);
                }
            }
            pending = still;
            assert!(started.elapsed() < Duration::from_secs(30), "denial {i} did not propagate");
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    }
    latencies.sort();
    println!("federation benchmark on {backend:?}: 3 nodes in one process, HTTP over loopback, 2 cores shared");
    println!(
        "propagation of {denials} denials A -> B and C (notification, then pull): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal p99 < 1000 ms)",
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
    );
    for t in tasks {
        t.abort();
    }

    // A backlog at A; a new node D joins and catches up.
    let fill = Instant::now();
    for i in denials..denials + backlog {
        a.app.create_denial(&a.officer, denial(i)).await.expect("recorded");
    }
    let head = a.app.federation_status(&operator()).await.expect("status").outbox_head;
    eprintln!("backlog of {head} envelopes written in {:.1} s", fill.elapsed().as_secs_f64());
    let d = node(backend, "BE-FPS", "BE").await;
    d.app.add_peer(&operator(), &a.authority, &a.url, &a.key.public_base64()).await.expect("peer");
    a.app.add_peer(&operator(), &d.authority, &d.url, &d.key.public_base64()).await.expect("peer");
    let peer = d.app.peers().await.expect("peers").remove(0);
    let started = Instant::now();
    let applied = accord_federation::pull(&d.app, &peer).await.expect("catch-up");
    let took = started.elapsed().as_secs_f64();
    assert_eq!(applied as i64, head, "every envelope applied once");
    println!(
        "catch-up of {applied} envelopes by a new node: {took:.2} s, {:.0} envelopes/s (goal >= 5000/s)",
        applied as f64 / took
    );
}
