//! Answer assembly: the reasons, citations and outcome of each jurisdiction, and the determination itself.

use super::*;

pub(super) fn place_name(p: &Place) -> String {
    match &p.region {
        Some(r) => format!("{}-{r}", country_code(p.country)),
        None => country_code(p.country),
    }
}

pub(super) fn item_label(ctx: &Ctx, i: usize, item: &CheckedItem) -> String {
    match (&item.code, ctx.mapping(item)) {
        (Some(c), Some((_, m))) if m.code != c.to_string() => {
            format!("item {i} ({c}, {} {})", ctx.jurisdiction.map_or("", |j| j.as_str()), m.code)
        }
        (Some(c), _) => format!("item {i} ({c})"),
        (None, _) => format!("item {i} (not listed)"),
    }
}

/// A reason from a rule, with the fields every reason shares.
pub(super) fn reason(rule: &Rule, outcome: Outcome, item: Option<usize>, detail: String, citation: String) -> Reason {
    Reason {
        rule: rule.id.clone(),
        outcome,
        citation,
        item,
        detail,
        missing_data: rule.missing_data,
        lifted_by: None,
        party_hits: Vec::new(),
    }
}

/// The party hits behind a rule and their words for the detail.
pub(super) fn party_detail(ctx: &Ctx, rule: &Rule) -> (Vec<usize>, String) {
    let hits = ctx.party_hits(&rule.when);
    let mut words = String::new();
    for &h in &hits {
        let hit = &ctx.hits[h];
        let party = ctx.tx.parties.get(hit.party);
        words.push_str(&format!(
            " — {} '{}' matches {} {} '{}' (score {:.2})",
            party.map_or("party", |p| p.role.as_str()),
            party.map_or("", |p| p.name.as_str()),
            hit.list_id,
            hit.entity_id,
            hit.matched_name,
            hit.score
        ));
    }
    (hits, words)
}

/// The condition a miss failed on, when that condition reads named facts.
pub(super) fn miss_field(m: &Miss) -> Option<Field> {
    Some(match m {
        Miss::Destination(_) => Field::Destinations,
        Miss::DestinationExcluded(_) => Field::DestinationsNot,
        Miss::Origin => Field::Origins,
        Miss::OriginExcluded => Field::OriginsNot,
        Miss::Code => Field::Codes,
        Miss::CodeExcluded | Miss::CodeMaybeExcluded(_) => Field::CodesNot,
        Miss::ValueWithin | Miss::HasFact(_) | Miss::LacksFact(_) | Miss::FactBelow(..) => Field::Facts,
        _ => return None,
    })
}

/// Records the unverified facts (and the rule's own unverified logic) an answer rested on: every one a rule or
/// authorisation read when it applied (`field` None), or the one whose condition kept it from applying.
pub(super) fn rely(
    relied: &mut Vec<String>,
    id: &str,
    w: &Conditions,
    own: Option<&String>,
    field: Option<Option<Field>>,
) {
    let mut any = false;
    for (f, name) in &w.unverified {
        if field.is_none_or(|want| want == Some(*f)) {
            any = true;
            if !relied.contains(name) {
                relied.push(name.clone());
            }
        }
    }
    if let Some(note) = own
        && (field.is_none() || any)
    {
        let line = format!("rule '{id}': {note}");
        if !relied.contains(&line) {
            relied.push(line);
        }
    }
}

