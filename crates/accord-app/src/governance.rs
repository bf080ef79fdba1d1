//! Governance of the control list: an authority proposes changes against the version in force, publishes them for
//! public comment within a window, answers the comments, and puts them to the allies' vote; closing the vote adopts
//! the proposal (its changes become the next version of the list, in the same commit, in force from its effective
//! day) or rejects it. Proposals, votes and comments are shared records, replicated to the allies.

use crate::allied::{acting_authority, parse};
use crate::authz::Action;
use crate::{App, event, to_json};
use accord_controls::{CheckTransaction, ListInfo};
use accord_core::audit::EventKind;
use accord_core::governance::{
    Comment, CommentStatus, DecisionRule, EntryChange, PolicyChange, Proposal, ProposalKind, ProposalStatus,
    ProposalStep, ProposalStepRecord, RespondentType, Vote, VoteChoice, check_comment, tally,
};
use accord_core::principal::Principal;
use accord_core::shared::Shared;
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// Comments one proposal takes in a minute on this node; more are refused as a flood.
pub const MAX_COMMENTS_PER_MINUTE: usize = 30;

/// A proposal as its author sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposal {
    /// What it is about.
    pub title: String,
    /// Why: published with it.
    pub rationale: String,
    /// The changes to the control list in force.
    #[serde(default)]
    pub changes: Vec<EntryChange>,
    /// The changes to the policies in force: rules, red lines, general authorisations, exemptions, named sets.
    #[serde(default)]
    pub policy_changes: Vec<PolicyChange>,
    /// The day the new version would take effect (`YYYY-MM-DD`).
    pub effective_date: String,
    /// How the allies decide it (default: the rule of its kind: consensus for red lines, otherwise a qualified
    /// majority, two thirds of the votes cast); a rule less strict than its kind's is refused.
    #[serde(default)]
    pub rule: Option<DecisionRule>,
    /// The share of members, in percent, who must vote (default 66: two of three members).
    #[serde(default)]
    pub quorum_percent: Option<u8>,
}

/// A step of a proposal, with what the step needs.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// `open_comment`: the first day of the comment window (default today).
    #[serde(default)]
    pub comment_from: Option<String>,
    /// `open_comment`: the last day of the comment window.
    #[serde(default)]
    pub comment_until: Option<String>,
    /// `open_vote`: the response to the comments, grouped by theme, published with the proposal.
    #[serde(default)]
    pub comment_response: Option<String>,
    /// `open_vote`: the last day of the vote.
    #[serde(default)]
    pub vote_until: Option<String>,
    /// `open_vote`: the authorities entitled to vote (default: every authority registered on this node).
    #[serde(default)]
    pub members: Option<Vec<String>>,
}

/// A public comment as its author sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// Who it comes from.
    pub respondent_type: RespondentType,
    /// A name, or none to comment anonymously.
    #[serde(default)]
    pub name: Option<String>,
    /// An organisation, if any.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The comment (at most 5,000 characters, at most 3 links).
    pub text: String,
}

/// An expert panel member's opinion as they send it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOpinion {
    /// Where they come from.
    pub affiliation: accord_core::governance::Affiliation,
    /// Their declaration of interests ("none" when they have none).
    pub conflict_of_interest: String,
    /// Support, oppose or amend.
    pub stance: accord_core::governance::Stance,
    /// The opinion; for `amend`, the amended text proposed.
    pub text: String,
}

/// An authority's vote as it sends it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    /// For, against or abstain.
    pub choice: VoteChoice,
    /// Why.
    #[serde(default)]
    pub reason: String,
}

fn day(field: &str, s: &str) -> Result<Date> {
    crate::controls::check_day(field, s)
}

/// The days of the governance calendar: the system clock's, or a day set by hand (to replay or test a cycle).
#[derive(Debug, Default)]
pub struct Clock(std::sync::RwLock<Option<Date>>);

impl Clock {
    /// Today: the day set, else the system clock's.
    pub fn today(&self) -> Date {
        self.0.read().ok().and_then(|d| *d).unwrap_or_else(crate::controls::day)
    }

    /// Sets the day (`None`: back to the system clock).
    pub fn set(&self, day: Option<Date>) {
        if let Ok(mut d) = self.0.write() {
            *d = day;
        }
    }
}

/// Whether a principal may see proposals before they are published (officials of an authority, admins, auditors).
fn official(p: &Principal) -> bool {
    match p {
        Principal::Operator { .. } => true,
        Principal::User(u) => u.authority_id.is_some() || u.role != accord_core::model::Role::Exporter,
        Principal::Anonymous => false,
    }
}

