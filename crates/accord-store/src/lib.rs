//! Accord's persistence: the [`Store`] trait, and [`SqlStore`] that implements it on SQLite or
//! PostgreSQL. Every state change goes through [`Store::commit`], which applies the mutations and
//! appends their audit events to the hash chain in one transaction.

mod migrate;
mod sql;
mod url;

pub use migrate::{MIGRATIONS, Migration};
pub use sql::SqlStore;
pub use url::{Backend, DbUrl};

use accord_core::Result;
use accord_core::audit::{AuditEvent, ChainReport};
use accord_core::cases::{Application, ApplicationStatus, Case, ComplianceProfile, FastTrackSettings};
use accord_core::controls::{ControlVersion, VersionKind};
use accord_core::denials::Denial;
use accord_core::federation::{Envelope, Identity, NodeKey, Peer, RejectionRecord};
use accord_core::ids::DenialId;
use accord_core::ids::{ApplicationId, AuthorityId, CaseId, KeyId, LicenceId, OrgId, UserId};
use accord_core::licences::{Licence, Shipment};
use accord_core::listed::{Adjudication, EntityChange, ListVersion, ListedEntity, SyncState};
use accord_core::model::{ApiKeyInfo, Authority, Organisation, User};
use async_trait::async_trait;
use serde_json::Value;