pub(super) fn reasons_for(
    ctx: &Ctx,
    labels: &[std::cell::OnceCell<String>],
    rule: &Rule,
    out: &mut Vec<Reason>,
    relied: &mut Vec<String>,
) {
    let effect = match rule.effect {
        Effect::Prohibited => Outcome::Prohibited,
        Effect::LicenceRequired => Outcome::LicenceRequired,
    };
    if let Some(lists) = ctx.lists_missing(&rule.when) {
        out.push(Reason {
            missing_data: true,
            ..reason(
                rule,
                Outcome::LicenceRequired,
                None,
                format!(
                    "{} — but the parties could not be checked: {} {} not in force on this node; a licence is assumed to be required until they are",
                    rule.summary,
                    lists.join(", "),
                    if lists.len() == 1 { "is" } else { "are" }
                ),
                rule.citation.clone(),
            )
        });
        return;
    }
    let items: Vec<(Option<usize>, Option<&CheckedItem>)> = if rule.per_item {
        ctx.tx.items.iter().enumerate().map(|(i, it)| (Some(i), Some(it))).collect()
    } else {
        vec![(None, None)]
    };
    for (index, item) in items {
        let fired = match ctx.fire(rule, item) {
            Ok(f) => f,
            Err(miss) => {
                // A catch-all that did not apply because of an unverified list decided the answer as much as one
                // that did; other rules' misses (a destination outside a ban) are not reported.
                let catch_all = !rule.when.end_uses.is_empty() || rule.when.parties.is_some();
                if catch_all && !rule.when.unverified.is_empty() {
                    rely(relied, &rule.id, &rule.when, rule.unverified.as_ref(), Some(miss_field(&miss)));
                }
                continue;
            }
        };
        rely(relied, &rule.id, &rule.when, rule.unverified.as_ref(), None);
        if let Fired::Chart(f) = &fired
            && f.columns == 0
            && f.refer.is_empty()
            && f.unresolved.is_empty()
            && !f.from_list
        {
            continue;
        }
        let label = match (index, item) {
            (Some(i), Some(it)) => format!("{}: ", labels[i].get_or_init(|| item_label(ctx, i, it))),
            _ => String::new(),
        };
        let (party_hits, party_words) = party_detail(ctx, rule);
        match fired {
            Fired::Plain(None) => out.push(Reason {
                party_hits,
                ..reason(rule, effect, index, format!("{label}{}{party_words}", rule.summary), rule.citation.clone())
            }),
            Fired::Plain(Some(why)) => {
                let verb = if effect == Outcome::Prohibited { "may be prohibited" } else { "may need a licence" };
                out.push(Reason {
                    missing_data: true,
                    party_hits,
                    ..reason(
                        rule,
                        Outcome::LicenceRequired,
                        index,
                        format!("{label}{verb}: {} — {why}{party_words}", rule.summary),
                        rule.citation.clone(),
                    )
                });
            }
            Fired::Chart(found) => {
                let Some(chart) = rule.when.chart.map(|c| &ctx.set.charts[c]) else { continue };
                if found.from_list {
                    let line = format!(
                        "reasons for control of {} taken from the control list '{}', not from a primary-source facts table",
                        label.trim_end_matches([':', ' ']),
                        ctx.list.info().version
                    );
                    if !relied.contains(&line) {
                        relied.push(line);
                    }
                }
                let places: Vec<String> = ctx.tx.places.iter().map(place_name).collect();
                let notes =
                    if found.notes.is_empty() { String::new() } else { format!(" ({})", found.notes.join("; ")) };
                for (place, words) in &found.refer {
                    out.push(Reason {
                        rule: format!("{}:refer", rule.id),
                        ..reason(
                            rule,
                            effect,
                            index,
                            format!("{label}the {} has no columns for {place}: \"{words}\"", chart.name),
                            chart.citation.clone(),
                        )
                    });
                }
                for (c, column) in chart.columns.iter().enumerate() {
                    if found.columns & (1 << c) != 0 {
                        let (limit, partial) = match found.limits.iter().find(|(k, _)| *k == c).map(|(_, l)| l) {
                            Some(ColumnLimit::Below(codes)) => (
                                format!(
                                    "; only {} carry {column}: give the sub-item's code to know",
                                    codes.join(", ")
                                ),
                                true,
                            ),
                            Some(ColumnLimit::Words(words)) => (format!("; the ECCN's table limits it: \"{}\"", clip(words)), false),
                            None => (String::new(), false),
                        };
                        out.push(Reason {
                            rule: format!("{}:{column}", rule.id),
                            missing_data: rule.missing_data || partial,
                            ..reason(
                                rule,
                                effect,
                                index,
                                format!(
                                    "{label}{} — {column} marked for {} in {}{notes}{limit}",
                                    rule.summary,
                                    places.join(", "),
                                    chart.name
                                ),
                                format!("{}; {}", chart.column_citations[c], chart.citation),
                            )
                        });
                    }
                }
                for r in found.unresolved {
                    out.push(Reason {
                        missing_data: true,
                        ..reason(
                            rule,
                            Outcome::LicenceRequired,
                            index,
                            format!("{label}reason for control {r} has no column in {} and no rule judges it; a licence is assumed to be required — see the ECCN's License Requirements", chart.name),
                            rule.citation.clone(),
                        )
                    });
                }
            }
            Fired::MissingReasons => {
                let facts = ctx.policy.reasons_from.map_or("none", |f| ctx.set.facts[f].name.as_str());
                out.push(Reason {
                    missing_data: true,
                    ..reason(
                        rule,
                        Outcome::LicenceRequired,
                        index,
                        format!(
                            "{label}its reasons for control are not in the data (control list '{}', facts table '{facts}'); a licence is assumed to be required until they are known",
                            ctx.list.info().version
                        ),
                        rule.citation.clone(),
                    )
                });
            }
            Fired::NoFactsOn(why) => out.push(Reason {
                missing_data: true,
                ..reason(
                    rule,
                    Outcome::LicenceRequired,
                    index,
                    format!("{label}{why}; a licence is assumed to be required — check the regulation as it stood on that day"),
                    rule.citation.clone(),
                )
            }),
            Fired::MissingRow(place) => out.push(Reason {
                missing_data: true,
                ..reason(
                    rule,
                    Outcome::LicenceRequired,
                    index,
                    format!("{label}the chart has no row for {place}; a licence is assumed to be required"),
                    rule.citation.clone(),
                )
            }),
        }
    }
}

