//! The risk score of a case: named factors, each with its points and reason, summed and clamped to 0-100, and the
//! review path that follows from it. Pure; the factors and their weights are documented in the README.

use crate::determine::{JurisdictionAnswer, Outcome, PartyHit};
use crate::model::Regime;
use crate::policy::{EndUse, ReviewPath};
use accord_core::cases::RiskFactor;
use accord_core::decimal::Decimal;

/// How far an exporter is trusted (derived from its compliance profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustTier {
    /// A certified internal compliance programme in force, clean audits.
    Trusted,
    /// The default.
    Standard,
    /// Adverse findings.
    Watch,
}

/// What the score looks at for one jurisdiction's case.
#[derive(Debug, Clone)]
pub struct RiskInput<'a> {
    /// The jurisdiction's answer.
    pub answer: &'a JurisdictionAnswer,
    /// Every party hit of the determination (only those in force count).
    pub hits: &'a [PartyHit],
    /// The declared end use.
    pub end_use: EndUse,
    /// The regimes behind the listed items.
    pub regimes: &'a [Regime],
    /// How many items are on a control list.
    pub listed_items: usize,
    /// The exporter's trust tier.
    pub trust_tier: TrustTier,
    /// Whether no earlier application of the exporter went to this consignee.
    pub first_shipment: bool,
    /// The total value of the items, when given.
    pub total_value: Option<Decimal>,
    /// Active denials of allied authorities the transaction matches.
    pub allied_denials: usize,
}

/// A case's risk: score, factors and review path.
#[derive(Debug, Clone, PartialEq)]
pub struct Risk {
    /// 0-100.
    pub score: i32,
    /// The factors, in a fixed order.
    pub factors: Vec<RiskFactor>,
    /// How the case is reviewed.
    pub review_path: ReviewPath,
}

/// Scores at or above this go to enhanced due diligence.
pub const EDD_THRESHOLD: i32 = 60;
/// Trusted exporters below this, with no hits, get the fast track.
pub const FAST_TRACK_BELOW: i32 = 25;

fn factor(factors: &mut Vec<RiskFactor>, name: &str, points: i32, detail: impl Into<String>) {
    factors.push(RiskFactor { factor: name.to_owned(), points, detail: detail.into() });
}

