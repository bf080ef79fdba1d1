//! Licence patterns: an item refused again and again for the same party, then applied for by another exporter or
//! through another ally (the refusals shopped around). Pure: the caller gives the refusals it knows (its own and
//! those the allies notified) and its own applications.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// A refusal as the pattern reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The authority that refused.
    pub authority: String,
    /// The denial's id.
    pub id: String,
    /// When the refusal was recorded (by its authority).
    pub recorded: jiff::Timestamp,
    /// The control codes refused.
    pub codes: Vec<String>,
    /// The parties named (consignee, end user …).
    pub parties: Vec<String>,
    /// The exporter refused, when the authority knows it (its own refusals).
    pub exporter: Option<String>,
}

/// An application as the pattern reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The authority applied to.
    pub authority: String,
    /// The application's id.
    pub id: String,
    /// When it was submitted.
    pub at: jiff::Timestamp,
    /// The day it was submitted.
    pub date: Date,
    /// The control codes applied for.
    pub codes: Vec<String>,
    /// The parties named.
    pub parties: Vec<String>,
    /// The exporter (its organisation).
    pub exporter: String,
    /// The destination (ISO alpha-2).
    pub destination: String,
}

/// An application for an item refused at least the set number of times for the same party, made by another
/// exporter or through another authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RefusalPattern {
    /// The application.
    pub application: String,
    /// The party the refusals and the application share (as the application names it).
    pub party: String,
    /// The control code they share (as the application names it).
    pub code: String,
    /// The refusals before it (`AUTHORITY:id`).
    pub refusals: Vec<String>,
    /// Whether the exporter is another than the one refused (when the refused one is known).
    pub another_exporter: bool,
    /// Whether the application went to an authority that made none of the refusals.
    pub another_ally: bool,
    /// What it shows, in one sentence.
    pub summary: String,
}

/// How the pattern is computed, in words.
pub const METHOD: &str = "For each application, the refusals recorded before it was submitted (the authority's own and those the \
     allies notified) that name the same party (names compared without case, punctuation or spacing) and the same \
     control code (one code equal to, or a sub-item of, the other) are counted. When there are at least the set \
     number, and the application comes from an exporter other than the one refused or goes to an authority that made \
     none of the refusals, it is a finding.";

/// The source the method follows.
pub const CITATION: &str = "the \"no undercut\" commitment of the allies' denial notifications (an ally consults \
     before granting what another refused), applied to repeated refusals; red flags of export-control evasion in the \
     FinCEN and BIS Joint Alert FIN-2022-Alert003 (28 June 2022; unverified: cited from public descriptions of the \
     alert, whose own text was not at hand)";

/// A name as compared: letters and digits, lower case, single spaces.
pub fn normalise(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

fn same_code(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_uppercase(), b.trim().to_ascii_uppercase());
    !a.is_empty() && !b.is_empty() && (a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}.")))
}