/// Long words cut to a readable length.
pub(super) fn clip(s: &str) -> String {
    const MAX: usize = 240;
    if s.chars().count() <= MAX {
        return s.to_owned();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{}…", cut.trim_end())
}

pub(super) fn chart_of<'a>(set: &'a PolicySet, policy: &Policy, rule_id: &str) -> Option<&'a Chart> {
    policy.rules.iter().find(|r| r.id == rule_id).and_then(|r| r.when.chart).map(|c| &set.charts[c])
}

/// Whether an authorisation may lift one reason.
pub(super) fn lifts(set: &PolicySet, policy: &Policy, a: &Authorisation, r: &Reason) -> bool {
    if r.missing_data || r.outcome != Outcome::LicenceRequired {
        return false;
    }
    let (base, column) = match r.rule.split_once(':') {
        Some((b, c)) => match chart_of(set, policy, b) {
            // A row that refers elsewhere is no column: no authorisation lifts it.
            Some(chart) if chart.column(c).is_none() => return false,
            Some(_) => (b, Some(c)),
            None => (r.rule.as_str(), None),
        },
        _ => (r.rule.as_str(), None),
    };
    a.lifts.iter().any(|l| l == base)
        && match column {
            Some(c) => a.lifts_reasons.is_empty() || a.lifts_reasons.iter().any(|w| reason_matches(w, c)),
            None => true,
        }
}