/// One change to stored records; a commit applies several atomically.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Register an authority (its id must be new).
    InsertAuthority(Authority),
    /// Register an organisation (its authority must exist).
    InsertOrganisation(Organisation),
    /// Create a user (authority and organisation, when given, must exist; e-mail must be new).
    InsertUser(User),
    /// Store a one-time invitation to set a password.
    InsertInvitation(InvitationRecord),
    /// Use an invitation (unused and unexpired, or `conflict`): set the user's password and end their sessions.
    SetPassword {
        /// SHA-256 of the invitation token, hex.
        invitation: String,
        /// The user.
        user: UserId,
        /// The argon2id hash, in PHC form.
        hash: String,
        /// When.
        at: accord_core::Timestamp,
    },
    /// Keep a new second-factor secret for a user, not yet confirmed (replacing an unconfirmed one; `conflict` when
    /// one is confirmed).
    BeginSecondFactor {
        /// The user.
        user: UserId,
        /// The TOTP secret, base32.
        secret: String,
    },
    /// Confirm a user's pending second factor with the time step of the code that proved it (`conflict` when none
    /// is pending).
    ConfirmSecondFactor {
        /// The user.
        user: UserId,
        /// The time step of the code.
        step: i64,
        /// When.
        at: accord_core::Timestamp,
    },
    /// Remove a user's second factor (`not_found` when there is none).
    RemoveSecondFactor {
        /// The user.
        user: UserId,
    },
    /// End every session of a user (sign out everywhere).
    EndSessions {
        /// The user.
        user: UserId,
    },
    /// Store a new API key by the hash of its secret.
    InsertKey {
        /// The key's public facts.
        key: ApiKeyInfo,
        /// SHA-256 of the secret, hex.
        secret_hash: String,
    },
    /// Revoke a key that is not yet revoked.
    RevokeKey {
        /// The key.
        id: KeyId,
        /// Revocation time.
        at: accord_core::Timestamp,
    },
    /// Store a signed checkpoint of the audit chain (its sequence must be new).
    InsertCheckpoint(accord_core::audit::Checkpoint),
    /// Revoke every key of a user, and every key minted with them.
    RevokeUserKeys {
        /// The user.
        user: UserId,
        /// Revocation time.
        at: accord_core::Timestamp,
    },
    /// Disable or re-enable a user.
    SetUserDisabled {
        /// The user.
        id: UserId,
        /// The new state.
        disabled: bool,
    },
    /// Store an import of export declarations: each declaration new to the authority is added, one already stored
    /// with the same facts is skipped (the import records both counts), and one already stored with other facts
    /// refuses the whole import (`conflict`, naming the references).
    ImportDeclarations {
        /// The import (its `added` and `skipped` are counted while storing).
        import: accord_core::warning::DeclarationImport,
        /// The declarations, references unique.
        rows: Vec<accord_core::warning::Declaration>,
    },
    /// Put a new version of a list in force: upsert changed entities, delete removed ones, record
    /// the changes. Refused with `conflict` when the list's latest version is no longer `previous`.
    ImportList {
        /// The new version's record.
        version: ListVersion,
        /// The version the changes were computed against (None for a first import).
        previous: Option<i64>,
        /// Added or changed entities with their content hashes.
        upserts: Vec<(ListedEntity, String)>,
        /// Ids of entities no longer listed.
        removed: Vec<String>,
        /// What changed, entity by entity.
        changes: Vec<EntityChange>,
    },
    /// Store a new version of the control list or the policy set; its `seq` must be the next one.
    InsertVersion {
        /// Control list or policy set.
        kind: VersionKind,
        /// The version's facts.
        version: ControlVersion,
        /// The entries in Accord's list format, or the policy files as JSON.
        data: String,
    },
    /// Record an adjudication of a screening hit.
    InsertAdjudication(Adjudication),
    /// Store a new application; `already_exists` when its organisation already used the idempotency key.
    InsertApplication {
        /// The application.
        application: Application,
        /// The caller's idempotency key, if any.
        idempotency_key: Option<String>,
    },
    /// Replace an application; `conflict` unless it still has status `from`.
    UpdateApplication {
        /// The new content.
        application: Application,
        /// The status it must still have.
        from: ApplicationStatus,
    },
    /// Open a case.
    InsertCase(Case),
    /// Store an organisation's compliance profile (replacing the previous one).
    PutProfile {
        /// The organisation.
        organisation_id: OrgId,
        /// The profile.
        profile: ComplianceProfile,
    },
    /// Remember the consignees an organisation applied for (names already normalised; repeats are ignored).
    RecordConsignees {
        /// The organisation.
        organisation_id: OrgId,
        /// The names.
        names: Vec<String>,
    },
    /// Store an authority's fast-track settings.
    PutFastTrack {
        /// The authority.
        authority_id: AuthorityId,
        /// The settings.
        settings: FastTrackSettings,
    },
    /// Issue a licence.
    InsertLicence(Licence),
    /// Replace a licence; `conflict` unless it still has `expected_version` (the new content has the next one).
    UpdateLicence {
        /// The new content.
        licence: Licence,
        /// The version it must still have.
        expected_version: i64,
    },
    /// Record a shipment.
    InsertShipment(Shipment),
    /// Replace a case; `case_changed` unless it still has `expected_version` (the new content has the next one).
    UpdateCase {
        /// The new content.
        case: Case,
        /// The version it must still have.
        expected_version: i64,
    },
    /// Record a denial notification.
    InsertDenial(Denial),
    /// Store the file of an application's declared document; `already_exists` when one is stored for it.
    InsertDocument(DocumentFile),
    /// Replace a denial with a newer version: `conflict` unless it still has `expected_version`.
    UpdateDenial {
        /// The new content (its version is the next one).
        denial: Denial,
        /// The version it must still have.
        expected_version: i64,
    },
    /// Store a denial received from a peer, unless a version as new is stored already (records are keyed by their
    /// authority and id, so one authority's denial never replaces another's).
    PutDenial(Denial),
    /// Store a shared record (consultation, answer, notice, assessment …), keyed by kind, authority and id, unless
    /// a version as new is stored already; with `strict`, that is a `conflict`.
    PutShared {
        /// Its kind, e.g. `consultation`.
        kind: String,
        /// Its id.
        id: String,
        /// The authority it belongs to.
        authority_id: String,
        /// Its version.
        version: i64,
        /// The record.
        data: Value,
        /// Refuse with `conflict` when it is not newer than the stored one.
        strict: bool,
    },
    /// Set this node's federation identity; `already_exists` when it has one.
    SetIdentity(Identity),
    /// Register a peer; `already_exists` when its authority is registered.
    PutPeer(Peer),
    /// Remove a peer; `not_found` when it is not registered.
    RemovePeer(String),
    /// Append a signed envelope to the outbox with the next sequence number (the store seals it with `key`, and
    /// records it in the audit chain).
    Publish {
        /// This node's authority.
        sender: String,
        /// The object's kind.
        kind: String,
        /// The object.
        payload: Value,
        /// The authorities it is addressed to (empty: every ally); other peers are served a signed stub.
        to: Vec<String>,
        /// The node key.
        key: std::sync::Arc<NodeKey>,
    },
    /// Record envelopes received from a peer as taken (applied, or quarantined with a rejection): `conflict`
    /// unless its last sequence is still `after` (so each is taken exactly once, whoever pulls concurrently).
    Receive {
        /// The peer.
        sender: String,
        /// The last sequence applied before these.
        after: i64,
        /// The envelopes, in sequence order from `after + 1`.
        envelopes: Vec<Envelope>,
    },
    /// Log an envelope that was rejected.
    RecordRejection(RejectionRecord),
    /// Abort with `already_bootstrapped` if any admin exists (checked inside the transaction).
    RequireNoAdmin,
}