impl App {
    /// Proposes changes to the control list and the policies in force (officers and expert panel members, for
    /// their authority). The changes are tried on the versions in force at once, so a proposal never holds a change
    /// that cannot be made; its kind (control list, policy rule, authorisation, red line) sets the least strict
    /// rule that may decide it.
    pub async fn propose(&self, p: &Principal, input: NewProposal) -> Result<Proposal> {
        self.propose_from(p, input, None).await
    }

    /// [`App::propose`], naming where the proposal came from (feedback, the technology watch).
    pub(crate) async fn propose_from(
        &self,
        p: &Principal,
        input: NewProposal,
        origin: Option<String>,
    ) -> Result<Proposal> {
        let authority = acting_authority(p, Action::DraftProposals)?;
        let proposal = self.draft_proposal(p, authority.as_str(), input, origin).await?;
        self.save_shared(p, &proposal, EventKind::ProposalCreated, &proposal.key(), to_json(&proposal), Vec::new())
            .await?;
        Ok(proposal)
    }

    /// A new draft proposal of `authority`, checked against the versions in force, not yet stored.
    pub(crate) async fn draft_proposal(
        &self,
        p: &Principal,
        authority: &str,
        input: NewProposal,
        origin: Option<String>,
    ) -> Result<Proposal> {
        let title = accord_core::model::parse_text("title", &input.title, 300)?;
        let rationale = accord_core::model::parse_text("rationale", &input.rationale, 20_000)?;
        let count = input.changes.len() + input.policy_changes.len();
        if count == 0 || count > 200 {
            return Err(Error::validation("changes", "a proposal makes 1 to 200 changes"));
        }
        let effective_date = day("effective_date", &input.effective_date)?;
        if effective_date <= self.clock.today() {
            return Err(Error::validation("effective_date", "the new version takes effect after today"));
        }
        let quorum_percent = input.quorum_percent.unwrap_or(66);
        if !(1..=100).contains(&quorum_percent) {
            return Err(Error::validation("quorum_percent", "the quorum is 1 to 100 percent of the members"));
        }
        let (base, list) = self.control_list_on(self.clock.today()).await?;
        let info = ListInfo {
            version: "proposed".into(),
            effective_date: effective_date.to_string(),
            rationale: title.clone(),
        };
        accord_controls::apply_changes(&list, &input.changes, info)?;
        let kind = self.kind_of(&input.policy_changes).await?;
        let rule = self.decision_rules.decide(kind, input.rule)?;
        let proposal = Proposal {
            id: accord_core::ids::generate_id("prp"),
            authority_id: authority.to_string(),
            title,
            rationale,
            changes: input.changes,
            policy_changes: input.policy_changes,
            kind,
            origin,
            base_version: base.seq,
            effective_date,
            status: ProposalStatus::Draft,
            rule,
            quorum_percent,
            members: Vec::new(),
            comment_from: None,
            comment_until: None,
            vote_until: None,
            comment_response: None,
            tally: None,
            adopted_version: None,
            adopted_policy_version: None,
            steps: vec![ProposalStepRecord {
                status: ProposalStatus::Draft,
                by: p.actor(),
                at: accord_core::now(),
                reason: "proposed".into(),
            }],
            version: 1,
        };
        Ok(proposal)
    }

    /// The kind of proposal policy changes make, tried on the policies in force (a control-list proposal makes
    /// none).
    async fn kind_of(&self, changes: &[PolicyChange]) -> Result<ProposalKind> {
        if changes.is_empty() {
            return Ok(ProposalKind::ControlList);
        }
        let (_, files) = self.policy_files_on(self.clock.today()).await?;
        Ok(accord_controls::apply_policy_changes(&files, changes)?.2)
    }

