//! The ownership desk: what the ownership rules conclude (each party with its path, its listed owners and what is
//! missing), the relations recorded here and by the allies, a form to record one and a button to revoke one.

use super::i18n::{t, word};
use super::session::{Viewer, check_csrf};
use super::{ActionForm, PageError, PageForm, page_after, redirect};
use crate::AppState;
use accord_app::{NewRelation, RelationRevocation, Session};
use accord_core::Error;
use accord_core::model::Role;
use accord_core::ownership::{PartyRef, RelationKind};
use axum::extract::State;
use axum::response::Response;
use maud::html;

/// The desk; after a refused form, with what was entered in it.
async fn ownership_page(
    s: &AppState,
    session: &Session,
    error: Option<&Error>,
    entered: Option<&ActionForm>,
) -> Result<Response, PageError> {
    let kept = |name: &str| entered.filter(|f| f.action == "record").and_then(|f| f.field(name)).unwrap_or_default();
    let p = &session.principal;
    let report = s.app.ownership(p, None).await?;
    let relations = s.app.relations(p).await?;
    let mine = session.user.authority_id.as_ref().map(|a| a.to_string());
    let recorder = matches!(session.user.role, Role::Analyst | Role::Officer | Role::SeniorOfficer) && mine.is_some();
    let csrf = || html! { input type="hidden" name="csrf" value=(session.csrf); };
    let body = html! {
        h1 { (t("ownership.title")) }
        p { (t("ownership.intro")) }
        @if let Some(e) = error {
            p.error role="alert" #form-error { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
        }
        h2 { (t("ownership.findings")) }
        @for why in &report.not_applying { p.meta.not-applying { (why) } }
        @if report.findings.is_empty() { p #no-findings { (t("ownership.no_findings")) } }
        @for f in &report.findings {
            section.finding {
                h3 { (f.party.describe()) " · " (word("ownership_status", f.status.as_str())) }
                p.explanation { (f.explanation) }
                @if !f.missing.is_empty() { p.missing { (t("ownership.missing")) " " (f.missing.join("; ")) } }
                p.meta { (t("ownership.rule")) " " (f.rule_id) " · " (f.citation) }
                @if let Some(u) = &f.unverified { p.meta.unverified { (t("ownership.unverified")) " " (u) } }
            }
        }
        h2 { (t("ownership.relations")) }
        @if relations.is_empty() { p #no-relations { (t("ownership.no_relations")) } } @else {
            table.relations {
                thead { tr { th scope="col" { (t("ownership.from")) } th scope="col" { (t("ownership.kind")) }
                    th scope="col" { (t("ownership.share")) } th scope="col" { (t("ownership.to")) }
                    th scope="col" { (t("ownership.source")) } th scope="col" { (t("ownership.recorded_by")) } th scope="col" { "" } } }
                tbody { @for r in &relations { tr id=(r.id) {
                    td { (r.from.describe()) } td { (word("relation_kind", r.kind.as_str())) }
                    td { (r.share_percent.map(|s| format!("{s} %")).unwrap_or_else(|| "—".into())) }
                    td { (r.to.describe()) } td { (r.source) } td { (r.authority_id) }
                    td {
                        @if let Some(why) = &r.revoked_because { span.revoked { (t("ownership.revoked")) " " (why) } }
                        @else if recorder && mine.as_deref() == Some(r.authority_id.as_str()) {
                            form.revoke method="post" action="/ownership" {
                                (csrf()) input type="hidden" name="action" value="revoke"; input type="hidden" name="id" value=(r.id);
                                label { (t("ownership.reason")) " " input name="reason" maxlength="300" required; }
                                " " button type="submit" { (t("ownership.revoke")) }
                            }
                        }
                    }
                } } }
            }
        }
        @if recorder {
            h2 { (t("ownership.record")) }
            form.record method="post" action="/ownership" {
                (csrf()) input type="hidden" name="action" value="record";
                fieldset { legend { (t("ownership.from")) }
                    p { label for="from_list" { (t("ownership.list")) } br; input #from_list name="from_list" value=(kept("from_list")) maxlength="100"; }
                    p { label for="from_id" { (t("ownership.entity")) } br; input #from_id name="from_id" value=(kept("from_id")) maxlength="200"; }
                    p { label for="from_name" { (t("ownership.name")) } br; input #from_name name="from_name" value=(kept("from_name")) maxlength="300"; }
                }
                p { label for="kind" { (t("ownership.kind")) } br;
                    select #kind name="kind" { @for k in RelationKind::ALL { option value=(k.as_str()) selected[kept("kind") == k.as_str()] { (word("relation_kind", k.as_str())) } } } }
                p { label for="share" { (t("ownership.share")) } br; input #share name="share" value=(kept("share")) inputmode="decimal"; }
                fieldset { legend { (t("ownership.to")) }
                    p { label for="to_name" { (t("ownership.name")) } br; input #to_name name="to_name" value=(kept("to_name")) maxlength="300" required; }
                    p { label for="to_country" { (t("ownership.country")) } br; input #to_country name="to_country" value=(kept("to_country")) maxlength="2"; }
                }
                p { label for="source" { (t("ownership.source")) } br; input #source name="source" value=(kept("source")) maxlength="300" required; }
                button type="submit" { (t("ownership.record_button")) }
            }
        }
    };
    page_after(error, t("ownership.title"), Some(session), body)
}

/// The ownership desk (officials).
pub(crate) async fn ownership(State(s): State<AppState>, Viewer(viewer): Viewer) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/ownership", Vec::new())) };
    ownership_page(&s, &session, None, None).await
}

/// A field of the form, trimmed, or nothing when blank.
fn given(f: &ActionForm, name: &str) -> Option<String> {
    f.field(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Records or revokes a relation; then shows the desk again.
pub(crate) async fn act(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/ownership", Vec::new())) };
    let outcome = async {
        check_csrf(&session, &f.csrf)?;
        let p = &session.principal;
        match f.action.as_str() {
            "record" => {
                let kind = f.choice("kind", RelationKind::parse, t("ownership.choose_kind"))?;
                let share = match given(&f, "share") {
                    Some(v) => {
                        Some(v.parse().map_err(|_| Error::validation("share_percent", t("ownership.not_a_share")))?)
                    }
                    None => None,
                };
                let (list, id) = (given(&f, "from_list"), given(&f, "from_id"));
                let from_name =
                    given(&f, "from_name").or_else(|| Some(format!("{}:{}", list.as_deref()?, id.as_deref()?)));
                let input = NewRelation {
                    from: PartyRef { list_id: list, entity_id: id, name: from_name.unwrap_or_default(), country: None },
                    to: PartyRef {
                        list_id: None,
                        entity_id: None,
                        name: given(&f, "to_name").unwrap_or_default(),
                        country: given(&f, "to_country").map(|c| c.to_uppercase()),
                    },
                    kind,
                    share_percent: share,
                    valid_from: None,
                    valid_until: None,
                    source: given(&f, "source").unwrap_or_default(),
                };
                s.app.record_relation(p, input).await.map(|_| ())
            }
            "revoke" => {
                let reason = given(&f, "reason").unwrap_or_default();
                s.app
                    .revoke_relation(p, &f.field("id").unwrap_or_default(), RelationRevocation { reason })
                    .await
                    .map(|_| ())
            }
            other => Err(Error::validation("action", format!("unknown action '{other}'"))),
        }
    }
    .await;
    let error = outcome.err();
    ownership_page(&s, &session, error.as_ref(), error.as_ref().map(|_| &f)).await
}
