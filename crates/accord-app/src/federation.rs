//! Federation: this node's identity and key, its peers, the outbox it serves, and the checks and application of
//! envelopes pulled from peers. Each envelope is applied once per (sender, sequence), in sequence order, in the same
//! transaction as the objects it carries. An envelope whose content is at fault (not a valid object, or an object of
//! another authority) is quarantined alone with an alert and replication goes on; any other rejection is logged with
//! its reason and nothing after it is applied.

use crate::authz::{Action, require};
use crate::{App, event, to_json};
use accord_core::audit::EventKind;
use accord_core::denials::{
    ApprovalNotice, Consultation, ConsultationAnswer, Denial, Endorsement, RiskAssessment, SharedVerification,
};
use accord_core::federation::{
    Envelope, Identity, MAX_PAYLOAD_BYTES, NodeKey, Peer, PeerKey, PublicKey, Rejection, RejectionRecord, WITHHELD,
    check_origin,
};
use accord_core::ids::AuthorityId;
use accord_core::principal::Principal;
use accord_core::shared::{Shared, SharedKind};
use accord_core::{Error, ErrorCode, Result};
use accord_store::{Mutation, NewEvent};
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use utoipa::ToSchema;

/// Most envelopes served or applied in one batch.
pub const MAX_ENVELOPES: i64 = 1000;

/// Default allowed clock skew of a peer's envelopes and requests.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

/// What a node needs to take part in the federation.
#[derive(Debug)]
pub struct Federation {
    /// The authority this node speaks for.
    pub authority_id: String,
    /// Its signing key.
    pub key: Arc<NodeKey>,
    /// How far in the future a peer's timestamps may be.
    pub max_skew: Duration,
    /// Calendar days a consulted authority has to answer.
    pub consultation_days: i64,
    /// Woken whenever this node publishes, so the peers can be told at once.
    pub published: tokio::sync::Notify,
    /// Woken when a peer says it has something new, so this node pulls at once.
    pub pull_now: tokio::sync::Notify,
    /// Signed requests each peer may make per second, on average.
    pub peer_rate: f64,
    /// Signed requests a peer may make at once before its rate applies.
    pub peer_burst: f64,
    /// Per peer: the requests it may still make, and when that was counted.
    pub buckets: std::sync::Mutex<std::collections::HashMap<String, (f64, std::time::Instant)>>,
}

impl Federation {
    /// A federation set-up with the defaults (5 minutes of clock skew, 30 days to answer a consultation).
    pub fn new(authority_id: &str, key: NodeKey) -> Federation {
        Federation {
            authority_id: authority_id.to_owned(),
            key: Arc::new(key),
            max_skew: DEFAULT_MAX_SKEW,
            consultation_days: 30,
            published: tokio::sync::Notify::new(),
            pull_now: tokio::sync::Notify::new(),
            peer_rate: DEFAULT_PEER_RATE,
            peer_burst: DEFAULT_PEER_BURST,
            buckets: std::sync::Mutex::default(),
        }
    }

    /// Takes one request from `peer`'s allowance (a token bucket); when it is spent, the seconds until the next
    /// request is allowed.
    pub fn take_request(&self, peer: &str) -> std::result::Result<(), u64> {
        let now = std::time::Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, at) = buckets.entry(peer.to_owned()).or_insert((self.peer_burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.peer_rate).min(self.peer_burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - *tokens) / self.peer_rate.max(f64::MIN_POSITIVE);
            Err(wait.ceil().clamp(1.0, 3600.0) as u64)
        }
    }
}

/// Default average rate of a peer's signed requests, per second.
pub const DEFAULT_PEER_RATE: f64 = 20.0;

/// Default burst of a peer's signed requests.
pub const DEFAULT_PEER_BURST: f64 = 100.0;

/// The headers of a signed peer request.
pub const REQUEST_HEADERS: [&str; 5] =
    ["accord-authority", "accord-target", "accord-timestamp", "accord-nonce", "accord-signature"];

/// What a batch of received envelopes did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReceiveReport {
    /// Envelopes applied.
    pub applied: usize,
    /// The last sequence applied from the peer afterwards.
    pub last_seq: i64,
    /// Envelopes rejected, with the reason.
    pub rejected: Vec<RejectionRecord>,
}

