//! Ownership and control between parties: the relations officers enter or allies share, the ownership rules each
//! jurisdiction applies (policy data, each cited), and what a rule concludes about a party, with the path that
//! leads there and the data that is missing when a share is unknown.

use crate::error::{Error, Result};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A party a relation names: a listed entity (its list and id), or a party by name and country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PartyRef {
    /// The list of a listed entity, e.g. `us_ofac_sdn`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_id: Option<String>,
    /// The entity's id on that list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_id: Option<String>,
    /// The party's name (for a listed entity, its primary name).
    pub name: String,
    /// Its country (ISO 3166-1 alpha-2), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl PartyRef {
    /// A listed entity, by its list, id and primary name.
    pub fn listed(e: &crate::listed::ListedEntity) -> PartyRef {
        PartyRef {
            list_id: Some(e.list_id.clone()),
            entity_id: Some(e.entity_id.clone()),
            name: e.names.first().map(|n| n.name.clone()).unwrap_or_default(),
            country: None,
        }
    }

    /// The party's key in an ownership graph: `list:entity` for a listed entity, else `name:<name>|<country>` with
    /// the name in upper case and its spaces collapsed.
    pub fn key(&self) -> String {
        match (&self.list_id, &self.entity_id) {
            (Some(list), Some(id)) => format!("{list}:{id}"),
            _ => {
                let name: Vec<String> = self.name.split_whitespace().map(str::to_uppercase).collect();
                format!("name:{}|{}", name.join(" "), self.country.as_deref().unwrap_or(""))
            }
        }
    }

    /// The party in words: its name, and its list when it is listed.
    pub fn describe(&self) -> String {
        match &self.list_id {
            Some(list) => format!("{} ({list})", self.name),
            None => self.name.clone(),
        }
    }
}

crate::named_enum! {
    /// How one party relates to another.
    RelationKind {
        /// `from` owns a share of `to` (its percentage, when known).
        Owns = "owns",
        /// `from` controls `to` otherwise than by a majority of its shares (board, voting agreement …).
        Controls = "controls",
        /// `from` is a director or officer of `to`.
        DirectorOf = "director_of",
        /// `from` is linked to `to`, as a list's remarks say, without saying how.
        LinkedTo = "linked_to",
        /// The two share an address.
        SharesAddress = "shares_address",
        /// The two share an identifier (a registration or tax number).
        SharesIdentifier = "shares_identifier",
        /// The two share a telephone number.
        SharesPhone = "shares_phone",
    }
}

/// A relation between two parties, as an authority recorded it; shared with the allies like its other records.
/// A newer version replaces an older; a revoked relation stays, marked so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Relation {
    /// `rel_…`.
    pub id: String,
    /// The authority that recorded it.
    pub authority_id: String,
    /// Its version (1, then one more for each change).
    pub version: i64,
    /// The owner, controller, director, or first party.
    pub from: PartyRef,
    /// The owned or controlled party, or the second party.
    pub to: PartyRef,
    /// How they relate.
    pub kind: RelationKind,
    /// For `owns`: the share of `to` that `from` owns, in percent; none when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_percent: Option<f64>,
    /// The first day the relation holds, when known (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<jiff::civil::Date>,
    /// The day it ended (exclusive), when it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<jiff::civil::Date>,
    /// Where the fact comes from (a registry extract, a disclosure, an ally's finding …).
    pub source: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    #[schema(value_type = String)]
    pub recorded_at: Timestamp,
    /// When it was revoked, if it was: it then counts for nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<Timestamp>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_because: Option<String>,
}

impl Relation {
    /// Whether the relation holds on `day` (not revoked, within its days).
    pub fn holds_on(&self, day: jiff::civil::Date) -> bool {
        self.revoked_at.is_none()
            && self.valid_from.is_none_or(|f| f <= day)
            && self.valid_until.is_none_or(|u| day < u)
    }

    /// Checks what a relation must be, wherever it was entered: two different parties with names, a share only
    /// for ownership and between 0 (excluded) and 100, days in order.
    pub fn check(&self) -> Result<()> {
        for (field, p) in [("from", &self.from), ("to", &self.to)] {
            crate::model::parse_name(&format!("{field}.name"), &p.name)?;
            if let Some(c) = &p.country
                && (c.len() != 2 || crate::country::from_code(c).is_none())
            {
                return Err(Error::validation(
                    &format!("{field}.country"),
                    format!("{field}.country: '{}' is not an ISO country code (two letters)", crate::ids::truncate(c)),
                ));
            }
            for (name, v) in [("list_id", &p.list_id), ("entity_id", &p.entity_id)] {
                if let Some(v) = v {
                    crate::model::parse_name(&format!("{field}.{name}"), v)?;
                }
            }
            if p.list_id.is_some() != p.entity_id.is_some() {
                return Err(Error::validation(
                    &format!("{field}.entity_id"),
                    "a listed party gives both list_id and entity_id",
                ));
            }
        }
        if self.from.key() == self.to.key() {
            return Err(Error::validation("to", "a party cannot relate to itself"));
        }
        match (self.kind, self.share_percent) {
            (RelationKind::Owns, Some(s)) if !(s > 0.0 && s <= 100.0) => {
                return Err(Error::validation("share_percent", "a share is more than 0 and at most 100 percent"));
            }
            (RelationKind::Owns, _) => {}
            (_, Some(_)) => return Err(Error::validation("share_percent", "only an ownership has a share")),
            (_, None) => {}
        }
        if let (Some(f), Some(u)) = (self.valid_from, self.valid_until)
            && u <= f
        {
            return Err(Error::validation("valid_until", "the relation ends after it begins"));
        }
        crate::model::parse_name("source", &self.source)?;
        Ok(())
    }
}

