//! Checking a transaction: a form for one shipment (goods, destination, end use, a party) and, per jurisdiction,
//! the answer in plain words with the rules behind it, their legal sources, and what it rests on that is unverified.

use super::i18n::{t, tr, word};
use super::session::Viewer;
use super::{PageError, redirect};
use crate::AppState;
use accord_app::DetermineOptions;
use accord_app::{NewFile, Session};
use accord_core::cases::NewApplication;
use accord_core::determination::{Determination, JurisdictionAnswer, Outcome, Transaction};
use accord_core::{Error, ErrorCode};
use axum::extract::Multipart;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The form's fields, each as typed (every one optional, so a half-filled form is shown again, not refused).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
pub(crate) struct CheckForm {
    date: Option<String>,
    origin: Option<String>,
    destination: Option<String>,
    end_use: Option<String>,
    statement: Option<String>,
    code: Option<String>,
    description: Option<String>,
    quantity: Option<String>,
    value: Option<String>,
    currency: Option<String>,
    party_role: Option<String>,
    party_name: Option<String>,
    party_country: Option<String>,
}

const END_USES: [&str; 6] = ["civil", "military", "military_intelligence", "wmd", "cyber_surveillance", "unknown"];

const ROLES: [&str; 5] = ["consignee", "end_user", "ultimate_end_user", "intermediary", "purchaser"];

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl CheckForm {
    /// Whether the form was sent (a destination is the least a check needs).
    fn sent(&self) -> bool {
        given(&self.destination).is_some()
    }

    /// The transaction the fields describe; the engine checks every value and names the field it refuses.
    fn transaction(&self) -> Result<Transaction, Error> {
        let mut item = Map::new();
        for (key, v) in [
            ("code", &self.code),
            ("description", &self.description),
            ("quantity", &self.quantity),
            ("value", &self.value),
            ("currency", &self.currency),
        ] {
            if let Some(v) = given(v) {
                item.insert(key.into(), json!(v));
            }
        }
        let parties = match given(&self.party_name) {
            Some(name) => json!([{
                "role": given(&self.party_role).unwrap_or("end_user"),
                "name": name,
                "country": given(&self.party_country),
            }]),
            None => json!([]),
        };
        let tx = json!({
            "date": given(&self.date).map_or_else(|| jiff::Zoned::now().date().to_string(), str::to_owned),
            "origin": given(&self.origin).unwrap_or_default(),
            "destination": given(&self.destination).unwrap_or_default(),
            "end_use": { "category": given(&self.end_use).unwrap_or("civil"), "statement": given(&self.statement).unwrap_or_default() },
            "items": [Value::Object(item)],
            "parties": parties,
        });
        serde_json::from_value(tx).map_err(|e| Error::new(accord_core::ErrorCode::InvalidBody, e.to_string()))
    }
}

fn field(form: &CheckForm, pick: fn(&CheckForm) -> &Option<String>) -> &str {
    pick(form).as_deref().unwrap_or("")
}

/// A choice among the values of a closed set, each shown with its word under `prefix`.
fn select(name: &str, prefix: &str, options: &[&str], chosen: &str) -> Markup {
    html! {
        select #(name) name=(name) {
            @for value in options {
                option value=(value) selected[*value == chosen] { (word(prefix, value)) }
            }
        }
    }
}

