//! Governance of the control list: proposals, their steps, public comments and their moderation, the allies' votes.

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Body, Caller, Segments};
use accord_app::{NewComment, NewProposal, NewVote, StepInput};
use accord_core::governance::{Comment, Proposal, ProposalStep, Vote};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A moderator's verdict on a comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// `true` publishes the comment; `false` refuses it (it is kept, never public).
    pub publish: bool,
}

#[utoipa::path(get, path = "/api/v1/proposals", tag = "governance",
    responses((status = 200, description = "Proposals, newest first: those published for comment and after for everyone; drafts too for officials", body = [Proposal])))]
pub(crate) async fn list_proposals(State(s): State<AppState>, Caller(p): Caller) -> ApiResult<Json<Vec<Proposal>>> {
    Ok(Json(s.app.proposals(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals", tag = "governance", request_body = NewProposal, security(("bearer" = [])),
    responses((status = 201, description = "A draft against the control list in force, sent to the allies", body = Proposal),
              (status = 422, description = "A change the list in force cannot take, named as changes[i]", body = ErrorBody)))]
pub(crate) async fn propose(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(input): Body<NewProposal>,
) -> ApiResult<(StatusCode, Json<Proposal>)> {
    Ok((StatusCode::CREATED, Json(s.app.propose(&p, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/proposals/{key}", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_… (or the bare id when only one authority has it)")),
    responses((status = 200, description = "The proposal with its steps, response to comments and tally", body = Proposal),
              (status = 404, description = "Unknown, or a draft the caller may not see", body = ErrorBody)))]
pub(crate) async fn get_proposal(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(s.app.proposal(&p, &key).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{key}/steps/{step}", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…"), ("step" = inline(ProposalStep), Path, description = "to_panel, open_comment, open_vote or withdraw")),
    request_body = StepInput, security(("bearer" = [])),
    responses((status = 200, description = "The proposal after the step", body = Proposal),
              (status = 409, description = "The step its state does not allow (proposal_state)", body = ErrorBody)))]
pub(crate) async fn step(
    State(s): State<AppState>,
    Caller(p): Caller,
    Segments((key, step)): Segments<(String, ProposalStep)>,
    Body(input): Body<StepInput>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(s.app.step_proposal(&p, &key, step, input).await?))
}

#[utoipa::path(get, path = "/api/v1/proposals/{key}/comments", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")),
    responses((status = 200, description = "Published comments; the moderating authority's officials also see those waiting and refused", body = [Comment])))]
pub(crate) async fn list_comments(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Vec<Comment>>> {
    Ok(Json(s.app.comments(&p, &key).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{key}/comments", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")), request_body = NewComment,
    responses((status = 201, description = "Received; public after moderation", body = Comment),
              (status = 409, description = "Outside the comment window (comment_window_closed), or the same comment twice", body = ErrorBody),
              (status = 422, description = "Too long, scripted, too many links or a flood (comment_refused)", body = ErrorBody)))]
pub(crate) async fn comment(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
    Body(input): Body<NewComment>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    Ok((StatusCode::CREATED, Json(s.app.comment(&p, &key, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/comments/{id}/moderation", tag = "governance",
    params(("id" = String, Path, description = "cmt_…")), request_body = Moderation, security(("bearer" = [])),
    responses((status = 200, description = "Published or refused", body = Comment),
              (status = 409, description = "Moderated already", body = ErrorBody)))]
pub(crate) async fn moderate(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Body(m): Body<Moderation>,
) -> ApiResult<Json<Comment>> {
    Ok(Json(s.app.moderate(&p, &id, m.publish).await?))
}

#[utoipa::path(get, path = "/api/v1/proposals/{key}/votes", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")),
    responses((status = 200, description = "The votes received", body = [Vote])))]
pub(crate) async fn list_votes(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Vec<Vote>>> {
    Ok(Json(s.app.votes(&p, &key).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{key}/votes", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")), request_body = NewVote, security(("bearer" = [])),
    responses((status = 201, description = "Cast and sent to the allies", body = Vote),
              (status = 409, description = "Not a member, voted already, or the vote is closed (vote_refused)", body = ErrorBody)))]
pub(crate) async fn vote(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
    Body(input): Body<NewVote>,
) -> ApiResult<(StatusCode, Json<Vote>)> {
    Ok((StatusCode::CREATED, Json(s.app.vote(&p, &key, input).await?)))
}

#[utoipa::path(post, path = "/api/v1/proposals/{key}/close", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")), security(("bearer" = [])),
    responses((status = 200, description = "Adopted (with the new control-list version) or rejected, with the tally", body = Proposal),
              (status = 409, description = "Members still to vote before the deadline, or not being voted on", body = ErrorBody)))]
