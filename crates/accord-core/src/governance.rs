//! Governance of the control list: proposals that change it, their life cycle (draft → panel review → public
//! comment → coalition vote → adopted, rejected or withdrawn), the allies' votes and the rule that decides them, and
//! public comments. Pure: the rules here decide; the application services store and replicate.

use crate::error::{Error, ErrorCode, Result};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

crate::named_enum! {
    /// Where a proposal stands.
    ProposalStatus {
        /// Being written by its author.
        Draft = "draft",
        /// With an expert panel for its opinion.
        PanelReview = "panel_review",
        /// Published for public comment, within its window.
        PublicComment = "public_comment",
        /// The allies vote on it, until its deadline.
        CoalitionVote = "coalition_vote",
        /// Adopted: the new version takes effect on its effective date.
        Adopted = "adopted",
        /// Rejected by the vote.
        Rejected = "rejected",
        /// Withdrawn by its author's authority.
        Withdrawn = "withdrawn",
    }
}

impl ProposalStatus {
    /// Whether nothing more happens to a proposal in this state.
    pub fn is_closed(self) -> bool {
        matches!(self, ProposalStatus::Adopted | ProposalStatus::Rejected | ProposalStatus::Withdrawn)
    }

    /// The state a step leads to from this one, or `proposal_state` naming what is allowed.
    pub fn after(self, step: ProposalStep) -> Result<ProposalStatus> {
        use ProposalStatus as S;
        use ProposalStep as P;
        let next = match (self, step) {
            (S::Draft, P::ToPanel) => S::PanelReview,
            (S::Draft | S::PanelReview, P::OpenComment) => S::PublicComment,
            (S::PublicComment, P::OpenVote) => S::CoalitionVote,
            (s, P::Withdraw) if !s.is_closed() && s != S::CoalitionVote => S::Withdrawn,
            _ => {
                return Err(Error::new(
                    ErrorCode::ProposalState,
                    format!("a proposal that is {} cannot {}", self.as_str(), step.as_str().replace('_', " ")),
                ));
            }
        };
        Ok(next)
    }
}

crate::named_enum! {
    /// A step of a proposal's life cycle, taken by its authority.
    ProposalStep {
        /// Send the draft to an expert panel.
        ToPanel = "to_panel",
        /// Publish it for public comment.
        OpenComment = "open_comment",
        /// Put it to the coalition's vote.
        OpenVote = "open_vote",
        /// Withdraw it.
        Withdraw = "withdraw",
    }
}

crate::named_enum! {
    /// What a change does to the list.
    ChangeOp {
        /// Adds an entry.
        Add = "add",
        /// Amends an entry's title or text.
        Amend = "amend",
        /// Removes an entry (and its sub-items).
        Remove = "remove",
        /// Changes the control threshold in an entry's text (elevates or relaxes it).
        Rethreshold = "rethreshold",
    }
}

/// One change a proposal makes to the control list in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryChange {
    /// What it does.
    pub op: ChangeOp,
    /// The entry's code.
    pub code: String,
    /// The new title (add; amend optionally).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The new text (add; amend and rethreshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl EntryChange {
    /// Checks what each kind of change needs.
    pub fn check(&self, i: usize) -> Result<()> {
        let field = |f: &str| format!("changes[{i}].{f}");
        let needs = |what: &Option<String>, f: &str| -> Result<()> {
            match what.as_deref().map(str::trim) {
                Some(v) if !v.is_empty() => crate::model::parse_text(&field(f), v, 20_000).map(|_| ()),
                _ => Err(Error::validation(&field(f), format!("{} needs a {f}", self.op.as_str()))),
            }
        };
        match self.op {
            ChangeOp::Add => needs(&self.title, "title").and_then(|()| needs(&self.text, "text")),
            ChangeOp::Amend if self.title.is_none() && self.text.is_none() => {
                Err(Error::validation(&field("text"), "an amendment changes the title, the text or both"))
            }
            ChangeOp::Amend => {
                for (v, f) in [(&self.title, "title"), (&self.text, "text")] {
                    if v.is_some() {
                        needs(v, f)?;
                    }
                }
                Ok(())
            }
            ChangeOp::Rethreshold => needs(&self.text, "text"),
            ChangeOp::Remove => Ok(()),
        }
    }
}

crate::named_enum! {
    /// What a change does to a policy file.
    PolicyOp {
        /// Adds a rule (or red line), or replaces the rule with its id.
        SetRule = "set_rule",
        /// Removes the rule with its id.
        RemoveRule = "remove_rule",
        /// Adds a general authorisation or exemption, or replaces the one with its id.
        SetAuthorisation = "set_authorisation",
        /// Removes the general authorisation or exemption with its id.
        RemoveAuthorisation = "remove_authorisation",
        /// Adds a named set (of countries or codes), or replaces the one with its name.
        SetSet = "set_set",
    }
}

impl PolicyOp {
    /// Whether the change brings a body (the TOML of what is set).
    pub fn sets(self) -> bool {
        matches!(self, PolicyOp::SetRule | PolicyOp::SetAuthorisation | PolicyOp::SetSet)
    }
}

