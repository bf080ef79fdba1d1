//! `accord licences …`, `accord denials …` and the document commands of `accord applications …`.

use crate::cli::{ApplicationsCommand, DenialsCommand, LicencesCommand, ParticipantsCommand};
use crate::commands::{print_json, service};
use accord_app::App;
use accord_core::cases::LicensedItem;
use accord_core::licences::{AmendmentDecision, AmendmentVerdict, NewAmendment, Participant};
use accord_core::principal::Principal;
use anyhow::{Context, Result, anyhow};
use std::path::Path;

/// The media type of a file, from its extension.
fn content_type_of(path: &Path) -> Result<&'static str> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    Ok(match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "txt" => "text/plain",
        "csv" => "text/csv",
        _ => {
            return Err(anyhow!(
                "cannot tell the media type of {} from its extension; give --content-type",
                path.display()
            ));
        }
    })
}

/// `ITEM:QUANTITY:VALUE` as a licensed item.
fn parse_item(s: &str) -> Result<LicensedItem> {
    let parts: Vec<&str> = s.split(':').collect();
    let bad = || anyhow!("--item '{s}' is not ITEM:QUANTITY:VALUE (e.g. 0:10:25000)");
    let [item, quantity, value] = parts.as_slice() else { return Err(bad()) };
    Ok(LicensedItem {
        item: item.parse().map_err(|_| bad())?,
        quantity: quantity.parse().map_err(|_| bad())?,
        value: value.parse().map_err(|_| bad())?,
    })
}

/// Runs one `licences` command.
pub async fn licences(app: &App, p: &Principal, command: LicencesCommand) -> Result<()> {
    match command {
        LicencesCommand::List => crate::output::list(
            &service(app.licences(p).await)?,
            &["id", "authority", "kind", "status", "from", "until", "destinations"],
            |l| {
                vec![
                    l.id.to_string(),
                    l.authority_id.to_string(),
                    l.kind.as_str().to_owned(),
                    l.status.as_str().to_owned(),
                    l.valid_from.to_string(),
                    l.valid_until.to_string(),
                    l.destinations.join(","),
                ]
            },
        ),
        LicencesCommand::Show { id } => print_json(&service(app.licence(p, &id).await)?),
        LicencesCommand::Status { id, action, reason } => {
            print_json(&service(app.set_licence_status(p, &id, &action, &reason).await)?)
        }
        LicencesCommand::Participants(ParticipantsCommand::Add {
            licence,
            name,
            nationality,
            role,
            kind,
            organisation,
        }) => {
            let participant = Participant { name, r#type: kind, nationality, role, organisation };
            let l = service(app.add_participant(p, &licence, participant).await)?;
            if let Some(a) = l.amendments.last() {
                eprintln!("amendment {} is {:?}: {}", a.number, a.status, a.review_reasons.join("; "));
            }
            print_json(&l)
        }
        LicencesCommand::Participants(ParticipantsCommand::Remove { licence, index, reason }) => {
            print_json(&service(app.remove_participant(p, &licence, index, &reason).await)?)
        }
        LicencesCommand::Amend { licence, reason, valid_until, conditions, items } => {
            let items = items.iter().map(|i| parse_item(i)).collect::<Result<_>>()?;
            let conditions = if conditions.is_empty() { None } else { Some(conditions) };
            let amendment = NewAmendment { reason, valid_until, conditions, items };
            print_json(&service(app.amend_licence(p, &licence, amendment).await)?)
        }
        LicencesCommand::Review { licence, number, decision, reason } => {
            let decision = match decision.as_str() {
                "approve" => AmendmentVerdict::Approve,
                "refuse" => AmendmentVerdict::Refuse,
                other => return Err(anyhow!("the decision is 'approve' or 'refuse', not '{other}'")),
            };
            print_json(&service(
                app.decide_amendment(p, &licence, number, AmendmentDecision { decision, reason }).await,
            )?)
        }
    }
}

/// Runs the document commands of `applications`.
pub async fn documents(app: &App, p: &Principal, command: ApplicationsCommand) -> Result<()> {
    match command {
        ApplicationsCommand::Documents { id } => print_json(&service(app.documents(p, &id).await)?),
        ApplicationsCommand::Attach { id, document, content_type, file } => {
            let content_type = match content_type {
                Some(t) => t,
                None => content_type_of(&file)?.to_owned(),
            };
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let (view, created) = service(app.upload_document(p, &id, document, &content_type, bytes).await)?;
            if !created {
                eprintln!("this file was already uploaded; nothing new was stored");
            }
            print_json(&view)
        }
        ApplicationsCommand::Download { id, document, output } => {
            let f = service(app.document_file(p, &id, document).await)?;
            std::fs::write(&output, &f.content).with_context(|| format!("cannot write {}", output.display()))?;
            eprintln!("wrote {} bytes ({}) to {}", f.content.len(), f.content_type, output.display());
            Ok(())
        }
        other => Err(anyhow!("not a document command: {other:?}")),
    }
}

/// Runs one `denials` command.
pub async fn denials(app: &App, p: &Principal, command: DenialsCommand) -> Result<()> {
    match command {
        DenialsCommand::List => crate::output::list(
            &service(app.denials(p, None).await)?.into_iter().map(|m| m.denial).collect::<Vec<_>>(),
            &["id", "authority", "status", "date", "destination", "codes", "expires"],
            |d| {
                vec![
                    d.id.to_string(),
                    d.authority_id.to_string(),
                    d.status.as_str().to_owned(),
                    d.date.to_string(),
                    d.destination.clone(),
                    d.control_codes.join(","),
                    d.expires_on.to_string(),
                ]
            },
        ),
        DenialsCommand::Show { id } => print_json(&service(app.denial(p, &id).await)?),
    }
}
