//! Checking a transaction: a form for one shipment (goods, destination, end use, a party) and, per jurisdiction,
//! the answer in plain words with the rules behind it, their legal sources, and what it rests on that is unverified.

use super::session::Viewer;
use super::{PageError, redirect};
use crate::AppState;
use accord_app::DetermineOptions;
use accord_core::Error;
use accord_core::determination::{Determination, JurisdictionAnswer, Outcome, Transaction};
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

const END_USES: [(&str, &str); 6] = [
    ("civil", "Civil"),
    ("military", "Military"),
    ("military_intelligence", "Military intelligence"),
    ("wmd", "Weapons of mass destruction or their delivery"),
    ("cyber_surveillance", "Cyber-surveillance"),
    ("unknown", "Not known"),
];

const ROLES: [(&str, &str); 5] = [
    ("consignee", "Consignee"),
    ("end_user", "End user"),
    ("ultimate_end_user", "Ultimate end user"),
    ("intermediary", "Intermediary"),
    ("purchaser", "Purchaser"),
];

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

/// The answer in plain words.
fn outcome_words(o: Outcome) -> &'static str {
    match o {
        Outcome::NoLicenceRequired => "No licence is needed",
        Outcome::GeneralAuthorisation => "A general authorisation covers it",
        Outcome::LicenceRequired => "A licence is needed",
        Outcome::Prohibited => "Prohibited: it must not proceed",
    }
}

fn field(form: &CheckForm, pick: fn(&CheckForm) -> &Option<String>) -> &str {
    pick(form).as_deref().unwrap_or("")
}

fn select(name: &str, options: &[(&str, &str)], chosen: &str) -> Markup {
    html! {
        select #(name) name=(name) {
            @for (value, label) in options {
                option value=(value) selected[*value == chosen] { (label) }
            }
        }
    }
}

