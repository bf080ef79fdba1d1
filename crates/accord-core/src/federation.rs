//! What allied nodes exchange: envelopes signed with Ed25519 by the sending authority's node key, each carrying one
//! shared object, numbered per sender. The checks a receiver makes are pure and live here.

use crate::audit::{canonical_json, hex};
use crate::error::{Error, ErrorCode, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Version of the envelope format, part of the signed bytes.
pub const ENVELOPE_VERSION: u32 = 1;

/// One shared object as it travels between nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The sending authority (whose node key signed it).
    pub sender: String,
    /// The sender's sequence number, from 1, without gaps.
    pub seq: i64,
    /// When the sender created it (RFC 3339).
    pub created_at: String,
    /// What the payload is: `denial`, `consultation`, `consultation_answer`, `approval_notice`, `risk_assessment`,
    /// `endorsement`, `verification`.
    pub kind: String,
    /// SHA-256 of the payload's canonical JSON, hex.
    pub payload_sha256: String,
    /// The object.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Ed25519 signature over the canonical header (sender, seq, created_at, kind, payload hash, and the
    /// addressees when there are any), base64.
    pub signature: String,
    /// The authorities it is addressed to; empty for every ally. Other peers are served a [`Envelope::withheld`]
    /// stub in its place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<String>,
}

/// The kind of the stub served in place of an envelope addressed to other authorities.
pub const WITHHELD: &str = "withheld";

/// Largest canonical payload of one envelope, in bytes (larger ones are refused by sender and receiver alike).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// The canonical JSON of a value.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    canonical_json(value, &mut out);
    out
}

/// SHA-256 of a payload's canonical JSON, hex.
pub fn payload_hash(payload: &Value) -> String {
    hex(&Sha256::digest(canonical(payload).as_bytes()))
}

impl Envelope {
    /// The bytes the signature covers.
    pub fn signed_bytes(&self) -> String {
        if self.kind == WITHHELD {
            return withheld_bytes(&self.sender, self.seq);
        }
        let mut header = serde_json::json!({
            "v": ENVELOPE_VERSION, "sender": self.sender, "seq": self.seq, "created_at": self.created_at,
            "kind": self.kind, "payload_sha256": self.payload_sha256,
        });
        if !self.to.is_empty() {
            header["to"] = serde_json::json!(self.to);
        }
        canonical(&header)
    }

    /// A new envelope for every ally, signed with `key`.
    pub fn seal(
        key: &NodeKey,
        sender: &str,
        seq: i64,
        created_at: crate::Timestamp,
        kind: &str,
        payload: Value,
    ) -> Envelope {
        Envelope::seal_to(key, sender, seq, created_at, kind, payload, &[])
    }

    /// A new envelope addressed to `to` (every ally when empty), signed with `key`.
    pub fn seal_to(
        key: &NodeKey,
        sender: &str,
        seq: i64,
        created_at: crate::Timestamp,
        kind: &str,
        payload: Value,
        to: &[String],
    ) -> Envelope {
        let mut e = Envelope {
            sender: sender.to_owned(),
            seq,
            created_at: created_at.to_string(),
            kind: kind.to_owned(),
            payload_sha256: payload_hash(&payload),
            payload,
            signature: String::new(),
            to: to.to_vec(),
        };
        e.signature = key.sign(e.signed_bytes().as_bytes());
        e
    }

    /// Whether authority `reader` may see this envelope's content.
    pub fn is_for(&self, reader: &str) -> bool {
        self.to.is_empty() || self.to.iter().any(|a| a == reader)
    }

    /// The stub served in place of this envelope to a peer it is not addressed to: the sender and sequence only,
    /// signed anew, so the peer's sequence goes on without a gap and learns nothing of the content.
    pub fn withheld(&self, key: &NodeKey) -> Envelope {
        Envelope {
            sender: self.sender.clone(),
            seq: self.seq,
            created_at: self.created_at.clone(),
            kind: WITHHELD.to_owned(),
            payload_sha256: String::new(),
            payload: Value::Null,
            signature: key.sign(withheld_bytes(&self.sender, self.seq).as_bytes()),
            to: Vec::new(),
        }
    }
}