/// The uploaded file of an application's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFile {
    /// The application.
    pub application_id: ApplicationId,
    /// Index of the document in the application's `documents`.
    pub position: usize,
    /// Its media type, as checked.
    pub content_type: String,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: accord_core::Timestamp,
    /// The bytes (empty when only the facts were read).
    pub content: Vec<u8>,
    /// Size in bytes.
    pub size: u64,
}

/// An audit event to append; sequence, id, time and hashes are assigned by the store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Who caused the change.
    pub actor: String,
    /// Authority whose records changed.
    pub authority_id: Option<String>,
    /// What happened.
    pub kind: accord_core::audit::EventKind,
    /// Id of the changed record.
    pub subject: String,
    /// The change.
    pub payload: Value,
}

/// Which users a listing covers.
#[derive(Debug, Clone)]
pub enum UserScope {
    /// Every user on the node.
    All,
    /// Users of an authority and of the organisations registered with it.
    Authority(AuthorityId),
    /// Users of one organisation.
    Organisation(OrgId),
}

/// Which audit events a listing covers.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Only events of this authority.
    pub authority_id: Option<String>,
    /// Only events after this sequence number.
    pub after_seq: i64,
    /// At most this many events.
    pub limit: i64,
}

/// Connection-pool figures for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    /// Open connections.
    pub size: u32,
    /// Idle connections.
    pub idle: u32,
    /// Configured maximum.
    pub max: u32,
}

/// An API key as found for authentication: its facts, secret hash and owner.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    /// Public facts.
    pub key: ApiKeyInfo,
    /// SHA-256 of the secret, hex.
    pub secret_hash: String,
    /// The user the key belongs to.
    pub owner: User,
}

/// A one-time invitation to set a password, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose password it sets.
    pub user_id: UserId,
    /// When it was made.
    pub created_at: accord_core::Timestamp,
    /// When it stops working.
    pub expires_at: accord_core::Timestamp,
    /// When it was used, if it was.
    pub used_at: Option<accord_core::Timestamp>,
}

/// A session of a person signed in to the web interface, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the session token, hex.
    pub token_hash: String,
    /// Who is signed in.
    pub user_id: UserId,
    /// The token every form of the session carries.
    pub csrf: String,
    /// When it began.
    pub created_at: accord_core::Timestamp,
    /// When it ends.
    pub expires_at: accord_core::Timestamp,
}

/// A user's second factor (TOTP, RFC 6238).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorRecord {
    /// The shared secret, base32.
    pub secret: String,
    /// When it was confirmed with a code; `None` while pending.
    pub confirmed_at: Option<accord_core::Timestamp>,
    /// The last time step used (a code of this step or earlier is refused).
    pub last_step: i64,
}