/// Scores one jurisdiction's case.
pub fn assess(input: &RiskInput) -> Risk {
    let mut f = Vec::new();
    let flagged: Vec<&str> = input
        .answer
        .reasons
        .iter()
        .filter(|r| r.outcome == Outcome::LicenceRequired && r.lifted_by.is_none())
        .map(|r| r.rule.as_str())
        .collect();
    if input.answer.review_path == Some(ReviewPath::EnhancedDueDiligence) {
        factor(
            &mut f,
            "destination",
            25,
            format!("the policy marks this flow for enhanced due diligence ({})", flagged.join(", ")),
        );
    } else {
        factor(&mut f, "destination", 0, "no rule marks the destination or parties for enhanced due diligence");
    }
    let strategic = input.regimes.iter().any(|r| matches!(r, Regime::Nsg | Regime::Mtcr | Regime::Ag | Regime::Cwc));
    let (points, detail) = match (input.listed_items, strategic) {
        (0, _) => (0, "no item is on a control list".to_owned()),
        (_, true) => (15, "items controlled by a non-proliferation regime (NSG, MTCR, AG or CWC)".to_owned()),
        (n, false) => (8, format!("{n} listed item(s), Wassenaar or national controls")),
    };
    factor(&mut f, "item_sensitivity", points, detail);
    let in_force: Vec<&PartyHit> = input.hits.iter().filter(|h| h.in_force).collect();
    let points = (25 * in_force.len() as i32).min(50);
    let detail = if in_force.is_empty() {
        "no party matches a list in force".to_owned()
    } else {
        in_force
            .iter()
            .map(|h| format!("party {} matches {} {}", h.party, h.list_id, h.entity_id))
            .collect::<Vec<_>>()
            .join("; ")
    };
    factor(&mut f, "screening_hits", points, detail);
    let (points, detail) = match input.trust_tier {
        TrustTier::Trusted => (-10, "trusted exporter: certified compliance programme in force"),
        TrustTier::Standard => (0, "standard trust tier"),
        TrustTier::Watch => (15, "exporter under watch: adverse audit findings"),
    };
    factor(&mut f, "trust_tier", points, detail);
    let points = match input.end_use {
        EndUse::Wmd => 40,
        EndUse::Military | EndUse::MilitaryIntelligence | EndUse::CyberSurveillance => 20,
        EndUse::Unknown => 15,
        EndUse::Civil => 0,
    };
    factor(&mut f, "end_use", points, format!("declared end use: {}", input.end_use.as_str()));
    let (points, detail) = match input.total_value {
        Some(v) if v > Decimal::from_int(1_000_000) => (10, format!("total value {v} over 1,000,000")),
        Some(v) if v > Decimal::from_int(100_000) => (5, format!("total value {v} over 100,000")),
        Some(v) => (0, format!("total value {v}")),
        None => (5, "the value is not given".to_owned()),
    };
    factor(&mut f, "value", points, detail);
    if input.first_shipment {
        factor(&mut f, "first_shipment", 10, "the exporter's first application to this consignee");
    } else {
        factor(&mut f, "first_shipment", 0, "the exporter has applied for this consignee before");
    }
    if input.allied_denials > 0 {
        let n = input.allied_denials;
        factor(&mut f, "allied_denial", 30, format!("matches {n} active denial(s) of allied authorities"));
    } else {
        factor(&mut f, "allied_denial", 0, "matches no active allied denial");
    }
    if input.answer.reasons.iter().any(|r| r.missing_data) {
        factor(&mut f, "missing_data", 10, "the determination rests on facts missing from the data");
    }
    let score = f.iter().map(|x| x.points).sum::<i32>().clamp(0, 100);
    let review_path = if score >= EDD_THRESHOLD || input.answer.review_path == Some(ReviewPath::EnhancedDueDiligence) {
        ReviewPath::EnhancedDueDiligence
    } else if input.trust_tier == TrustTier::Trusted
        && score < FAST_TRACK_BELOW
        && in_force.is_empty()
        && input.allied_denials == 0
        && !input.answer.reasons.iter().any(|r| r.missing_data)
    {
        ReviewPath::FastTrack
    } else {
        ReviewPath::Standard
    };
    Risk { score, factors: f, review_path }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::determine::Reason;

    fn answer(review: Option<ReviewPath>) -> JurisdictionAnswer {
        JurisdictionAnswer {
            jurisdiction: "EU".into(),
            applies_because: String::new(),
            unverified: vec![],
            policy: String::new(),
            outcome: Outcome::LicenceRequired,
            review_path: review,
            general_authorisations: vec![],
            obligations: vec![],
            reasons: vec![Reason {
                rule: "eu.annex_i.export".into(),
                outcome: Outcome::LicenceRequired,
                citation: String::new(),
                item: Some(0),
                detail: String::new(),
                missing_data: false,
                lifted_by: None,
                party_hits: vec![],
            }],
            not_available: vec![],
            denials: vec![],
        }
    }

    fn input<'a>(a: &'a JurisdictionAnswer, hits: &'a [PartyHit], tier: TrustTier, end_use: EndUse) -> RiskInput<'a> {
        RiskInput {
            answer: a,
            hits,
            end_use,
            regimes: &[Regime::Wa],
            listed_items: 1,
            trust_tier: tier,
            first_shipment: false,
            total_value: Some(Decimal::from_int(5000)),
            allied_denials: 0,
        }
    }

    #[test]
    fn a_trusted_exporter_with_a_clean_civil_flow_gets_the_fast_track() {
        let a = answer(Some(ReviewPath::Standard));
        let r = assess(&input(&a, &[], TrustTier::Trusted, EndUse::Civil));
        assert_eq!(r.review_path, ReviewPath::FastTrack);
        assert_eq!(r.score, 0, "8 for the item, -10 for trust, clamped: {:?}", r.factors);
        let standard = assess(&input(&a, &[], TrustTier::Standard, EndUse::Civil));
        assert_eq!((standard.score, standard.review_path), (8, ReviewPath::Standard));
    }

    #[test]
    fn a_match_with_an_allied_denial_adds_points_and_closes_the_fast_track() {
        let a = answer(Some(ReviewPath::Standard));
        let r = assess(&RiskInput { allied_denials: 1, ..input(&a, &[], TrustTier::Trusted, EndUse::Civil) });
        assert_eq!((r.score, r.review_path), (28, ReviewPath::Standard), "{:?}", r.factors);
        assert!(r.factors.iter().any(|f| f.factor == "allied_denial" && f.points == 30));
    }

    #[test]
    fn hits_and_sensitive_end_uses_raise_the_score_to_enhanced_due_diligence() {
        let a = answer(Some(ReviewPath::Standard));
        let hit = PartyHit {
            party: 0,
            list_id: "us_csl".into(),
            entity_id: "el:x".into(),
            matched_name: "X".into(),
            score: 0.9,
            programs: vec![],
            listed_from: None,
            listed_until: None,
            in_force: true,
        };
        let hits = [hit.clone(), hit.clone(), hit];
        let r = assess(&input(&a, &hits, TrustTier::Trusted, EndUse::Military));
        let points: Vec<(&str, i32)> = r.factors.iter().map(|f| (f.factor.as_str(), f.points)).collect();
        assert!(points.contains(&("screening_hits", 50)), "capped at 50: {points:?}");
        assert_eq!(r.score, 68);
        assert_eq!(r.review_path, ReviewPath::EnhancedDueDiligence);
        let flagged = answer(Some(ReviewPath::EnhancedDueDiligence));
        assert_eq!(
            assess(&input(&flagged, &[], TrustTier::Trusted, EndUse::Civil)).review_path,
            ReviewPath::EnhancedDueDiligence
        );
    }
}