    /// The versions a proposal's adoption makes of the control list and the policies in force today (none for
    /// a part it does not change), with the mutations that store them and their events. The proposal's rule must
    /// be at least as strict as its changes' kind demands, whatever kind it claims.
    async fn adoption(&self, p: &Principal, x: &Proposal) -> Result<Adoption> {
        let today = self.clock.today();
        let source = format!("proposal {}", x.key());
        let mut out = Adoption::default();
        if x.policy_changes.is_empty() {
            // A change to the list alone is of its own kind, and its rule is checked as well.
            self.decision_rules.decide(ProposalKind::ControlList, Some(x.rule))?;
        }
        if !x.changes.is_empty() {
            let (_, list) = self.control_list_on(today).await?;
            let next = accord_controls::apply_changes(&list, &x.changes, adopted_info(x))?;
            let (version, stored) = self.new_control_version(&next, &source).await?;
            out.events.push(self.controls_event(p, &version));
            out.mutations.extend(stored);
            out.list_version = Some(version.seq);
        }
        if !x.policy_changes.is_empty() {
            let (_, files) = self.policy_files_on(today).await?;
            let (files, set, kind) = accord_controls::apply_policy_changes(&files, &x.policy_changes)?;
            self.decision_rules.decide(kind, Some(x.rule))?;
            let how = crate::PolicyImport {
                label: Some(format!("{}-{}", x.effective_date, x.id)),
                effective_date: None,
                rationale: adopted_info(x).rationale,
                source,
            };
            let versions = self.store.versions(accord_core::controls::VersionKind::Policies).await?;
            let (version, stored) = self.new_policy_version(&files, &how, x.effective_date, &versions)?;
            out.events.push(self.policies_event(p, &version, &set));
            out.mutations.push(stored);
            out.policy_version = Some(version.seq);
        }
        Ok(out)
    }

    /// Stores a shared record of this node's authority and publishes it to the allies, with its event.
    pub(crate) async fn keep_shared<T: Shared>(
        &self,
        p: &Principal,
        record: &T,
        kind: EventKind,
        subject: &str,
        payload: serde_json::Value,
    ) -> Result<()> {
        self.save_shared(p, record, kind, subject, payload, Vec::new()).await
    }

    /// [`App::keep_shared`] with more mutations in the same commit.
    pub(crate) async fn save_shared<T: Shared>(
        &self,
        p: &Principal,
        record: &T,
        kind: EventKind,
        subject: &str,
        payload: serde_json::Value,
        mut more: Vec<Mutation>,
    ) -> Result<()> {
        let authority = accord_core::ids::AuthorityId::parse(record.owner())?;
        let mut mutations = vec![crate::federation::kept(record, true)];
        mutations.extend(self.publication(record));
        mutations.append(&mut more);
        self.commit_and_notify(mutations, vec![event(p, Some(&authority), kind, subject, payload)]).await
    }

    /// Every shared record of a kind this node holds, of whichever authority.
    pub(crate) async fn all_shared<T: Shared>(&self) -> Result<Vec<T>> {
        self.store.shared(T::KIND.as_str()).await?.into_iter().map(|v| parse(v, T::KIND.as_str())).collect()
    }

    /// One shared record of an authority, by its key.
    pub(crate) async fn one_shared<T: Shared>(&self, authority: &str, key: &str) -> Result<Option<T>> {
        self.store
            .shared_record(T::KIND.as_str(), authority, key)
            .await?
            .map(|v| parse(v, T::KIND.as_str()))
            .transpose()
    }

    /// Every proposal the caller may see: the public and exporters see those published for comment and after;
    /// officials see drafts too. Newest first.
    pub async fn proposals(&self, p: &Principal) -> Result<Vec<Proposal>> {
        let mut all: Vec<Proposal> = self.all_shared().await?;
        if !official(p) {
            all.retain(|x| {
                !matches!(x.status, ProposalStatus::Draft | ProposalStatus::PanelReview | ProposalStatus::Withdrawn)
                    || x.comment_from.is_some()
            });
        }
        all.sort_by_key(|x| std::cmp::Reverse(x.steps.first().map(|s| s.at)));
        Ok(all)
    }

    /// One proposal by its key (`DE-BAFA:prp_…`), or by its bare id when only one authority has it.
    pub async fn proposal(&self, p: &Principal, key: &str) -> Result<Proposal> {
        let (owner, id) = key.split_once(':').map_or((None, key), |(o, i)| (Some(o), i));
        let found: Vec<Proposal> = self
            .proposals(p)
            .await?
            .into_iter()
            .filter(|x| x.id == id && owner.is_none_or(|o| o == x.authority_id))
            .collect();
        let several = found.len() > 1;
        match found.into_iter().next() {
            Some(x) if !several => Ok(x),
            None => Err(Error::not_found("proposal", key)),
            Some(_) => Err(Error::new(
                ErrorCode::Conflict,
                format!("several authorities have a proposal '{id}'; name it as AUTHORITY:{id}"),
            )),
        }
    }