pub(super) fn answer(ctx: &Ctx, coalition: Option<&Ctx>, applies_because: String) -> JurisdictionAnswer {
    let mut reasons = Vec::new();
    let mut relied = Vec::new();
    // Item labels are made once per answer, and only for the items a rule speaks of.
    let labels =
        |c: &Ctx| -> Vec<std::cell::OnceCell<String>> { c.tx.items.iter().map(|_| Default::default()).collect() };
    let own = labels(ctx);
    for rule in &ctx.policy.rules {
        reasons_for(ctx, &own, rule, &mut reasons, &mut relied);
    }
    if let Some(c) = coalition {
        let theirs = labels(c);
        for rule in &c.policy.rules {
            reasons_for(c, &theirs, rule, &mut reasons, &mut relied);
        }
    }
    // A licence requirement on the whole transaction (a listed party, parties not screened) leaves no general
    // authorisation for any item.
    let blocking =
        reasons.iter().find(|r| r.item.is_none() && r.outcome == Outcome::LicenceRequired).map(|r| r.rule.clone());
    let mut general_authorisations: Vec<String> = Vec::new();
    let mut obligations: Vec<String> = Vec::new();
    let mut not_available = Vec::new();
    let mut granted: Vec<Reason> = Vec::new();
    for (i, item) in ctx.tx.items.iter().enumerate() {
        let needs: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.item == Some(i) && r.outcome == Outcome::LicenceRequired)
            .map(|(k, _)| k)
            .collect();
        if needs.is_empty() || reasons.iter().any(|r| r.item == Some(i) && r.outcome == Outcome::Prohibited) {
            continue;
        }
        let mut chosen = None;
        for a in &ctx.policy.authorisations {
            if !needs.iter().any(|&k| lifts(ctx.set, ctx.policy, a, &reasons[k])) {
                continue;
            }
            if let Some(rule) = &blocking {
                let why = format!("{rule} applies to the whole transaction; {} cannot be used", a.id);
                not_available.push(NotAvailable { authorisation: a.id.clone(), item: i, why });
                continue;
            }
            if let Some(k) = needs.iter().find(|&&k| !lifts(ctx.set, ctx.policy, a, &reasons[k])) {
                let r = &reasons[*k];
                let why = if r.missing_data {
                    format!("{}: {} rests on missing data", a.id, r.rule)
                } else {
                    format!("{} does not lift {}", a.id, r.rule)
                };
                not_available.push(NotAvailable { authorisation: a.id.clone(), item: i, why });
                continue;
            }
            match ctx.check(&a.when, Some(item), Mode::Authorisation) {
                Ok(_) => {
                    rely(&mut relied, &a.id, &a.when, a.unverified.as_ref(), None);
                    chosen = Some(a);
                    break;
                }
                Err(miss) => {
                    // A refused authorisation changes the answer: name what refused it when that is unverified,
                    // the authorisation's own conditions included.
                    rely(&mut relied, &a.id, &a.when, None, Some(miss_field(&miss)));
                    if let Some(note) = &a.unverified {
                        rely(&mut relied, &a.id, &a.when, Some(note), None);
                    }
                    not_available.push(NotAvailable {
                        authorisation: a.id.clone(),
                        item: i,
                        why: ctx.explain(miss, a, item),
                    })
                }
            }
        }
        if let Some(a) = chosen {
            for &k in &needs {
                reasons[k].lifted_by = Some(a.id.clone());
            }
            if !general_authorisations.contains(&a.id) {
                general_authorisations.push(a.id.clone());
                obligations.extend(a.obligations.iter().map(|o| format!("{}: {o}", a.id)));
            }
            granted.push(Reason {
                rule: a.id.clone(),
                outcome: Outcome::GeneralAuthorisation,
                citation: a.citation.clone(),
                item: Some(i),
                detail: format!("{}: {}", item_label(ctx, i, item), a.name),
                missing_data: false,
                lifted_by: None,
                party_hits: Vec::new(),
            });
        }
    }
    reasons.extend(granted);
    let outcome = reasons
        .iter()
        .map(|r| match (r.outcome, &r.lifted_by) {
            (Outcome::LicenceRequired, Some(_)) => Outcome::GeneralAuthorisation,
            (o, _) => o,
        })
        .max()
        .unwrap_or(Outcome::NoLicenceRequired);
    let review_path = (outcome == Outcome::LicenceRequired).then(|| {
        let mut path = ReviewPath::Standard;
        let rules = ctx.policy.rules.iter().chain(coalition.into_iter().flat_map(|c| c.policy.rules.iter()));
        for rule in rules {
            if rule.review > path
                && reasons.iter().any(|r| r.lifted_by.is_none() && r.rule.split(':').next() == Some(rule.id.as_str()))
            {
                path = rule.review;
            }
        }
        if reasons.iter().any(|r| !r.party_hits.is_empty()) {
            path = ReviewPath::EnhancedDueDiligence;
        }
        path
    });
    JurisdictionAnswer {
        jurisdiction: ctx.policy.info.jurisdiction.clone(),
        applies_because,
        policy: format!("{}@{}", ctx.policy.info.file, ctx.policy.info.version),
        outcome,
        review_path,
        general_authorisations,
        obligations,
        reasons,
        not_available,
        denials: Vec::new(),
        unverified: relied,
    }
}

pub(super) fn jurisdiction_of(s: &str) -> Option<Jurisdiction> {
    match s {
        "EU" => Some(Jurisdiction::Eu),
        "US" => Some(Jurisdiction::Us),
        "UK" => Some(Jurisdiction::Uk),
        _ => None,
    }
}

/// Why a policy applies to a transaction on its own, if it does.
pub(super) fn applies_on_its_own(p: &Policy, tx: &CheckedTransaction) -> Option<String> {
    let a = p.applies.as_ref()?;
    if a.origins.contains(&tx.origin) {
        return Some(format!("{} (origin {})", a.why, tx.origin_code));
    }
    tx.items
        .iter()
        .enumerate()
        .find(|(_, it)| a.item_origins.contains(&it.origin))
        .map(|(i, item)| format!("{} (item {i} made in {})", a.why, item.origin_code))
}