/// One change a proposal makes to a policy file in force: a rule, red line, general authorisation, exemption or
/// named set, added, replaced or removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyChange {
    /// What it does.
    pub op: PolicyOp,
    /// The policy file, e.g. `coalition.toml` (red lines) or `eu.toml`.
    pub file: String,
    /// The rule's or authorisation's id, or the set's name.
    pub id: String,
    /// For `set_*`: the TOML keys of the rule, authorisation or set, without its id (e.g. `outcome = "prohibited"`,
    /// `citation = "…"`, `summary = "…"`, `when.destinations = ["KP"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl PolicyChange {
    /// Checks what each kind of change needs.
    pub fn check(&self, i: usize) -> Result<()> {
        let field = |f: &str| format!("policy_changes[{i}].{f}");
        crate::model::parse_name(&field("file"), &self.file)?;
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 100
            && self.id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !id_ok {
            return Err(Error::validation(&field("id"), "an id is 1 to 100 letters, digits, '.', '_' or '-'"));
        }
        match (self.op.sets(), self.body.as_deref().map(str::trim)) {
            (true, Some(b)) if !b.is_empty() => crate::model::parse_text(&field("body"), b, 20_000).map(|_| ()),
            (true, _) => Err(Error::validation(&field("body"), format!("{} needs a body", self.op.as_str()))),
            (false, None) => Ok(()),
            (false, Some(_)) => Err(Error::validation(&field("body"), format!("{} takes no body", self.op.as_str()))),
        }
    }
}

crate::named_enum! {
    /// What a proposal changes, which decides the least strict rule that may decide it.
    #[derive(Default)]
    ProposalKind {
        /// Entries of the control list.
        #[default]
        ControlList = "control_list",
        /// General authorisations or exemptions of a jurisdiction.
        Authorisation = "authorisation",
        /// Rules or named sets of a jurisdiction's policy.
        PolicyRule = "policy_rule",
        /// The coalition's red lines.
        RedLine = "red_line",
    }
}

impl DecisionRule {
    /// How strict the rule is: consensus 3, qualified majority 2, simple majority 1.
    pub fn strictness(self) -> u8 {
        match self {
            DecisionRule::Consensus => 3,
            DecisionRule::QualifiedMajority => 2,
            DecisionRule::SimpleMajority => 1,
        }
    }
}

/// The rule each kind of proposal is decided by at least, kept as data (the node's configuration may make a kind
/// stricter): red lines by consensus, everything else by a qualified majority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRules {
    /// Entries of the control list.
    #[serde(default = "qualified")]
    pub control_list: DecisionRule,
    /// General authorisations and exemptions.
    #[serde(default = "qualified")]
    pub authorisation: DecisionRule,
    /// Rules and named sets of a jurisdiction.
    #[serde(default = "qualified")]
    pub policy_rule: DecisionRule,
    /// The coalition's red lines: never less than consensus.
    #[serde(default = "consensus")]
    pub red_line: DecisionRule,
}

fn qualified() -> DecisionRule {
    DecisionRule::QualifiedMajority
}

fn consensus() -> DecisionRule {
    DecisionRule::Consensus
}

impl Default for DecisionRules {
    fn default() -> Self {
        DecisionRules {
            control_list: qualified(),
            authorisation: qualified(),
            policy_rule: qualified(),
            red_line: consensus(),
        }
    }
}

impl DecisionRules {
    /// The least strict rule a kind of proposal may be decided by (red lines: consensus, whatever is configured).
    pub fn for_kind(&self, kind: ProposalKind) -> DecisionRule {
        match kind {
            ProposalKind::ControlList => self.control_list,
            ProposalKind::Authorisation => self.authorisation,
            ProposalKind::PolicyRule => self.policy_rule,
            ProposalKind::RedLine => DecisionRule::Consensus,
        }
    }

    /// The rule a proposal of `kind` is decided by: the one asked for, or the kind's; one less strict than the
    /// kind's is refused.
    pub fn decide(&self, kind: ProposalKind, asked: Option<DecisionRule>) -> Result<DecisionRule> {
        let least = self.for_kind(kind);
        match asked {
            None => Ok(least),
            Some(r) if r.strictness() >= least.strictness() => Ok(r),
            Some(r) => Err(Error::validation(
                "rule",
                format!(
                    "a {} proposal is decided by {} at least, not {}",
                    kind.as_str().replace('_', " "),
                    least.as_str().replace('_', " "),
                    r.as_str().replace('_', " ")
                ),
            )),
        }
    }
}

/// One step in a proposal's life, as its record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProposalStepRecord {
    /// The state it led to.
    pub status: ProposalStatus,
    /// Who took it.
    pub by: String,
    /// When.
    pub at: crate::Timestamp,
    /// Why, in their words.
    pub reason: String,
}