fn form(f: &CheckForm, error: Option<&Error>) -> Markup {
    let today = jiff::Zoned::now().date().to_string();
    html! {
        form.check method="get" action="/check" {
            fieldset {
                legend { (t("check.shipment")) }
                p { label for="date" { (t("check.date")) (beside(error, "date")) } br; input #date type="date" name="date" value=(f.date.as_deref().unwrap_or(&today)); }
                p { label for="origin" { (t("check.origin")) (beside(error, "origin")) } br; input #origin name="origin" value=(field(f, |f| &f.origin)) required maxlength="6" placeholder="DE"; }
                p { label for="destination" { (t("check.destination")) (beside(error, "destination")) } br; input #destination name="destination" value=(field(f, |f| &f.destination)) required maxlength="6" placeholder="CN"; }
                p { label for="end_use" { (t("check.end_use")) (beside(error, "end_use")) } br; (select("end_use", "end_use", &END_USES, f.end_use.as_deref().unwrap_or("civil"))) }
                p { label for="statement" { (t("check.statement")) (beside(error, "statement")) } br; textarea #statement name="statement" rows="2" maxlength="2000" { (field(f, |f| &f.statement)) } }
            }
            fieldset {
                legend { (t("check.goods")) }
                p { label for="code" { (t("check.code")) (beside(error, "code")) } br; input #code name="code" value=(field(f, |f| &f.code)) maxlength="40" placeholder="3A001.a.1"; }
                p { label for="description" { (t("check.description")) (beside(error, "description")) } br; input #description name="description" value=(field(f, |f| &f.description)) maxlength="500"; }
                p { label for="quantity" { (t("check.quantity")) (beside(error, "quantity")) } br; input #quantity name="quantity" inputmode="decimal" value=(field(f, |f| &f.quantity)) maxlength="20"; }
                p { label for="value" { (t("check.value")) (beside(error, "value")) } br; input #value name="value" inputmode="decimal" value=(field(f, |f| &f.value)) maxlength="20"; }
                p { label for="currency" { (t("check.currency")) (beside(error, "currency")) } br; input #currency name="currency" value=(field(f, |f| &f.currency)) maxlength="3" placeholder="EUR"; }
            }
            fieldset {
                legend { (t("check.party")) }
                p { label for="party_role" { (t("check.role")) (beside(error, "party_role")) } br; (select("party_role", "role", &ROLES, f.party_role.as_deref().unwrap_or("end_user"))) }
                p { label for="party_name" { (t("check.name")) (beside(error, "party_name")) } br; input #party_name name="party_name" value=(field(f, |f| &f.party_name)) maxlength="500"; }
                p { label for="party_country" { (t("check.country")) (beside(error, "party_country")) } br; input #party_country name="party_country" value=(field(f, |f| &f.party_country)) maxlength="6"; }
            }
            p { button type="submit" { (t("check.submit")) } }
        }
    }
}

/// One jurisdiction's answer: the outcome in plain words, why the jurisdiction applies, the reasons with their
/// citations, what it rests on that is unverified, and the authorisations that could not be used.
pub(crate) fn answer(j: &JurisdictionAnswer) -> Markup {
    html! {
        section.answer aria-labelledby=(format!("j-{}", j.jurisdiction)) {
            h3 id=(format!("j-{}", j.jurisdiction)) { (j.jurisdiction) ": " span.outcome data-outcome=(j.outcome.as_str()) { (word("outcome", j.outcome.as_str())) } }
            p.meta { (t("check.why_jurisdiction")) " " (j.applies_because) " · " (t("check.policy")) " " (j.policy) }
            @if let Some(path) = j.review_path { p { (tr!("check.review_path", path = word("review_path", path.as_str()))) } }
            @if !j.general_authorisations.is_empty() {
                p { (t("check.authorisations")) " " (j.general_authorisations.join(", ")) }
                @if !j.obligations.is_empty() { ul { @for o in &j.obligations { li { (o) } } } }
            }
            @if !j.unverified.is_empty() {
                div.error role="note" {
                    p { strong { (t("check.unverified")) } }
                    ul { @for u in &j.unverified { li { (u) } } }
                }
            }
            @if !j.reasons.is_empty() {
                h4 { (t("check.why")) }
                ol.reasons {
                    @for r in &j.reasons {
                        li {
                            (r.detail)
                            @if let Some(by) = &r.lifted_by { " — " (t("check.lifted_by")) " " strong { (by) } }
                            br; cite.meta { (r.citation) } span.meta { " (" (r.rule) ")" }
                        }
                    }
                }
            }
            @if !j.not_available.is_empty() {
                h4 { (t("check.not_available")) }
                ul { @for n in &j.not_available { li { strong { (n.authorisation) } ": " (n.why) } } }
            }
        }
    }
}

/// The form that applies for a licence for the shipment just checked: the same fields, the end-use statement,
/// supporting documents and the declarations.
fn apply_form(f: &CheckForm, csrf: &str, error: Option<&Error>) -> Markup {
    let fields = serde_json::to_value(f).unwrap_or_default();
    html! {
        h2 #apply { (t("apply.title")) }
        form.apply method="post" action="/apply" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(map) = fields.as_object() {
                @for (name, value) in map {
                    @if let Some(v) = value.as_str() { input type="hidden" name=(name) value=(v); }
                }
            }
            p { label for="end_use_statement" { (t("apply.statement")) (beside(error, "end_use_statement")) } br;
                textarea #end_use_statement name="end_use_statement" rows="3" required maxlength="4000" { (field(f, |f| &f.statement)) } }
            fieldset {
                legend { (t("apply.documents")) }
                p.meta { (t("apply.documents_note")) }
                @for i in 0..MAX_FILES {
                    p { label for=(format!("document_kind_{i}")) { (tr!("apply.document_kind", n = i + 1)) (beside(error, &format!("document_{i}"))) } " "
                        (select(&format!("document_kind_{i}"), "document_kind", &DOCUMENT_KINDS, "end_user_statement"))
                        " " input id=(format!("document_{i}")) type="file" name=(format!("document_{i}")) aria-label=(tr!("apply.document", n = i + 1))
                            accept=".pdf,.png,.jpg,.jpeg,.txt,.xml,.json,.csv"; }
                }
            }
            fieldset {
                legend { (t("apply.declarations")) }
                p { label { input #no_wmd_end_use type="checkbox" name="no_wmd_end_use" value="true" required; " " (t("apply.no_wmd")) (beside(error, "no_wmd_end_use")) } }
                p { label { input #no_military_end_use type="checkbox" name="no_military_end_use" value="true" required; " " (t("apply.no_military")) (beside(error, "no_military_end_use")) } }
                p { label { input #no_reexport_without_consent type="checkbox" name="no_reexport_without_consent" value="true" required; " " (t("apply.no_reexport")) (beside(error, "no_reexport_without_consent")) } }
            }
            p { button type="submit" { (t("apply.submit")) } }
        }
    }
}

/// The parties' hits on restricted-party lists, as a table.
pub(crate) fn party_hits(hits: &[accord_core::determination::PartyHit]) -> Markup {
    html! {
        table {
            thead { tr { th scope="col" { (t("hits.name")) } th scope="col" { (t("hits.list")) } th scope="col" { (t("hits.score")) } th scope="col" { (t("hits.in_force")) } } }
            tbody {
                @for h in hits {
                    tr { td { (h.matched_name)
                            // The ownership rules' conclusions carry their path.
                            @if h.list_id == accord_controls::OWNERSHIP_LIST { @for p in &h.programs { br; span.meta.path { (p) } } } }
                        td { (h.list_id) } td { (format!("{:.2}", h.score)) } td { @if h.in_force { (t("yes")) } @else { (t("no")) } } }
                }
            }
        }
    }
}

fn result(d: &Determination) -> Markup {
    html! {
        h2 #result { (t("check.answer_for")) " " time datetime=(d.date) { (d.date) } }
        @if let Some(note) = &d.note { p { (note) } }
        @if !d.warnings.is_empty() {
            div.error role="note" { p { strong { (t("check.take_note")) } } ul { @for w in &d.warnings { li { (w) } } } }
        }
        @for j in &d.jurisdictions { (answer(j)) }
        @if !d.party_hits.is_empty() {
            h3 { (t("check.hits")) }
            (party_hits(&d.party_hits))
        }
        p.meta { (tr!("check.versions", list = d.versions.control_list, policies = d.versions.policies)) }
    }
}

/// The form field an error names: the API's field (`items[0].quantity`, `parties[0].country`, `files[1]` …) as
/// the name of the input that holds it.
fn form_field(e: &Error) -> Option<String> {
    let field = e.details.as_ref()?.get("field")?.as_str()?;
    let (head, rest) = field.split_once('.').unwrap_or((field, ""));
    let named = match (head.split('[').next().unwrap_or(head), rest) {
        ("items", "") => "quantity".to_owned(),
        ("items", r) => r.split('.').next().unwrap_or(r).to_owned(),
        ("parties", "") => "party_name".to_owned(),
        ("parties", r) => format!("party_{}", r.split('.').next().unwrap_or(r)),
        ("end_use", "category") => "end_use".to_owned(),
        ("end_use", _) => "statement".to_owned(),
        ("files", _) => format!("document_{}", head.trim_start_matches("files[").trim_end_matches(']')),
        ("documents", _) => "document_0".to_owned(),
        (other, _) => other.to_owned(),
    };
    Some(named)
}

/// The error beside the field it concerns, when it concerns `name`.
fn beside(error: Option<&Error>, name: &str) -> Markup {
    html! {
        @if let Some(e) = error.filter(|e| form_field(e).as_deref() == Some(name)) {
            span.field-error id=(format!("{name}-error")) { (e.message) }
        }
    }
}

/// The check page: the form, the answer once it is sent, and the application form under an answer that needs a
/// licence; `apply_error` is the error of an application just refused, shown beside its field.
async fn check_page(
    s: &AppState,
    session: &Session,
    f: &CheckForm,
    apply_error: Option<&Error>,
) -> Result<Response, PageError> {
    let outcome = if f.sent() {
        match f.transaction() {
            Ok(tx) => Some(s.app.determine(&session.principal, &tx, &DetermineOptions::default()).await),
            Err(e) => Some(Err(e)),
        }
    } else {
        None
    };
    let check_error = match &outcome {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let error = check_error.or(apply_error);
    let body = html! {
        h1 { (t("check.title")) }
        p { (t("check.intro")) }
        @if let Some(e) = error {
            div.error role="alert" #form-error {
                p { (e.message) " " span.meta { "(" (e.code.as_str()) ")" } }
                @if let Some(field) = form_field(e) { p { a href=(format!("#{field}")) { (t("error.go_to_field")) } } }
            }
        }
        (form(f, check_error))
        @if let Some(Ok(d)) = &outcome {
            (result(d))
            @if session.user.role == accord_core::model::Role::Exporter
                && d.jurisdictions.iter().any(|j| j.outcome == Outcome::LicenceRequired) {
                (apply_form(f, &session.csrf, apply_error))
            }
        }
    };
    super::page_after(error, t("check.title"), Some(session), body)
}

/// The check page.
pub(crate) async fn check(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(f): Query<CheckForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/check", Vec::new())) };
    check_page(&s, &session, &f, None).await
}

/// Files a page may send with an application.
const MAX_FILES: usize = 3;

/// What the documents may be declared as.
const DOCUMENT_KINDS: [&str; 5] = ["end_user_statement", "end_user_certificate", "contract", "data_sheet", "other"];

/// The application form as sent: the checked shipment, the statement, the declarations and the files.
#[derive(Debug, Default)]
pub(crate) struct ApplyForm {
    fields: std::collections::HashMap<String, String>,
    files: Vec<NewFile>,
    /// The file input each file came from (inputs left empty send none).
    slots: Vec<usize>,
}

/// The error with its `field` named after the file input the file came from, when it names file `i` of those sent.
fn renamed(mut e: Error, i: usize, slot: usize) -> Error {
    if let Some(d) = e.details.as_mut().filter(|d| d["field"] == format!("files[{i}]").as_str()) {
        d["field"] = json!(format!("document_{slot}"));
    }
    e
}

impl ApplyForm {
    /// Reads the multipart body; a body that cannot be read is the API's `invalid_body`.
    async fn read(mut multipart: Multipart) -> Result<ApplyForm, Error> {
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            Error::new(ErrorCode::InvalidBody, tr!("error.unreadable", detail = e.body_text()))
        };
        let mut form = ApplyForm::default();
        while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
            let name = part.name().unwrap_or_default().to_owned();
            match name.strip_prefix("document_").and_then(|i| i.parse::<usize>().ok()) {
                Some(i) if i < MAX_FILES => {
                    let file_name = part.file_name().unwrap_or_default().to_owned();
                    let content_type = part.content_type().unwrap_or("application/octet-stream").to_owned();
                    let bytes = part.bytes().await.map_err(unreadable)?;
                    // A file input left empty is sent as a part with no name and no content.
                    if file_name.is_empty() && bytes.is_empty() {
                        continue;
                    }
                    let kind =
                        form.fields.get(&format!("document_kind_{i}")).cloned().unwrap_or_else(|| "other".into());
                    form.files.push(NewFile { name: file_name, kind, content_type, bytes: bytes.to_vec() });
                    form.slots.push(i);
                }
                _ => {
                    let text = part.text().await.map_err(unreadable)?;
                    form.fields.insert(name, text);
                }
            }
        }
        Ok(form)
    }

    fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }

    /// The shipment as checked.
    fn shipment(&self) -> CheckForm {
        serde_json::from_value(json!(self.fields)).unwrap_or_default()
    }

    /// The application the form describes; each declaration must be made.
    fn application(&self, shipment: &CheckForm) -> Result<NewApplication, Error> {
        for declaration in ["no_wmd_end_use", "no_military_end_use", "no_reexport_without_consent"] {
            if self.field(declaration).is_none() {
                return Err(Error::validation(declaration, t("apply.declaration_missing")));
            }
        }
        let tx = shipment.transaction()?;
        serde_json::from_value(json!({
            "transaction": tx,
            "end_use_statement": self.field("end_use_statement").unwrap_or_default(),
            "declarations": { "no_wmd_end_use": true, "no_military_end_use": true, "no_reexport_without_consent": true },
        }))
        .map_err(|e| Error::new(ErrorCode::InvalidBody, e.to_string()))
    }
}

/// Applies for a licence for a checked shipment with its files, and submits it: the cases open at once. A refusal
/// shows the check page again with the error beside its field, and nothing is stored.
pub(crate) async fn apply(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/check", Vec::new())) };
    let form = ApplyForm::read(multipart).await?;
    super::session::check_csrf(&session, &form.field("csrf").unwrap_or_default())?;
    let shipment = form.shipment();
    let outcome = match form.application(&shipment) {
        Ok(application) => s.app.apply_with_files(&session.principal, application, form.files, true).await,
        Err(e) => Err(e),
    }
    .map_err(|e| form.slots.iter().enumerate().fold(e, |e, (i, slot)| renamed(e, i, *slot)));
    match outcome {
        Ok(_) => Ok(redirect("/cases", Vec::new())),
        Err(e) if e.code.http_status() >= 500 => Err(e.into()),
        Err(e) => check_page(&s, &session, &shipment, Some(&e)).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_apis_field_names_the_input_that_holds_it() {
        let named = |field: &str| form_field(&Error::validation(field, "wrong"));
        for (api, input) in [
            ("destination", "destination"),
            ("items[0].quantity", "quantity"),
            ("items[0]", "quantity"),
            ("parties[0].country", "party_country"),
            ("parties[0]", "party_name"),
            ("end_use.category", "end_use"),
            ("end_use.statement", "statement"),
            ("files[2]", "document_2"),
            ("end_use_statement", "end_use_statement"),
        ] {
            assert_eq!(named(api).as_deref(), Some(input), "{api}");
        }
        assert_eq!(form_field(&Error::new(ErrorCode::Conflict, "no field")), None);
    }

    #[test]
    fn a_files_error_names_the_input_it_came_from() {
        let e = renamed(Error::validation("files[0]", "not a PDF"), 0, 2);
        assert_eq!(form_field(&e).as_deref(), Some("document_2"));
        let other = renamed(Error::validation("files[1]", "not a PDF"), 0, 2);
        assert_eq!(form_field(&other).as_deref(), Some("document_1"), "only the file named is renamed");
    }
}
