//! Proposals that change the control list, for the public and for officials: the list, and one proposal with its
//! rationale, each change beside the entry as it stands, its steps, the response to comments, the tally and the
//! published comments. Anyone comments while the window is open (moderated before publication); officers of the
//! proposing authority take its steps, moderate and close the vote; senior officers of member authorities vote.

use super::i18n::{t, tr, word};
use super::session::{Viewer, check_csrf, check_form_token, with_form_token};
use super::{ActionForm, PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::{NewComment, NewVote, Session, StepInput};
use accord_core::governance::{
    Affiliation, CommentStatus, Proposal, ProposalStatus, ProposalStep, RespondentType, Stance, VoteChoice,
};
use accord_core::model::Role;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

fn principal(viewer: &Option<Session>) -> Principal {
    viewer.as_ref().map_or(Principal::Anonymous, |s| s.principal.clone())
}

fn href(x: &Proposal) -> String {
    format!("/proposals/{}", x.key())
}

/// The proposals the viewer may see, newest first.
pub(crate) async fn proposals(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let all = s.app.proposals(&principal(&viewer)).await?;
    let body = html! {
        h1 { (t("proposals.title")) }
        p { (t("proposals.intro")) }
        @if all.is_empty() { p { (t("proposals.none")) } }
        @else {
            table.proposals {
                thead { tr {
                    th scope="col" { (t("proposals.proposal")) } th scope="col" { (t("coalition.authority")) }
                    th scope="col" { (t("cases.status")) } th scope="col" { (t("proposals.comment_window")) }
                    th scope="col" { (t("proposals.effective")) }
                } }
                tbody { @for x in &all { tr {
                    td { a href=(href(x)) { (x.title) } }
                    td { (x.authority_id) }
                    td { (word("proposal_status", x.status.as_str())) }
                    td { @if let (Some(f), Some(u)) = (x.comment_from, x.comment_until) { (f) " – " (u) } @else { "—" } }
                    td { (x.effective_date) }
                } } }
            }
        }
    };
    page_after(None, t("proposals.title"), viewer.as_ref(), body)
}

/// The changes, each beside the entry as it stands in the list in force.
async fn changes(s: &AppState, x: &Proposal) -> Markup {
    let mut rows = Vec::new();
    for c in &x.changes {
        let now = s.app.control(&c.code, None).await.ok().filter(|a| a.within.is_none()).map(|a| a.entry);
        rows.push((c, now));
    }
    let policy_now = s.app.policy_texts_now(x).await.unwrap_or_default();
    html! {
        p #kind { (t("proposals.kind")) " " strong { (word("proposal_kind", x.kind.as_str())) } " · "
            (t("proposals.rule")) " " strong { (word("rule", x.rule.as_str())) } }
        @if let Some(origin) = &x.origin { p.meta #origin { (t("proposals.origin")) " " (origin) } }
        @if !x.policy_changes.is_empty() {
            table.changes #policy-changes {
                caption.meta { (t("proposals.policy_changes_caption")) }
                thead { tr { th scope="col" { (t("proposals.change")) } th scope="col" { (t("proposals.policy_file")) } th scope="col" { (t("proposals.now")) } th scope="col" { (t("proposals.proposed")) } } }
                tbody { @for (i, c) in x.policy_changes.iter().enumerate() { tr {
                    td { (word("policy_op", c.op.as_str())) }
                    td.code { (c.file) br; (c.id) }
                    td { @match policy_now.get(i).cloned().flatten() { Some(text) => pre { (text) }, None => "—" } }
                    td { @match &c.body { Some(b) => pre { (b) }, None => "—" } }
                } } }
            }
        }
        @if !x.changes.is_empty() { table.changes {
            caption.meta { (t("proposals.changes_caption")) }
            thead { tr { th scope="col" { (t("proposals.change")) } th scope="col" { (t("case.code")) } th scope="col" { (t("proposals.now")) } th scope="col" { (t("proposals.proposed")) } } }
            tbody { @for (c, now) in &rows { tr {
                td { (word("change_op", c.op.as_str())) }
                td.code { a href=(format!("/controls/{}", c.code)) { (c.code) } }
                td { @match now { Some(e) => { strong { (e.title) } br; span.meta { (e.text.chars().take(400).collect::<String>()) } }, None => "—" } }
                td { @if let Some(title) = &c.title { strong { (title) } br; } @if let Some(text) = &c.text { span { (text) } } }
            } } }
        } }
    }
}

