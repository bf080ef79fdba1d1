//! Federation: this node's identity and key, its peers, the outbox it serves, and the checks and application of
//! envelopes pulled from peers. Each envelope is applied once per (sender, sequence), in sequence order, in the same
//! transaction as the objects it carries. An envelope whose content is at fault (not a valid object, or an object of
//! another authority) is quarantined alone with an alert and replication goes on; any other rejection is logged with
//! its reason and nothing after it is applied.

use crate::{App, event, require, to_json};
use accord_core::denials::{
    ApprovalNotice, Consultation, ConsultationAnswer, Denial, Endorsement, RiskAssessment, SharedVerification,
};
use accord_core::federation::{
    Envelope, Identity, NodeKey, Peer, PeerKey, PublicKey, Rejection, RejectionRecord, check_origin,
};
use accord_core::ids::AuthorityId;
use accord_core::model::Role;
use accord_core::principal::Principal;
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
        }
    }
}

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

/// The bytes a peer signs to authenticate a request.
pub fn request_bytes(method: &str, path_and_query: &str, timestamp: &str, authority: &str) -> String {
    format!("{method} {path_and_query} {timestamp} {authority}")
}

fn reject(e: &Envelope, reason: Rejection, message: String) -> RejectionRecord {
    RejectionRecord {
        id: accord_core::ids::generate_id("rej"),
        sender: e.sender.clone(),
        seq: e.seq,
        reason,
        quarantined: false,
        message,
        received_at: accord_core::now(),
        envelope: to_json(e),
    }
}

/// The mutation that stores a shared object received from `sender`, after checking that it is one and that it
/// belongs to the sender.
fn object_of(e: &Envelope) -> std::result::Result<Mutation, (Rejection, String)> {
    fn parse<T: serde::de::DeserializeOwned>(e: &Envelope) -> std::result::Result<T, (Rejection, String)> {
        serde_json::from_value(e.payload.clone())
            .map_err(|err| (Rejection::MalformedPayload, format!("not a valid {}: {err}", e.kind)))
    }
    let owned = |owner: &str| {
        if owner == e.sender {
            Ok(())
        } else {
            Err((Rejection::ForeignObject, format!("{} sent a {} that belongs to {owner}", e.sender, e.kind)))
        }
    };
    let shared = |id: String, owner: &str, version: i64| Mutation::PutShared {
        kind: e.kind.clone(),
        id,
        authority_id: owner.to_owned(),
        version,
        data: e.payload.clone(),
        strict: false,
    };
    Ok(match e.kind.as_str() {
        "denial" => {
            let d: Denial = parse(e)?;
            owned(d.authority_id.as_str())?;
            Mutation::PutDenial(d)
        }
        "consultation" => {
            let c: Consultation = parse(e)?;
            owned(&c.from_authority)?;
            shared(c.id.clone(), &c.from_authority, c.version)
        }
        "consultation_answer" => {
            let a: ConsultationAnswer = parse(e)?;
            owned(&a.from_authority)?;
            shared(format!("{}:{}", a.consultation_id, a.from_authority), &a.from_authority, a.version)
        }
        "approval_notice" => {
            let n: ApprovalNotice = parse(e)?;
            owned(&n.authority_id)?;
            shared(n.id.clone(), &n.authority_id, n.version)
        }
        "risk_assessment" => {
            let r: RiskAssessment = parse(e)?;
            owned(&r.authority_id)?;
            shared(r.id.clone(), &r.authority_id, r.version)
        }
        "endorsement" => {
            let n: Endorsement = parse(e)?;
            owned(&n.authority_id)?;
            shared(format!("{}:{}", n.assessment_id, n.authority_id), &n.authority_id, n.version)
        }
        "verification" => {
            let v: SharedVerification = parse(e)?;
            owned(&v.authority_id)?;
            shared(v.id.clone(), &v.authority_id, v.version)
        }
        other => {
            return Err((Rejection::MalformedPayload, format!("unknown kind '{}'", accord_core::ids::truncate(other))));
        }
    })
}

impl App {
    /// This node's federation set-up, when it has one.
    pub fn federation(&self) -> Option<&Arc<Federation>> {
        self.federation.as_ref()
    }