/// Determines a checked transaction for every jurisdiction that applies (or that it names). `screening` holds the
/// restricted-party hits of its parties; `None` means the parties could not be screened, which every answer says.
/// Fails only when the transaction was checked against another control list.
pub fn determine(
    set: &PolicySet,
    list: &ControlList,
    tx: &CheckedTransaction,
    screening: Option<Screening>,
) -> Result<Determination> {
    if tx.list_fingerprint != (list.info().version.clone(), list.len()) {
        return Err(Error::internal("the transaction was checked against another control-list version"));
    }
    let screened = screening.is_some();
    let Screening { mut hits, lists, threshold } = screening.unwrap_or_default();
    let mut warnings = Vec::new();
    for h in &mut hits {
        h.in_force = h.listed_from.is_none_or(|f| f <= tx.date) && h.listed_until.is_none_or(|u| tx.date < u);
        if let Some(from) = h.listed_from.filter(|f| *f > tx.date) {
            warnings.push(format!(
                "party {} matches {} {}, listed from {from}, after the transaction date {}",
                h.party, h.list_id, h.entity_id, tx.date
            ));
        }
    }
    if tx.parties.is_empty() {
        warnings.push("no parties given: no party was checked against the restricted-party lists".to_owned());
    }
    let mut chosen: Vec<(&Policy, String)> = Vec::new();
    match &tx.jurisdictions {
        Some(js) => {
            for p in &set.policies {
                if js.contains(&p.info.jurisdiction) {
                    chosen.push((p, "asked for in the transaction".to_owned()));
                } else if let Some(why) = applies_on_its_own(p, tx) {
                    warnings.push(format!("{} also applies but was not asked for: {why}", p.info.jurisdiction));
                }
            }
        }
        None => {
            for p in &set.policies {
                if let Some(why) = applies_on_its_own(p, tx) {
                    chosen.push((p, why));
                }
            }
        }
    }
    let loaded = screened.then_some(lists.as_slice());
    let coalition = set.coalition.as_ref().map(|policy| Ctx {
        tx,
        list,
        set,
        jurisdiction: None,
        policy,
        hits: &hits,
        lists: loaded,
    });
    let mut jurisdictions = Vec::with_capacity(chosen.len());
    for (policy, why) in chosen {
        let ctx = Ctx {
            tx,
            list,
            set,
            jurisdiction: jurisdiction_of(&policy.info.jurisdiction),
            policy,
            hits: &hits,
            lists: loaded,
        };
        let mut a = answer(&ctx, coalition.as_ref(), why);
        if !screened && !tx.parties.is_empty() {
            a.reasons.push(Reason {
                rule: "screening.unavailable".into(),
                outcome: Outcome::LicenceRequired,
                citation: "party checks of every policy (no restricted-party list is loaded)".into(),
                item: None,
                detail: "the parties could not be screened: no restricted-party list is in force on this node; a licence is assumed to be required until they are".into(),
                missing_data: true,
                lifted_by: None,
                party_hits: Vec::new(),
            });
            if a.outcome < Outcome::LicenceRequired {
                a.outcome = Outcome::LicenceRequired;
                a.review_path = Some(ReviewPath::Standard);
                a.general_authorisations.clear();
                a.obligations.clear();
                for r in &mut a.reasons {
                    r.lifted_by = None;
                }
                a.reasons.retain(|r| r.outcome != Outcome::GeneralAuthorisation);
            }
        }
        if !a.unverified.is_empty() {
            warnings.push(format!(
                "{}: this answer relies on facts or rules not verified against a primary source: {}",
                a.jurisdiction,
                a.unverified.join("; ")
            ));
        }
        jurisdictions.push(a);
    }
    let note = jurisdictions.is_empty().then(|| {
        let mut o: Vec<&str> = tx.items.iter().map(|i| i.origin_code.as_str()).collect();
        o.sort();
        o.dedup();
        format!(
            "no loaded jurisdiction applies on its own to an export from {} of items made in {}; name one in 'jurisdictions' to ask anyway",
            tx.origin_code,
            o.join(", ")
        )
    });
    let items = tx
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            let entry = it.entry.map(|e| &list.entries()[e]);
            ItemClassification {
                item: i,
                code: it.code.as_ref().map(ToString::to_string),
                entry: entry.map(|e| e.code.to_string()),
                mappings: entry.map_or_else(Vec::new, |e| {
                    e.mappings.iter().map(|m| format!("{}:{}", m.jurisdiction, m.code)).collect()
                }),
            }
        })
        .collect();
    Ok(Determination {
        date: tx.date,
        jurisdictions,
        note,
        warnings,
        party_hits: hits,
        items,
        versions: Versions {
            control_list: list.info().version.clone(),
            policies: set.versions_label.clone(),
            lists: String::new(),
            threshold: screened.then_some(threshold),
        },
    })
}