/// The bytes a withheld stub's signature covers.
fn withheld_bytes(sender: &str, seq: i64) -> String {
    canonical(&serde_json::json!({ "v": ENVELOPE_VERSION, "sender": sender, "seq": seq, "withheld": true }))
}

/// A node's Ed25519 signing key.
#[derive(Clone)]
pub struct NodeKey(SigningKey);

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeKey({})", self.public_base64())
    }
}

impl NodeKey {
    /// A fresh key from the OS random source.
    pub fn generate() -> Result<NodeKey> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| Error::internal(format!("no random source: {e}")))?;
        Ok(NodeKey(SigningKey::from_bytes(&seed)))
    }

    /// The key from its base64 seed (as written to the key file).
    pub fn from_base64(text: &str) -> Result<NodeKey> {
        let bytes = B64.decode(text.trim()).map_err(|e| invalid_key(format!("not base64: {e}")))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| invalid_key("an Ed25519 key seed has 32 bytes".into()))?;
        Ok(NodeKey(SigningKey::from_bytes(&seed)))
    }

    /// The seed, base64 (the content of the key file).
    pub fn to_base64(&self) -> String {
        B64.encode(self.0.to_bytes())
    }

    /// The public key, base64 (what peers register).
    pub fn public_base64(&self) -> String {
        B64.encode(self.0.verifying_key().to_bytes())
    }

    /// Signs bytes; the signature in base64.
    pub fn sign(&self, bytes: &[u8]) -> String {
        B64.encode(self.0.sign(bytes).to_bytes())
    }
}

fn invalid_key(message: String) -> Error {
    Error::validation("key", format!("invalid node key: {message}"))
}

/// A peer's public key, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses a base64 Ed25519 public key.
    pub fn parse(text: &str) -> Result<PublicKey> {
        let bytes = B64.decode(text.trim()).map_err(|e| invalid_key(format!("not base64: {e}")))?;
        let raw: [u8; 32] = bytes.try_into().map_err(|_| invalid_key("an Ed25519 public key has 32 bytes".into()))?;
        VerifyingKey::from_bytes(&raw).map(PublicKey).map_err(|e| invalid_key(e.to_string()))
    }

    /// Whether `signature` (base64) is this key's signature of `bytes`.
    pub fn verifies(&self, bytes: &[u8], signature: &str) -> bool {
        let Ok(raw) = B64.decode(signature.trim()) else { return false };
        let Ok(sig) = Signature::from_slice(&raw) else { return false };
        self.0.verify(bytes, &sig).is_ok()
    }
}

/// Why a received envelope was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rejection {
    /// The envelope names a sender that is not a registered peer.
    UnknownSender,
    /// The envelope names another sender than the peer it came from.
    WrongSender,
    /// The signature does not verify with the sender's key.
    BadSignature,
    /// The signature was made with the key of another authority.
    KeyOfAnotherAuthority,
    /// The payload does not match the signed hash.
    TamperedPayload,
    /// The sequence number was applied already.
    Replayed,
    /// The sequence number is not the next one (a gap must be fetched first).
    OutOfWindow,
    /// The creation time is further in the future than the allowed clock skew.
    ClockSkew,
    /// The payload is not a valid object of its kind, or the kind is unknown.
    MalformedPayload,
    /// The object belongs to another authority than the sender.
    ForeignObject,
}

impl Rejection {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::UnknownSender => "unknown_sender",
            Rejection::WrongSender => "wrong_sender",
            Rejection::BadSignature => "bad_signature",
            Rejection::KeyOfAnotherAuthority => "key_of_another_authority",
            Rejection::TamperedPayload => "tampered_payload",
            Rejection::Replayed => "replayed",
            Rejection::OutOfWindow => "out_of_window",
            Rejection::ClockSkew => "clock_skew",
            Rejection::MalformedPayload => "malformed_payload",
            Rejection::ForeignObject => "foreign_object",
        }
    }

    /// Whether the fault is in the envelope's content (its sender, signature and sequence are sound): such an
    /// envelope is quarantined alone and replication goes on after it; any other rejection stops the peer.
    pub fn quarantines(self) -> bool {
        matches!(self, Rejection::MalformedPayload | Rejection::ForeignObject)
    }
}

/// A registered peer as the checks need it.
#[derive(Debug, Clone)]
pub struct PeerKey {
    /// Its authority.
    pub authority_id: String,
    /// Its public key.
    pub key: PublicKey,
}

