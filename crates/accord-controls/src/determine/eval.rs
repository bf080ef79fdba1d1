//! Evaluation: each rule's and general authorisation's conditions against a checked transaction.

use super::*;

pub(super) fn item_matches(want: ItemKind, got: ItemKind) -> bool {
    match want {
        ItemKind::Any => true,
        ItemKind::NotListed => matches!(got, ItemKind::Unlisted | ItemKind::Unmapped),
        w => w == got,
    }
}

impl<'a> Ctx<'a> {
    pub(super) fn entry(&self, item: &CheckedItem) -> Option<&'a ControlEntry> {
        item.entry.map(|i| &self.list.entries()[i])
    }

    /// The entry (itself or above) that carries this jurisdiction's mapping, and the mapping.
    pub(super) fn mapping(&self, item: &CheckedItem) -> Option<(&'a ControlEntry, &'a crate::model::Mapping)> {
        let j = self.jurisdiction?;
        let mut e = self.entry(item)?;
        loop {
            if let Some(m) = e.mapping(j) {
                return Some((e, m));
            }
            let parent = e.code.parent()?;
            e = self.list.entries().get(self.list.position(&parent)?)?;
        }
    }

    /// Listed, unmapped or unlisted; for the coalition, any code is listed.
    pub(super) fn kind_of(&self, item: &CheckedItem) -> ItemKind {
        match (&item.code, self.jurisdiction) {
            (None, _) => ItemKind::Unlisted,
            (Some(_), None) => ItemKind::Listed,
            (Some(_), Some(_)) if self.mapping(item).is_some() => ItemKind::Listed,
            (Some(_), Some(_)) => ItemKind::Unmapped,
        }
    }

    /// The item's reasons for control in this jurisdiction: the policy's facts table (for a heading, with the
    /// reasons of every paragraph below it), else the control list's mapping.
    pub(super) fn reasons(&self, item: &CheckedItem) -> Option<ItemReasons<'a>> {
        let (entry, m) = self.mapping(item)?;
        let code =
            item.code.as_ref().filter(|c| entry.code.is_ancestor_of(c) || **c == entry.code).unwrap_or(&entry.code);
        if let Some(f) = self.policy.reasons_from {
            let facts = &self.set.facts[f];
            let own = facts.get(code);
            let mut below = facts.below(code).peekable();
            if own.is_some() || below.peek().is_some() {
                let mut out = ItemReasons { list: Vec::new(), notes: Vec::new(), below: Vec::new(), from_list: false };
                if let Some((key, FactValue::Reasons(r))) = own {
                    for reason in r {
                        out.list.push(reason);
                        if let Some(n) = facts.note(key, reason) {
                            out.notes.push((reason, n));
                        }
                    }
                }
                for (key, value) in below {
                    let FactValue::Reasons(r) = value else { continue };
                    for reason in r {
                        if out.list.contains(&reason.as_str()) && !out.below.iter().any(|(b, _)| b == reason) {
                            continue;
                        }
                        if !out.list.contains(&reason.as_str()) {
                            out.list.push(reason);
                        }
                        match out.below.iter_mut().find(|(b, _)| b == reason) {
                            Some((_, codes)) => codes.push(key),
                            None => out.below.push((reason, vec![key])),
                        }
                    }
                }
                return Some(out);
            }
        }
        (!m.reasons.is_empty()).then(|| ItemReasons {
            list: m.reasons.iter().map(String::as_str).collect(),
            notes: Vec::new(),
            below: Vec::new(),
            from_list: true,
        })
    }

    /// The total value, in the facts table's currency, of the items of the order that share this item's limit.
    pub(super) fn order_value(&self, facts: &crate::policy::Facts, key: &ControlCode) -> Option<Decimal> {
        let mut total = Decimal::ZERO;
        for other in &self.tx.items {
            let Some(code) = &other.code else { continue };
            if facts.get(code).map(|(k, _)| k) != Some(key) {
                continue;
            }
            match (other.value, &other.currency, &facts.currency) {
                (Some(v), Some(c), Some(fc)) if c == fc => total += v,
                (Some(v), _, None) => total += v,
                _ => return None,
            }
        }
        Some(total)
    }

    pub(super) fn check(&self, w: &Conditions, item: Option<&CheckedItem>, mode: Mode) -> Result<Option<String>, Miss> {
        let tx = self.tx;
        let mut partial = None;
        if let Some(from) = &w.from
            && tx.date < *from
        {
            return Err(Miss::Before);
        }
        if let Some(until) = &w.until
            && tx.date >= *until
        {
            return Err(Miss::After);
        }
        let origin = item.map_or(&tx.origin, |i| &i.origin);
        if let Some(s) = &w.origins
            && !s.contains(origin)
        {
            return Err(Miss::Origin);
        }
        if let Some(s) = &w.origins_not
            && s.contains(origin)
        {
            return Err(Miss::OriginExcluded);
        }
        if !w.end_uses.is_empty() && !w.end_uses.contains(&tx.end_use) {
            return Err(Miss::EndUse);
        }
        if w.end_uses_not.contains(&tx.end_use) {
            return Err(Miss::EndUseExcluded);
        }
        if !w.purposes.is_empty() && !w.purposes.contains(&tx.purpose) {
            return Err(Miss::Purpose);
        }
        if w.purposes_not.contains(&tx.purpose) {
            return Err(Miss::PurposeExcluded);
        }
        if w.parties.is_some() && self.party_hits(w).is_empty() {
            return Err(Miss::Parties);
        }
        // Places after the transaction's own conditions (a miss here means the end use and parties held), before
        // the item's (a cheap test that spares the code sets).
        self.places(w, mode)?;
        let Some(item) = item else { return Ok(None) };
        if !item_matches(w.item, self.kind_of(item)) {
            return Err(Miss::ItemKind);
        }
        let code = item.code.as_ref();
        if !w.codes.is_empty() && !code.is_some_and(|c| w.codes.covers(c)) {
            // A heading above a listed sub-item may or may not be that sub-item.
            match (mode, code.and_then(|c| w.codes.first_below(c))) {
                (Mode::Rule, Some(p)) => {
                    partial = Some(format!("only {p} is covered; give the sub-item's code to know"))
                }
                _ => return Err(Miss::Code),
            }
        }
        if code.is_some_and(|c| w.codes_not.covers(c)) {
            return Err(Miss::CodeExcluded);
        }
        if mode == Mode::Authorisation
            && let Some(p) = code.and_then(|c| w.codes_not.first_below(c))
        {
            return Err(Miss::CodeMaybeExcluded(p.to_string()));
        }
        if !w.categories.is_empty() && !code.is_some_and(|c| w.categories.contains(&c.category())) {
            return Err(Miss::Category);
        }
        if !w.regimes.is_empty() && !self.entry(item).is_some_and(|e| e.regimes.iter().any(|r| w.regimes.contains(r))) {
            return Err(Miss::Regime);
        }
        if !w.reasons.is_empty() || !w.reasons_not.is_empty() {
            match (self.reasons(item), mode) {
                (None, Mode::Authorisation) => return Err(Miss::ReasonsUnknown),
                (None, Mode::Rule) => {
                    if !w.reasons.is_empty() {
                        partial = Some("the item's reasons for control are not in the data".to_owned());
                    }
                }
                (Some(reasons), _) => {
                    if !w.reasons.is_empty()
                        && !reasons.list.iter().any(|r| w.reasons.iter().any(|want| reason_matches(want, r)))
                    {
                        return Err(Miss::Reason);
                    }
                    if reasons.list.iter().any(|r| w.reasons_not.iter().any(|want| reason_matches(want, r))) {
                        return Err(Miss::ReasonExcluded);
                    }
                }
            }
        }
        if let Some(m) = &w.value_over {
            let known = matches!((item.value, &item.currency), (Some(_), Some(c)) if *c == m.currency);
            if known && item.value.is_some_and(|v| v <= m.amount) || (!known && mode == Mode::Authorisation) {
                return Err(Miss::ValueOver);
            }
        }
        if let Some(m) = &w.value_at_most
            && !matches!((item.value, &item.currency), (Some(v), Some(c)) if *c == m.currency && v <= m.amount)
        {
            return Err(Miss::ValueAtMost);
        }
        if let Some(f) = w.value_within {
            let facts = &self.set.facts[f];
            let fits = code.and_then(|c| facts.get(c)).is_some_and(|(key, limit)| match limit {
                FactValue::Number(l) => self.order_value(facts, key).is_some_and(|total| total <= *l),
                _ => false,
            });
            if !fits {
                return Err(Miss::ValueWithin);
            }
        }
        if let Some(f) = w.has_fact
            && code.is_none_or(|c| self.set.facts[f].get(c).is_none())
        {
            return Err(Miss::HasFact(f));
        }
        if let Some(f) = w.lacks_fact {
            if code.is_some_and(|c| self.set.facts[f].get(c).is_some()) {
                return Err(Miss::LacksFact(f));
            }
            if mode == Mode::Authorisation
                && let Some(below) = code.and_then(|c| self.set.facts[f].first_below(c))
            {
                return Err(Miss::FactBelow(f, below.to_string()));
            }
        }
        Ok(partial)
    }

    /// Where the goods end up: a rule holds when the goods end up in one of its places; an authorisation only when
    /// all of them are.
    pub(super) fn places(&self, w: &Conditions, mode: Mode) -> Result<(), Miss> {
        let tx = self.tx;
        if let Some(set) = &w.destinations {
            match mode {
                Mode::Rule if !tx.places.iter().any(|p| set.contains(p)) => return Err(Miss::Destination(0)),
                Mode::Authorisation => {
                    if let Some(i) = tx.places.iter().position(|p| !set.contains(p)) {
                        return Err(Miss::Destination(i));
                    }
                }
                Mode::Rule => {}
            }
        }
        if let Some(set) = &w.destinations_not {
            match mode {
                Mode::Rule if tx.places.iter().all(|p| set.contains(p)) => return Err(Miss::DestinationExcluded(0)),
                Mode::Authorisation => {
                    if let Some(i) = tx.places.iter().position(|p| set.contains(p)) {
                        return Err(Miss::DestinationExcluded(i));
                    }
                }
                Mode::Rule => {}
            }
        }
        Ok(())
    }

    pub(super) fn party_hits(&self, w: &Conditions) -> Vec<usize> {
        let Some(p) = &w.parties else { return Vec::new() };
        self.hits
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.in_force
                    && (p.lists.is_empty() || p.lists.contains(&h.list_id))
                    && (p.id_prefixes.is_empty() || p.id_prefixes.iter().any(|x| h.entity_id.starts_with(x.as_str())))
                    && (p.programs.is_empty() || h.programs.iter().any(|g| p.programs.contains(g)))
                    && (p.roles.is_empty()
                        || self.tx.parties.get(h.party).is_some_and(|party| p.roles.contains(&party.role)))
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The lists a party rule needs that were not screened, when the parties were screened at all.
    pub(super) fn lists_missing(&self, w: &Conditions) -> Option<Vec<String>> {
        let (p, loaded) = (w.parties.as_ref()?, self.lists?);
        if self.tx.parties.is_empty()
            || p.lists.is_empty()
            || p.lists.iter().any(|l| loaded.contains(l) || l == crate::OWNERSHIP_LIST)
        {
            return None;
        }
        Some(p.lists.clone())
    }

    pub(super) fn chart(&self, chart: &Chart, item: &CheckedItem) -> Fired {
        let date = self.tx.date;
        let facts = self.policy.reasons_from.map(|f| &self.set.facts[f]);
        for (what, from) in [("chart", &chart.name, &chart.valid_from)]
            .into_iter()
            .map(|(w, n, f)| ((w, n.as_str()), f))
            .chain(facts.map(|f| (("facts table", f.name.as_str()), &f.valid_from)))
        {
            if let Some(from) = from.filter(|f| date < *f) {
                return Fired::NoFactsOn(format!(
                    "the node holds {} '{}' as of its primary source's issue of {from} and none in force on {date}",
                    what.0, what.1
                ));
            }
        }
        let Some(reasons) = self.reasons(item) else { return Fired::MissingReasons };
        let mut rows = 0u32;
        let mut found = ChartFinding { from_list: reasons.from_list, ..ChartFinding::default() };
        for p in &self.tx.places {
            if let Some(words) = chart.refers(p) {
                found.refer.push((place_name(p), words.to_owned()));
                continue;
            }
            match chart.row(p) {
                Some(r) => rows |= r,
                None => return Fired::MissingRow(place_name(p)),
            }
        }
        for r in &reasons.list {
            let column = match chart.column(r) {
                Some(c) => c,
                None => match chart.bare_reasons.iter().find(|(b, _)| b == r) {
                    Some((_, c)) => {
                        found.notes.push(format!("{r} (no column in the list) read as {}", chart.columns[*c]));
                        *c
                    }
                    None if chart.handled_elsewhere.iter().any(|h| h == r) => continue,
                    None => {
                        found.unresolved.push((*r).to_owned());
                        continue;
                    }
                },
            };
            if rows & (1 << column) != 0 {
                found.columns |= 1 << column;
                if let Some((_, codes)) = reasons.below.iter().find(|(b, _)| b == r) {
                    found.limits.push((column, ColumnLimit::Below(codes.iter().map(ToString::to_string).collect())));
                } else if let Some((_, words)) = reasons.notes.iter().find(|(b, _)| b == r) {
                    found.limits.push((column, ColumnLimit::Words((*words).to_owned())));
                }
            }
        }
        Fired::Chart(found)
    }

    pub(super) fn fire(&self, rule: &Rule, item: Option<&CheckedItem>) -> Result<Fired, Miss> {
        let partial = self.check(&rule.when, item, Mode::Rule)?;
        match (rule.when.chart, item) {
            (Some(c), Some(item)) => Ok(self.chart(&self.set.charts[c], item)),
            _ => Ok(Fired::Plain(partial)),
        }
    }

    pub(super) fn place_label(&self, i: usize) -> String {
        match (i, self.tx.places.get(i)) {
            (0, Some(p)) => place_name(p),
            (_, Some(p)) => format!("{} (an end user's country)", place_name(p)),
            _ => "the destination".to_owned(),
        }
    }

    pub(super) fn explain(&self, miss: Miss, a: &Authorisation, item: &CheckedItem) -> String {
        let code = item.code.as_ref().map_or_else(|| "an unlisted item".to_owned(), ToString::to_string);
        let id = &a.id;
        match miss {
            Miss::ItemKind => format!("{id} covers other kinds of items than {code}"),
            Miss::Code => format!("{code} is not among the items {id} covers"),
            Miss::CodeExcluded => format!("{code} is excluded from {id}"),
            Miss::CodeMaybeExcluded(p) => {
                format!("{code} may be {p}, which is excluded from {id}; give the sub-item's code")
            }
            Miss::Category => format!("{code} is not in a category {id} covers"),
            Miss::Regime => format!("{code} is not controlled by a regime {id} covers"),
            Miss::Reason => format!("{code} is not controlled for a reason {id} covers"),
            Miss::ReasonExcluded => format!("{code} is controlled for a reason that excludes {id}"),
            Miss::ReasonsUnknown => {
                format!("the reasons for control of {code} are not in the data, so {id} cannot be checked")
            }
            Miss::Destination(i) => format!("{} is not a destination of {id}", self.place_label(i)),
            Miss::DestinationExcluded(i) => format!("{} is excluded from {id}", self.place_label(i)),
            Miss::Origin => format!("{id} may not be used for items from {}", item.origin_code),
            Miss::OriginExcluded => format!("items from {} are excluded from {id}", item.origin_code),
            Miss::EndUse => format!("{id} is not for a {} end use", self.tx.end_use.as_str()),
            Miss::EndUseExcluded => format!("{id} may not be used for a {} end use", self.tx.end_use.as_str()),
            Miss::Purpose => format!("{id} is only for other purposes than {}", self.tx.purpose.as_str()),
            Miss::PurposeExcluded => format!("{id} may not be used for {}", self.tx.purpose.as_str()),
            Miss::Parties => format!("{id} needs a party condition the parties do not meet"),
            Miss::Before => format!("{id} was not yet in force on {}", self.tx.date),
            Miss::After => format!("{id} was no longer in force on {}", self.tx.date),
            Miss::ValueOver => format!("the value of {code} is not over the threshold of {id}"),
            Miss::ValueAtMost => match (&a.when.value_at_most, item.value, &item.currency) {
                (Some(m), Some(v), Some(c)) if *c == m.currency => {
                    format!("the value {v} {c} exceeds the {} {} limit of {id}", m.amount, m.currency)
                }
                (Some(m), Some(_), Some(c)) => format!("the value is in {c}; the limit of {id} is in {}", m.currency),
                _ => format!("{id} has a value limit and the item's value is not given"),
            },
            Miss::ValueWithin => {
                let Some(facts) = a.when.value_within.map(|f| &self.set.facts[f]) else {
                    return format!("{id} value limit not met");
                };
                let limit = item.code.as_ref().and_then(|c| facts.get(c));
                let fc = facts.currency.as_deref().unwrap_or("");
                match (limit, item.value, &item.currency) {
                    (None, _, _) => format!("no {id} value limit for {code} in the data ({})", facts.name),
                    (_, None, _) => format!("{id} has a value limit and the item's value is not given"),
                    (Some((_, _)), Some(_), Some(c)) if !fc.is_empty() && c != fc => {
                        format!("the value is in {c}; the {id} limit is in {fc}")
                    }
                    (Some((at, FactValue::Number(l))), Some(_), _) => {
                        let total = self.order_value(facts, at).map_or_else(|| "unknown".to_owned(), |t| t.to_string());
                        format!("the order's value of {total} {fc} for {at} exceeds the {id} limit of {l} {fc}")
                    }
                    _ => format!("{id} value limit not met"),
                }
            }
            Miss::HasFact(f) => {
                format!("{code} is not eligible for {id} ({}: {})", self.set.facts[f].name, self.set.facts[f].citation)
            }
            Miss::LacksFact(f) => {
                format!("{code} is excluded from {id} ({}: {})", self.set.facts[f].name, self.set.facts[f].citation)
            }
            Miss::FactBelow(f, below) => format!(
                "{code} may be {below}, which is excluded from {id} ({}); give the sub-item's code",
                self.set.facts[f].name
            ),
        }
    }
}