/// One peer as `accord federation status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeerStatus {
    /// The peer.
    #[serde(flatten)]
    pub peer: Peer,
    /// Envelopes it has that this node has not applied yet (as of its last reported head).
    pub lag: i64,
    /// Envelopes received from it.
    pub received: i64,
}

/// The federation state of this node.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FederationStatus {
    /// This node's identity, once initialised.
    pub identity: Option<Identity>,
    /// The last sequence number of this node's outbox.
    pub outbox_head: i64,
    /// Each peer.
    pub peers: Vec<PeerStatus>,
    /// The latest rejected envelopes.
    pub rejections: Vec<RejectionRecord>,
    /// The latest quarantined envelopes (content faults skipped alone, each raising an alert).
    pub quarantined: Vec<RejectionRecord>,
}

/// A signed peer request as received: the values of [`REQUEST_HEADERS`], the method and the path with its query.
#[derive(Debug, Clone, Default)]
pub struct PeerRequest {
    /// The calling authority.
    pub authority: String,
    /// The authority of the node the request is meant for.
    pub target: String,
    /// When it was signed (RFC 3339).
    pub timestamp: String,
    /// A random value used once.
    pub nonce: String,
    /// Ed25519 signature of [`request_bytes`], base64.
    pub signature: String,
    /// `GET` or `POST`.
    pub method: String,
    /// The path and query as sent.
    pub path_and_query: String,
}

/// The bytes a peer signs to authenticate a request: method, path and query, time, caller, the node it is meant
/// for, and a nonce (so it can be neither replayed nor sent on to another node).
pub fn request_bytes(r: &PeerRequest) -> String {
    format!("{} {} {} {} {} {}", r.method, r.path_and_query, r.timestamp, r.authority, r.target, r.nonce)
}

/// Whether a peer URL names a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`).
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// How many bytes of a rejected envelope's payload are kept (with its hash and size).
pub const KEPT_PAYLOAD_BYTES: usize = 2048;

fn reject(e: &Envelope, reason: Rejection, message: String) -> RejectionRecord {
    // Only the header, the hash and a bounded prefix of what a peer sent are kept: a flood of large envelopes
    // cannot fill the log.
    let payload = accord_core::federation::canonical(&e.payload);
    let mut cut = payload.len().min(KEPT_PAYLOAD_BYTES);
    while !payload.is_char_boundary(cut) {
        cut -= 1;
    }
    RejectionRecord {
        id: accord_core::ids::generate_id("rej"),
        sender: accord_core::ids::truncate(&e.sender),
        seq: e.seq,
        reason,
        quarantined: false,
        message: message.chars().take(1000).collect(),
        received_at: accord_core::now(),
        envelope: json!({
            "sender": accord_core::ids::truncate(&e.sender), "seq": e.seq,
            "created_at": accord_core::ids::truncate(&e.created_at), "kind": accord_core::ids::truncate(&e.kind),
            "payload_sha256": accord_core::ids::truncate(&e.payload_sha256),
            "received_payload_sha256": accord_core::federation::payload_hash(&e.payload),
            "payload_bytes": payload.len(), "payload_prefix": &payload[..cut],
        }),
    }
}

/// A received record of type `T`: parsed, owned by its sender, checked as local input is; then stored by `store`.
fn receive<T: Shared>(
    e: &Envelope,
    store: impl FnOnce(T) -> Mutation,
) -> std::result::Result<Mutation, (Rejection, String)> {
    let record: T = serde_json::from_value(e.payload.clone())
        .map_err(|err| (Rejection::MalformedPayload, format!("not a valid {}: {err}", e.kind)))?;
    if record.owner() != e.sender {
        return Err((
            Rejection::ForeignObject,
            format!("{} sent a {} that belongs to {}", e.sender, e.kind, record.owner()),
        ));
    }
    record
        .check_received()
        .map_err(|err| (Rejection::MalformedPayload, format!("not a valid {}: {}", e.kind, err.message)))?;
    Ok(store(record))
}