    /// Takes a step of a proposal's life cycle (officers of the proposing authority): to a panel, open for comment
    /// (with its window), open the vote (with the response to the comments, the deadline and the members), or
    /// withdraw it.
    pub async fn step_proposal(
        &self,
        p: &Principal,
        key: &str,
        step: ProposalStep,
        input: StepInput,
    ) -> Result<Proposal> {
        let authority = acting_authority(p, Action::ProposeListChanges)?;
        let mut x = self.proposal(p, key).await?;
        if x.authority_id != authority.as_str() {
            return Err(Error::forbidden(format!("only {} takes the steps of its proposal", x.authority_id)));
        }
        let next = x.status.after(step)?;
        match step {
            ProposalStep::OpenComment => {
                let from = input
                    .comment_from
                    .as_deref()
                    .map(|d| day("comment_from", d))
                    .transpose()?
                    .unwrap_or_else(|| self.clock.today());
                let until = day("comment_until", input.comment_until.as_deref().unwrap_or_default())?;
                if until < from || until < self.clock.today() {
                    return Err(Error::validation(
                        "comment_until",
                        "the window ends on or after its first day, and not in the past",
                    ));
                }
                (x.comment_from, x.comment_until) = (Some(from), Some(until));
            }
            ProposalStep::OpenVote => {
                if x.comment_until.is_some_and(|u| self.clock.today() <= u) {
                    return Err(Error::new(
                        ErrorCode::ProposalState,
                        format!(
                            "the comment window is open until {}; the vote opens after it",
                            x.comment_until.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    ));
                }
                let response = input.comment_response.as_deref().unwrap_or_default();
                x.comment_response = Some(accord_core::model::parse_text("comment_response", response, 20_000)?);
                let until = day("vote_until", input.vote_until.as_deref().unwrap_or_default())?;
                if until < self.clock.today() {
                    return Err(Error::validation("vote_until", "the vote ends today or later"));
                }
                x.vote_until = Some(until);
                let members = match input.members {
                    Some(m) => m,
                    None => self.authorities().await?.into_iter().map(|a| a.id.to_string()).collect(),
                };
                let mut members: Vec<String> = members.into_iter().map(|m| m.trim().to_owned()).collect();
                members.sort();
                members.dedup();
                if members.is_empty() || !members.contains(&x.authority_id) {
                    return Err(Error::validation("members", "the members include the proposing authority"));
                }
                x.members = members;
            }
            ProposalStep::ToPanel | ProposalStep::Withdraw => {}
        }
        let reason = if input.reason.trim().is_empty() {
            step.as_str().replace('_', " ")
        } else {
            accord_core::model::parse_text("reason", &input.reason, 2000)?
        };
        x.status = next;
        x.steps.push(ProposalStepRecord { status: next, by: p.actor(), at: accord_core::now(), reason });
        x.version += 1;
        let payload = json!({ "step": step.as_str(), "status": next.as_str() });
        self.save_shared(p, &x, EventKind::ProposalStepped, &x.key(), payload, Vec::new()).await?;
        Ok(x)
    }

    /// Takes a public comment on a proposal open for comment (anyone, no key needed). It waits for moderation
    /// before it is public. Outside the window: `comment_window_closed`; too long, scripted or full of links:
    /// `comment_refused`; the same text twice, or a flood: refused, and nothing is stored.
    pub async fn comment(&self, p: &Principal, key: &str, input: NewComment) -> Result<Comment> {
        let x = self.proposal(&Principal::Anonymous, key).await?;
        if !x.open_for_comment(self.clock.today()) {
            return Err(Error::new(
                ErrorCode::CommentWindowClosed,
                match (x.comment_from, x.comment_until) {
                    (Some(f), Some(u)) => format!("proposal {} takes comments from {f} to {u}", x.key()),
                    _ => format!("proposal {} is not open for comment", x.key()),
                },
            ));
        }
        let text = check_comment(&input.text)?;
        let optional = |field: &str, v: &Option<String>| -> Result<Option<String>> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| accord_core::model::parse_name(field, s))
                .transpose()
        };
        let (name, organisation) = (optional("name", &input.name)?, optional("organisation", &input.organisation)?);
        let received: Vec<Comment> = self.all_comments(&x.key()).await?;
        if received.iter().any(|c| c.text == text) {
            return Err(Error::new(ErrorCode::AlreadyExists, "this comment was received already"));
        }
        let minute_ago = accord_core::now().plus(jiff::SignedDuration::from_secs(-60));
        if received.iter().filter(|c| c.received_at > minute_ago).count() >= MAX_COMMENTS_PER_MINUTE {
            return Err(Error::new(
                ErrorCode::CommentRefused,
                format!("more than {MAX_COMMENTS_PER_MINUTE} comments a minute on this proposal; try again shortly"),
            ));
        }
        // The node's own authority receives and moderates it; a node without one keeps it for the proposer.
        let receiver = self.federation().map_or_else(|| x.authority_id.clone(), |f| f.authority_id.clone());
        let c = Comment {
            id: accord_core::ids::generate_id("cmt"),
            proposal: x.key(),
            authority_id: receiver,
            respondent_type: input.respondent_type,
            name,
            organisation,
            text,
            received_at: accord_core::now(),
            status: CommentStatus::Pending,
            moderated_by: None,
            version: 1,
        };
        let payload = json!({ "proposal": c.proposal, "respondent_type": c.respondent_type });
        self.save_shared(p, &c, EventKind::CommentReceived, &c.id, payload, Vec::new()).await?;
        Ok(c)
    }

    async fn all_comments(&self, proposal: &str) -> Result<Vec<Comment>> {
        Ok(self.all_shared::<Comment>().await?.into_iter().filter(|c| c.proposal == proposal).collect())
    }

    /// The comments on a proposal: the published ones for everyone; the moderating authority's officials also see
    /// those waiting and refused.
    pub async fn comments(&self, p: &Principal, key: &str) -> Result<Vec<Comment>> {
        let x = self.proposal(p, key).await?;
        self.comments_on(p, &x.key()).await
    }

    async fn comments_on(&self, p: &Principal, proposal: &str) -> Result<Vec<Comment>> {
        let moderator = crate::user_principal(p).and_then(|u| u.authority_id.as_ref().map(|a| a.to_string()));
        let mut all = self.all_comments(proposal).await?;
        all.retain(|c| c.status == CommentStatus::Published || moderator.as_deref() == Some(c.authority_id.as_str()));
        all.sort_by_key(|c| c.received_at);
        Ok(all)
    }

    /// A proposal with what the caller may see of its comments, with its votes and its panel's opinions, for a
    /// page that shows them together (the proposal is looked up once).
    pub async fn proposal_with_responses(
        &self,
        p: &Principal,
        key: &str,
    ) -> Result<(Proposal, Vec<Comment>, Vec<Vote>, Vec<accord_core::governance::Opinion>)> {
        let x = self.proposal(p, key).await?;
        let key = x.key();
        let (comments, votes, opinions) =
            (self.comments_on(p, &key).await?, self.votes_on(&key).await?, self.opinions_on(&key).await?);
        Ok((x, comments, votes, opinions))
    }

    /// The text each of a proposal's policy changes replaces or removes in the policies in force (none for a
    /// block it adds), in the order of its changes: the "before" of its diff.
    pub async fn policy_texts_now(&self, x: &Proposal) -> Result<Vec<Option<String>>> {
        if x.policy_changes.is_empty() {
            return Ok(Vec::new());
        }
        let (_, files) = self.policy_files_on(self.clock.today()).await?;
        Ok(x.policy_changes.iter().map(|c| accord_controls::policy_block(&files, c)).collect())
    }

    /// Publishes or refuses a comment waiting for moderation (officers of the receiving authority).
    pub async fn moderate(&self, p: &Principal, comment_id: &str, publish: bool) -> Result<Comment> {
        let authority = acting_authority(p, Action::ModerateComments)?;
        let mut c: Comment = self
            .one_shared(authority.as_str(), comment_id)
            .await?
            .ok_or_else(|| Error::not_found("comment", comment_id))?;
        if c.status != CommentStatus::Pending {
            return Err(Error::new(ErrorCode::Conflict, format!("comment {} is {} already", c.id, c.status.as_str())));
        }
        c.status = if publish { CommentStatus::Published } else { CommentStatus::Refused };
        c.moderated_by = Some(p.actor());
        c.version += 1;
        let payload = json!({ "proposal": c.proposal, "status": c.status.as_str() });
        self.save_shared(p, &c, EventKind::CommentModerated, &c.id, payload, Vec::new()).await?;
        Ok(c)
    }

    /// Gives an expert panel member's advisory opinion on a proposal with a panel or open for comment, once per
    /// member and proposal.
    pub async fn give_opinion(
        &self,
        p: &Principal,
        key: &str,
        input: NewOpinion,
    ) -> Result<accord_core::governance::Opinion> {
        crate::authz::require(p, Action::GiveExpertOpinions)?;
        let x = self.proposal(p, key).await?;
        if !matches!(x.status, ProposalStatus::PanelReview | ProposalStatus::PublicComment) {
            return Err(Error::new(
                ErrorCode::ProposalState,
                format!(
                    "proposal {} is {}; opinions are given during panel review or public comment",
                    x.key(),
                    x.status.as_str()
                ),
            ));
        }
        let member = crate::user_principal(p).map(|u| u.user_id.to_string()).unwrap_or_else(|| p.actor());
        if self.opinions_on(&x.key()).await?.iter().any(|o| o.member == member) {
            return Err(Error::new(
                ErrorCode::AlreadyExists,
                format!("{member} gave an opinion on {} already", x.key()),
            ));
        }
        let o = accord_core::governance::Opinion {
            id: accord_core::ids::generate_id("opn"),
            proposal: x.key(),
            authority_id: self.federation().map_or_else(|| x.authority_id.clone(), |f| f.authority_id.clone()),
            member,
            affiliation: input.affiliation,
            conflict_of_interest: accord_core::model::parse_text(
                "conflict_of_interest",
                &input.conflict_of_interest,
                2000,
            )?,
            stance: input.stance,
            text: accord_core::model::parse_text("text", &input.text, 20_000)?,
            given_at: accord_core::now(),
            version: 1,
        };
        let payload =
            json!({ "proposal": o.proposal, "stance": o.stance.as_str(), "affiliation": o.affiliation.as_str() });
        self.save_shared(p, &o, EventKind::OpinionGiven, &o.id, payload, Vec::new()).await?;
        Ok(o)
    }

    /// The expert opinions on a proposal (public, like the proposal once published).
    pub async fn opinions(&self, p: &Principal, key: &str) -> Result<Vec<accord_core::governance::Opinion>> {
        let x = self.proposal(p, key).await?;
        self.opinions_on(&x.key()).await
    }

    async fn opinions_on(&self, proposal: &str) -> Result<Vec<accord_core::governance::Opinion>> {
        let mut all: Vec<accord_core::governance::Opinion> = self.all_shared().await?;
        all.retain(|o| o.proposal == proposal);
        all.sort_by_key(|o| o.given_at);
        Ok(all)
    }

    /// The votes cast on a proposal, as received.
    pub async fn votes(&self, p: &Principal, key: &str) -> Result<Vec<Vote>> {
        let x = self.proposal(p, key).await?;
        self.votes_on(&x.key()).await
    }

    async fn votes_on(&self, proposal: &str) -> Result<Vec<Vote>> {
        Ok(self.all_shared::<Vote>().await?.into_iter().filter(|v| v.proposal == proposal).collect())
    }

    /// Casts the caller's authority's vote (senior officers), once, while the vote is open.
    pub async fn vote(&self, p: &Principal, key: &str, input: NewVote) -> Result<Vote> {
        let authority = acting_authority(p, Action::VoteOnProposals)?;
        let x = self.proposal(p, key).await?;
        let refused = |m: String| Error::new(ErrorCode::VoteRefused, m);
        if x.status != ProposalStatus::CoalitionVote {
            return Err(refused(format!("proposal {} is {}, not open for votes", x.key(), x.status.as_str())));
        }
        if !x.members.iter().any(|m| m == authority.as_str()) {
            return Err(refused(format!("{authority} is not a member of the vote on {}", x.key())));
        }
        if x.vote_until.is_some_and(|u| self.clock.today() > u) {
            return Err(refused(format!(
                "the vote on {} closed on {}",
                x.key(),
                x.vote_until.map(|d| d.to_string()).unwrap_or_default()
            )));
        }
        if self.votes_on(&x.key()).await?.iter().any(|v| v.authority_id == authority.as_str()) {
            return Err(refused(format!("{authority} has voted on {} already", x.key())));
        }
        let reason = if input.reason.trim().is_empty() {
            String::new()
        } else {
            accord_core::model::parse_text("reason", &input.reason, 4000)?
        };
        let v = Vote {
            proposal: x.key(),
            authority_id: authority.to_string(),
            choice: input.choice,
            reason,
            cast_at: accord_core::now(),
        };
        let payload = json!({ "proposal": v.proposal, "choice": v.choice.as_str() });
        self.save_shared(p, &v, EventKind::VoteCast, &x.key(), payload, Vec::new()).await.map_err(|e| {
            match e.code {
                ErrorCode::Conflict | ErrorCode::AlreadyExists => {
                    refused(format!("{authority} has voted on {} already", x.key()))
                }
                _ => e,
            }
        })?;
        Ok(v)
    }

    /// Closes the vote (officers of the proposing authority), once every member voted or the deadline passed: the
    /// tally decides. Adopted, the changes become the next version of the control list in the same commit, in
    /// force from the proposal's effective day; otherwise the proposal is rejected.
    pub async fn close_vote(&self, p: &Principal, key: &str) -> Result<Proposal> {
        let authority = acting_authority(p, Action::ProposeListChanges)?;
        let mut x = self.proposal(p, key).await?;
        if x.authority_id != authority.as_str() {
            return Err(Error::forbidden(format!("only {} closes the vote on its proposal", x.authority_id)));
        }
        if x.status != ProposalStatus::CoalitionVote {
            return Err(Error::new(
                ErrorCode::ProposalState,
                format!("proposal {} is {}, not being voted on", x.key(), x.status.as_str()),
            ));
        }
        let votes = self.votes_on(&x.key()).await?;
        let deadline = x.vote_until.unwrap_or_else(|| self.clock.today());
        let members: Vec<&str> = x.members.iter().map(String::as_str).collect();
        let t = tally(x.rule, &members, x.quorum_percent, deadline, &votes);
        if self.clock.today() <= deadline && t.voted < t.members {
            return Err(Error::new(
                ErrorCode::ProposalState,
                format!("{} of {} members have voted; the vote closes after {deadline}", t.voted, t.members),
            ));
        }
        let adoption = if t.adopted { self.adoption(p, &x).await? } else { Adoption::default() };
        (x.adopted_version, x.adopted_policy_version) = (adoption.list_version, adoption.policy_version);
        x.status = if t.adopted { ProposalStatus::Adopted } else { ProposalStatus::Rejected };
        let reason = format!(
            "{} for, {} against, {} abstaining of {} members{}",
            t.for_votes,
            t.against,
            t.abstain,
            t.members,
            if t.quorum_met { "" } else { "; quorum missed" }
        );
        x.steps.push(ProposalStepRecord { status: x.status, by: p.actor(), at: accord_core::now(), reason });
        x.tally = Some(t);
        x.version += 1;
        let payload = json!({
            "status": x.status.as_str(),
            "tally": x.tally,
            "adopted_version": x.adopted_version,
            "adopted_policy_version": x.adopted_policy_version,
        });
        let mut mutations = vec![crate::federation::kept(&x, true)];
        mutations.extend(self.publication(&x));
        mutations.extend(adoption.mutations);
        let mut events = vec![event(p, Some(&authority), EventKind::ProposalClosed, &x.key(), payload)];
        events.extend(adoption.events);
        self.commit_and_notify(mutations, events).await?;
        Ok(x)
    }

    /// Makes the next versions of this node's control list and policies from a proposal an ally adopted, as the
    /// proposer's node did (the same changes, label, effective day and rationale), in one commit. A proposal
    /// applied here already changes nothing; one decided by a rule less strict than its changes demand is refused.
    pub(crate) async fn adopt_received(&self, p: &Principal, x: &Proposal) -> Result<()> {
        let source = format!("proposal {}", x.key());
        let versions = self.control_versions().await?;
        let policies = self.policy_versions().await?;
        if versions.iter().chain(&policies).any(|v| v.source == source) {
            return Ok(());
        }
        let adoption = self.adoption(p, x).await?;
        if adoption.mutations.is_empty() {
            return Ok(());
        }
        self.store.commit(adoption.mutations, adoption.events).await.map(|_| ())
    }
}