fn comment_form(x: &Proposal, token_field: (&str, &str)) -> Markup {
    html! {
        h2 #comment { (t("proposals.comment_title")) }
        form.comment method="post" action=(format!("{}/comments", href(x))) {
            input type="hidden" name=(token_field.0) value=(token_field.1);
            p { label for="respondent_type" { (t("proposals.respondent")) } br;
                select #respondent_type name="respondent_type" {
                    @for r in RespondentType::ALL { option value=(r.as_str()) { (word("respondent", r.as_str())) } }
                } }
            p { label for="name" { (t("proposals.name")) } br; input #name name="name" maxlength="200" autocomplete="name"; }
            p { label for="organisation" { (t("proposals.organisation")) } br; input #organisation name="organisation" maxlength="200" autocomplete="organization"; }
            p { label for="text" { (t("proposals.text")) } br; textarea #text name="text" rows="6" required maxlength="5000" {} }
            p.meta { (t("proposals.moderation_note")) }
            p { button type="submit" { (t("proposals.send_comment")) } }
        }
    }
}

/// The forms of an officer of the proposing authority: the next step, and closing the vote.
fn owner_forms(x: &Proposal, csrf: &str) -> Markup {
    let action = |what: &str| format!("{}/{what}", href(x));
    html! {
        h2 { (t("proposals.steps_title")) }
        @match x.status {
            ProposalStatus::Draft | ProposalStatus::PanelReview => {
                form.step method="post" action=(action("steps/open_comment")) {
                    input type="hidden" name="csrf" value=(csrf);
                    p { label for="comment_from" { (t("proposals.comment_from")) } br; input #comment_from type="date" name="comment_from"; }
                    p { label for="comment_until" { (t("proposals.comment_until")) } br; input #comment_until type="date" name="comment_until" required; }
                    p { button type="submit" { (t("proposals.open_comment")) } }
                }
            }
            ProposalStatus::PublicComment => {
                form.step method="post" action=(action("steps/open_vote")) {
                    input type="hidden" name="csrf" value=(csrf);
                    p { label for="comment_response" { (t("proposals.response")) } br; textarea #comment_response name="comment_response" rows="4" required maxlength="20000" {} }
                    p { label for="vote_until" { (t("proposals.vote_until")) } br; input #vote_until type="date" name="vote_until" required; }
                    p { button type="submit" { (t("proposals.open_vote")) } }
                }
            }
            ProposalStatus::CoalitionVote => {
                form.close method="post" action=(action("close")) {
                    input type="hidden" name="csrf" value=(csrf);
                    p { button type="submit" { (t("proposals.close")) } }
                }
            }
            _ => {}
        }
        @if !x.status.is_closed() && x.status != ProposalStatus::CoalitionVote {
            form.withdraw method="post" action=(action("steps/withdraw")) {
                input type="hidden" name="csrf" value=(csrf);
                p { label for="withdraw_reason" { (t("proposals.withdraw_reason")) } br; input #withdraw_reason name="reason" required maxlength="2000"; }
                p { button type="submit" { (t("proposals.withdraw")) } }
            }
        }
    }
}

async fn proposal_page(
    s: &AppState,
    headers: &HeaderMap,
    viewer: &Option<Session>,
    key: &str,
    error: Option<&Error>,
) -> Result<Response, PageError> {
    let p = principal(viewer);
    let (x, comments, votes, opinions) = s.app.proposal_with_responses(&p, key).await?;
    let panel = viewer.as_ref().is_some_and(|v| v.user.role == Role::PanelMember)
        && matches!(x.status, ProposalStatus::PanelReview | ProposalStatus::PublicComment)
        && !opinions.iter().any(|o| viewer.as_ref().is_some_and(|v| o.member == v.user.id.as_str()));
    let mine = viewer.as_ref().and_then(|v| v.user.authority_id.as_ref().map(|a| a.to_string()));
    let officer = viewer.as_ref().is_some_and(|v| matches!(v.user.role, Role::Officer | Role::SeniorOfficer));
    let owner = officer && mine.as_deref() == Some(x.authority_id.as_str());
    let voter = viewer.as_ref().is_some_and(|v| v.user.role == Role::SeniorOfficer)
        && x.status == ProposalStatus::CoalitionVote
        && mine.as_ref().is_some_and(|m| x.members.contains(m))
        && !votes.iter().any(|v| Some(&v.authority_id) == mine.as_ref());
    // The impact preview, for officers of the proposing authority while the proposal is open.
    let impact = if owner && !x.status.is_closed() { s.app.impact(&p, key, 1000).await.ok() } else { None };
    let form_token = accord_app::random_token()?;
    let token_field = match viewer {
        Some(v) => ("csrf", v.csrf.clone()),
        None => ("form_token", form_token.clone()),
    };
    let open = x.open_for_comment(jiff::Zoned::now().date());
    let body = html! {
        p.meta { a href="/proposals" { (t("proposals.title")) } }
        h1 { (x.title) }
        p #status { (t("cases.status")) " " strong { (word("proposal_status", x.status.as_str())) } " · " (x.authority_id)
            " · " (tr!("proposals.takes_effect", day = x.effective_date)) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { (t("proposals.rationale")) }
        p.rationale { (x.rationale) }
        (changes(s, &x).await)
        @if let Some(i) = &impact {
            h2 { (t("proposals.impact")) }
            p #impact-suite { (tr!("proposals.impact_suite", cases = i.suite.determined, flips = i.suite.flips.len(), unlisted = i.suite.no_longer_listed.len())) }
            p #impact { (tr!("proposals.impact_line", applications = i.applications.determined, flips = i.applications.flips.len(), unlisted = i.applications.no_longer_listed.len())) }
            @if !i.suite.flips.is_empty() || !i.applications.flips.is_empty() {
                table.flips {
                    thead { tr { th scope="col" { (t("proposals.subject")) } th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("proposals.now")) } th scope="col" { (t("proposals.proposed")) } } }
                    tbody { @for f in i.suite.flips.iter().take(50).chain(i.applications.flips.iter().take(50)) { tr {
                        td.code { (f.subject) } td { (f.jurisdiction) }
                        td { (word("outcome", f.before.as_str())) } td { (word("outcome", f.after.as_str())) }
                    } } }
                }
            }
        }
        @if let (Some(f), Some(u)) = (x.comment_from, x.comment_until) { p #window { (tr!("proposals.window", from = f, until = u)) } }
        @if let Some(r) = &x.comment_response { h2 { (t("proposals.response_title")) } p #response { (r) } }
        @if let Some(tally) = &x.tally {
            h2 { (t("proposals.vote_title")) }
            p #tally { (tr!("proposals.tally", yes = tally.for_votes, no = tally.against, abstain = tally.abstain, voted = tally.voted, members = tally.members)) }
            @if let Some(v) = x.adopted_version { p { a href="/controls/versions" { (tr!("proposals.adopted_version", version = v)) } } }
            @if let Some(v) = x.adopted_policy_version { p { a href="/controls/versions#policy-versions" { (tr!("proposals.adopted_policy_version", version = v)) } } }
        }
        @if !votes.is_empty() {
            ul.votes { @for v in &votes { li { (v.authority_id) ": " strong { (word("vote", v.choice.as_str())) } @if !v.reason.is_empty() { " — " (v.reason) } } } }
        }
        @if !opinions.is_empty() || panel {
            h2 { (t("proposals.opinions")) }
            ul.opinions { @for o in &opinions { li {
                strong { (word("stance", o.stance.as_str())) } " · " (word("affiliation", o.affiliation.as_str()))
                " · " span.meta { (t("proposals.interests")) " " (o.conflict_of_interest) }
                br; (o.text)
            } } }
            @if panel {
                form.opinion method="post" action=(format!("{}/opinions", href(&x))) {
                    input type="hidden" name="csrf" value=(token_field.1);
                    fieldset {
                        legend { (t("proposals.your_opinion")) }
                        @for st in accord_core::governance::Stance::ALL { label { input type="radio" name="stance" value=(st.as_str()) required; " " (word("stance", st.as_str())) } " " }
                    }
                    p { label for="affiliation" { (t("proposals.affiliation")) } br;
                        select #affiliation name="affiliation" { @for a in accord_core::governance::Affiliation::ALL { option value=(a.as_str()) { (word("affiliation", a.as_str())) } } } }
                    p { label for="interests" { (t("proposals.interests_label")) } br; input #interests name="conflict_of_interest" required maxlength="2000"; }
                    p { label for="opinion_text" { (t("proposals.opinion_text")) } br; textarea #opinion_text name="text" rows="4" required maxlength="20000" {} }
                    p { button type="submit" { (t("proposals.give_opinion")) } }
                }
            }
        }
        h2 { (t("proposals.history")) }
        ol.steps { @for st in &x.steps { li { (st.at) " · " (word("proposal_status", st.status.as_str())) " · " (st.reason) " " span.meta { "(" (st.by) ")" } } } }
        h2 { (t("proposals.comments")) }
        @if comments.is_empty() { p { (t("proposals.no_comments")) } }
        ol.comments { @for c in &comments {
            li id=(c.id) {
                strong { (word("respondent", c.respondent_type.as_str())) }
                @if let Some(n) = &c.name { " · " (n) } @if let Some(o) = &c.organisation { " · " (o) }
                " " span.meta { (c.received_at) }
                @if c.status != CommentStatus::Published { " " em { (word("comment_status", c.status.as_str())) } }
                br; (c.text)
                @if owner && c.status == CommentStatus::Pending && mine.as_deref() == Some(c.authority_id.as_str()) {
                    form.moderate method="post" action=(format!("/comments/{}/moderation?proposal={}", c.id, x.key())) {
                        input type="hidden" name="csrf" value=(token_field.1);
                        button type="submit" name="publish" value="true" { (t("proposals.publish")) } " "
                        button type="submit" name="publish" value="false" { (t("proposals.refuse")) }
                    }
                }
            }
        } }
        @if open { (comment_form(&x, (token_field.0, &token_field.1))) }
        @if voter {
            h2 { (t("proposals.your_vote")) }
            form.vote method="post" action=(format!("{}/votes", href(&x))) {
                input type="hidden" name="csrf" value=(token_field.1);
                fieldset {
                    legend { (t("proposals.your_vote")) }
                    @for c in VoteChoice::ALL { label { input type="radio" name="choice" value=(c.as_str()) required; " " (word("vote", c.as_str())) } " " }
                }
                p { label for="vote_reason" { (t("licence.reason")) } br; input #vote_reason name="reason" maxlength="4000"; }
                p { button type="submit" { (t("proposals.cast")) } }
            }
        }
        @if owner { (owner_forms(&x, &token_field.1)) }
    };
    let response = page_after(error, &x.title, viewer.as_ref(), body)?;
    Ok(if viewer.is_none() { with_form_token(headers, response, &form_token) } else { response })
}

/// One proposal.
pub(crate) async fn proposal(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(key): Path<String>,
) -> Result<Response, PageError> {
    proposal_page(&s, &headers, &viewer, &key, None).await
}

/// A proposal form's token checked: the session's when signed in, else the one in the form cookie.
fn check_token(f: &ActionForm, headers: &HeaderMap, viewer: &Option<Session>) -> Result<(), Error> {
    match viewer {
        Some(v) => check_csrf(v, &f.csrf),
        None => check_form_token(headers, &f.field("form_token").unwrap_or_default()),
    }
}

/// Acts from one of the proposal page's forms once its token is checked, then shows the proposal again: from the
/// top (or at the anchor the action returns) on success, with the error on a refusal. A form for people signed in
/// sends anyone else to sign in.
async fn act<F>(
    s: &AppState,
    headers: &HeaderMap,
    viewer: &Option<Session>,
    key: &str,
    f: &ActionForm,
    signed_in: bool,
    action: F,
) -> Result<Response, PageError>
where
    F: AsyncFnOnce(&Principal) -> Result<String, Error>,
{
    if signed_in && viewer.is_none() {
        return Ok(redirect("/sign-in", Vec::new()));
    }
    let outcome = match check_token(f, headers, viewer) {
        Ok(()) => action(&principal(viewer)).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(anchor) => Ok(redirect(&format!("/proposals/{key}{anchor}"), Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => proposal_page(s, headers, viewer, key, Some(&e)).await,
    }
}

/// A public comment: anyone, while the window is open.
pub(crate) async fn comment(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(key): Path<String>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &key, &f, false, async |p| {
        let input = NewComment {
            respondent_type: f.choice("respondent_type", RespondentType::parse, t("proposals.choose_respondent"))?,
            name: f.field("name"),
            organisation: f.field("organisation"),
            text: f.field("text").unwrap_or_default(),
        };
        s.app.comment(p, &key, input).await.map(|_| "?comment=received".to_owned())
    })
    .await
}

/// A step of the proposing authority: `open_comment`, `open_vote`, `to_panel`, `withdraw`.
pub(crate) async fn step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path((key, step)): Path<(String, String)>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &key, &f, true, async |p| {
        let step =
            ProposalStep::parse(&step).ok_or_else(|| Error::new(ErrorCode::RouteNotFound, t("error.no_action")))?;
        let input = StepInput {
            reason: f.field("reason").unwrap_or_default(),
            comment_from: f.field("comment_from"),
            comment_until: f.field("comment_until"),
            comment_response: f.field("comment_response"),
            vote_until: f.field("vote_until"),
            members: None,
        };
        s.app.step_proposal(p, &key, step, input).await.map(|_| String::new())
    })
    .await
}

/// An expert panel member's opinion.
pub(crate) async fn opinion(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(key): Path<String>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &key, &f, true, async |p| {
        let input = accord_app::NewOpinion {
            affiliation: f.choice("affiliation", Affiliation::parse, t("proposals.choose_affiliation"))?,
            conflict_of_interest: f.field("conflict_of_interest").unwrap_or_default(),
            stance: f.choice("stance", Stance::parse, t("proposals.choose_stance"))?,
            text: f.field("text").unwrap_or_default(),
        };
        s.app.give_opinion(p, &key, input).await.map(|_| String::new())
    })
    .await
}

/// A senior officer's vote for their authority.
pub(crate) async fn vote(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(key): Path<String>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &key, &f, true, async |p| {
        let choice = f.choice("choice", VoteChoice::parse, t("proposals.choose_vote"))?;
        let input = NewVote { choice, reason: f.field("reason").unwrap_or_default() };
        s.app.vote(p, &key, input).await.map(|_| String::new())
    })
    .await
}

/// Closing the vote.
pub(crate) async fn close(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(key): Path<String>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &key, &f, true, async |p| s.app.close_vote(p, &key).await.map(|_| String::new())).await
}

/// Where to go back to after moderating.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Back {
    proposal: String,
}

/// Publishing or refusing a comment.
pub(crate) async fn moderate(
    State(s): State<AppState>,
    headers: HeaderMap,
    Viewer(viewer): Viewer,
    Path(id): Path<String>,
    axum::extract::Query(back): axum::extract::Query<Back>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    act(&s, &headers, &viewer, &back.proposal, &f, true, async |p| {
        let publish = f.field("publish").as_deref() == Some("true");
        s.app.moderate(p, &id, publish).await.map(|c| format!("#{}", c.id))
    })
    .await
}
