//! The hash-chained audit trail: canonical event bytes, hashing and chain verification.
//!
//! Each event's hash is `SHA-256(prev_hash || "\n" || canonical_bytes(event))`, hex-encoded. The
//! canonical bytes are a JSON array of the event's fields in fixed order, with object keys sorted
//! at every depth, so the hash does not depend on how the payload was stored or re-read.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The previous-hash of the first event in a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

crate::named_enum! {
    /// What an audit event records: the one list of kinds the node writes (`user.created`, `case.decided`, …).
    /// Each kind is documented by its name.
    #[allow(missing_docs)]
    EventKind {
        ApiKeyCreated = "api_key.created",
        ApiKeyRevoked = "api_key.revoked",
        ApplicationCreated = "application.created",
        ApplicationDocumentUploaded = "application.document_uploaded",
        ApplicationSubmitted = "application.submitted",
        AssessmentEndorsed = "assessment.endorsed",
        AssessmentPublished = "assessment.published",
        AuthorityCreated = "authority.created",
        AuthorityFastTrackSet = "authority.fast_track_set",
        CaseAdviceRecorded = "case.advice_recorded",
        CaseAlert = "case.alert",
        CaseAssigned = "case.assigned",
        CaseCountersigned = "case.countersigned",
        CaseDecided = "case.decided",
        CaseInformationAnswered = "case.information_answered",
        CaseInformationRequested = "case.information_requested",
        CaseOpened = "case.opened",
        CaseTaskClosed = "case.task_closed",
        CaseTaskOpened = "case.task_opened",
        ComplianceAuditRecorded = "compliance.audit_recorded",
        ComplianceCertified = "compliance.certified",
        ComplianceTrainingRecorded = "compliance.training_recorded",
        ConsultationAnswered = "consultation.answered",
        ConsultationOpened = "consultation.opened",
        ControlsImported = "controls.imported",
        DenialAmended = "denial.amended",
        DenialRecorded = "denial.recorded",
        DenialRenewed = "denial.renewed",
        DenialRevoked = "denial.revoked",
        FederationIdentityCreated = "federation.identity_created",
        FederationPeerAdded = "federation.peer_added",
        FederationPeerRemoved = "federation.peer_removed",
        FederationPublished = "federation.published",
        FederationQuarantined = "federation.quarantined",
        FederationReceived = "federation.received",
        FederationRejected = "federation.rejected",
        LicenceActive = "licence.active",
        LicenceSuspended = "licence.suspended",
        LicenceRevoked = "licence.revoked",
        LicenceAlert = "licence.alert",
        LicenceAmended = "licence.amended",
        LicenceAmendmentApproved = "licence.amendment_approved",
        LicenceAmendmentRefused = "licence.amendment_refused",
        LicenceAmendmentRequested = "licence.amendment_requested",
        LicenceIssued = "licence.issued",
        LicenceParticipantAdded = "licence.participant_added",
        LicenceParticipantRemoved = "licence.participant_removed",
        ListImported = "list.imported",
        NodeBootstrapped = "node.bootstrapped",
        OrganisationRegistered = "organisation.registered",
        PoliciesImported = "policies.imported",
        ProposalCreated = "proposal.created",
        ProposalStepped = "proposal.stepped",
        ProposalClosed = "proposal.closed",
        CommentReceived = "comment.received",
        CommentModerated = "comment.moderated",
        VoteCast = "vote.cast",
        OpinionGiven = "opinion.given",
        FeedbackGiven = "feedback.given",
        FeedbackTriaged = "feedback.triaged",
        ReviewOpened = "review.opened",
        ReviewClosed = "review.closed",
        TechnologyKept = "technology.kept",
        WatchCrossed = "watch.crossed",
        TradeImported = "trade.imported",
        DeclarationsImported = "declarations.imported",
        WarningSettingsChanged = "warning.settings_changed",
        AlertRaised = "alert.raised",
        AlertAssigned = "alert.assigned",
        AlertShared = "alert.shared",
        AlertClosed = "alert.closed",
        RelationRecorded = "relation.recorded",
        RelationRevoked = "relation.revoked",
        ScreeningAdjudicated = "screening.adjudicated",
        ShipmentReported = "shipment.reported",
        UserCreated = "user.created",
        UserInvited = "user.invited",
        UserPasswordSet = "user.password_set",
        UserSecondFactorEnabled = "user.second_factor_enabled",
        UserSecondFactorRemoved = "user.second_factor_removed",
        UserSignedOutEverywhere = "user.signed_out_everywhere",
        UserDisabled = "user.disabled",
        UserEnabled = "user.enabled",
    }
}

