//! A proposal's changes applied to the list in force: the next version of the list, or the change that cannot be
//! made (an entry added twice, one amended or removed that is not there), named by its place in the proposal; and
//! its changes to the policy files in force, edited block by block and checked as a whole.

use crate::{ControlCode, ControlEntry, ControlList, ListInfo, PolicySet, PolicySource};
use accord_core::governance::{ChangeOp, EntryChange, PolicyChange, PolicyOp, ProposalKind};
use accord_core::{Error, Result};

/// The list `changes` make of `list`, as a version described by `info`. Removing an entry removes its sub-items.
pub fn apply_changes(list: &ControlList, changes: &[EntryChange], info: ListInfo) -> Result<ControlList> {
    let mut entries: Vec<ControlEntry> = list.entries().to_vec();
    for (i, change) in changes.iter().enumerate() {
        change.check(i)?;
        let field = format!("changes[{i}].code");
        let code = ControlCode::parse(&change.code).map_err(|e| Error::validation(&field, e.message))?;
        let at = entries.iter().position(|e| e.code == code);
        match (change.op, at) {
            (ChangeOp::Add, Some(_)) => {
                return Err(Error::validation(&field, format!("{code} is on the list already; amend it instead")));
            }
            (ChangeOp::Add, None) => {
                let mut entry = ControlEntry::new(code, change.title.clone().unwrap_or_default());
                entry.text = change.text.clone().unwrap_or_default();
                entries.push(entry);
            }
            (_, None) => {
                return Err(Error::validation(&field, format!("{code} is not on the list in force")));
            }
            (ChangeOp::Remove, Some(_)) => entries.retain(|e| e.code != code && !code.is_ancestor_of(&e.code)),
            (ChangeOp::Amend | ChangeOp::Rethreshold, Some(at)) => {
                if let Some(title) = &change.title {
                    entries[at].title = title.trim().to_owned();
                }
                if let Some(text) = &change.text {
                    entries[at].text = text.trim().to_owned();
                }
            }
        }
    }
    ControlList::new(info, entries)
}

/// The policy files `changes` make of `files`, parsed and cross-checked as a whole, and the kind of proposal the
/// changes make (a change to the coalition's file is a red line). Each change edits the text of its block only, so
/// the rest of the file keeps its comments; an unknown file or id is refused naming the change.
pub fn apply_policy_changes(
    files: &[PolicySource],
    changes: &[PolicyChange],
) -> Result<(Vec<PolicySource>, PolicySet, ProposalKind)> {
    let mut files = files.to_vec();
    let mut kind = None::<ProposalKind>;
    let names = files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ");
    for (i, change) in changes.iter().enumerate() {
        change.check(i)?;
        let file = files.iter_mut().find(|f| f.name == change.file).ok_or_else(|| {
            Error::validation(
                &format!("policy_changes[{i}].file"),
                format!("there is no policy file '{}'; the files are {}", change.file, names),
            )
        })?;
        let this = change_kind(&file.text, change.op);
        kind = Some(kind.map_or(this, |k| k.max(this)));
        file.text = edit(&file.text, change, i)?;
    }
    let set = PolicySet::parse(&files)?;
    Ok((files, set, kind.unwrap_or_default()))
}

/// The kind of proposal one change makes: a red line in the coalition's file, else by what it changes.
fn change_kind(text: &str, op: PolicyOp) -> ProposalKind {
    let header: Option<toml::Table> = toml::from_str(text).ok();
    let jurisdiction = header.as_ref().and_then(|t| t.get("policy")?.get("jurisdiction")?.as_str().map(String::from));
    match op {
        _ if jurisdiction.as_deref() == Some("coalition") => ProposalKind::RedLine,
        PolicyOp::SetAuthorisation | PolicyOp::RemoveAuthorisation => ProposalKind::Authorisation,
        PolicyOp::SetRule | PolicyOp::RemoveRule | PolicyOp::SetSet => ProposalKind::PolicyRule,
    }
}

/// The byte range of each top-level block of a TOML file: from a header line (`[x]` or `[[x]]`) to the next one,
/// without the comments and blank lines that precede the next.
fn blocks(text: &str) -> Vec<(usize, usize, &str)> {
    let mut starts = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            starts.push(at);
        }
        at += line.len();
    }
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(text.len());
        let body = &text[start..end];
        // Comments and blank lines at the end introduce the next block: they stay with it.
        let mut keep = body.len();
        for line in body.split_inclusive('\n').collect::<Vec<_>>().iter().rev() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                keep -= line.len();
            } else {
                break;
            }
        }
        let header = body.lines().next().unwrap_or_default().trim();
        out.push((start, start + keep, header));
    }
    out
}

