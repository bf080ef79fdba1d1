//! Replication between allied nodes. Each node pulls every peer's outbox (`GET /federation/v1/outbox?after=N`) on
//! an interval and at once when the peer notifies it (`POST /federation/v1/notify`, a hint that carries no data);
//! requests are signed with the node key. Envelopes are applied by the application service, once per (sender,
//! sequence) and in order, so a node that was down catches up with nothing lost and nothing applied twice.

use accord_app::App;
use accord_core::federation::{Envelope, Peer};
use serde::Deserialize;
use std::time::Duration;

/// Envelopes asked for per request.
pub const PAGE: i64 = 1000;

/// Most bytes read of one page; a page that is larger is asked for again in smaller pages.
pub const MAX_PAGE_BYTES: u64 = 16 * 1024 * 1024;

/// Default time between two pulls of every peer.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct Page {
    envelopes: Vec<Envelope>,
    head: i64,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        // A peer that redirects is not followed: requests are signed for the peer's own node and path.
        .max_redirects(0)
        .build()
        .into()
}

/// Why a call to a peer failed.
enum CallError {
    /// The body was larger than the limit.
    TooLarge,
    /// Anything else, in words.
    Other(String),
}

impl From<String> for CallError {
    fn from(e: String) -> Self {
        CallError::Other(e)
    }
}

impl From<CallError> for String {
    fn from(e: CallError) -> Self {
        match e {
            CallError::TooLarge => format!("the answer is larger than {MAX_PAGE_BYTES} bytes"),
            CallError::Other(m) => m,
        }
    }
}

/// Sends a signed request to a peer; returns the status and the body.
async fn call(app: &App, method: &'static str, peer: &Peer, path: String) -> Result<(u16, String), CallError> {
    let headers =
        app.sign_request(&peer.authority_id, method, &path).ok_or("this node has no federation identity".to_owned())?;
    let url = format!("{}{path}", peer.url);
    tokio::task::spawn_blocking(move || {
        let agent = agent();
        let mut response = match method {
            "POST" => {
                let mut r = agent.post(&url);
                for (k, v) in &headers {
                    r = r.header(*k, v);
                }
                r.send_empty()
            }
            _ => {
                let mut r = agent.get(&url);
                for (k, v) in &headers {
                    r = r.header(*k, v);
                }
                r.call()
            }
        }
        .map_err(|e| format!("{url}: {e}"))?;
        let status = response.status().as_u16();
        let body = response.body_mut().with_config().limit(MAX_PAGE_BYTES).read_to_string().map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => CallError::TooLarge,
            e => CallError::Other(format!("{url}: {e}")),
        })?;
        Ok((status, body))
    })
    .await
    .map_err(|e| CallError::Other(format!("the request task failed: {e}")))?
}

/// Pulls one peer until this node has everything it serves (or an envelope is rejected other than by quarantine);
/// returns how many envelopes were applied.
pub async fn pull(app: &App, peer: &Peer) -> Result<usize, String> {
    pull_pages(app, peer, PAGE).await
}

