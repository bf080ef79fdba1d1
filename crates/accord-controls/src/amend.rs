//! A proposal's changes applied to the list in force: the next version of the list, or the change that cannot be
//! made (an entry added twice, one amended or removed that is not there), named by its place in the proposal.

use crate::{ControlCode, ControlEntry, ControlList, ListInfo};
use accord_core::governance::{ChangeOp, EntryChange};
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
}