/// One change made to the text of one file.
fn edit(text: &str, change: &PolicyChange, i: usize) -> Result<String> {
    let field = |f: &str| format!("policy_changes[{i}].{f}");
    if change.op == PolicyOp::SetSet && change.id.contains('.') {
        return Err(Error::validation(&field("id"), "a set's name has no '.'"));
    }
    let (header, found) = find_block(text, change);
    let by_id = header.starts_with("[[");
    let replacement = match &change.body {
        None => String::new(),
        Some(body) => {
            let body = body.trim();
            let parsed: toml::Table = toml::from_str(body)
                .map_err(|e| Error::validation(&field("body"), format!("the body is not TOML: {}", e.message())))?;
            if body.lines().any(|l| l.trim_start().starts_with('[') && !l.contains('=')) {
                return Err(Error::validation(
                    &field("body"),
                    "write the body with dotted keys (`when.destinations = [\"KP\"]`), not table headers",
                ));
            }
            if parsed.contains_key("id") {
                return Err(Error::validation(&field("body"), "the id is given beside the body, not in it"));
            }
            if by_id { format!("{header}\nid = \"{}\"\n{body}\n", change.id) } else { format!("{header}\n{body}\n") }
        }
    };
    match (found, change.op.sets()) {
        (Some((start, end)), _) => Ok(format!("{}{replacement}{}", &text[..start], &text[end..])),
        (None, true) => Ok(format!("{}\n\n{replacement}", text.trim_end())),
        (None, false) => Err(Error::validation(
            &field("id"),
            format!("{} has no {} '{}'", change.file, header.trim_matches(['[', ']']), change.id),
        )),
    }
}

/// The text the block a change would set or remove has in `files` now, if it has one.
pub fn policy_block(files: &[PolicySource], change: &PolicyChange) -> Option<String> {
    let file = files.iter().find(|f| f.name == change.file)?;
    let (_, found) = find_block(&file.text, change);
    found.map(|(start, end)| file.text[start..end].trim_end().to_owned())
}

/// The header of the block a change is about, and where that block is in `text` if it is there.
fn find_block(text: &str, change: &PolicyChange) -> (String, Option<(usize, usize)>) {
    let header = match change.op {
        PolicyOp::SetRule | PolicyOp::RemoveRule => "[[rule]]".to_owned(),
        PolicyOp::SetAuthorisation | PolicyOp::RemoveAuthorisation => "[[authorisation]]".to_owned(),
        PolicyOp::SetSet => format!("[sets.{}]", change.id),
    };
    let by_id = header.starts_with("[[");
    let found = blocks(text).into_iter().find(|&(start, end, h)| {
        h == header && (!by_id || block_id(&text[start..end]).as_deref() == Some(change.id.as_str()))
    });
    (header, found.map(|(start, end, _)| (start, end)))
}