crate::named_enum! {
    /// What control without a qualifying share does under a rule.
    ControlEffect {
        /// Control alone never brings a party under the rule (OFAC: ownership only).
        Ignored = "ignored",
        /// Control by a listed party is flagged for an official to assess; it does not by itself cover the party.
        Review = "review",
        /// Control by a listed party covers the party as ownership would.
        Covers = "covers",
    }
}

/// A period during which a rule does not apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Suspension {
    /// First day of the suspension.
    #[schema(value_type = String, format = Date)]
    pub from: jiff::civil::Date,
    /// Last day of the suspension (included).
    #[schema(value_type = String, format = Date)]
    pub through: jiff::civil::Date,
    /// The act that suspends it.
    pub citation: String,
    /// Why the suspension is not verified against a primary source, when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}

/// An ownership rule of a jurisdiction (policy data): which listed owners count, from what share, aggregated or
/// not, through chains of covered entities, what control does, and when it applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OwnershipRule {
    /// Its id, e.g. `us.ofac_50_percent`.
    pub id: String,
    /// Its jurisdiction, e.g. `US`.
    pub jurisdiction: String,
    /// What a covered party is, in words, e.g. `blocked (OFAC 50 Percent Rule)`.
    pub effect: String,
    /// The lists whose parties count as owners.
    pub owner_lists: Vec<String>,
    /// Only entities of these lists whose ids start so count (empty: all).
    #[serde(default)]
    pub owner_id_prefixes: Vec<String>,
    /// The share from which a party is covered, in percent.
    pub threshold_percent: f64,
    /// Whether the threshold itself covers (`50 percent or more`) or only more than it (`more than 50 percent`).
    pub at_least: bool,
    /// Whether the shares of several covered owners add up.
    pub aggregate: bool,
    /// What control without such a share does.
    pub control: ControlEffect,
    /// The first day the rule applies.
    #[schema(value_type = Option<String>, format = Date)]
    pub in_force_from: Option<jiff::civil::Date>,
    /// Periods it does not apply.
    #[serde(default)]
    pub suspensions: Vec<Suspension>,
    /// Where it comes from.
    pub citation: String,
    /// Why the rule is not verified against a primary source, when it is not: every answer relying on it says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}

impl OwnershipRule {
    /// Whether the rule applies on `day`; else the reason it does not.
    pub fn applies_on(&self, day: jiff::civil::Date) -> std::result::Result<(), String> {
        if let Some(from) = self.in_force_from
            && day < from
        {
            return Err(format!("{} applies from {from}", self.id));
        }
        match self.suspensions.iter().find(|s| s.from <= day && day <= s.through) {
            Some(s) => Err(format!("{} is suspended from {} through {} ({})", self.id, s.from, s.through, s.citation)),
            None => Ok(()),
        }
    }

    /// Whether `percent` reaches the threshold.
    pub fn reaches(&self, percent: f64) -> bool {
        // Shares are entered with two decimals at most; a hair of rounding never decides.
        let p = (percent * 1e6).round() / 1e6;
        if self.at_least { p >= self.threshold_percent } else { p > self.threshold_percent }
    }
}

crate::named_enum! {
    /// What a rule concludes about a party that is not itself listed.
    OwnershipStatus {
        /// Covered: owned (or controlled, where control counts) by listed or covered parties as the rule says.
        Covered = "covered",
        /// Not covered on the shares known, but a share of a listed or covered owner is unknown and could bring it
        /// over the threshold: the data is missing.
        Undetermined = "undetermined",
        /// Controlled by a listed or covered party without a qualifying share: for an official to assess.
        ControlReview = "control_review",
    }
}

/// What one rule concludes about one party, with its path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OwnershipFinding {
    /// The rule.
    pub rule_id: String,
    /// The party.
    pub party: PartyRef,
    /// The conclusion.
    pub status: OwnershipStatus,
    /// The share of listed or covered owners known, in percent.
    pub percent: f64,
    /// Why, in one line: `owned 30 % by A (us_ofac_sdn) + 25 % by B (us_ofac_sdn) = 55 % ≥ 50 % → blocked …`.
    pub explanation: String,
    /// The listed parties at the roots of the path.
    pub listed_owners: Vec<PartyRef>,
    /// The data that is missing (an unknown share), in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The relations the conclusion rests on.
    pub relations: Vec<String>,
    /// The rule's citation.
    pub citation: String,
    /// Why the rule is unverified, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unverified: Option<String>,
}