/// One recorded state change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Event id (`evt_…`).
    pub id: String,
    /// When it happened (UTC, microseconds).
    pub at: crate::Timestamp,
    /// Who caused it: `user:usr_…`, `operator:NAME` or `system`.
    pub actor: String,
    /// The authority whose records changed, if any.
    pub authority_id: Option<String>,
    /// What happened, e.g. `user.created` (an [`EventKind`] when written; kept verbatim as read so that an edited
    /// row is still walked and fails its hash).
    pub kind: String,
    /// The id of the record that changed.
    pub subject: String,
    /// The change itself.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Hash of the previous event.
    pub prev_hash: String,
    /// Hash of this event.
    pub hash: String,
    /// The hash of each record's state after the change (`cases:case_…` → SHA-256 of the row), so rows edited
    /// without an event are found. Part of the hashed bytes when not empty.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub states: std::collections::BTreeMap<String, String>,
}

/// Writes `value` as JSON with object keys sorted at every depth.
pub fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical_json(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The bytes an event's hash covers.
pub fn canonical_bytes(e: &AuditEvent) -> String {
    let mut fields = serde_json::json!([e.seq, e.id, e.at, e.actor, e.authority_id, e.kind, e.subject, e.payload]);
    if !e.states.is_empty()
        && let Some(list) = fields.as_array_mut()
    {
        list.push(serde_json::json!(e.states));
    }
    let mut out = String::new();
    canonical_json(&fields, &mut out);
    out
}

/// Computes an event's hash from its previous hash and its fields.
pub fn event_hash(prev_hash: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical_bytes(e).as_bytes());
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Where and why a chain stopped verifying.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChainBreak {
    /// The first event whose hash no longer holds (or the last intact one, for a cut tail).
    pub event_id: String,
    /// Its position as stored.
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

/// The outcome of walking a chain.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChainReport {
    /// True when every event verified and the chain ends at the recorded head.
    pub ok: bool,
    /// Number of events walked.
    pub events: i64,
    /// Hash of the last event walked.
    pub head_hash: String,
    /// The first break, when `ok` is false.
    pub first_break: Option<ChainBreak>,
}

/// Incremental chain verifier: feed events in stored order, then `finish` with the recorded head.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    last_id: String,
    walked: i64,
    first_break: Option<ChainBreak>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            last_id: String::new(),
            walked: 0,
            first_break: None,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event; after the first break, further events are only counted.
    pub fn push(&mut self, e: &AuditEvent) {
        self.walked += 1;
        if self.first_break.is_some() {
            return;
        }
        let reason = if e.seq != self.expected_seq {
            Some(format!(
                "expected sequence number {}, found {} (an event was removed or reordered)",
                self.expected_seq, e.seq
            ))
        } else if e.prev_hash != self.prev_hash {
            Some("its previous-hash does not match the event before it (an event before it was removed, edited or reordered)".to_owned())
        } else if event_hash(&e.prev_hash, e) != e.hash {
            Some("its contents no longer match its hash (the event was edited)".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            self.first_break = Some(ChainBreak { event_id: e.id.clone(), seq: e.seq, reason });
            return;
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.last_id = e.id.clone();
    }

    /// Ends the walk, comparing the last event with the recorded chain head (`seq`, `hash`).
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> ChainReport {
        if self.first_break.is_none() && (head_seq != self.expected_seq - 1 || head_hash != self.prev_hash) {
            self.first_break = Some(ChainBreak {
                event_id: self.last_id.clone(),
                seq: self.expected_seq - 1,
                reason: format!(
                    "the chain ends at sequence {} but the recorded head is sequence {head_seq} (events after it were removed, or the head was altered)",
                    self.expected_seq - 1
                ),
            });
        }
        ChainReport {
            ok: self.first_break.is_none(),
            events: self.walked,
            head_hash: self.prev_hash,
            first_break: self.first_break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_kinds_are_distinct_area_dot_action_names_that_parse_back() {
        let names = EventKind::names();
        assert_eq!(
            names.iter().collect::<std::collections::BTreeSet<_>>().len(),
            names.len(),
            "a kind is listed twice"
        );
        for kind in EventKind::ALL {
            let (area, action) = kind.as_str().split_once('.').expect("area.action");
            let snake = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            assert!(snake(area) && snake(action), "{}", kind.as_str());
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.as_str()));
        }
    }

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    id: format!("evt_{seq}"),
                    at: "2026-11-27T00:00:00.000000Z".parse().unwrap(),
                    actor: "system".into(),
                    authority_id: None,
                    kind: "test".into(),
                    subject: format!("s{seq}"),
                    payload: json!({"b": seq, "a": [1, {"z": 1, "y": 2}]}),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                    states: Default::default(),
                };
                e.hash = event_hash(&prev, &e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(events: &[AuditEvent], head_seq: i64, head_hash: &str) -> ChainReport {
        let mut v = ChainVerifier::default();
        events.iter().for_each(|e| v.push(e));
        v.finish(head_seq, head_hash)
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let mut out = String::new();
        canonical_json(&json!({"b": 1, "a": {"d": [{"y": 1, "x": "é\n"}], "c": null}}), &mut out);
        assert_eq!(out, r#"{"a":{"c":null,"d":[{"x":"é\n","y":1}]},"b":1}"#);
    }

    #[test]
    fn intact_chain_verifies() {
        let events = chain(5);
        let r = verify(&events, 5, &events[4].hash);
        assert!(r.ok, "{r:?}");
        assert_eq!(r.events, 5);
    }

    #[test]
    fn edited_event_is_named() {
        let mut events = chain(5);
        events[2].payload = json!({"b": 99});
        let head = events[4].hash.clone();
        let r = verify(&events, 5, &head);
        assert_eq!(r.first_break.unwrap().event_id, "evt_3");
    }

    #[test]
    fn deleted_event_names_its_successor() {
        let mut events = chain(5);
        events.remove(1);
        let head = events[3].hash.clone();
        let r = verify(&events, 5, &head);
        assert_eq!(r.first_break.unwrap().event_id, "evt_3");
    }

    #[test]
    fn swapped_events_are_detected() {
        let mut events = chain(5);
        events.swap(1, 2);
        let (a, b) = (events[1].seq, events[2].seq);
        events[1].seq = b;
        events[2].seq = a;
        let head = events[4].hash.clone();
        let r = verify(&events, 5, &head);
        assert_eq!(r.first_break.unwrap().event_id, "evt_3");
    }

    #[test]
    fn cut_tail_is_detected_against_the_head() {
        let events = chain(5);
        let r = verify(&events[..4], 5, &events[4].hash);
        let b = r.first_break.unwrap();
        assert_eq!(b.event_id, "evt_4");
        assert!(b.reason.contains("recorded head"));
    }
}

/// The head of a node's audit chain at one sequence number, signed with the node key: a database administrator who
/// rewrites and re-chains history cannot make the new chain match the checkpoints (kept here and by the allies)
/// without the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The authority whose node signed it.
    pub authority_id: String,
    /// The sequence number of the chain's last event at the time.
    pub seq: i64,
    /// That event's hash.
    pub head_hash: String,
    /// When it was signed.
    pub at: String,
    /// Ed25519 signature over [`Checkpoint::signed_bytes`], base64.
    pub signature: String,
}

impl Checkpoint {
    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> String {
        let mut out = String::new();
        canonical_json(
            &serde_json::json!({
                "checkpoint": 1, "authority_id": self.authority_id, "seq": self.seq, "head_hash": self.head_hash,
                "at": self.at,
            }),
            &mut out,
        );
        out
    }

    /// A checkpoint of `seq` and `head_hash`, signed with `key`.
    pub fn sign(key: &crate::federation::NodeKey, authority_id: &str, seq: i64, head_hash: &str) -> Checkpoint {
        let mut c = Checkpoint {
            authority_id: authority_id.to_owned(),
            seq,
            head_hash: head_hash.to_owned(),
            at: crate::now().to_string(),
            signature: String::new(),
        };
        c.signature = key.sign(c.signed_bytes().as_bytes());
        c
    }

    /// Whether `key` signed it.
    pub fn verifies(&self, key: &crate::federation::PublicKey) -> bool {
        key.verifies(self.signed_bytes().as_bytes(), &self.signature)
    }
}

/// What comparing the chain with its signed checkpoints found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct CheckpointReport {
    /// Checkpoints compared.
    pub checked: usize,
    /// Where the chain and a checkpoint disagree, or a signature does not verify; empty when all is well.
    pub problems: Vec<String>,
}

/// What reconciling the records with the states the chain attests found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct StateReport {
    /// Records compared.
    pub records: usize,
    /// Records whose row differs from the state the chain last attests: edited without an event.
    pub edited: Vec<String>,
    /// Records the chain attests no state for (made before states were recorded, or inserted behind the node).
    pub unattested: Vec<String>,
}