/// The mutation that keeps a record among the shared records of its kind; `strict` refuses a version that is not
/// newer than the one stored (a local change that lost a race), else an older version is silently ignored.
pub(crate) fn kept<T: Shared>(record: &T, strict: bool) -> Mutation {
    Mutation::PutShared {
        kind: T::KIND.as_str().to_owned(),
        id: record.key(),
        authority_id: record.owner().to_owned(),
        version: record.version(),
        data: crate::to_json(record),
        strict,
    }
}

/// The mutation that keeps a received record among the shared records of its kind.
fn keep<T: Shared>(payload: &Value) -> impl FnOnce(T) -> Mutation + '_ {
    move |r: T| Mutation::PutShared {
        kind: T::KIND.as_str().to_owned(),
        id: r.key(),
        authority_id: r.owner().to_owned(),
        version: r.version(),
        data: payload.clone(),
        strict: false,
    }
}

/// The mutation that stores a shared object received from `sender`, after checking that it is one and that it
/// belongs to the sender.
fn object_of(e: &Envelope) -> std::result::Result<Mutation, (Rejection, String)> {
    let size = accord_core::federation::canonical(&e.payload).len();
    if size > MAX_PAYLOAD_BYTES {
        return Err((
            Rejection::MalformedPayload,
            format!("a payload of {size} bytes is over the {MAX_PAYLOAD_BYTES} bytes an envelope may carry"),
        ));
    }
    let p = &e.payload;
    match SharedKind::parse(&e.kind) {
        // Denials have a table of their own: the matching of new cases reads them by destination.
        Some(SharedKind::Denial) => receive::<Denial>(e, Mutation::PutDenial),
        Some(SharedKind::Consultation) => receive::<Consultation>(e, keep(p)),
        Some(SharedKind::ConsultationAnswer) => receive::<ConsultationAnswer>(e, keep(p)),
        Some(SharedKind::ApprovalNotice) => receive::<ApprovalNotice>(e, keep(p)),
        Some(SharedKind::RiskAssessment) => receive::<RiskAssessment>(e, keep(p)),
        Some(SharedKind::Endorsement) => receive::<Endorsement>(e, keep(p)),
        Some(SharedKind::Verification) => receive::<SharedVerification>(e, keep(p)),
        Some(SharedKind::Checkpoint) => receive::<accord_core::audit::Checkpoint>(e, keep(p)),
        Some(SharedKind::Proposal) => receive::<accord_core::governance::Proposal>(e, keep(p)),
        Some(SharedKind::Vote) => receive::<accord_core::governance::Vote>(e, keep(p)),
        Some(SharedKind::Comment) => receive::<accord_core::governance::Comment>(e, keep(p)),
        Some(SharedKind::Opinion) => receive::<accord_core::governance::Opinion>(e, keep(p)),
        Some(SharedKind::Feedback) => receive::<accord_core::governance::Feedback>(e, keep(p)),
        Some(SharedKind::ReviewCycle) => receive::<accord_core::governance::ReviewCycle>(e, keep(p)),
        Some(SharedKind::Technology) => receive::<accord_core::watch::Technology>(e, keep(p)),
        Some(SharedKind::WarningSettings) => receive::<accord_core::warning::WarningSettings>(e, keep(p)),
        Some(SharedKind::Alert) => receive::<accord_core::warning::Alert>(e, keep(p)),
        Some(SharedKind::Relation) => receive::<accord_core::ownership::Relation>(e, keep(p)),
        None => Err((Rejection::MalformedPayload, format!("unknown kind '{}'", accord_core::ids::truncate(&e.kind)))),
    }
}

impl App {
    /// This node's federation set-up, when it has one.
    pub fn federation(&self) -> Option<&Arc<Federation>> {
        self.federation.as_ref()
    }

    /// The mutation that publishes a record of this node's authority to its allies (none without federation, or
    /// for a record of another authority on this node).
    pub(crate) fn publication<T: Shared>(&self, record: &T) -> Option<Mutation> {
        self.publication_to(record, &[])
    }