/// Checks the envelope's origin and integrity as served by `from` (the peer whose outbox was read): a known sender,
/// the same as the peer, signed with its own key, the payload as signed, no time further ahead than `max_skew`.
/// Returns the reason and a message when it must be rejected. Sequence and payload checks are the caller's.
pub fn check_origin(
    e: &Envelope,
    from: &str,
    peers: &[PeerKey],
    now: jiff::Timestamp,
    max_skew: std::time::Duration,
) -> std::result::Result<(), (Rejection, String)> {
    let Some(sender) = peers.iter().find(|p| p.authority_id == e.sender) else {
        return Err((
            Rejection::UnknownSender,
            format!("'{}' is not a registered peer", crate::ids::truncate(&e.sender)),
        ));
    };
    if e.sender != from {
        return Err((Rejection::WrongSender, format!("served by {from} but names {} as its sender", e.sender)));
    }
    let bytes = e.signed_bytes();
    if !sender.key.verifies(bytes.as_bytes(), &e.signature) {
        if let Some(other) =
            peers.iter().find(|p| p.authority_id != e.sender && p.key.verifies(bytes.as_bytes(), &e.signature))
        {
            return Err((
                Rejection::KeyOfAnotherAuthority,
                format!("signed with the key of {}, not of {}", other.authority_id, e.sender),
            ));
        }
        return Err((Rejection::BadSignature, format!("the signature does not verify with {}'s key", e.sender)));
    }
    if e.kind == WITHHELD {
        return if e.payload.is_null() {
            Ok(())
        } else {
            Err((Rejection::MalformedPayload, "a withheld stub carries no payload".into()))
        };
    }
    if payload_hash(&e.payload) != e.payload_sha256 {
        return Err((Rejection::TamperedPayload, "the payload is not the one that was signed".into()));
    }
    let created: jiff::Timestamp = e.created_at.parse().map_err(|_| {
        (Rejection::MalformedPayload, format!("created_at '{}' is not a time", crate::ids::truncate(&e.created_at)))
    })?;
    let skew = jiff::SignedDuration::try_from(max_skew).unwrap_or(jiff::SignedDuration::MAX);
    if created.duration_since(now) > skew {
        return Err((Rejection::ClockSkew, format!("created at {}, beyond the allowed clock skew", e.created_at)));
    }
    Ok(())
}

/// An error for a payload that is not a valid object of its kind.
pub fn malformed(kind: &str, e: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::ValidationFailed, format!("not a valid {kind}: {e}"))
}

/// This node's federation identity: the authority it speaks for and its public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Identity {
    /// The authority whose envelopes this node signs.
    pub authority_id: String,
    /// Its public key, base64.
    pub public_key: String,
    /// When the key pair was created.
    pub created_at: crate::Timestamp,
}

/// A registered peer and how replication from it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Peer {
    /// The peer's authority.
    pub authority_id: String,
    /// Base URL of its node, e.g. `http://fr.example:8080`.
    pub url: String,
    /// Its public key, base64.
    pub public_key: String,
    /// When it was registered.
    pub added_at: crate::Timestamp,
    /// The last sequence number applied from it.
    pub last_seq: i64,
    /// The latest sequence number it reported (its outbox head).
    pub head_seq: i64,
    /// When it was last pulled.
    pub last_attempt_at: Option<crate::Timestamp>,
    /// When a pull last succeeded.
    pub last_success_at: Option<crate::Timestamp>,
    /// The last error, when the last pull failed or an envelope was rejected.
    pub last_error: Option<String>,
}

/// A rejected envelope, as logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RejectionRecord {
    /// Generated id.
    pub id: String,
    /// The sender the envelope named (or the peer it came from).
    pub sender: String,
    /// Its sequence number.
    pub seq: i64,
    /// Why it was rejected.
    pub reason: Rejection,
    /// Whether it was quarantined (a content fault: skipped alone, replication went on) rather than stopping the peer.
    #[serde(default)]
    pub quarantined: bool,
    /// In words.
    pub message: String,
    /// When.
    pub received_at: crate::Timestamp,
    /// The envelope as received.
    #[schema(value_type = Object)]
    pub envelope: Value,
}