/// A proposed change to the coalition's control list, owned by the proposing authority and replicated to the allies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Generated id (`prp_…`), unique per authority.
    pub id: String,
    /// The proposing authority.
    pub authority_id: String,
    /// What it is about.
    pub title: String,
    /// Why, published with it.
    pub rationale: String,
    /// The changes to the list.
    pub changes: Vec<EntryChange>,
    /// The changes to the policies (rules, red lines, general authorisations, exemptions, named sets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_changes: Vec<PolicyChange>,
    /// What it changes, which decides the least strict rule that may decide it.
    #[serde(default)]
    pub kind: ProposalKind,
    /// Where it came from when not written from scratch: `feedback DE-BAFA:fbk_…` or `watch DE-BAFA:tw_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The control-list version (sequence number) it was written against.
    pub base_version: i64,
    /// The day the new version would take effect.
    #[schema(value_type = String, format = Date)]
    pub effective_date: Date,
    /// Where it stands.
    pub status: ProposalStatus,
    /// How the allies decide it.
    pub rule: DecisionRule,
    /// The share of members, in percent, who must vote.
    pub quorum_percent: u8,
    /// The authorities entitled to vote (set when the vote opens).
    #[serde(default)]
    pub members: Vec<String>,
    /// The public comment window, first and last day.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub comment_from: Option<Date>,
    /// The last day of the comment window.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub comment_until: Option<Date>,
    /// The last day of the vote.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub vote_until: Option<Date>,
    /// The response to the comments, published with the proposal before the vote.
    #[serde(default)]
    pub comment_response: Option<String>,
    /// How the vote came out, once closed.
    #[serde(default)]
    pub tally: Option<Tally>,
    /// The control-list version its adoption created.
    #[serde(default)]
    pub adopted_version: Option<i64>,
    /// The policy-set version its adoption created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_policy_version: Option<i64>,
    /// Every step, oldest first.
    pub steps: Vec<ProposalStepRecord>,
    /// Increases with every change.
    pub version: i64,
}

impl Proposal {
    /// The key allies name it by: its authority and id.
    pub fn key(&self) -> String {
        format!("{}:{}", self.authority_id, self.id)
    }

    /// Whether the public may comment on it on `today`.
    pub fn open_for_comment(&self, today: Date) -> bool {
        self.status == ProposalStatus::PublicComment
            && self.comment_from.is_some_and(|f| f <= today)
            && self.comment_until.is_some_and(|u| today <= u)
    }
}

/// A public comment on a proposal, owned by the authority whose node received it (which moderates it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    /// Generated id (`cmt_…`).
    pub id: String,
    /// The proposal's key (`DE-BAFA:prp_…`).
    pub proposal: String,
    /// The receiving authority, which moderates it.
    pub authority_id: String,
    /// Who it comes from.
    pub respondent_type: RespondentType,
    /// The name given, unless anonymous.
    #[serde(default)]
    pub name: Option<String>,
    /// The organisation given, if any.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The comment.
    pub text: String,
    /// When it was received.
    pub received_at: crate::Timestamp,
    /// Where it stands.
    pub status: CommentStatus,
    /// The moderator, once moderated.
    #[serde(default)]
    pub moderated_by: Option<String>,
    /// Increases with every change.
    pub version: i64,
}

crate::named_enum! {
    /// Where an expert panel member comes from.
    Affiliation {
        /// Industry.
        Industry = "industry",
        /// A university or research institute.
        Academia = "academia",
        /// Defence.
        Defence = "defence",
        /// Civil society.
        CivilSociety = "civil_society",
        /// Government.
        Government = "government",
    }
}

crate::named_enum! {
    /// What an expert panel advises on a proposal.
    Stance {
        /// Adopt it as it is.
        Support = "support",
        /// Do not adopt it.
        Oppose = "oppose",
        /// Adopt it amended as the opinion's text says.
        Amend = "amend",
    }
}

/// An expert panel member's advisory opinion on a proposal, with their affiliation and conflict-of-interest
/// declaration, owned by the authority whose node received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Opinion {
    /// Generated id (`opn_…`).
    pub id: String,
    /// The proposal's key.
    pub proposal: String,
    /// The receiving authority.
    pub authority_id: String,
    /// The panel member (their name).
    pub member: String,
    /// Where they come from.
    pub affiliation: Affiliation,
    /// Their declaration of interests ("none" when they have none).
    pub conflict_of_interest: String,
    /// Support, oppose or amend.
    pub stance: Stance,
    /// The opinion; for `amend`, the amended text proposed.
    pub text: String,
    /// When it was given.
    pub given_at: crate::Timestamp,
    /// Opinions are not changed.
    pub version: i64,
}

crate::named_enum! {
    /// What an exporter's feedback reports.
    FeedbackKind {
        /// The control is hard to apply (unclear wording, hard to classify).
        Difficulty = "difficulty",
        /// The control catches what it was not meant to.
        UnintendedConsequence = "unintended_consequence",
        /// The control costs the exporter (lost sales, delays).
        Cost = "cost",
        /// A change the exporter suggests.
        SuggestedChange = "suggested_change",
    }
}

crate::named_enum! {
    /// Where a piece of feedback stands.
    FeedbackStatus {
        /// Not yet read by an analyst.
        New = "new",
        /// Read, and given a theme.
        Triaged = "triaged",
        /// Read, and not taken further.
        Dismissed = "dismissed",
    }
}