/// Every application submitted after at least `least` refusals of the same item for the same party, made by another
/// exporter or through another authority; one finding per application, party and code.
pub fn refused_then_elsewhere(refusals: &[Refusal], requests: &[Request], least: usize) -> Vec<RefusalPattern> {
    let least = least.max(1);
    let mut out = Vec::new();
    for r in requests {
        let mut seen = BTreeSet::new();
        for party in &r.parties {
            let name = normalise(party);
            if name.is_empty() {
                continue;
            }
            for code in &r.codes {
                if !seen.insert((name.clone(), code.to_ascii_uppercase())) {
                    continue;
                }
                let before: Vec<&Refusal> = refusals
                    .iter()
                    .filter(|x| x.recorded <= r.at)
                    .filter(|x| x.parties.iter().any(|p| normalise(p) == name))
                    .filter(|x| x.codes.iter().any(|c| same_code(c, code)))
                    .collect();
                if before.len() < least {
                    continue;
                }
                let refused: BTreeSet<&str> = before.iter().filter_map(|x| x.exporter.as_deref()).collect();
                let another_exporter = !refused.is_empty() && !refused.contains(r.exporter.as_str());
                let another_ally = before.iter().all(|x| x.authority != r.authority);
                if !(another_exporter || another_ally) {
                    continue;
                }
                let authorities: BTreeSet<&str> = before.iter().map(|x| x.authority.as_str()).collect();
                let how = match (another_exporter, another_ally) {
                    (true, true) => "by another exporter, through another ally",
                    (true, false) => "by another exporter",
                    _ => "through another ally",
                };
                out.push(RefusalPattern {
                    application: r.id.clone(),
                    party: party.clone(),
                    code: code.clone(),
                    refusals: before.iter().map(|x| format!("{}:{}", x.authority, x.id)).collect(),
                    another_exporter,
                    another_ally,
                    summary: format!(
                        "{code} for {party} was refused {} times (by {}) and is now applied for at {} {how}",
                        before.len(),
                        authorities.into_iter().collect::<Vec<_>>().join(", "),
                        r.authority
                    ),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn at(month: i8, day: i8) -> jiff::Timestamp {
        date(2025, month, day).to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp()
    }

    fn refusal(authority: &str, id: &str, day: i8, exporter: Option<&str>) -> Refusal {
        Refusal {
            authority: authority.into(),
            id: id.into(),
            recorded: at(3, day),
            codes: vec!["3A001".into()],
            parties: vec!["Tian Trading LLC".into()],
            exporter: exporter.map(Into::into),
        }
    }

    fn request(authority: &str, exporter: &str, party: &str, code: &str) -> Request {
        Request {
            authority: authority.into(),
            id: "app_1".into(),
            at: at(4, 1),
            date: date(2025, 4, 1),
            codes: vec![code.into()],
            parties: vec![party.into()],
            exporter: exporter.into(),
            destination: "KG".into(),
        }
    }

    #[test]
    fn repeated_refusals_then_another_exporter_or_ally_is_found_and_the_same_exporter_at_home_is_not() {
        let refusals =
            [refusal("DE-BAFA", "den_1", 1, Some("org_acme")), refusal("DE-BAFA", "den_2", 9, Some("org_acme"))];
        let elsewhere =
            refused_then_elsewhere(&refusals, &[request("DE-BAFA", "org_rhein", "TIAN trading, LLC", "3A001.a.1")], 2);
        assert_eq!(elsewhere.len(), 1);
        assert!(elsewhere[0].another_exporter && !elsewhere[0].another_ally);
        assert_eq!(elsewhere[0].refusals, ["DE-BAFA:den_1", "DE-BAFA:den_2"]);
        assert!(elsewhere[0].summary.contains("refused 2 times"), "{}", elsewhere[0].summary);

        let ally = refused_then_elsewhere(&refusals, &[request("FR-SBDU", "org_acme", "Tian Trading LLC", "3A001")], 2);
        assert!(ally.len() == 1 && ally[0].another_ally && !ally[0].another_exporter);

        let same = refused_then_elsewhere(&refusals, &[request("DE-BAFA", "org_acme", "Tian Trading LLC", "3A001")], 2);
        assert!(same.is_empty(), "the same exporter at the same authority is the ordinary re-application");
        let once =
            refused_then_elsewhere(&refusals[..1], &[request("FR-SBDU", "org_x", "Tian Trading LLC", "3A001")], 2);
        assert!(once.is_empty(), "one refusal is the no-undercut consultation's business, not a pattern");
        let other_item =
            refused_then_elsewhere(&refusals, &[request("FR-SBDU", "org_x", "Tian Trading LLC", "3A0011")], 2);
        assert!(other_item.is_empty(), "3A0011 is not a sub-item of 3A001");
        let later = [
            refusal("DE-BAFA", "den_3", 1, None),
            Refusal { recorded: at(5, 1), ..refusal("DE-BAFA", "den_4", 1, None) },
        ];
        assert!(
            refused_then_elsewhere(&later, &[request("FR-SBDU", "org_x", "Tian Trading LLC", "3A001")], 2).is_empty(),
            "a refusal after the application does not count"
        );
    }
}