/// Passwords, invitations, sessions and failed sign-ins of the people who use the web interface.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// The user with an e-mail address (compared without regard to case).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// A user's password hash, when one is set.
    async fn password_hash(&self, user: &UserId) -> Result<Option<String>>;
    /// An invitation by the hash of its token.
    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRecord>>;
    /// Records a failed sign-in for an address.
    async fn record_sign_in_failure(&self, email: &str, at: accord_core::Timestamp) -> Result<()>;
    /// Failed sign-ins for an address since a time.
    async fn sign_in_failures(&self, email: &str, since: accord_core::Timestamp) -> Result<u64>;
    /// Forgets the failed sign-ins of an address (after a successful one).
    async fn clear_sign_in_failures(&self, email: &str) -> Result<()>;
    /// Stores a new session.
    async fn create_session(&self, session: &SessionRecord) -> Result<()>;
    /// A session by the hash of its token, with its user.
    async fn session(&self, token_hash: &str) -> Result<Option<(SessionRecord, User)>>;
    /// Ends one session.
    async fn end_session(&self, token_hash: &str) -> Result<()>;
    /// A user's second factor, when one is pending or confirmed.
    async fn second_factor(&self, user: &UserId) -> Result<Option<SecondFactorRecord>>;
    /// Uses a time step of a user's confirmed second factor: `false` when it (or a later one) was used already, so a
    /// code works once.
    async fn use_second_factor_step(&self, user: &UserId, step: i64) -> Result<bool>;
    /// How many unexpired sessions a user has.
    async fn sessions_of(&self, user: &UserId, now: accord_core::Timestamp) -> Result<u64>;
}

/// Authorities, organisations, users and their API keys.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// One authority.
    async fn authority(&self, id: &AuthorityId) -> Result<Option<Authority>>;
    /// Every authority, by id.
    async fn authorities(&self) -> Result<Vec<Authority>>;
    /// One organisation.
    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>>;
    /// Organisations, optionally only those registered with one authority, by id.
    async fn organisations(&self, authority: Option<&AuthorityId>) -> Result<Vec<Organisation>>;
    /// One user.
    async fn user(&self, id: &UserId) -> Result<Option<User>>;
    /// Users in a scope, by id.
    async fn users(&self, scope: &UserScope) -> Result<Vec<User>>;
    /// One API key with its secret hash and its owner (one query: authentication runs on every request).
    async fn key(&self, id: &KeyId) -> Result<Option<KeyRecord>>;
    /// A user's API keys, newest last.
    async fn keys_of(&self, user: &UserId) -> Result<Vec<ApiKeyInfo>>;
    /// Records a successful use of a key (bookkeeping, not an audited state change).
    async fn touch_key(&self, id: &KeyId, at: accord_core::Timestamp) -> Result<()>;
}

/// Restricted-party list versions and their entities, control-list and policy versions, syncs and adjudications.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// The latest version of every list, by list id.
    async fn lists(&self) -> Result<Vec<ListVersion>>;
    /// Every version of one list, oldest first.
    async fn list_versions(&self, list_id: &str) -> Result<Vec<ListVersion>>;
    /// The entities in force of one list (or of all lists), each with the version its content appeared in.
    async fn list_entities(&self, list_id: Option<&str>) -> Result<Vec<(ListedEntity, i64)>>;
    /// The changes one version of a list made.
    async fn list_changes(&self, list_id: &str, version: i64) -> Result<Vec<EntityChange>>;
    /// Every version of the control list or of the policy set, oldest first (without their data).
    async fn versions(&self, kind: VersionKind) -> Result<Vec<ControlVersion>>;
    /// The data of one version: the entries in Accord's list format, or the policy files as JSON.
    async fn version_data(&self, kind: VersionKind, seq: i64) -> Result<Option<String>>;
    /// Records how a list download went (operational state, not audited).
    async fn record_sync(&self, state: &SyncState) -> Result<()>;
    /// The download state of every list that was ever synced.
    async fn sync_states(&self) -> Result<Vec<SyncState>>;
    /// Adjudications an authority recorded for a subject.
    async fn adjudications(&self, authority_id: &str, subject: &str) -> Result<Vec<Adjudication>>;
}

