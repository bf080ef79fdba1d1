//! Input checking: a transaction against the control list and the policies, before any rule is evaluated.

use super::*;

pub(super) fn field_error(code: ErrorCode, field: &str, message: String) -> Error {
    Error::new(code, message).with_details(json!({ "field": field }))
}

pub(super) fn place(field: &str, s: &str) -> Result<Place> {
    Place::parse(s.trim()).ok_or_else(|| {
        field_error(
            ErrorCode::UnknownCountry,
            field,
            format!(
                "{field}: '{}' is not an ISO 3166-1 alpha-2 country code (or a subdivision such as UA-43)",
                accord_core::ids::truncate(s)
            ),
        )
    })
}

pub(super) fn non_negative(i: usize, name: &str, v: Option<Decimal>) -> Result<Option<Decimal>> {
    match v {
        Some(x) if x.is_negative() => {
            let field = format!("items[{i}].{name}");
            Err(Error::validation(&field, format!("{field} must be a non-negative number, got {x}")))
        }
        other => Ok(other),
    }
}

/// Checking a transaction against the control list and the policies before it is determined.
pub trait CheckTransaction {
    /// Checks every field against the control list and the policies: dates, countries, codes (an unknown code answers
    /// with the nearest codes), quantities, values, roles and jurisdictions.
    fn check(&self, list: &ControlList, policies: &PolicySet) -> Result<CheckedTransaction>;
}

impl CheckTransaction for Transaction {
    /// Checks every field against the control list and the policies: dates, countries, codes (an unknown code answers
    /// with the nearest codes), quantities, values, roles and jurisdictions.
    fn check(&self, list: &ControlList, policies: &PolicySet) -> Result<CheckedTransaction> {
        let place = |field: &str, s: &str| -> Result<Place> {
            let p = place(field, s)?;
            if let Some(r) = &p.region {
                let code = format!("{}-{r}", country_code(p.country));
                if policies.regions.binary_search(&code).is_err() {
                    return Err(field_error(
                        ErrorCode::UnknownCountry,
                        field,
                        format!(
                            "{field}: subdivision '{code}' is not one the policies know (known: {}); give the country alone",
                            policies.regions.join(", ")
                        ),
                    ));
                }
            }
            Ok(p)
        };
        text_field("end_use.statement", &self.end_use.statement, 2000)?;
        let Some(date) = crate::model::day(self.date.trim()) else {
            return Err(Error::validation(
                "date",
                format!("date: '{}' is not a date (YYYY-MM-DD)", accord_core::ids::truncate(self.date.trim())),
            ));
        };
        let origin = place("origin", &self.origin)?;
        let destination = place("destination", &self.destination)?;
        let end_use = EndUse::parse(self.end_use.category.trim()).ok_or_else(|| {
            let all: Vec<&str> = EndUse::names();
            Error::validation(
                "end_use.category",
                format!(
                    "end_use.category: '{}' is not one of {}",
                    accord_core::ids::truncate(&self.end_use.category),
                    all.join(", ")
                ),
            )
        })?;
        let purpose = match self.purpose.as_deref().map(str::trim) {
            None | Some("") => Purpose::Sale,
            Some(p) => Purpose::parse(p).ok_or_else(|| {
                let all: Vec<&str> = Purpose::names();
                Error::validation(
                    "purpose",
                    format!("purpose: '{}' is not one of {}", accord_core::ids::truncate(p), all.join(", ")),
                )
            })?,
        };
        if self.items.is_empty() || self.items.len() > MAX_ITEMS {
            return Err(Error::validation(
                "items",
                format!("items: give between 1 and {MAX_ITEMS} items, not {}", self.items.len()),
            ));
        }
        let mut items = Vec::with_capacity(self.items.len());
        for (i, it) in self.items.iter().enumerate() {
            let (code, entry) = match it.code.as_deref().map(str::trim) {
                None | Some("") => (None, None),
                Some(c) => {
                    let (code, entry) = resolve(list, c).map_err(|e| {
                        let details = json!({ "field": format!("items[{i}].code"), "nearest": e.details.as_ref().and_then(|d| d.get("nearest")).cloned().unwrap_or_default() });
                        Error { message: format!("items[{i}].code: {}", e.message), details: Some(details), ..e }
                    })?;
                    (Some(code), Some(entry))
                }
            };
            non_negative(i, "quantity", it.quantity)?;
            let value = non_negative(i, "value", it.value)?;
            let currency = match it.currency.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(c) => Some(accord_core::currency::parse(c).ok_or_else(|| {
                    Error::validation(
                        &format!("items[{i}].currency"),
                        format!(
                            "items[{i}].currency: '{}' is not an ISO 4217 currency code in use, like EUR",
                            accord_core::ids::truncate(c)
                        ),
                    )
                })?),
            };
            match (value, &currency) {
                (Some(_), None) => {
                    return Err(Error::validation(
                        &format!("items[{i}].currency"),
                        format!("items[{i}].currency: a value needs its currency"),
                    ));
                }
                (Some(v), Some(c)) => accord_core::currency::check_minor_units(v, c)
                    .map_err(|e| Error::validation(&format!("items[{i}].value"), format!("items[{i}].value: {e}")))?,
                _ => {}
            }
            let (origin_place, origin_code) = match it.origin.as_deref() {
                Some(o) if !o.trim().is_empty() => (place(&format!("items[{i}].origin"), o)?, o.trim().to_owned()),
                _ => (origin.clone(), self.origin.trim().to_owned()),
            };
            text_field(&format!("items[{i}].description"), &it.description, 2000)?;
            items.push(CheckedItem { code, entry, origin: origin_place, origin_code, value, currency });
        }
        if self.parties.len() > MAX_PARTIES {
            return Err(Error::validation("parties", format!("parties: at most {MAX_PARTIES}")));
        }
        let mut parties = Vec::with_capacity(self.parties.len());
        let mut places = vec![destination.clone()];
        for (i, p) in self.parties.iter().enumerate() {
            let role = PartyRole::parse(p.role.trim()).ok_or_else(|| {
                let all: Vec<&str> = PartyRole::names();
                Error::validation(
                    &format!("parties[{i}].role"),
                    format!(
                        "parties[{i}].role: '{}' is not one of {}",
                        accord_core::ids::truncate(&p.role),
                        all.join(", ")
                    ),
                )
            })?;
            let name = accord_core::model::parse_name(&format!("parties[{i}].name"), &p.name)?;
            let country = match p.country.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(c) => {
                    let at = place(&format!("parties[{i}].country"), c)?;
                    if matches!(role, PartyRole::EndUser | PartyRole::UltimateEndUser) && !places.contains(&at) {
                        places.push(at);
                    }
                    Some(c.split('-').next().unwrap_or(c).to_owned())
                }
            };
            let kind = match p.r#type.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(k @ ("organization" | "person")) => Some(k.to_owned()),
                Some(k) => {
                    return Err(Error::validation(
                        &format!("parties[{i}].type"),
                        format!("parties[{i}].type: '{}' is not organization or person", accord_core::ids::truncate(k)),
                    ));
                }
            };
            parties.push(CheckedParty { role, name, country, kind });
        }
        let jurisdictions = match &self.jurisdictions {
            None => None,
            Some(js) => {
                let known = policies.jurisdictions();
                let mut out: Vec<String> = Vec::new();
                for (i, j) in js.iter().enumerate() {
                    let j = j.trim().to_ascii_uppercase();
                    if !known.contains(&j.as_str()) {
                        return Err(Error::new(
                            ErrorCode::UnknownJurisdiction,
                            format!(
                                "jurisdictions[{i}]: no policy is loaded for '{}' (loaded: {})",
                                accord_core::ids::truncate(&j),
                                known.join(", ")
                            ),
                        )
                        .with_details(json!({ "field": format!("jurisdictions[{i}]"), "known": known })));
                    }
                    if !out.contains(&j) {
                        out.push(j);
                    }
                }
                if out.is_empty() {
                    return Err(Error::validation(
                        "jurisdictions",
                        "jurisdictions: name at least one, or leave the field out",
                    ));
                }
                Some(out)
            }
        };
        Ok(CheckedTransaction {
            date,
            origin,
            origin_code: self.origin.trim().to_owned(),
            end_use,
            purpose,
            items,
            parties,
            jurisdictions,
            places,
            list_fingerprint: (list.info().version.clone(), list.len()),
        })
    }
}

