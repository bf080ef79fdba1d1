//! Public pages of the control list: search, browse by category with sub-items indented, one entry with its
//! jurisdictions' codes and reasons, and the versions.

use super::i18n::{t, tr};
use super::session::Viewer;
use super::{PageResult, page};
use crate::AppState;
use accord_core::controls::ControlVersion;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;

/// What the control-list page was asked: words or a code, a category to browse, a day.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    q: Option<String>,
    category: Option<String>,
    at: Option<String>,
}

/// A day to show an entry on.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AtQuery {
    at: Option<String>,
}

/// The value of a query field, with an empty field read as absent.
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The link to an entry, keeping the day asked about.
fn entry_href(code: &str, at: Option<&str>) -> String {
    match at {
        Some(day) => format!("/controls/{code}?at={day}"),
        None => format!("/controls/{code}"),
    }
}

fn version_line(v: &ControlVersion) -> Markup {
    html! {
        p.meta {
            (tr!("controls.version_line", label = v.label, from = v.effective_date, entries = v.entries))
        }
    }
}

fn search_form(q: Option<&str>, at: Option<&str>) -> Markup {
    html! {
        form.search method="get" action="/controls" role="search" {
            label for="q" { (t("home.query")) input #q type="search" name="q" value=[q] required maxlength="200"; }
            label for="at" { (t("controls.on_the_day")) input #at type="date" name="at" value=[at]; }
            button type="submit" { (t("home.search")) }
        }
    }
}

/// Search results, a category's entries, or the categories to browse.
pub(crate) async fn index(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let (q, at) = (given(&query.q), given(&query.at));
    if let Some(q) = q {
        let found = s.app.search_controls(q, 25, at).await?;
        return page(
            &format!("“{q}” in the control list"),
            viewer.as_ref(),
            html! {
                h1 { (t("controls.search_title")) }
                (search_form(Some(q), at))
                (version_line(&found.version))
                h2 { (found.hits.len()) " entries for “" (q) "”" }
                @if found.hits.is_empty() {
                    p { (t("controls.nothing")) }
                }
                ol.hits {
                    @for hit in &found.hits {
                        li {
                            a.code href=(entry_href(&hit.code.to_string(), at)) { (hit.code) }
                            " " (hit.title)
                            @if !hit.snippet.is_empty() && hit.snippet != hit.title { br; span.meta { (hit.snippet) } }
                        }
                    }
                }
            },
        );
    }
    if let Some(category) = given(&query.category) {
        let browsed = s.app.browse_controls(category, None, at).await?;
        return page(
            &tr!("controls.category", category = category),
            viewer.as_ref(),
            html! {
                h1 { (tr!("controls.category", category = category)) }
                (version_line(&browsed.version))
                p { a href="/controls" { (t("controls.all_categories")) } }
                ul.entries {
                    @for e in &browsed.entries {
                        // Sub-items are indented under their entry: one step per level below the heading.
                        @let depth = e.code.matches('.').count();
                        li style=(format!("margin-left: {}rem", depth.min(6) * 2)) {
                            a.code href=(entry_href(&e.code, at)) { (e.code) } " " (e.title)
                        }
                    }
                }
            },
        );
    }
    // The categories are those of the list in force, each with how many entries it has there.
    let in_force = match s.app.control_list_at(at).await {
        Ok(found) => Some(found),
        Err(e) if e.code == accord_core::ErrorCode::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    page(
        t("nav.controls"),
        viewer.as_ref(),
        html! {
            h1 { (t("controls.title")) }
            (search_form(None, at))
            @match &in_force {
                None => p { (t("controls.none_in_force")) },
                Some((v, _)) => (version_line(v)),
            }
            p { a href="/controls/versions" { (t("controls.every_version")) } }
            @if let Some((_, list)) = &in_force {
                h2 { (t("controls.browse")) }
                ul.entries {
                    @for digit in 0..=9u8 {
                        @let entries = list.by_category(digit, None).len();
                        @if entries > 0 {
                            li { a href=(format!("/controls?category={digit}")) { (tr!("controls.category", category = digit)) } " " (tr!("controls.entries", entries = entries)) }
                        }
                    }
                }
            }
        },
    )
}

/// One entry: its text, the code each jurisdiction lists it under with its reasons, its notes and sub-items.
pub(crate) async fn entry(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Path(code): Path<String>,
    Query(query): Query<AtQuery>,
) -> PageResult {
    let at = given(&query.at);
    let answer = s.app.control(&code, at).await?;
    let e = &answer.entry;
    let code = e.code.to_string();
    let parent = code.rsplit_once('.').map(|(p, _)| p.to_owned());
    page(
        &format!("{code} {}", e.title),
        viewer.as_ref(),
        html! {
            p.meta {
                a href="/controls" { (t("nav.controls")) }
                @if let Some(p) = &parent { " › " a href=(entry_href(p, at)) { (p) } }
            }
            h1 { span.code { (code) } " " (e.title) }
            @if let Some(sub) = &answer.within {
                p.note #within role="note" { (tr!("controls.within", sub = sub, entry = code)) }
            }
            (version_line(&answer.version))
            @if !e.regimes.is_empty() {
                p { (t("controls.regimes")) " " @for (i, r) in e.regimes.iter().enumerate() { @if i > 0 { ", " } (r) } }
            }
            h2 { (t("controls.mappings")) }
            @if e.mappings.is_empty() {
                p { (t("controls.no_mapping")) }
            } @else {
                table {
                    caption.meta { (t("controls.mapping_caption")) }
                    thead { tr { th scope="col" { (t("cases.jurisdiction")) } th scope="col" { (t("case.code")) } th scope="col" { (t("controls.reasons")) } th scope="col" { (t("controls.heading_there")) } } }
                    tbody {
                        @for m in &e.mappings {
                            tr {
                                td { (m.jurisdiction) }
                                td.code { (m.code) }
                                td { @if m.reasons.is_empty() { "—" } @else { (m.reasons.join(", ")) } }
                                td { (m.title.as_deref().unwrap_or("—")) }
                            }
                        }
                    }
                }
            }
            @if !answer.children.is_empty() {
                h2 { (t("controls.sub_items")) }
                ul.entries {
                    @for c in &answer.children { li { a.code href=(entry_href(c, at)) { (c) } } }
                }
            }
            @if !e.text.is_empty() {
                h2 { (t("controls.text")) }
                pre.text { (e.text) }
            }
            @if !e.notes.is_empty() {
                h2 { (t("controls.notes")) }
                ul { @for n in &e.notes { li { (n) } } }
            }
        },
    )
}

/// Every stored version of the list and of the policies, newest first, each linked to the proposal that made it.
pub(crate) async fn versions(State(s): State<AppState>, Viewer(viewer): Viewer) -> PageResult {
    let mut versions = s.app.control_versions().await?;
    versions.reverse();
    let mut policies = s.app.policy_versions().await?;
    policies.reverse();
    page(
        t("controls.versions_title"),
        viewer.as_ref(),
        html! {
            h1 { (t("controls.versions_title")) }
            @if versions.is_empty() { p { (t("controls.no_list")) } }
            @else { (versions_table("controls-versions", t("controls.entries_col"), &versions)) }
            h2 { (t("controls.policy_versions_title")) }
            (versions_table("policy-versions", t("controls.files_col"), &policies))
        },
    )
}

/// A table of stored versions, with the proposal that made each one.
fn versions_table(id: &str, counted: &str, versions: &[accord_core::controls::ControlVersion]) -> maud::Markup {
    html! {
        table id=(id) {
            thead { tr { th scope="col" { (t("controls.version")) } th scope="col" { (t("controls.in_force_from")) } th scope="col" { (counted) } th scope="col" { (t("controls.why_published")) } } }
            tbody {
                @for v in versions {
                    tr {
                        td { (v.label) }
                        td { time datetime=(v.effective_date) { (v.effective_date) } }
                        td { (v.entries) }
                        td { (v.rationale)
                            @if let Some(key) = v.source.strip_prefix("proposal ") {
                                br; a href=(format!("/proposals/{key}")) { (t("controls.the_proposal")) }
                            } }
                    }
                }
            }
        }
    }
}