/// An exporter's feedback on a control entry, a rule or a general authorisation, owned by the exporter's authority
/// and shared with the allies so review cycles count it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Feedback {
    /// Generated id (`fbk_…`).
    pub id: String,
    /// The exporter's authority.
    pub authority_id: String,
    /// The exporter's organisation.
    pub organisation_id: String,
    /// What it is about: a control code (`3A001`), a rule or a general authorisation (`EU001`).
    pub subject: String,
    /// What it reports.
    pub kind: FeedbackKind,
    /// In the exporter's words.
    pub text: String,
    /// The estimated yearly cost to the exporter, in euros, when given.
    #[serde(default)]
    pub estimated_cost_eur: Option<u64>,
    /// Who sent it.
    pub submitted_by: String,
    /// When.
    pub submitted_at: crate::Timestamp,
    /// Where it stands.
    pub status: FeedbackStatus,
    /// The theme an analyst gave it.
    #[serde(default)]
    pub theme: Option<String>,
    /// The analyst who triaged it.
    #[serde(default)]
    pub triaged_by: Option<String>,
    /// The proposal it was turned into (`AUTHORITY:prp_…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<String>,
    /// Increases with every change.
    pub version: i64,
}

/// A review the coalition holds on a schedule, kept as data: e.g. each category's yearly refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewSchedule {
    /// What is reviewed, e.g. "Annual review of category 3".
    pub title: String,
    /// The category (0-9) reviewed; none for the whole list.
    #[serde(default)]
    pub category: Option<u8>,
    /// What is reviewed: the control list (default) or the authority's denials (the three-year review).
    #[serde(default)]
    pub scope: ReviewScope,
    /// Months between two cycles (1-60).
    pub every_months: u8,
    /// The day the first cycle opens.
    #[schema(value_type = String, format = Date)]
    pub first_opens_on: Date,
    /// Days after opening by which proposals are due.
    pub proposals_within_days: u16,
    /// Days after opening when the cycle closes (at least the proposals' days).
    pub closes_within_days: u16,
}

impl ReviewSchedule {
    /// Checks the schedule's numbers and title.
    pub fn check(&self, i: usize) -> Result<()> {
        let field = |f: &str| format!("schedules[{i}].{f}");
        crate::model::parse_name(&field("title"), &self.title)?;
        if self.category.is_some_and(|c| c > 9) {
            return Err(Error::validation(&field("category"), "a category is 0 to 9"));
        }
        if !(1..=60).contains(&self.every_months) {
            return Err(Error::validation(&field("every_months"), "a cycle comes every 1 to 60 months"));
        }
        if self.proposals_within_days == 0 || self.closes_within_days < self.proposals_within_days {
            return Err(Error::validation(&field("closes_within_days"), "a cycle closes after its proposals are due"));
        }
        Ok(())
    }

    /// The opening day of the cycle in course on `today` (the latest opening not after it), if the schedule has
    /// begun.
    pub fn opening_on(&self, today: Date) -> Option<Date> {
        let mut opening = self.first_opens_on;
        if today < opening {
            return None;
        }
        for n in 1..=1200i64 {
            let next =
                self.first_opens_on.checked_add(jiff::Span::new().months(n * i64::from(self.every_months))).ok()?;
            if next > today {
                break;
            }
            opening = next;
        }
        Some(opening)
    }
}

/// Something a person responsible for governance must do soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reminder {
    /// The authority whose people must act.
    pub authority_id: String,
    /// Who acts: `officer` (takes the steps of proposals and cycles) or `senior_officer` (votes).
    pub role: String,
    /// The proposal or review cycle.
    pub subject: String,
    /// What is to be done.
    pub what: String,
    /// By when.
    #[schema(value_type = String, format = Date)]
    pub due: Date,
}

/// Days ahead a deadline starts to be reminded of.
pub const REMIND_DAYS_AHEAD: i64 = 14;

/// What the people responsible must do soon, as of `today`: proposals due in an open review cycle, a cycle ready to
/// close, a vote a member has not cast, a proposal whose comment window has ended and waits for its vote, a vote
/// past its deadline waiting to be closed. Pure: the same records give the same reminders, soonest first.
pub fn reminders(today: Date, cycles: &[ReviewCycle], proposals: &[Proposal], votes: &[Vote]) -> Vec<Reminder> {
    let soon = |d: Date| d.since(today).is_ok_and(|s| i64::from(s.get_days()) <= REMIND_DAYS_AHEAD);
    let mut out = Vec::new();
    let mut remind = |authority: &str, role: &str, subject: &str, what: String, due: Date| {
        out.push(Reminder { authority_id: authority.into(), role: role.into(), subject: subject.into(), what, due });
    };
    for c in cycles.iter().filter(|c| c.status == CycleStatus::Open && c.opens_on <= today) {
        if today <= c.proposals_due && soon(c.proposals_due) {
            let what = format!("proposals for '{}' are due on {}", c.title, c.proposals_due);
            remind(&c.authority_id, "officer", &c.id, what, c.proposals_due);
        } else if today > c.proposals_due {
            let what = format!("close '{}' with its report (it closes on {})", c.title, c.closes_on);
            remind(&c.authority_id, "officer", &c.id, what, c.closes_on);
        }
    }
    for x in proposals {
        match x.status {
            ProposalStatus::PublicComment if x.comment_until.is_some_and(|u| u < today) => {
                let what =
                    format!("the comment window of '{}' has ended: answer the comments and open the vote", x.title);
                remind(&x.authority_id, "officer", &x.key(), what, today);
            }
            ProposalStatus::CoalitionVote => {
                let Some(until) = x.vote_until else { continue };
                if until < today {
                    let what = format!("the vote on '{}' ended on {until}: close it", x.title);
                    remind(&x.authority_id, "officer", &x.key(), what, today);
                    continue;
                }
                for m in &x.members {
                    let voted = votes.iter().any(|v| v.proposal == x.key() && &v.authority_id == m);
                    if !voted && soon(until) {
                        remind(m, "senior_officer", &x.key(), format!("vote on '{}' by {until}", x.title), until);
                    }
                }
            }
            _ => {}
        }
    }
    out.sort_by(|a, b| (a.due, &a.subject, &a.authority_id).cmp(&(b.due, &b.subject, &b.authority_id)));
    out
}