/// Checks free text: at most `max` characters, no control or bidirectional-override characters (new lines allowed).
pub(super) fn text_field(field: &str, s: &str, max: usize) -> Result<()> {
    let mut n = 0usize;
    for c in s.chars() {
        n += 1;
        if n > max {
            return Err(Error::validation(field, format!("{field} is longer than {max} characters")));
        }
        if (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        {
            return Err(Error::validation(
                field,
                format!("{field} contains a control or direction-override character (U+{:04X})", c as u32),
            ));
        }
    }
    Ok(())
}

/// Longest control code accepted (the deepest real codes are about 20 characters).
pub(super) const MAX_CODE_CHARS: usize = 40;

/// The code and the index of the entry that governs it: the entry itself, or the nearest heading above it.
pub(super) fn resolve(list: &ControlList, input: &str) -> Result<(ControlCode, usize)> {
    let unknown = |message: String| {
        let nearest: Vec<String> = list.nearest(input, 5).iter().map(ToString::to_string).collect();
        Error::new(
            ErrorCode::UnknownControlCode,
            format!("{message}; nearest: {}", if nearest.is_empty() { "none".to_owned() } else { nearest.join(", ") }),
        )
        .with_details(json!({ "nearest": nearest }))
    };
    if input.chars().count() > MAX_CODE_CHARS {
        return Err(Error::new(
            ErrorCode::UnknownControlCode,
            format!(
                "'{}' is longer than any control code ({MAX_CODE_CHARS} characters at most)",
                accord_core::ids::truncate(input)
            ),
        )
        .with_details(json!({ "nearest": [] })));
    }
    let code = ControlCode::parse(input).map_err(|e| unknown(e.message))?;
    let mut c = Some(code.clone());
    while let Some(k) = c {
        if let Some(i) = list.position(&k) {
            return Ok((code, i));
        }
        c = k.parent();
    }
    Err(unknown(format!("'{code}' is not on the control list version '{}'", list.info().version)))
}

impl CheckedTransaction {
    /// The parties, for screening.
    pub fn parties(&self) -> &[CheckedParty] {
        &self.parties
    }

    /// The transaction date.
    pub fn date(&self) -> jiff::civil::Date {
        self.date
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation.