/// The versions an adopted proposal makes, with what stores them.
#[derive(Default)]
struct Adoption {
    list_version: Option<i64>,
    policy_version: Option<i64>,
    mutations: Vec<Mutation>,
    events: Vec<accord_store::NewEvent>,
}

/// An answer that would change under a proposal: of a recent application, or of a case of the determination suite.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct Flip {
    /// The application's id, or the suite case's name.
    pub subject: String,
    /// The jurisdiction whose answer changes.
    pub jurisdiction: String,
    /// The answer under the versions in force.
    pub before: accord_core::determination::Outcome,
    /// The answer under the proposed versions.
    pub after: accord_core::determination::Outcome,
}

/// What a proposal would change in one body of transactions.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, ToSchema)]
pub struct ImpactPart {
    /// Transactions determined again.
    pub determined: usize,
    /// Transactions whose items the proposed list no longer has (a removed entry): application ids or case names.
    pub no_longer_listed: Vec<String>,
    /// Transactions that could not be determined under the versions in force either (e.g. a code since removed).
    pub skipped: usize,
    /// The answers that change.
    pub flips: Vec<Flip>,
}

/// What a proposal would change: the determination suite and the recent applications determined again under the
/// proposed control list and policies.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ToSchema)]
pub struct Impact {
    /// The proposal.
    pub proposal: String,
    /// The cases of the determination suite (transactions written from the legal texts).
    pub suite: ImpactPart,
    /// The most recent applications the caller may see, up to the limit.
    pub applications: ImpactPart,
}