crate::named_enum! {
    /// What a review cycle reviews.
    #[derive(Default)]
    ReviewScope {
        /// The control list (a category of it, or all of it): proposals and industry feedback.
        #[default]
        ControlList = "control_list",
        /// The authority's denials that reach three years in the cycle: each renewed or left to lapse.
        Denials = "denials",
    }
}

crate::named_enum! {
    /// Where a review cycle stands.
    CycleStatus {
        /// Open: proposals and feedback are gathered.
        Open = "open",
        /// Closed, with its report.
        Closed = "closed",
    }
}

/// What a review cycle changed and what it left, as its report says when it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CycleReport {
    /// When it closed.
    pub closed_at: crate::Timestamp,
    /// Proposals of the cycle, by key, with where each stands.
    pub proposals: Vec<(String, ProposalStatus)>,
    /// Subjects in the cycle's scope with feedback, and how many reports each had (dismissed ones left out).
    pub feedback: Vec<(String, usize)>,
    /// Subjects with feedback that no proposal of the cycle took up; for a denial review, the denials due that
    /// were neither renewed nor revoked.
    pub left: Vec<String>,
    /// For a denial review: the authority's denials that reach their review in the cycle, with where each stands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denials: Vec<(String, String)>,
}

/// One cycle of a review schedule, opened by the authority that runs the schedule and shared with the allies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReviewCycle {
    /// `rvc-` with its opening day and a digest of its title: the same schedule opens it once.
    pub id: String,
    /// The authority running it.
    pub authority_id: String,
    /// What is reviewed.
    pub title: String,
    /// The category reviewed; none for the whole list.
    #[serde(default)]
    pub category: Option<u8>,
    /// What it reviews.
    #[serde(default)]
    pub scope: ReviewScope,
    /// The day it opened.
    #[schema(value_type = String, format = Date)]
    pub opens_on: Date,
    /// The day proposals are due.
    #[schema(value_type = String, format = Date)]
    pub proposals_due: Date,
    /// The day it closes.
    #[schema(value_type = String, format = Date)]
    pub closes_on: Date,
    /// Where it stands.
    pub status: CycleStatus,
    /// Its report, once closed.
    #[serde(default)]
    pub report: Option<CycleReport>,
    /// Increases with every change.
    pub version: i64,
}

impl ReviewCycle {
    /// Whether a control code or subject is in the cycle's scope.
    pub fn covers(&self, code: &str) -> bool {
        self.category.is_none_or(|c| code.trim().starts_with(char::from(b'0' + c)))
    }
}

crate::named_enum! {
    /// How the allies decide a proposal.
    DecisionRule {
        /// Every member votes for it (an abstention does not block); one vote against blocks it.
        Consensus = "consensus",
        /// At least two thirds of the votes cast (abstentions not counted) are for it.
        QualifiedMajority = "qualified_majority",
        /// More votes for than against.
        SimpleMajority = "simple_majority",
    }
}

crate::named_enum! {
    /// An authority's vote.
    VoteChoice {
        /// For the proposal.
        For = "for",
        /// Against it.
        Against = "against",
        /// Abstains: counts toward the quorum, not for or against.
        Abstain = "abstain",
    }
}

/// One authority's vote on a proposal (cast once; never changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Vote {
    /// The proposal (its owner and id).
    pub proposal: String,
    /// The voting authority.
    pub authority_id: String,
    /// The vote.
    pub choice: VoteChoice,
    /// Why, in the authority's words.
    pub reason: String,
    /// When it was cast.
    pub cast_at: crate::Timestamp,
}

/// How a vote came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tally {
    /// Votes for, against and abstaining, counted from members' first votes before the deadline.
    pub for_votes: usize,
    /// Against.
    pub against: usize,
    /// Abstaining.
    pub abstain: usize,
    /// Members who cast a counted vote, out of `members`.
    pub voted: usize,
    /// The members entitled to vote.
    pub members: usize,
    /// Whether enough members voted.
    pub quorum_met: bool,
    /// Whether the proposal is adopted.
    pub adopted: bool,
    /// Votes left out, each with why (not a member, a second vote, after the deadline).
    pub ignored: Vec<String>,
}