/// The `id` a `[[rule]]` or `[[authorisation]]` block gives itself.
fn block_id(block: &str) -> Option<String> {
    let body = block.split_once('\n').map_or("", |(_, b)| b);
    let t: toml::Table = toml::from_str(body).ok()?;
    t.get("id")?.as_str().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> ControlList {
        let entry = |c: &str, t: &str| ControlEntry::new(ControlCode::parse(c).unwrap(), t);
        let info = ListInfo { version: "2026.1".into(), effective_date: "2026-01-01".into(), rationale: "base".into() };
        ControlList::new(
            info,
            vec![entry("3A001", "Electronic items"), entry("3A001.a", "ICs"), entry("3A002", "Test")],
        )
        .unwrap()
    }

    fn change(op: ChangeOp, code: &str, title: Option<&str>, text: Option<&str>) -> EntryChange {
        EntryChange { op, code: code.into(), title: title.map(Into::into), text: text.map(Into::into) }
    }

    fn next() -> ListInfo {
        ListInfo { version: "2026.2".into(), effective_date: "2026-07-01".into(), rationale: "prp_1".into() }
    }

    #[test]
    fn adds_amends_and_removes_with_sub_items() {
        let changes = [
            change(ChangeOp::Add, "3A003", Some("Spray cooling"), Some("Spray cooling thermal management systems")),
            change(ChangeOp::Rethreshold, "3A002", None, Some("Test equipment above 50 GHz")),
            change(ChangeOp::Remove, "3A001", None, None),
        ];
        let out = apply_changes(&list(), &changes, next()).unwrap();
        let codes: Vec<String> = out.entries().iter().map(|e| e.code.to_string()).collect();
        assert_eq!(codes, ["3A002", "3A003"], "3A001 goes with its sub-item");
        assert_eq!(out.get(&ControlCode::parse("3A002").unwrap()).unwrap().text, "Test equipment above 50 GHz");
        assert_eq!(out.info().version, "2026.2");
    }

    #[test]
    fn a_change_that_cannot_be_made_names_its_place() {
        let twice = apply_changes(&list(), &[change(ChangeOp::Add, "3A001", Some("t"), Some("x"))], next());
        assert_eq!(twice.unwrap_err().details.unwrap()["field"], "changes[0].code");
        let missing =
            [change(ChangeOp::Amend, "3A001", Some("ok"), None), change(ChangeOp::Remove, "9E999", None, None)];
        let e = apply_changes(&list(), &missing, next()).unwrap_err();
        assert_eq!(e.details.unwrap()["field"], "changes[1].code", "{}", e.message);
        let bad = apply_changes(&list(), &[change(ChangeOp::Remove, "not a code", None, None)], next());
        assert_eq!(bad.unwrap_err().details.unwrap()["field"], "changes[0].code");
    }

    fn policy(op: PolicyOp, file: &str, id: &str, body: Option<&str>) -> PolicyChange {
        PolicyChange { op, file: file.into(), id: id.into(), body: body.map(Into::into) }
    }

    const RED_LINE: &str = "outcome = \"prohibited\"\ncitation = \"UNSCR 2231 (2015)\"\n\
                            summary = \"no listed item to Iran\"\nwhen.item = \"listed\"\nwhen.destinations = [\"IR\"]";

    #[test]
    fn a_new_rule_in_the_coalition_file_is_a_red_line_and_the_rest_of_the_file_is_kept() {
        let files = crate::builtin_policies();
        let (out, set, kind) = apply_policy_changes(
            &files,
            &[policy(PolicyOp::SetRule, "coalition.toml", "coalition.iran", Some(RED_LINE))],
        )
        .unwrap();
        assert_eq!(kind, ProposalKind::RedLine);
        let before = &files.iter().find(|f| f.name == "coalition.toml").unwrap().text;
        let after = &out.iter().find(|f| f.name == "coalition.toml").unwrap().text;
        assert!(after.starts_with(before.trim_end()), "comments and the other rules are kept");
        assert!(after.contains("id = \"coalition.iran\""));
        assert!(
            set.info()
                .iter()
                .any(|i| i.jurisdiction == "coalition" && i.rules == 1 + before.matches("[[rule]]").count())
        );
    }

    #[test]
    fn a_rule_is_replaced_or_removed_in_place_and_an_authorisation_change_is_of_its_own_kind() {
        let files = crate::builtin_policies();
        let eu = files.iter().find(|f| f.name == "eu.toml").unwrap();
        let rules = eu.text.matches("[[rule]]").count();
        let (out, _, kind) =
            apply_policy_changes(&files, &[policy(PolicyOp::RemoveRule, "eu.toml", "eu.occupied_regions", None)])
                .unwrap();
        let text = &out.iter().find(|f| f.name == "eu.toml").unwrap().text;
        assert_eq!((text.matches("[[rule]]").count(), kind), (rules - 1, ProposalKind::PolicyRule));
        assert!(!text.contains("eu.occupied_regions") && text.contains("eu.annex_i.export"));
        let (_, _, kind) =
            apply_policy_changes(&files, &[policy(PolicyOp::RemoveAuthorisation, "eu.toml", "EU002", None)]).unwrap();
        assert_eq!(kind, ProposalKind::Authorisation);
    }

    #[test]
    fn a_policy_change_that_cannot_be_made_is_refused_with_its_place() {
        let files = crate::builtin_policies();
        let field = |c: PolicyChange| apply_policy_changes(&files, &[c]).unwrap_err().details.unwrap()["field"].clone();
        assert_eq!(field(policy(PolicyOp::RemoveRule, "eu.toml", "eu.nothing", None)), "policy_changes[0].id");
        assert_eq!(field(policy(PolicyOp::RemoveRule, "xx.toml", "eu.nothing", None)), "policy_changes[0].file");
        assert_eq!(field(policy(PolicyOp::SetRule, "eu.toml", "eu.x", Some("not toml ="))), "policy_changes[0].body");
        assert_eq!(
            field(policy(PolicyOp::SetRule, "eu.toml", "eu.x", Some("[when]\nitem = 1"))),
            "policy_changes[0].body"
        );
        assert_eq!(field(policy(PolicyOp::SetRule, "eu.toml", "eu.x", None)), "policy_changes[0].body");
        // Well-formed TOML that the policy grammar refuses: the whole set is checked, naming file and line.
        let e =
            apply_policy_changes(&files, &[policy(PolicyOp::SetRule, "eu.toml", "eu.x", Some("outcome = \"maybe\""))])
                .unwrap_err();
        assert_eq!(e.code, accord_core::ErrorCode::InvalidPolicy, "{}", e.message);
        assert!(e.message.contains("eu.toml"), "{}", e.message);
    }
}
