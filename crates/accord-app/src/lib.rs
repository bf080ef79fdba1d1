//! Accord's application services: every use case the CLI and the HTTP API offer, with
//! authorisation decided here (not in the adapters), and every change audited through the store.

mod accounts;
mod allied;
mod applications;
pub mod authz;
mod checkpoints;
mod compliance;
mod controls;
mod dashboards;
mod demo;
mod determination;
mod documents;
mod early_warning;
mod federation;
mod feedback;
mod governance;
mod keys;
mod licences;
mod lists;
mod monitoring;
mod ownership;
mod review;
mod reviews;
mod screening;
mod second_factor;
mod watch;

pub use accord_core::cases::CaseSla;
pub use accounts::{
    INVITATION_DAYS, Invitation, LOCKOUT_MINUTES, MAX_FAILED_SIGN_INS, SESSION_HOURS, Session, SignedIn,
    check_password, random_token,
};
pub use allied::{AssessmentView, DenialMatch, related_codes};
pub use applications::{Applied, DEFAULT_SLA_WORKING_DAYS, determination_of};
pub use compliance::{ProfileRecord, ProfileView};
pub use controls::{ControlAnswer, ControlBrowse, ControlHeading, ControlSearch, ControlsImport};
pub use demo::{DEMO_PASSWORD, DemoPerson, DemoReport, demo_control_list};
pub use determination::{DetermineOptions, PolicyImport, PolicyVersionInfo};
pub use documents::{DEFAULT_DOCUMENT_QUOTA, DocumentView, MAX_DOCUMENT_BYTES, NewFile, Upload, check_content};
pub use early_warning::{
    AlertAssignment, AlertClosing, AlertVerification, DeclarationAnalysis, DeclarationsImported, TradeImport,
};
pub use federation::{
    DEFAULT_MAX_SKEW, DEFAULT_PEER_BURST, DEFAULT_PEER_RATE, Federation, FederationStatus, KEPT_PAYLOAD_BYTES,
    MAX_ENVELOPES, PeerRequest, PeerStatus, REQUEST_HEADERS, ReceiveReport, is_loopback, request_bytes,
};
pub use feedback::{FeedbackCount, NewFeedback, Triage};
pub use governance::{
    Clock, Flip, Impact, ImpactPart, MAX_COMMENTS_PER_MINUTE, NewComment, NewOpinion, NewProposal, NewVote, StepInput,
};
pub use keys::{IssuedKey, MAX_ACTIVE_KEYS, NewKey};
pub use lists::{ImportOutcome, ListImport};
pub use ownership::{NewRelation, OwnershipHit, OwnershipReport, RelationRevocation};
pub use review::{CaseView, sla};
pub use screening::{
    MAX_BATCH, MAX_LIMIT, NewAdjudication, ScreenHit, ScreenQuery, ScreenResult, check_threshold, parse_kind,
};
pub use second_factor::{
    SecondFactorSetup, SecondFactorState, TOTP_STEP_SECONDS, base32, from_base32, totp_code, totp_step,
};
pub use watch::NewTechnology;

use crate::authz::{Action, require};
use accord_core::audit::EventKind;
use accord_core::audit::{AuditEvent, ChainReport};
use accord_core::ids::{AuthorityId, KeyId, OrgId, UserId};
use accord_core::model::{ApiKeyInfo, Authority, NewAuthority, NewOrganisation, NewUser, Organisation, Role, User};
use accord_core::principal::{Principal, UserPrincipal};
use accord_core::{Error, ErrorCode, Result};
use accord_store::{EventQuery, Mutation, NewEvent, Store, UserScope};
use serde_json::json;
use std::sync::Arc;

/// The application: services over one store, and the screening index in memory.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    screening: Arc<screening::Screening>,
    controls: Arc<controls::VersionCache<accord_controls::ControlList>>,
    policies: Arc<controls::VersionCache<accord_controls::PolicySet>>,
    trade: Arc<controls::VersionCache<accord_trade::TradeSet>>,
    federation: Option<Arc<federation::Federation>>,
    document_quota: u64,
    certifier_trust: Arc<std::collections::BTreeMap<String, Vec<String>>>,
    clock: Arc<governance::Clock>,
    decision_rules: Arc<accord_core::governance::DecisionRules>,
    stats: Arc<dashboards::StatsCache>,
    columnar: Option<accord_columnar::Columnar>,
    ownership: Arc<ownership::OwnershipCache>,
}

/// What a principal may see: everything, one authority's records, one organisation's, or only itself.
#[derive(Debug, Clone, PartialEq)]
enum Scope {
    All,
    Authority(AuthorityId),
    Organisation(OrgId),
    OnlySelf,
}