/// Applications, their documents, cases, compliance profiles and fast-track settings.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// One application.
    async fn application(&self, id: &ApplicationId) -> Result<Option<Application>>;
    /// The application an organisation created with an idempotency key.
    async fn application_by_key(&self, org: &OrgId, key: &str) -> Result<Option<Application>>;
    /// Applications, newest first: of one organisation, or registered with one authority, or all.
    async fn applications(&self, scope: &UserScope) -> Result<Vec<Application>>;
    /// Whether an organisation applied for any of these (normalised) consignee names before.
    async fn known_consignee(&self, org: &OrgId, names: &[String]) -> Result<bool>;
    /// Whether an authority has a case for an application.
    async fn has_case_for(&self, application: &ApplicationId, authority: &AuthorityId) -> Result<bool>;
    /// One case.
    async fn case(&self, id: &CaseId) -> Result<Option<Case>>;
    /// Cases, highest risk first and then the earliest due: of one organisation, at one authority, or all.
    async fn cases(&self, scope: &UserScope) -> Result<Vec<Case>>;
    /// One page of those cases, in the same order, and how many there are in all.
    async fn cases_page(&self, scope: &UserScope, offset: u64, limit: u64) -> Result<(Vec<Case>, u64)>;
    /// An organisation's compliance profile, if one was recorded.
    async fn profile(&self, org: &OrgId) -> Result<Option<ComplianceProfile>>;
    /// An authority's fast-track settings, if it set any.
    async fn fast_track(&self, authority: &AuthorityId) -> Result<Option<FastTrackSettings>>;
    /// The facts of an application's uploaded files (without their bytes), by position.
    async fn documents(&self, application: &ApplicationId) -> Result<Vec<DocumentFile>>;
    /// The bytes of every file uploaded for an organisation's applications.
    async fn organisation_document_bytes(&self, organisation: &OrgId) -> Result<u64>;
    /// One uploaded file with its bytes.
    async fn document(&self, application: &ApplicationId, position: usize) -> Result<Option<DocumentFile>>;
}

/// Licences and the shipments drawn against them.
#[async_trait]
pub trait LicenceStore: Send + Sync {
    /// One licence.
    async fn licence(&self, id: &LicenceId) -> Result<Option<Licence>>;
    /// Licences of one organisation, of one issuing authority, or all; newest first.
    async fn licences(&self, scope: &UserScope) -> Result<Vec<Licence>>;
    /// The shipments reported against a licence, oldest first.
    async fn shipments(&self, licence: &LicenceId) -> Result<Vec<Shipment>>;
}

/// Denials, shared records, the node identity, peers, the outbox, the inbox and rejections.
#[async_trait]
pub trait FederationStore: Send + Sync {
    /// One denial notification of an authority.
    async fn denial(&self, authority: &AuthorityId, id: &DenialId) -> Result<Option<Denial>>;
    /// The denial notifications that carry an id, of whichever authority (ids are unique per authority only).
    async fn denials_with_id(&self, id: &DenialId) -> Result<Vec<Denial>>;
    /// Every denial notification, newest first.
    async fn denials(&self) -> Result<Vec<Denial>>;
    /// The denials to a destination that are recorded as active (expiry is judged by the caller).
    async fn active_denials_to(&self, destination: &str) -> Result<Vec<Denial>>;

    /// This node's federation identity, once created.
    async fn identity(&self) -> Result<Option<Identity>>;
    /// The registered peers, by authority.
    async fn peers(&self) -> Result<Vec<Peer>>;
    /// Records how a pull from a peer went (operational state, not audited).
    async fn record_pull(
        &self,
        peer: &str,
        at: accord_core::Timestamp,
        error: Option<&str>,
        head: Option<i64>,
    ) -> Result<()>;
    /// Remembers the nonce of a peer's signed request and forgets those seen before `forget_before`; false when
    /// the nonce was seen already (a replay).
    async fn remember_nonce(
        &self,
        peer: &str,
        nonce: &str,
        at: accord_core::Timestamp,
        forget_before: accord_core::Timestamp,
    ) -> Result<bool>;
    /// Envelopes of the outbox after a sequence number, in order.
    async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<Envelope>>;
    /// The last sequence number of the outbox.
    async fn outbox_head(&self) -> Result<i64>;
    /// How many envelopes were received from each sender.
    async fn inbox_counts(&self) -> Result<Vec<(String, i64)>>;
    /// The latest rejected envelopes (or only the quarantined ones), newest first.
    async fn rejections(&self, limit: i64, quarantined_only: bool) -> Result<Vec<RejectionRecord>>;
    /// Every shared record of a kind.
    async fn shared(&self, kind: &str) -> Result<Vec<Value>>;
    /// One shared record of an authority.
    async fn shared_record(&self, kind: &str, authority: &str, id: &str) -> Result<Option<Value>>;
    /// The shared records of a kind that carry an id, of whichever authority (ids are unique per authority only).
    async fn shared_with_id(&self, kind: &str, id: &str) -> Result<Vec<Value>>;
}