/// Counts the votes on a proposal: each member's first vote cast by the end of the deadline day counts; the quorum is
/// the share of members (in percent) who must vote; then the rule decides. Every node computes the same tally from
/// the same votes, whatever order they arrived in.
pub fn tally(rule: DecisionRule, members: &[&str], quorum_percent: u8, deadline: Date, votes: &[Vote]) -> Tally {
    let mut ordered: Vec<&Vote> = votes.iter().collect();
    ordered.sort_by(|a, b| (a.cast_at, &a.authority_id).cmp(&(b.cast_at, &b.authority_id)));
    let mut counted: BTreeMap<&str, VoteChoice> = BTreeMap::new();
    let mut ignored = Vec::new();
    for v in ordered {
        let who = v.authority_id.as_str();
        if !members.contains(&who) {
            ignored.push(format!("{who} is not a member of the vote"));
        } else if v.cast_at.utc_date() > deadline {
            ignored.push(format!("{who} voted after the deadline {deadline}"));
        } else if counted.contains_key(who) {
            ignored.push(format!("{who} voted more than once; its first vote counts"));
        } else {
            counted.insert(who, v.choice);
        }
    }
    let count = |c: VoteChoice| counted.values().filter(|v| **v == c).count();
    let (for_votes, against, abstain) =
        (count(VoteChoice::For), count(VoteChoice::Against), count(VoteChoice::Abstain));
    let voted = counted.len();
    // voted / members >= quorum / 100, in whole numbers.
    let quorum_met = !members.is_empty() && voted * 100 >= usize::from(quorum_percent) * members.len();
    let passes = match rule {
        DecisionRule::Consensus => against == 0 && for_votes > 0,
        DecisionRule::QualifiedMajority => for_votes > 0 && for_votes * 3 >= (for_votes + against) * 2,
        DecisionRule::SimpleMajority => for_votes > against,
    };
    Tally {
        for_votes,
        against,
        abstain,
        voted,
        members: members.len(),
        quorum_met,
        adopted: quorum_met && passes,
        ignored,
    }
}

crate::named_enum! {
    /// Who a public comment comes from.
    RespondentType {
        /// A small or medium-sized enterprise.
        Sme = "sme",
        /// A large firm.
        LargeFirm = "large_firm",
        /// A university or research institute.
        University = "university",
        /// A civil-society organisation.
        CivilSociety = "civil_society",
        /// A private person.
        Individual = "individual",
    }
}

crate::named_enum! {
    /// Where a public comment stands.
    CommentStatus {
        /// Received, waiting for moderation; not public.
        Pending = "pending",
        /// Published after moderation.
        Published = "published",
        /// Refused by moderation (abusive, off topic); kept, never public.
        Refused = "refused",
    }
}

/// Longest public comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 5_000;
/// Most links a comment may carry (more reads as spam).
pub const MAX_COMMENT_LINKS: usize = 3;

