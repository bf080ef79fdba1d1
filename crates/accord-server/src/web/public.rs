//! Public pages besides the control list: the policies in force with where each file's facts come from, and the
//! directory of licensing authorities.

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
        "Policies",
        viewer.as_ref(),
        html! {
            h1 { "The policies in force" }
            p.meta { "Version " (info.version.label) ", in force from " time datetime=(info.version.effective_date) { (info.version.effective_date) } }
            form.search method="get" action="/policies" {
                label for="at" { "On the day" input #at type="date" name="at" value=[at]; }
                button type="submit" { "Show" }
            }
            table {
                caption.meta { "Each jurisdiction's rules, as data" }
                thead { tr { th scope="col" { "Jurisdiction" } th scope="col" { "What it implements" } th scope="col" { "Version" } th scope="col" { "Takes effect" } th scope="col" { "Rules" } th scope="col" { "Authorisations" } } }
                tbody {
                    @for p in &info.policies {
                        tr { td { (p.jurisdiction) } td { (p.title) } td { (p.version) } td { (p.effective_date) } td { (p.rules) } td { (p.authorisations) } }
                    }
                }
            }
            h2 { "Where the facts come from" }
            p { "Facts generated from a primary source (the official text) are verified; hand-encoded ones are not, and every answer that relies on them says so." }
            table.sources {
                thead { tr { th scope="col" { "File" } th scope="col" { "Document" } th scope="col" { "Issue" } th scope="col" { "Verified" } } }
                tbody {
                    @for src in &info.sources {
                        tr {
                            td.code { (src.file) }
                            td {
                                @match &src.url { Some(url) => a href=(url) rel="noopener noreferrer" { (src.document) }, None => (src.document) }
                                @if let Some(note) = &src.note { br; span.meta { (note) } }
                            }
                            td { (src.issue_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                            td { @if src.verified { "yes, from the primary source" } @else { strong { "no: hand-encoded" } } }
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
        "Authorities",
        viewer.as_ref(),
        html! {
            h1 { "Licensing authorities" }
            @if all.is_empty() { p { "No authority is registered on this node yet." } }
            @else {
                table {
                    thead { tr { th scope="col" { "Authority" } th scope="col" { "Code" } th scope="col" { "Jurisdiction" } th scope="col" { "Country" } th scope="col" { "Time zone" } } }
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