/// The audit trail: events, the chain and record states, checkpoints.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Audit events in chain order.
    async fn events(&self, query: &EventQuery) -> Result<Vec<AuditEvent>>;
    /// The events about any of `subjects`, in chain order (at most `limit`, the latest kept).
    async fn events_about(&self, subjects: &[&str], limit: i64) -> Result<Vec<AuditEvent>>;
    /// Walks the whole chain and compares it with the recorded head.
    async fn verify_chain(&self) -> Result<ChainReport>;
    /// Reconciles the attested records' rows with the latest state the chain attests for each.
    async fn verify_states(&self) -> Result<accord_core::audit::StateReport>;
    /// The chain's head: its last sequence number and hash.
    async fn audit_head(&self) -> Result<(i64, String)>;
    /// The hash of the event with sequence number `seq`, when there is one.
    async fn event_hash(&self, seq: i64) -> Result<Option<String>>;
    /// The sequence number of this node's latest signed checkpoint (0 without one).
    async fn last_checkpoint_seq(&self) -> Result<i64>;
    /// This node's signed checkpoints, in sequence order.
    async fn checkpoints(&self) -> Result<Vec<accord_core::audit::Checkpoint>>;
}

/// Export declarations and their imports, per authority.
#[async_trait]
pub trait DeclarationStore: Send + Sync {
    /// The imports of an authority, oldest first.
    async fn declaration_imports(
        &self,
        authority: &AuthorityId,
    ) -> Result<Vec<accord_core::warning::DeclarationImport>>;
    /// An authority's declarations of the days `from` to `to` (both included), by day and reference.
    async fn declarations(
        &self,
        authority: &AuthorityId,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
    ) -> Result<Vec<accord_core::warning::Declaration>>;
    /// A page of the declarations an authority's import `seq` added: at most `limit`, by reference, after `after`.
    async fn imported_declarations(
        &self,
        authority: &AuthorityId,
        seq: i64,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<accord_core::warning::Declaration>>;
    /// An authority's declared euro by month (`YYYY-MM`), destination and HS code, every month stored.
    async fn declaration_totals(&self, authority: &AuthorityId) -> Result<Vec<(String, String, String, f64)>>;
    /// How many declarations an authority has stored, and the last day they cover.
    async fn declaration_span(&self, authority: &AuthorityId) -> Result<(i64, Option<jiff::civil::Date>)>;
}

/// Persistence for every Accord record, by area; implemented for SQLite and PostgreSQL by [`SqlStore`]. Bring the
/// areas into scope with `use accord_store::prelude::*`.
#[async_trait]
pub trait Store:
    DirectoryStore
    + AccountStore
    + ListStore
    + CaseStore
    + LicenceStore
    + FederationStore
    + AuditStore
    + DeclarationStore
    + Send
    + Sync
    + 'static
{
    /// Which database engine is behind the store.
    fn backend(&self) -> Backend;
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;
    /// Pool figures.
    fn pool_stats(&self) -> PoolStats;
    /// Closes the pool, waiting for connections in use to be returned.
    async fn close(&self);

    /// Applies mutations and appends events, all or nothing; returns the appended events.
    async fn commit(&self, mutations: Vec<Mutation>, events: Vec<NewEvent>) -> Result<Vec<AuditEvent>>;
}

/// The store and every area of it, for callers that hold a `dyn Store`.
pub mod prelude {
    pub use crate::{
        AccountStore, AuditStore, CaseStore, DeclarationStore, DirectoryStore, FederationStore, LicenceStore,
        ListStore, Store,
    };
}
