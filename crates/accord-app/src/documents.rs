//! The files of an application's documents: uploaded once per declared document, size-limited, with a content type
//! that must be accepted and must match the bytes, and a SHA-256 that must equal the declared one. Stored in the
//! database with the application, never replaced.

use crate::authz::{Action, require};
use crate::{App, event};
use accord_core::audit::EventKind;
use accord_core::audit::hex;
use accord_core::ids::ApplicationId;
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::{DocumentFile, Mutation};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Largest document file accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// Default bytes of uploaded documents one organisation may store: 1 GiB.
pub const DEFAULT_DOCUMENT_QUOTA: u64 = 1024 * 1024 * 1024;

/// The accepted media types, and how their content is recognised.
const ACCEPTED: &[(&str, Kind)] = &[
    ("application/pdf", Kind::Magic(b"%PDF-")),
    ("image/png", Kind::Magic(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", Kind::Magic(b"\xff\xd8\xff")),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", Kind::Magic(b"PK\x03\x04")),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Kind::Magic(b"PK\x03\x04")),
    ("text/plain", Kind::Text),
    ("text/csv", Kind::Text),
];

#[derive(Clone, Copy)]
enum Kind {
    /// Binary content that starts with these bytes.
    Magic(&'static [u8]),
    /// UTF-8 text without NUL bytes.
    Text,
}

/// What is stored of an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Upload {
    /// The media type.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at: accord_core::Timestamp,
}

/// A declared document and its file, once uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DocumentView {
    /// Index in the application's `documents`.
    pub position: usize,
    /// File name.
    pub name: String,
    /// What it is.
    pub kind: String,
    /// Declared SHA-256, hex.
    pub sha256: String,
    /// The stored file, when uploaded.
    pub upload: Option<Upload>,
}

fn upload_of(f: &DocumentFile) -> Upload {
    Upload {
        content_type: f.content_type.clone(),
        size: f.size,
        uploaded_by: f.uploaded_by.clone(),
        uploaded_at: f.uploaded_at,
    }
}

fn rejected(message: String) -> Error {
    Error::new(ErrorCode::DocumentRejected, message)
}

/// Checks the bytes against the declared media type; returns the media type without parameters.
pub fn check_content(content_type: &str, bytes: &[u8]) -> Result<String> {
    let base = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some((name, kind)) = ACCEPTED.iter().find(|(n, _)| *n == base) else {
        let names: Vec<&str> = ACCEPTED.iter().map(|(n, _)| *n).collect();
        return Err(rejected(format!(
            "content type '{}' is not accepted (accepted: {})",
            accord_core::ids::truncate(&base),
            names.join(", ")
        )));
    };
    if bytes.is_empty() {
        return Err(rejected("the file is empty".into()));
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!("the file has {} bytes; at most {MAX_DOCUMENT_BYTES} are accepted", bytes.len()),
        ));
    }
    let matches = match kind {
        Kind::Magic(m) => bytes.starts_with(m),
        Kind::Text => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
    };
    if !matches {
        return Err(rejected(format!("the content is not {name}: it does not start as one")));
    }
    Ok((*name).to_owned())
}

/// A file sent with a new application, to be declared and stored with it in one commit.
#[derive(Debug, Clone)]
pub struct NewFile {
    /// File name.
    pub name: String,
    /// What it is, e.g. `end_user_certificate`.
    pub kind: String,
    /// The media type the sender gave.
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A checked file waiting for its application's commit.
pub(crate) struct PendingFile {
    pub(crate) position: usize,
    pub(crate) content_type: String,
    pub(crate) sha256: String,
    pub(crate) bytes: Vec<u8>,
}

/// Checks each file's content, declares it in `documents` (after those already declared) and returns the files to
/// store; an error names the file as `files[i]`.
pub(crate) fn declare_files(
    documents: &mut Vec<accord_core::cases::DocumentMeta>,
    files: Vec<NewFile>,
) -> Result<Vec<PendingFile>> {
    let mut pending = Vec::new();
    for (i, f) in files.into_iter().enumerate() {
        let named = |e: Error| {
            let message = format!("file {} ('{}'): {}", i + 1, accord_core::ids::truncate(&f.name), e.message);
            Error::new(e.code, message).with_details(json!({ "field": format!("files[{i}]") }))
        };
        let content_type = check_content(&f.content_type, &f.bytes).map_err(named)?;
        let sha256 = hex(&Sha256::digest(&f.bytes));
        documents.push(accord_core::cases::DocumentMeta {
            name: f.name.clone(),
            kind: f.kind.clone(),
            sha256: sha256.clone(),
        });
        pending.push(PendingFile { position: documents.len() - 1, content_type, sha256, bytes: f.bytes });
    }
    Ok(pending)
}

impl App {
    /// Refuses files that would take the organisation past its document quota.
    pub(crate) async fn check_quota(&self, org: &accord_core::ids::OrgId, adding: u64) -> Result<()> {
        let used = self.store.organisation_document_bytes(org).await?;
        if used.saturating_add(adding) > self.document_quota {
            return Err(Error::new(
                ErrorCode::StorageQuotaExceeded,
                format!(
                    "the organisation stores {used} bytes of documents; {adding} more would exceed its quota of {} bytes",
                    self.document_quota
                ),
            )
            .with_details(json!({ "used": used, "size": adding, "quota": self.document_quota })));
        }
        Ok(())
    }