fn scope_of(p: &Principal) -> Result<Scope> {
    match p {
        Principal::Anonymous => {
            Err(Error::new(ErrorCode::Unauthenticated, "this endpoint needs an API key (Authorization: Bearer …)"))
        }
        Principal::Operator { .. } => Ok(Scope::All),
        Principal::User(u) => Ok(match (u.role, &u.authority_id, &u.organisation_id) {
            (Role::Exporter, _, Some(o)) => Scope::Organisation(o.clone()),
            (_, Some(a), _) => Scope::Authority(a.clone()),
            (Role::Admin | Role::Auditor, None, _) => Scope::All,
            _ => Scope::OnlySelf,
        }),
    }
}

fn user_principal(p: &Principal) -> Option<&UserPrincipal> {
    match p {
        Principal::User(u) => Some(u),
        _ => None,
    }
}

fn event(
    p: &Principal,
    authority: Option<&AuthorityId>,
    kind: EventKind,
    subject: &str,
    payload: serde_json::Value,
) -> NewEvent {
    NewEvent {
        actor: p.actor(),
        authority_id: authority.map(|a| a.as_str().to_owned()),
        kind,
        subject: subject.to_owned(),
        payload,
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl App {
    /// Builds the application over a store.
    pub fn new(store: Arc<dyn Store>) -> App {
        App {
            store,
            screening: Arc::new(screening::Screening::new(None)),
            controls: Arc::default(),
            policies: Arc::default(),
            trade: Arc::default(),
            federation: None,
            document_quota: documents::DEFAULT_DOCUMENT_QUOTA,
            certifier_trust: Arc::default(),
            clock: Arc::default(),
            decision_rules: Arc::default(),
            stats: Arc::default(),
            columnar: None,
            ownership: Arc::default(),
        }
    }

    /// The same application computing the declaration indicators with the columnar engine (each import copied once
    /// into Parquet, the indicators computed over the copies by DuckDB) instead of reading every declaration back.
    pub fn with_columnar(mut self, engine: accord_columnar::Columnar) -> App {
        self.columnar = Some(engine);
        self
    }

    /// The columnar engine computing the declaration indicators, in words (`DuckDB v1.5.6 over Parquet`), if any.
    pub fn columnar(&self) -> Option<String> {
        self.columnar.as_ref().map(accord_columnar::Columnar::name)
    }

    /// The same application deciding each kind of proposal by at least the rule `rules` give it (red lines are
    /// always decided by consensus).
    pub fn with_decision_rules(mut self, rules: accord_core::governance::DecisionRules) -> App {
        self.decision_rules = Arc::new(rules);
        self
    }

    /// The same application whose governance calendar (comment windows, vote deadlines) reads its days from
    /// `clock` instead of the system clock: a node replaying a cycle, or a test walking through one.
    pub fn with_clock(mut self, clock: Arc<governance::Clock>) -> App {
        self.clock = clock;
        self
    }

    /// The same application where each authority (key) trusts the officers of the listed authorities to certify,
    /// audit and record training for its organisations.
    pub fn with_certifier_trust(mut self, trust: std::collections::BTreeMap<String, Vec<String>>) -> App {
        self.certifier_trust = Arc::new(trust);
        self
    }

    /// Whether `home` trusts officers of `other` to certify for its organisations.
    pub(crate) fn trusts_certifier(&self, home: &AuthorityId, other: &AuthorityId) -> bool {
        self.certifier_trust.get(home.as_str()).is_some_and(|list| list.iter().any(|a| a == other.as_str()))
    }

    /// The same application, storing at most `bytes` of uploaded documents per organisation.
    pub fn with_document_quota(mut self, bytes: u64) -> App {
        self.document_quota = bytes;
        self
    }

    /// The same application, taking part in a federation with this identity and key.
    pub fn with_federation(mut self, f: federation::Federation) -> App {
        self.federation = Some(Arc::new(f));
        self
    }

    /// Whether `p` may read the node's metrics (admins, auditors, the operator): they show its load and pool.
    pub fn may_read_metrics(&self, p: &Principal) -> Result<()> {
        require(p, Action::ReadTheMetrics)
    }

    /// The store, for health checks and metrics.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Creates the node's first administrator and an API key for it; refused once any admin exists.
    pub async fn bootstrap(&self, p: &Principal, name: &str, email: &str) -> Result<(User, IssuedKey)> {
        if !matches!(p, Principal::Operator { .. }) {
            return Err(Error::forbidden("only the node operator can bootstrap a node, from the command line"));
        }
        let user = NewUser {
            name: name.to_owned(),
            email: email.to_owned(),
            role: Role::Admin,
            authority_id: None,
            organisation_id: None,
        }
        .parse(accord_core::now())?;
        let (issued, secret_hash) =
            keys::issue(&user.id, NewKey { label: "bootstrap".into(), expires_at: None }, None)?;
        let payload = json!({ "user": to_json(&user), "key_id": issued.key.id });
        self.store
            .commit(
                vec![
                    Mutation::RequireNoAdmin,
                    Mutation::InsertUser(user.clone()),
                    Mutation::InsertKey { key: issued.key.clone(), secret_hash },
                ],
                vec![event(p, None, EventKind::NodeBootstrapped, user.id.as_str(), payload)],
            )
            .await?;
        Ok((user, issued))
    }

    /// Registers an authority (admin).
    pub async fn create_authority(&self, p: &Principal, input: NewAuthority) -> Result<Authority> {
        require(p, Action::RegisterAuthorities)?;
        let a = input.parse(accord_core::now())?;
        self.store
            .commit(
                vec![Mutation::InsertAuthority(a.clone())],
                vec![event(p, Some(&a.id), EventKind::AuthorityCreated, a.id.as_str(), to_json(&a))],
            )
            .await?;
        Ok(a)
    }

    /// Every authority (public directory).
    pub async fn authorities(&self) -> Result<Vec<Authority>> {
        self.store.authorities().await
    }

    /// One authority (public directory).
    pub async fn authority(&self, id: &str) -> Result<Authority> {
        let id = AuthorityId::parse(id)?;
        self.store.authority(&id).await?.ok_or_else(|| Error::not_found("authority", id.as_str()))
    }

    /// Registers an organisation: admins anywhere, officers with their own authority only.
    pub async fn create_organisation(&self, p: &Principal, input: NewOrganisation) -> Result<Organisation> {
        require(p, Action::RegisterOrganisations)?;
        let o = input.parse(accord_core::now())?;
        if let Some(u) = user_principal(p)
            && u.role != Role::Admin
            && u.authority_id.as_ref() != Some(&o.authority_id)
        {
            return Err(Error::forbidden("officers register organisations with their own authority only"));
        }
        self.store
            .commit(
                vec![Mutation::InsertOrganisation(o.clone())],
                vec![event(p, Some(&o.authority_id), EventKind::OrganisationRegistered, o.id.as_str(), to_json(&o))],
            )
            .await?;
        Ok(o)
    }

    /// Organisations visible to the caller.
    pub async fn organisations(&self, p: &Principal) -> Result<Vec<Organisation>> {
        match scope_of(p)? {
            Scope::All => self.store.organisations(None).await,
            Scope::Authority(a) => self.store.organisations(Some(&a)).await,
            Scope::Organisation(o) => Ok(self.store.organisation(&o).await?.into_iter().collect()),
            Scope::OnlySelf => Err(Error::forbidden("this role has no access to organisations")),
        }
    }

    /// One organisation, if visible to the caller (otherwise `not_found`).
    pub async fn organisation(&self, p: &Principal, id: &str) -> Result<Organisation> {
        let scope = scope_of(p)?;
        let id = OrgId::parse(id)?;
        let o = self.store.organisation(&id).await?.ok_or_else(|| Error::not_found("organisation", id.as_str()))?;
        let visible = match &scope {
            Scope::All => true,
            Scope::Authority(a) => &o.authority_id == a,
            Scope::Organisation(own) => own == &o.id,
            Scope::OnlySelf => false,
        };
        if visible { Ok(o) } else { Err(Error::not_found("organisation", id.as_str())) }
    }

    /// Creates a user (admin).
    pub async fn create_user(&self, p: &Principal, input: NewUser) -> Result<User> {
        require(p, Action::CreateUsers)?;
        let u = input.parse(accord_core::now())?;
        let authority = match (&u.authority_id, &u.organisation_id) {
            (Some(a), _) => Some(a.clone()),
            (None, Some(o)) => self.store.organisation(o).await?.map(|o| o.authority_id),
            (None, None) => None,
        };
        self.store
            .commit(
                vec![Mutation::InsertUser(u.clone())],
                vec![event(p, authority.as_ref(), EventKind::UserCreated, u.id.as_str(), to_json(&u))],
            )
            .await?;
        Ok(u)
    }

    /// Users visible to the caller.
    pub async fn users(&self, p: &Principal) -> Result<Vec<User>> {
        let scope = match scope_of(p)? {
            Scope::All => UserScope::All,
            Scope::Authority(a) => UserScope::Authority(a),
            Scope::Organisation(o) => UserScope::Organisation(o),
            Scope::OnlySelf => return Ok(self.me(p).await?.into_iter().collect()),
        };
        self.store.users(&scope).await
    }

    /// The calling user (none for the operator).
    pub async fn me(&self, p: &Principal) -> Result<Option<User>> {
        match p {
            Principal::Anonymous => {
                Err(Error::new(ErrorCode::Unauthenticated, "this endpoint needs an API key (Authorization: Bearer …)"))
            }
            Principal::Operator { .. } => Ok(None),
            Principal::User(u) => self.store.user(&u.user_id).await,
        }
    }

    /// One user, if visible to the caller (otherwise `not_found`).
    pub async fn user(&self, p: &Principal, id: &str) -> Result<User> {
        let scope = scope_of(p)?;
        let id = UserId::parse(id)?;
        let u = self.store.user(&id).await?.ok_or_else(|| Error::not_found("user", id.as_str()))?;
        let is_self = user_principal(p).is_some_and(|me| me.user_id == u.id);
        let visible = is_self
            || match &scope {
                Scope::All => true,
                Scope::Organisation(o) => u.organisation_id.as_ref() == Some(o),
                Scope::Authority(a) => {
                    u.authority_id.as_ref() == Some(a)
                        || match &u.organisation_id {
                            Some(o) => self.store.organisation(o).await?.is_some_and(|o| &o.authority_id == a),
                            None => false,
                        }
                }
                Scope::OnlySelf => false,
            };
        if visible { Ok(u) } else { Err(Error::not_found("user", id.as_str())) }
    }

    /// Disables or re-enables a user (admin); a disabled user's keys stop working at once.
    pub async fn set_user_disabled(&self, p: &Principal, id: &str, disabled: bool) -> Result<User> {
        require(p, Action::DisableOrEnableUsers)?;
        let u = self.user(p, id).await?;
        if user_principal(p).is_some_and(|me| me.user_id == u.id) {
            return Err(Error::new(ErrorCode::Conflict, "an admin cannot disable or enable itself"));
        }
        if u.disabled == disabled {
            return Ok(u);
        }
        let kind = if disabled { EventKind::UserDisabled } else { EventKind::UserEnabled };
        let mut mutations = vec![Mutation::SetUserDisabled { id: u.id.clone(), disabled }];
        // Disabling ends every key of the user and every key minted with them; enabling revives none.
        if disabled {
            mutations.push(Mutation::RevokeUserKeys { user: u.id.clone(), at: accord_core::now() });
        }
        self.store
            .commit(
                mutations,
                vec![event(
                    p,
                    u.authority_id.as_ref(),
                    kind,
                    u.id.as_str(),
                    json!({ "id": u.id, "disabled": disabled }),
                )],
            )
            .await?;
        Ok(User { disabled, ..u })
    }

    /// A user the caller may mint keys for: itself; for admins, anyone who is not an admin or an officer (those
    /// get keys from themselves or from the operator, so no admin can act as one).
    async fn key_recipient(&self, p: &Principal, user_id: &str) -> Result<User> {
        let u = self.key_owner(p, user_id).await?;
        if let Principal::User(me) = p
            && me.user_id != u.id
            && matches!(u.role, Role::Admin | Role::Officer | Role::SeniorOfficer)
        {
            return Err(Error::forbidden(format!(
                "an admin does not mint keys for another {}: they mint their own, or the operator does",
                u.role.as_str()
            )));
        }
        Ok(u)
    }

    /// A user the caller may manage keys for: itself, or anyone for admins.
    async fn key_owner(&self, p: &Principal, user_id: &str) -> Result<User> {
        let u = self.user(p, user_id).await?;
        let allowed = match p {
            Principal::Operator { .. } => true,
            Principal::User(me) => me.role == Role::Admin || me.user_id == u.id,
            Principal::Anonymous => false,
        };
        if allowed {
            Ok(u)
        } else {
            Err(Error::forbidden("only the user itself or an admin manages a user's API keys"))
        }
    }

    /// Creates an API key for a user; the token is returned once and stored only as a hash.
    pub async fn create_key(&self, p: &Principal, user_id: &str, input: NewKey) -> Result<IssuedKey> {
        let owner = self.key_recipient(p, user_id).await?;
        if owner.disabled {
            return Err(Error::new(ErrorCode::ValidationFailed, format!("user '{}' is disabled", owner.id)));
        }
        let now = accord_core::now();
        let active = self
            .store
            .keys_of(&owner.id)
            .await?
            .into_iter()
            .filter(|k| k.revoked_at.is_none() && k.expires_at.is_none_or(|e| e > now))
            .count();
        if active >= keys::MAX_ACTIVE_KEYS {
            return Err(Error::new(
                ErrorCode::KeyLimitReached,
                format!("user '{}' has {active} active keys, the most allowed; revoke one first", owner.id),
            ));
        }
        let parent = match user_principal(p) {
            // A key minted with a key may not outlive it; a person signed in mints keys of their own.
            Some(UserPrincipal { key_id: Some(key), .. }) => self.store.key(key).await?.map(|r| r.key),
            _ => None,
        };
        let (issued, secret_hash) = keys::issue(&owner.id, input, parent.as_ref())?;
        self.store
            .commit(
                vec![Mutation::InsertKey { key: issued.key.clone(), secret_hash }],
                vec![event(
                    p,
                    owner.authority_id.as_ref(),
                    EventKind::ApiKeyCreated,
                    issued.key.id.as_str(),
                    to_json(&issued.key),
                )],
            )
            .await?;
        Ok(issued)
    }

    /// A user's API keys (never their secrets).
    pub async fn keys(&self, p: &Principal, user_id: &str) -> Result<Vec<ApiKeyInfo>> {
        let owner = self.key_owner(p, user_id).await?;
        self.store.keys_of(&owner.id).await
    }

    /// Revokes a key: its owner or an admin.
    pub async fn revoke_key(&self, p: &Principal, key_id: &str) -> Result<ApiKeyInfo> {
        let id = KeyId::parse(key_id)?;
        let record = self.store.key(&id).await?.ok_or_else(|| Error::not_found("API key", id.as_str()))?;
        // Someone who may not manage the owner's keys learns nothing about the key.
        let owner = self.key_owner(p, record.key.user_id.as_str()).await.map_err(|e| match e.code {
            ErrorCode::Forbidden | ErrorCode::NotFound => Error::not_found("API key", id.as_str()),
            _ => e,
        })?;
        if record.key.revoked_at.is_some() {
            return Ok(record.key);
        }
        let at = accord_core::now();
        self.store
            .commit(
                vec![Mutation::RevokeKey { id: id.clone(), at }],
                vec![event(
                    p,
                    owner.authority_id.as_ref(),
                    EventKind::ApiKeyRevoked,
                    id.as_str(),
                    json!({ "id": id, "user_id": owner.id }),
                )],
            )
            .await?;
        Ok(ApiKeyInfo { revoked_at: Some(at), ..record.key })
    }

    /// Authenticates a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Principal> {
        let (id, secret) = keys::split_token(token)?;
        let invalid = || Error::new(ErrorCode::InvalidApiKey, "the API key is not valid");
        let record = self.store.key(&id).await?.ok_or_else(invalid)?;
        if !keys::secret_matches(secret, &record.secret_hash) {
            return Err(invalid());
        }
        if record.key.revoked_at.is_some() {
            return Err(Error::new(ErrorCode::ApiKeyRevoked, format!("API key '{id}' has been revoked")));
        }
        let now = accord_core::now();
        if record.key.expires_at.is_some_and(|exp| exp <= now) {
            return Err(Error::new(ErrorCode::ApiKeyExpired, format!("API key '{id}' expired")));
        }
        let user = record.owner;
        if user.disabled {
            return Err(Error::new(ErrorCode::UserDisabled, format!("user '{}' is disabled", user.id)));
        }
        if keys::due_for_touch(record.key.last_used_at, now) {
            // Best effort: a failed bookkeeping write must not fail the request.
            if let Err(e) = self.store.touch_key(&id, now).await {
                tracing::warn!(key = %id, error = %e, "could not record API key use");
            }
        }
        Ok(Principal::User(UserPrincipal {
            user_id: user.id,
            role: user.role,
            authority_id: user.authority_id,
            organisation_id: user.organisation_id,
            key_id: Some(id),
        }))
    }

    /// Audit events visible to the caller: admins and auditors (auditors of an authority see its events).
    pub async fn audit_events(&self, p: &Principal, after_seq: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        require(p, Action::ReadTheAuditTrail)?;
        if !(1..=1000).contains(&limit) {
            return Err(Error::new(ErrorCode::InvalidQuery, "limit must be between 1 and 1000"));
        }
        let authority_id = match scope_of(p)? {
            Scope::Authority(a) => Some(a.as_str().to_owned()),
            _ => None,
        };
        self.store.events(&EventQuery { authority_id, after_seq, limit }).await
    }

    /// Walks the whole audit chain (admins and auditors).
    pub async fn verify_audit(&self, p: &Principal) -> Result<ChainReport> {
        require(p, Action::VerifyTheAuditTrail)?;
        self.store.verify_chain().await
    }
}