    /// [`App::publication`] addressed to some authorities only (every ally when `to` is empty): the other peers
    /// are served a signed stub that keeps their sequence whole and shows nothing of the record.
    pub(crate) fn publication_to<T: Shared>(&self, record: &T, to: &[&str]) -> Option<Mutation> {
        let f = self.federation.as_ref()?;
        let (kind, owner, payload) = (T::KIND.as_str(), record.owner(), crate::to_json(record));
        let mut to: Vec<String> = to.iter().map(|a| (*a).to_owned()).collect();
        to.sort();
        to.dedup();
        (f.authority_id == owner).then(|| Mutation::Publish {
            sender: f.authority_id.clone(),
            kind: kind.to_owned(),
            payload,
            to,
            key: f.key.clone(),
        })
    }

    /// Commits, and wakes the notifier when something was published.
    pub(crate) async fn commit_and_notify(&self, mutations: Vec<Mutation>, events: Vec<NewEvent>) -> Result<()> {
        let published = mutations.iter().any(|m| matches!(m, Mutation::Publish { .. }));
        self.store.commit(mutations, events).await?;
        if published && let Some(f) = &self.federation {
            f.published.notify_one();
        }
        Ok(())
    }

    /// Records this node's identity (the operator or an admin): the authority it speaks for, which must exist here,
    /// and the public key of the key pair made by `accord node init`.
    pub async fn init_identity(&self, p: &Principal, authority: &str, key: &NodeKey) -> Result<Identity> {
        require(p, Action::SetUpTheFederation)?;
        let a = self.authority(authority).await?;
        if self
            .store
            .peers()
            .await?
            .iter()
            .any(|x| x.authority_id == a.id.as_str() || x.public_key == key.public_base64())
        {
            return Err(Error::validation(
                "authority",
                format!("{} or this key is registered as a peer; a node is not its own peer", a.id),
            ));
        }
        let identity = Identity {
            authority_id: a.id.to_string(),
            public_key: key.public_base64(),
            created_at: accord_core::now(),
        };
        self.store
            .commit(
                vec![Mutation::SetIdentity(identity.clone())],
                vec![event(p, Some(&a.id), EventKind::FederationIdentityCreated, a.id.as_str(), to_json(&identity))],
            )
            .await?;
        Ok(identity)
    }

    /// This node's identity, once initialised.
    pub async fn identity(&self) -> Result<Option<Identity>> {
        self.store.identity().await
    }

    /// Registers a peer (admins): its authority, the base URL of its node (`https://`, or `http://` on loopback),
    /// its public key (exchanged out of band).
    pub async fn add_peer(&self, p: &Principal, authority: &str, url: &str, key: &str) -> Result<Peer> {
        self.register_peer(p, authority, url, key, false).await
    }

    /// [`App::add_peer`] that also accepts a plain `http://` URL on another host than loopback (a closed network
    /// whose links are protected otherwise); the operator asks for it explicitly.
    pub async fn add_peer_allowing_http(&self, p: &Principal, authority: &str, url: &str, key: &str) -> Result<Peer> {
        self.register_peer(p, authority, url, key, true).await
    }