/// The versions a transaction is determined under, for an impact preview.
struct Versions<'a> {
    list: &'a accord_controls::ControlList,
    policies: &'a accord_controls::PolicySet,
}

impl ImpactPart {
    /// Determines one transaction under the versions in force and the proposed ones, and notes what changes.
    fn add(
        &mut self,
        subject: &str,
        tx: &accord_controls::Transaction,
        screening: Option<accord_controls::Screening>,
        now: &Versions,
        then: &Versions,
    ) -> Result<()> {
        self.determined += 1;
        let Ok(before) = tx.check(now.list, now.policies) else {
            self.skipped += 1;
            return Ok(());
        };
        let Ok(after) = tx.check(then.list, then.policies) else {
            self.no_longer_listed.push(subject.to_owned());
            return Ok(());
        };
        let before = accord_controls::determine(now.policies, now.list, &before, screening.clone())?;
        let after = accord_controls::determine(then.policies, then.list, &after, screening)?;
        for b in &before.jurisdictions {
            let a = after.jurisdictions.iter().find(|a| a.jurisdiction == b.jurisdiction);
            if let Some(a) = a.filter(|a| a.outcome != b.outcome) {
                self.flips.push(Flip {
                    subject: subject.to_owned(),
                    jurisdiction: b.jurisdiction.clone(),
                    before: b.outcome,
                    after: a.outcome,
                });
            }
        }
        Ok(())
    }
}