    /// The mutations and events that store an application's pending files.
    pub(crate) fn store_files(
        p: &Principal,
        a: &accord_core::cases::Application,
        files: Vec<PendingFile>,
    ) -> (Vec<Mutation>, Vec<accord_store::NewEvent>) {
        let (mut mutations, mut events) = (Vec::new(), Vec::new());
        for f in files {
            let meta = &a.documents[f.position];
            let payload = json!({
                "position": f.position, "name": meta.name, "sha256": f.sha256, "size": f.bytes.len(),
                "content_type": f.content_type,
            });
            events.push(event(
                p,
                Some(&a.authority_id),
                EventKind::ApplicationDocumentUploaded,
                a.id.as_str(),
                payload,
            ));
            mutations.push(Mutation::InsertDocument(DocumentFile {
                application_id: a.id.clone(),
                position: f.position,
                size: f.bytes.len() as u64,
                content_type: f.content_type,
                sha256: f.sha256,
                uploaded_by: p.actor(),
                uploaded_at: accord_core::now(),
                content: f.bytes,
            }));
        }
        (mutations, events)
    }

    /// The declared documents of an application, each with its file's facts once uploaded.
    pub async fn documents(&self, p: &Principal, application: &str) -> Result<Vec<DocumentView>> {
        let a = self.application(p, application).await?;
        let files = self.store.documents(&a.id).await?;
        Ok(a.documents
            .iter()
            .enumerate()
            .map(|(position, d)| DocumentView {
                position,
                name: d.name.clone(),
                kind: d.kind.clone(),
                sha256: d.sha256.to_ascii_lowercase(),
                upload: files.iter().find(|f| f.position == position).map(upload_of),
            })
            .collect())
    }

    /// Stores the file of a declared document (the applying organisation's exporters, admins). Uploading the same
    /// file again changes nothing; `created` is false then.
    pub async fn upload_document(
        &self,
        p: &Principal,
        application: &str,
        position: usize,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(DocumentView, bool)> {
        require(p, Action::UploadDocuments)?;
        let a = self.application(p, application).await?;
        let Some(meta) = a.documents.get(position) else {
            return Err(Error::not_found("document", &format!("{}/{position}", a.id)).with_details(json!({
                "declared": a.documents.len(),
            })));
        };
        let content_type = check_content(content_type, &bytes)?;
        let sha256 = hex(&Sha256::digest(&bytes));
        if !sha256.eq_ignore_ascii_case(&meta.sha256) {
            return Err(rejected(format!(
                "the file's SHA-256 is {sha256}, but document {position} ('{}') was declared with {}",
                meta.name, meta.sha256
            ))
            .with_details(json!({ "declared": meta.sha256, "actual": sha256 })));
        }
        let view = |f: &DocumentFile| DocumentView {
            position,
            name: meta.name.clone(),
            kind: meta.kind.clone(),
            sha256: sha256.clone(),
            upload: Some(upload_of(f)),
        };
        if let Some(existing) = self.store.documents(&a.id).await?.into_iter().find(|f| f.position == position) {
            return Ok((view(&existing), false));
        }
        self.check_quota(&a.organisation_id, bytes.len() as u64).await?;
        let file = DocumentFile {
            application_id: a.id.clone(),
            position,
            size: bytes.len() as u64,
            content_type,
            sha256: sha256.clone(),
            uploaded_by: p.actor(),
            uploaded_at: accord_core::now(),
            content: bytes,
        };
        let payload = json!({
            "position": position, "name": meta.name, "sha256": sha256, "size": file.size,
            "content_type": file.content_type,
        });
        let stored = DocumentFile { content: Vec::new(), ..file.clone() };
        match self
            .store
            .commit(
                vec![Mutation::InsertDocument(file)],
                vec![event(p, Some(&a.authority_id), EventKind::ApplicationDocumentUploaded, a.id.as_str(), payload)],
            )
            .await
        {
            Ok(_) => Ok((view(&stored), true)),
            // The same file uploaded twice at once: the other upload stored it.
            Err(e) if e.code == ErrorCode::AlreadyExists => Ok((view(&stored), false)),
            Err(e) => Err(e),
        }
    }

    /// One uploaded file with its bytes, to whoever may see the application.
    pub async fn document_file(&self, p: &Principal, application: &str, position: usize) -> Result<DocumentFile> {
        let a = self.application(p, application).await?;
        let id: &ApplicationId = &a.id;
        self.store
            .document(id, position)
            .await?
            .ok_or_else(|| Error::not_found("document file", &format!("{id}/{position}")))
    }
}