pub(crate) async fn close(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(s.app.close_vote(&p, &key).await?))
}

#[utoipa::path(get, path = "/api/v1/proposals/{key}/opinions", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")),
    responses((status = 200, description = "Expert panel opinions, oldest first", body = [accord_core::governance::Opinion])))]
pub(crate) async fn list_opinions(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<Vec<accord_core::governance::Opinion>>> {
    Ok(Json(s.app.opinions(&p, &key).await?))
}

#[utoipa::path(post, path = "/api/v1/proposals/{key}/opinions", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…")), request_body = accord_app::NewOpinion, security(("bearer" = [])),
    responses((status = 201, description = "Given and sent to the allies", body = accord_core::governance::Opinion),
              (status = 409, description = "Not with a panel or open for comment (proposal_state), or given already", body = ErrorBody)))]
pub(crate) async fn give_opinion(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
    Body(input): Body<accord_app::NewOpinion>,
) -> ApiResult<(StatusCode, Json<accord_core::governance::Opinion>)> {
    Ok((StatusCode::CREATED, Json(s.app.give_opinion(&p, &key, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/reviews", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "Review cycles, newest first, with their reports once closed", body = [accord_core::governance::ReviewCycle])))]
pub(crate) async fn list_reviews(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<accord_core::governance::ReviewCycle>>> {
    Ok(Json(s.app.review_cycles(&p).await?))
}

#[utoipa::path(get, path = "/api/v1/reviews/reminders", tag = "governance", security(("bearer" = [])),
    responses((status = 200, description = "What the caller's authority must do soon (every authority's for admins and auditors), soonest first", body = [accord_core::governance::Reminder])))]
pub(crate) async fn reminders(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> ApiResult<Json<Vec<accord_core::governance::Reminder>>> {
    Ok(Json(s.app.reminders(&p).await?))
}

#[utoipa::path(post, path = "/api/v1/reviews/schedule", tag = "governance",
    request_body = [accord_core::governance::ReviewSchedule], security(("bearer" = [])),
    responses((status = 200, description = "The cycles the schedule opened now (none when every due cycle is open)", body = [accord_core::governance::ReviewCycle]),
              (status = 422, description = "A schedule that cannot be, named as schedules[i]", body = ErrorBody)))]
pub(crate) async fn run_schedule(
    State(s): State<AppState>,
    Caller(p): Caller,
    Body(schedules): Body<Vec<accord_core::governance::ReviewSchedule>>,
) -> ApiResult<Json<Vec<accord_core::governance::ReviewCycle>>> {
    Ok(Json(s.app.run_review_schedule(&p, &schedules).await?))
}

#[utoipa::path(post, path = "/api/v1/reviews/{id}/close", tag = "governance", params(("id" = String, Path, description = "rvc-…")),
    security(("bearer" = [])),
    responses((status = 200, description = "Closed, with its report", body = accord_core::governance::ReviewCycle),
              (status = 409, description = "Proposals still due, or closed already", body = ErrorBody)))]
pub(crate) async fn close_review(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<accord_core::governance::ReviewCycle>> {
    Ok(Json(s.app.close_review_cycle(&p, &id).await?))
}

/// How many recent applications to determine again.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ImpactQuery {
    /// At most this many of the most recent applications, 1..10000 (default 1000).
    pub limit: Option<usize>,
}

#[utoipa::path(get, path = "/api/v1/proposals/{key}/impact", tag = "governance",
    params(("key" = String, Path, description = "AUTHORITY:prp_…"), ImpactQuery), security(("bearer" = [])),
    responses((status = 200, description = "The suite cases and recent applications whose answers the proposed versions would change", body = accord_app::Impact)))]
pub(crate) async fn impact(
    State(s): State<AppState>,
    Caller(p): Caller,
    Path(key): Path<String>,
    crate::extract::Params(q): crate::extract::Params<ImpactQuery>,
) -> ApiResult<Json<accord_app::Impact>> {
    Ok(Json(s.app.impact(&p, &key, q.limit.unwrap_or(1000)).await?))
}

pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_proposals, propose))
        .routes(routes!(get_proposal))
        .routes(routes!(step))
        .routes(routes!(list_comments, comment))
        .routes(routes!(moderate))
        .routes(routes!(list_votes, vote))
        .routes(routes!(close))
        .routes(routes!(impact))
        .routes(routes!(list_opinions, give_opinion))
        .routes(routes!(list_reviews))
        .routes(routes!(run_schedule))
        .routes(routes!(reminders))
        .routes(routes!(close_review))
}