/// Checks a comment's text: not empty, at most [`MAX_COMMENT_CHARS`] characters, no control characters, no markup
/// that would run in a browser, at most [`MAX_COMMENT_LINKS`] links. Returns it trimmed.
pub fn check_comment(text: &str) -> Result<String> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_COMMENT_CHARS {
        return Err(Error::new(
            ErrorCode::CommentRefused,
            format!("the comment has {chars} characters; at most {MAX_COMMENT_CHARS} are accepted"),
        )
        .with_details(serde_json::json!({ "field": "text" })));
    }
    let text = crate::model::parse_text("text", text, MAX_COMMENT_CHARS)?;
    let lower = text.to_ascii_lowercase();
    if ["<script", "javascript:", "<iframe", "onerror=", "onload="].iter().any(|s| lower.contains(s)) {
        return Err(Error::new(ErrorCode::CommentRefused, "the comment carries markup that would run in a browser")
            .with_details(serde_json::json!({ "field": "text" })));
    }
    let links = lower.matches("http://").count() + lower.matches("https://").count();
    if links > MAX_COMMENT_LINKS {
        return Err(Error::new(
            ErrorCode::CommentRefused,
            format!("the comment carries {links} links; at most {MAX_COMMENT_LINKS} are accepted"),
        )
        .with_details(serde_json::json!({ "field": "text" })));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn vote(who: &str, choice: VoteChoice, at: &str) -> Vote {
        Vote {
            proposal: "DE-BAFA:prp_1".into(),
            authority_id: who.into(),
            choice,
            reason: String::new(),
            cast_at: crate::Timestamp::parse("cast_at", at).unwrap(),
        }
    }

    const MEMBERS: [&str; 3] = ["DE-BAFA", "FR-SBDU", "US-BIS"];

    fn in_vote(until: &str) -> Proposal {
        Proposal {
            id: "prp_1".into(),
            authority_id: "DE-BAFA".into(),
            title: "Raise 3A001".into(),
            rationale: "r".into(),
            changes: Vec::new(),
            policy_changes: Vec::new(),
            kind: ProposalKind::ControlList,
            origin: None,
            base_version: 1,
            effective_date: day("2027-06-01"),
            status: ProposalStatus::CoalitionVote,
            rule: DecisionRule::QualifiedMajority,
            quorum_percent: 66,
            members: MEMBERS.map(String::from).to_vec(),
            comment_from: Some(day("2027-01-01")),
            comment_until: Some(day("2027-01-31")),
            vote_until: Some(day(until)),
            comment_response: Some("noted".into()),
            tally: None,
            adopted_version: None,
            adopted_policy_version: None,
            steps: Vec::new(),
            version: 3,
        }
    }

    #[test]
    fn members_who_have_not_voted_are_reminded_near_the_deadline_and_the_proposer_after_it() {
        let votes = [vote("DE-BAFA", VoteChoice::For, "2027-02-02T10:00:00Z")];
        let far = reminders(day("2027-02-03"), &[], &[in_vote("2027-03-31")], &votes);
        assert!(far.is_empty(), "nothing two months ahead: {far:?}");
        let near = reminders(day("2027-03-20"), &[], &[in_vote("2027-03-31")], &votes);
        let who: Vec<&str> = near.iter().map(|r| r.authority_id.as_str()).collect();
        assert_eq!(who, ["FR-SBDU", "US-BIS"], "those who voted are not reminded");
        assert!(near.iter().all(|r| r.role == "senior_officer" && r.due == day("2027-03-31")));
        let after = reminders(day("2027-04-01"), &[], &[in_vote("2027-03-31")], &votes);
        assert_eq!(after.len(), 1);
        assert_eq!((after[0].authority_id.as_str(), after[0].role.as_str()), ("DE-BAFA", "officer"));
        assert!(after[0].what.contains("close it"), "{}", after[0].what);
    }

    #[test]
    fn a_red_line_is_decided_by_consensus_whatever_is_configured_and_no_kind_by_less_than_its_rule() {
        let weak = DecisionRules { red_line: DecisionRule::SimpleMajority, ..DecisionRules::default() };
        assert_eq!(weak.decide(ProposalKind::RedLine, None).unwrap(), DecisionRule::Consensus);
        let e = weak.decide(ProposalKind::RedLine, Some(DecisionRule::QualifiedMajority)).unwrap_err();
        assert_eq!(e.details.unwrap()["field"], "rule");
        let rules = DecisionRules::default();
        assert_eq!(rules.decide(ProposalKind::ControlList, None).unwrap(), DecisionRule::QualifiedMajority);
        assert!(rules.decide(ProposalKind::PolicyRule, Some(DecisionRule::SimpleMajority)).is_err());
        assert_eq!(
            rules.decide(ProposalKind::Authorisation, Some(DecisionRule::Consensus)).unwrap(),
            DecisionRule::Consensus,
            "a stricter rule may always be asked for"
        );
        let lenient = DecisionRules { control_list: DecisionRule::SimpleMajority, ..DecisionRules::default() };
        assert_eq!(lenient.decide(ProposalKind::ControlList, None).unwrap(), DecisionRule::SimpleMajority);
    }

    #[test]
    fn the_life_cycle_goes_forward_only_and_a_vote_under_way_is_not_withdrawn() {
        use ProposalStatus as S;
        use ProposalStep as P;
        assert_eq!(S::Draft.after(P::ToPanel).unwrap(), S::PanelReview);
        assert_eq!(S::PanelReview.after(P::OpenComment).unwrap(), S::PublicComment);
        assert_eq!(S::Draft.after(P::OpenComment).unwrap(), S::PublicComment, "a panel is not compulsory");
        assert_eq!(S::PublicComment.after(P::OpenVote).unwrap(), S::CoalitionVote);
        assert_eq!(S::Draft.after(P::OpenVote).unwrap_err().code, ErrorCode::ProposalState, "no vote without comment");
        assert_eq!(S::CoalitionVote.after(P::Withdraw).unwrap_err().code, ErrorCode::ProposalState);
        assert_eq!(S::Adopted.after(P::Withdraw).unwrap_err().code, ErrorCode::ProposalState);
        assert_eq!(S::PublicComment.after(P::Withdraw).unwrap(), S::Withdrawn);
    }

    #[test]
    fn consensus_is_blocked_by_one_vote_against_and_not_by_an_abstention() {
        let deadline = day("2027-03-31");
        let all_for = [
            vote("DE-BAFA", VoteChoice::For, "2027-03-01T10:00:00Z"),
            vote("FR-SBDU", VoteChoice::Abstain, "2027-03-02T10:00:00Z"),
            vote("US-BIS", VoteChoice::For, "2027-03-03T10:00:00Z"),
        ];
        let t = tally(DecisionRule::Consensus, &MEMBERS, 100, deadline, &all_for);
        assert!(t.adopted && t.quorum_met, "{t:?}");
        let mut blocked = all_for.to_vec();
        blocked[1] = vote("FR-SBDU", VoteChoice::Against, "2027-03-02T10:00:00Z");
        assert!(!tally(DecisionRule::Consensus, &MEMBERS, 100, deadline, &blocked).adopted);
    }

    #[test]
    fn a_tie_fails_a_simple_majority_and_two_thirds_pass_a_qualified_one() {
        let deadline = day("2027-03-31");
        let members = ["A", "B", "C", "D"];
        let tie = [
            vote("A", VoteChoice::For, "2027-03-01T00:00:00Z"),
            vote("B", VoteChoice::Against, "2027-03-01T00:00:00Z"),
            vote("C", VoteChoice::For, "2027-03-01T00:00:00Z"),
            vote("D", VoteChoice::Against, "2027-03-01T00:00:00Z"),
        ];
        let t = tally(DecisionRule::SimpleMajority, &members, 50, deadline, &tie);
        assert!(t.quorum_met && !t.adopted, "{t:?}");
        let mut two_thirds = tie.to_vec();
        two_thirds[3] = vote("D", VoteChoice::Abstain, "2027-03-01T00:00:00Z");
        assert!(tally(DecisionRule::QualifiedMajority, &members, 50, deadline, &two_thirds).adopted, "2 of 3 cast");
        two_thirds[2] = vote("C", VoteChoice::Against, "2027-03-01T00:00:00Z");
        assert!(!tally(DecisionRule::QualifiedMajority, &members, 50, deadline, &two_thirds).adopted, "1 of 3");
    }

    #[test]
    fn late_second_and_outside_votes_are_left_out_and_can_miss_the_quorum() {
        let deadline = day("2027-03-31");
        let votes = [
            vote("DE-BAFA", VoteChoice::For, "2027-03-31T23:59:59Z"),
            vote("DE-BAFA", VoteChoice::Against, "2027-03-30T08:00:00Z"),
            vote("FR-SBDU", VoteChoice::For, "2027-04-01T00:00:00Z"),
            vote("XX-NONE", VoteChoice::For, "2027-03-01T00:00:00Z"),
        ];
        let t = tally(DecisionRule::SimpleMajority, &MEMBERS, 67, deadline, &votes);
        assert_eq!((t.for_votes, t.against, t.voted), (0, 1, 1), "BAFA's first vote counts: {t:?}");
        assert_eq!(t.ignored.len(), 3, "{:?}", t.ignored);
        assert!(!t.quorum_met && !t.adopted, "one of three members is under a two-thirds quorum");
        let mut reordered = votes.to_vec();
        reordered.reverse();
        assert_eq!(tally(DecisionRule::SimpleMajority, &MEMBERS, 67, deadline, &reordered), t, "order does not matter");
    }

    #[test]
    fn a_schedule_opens_its_latest_cycle_and_none_before_its_first() {
        let s = ReviewSchedule {
            title: "Annual review".into(),
            category: Some(3),
            scope: ReviewScope::ControlList,
            every_months: 12,
            first_opens_on: day("2025-03-01"),
            proposals_within_days: 30,
            closes_within_days: 60,
        };
        assert_eq!(s.opening_on(day("2025-02-28")), None);
        assert_eq!(s.opening_on(day("2025-03-01")), Some(day("2025-03-01")));
        assert_eq!(s.opening_on(day("2027-02-28")), Some(day("2026-03-01")));
        assert_eq!(s.opening_on(day("2027-03-01")), Some(day("2027-03-01")));
        assert!(ReviewSchedule { closes_within_days: 10, ..s.clone() }.check(0).is_err(), "closes before proposals");
        assert!(ReviewSchedule { category: Some(12), ..s }.check(0).is_err());
    }

    #[test]
    fn each_kind_of_change_says_what_it_lacks() {
        let change = |op, title: Option<&str>, text: Option<&str>| EntryChange {
            op,
            code: "3A001".into(),
            title: title.map(str::to_owned),
            text: text.map(str::to_owned),
        };
        assert!(change(ChangeOp::Add, Some("t"), Some("x")).check(0).is_ok());
        let e = change(ChangeOp::Add, Some("t"), None).check(2).unwrap_err();
        assert_eq!(e.details.unwrap()["field"], "changes[2].text");
        assert!(change(ChangeOp::Amend, None, None).check(0).is_err());
        assert!(change(ChangeOp::Amend, Some("new title"), None).check(0).is_ok());
        assert!(change(ChangeOp::Rethreshold, None, Some("  ")).check(0).is_err());
        assert!(change(ChangeOp::Remove, None, None).check(0).is_ok());
    }

    #[test]
    fn oversized_scripted_and_link_flooded_comments_are_refused() {
        assert_eq!(check_comment("  The threshold hurts small labs.  ").unwrap(), "The threshold hurts small labs.");
        for bad in [
            "x".repeat(MAX_COMMENT_CHARS + 1),
            "nice <script>alert(1)</script>".to_owned(),
            "see https://a.example https://b.example http://c.example https://d.example".to_owned(),
        ] {
            assert_eq!(check_comment(&bad).unwrap_err().code, ErrorCode::CommentRefused, "{}", &bad[..20]);
        }
        assert_eq!(check_comment("bell\u{7}").unwrap_err().code, ErrorCode::ValidationFailed);
        assert_eq!(check_comment("   ").unwrap_err().code, ErrorCode::ValidationFailed);
    }
}