    /// The mutation that publishes an object of this node's authority to its allies (none without federation, or
    /// for an object of another authority on this node).
    pub(crate) fn publication(&self, kind: &str, owner: &str, payload: Value) -> Option<Mutation> {
        let f = self.federation.as_ref()?;
        (f.authority_id == owner).then(|| Mutation::Publish {
            sender: f.authority_id.clone(),
            kind: kind.to_owned(),
            payload,
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
        require(p, &[Role::Admin], "set up the federation")?;
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
                vec![event(p, Some(&a.id), "federation.identity_created", a.id.as_str(), to_json(&identity))],
            )
            .await?;
        Ok(identity)
    }

    /// This node's identity, once initialised.
    pub async fn identity(&self) -> Result<Option<Identity>> {
        self.store.identity().await
    }

    /// Registers a peer (admins): its authority, the base URL of its node, its public key (exchanged out of band).
    pub async fn add_peer(&self, p: &Principal, authority: &str, url: &str, key: &str) -> Result<Peer> {
        require(p, &[Role::Admin], "register peers")?;
        let authority = AuthorityId::parse(authority)?;
        let url = url.trim().trim_end_matches('/');
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || url.len() > 500
            || url.contains(char::is_whitespace)
        {
            return Err(Error::validation("url", "the peer's URL is http:// or https:// followed by its host"));
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
                vec![event(p, None, "federation.peer_added", authority.as_str(), to_json(&peer))],
            )
            .await?;
        Ok(peer)
    }

    /// Removes a peer (admins); what was received from it stays.
    pub async fn remove_peer(&self, p: &Principal, authority: &str) -> Result<()> {
        require(p, &[Role::Admin], "remove peers")?;
        self.store
            .commit(
                vec![Mutation::RemovePeer(authority.to_owned())],
                vec![event(p, None, "federation.peer_removed", authority, json!({}))],
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
        self.store.record_pull(peer, &accord_core::now(), error, head).await
    }

    /// The federation state (admins, auditors, and users of an authority).
    pub async fn federation_status(&self, p: &Principal) -> Result<FederationStatus> {
        require(p, &[Role::Admin, Role::Auditor, Role::Officer, Role::SeniorOfficer], "read the federation status")?;
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

    /// Checks a peer's signed request: a registered peer, a timestamp within the allowed skew, a valid signature.
    pub async fn check_peer_request(
        &self,
        authority: &str,
        timestamp: &str,
        signature: &str,
        method: &str,
        path_and_query: &str,
    ) -> Result<Peer> {
        let refuse = |m: String| Error::new(ErrorCode::InvalidApiKey, m);
        let f = self.federation.as_ref().ok_or_else(|| {
            Error::new(ErrorCode::NotFound, "this node takes no part in a federation (run `accord node init`)")
        })?;
        let peer =
            self.store.peers().await?.into_iter().find(|x| x.authority_id == authority).ok_or_else(|| {
                refuse(format!("'{}' is not a registered peer", accord_core::ids::truncate(authority)))
            })?;
        let at: jiff::Timestamp =
            timestamp.parse().map_err(|_| refuse("the request timestamp is not a time".into()))?;
        let skew = jiff::SignedDuration::try_from(f.max_skew).unwrap_or(jiff::SignedDuration::MAX);
        if jiff::Timestamp::now().duration_since(at).abs() > skew {
            return Err(refuse(format!("the request timestamp {timestamp} is beyond the allowed clock skew")));
        }
        let key = PublicKey::parse(&peer.public_key)?;
        if !key.verifies(request_bytes(method, path_and_query, timestamp, authority).as_bytes(), signature) {
            return Err(refuse(format!("the request signature does not verify with {authority}'s key")));
        }
        Ok(peer)
    }

    /// Signs a request to a peer: the headers `accord-authority`, `accord-timestamp`, `accord-signature`.
    pub fn sign_request(&self, method: &str, path_and_query: &str) -> Option<[(&'static str, String); 3]> {
        let f = self.federation.as_ref()?;
        let at = accord_core::now();
        let signature = f.key.sign(request_bytes(method, path_and_query, &at, &f.authority_id).as_bytes());
        Some([("accord-authority", f.authority_id.clone()), ("accord-timestamp", at), ("accord-signature", signature)])
    }

    /// The outbox after a sequence number, for a peer, and its head.
    pub async fn outbox_for_peer(&self, after: i64, limit: i64) -> Result<(Vec<Envelope>, i64)> {
        if after < 0 || !(1..=MAX_ENVELOPES).contains(&limit) {
            return Err(Error::new(ErrorCode::InvalidQuery, format!("after is >= 0 and limit 1-{MAX_ENVELOPES}")));
        }
        Ok((self.store.outbox(after, limit).await?, self.store.outbox_head().await?))
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
            // Records are keyed by their owner, so an object of the sender never replaces another authority's.
            match origin.and_then(|()| object_of(e)) {
                Ok(m) => {
                    objects.push(m);
                    applied += 1;
                }
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
                "federation.received",
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
            let kind = if r.quarantined { "federation.quarantined" } else { "federation.rejected" };
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
        let mut mutations = vec![Mutation::Receive { sender: from.to_owned(), after: peer.last_seq, envelopes: taken }];
        mutations.extend(objects);
        mutations.extend(new.into_iter().map(Mutation::RecordRejection));
        self.store.commit(mutations, events).await?;
        Ok(ReceiveReport { applied, last_seq: last, rejected })
    }
}