/// [`pull`] with pages of `page` envelopes.
pub async fn pull_pages(app: &App, peer: &Peer, page: i64) -> Result<usize, String> {
    let mut applied = 0;
    let mut last = peer.last_seq;
    let mut limit = page.clamp(1, PAGE);
    loop {
        let path = format!("/federation/v1/outbox?after={last}&limit={limit}");
        let outcome = async {
            let (status, body) = match call(app, "GET", peer, path).await {
                // A page over the byte limit is asked for again in halves, down to one envelope.
                Err(CallError::TooLarge) if limit > 1 => return Ok(None),
                other => other?,
            };
            if status != 200 {
                return Err(format!(
                    "{} answered HTTP {status}: {}",
                    peer.url,
                    body.chars().take(300).collect::<String>()
                ));
            }
            let page =
                serde_json::from_str::<Page>(&body).map_err(|e| format!("{} sent a malformed page: {e}", peer.url))?;
            if page.envelopes.len() as i64 > limit {
                return Err(format!(
                    "{} served {} envelopes, more than the {limit} asked for",
                    peer.url,
                    page.envelopes.len()
                ));
            }
            Ok(Some(page))
        }
        .await;
        let page = match outcome {
            Ok(Some(p)) => p,
            Ok(None) => {
                limit = (limit / 2).max(1);
                continue;
            }
            Err(e) => {
                let _ = app.record_pull(&peer.authority_id, Some(&e), None).await;
                return Err(e);
            }
        };
        if page.envelopes.is_empty() {
            let _ = app.record_pull(&peer.authority_id, None, Some(page.head)).await;
            return Ok(applied);
        }
        let report = match app.receive(&peer.authority_id, &page.envelopes).await {
            Ok(r) => r,
            Err(e) => {
                let message = e.to_string();
                let _ = app.record_pull(&peer.authority_id, Some(&message), Some(page.head)).await;
                return Err(message);
            }
        };
        applied += report.applied;
        // A quarantined envelope is skipped alone (its alert is raised by `receive`); only other rejections stop.
        let stopped =
            report.rejected.iter().find(|r| r.reason != accord_core::federation::Rejection::Replayed && !r.quarantined);
        if let Some(r) = stopped {
            let message = format!("envelope {} rejected ({}): {}", r.seq, r.reason.as_str(), r.message);
            let _ = app.record_pull(&peer.authority_id, Some(&message), Some(page.head)).await;
            return Err(message);
        }
        if report.last_seq <= last || report.last_seq >= page.head {
            let _ = app.record_pull(&peer.authority_id, None, Some(page.head)).await;
            return Ok(applied);
        }
        last = report.last_seq;
    }
}

/// The signed audit checkpoints of this node that `peer` holds (what it received from this node).
pub async fn peer_checkpoints(app: &App, peer: &Peer) -> Result<Vec<accord_core::audit::Checkpoint>, String> {
    let (status, body) = call(app, "GET", peer, "/federation/v1/checkpoints".into()).await?;
    if status != 200 {
        return Err(format!("{} answered HTTP {status}: {}", peer.url, body.chars().take(300).collect::<String>()));
    }
    serde_json::from_str(&body).map_err(|e| format!("{} sent malformed checkpoints: {e}", peer.url))
}

/// Pulls every registered peer once.
pub async fn pull_all(app: &App) {
    let peers = match app.peers().await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the peers");
            return;
        }
    };
    for peer in peers {
        match pull(app, &peer).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(peer = %peer.authority_id, applied = n, "envelopes applied"),
            Err(e) => tracing::warn!(peer = %peer.authority_id, error = %e, "pull failed"),
        }
    }
}

/// Tells every peer that this node published something (they pull at once); failures only delay them until their
/// next interval.
pub async fn notify_all(app: &App) {
    let Ok(peers) = app.peers().await else { return };
    let calls = peers.iter().map(|peer| async move {
        if let Err(e) = call(app, "POST", peer, "/federation/v1/notify".into()).await {
            tracing::debug!(peer = %peer.authority_id, error = %String::from(e), "notify failed");
        }
    });
    for c in calls {
        c.await;
    }
}

/// Runs replication until `shutdown` resolves: pull every peer on the interval and whenever a peer notifies; tell
/// the peers whenever this node publishes.
pub async fn run(app: App, interval: Duration, shutdown: impl std::future::Future<Output = ()> + Send) {
    let Some(f) = app.federation().cloned() else { return };
    let notifier = {
        let (app, f) = (app.clone(), f.clone());
        tokio::spawn(async move {
            loop {
                f.published.notified().await;
                notify_all(&app).await;
            }
        })
    };
    tokio::pin!(shutdown);
    loop {
        pull_all(&app).await;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = f.pull_now.notified() => {}
            _ = &mut shutdown => break,
        }
    }
    notifier.abort();
}
