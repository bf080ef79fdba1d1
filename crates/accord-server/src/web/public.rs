//! Public pages besides the control list: the policies in force with where each file's facts come from, and the
//! directory of licensing authorities.

use super::i18n::{t, tr};
use super::session::Viewer;
use super::{PageResult, page};
use crate::AppState;
use axum::extract::{Query, State};
use maud::html;
use serde::Deserialize;

/// A day to show the policies of.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AtQuery {
    at: Option<String>,
}

/// The policy set in force (today, or on `at`): each file, and the source of its facts.
pub(crate) async fn policies(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(q): Query<AtQuery>,
) -> PageResult {
    let at = q.at.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let info = s.app.policy_version_info(at).await?;
    page(
        t("nav.policies"),
        viewer.as_ref(),
        html! {
            h1 { (t("policies.title")) }
            p.meta { (tr!("policies.version", label = info.version.label, from = info.version.effective_date)) }
            form.search method="get" action="/policies" {
                label for="at" { (t("controls.on_the_day")) input #at type="date" name="at" value=[at]; }
                button type="submit" { (t("policies.show")) }
            }
            table {
                caption.meta { (t("policies.caption")) }
                thead { tr { th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("policies.implements")) } th scope="col" { (t("controls.version")) } th scope="col" { (t("policies.takes_effect")) } th scope="col" { (t("policies.rules")) } th scope="col" { (t("policies.authorisations")) } } }
                tbody {
                    @for p in &info.policies {
                        tr { td { (p.jurisdiction) } td { (p.title) } td { (p.version) } td { (p.effective_date) } td { (p.rules) } td { (p.authorisations) } }
                    }
                }
            }
            h2 { (t("policies.sources")) }
            p { (t("policies.sources_intro")) }
            table.sources {
                thead { tr { th scope="col" { (t("policies.file")) } th scope="col" { (t("policies.document")) } th scope="col" { (t("policies.issue")) } th scope="col" { (t("policies.verified")) } } }
                tbody {
                    @for src in &info.sources {
                        tr {
                            td.code { (src.file) }
                            td {
                                @match &src.url { Some(url) => a href=(url) rel="noopener noreferrer" { (src.document) }, None => (src.document) }
                                @if let Some(note) = &src.note { br; span.meta { (note) } }
                            }
                            td { (src.issue_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                            td { @if src.verified { (t("policies.verified_yes")) } @else { strong { (t("policies.verified_no")) } } }
                        }
                    }
                }
            }
        },
    )
}

/// The licensing authorities of this node.
pub(crate) async fn authorities(State(s): State<AppState>, Viewer(viewer): Viewer) -> PageResult {
    let all = s.app.authorities().await?;
    page(
        t("nav.authorities"),
        viewer.as_ref(),
        html! {
            h1 { (t("authorities.title")) }
            @if all.is_empty() { p { (t("authorities.none")) } }
            @else {
                table {
                    thead { tr { th scope="col" { (t("coalition.authority")) } th scope="col" { (t("case.code")) } th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("authorities.country")) } th scope="col" { (t("authorities.time_zone")) } } }
                    tbody {
                        @for a in &all {
                            tr { td { (a.name) } td.code { (a.id) } td { (a.jurisdiction) } td { (a.country) } td { (a.time_zone) } }
                        }
                    }
                }
            }
        },
    )
}