impl App {
    /// Determines the determination suite and the most recent applications the caller may see (up to `limit`, at
    /// most 10,000) again under the proposed control list and policies and under those in force, without party
    /// screening for applications (the same for both), and lists every answer that would change.
    pub async fn impact(&self, p: &Principal, key: &str, limit: usize) -> Result<Impact> {
        acting_authority(p, Action::DraftProposals)?;
        let x = self.proposal(p, key).await?;
        let today = self.clock.today();
        let (_, list) = self.control_list_on(today).await?;
        let proposed = accord_controls::apply_changes(&list, &x.changes, adopted_info(&x))?;
        let (_, files) = self.policy_files_on(today).await?;
        let (_, policies) = self.policies_on(today).await?;
        let proposed_policies = match x.policy_changes.is_empty() {
            true => policies.clone(),
            false => std::sync::Arc::new(accord_controls::apply_policy_changes(&files, &x.policy_changes)?.1),
        };
        let now = Versions { list: &list, policies: &policies };
        let then = Versions { list: &proposed, policies: &proposed_policies };
        let mut impact =
            Impact { proposal: x.key(), suite: ImpactPart::default(), applications: ImpactPart::default() };
        for c in accord_controls::builtin_suite()? {
            impact.suite.add(&c.name, &c.transaction, c.screening, &now, &then)?;
        }
        let mut applications = self.applications(p).await?;
        applications.sort_by_key(|a| std::cmp::Reverse(a.created_at));
        applications.truncate(limit.clamp(1, 10_000));
        let screening =
            accord_controls::Screening { threshold: accord_screen::DEFAULT_THRESHOLD, ..Default::default() };
        for a in &applications {
            impact.applications.add(a.id.as_str(), &a.transaction, Some(screening.clone()), &now, &then)?;
        }
        Ok(impact)
    }
}

/// What the version an adopted proposal makes says about itself, the same on every node.
fn adopted_info(x: &Proposal) -> ListInfo {
    ListInfo {
        version: format!("{}-{}", x.effective_date, x.id),
        effective_date: x.effective_date.to_string(),
        rationale: format!("{} (proposal {}, adopted by the coalition)", x.title, x.key()),
    }
}