fn form(f: &CheckForm) -> Markup {
    let today = jiff::Zoned::now().date().to_string();
    html! {
        form.check method="get" action="/check" {
            fieldset {
                legend { "The shipment" }
                p { label for="date" { "Day of the export" } br; input #date type="date" name="date" value=(f.date.as_deref().unwrap_or(&today)); }
                p { label for="origin" { "From (country code)" } br; input #origin name="origin" value=(field(f, |f| &f.origin)) required maxlength="6" placeholder="DE"; }
                p { label for="destination" { "To (country code)" } br; input #destination name="destination" value=(field(f, |f| &f.destination)) required maxlength="6" placeholder="CN"; }
                p { label for="end_use" { "End use" } br; (select("end_use", &END_USES, f.end_use.as_deref().unwrap_or("civil"))) }
                p { label for="statement" { "What the end user will do with it" } br; textarea #statement name="statement" rows="2" maxlength="2000" { (field(f, |f| &f.statement)) } }
            }
            fieldset {
                legend { "The goods" }
                p { label for="code" { "Control code (empty if on no list)" } br; input #code name="code" value=(field(f, |f| &f.code)) maxlength="40" placeholder="3A001.a.1"; }
                p { label for="description" { "What it is" } br; input #description name="description" value=(field(f, |f| &f.description)) maxlength="500"; }
                p { label for="quantity" { "Quantity" } br; input #quantity name="quantity" inputmode="decimal" value=(field(f, |f| &f.quantity)) maxlength="20"; }
                p { label for="value" { "Value" } br; input #value name="value" inputmode="decimal" value=(field(f, |f| &f.value)) maxlength="20"; }
                p { label for="currency" { "Currency" } br; input #currency name="currency" value=(field(f, |f| &f.currency)) maxlength="3" placeholder="EUR"; }
            }
            fieldset {
                legend { "A party (optional)" }
                p { label for="party_role" { "Role" } br; (select("party_role", &ROLES, f.party_role.as_deref().unwrap_or("end_user"))) }
                p { label for="party_name" { "Name" } br; input #party_name name="party_name" value=(field(f, |f| &f.party_name)) maxlength="500"; }
                p { label for="party_country" { "Country code" } br; input #party_country name="party_country" value=(field(f, |f| &f.party_country)) maxlength="6"; }
            }
            p { button type="submit" { "Check" } }
        }
    }
}

fn answer(j: &JurisdictionAnswer) -> Markup {
    html! {
        section.answer aria-labelledby=(format!("j-{}", j.jurisdiction)) {
            h3 id=(format!("j-{}", j.jurisdiction)) { (j.jurisdiction) ": " span.outcome data-outcome=(j.outcome.as_str()) { (outcome_words(j.outcome)) } }
            p.meta { "Why this jurisdiction: " (j.applies_because) " · policy " (j.policy) }
            @if let Some(path) = j.review_path { p { "An application would be reviewed on the " strong { (path.as_str().replace('_', " ")) } " path." } }
            @if !j.general_authorisations.is_empty() {
                p { "Authorisations used: " (j.general_authorisations.join(", ")) }
                @if !j.obligations.is_empty() { ul { @for o in &j.obligations { li { (o) } } } }
            }
            @if !j.unverified.is_empty() {
                div.error role="note" {
                    p { strong { "This answer rests on facts not verified against a primary source:" } }
                    ul { @for u in &j.unverified { li { (u) } } }
                }
            }
            @if !j.reasons.is_empty() {
                h4 { "Why" }
                ol.reasons {
                    @for r in &j.reasons {
                        li {
                            (r.detail)
                            @if let Some(by) = &r.lifted_by { " — lifted by " strong { (by) } }
                            br; cite.meta { (r.citation) } span.meta { " (" (r.rule) ")" }
                        }
                    }
                }
            }
            @if !j.not_available.is_empty() {
                h4 { "Authorisations that could not be used" }
                ul { @for n in &j.not_available { li { strong { (n.authorisation) } ": " (n.why) } } }
            }
        }
    }
}

/// The form that applies for a licence for the shipment just checked: the same fields, the end-use statement and
/// the declarations.
fn apply_form(f: &CheckForm, csrf: &str) -> Markup {
    let fields = serde_json::to_value(f).unwrap_or_default();
    html! {
        h2 { "Apply for a licence" }
        form.apply method="post" action="/apply" {
            input type="hidden" name="csrf" value=(csrf);
            @if let Some(map) = fields.as_object() {
                @for (name, value) in map {
                    @if let Some(v) = value.as_str() { input type="hidden" name=(name) value=(v); }
                }
            }
            p { label for="end_use_statement" { "End-use statement for the authority" } br;
                textarea #end_use_statement name="end_use_statement" rows="3" required maxlength="4000" { (field(f, |f| &f.statement)) } }
            fieldset {
                legend { "Declarations" }
                p { label { input type="checkbox" name="no_wmd_end_use" value="true" required; " The goods are not for weapons of mass destruction or their delivery" } }
                p { label { input type="checkbox" name="no_military_end_use" value="true" required; " The goods are not for a military end use" } }
                p { label { input type="checkbox" name="no_reexport_without_consent" value="true" required; " The goods are not re-exported without the authority's consent" } }
            }
            p { button type="submit" { "Submit the application" } }
        }
    }
}

fn result(d: &Determination) -> Markup {
    html! {
        h2 #result { "The answer for " time datetime=(d.date) { (d.date) } }
        @if let Some(note) = &d.note { p { (note) } }
        @if !d.warnings.is_empty() {
            div.error role="note" { p { strong { "Take note:" } } ul { @for w in &d.warnings { li { (w) } } } }
        }
        @for j in &d.jurisdictions { (answer(j)) }
        @if !d.party_hits.is_empty() {
            h3 { "The party on restricted-party lists" }
            table {
                thead { tr { th scope="col" { "Listed name" } th scope="col" { "List" } th scope="col" { "Score" } th scope="col" { "In force that day" } } }
                tbody {
                    @for h in &d.party_hits {
                        tr { td { (h.matched_name) } td { (h.list_id) } td { (format!("{:.2}", h.score)) } td { @if h.in_force { "yes" } @else { "no" } } }
                    }
                }
            }
        }
        p.meta { "Control list " (d.versions.control_list) " · policies " (d.versions.policies) }
    }
}

/// The check page: the form, and the answer once it is sent.
pub(crate) async fn check(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    Query(f): Query<CheckForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/check", Vec::new())) };
    let outcome = if f.sent() {
        match f.transaction() {
            Ok(tx) => Some(s.app.determine(&session.principal, &tx, &DetermineOptions::default()).await),
            Err(e) => Some(Err(e)),
        }
    } else {
        None
    };
    let body = html! {
        h1 { "Check a shipment" }
        p { "What each allied jurisdiction requires for it, and why." }
        @match &outcome {
            Some(Err(e)) => {
                p.error role="alert" #form-error {
                    (e.message)
                    @if let Some(field) = e.details.as_ref().and_then(|d| d["field"].as_str()) { " " span.meta { "(field: " (field) ")" } }
                }
            }
            _ => {}
        }
        (form(&f))
        @if let Some(Ok(d)) = &outcome {
            (result(d))
            @if session.user.role == accord_core::model::Role::Exporter
                && d.jurisdictions.iter().any(|j| j.outcome == Outcome::LicenceRequired) {
                (apply_form(&f, &session.csrf))
            }
        }
    };
    let error = match &outcome {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    super::page_after(error, "Check a shipment", Some(&session), body)
}

/// The application form as sent: the checked shipment, the statement and the declarations.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApplyForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    shipment: CheckForm,
    #[serde(default)]
    end_use_statement: String,
    #[serde(default)]
    no_wmd_end_use: Option<String>,
    #[serde(default)]
    no_military_end_use: Option<String>,
    #[serde(default)]
    no_reexport_without_consent: Option<String>,
}

/// Applies for a licence for a checked shipment, and submits it: the cases open at once.
pub(crate) async fn apply(
    State(s): State<AppState>,
    Viewer(viewer): Viewer,
    super::PageForm(f): super::PageForm<ApplyForm>,
) -> Result<Response, PageError> {
    let Some(session) = viewer else { return Ok(redirect("/sign-in?next=/check", Vec::new())) };
    super::session::check_csrf(&session, &f.csrf)?;
    let application = f.shipment.transaction().and_then(|tx| {
        serde_json::from_value(json!({
            "transaction": tx,
            "end_use_statement": f.end_use_statement,
            "declarations": {
                "no_wmd_end_use": f.no_wmd_end_use.is_some(),
                "no_military_end_use": f.no_military_end_use.is_some(),
                "no_reexport_without_consent": f.no_reexport_without_consent.is_some(),
            },
        }))
        .map_err(|e| Error::new(accord_core::ErrorCode::InvalidBody, e.to_string()))
    })?;
    s.app.create_application(&session.principal, application, None, true).await?;
    Ok(redirect("/cases", Vec::new()))
}