    async fn register_peer(&self, p: &Principal, authority: &str, url: &str, key: &str, http: bool) -> Result<Peer> {
        require(p, Action::RegisterPeers)?;
        let authority = AuthorityId::parse(authority)?;
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            return Err(Error::validation("url", "the peer's URL is http:// or https:// followed by its host"));
        }
        if url.starts_with("http://") && !http && !is_loopback(url) {
            return Err(Error::validation(
                "url",
                "a peer on another host than loopback is reached over https:// (allow plain http:// explicitly only \
                 on a network protected otherwise)",
            ));
        }
        let public = PublicKey::parse(key)?;
        if let Some(me) = self.store.identity().await?
            && me.authority_id == authority.as_str()
        {
            return Err(Error::validation("authority", "a node is not its own peer"));
        }
        let peers = self.store.peers().await?;
        if let Some(same) = peers.iter().find(|x| PublicKey::parse(&x.public_key).ok().as_ref() == Some(&public)) {
            return Err(Error::new(
                ErrorCode::AlreadyExists,
                format!("this key is already registered for {}", same.authority_id),
            ));
        }
        let peer = Peer {
            authority_id: authority.to_string(),
            url: url.to_owned(),
            public_key: key.trim().to_owned(),
            added_at: accord_core::now(),
            last_seq: 0,
            head_seq: 0,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
        };
        self.store
            .commit(
                vec![Mutation::PutPeer(peer.clone())],
                vec![event(p, None, EventKind::FederationPeerAdded, authority.as_str(), to_json(&peer))],
            )
            .await?;
        Ok(peer)
    }

    /// Removes a peer (admins); what was received from it stays.
    pub async fn remove_peer(&self, p: &Principal, authority: &str) -> Result<()> {
        require(p, Action::RemovePeers)?;
        self.store
            .commit(
                vec![Mutation::RemovePeer(authority.to_owned())],
                vec![event(p, None, EventKind::FederationPeerRemoved, authority, json!({}))],
            )
            .await?;
        Ok(())
    }

    /// The registered peers (for the replicator).
    pub async fn peers(&self) -> Result<Vec<Peer>> {
        self.store.peers().await
    }

    /// Records how a pull from a peer went (for the replicator and the status page).
    pub async fn record_pull(&self, peer: &str, error: Option<&str>, head: Option<i64>) -> Result<()> {
        self.store.record_pull(peer, accord_core::now(), error, head).await
    }

    /// The federation state (admins, auditors, and users of an authority).
    pub async fn federation_status(&self, p: &Principal) -> Result<FederationStatus> {
        require(p, Action::ReadTheFederationStatus)?;
        let counts = self.store.inbox_counts().await?;
        let peers = self
            .store
            .peers()
            .await?
            .into_iter()
            .map(|peer| PeerStatus {
                lag: (peer.head_seq - peer.last_seq).max(0),
                received: counts.iter().find(|(s, _)| *s == peer.authority_id).map_or(0, |(_, n)| *n),
                peer,
            })
            .collect();
        Ok(FederationStatus {
            identity: self.store.identity().await?,
            outbox_head: self.store.outbox_head().await?,
            peers,
            rejections: self.store.rejections(20, false).await?,
            quarantined: self.store.rejections(20, true).await?,
        })
    }

    /// Checks a peer's signed request: a registered peer, meant for this node, a timestamp within the allowed skew,
    /// a valid signature, a nonce not seen within the skew window, and within the peer's request rate.
    pub async fn check_peer_request(&self, r: &PeerRequest) -> Result<Peer> {
        let refuse = |m: String| Error::new(ErrorCode::PeerRequestRefused, m);
        let f = self.federation.as_ref().ok_or_else(|| {
            Error::new(ErrorCode::NotFound, "this node takes no part in a federation (run `accord node init`)")
        })?;
        let authority = r.authority.as_str();
        let peer =
            self.store.peers().await?.into_iter().find(|x| x.authority_id == authority).ok_or_else(|| {
                refuse(format!("'{}' is not a registered peer", accord_core::ids::truncate(authority)))
            })?;
        let at: jiff::Timestamp =
            r.timestamp.parse().map_err(|_| refuse("the request timestamp is not a time".into()))?;
        let skew = jiff::SignedDuration::try_from(f.max_skew).unwrap_or(jiff::SignedDuration::MAX);
        let now = jiff::Timestamp::now();
        if now.duration_since(at).abs() > skew {
            return Err(refuse(format!(
                "the request timestamp {} is beyond the allowed clock skew",
                accord_core::ids::truncate(&r.timestamp)
            )));
        }
        if !(16..=64).contains(&r.nonce.len())
            || !r.nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(refuse("the request nonce is 16-64 letters, digits, '-' or '_'".into()));
        }
        let key = PublicKey::parse(&peer.public_key)?;
        if !key.verifies(request_bytes(r).as_bytes(), &r.signature) {
            return Err(refuse(format!("the request signature does not verify with {authority}'s key")));
        }
        if r.target != f.authority_id {
            return Err(refuse(format!(
                "the request was signed for {}, not for this node ({})",
                accord_core::ids::truncate(&r.target),
                f.authority_id
            )));
        }
        // Nonces are kept for twice the skew window; an older request is refused by its time.
        let forget = now.checked_sub(skew).and_then(|t| t.checked_sub(skew)).unwrap_or(now);
        if !self.store.remember_nonce(authority, &r.nonce, now.into(), forget.into()).await? {
            return Err(refuse(format!("the request nonce was used before: a replayed request from {authority}")));
        }
        if let Err(seconds) = f.take_request(authority) {
            return Err(Error::new(
                ErrorCode::PeerRateLimited,
                format!("{authority} sent more requests than its rate allows; retry in {seconds} s"),
            )
            .with_details(json!({ "retry_after_seconds": seconds })));
        }
        Ok(peer)
    }

    /// Signs a request to the node of authority `target`: the values of [`REQUEST_HEADERS`], in their order.
    pub fn sign_request(
        &self,
        target: &str,
        method: &str,
        path_and_query: &str,
    ) -> Option<[(&'static str, String); 5]> {
        let f = self.federation.as_ref()?;
        let mut nonce = [0u8; 18];
        getrandom::fill(&mut nonce).ok()?;
        let mut r = PeerRequest {
            authority: f.authority_id.clone(),
            target: target.to_owned(),
            timestamp: accord_core::now().to_string(),
            nonce: nonce.iter().map(|b| format!("{b:02x}")).collect(),
            signature: String::new(),
            method: method.to_owned(),
            path_and_query: path_and_query.to_owned(),
        };
        r.signature = f.key.sign(request_bytes(&r).as_bytes());
        let [a, t, ts, n, sg] = REQUEST_HEADERS;
        Some([(a, r.authority), (t, r.target), (ts, r.timestamp), (n, r.nonce), (sg, r.signature)])
    }

    /// The outbox after a sequence number as served to peer `reader`, and its head: an envelope addressed to other
    /// authorities is replaced by its signed stub.
    pub async fn outbox_for_peer(&self, reader: &str, after: i64, limit: i64) -> Result<(Vec<Envelope>, i64)> {
        if after < 0 || !(1..=MAX_ENVELOPES).contains(&limit) {
            return Err(Error::new(ErrorCode::InvalidQuery, format!("after is >= 0 and limit 1-{MAX_ENVELOPES}")));
        }
        let f = self.federation.as_ref().ok_or_else(|| Error::new(ErrorCode::Conflict, "no federation identity"))?;
        let envelopes = self
            .store
            .outbox(after, limit)
            .await?
            .into_iter()
            .map(|e| if e.is_for(reader) { e } else { e.withheld(&f.key) })
            .collect();
        Ok((envelopes, self.store.outbox_head().await?))
    }

    /// Checks and applies envelopes pulled from peer `from`, in order: each is taken once, in sequence. One whose
    /// content is at fault (`malformed_payload`, `foreign_object`) is quarantined: logged with its reason and an
    /// alert, not applied, and the envelopes after it still apply. On any other failed check it is logged with its
    /// reason and nothing after it is applied (a replay is logged and skipped). Returns what was applied and rejected.
    pub async fn receive(&self, from: &str, envelopes: &[Envelope]) -> Result<ReceiveReport> {
        let f = self
            .federation
            .as_ref()
            .ok_or_else(|| Error::new(ErrorCode::Conflict, "this node has no federation identity"))?;
        let peers = self.store.peers().await?;
        let peer = peers.iter().find(|x| x.authority_id == from).ok_or_else(|| Error::not_found("peer", from))?;
        let keys: Vec<PeerKey> = peers
            .iter()
            .filter_map(|x| {
                PublicKey::parse(&x.public_key).ok().map(|key| PeerKey { authority_id: x.authority_id.clone(), key })
            })
            .collect();
        let now = jiff::Timestamp::now();
        let mut last = peer.last_seq;
        let mut taken = Vec::new();
        let mut applied = 0;
        let mut objects = Vec::new();
        let mut rejected = Vec::new();
        for e in envelopes {
            // A content fault found with the origin checks is judged after the sequence, like the payload's.
            let origin = match check_origin(e, from, &keys, now, f.max_skew) {
                Err((reason, message)) if !reason.quarantines() => {
                    rejected.push(reject(e, reason, message));
                    break;
                }
                other => other,
            };
            if e.seq <= last {
                rejected.push(reject(
                    e,
                    Rejection::Replayed,
                    format!("sequence {} of {} was applied already", e.seq, e.sender),
                ));
                continue;
            }
            if e.seq != last + 1 {
                let message =
                    format!("sequence {} of {} arrived before {} (a gap is fetched first)", e.seq, e.sender, last + 1);
                rejected.push(reject(e, Rejection::OutOfWindow, message));
                break;
            }
            // Records are keyed by their owner, so an object of the sender never replaces another authority's. A
            // stub, or an envelope addressed to other authorities, is taken without applying anything.
            let for_us = e.kind != WITHHELD && e.is_for(&f.authority_id);
            match origin.and_then(|()| if for_us { object_of(e).map(Some) } else { Ok(None) }) {
                Ok(Some(m)) => {
                    objects.push(m);
                    applied += 1;
                }
                Ok(None) => {}
                Err((reason, message)) => {
                    let mut r = reject(e, reason, message);
                    r.quarantined = true;
                    rejected.push(r);
                }
            }
            taken.push(e.clone());
            last = e.seq;
        }
        let operator = Principal::Operator { name: format!("federation:{from}") };
        let mut events = Vec::new();
        if let (Some(first), Some(end)) = (taken.first(), taken.last()) {
            events.push(event(
                &operator,
                None,
                EventKind::FederationReceived,
                &format!("{from}:{}-{}", first.seq, end.seq),
                json!({ "sender": from, "from_seq": first.seq, "to_seq": end.seq, "count": applied }),
            ));
        }
        // A peer that keeps serving the same bad envelope is logged once, not on every pull.
        let recent = if rejected.is_empty() { Vec::new() } else { self.store.rejections(100, false).await? };
        let new: Vec<RejectionRecord> = rejected
            .iter()
            .filter(|r| {
                !recent
                    .iter()
                    .any(|x| x.sender == r.sender && x.seq == r.seq && x.reason == r.reason && x.envelope == r.envelope)
            })
            .cloned()
            .collect();
        for r in &new {
            // A quarantined envelope raises an alert: an ally sent something this node will not apply.
            let kind = if r.quarantined { EventKind::FederationQuarantined } else { EventKind::FederationRejected };
            if r.quarantined {
                tracing::warn!(sender = %r.sender, seq = r.seq, reason = r.reason.as_str(), message = %r.message,
                    "envelope quarantined; replication goes on");
            }
            events.push(event(
                &operator,
                None,
                kind,
                &format!("{}:{}", r.sender, r.seq),
                json!({ "reason": r.reason, "message": r.message, "quarantined": r.quarantined }),
            ));
        }
        if events.is_empty() {
            return Ok(ReceiveReport { applied: 0, last_seq: last, rejected });
        }
        // Proposals the allies adopted: each node makes the same next version of its list (after the commit).
        let adopted: Vec<accord_core::governance::Proposal> = objects
            .iter()
            .filter_map(|m| match m {
                Mutation::PutShared { kind, data, .. } if kind == SharedKind::Proposal.as_str() => {
                    serde_json::from_value::<accord_core::governance::Proposal>(data.clone()).ok()
                }
                _ => None,
            })
            .filter(|x| x.status == accord_core::governance::ProposalStatus::Adopted)
            .collect();
        let mut mutations = vec![Mutation::Receive { sender: from.to_owned(), after: peer.last_seq, envelopes: taken }];
        mutations.extend(objects);
        mutations.extend(new.into_iter().map(Mutation::RecordRejection));
        self.store.commit(mutations, events).await?;
        for x in adopted {
            if let Err(e) = self.adopt_received(&operator, &x).await {
                tracing::warn!(proposal = %x.key(), error = %e.message,
                    "an ally adopted a proposal this node cannot take (its list or policies differ, or the proposal \
                     was decided by a rule weaker than its changes demand); the versions in force are unchanged");
            }
        }
        Ok(ReceiveReport { applied, last_seq: last, rejected })
    }
}
