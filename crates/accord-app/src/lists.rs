//! Restricted-party list versions: import with diff, status and history.

use crate::authz::{Action, require};
use crate::{App, event};
use accord_core::audit::EventKind;
use accord_core::listed::{EntityChange, ListVersion, ListedEntity, diff, entity_hash};
use accord_core::principal::Principal;
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A parsed list, ready to be put in force.
#[derive(Debug, Clone)]
pub struct ListImport {
    /// The list id, e.g. `us_ofac_sdn`.
    pub list_id: String,
    /// Source format name.
    pub format: String,
    /// SHA-256 over the canonical content.
    pub content_hash: String,
    /// Every entity of the new version.
    pub entities: Vec<ListedEntity>,
    /// Rows skipped as malformed.
    pub problems: usize,
    /// Where it came from (files or URL).
    pub source: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportOutcome {
    /// The list.
    pub list_id: String,
    /// True when the content equals the version in force (nothing was stored).
    pub unchanged: bool,
    /// The version in force after the import.
    pub version: ListVersion,
}

impl App {
    /// Puts a new version of a list in force, atomically, with its diff to the previous version.
    /// Re-importing identical content changes nothing.
    pub async fn import_list(&self, p: &Principal, import: ListImport) -> Result<ImportOutcome> {
        require(p, Action::ImportRestrictedPartyLists)?;
        if import.list_id.is_empty()
            || import.list_id.len() > 64
            || !import.list_id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::validation(
                "list_id",
                format!("'{}' is not a list id (lower-case letters, digits, _)", import.list_id),
            ));
        }
        let versions = self.store.list_versions(&import.list_id).await?;
        let latest = versions.last().cloned();
        if let Some(latest) = &latest
            && latest.content_hash == import.content_hash
        {
            return Ok(ImportOutcome { list_id: import.list_id, unchanged: true, version: latest.clone() });
        }
        let mut old: Vec<ListedEntity> =
            self.store.list_entities(Some(&import.list_id)).await?.into_iter().map(|(e, _)| e).collect();
        old.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
        let mut new = import.entities;
        new.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
        if let Some(w) = new.windows(2).find(|w| w[0].entity_id == w[1].entity_id) {
            return Err(Error::new(
                ErrorCode::MalformedFile,
                format!("entity id '{}' occurs twice in the list", w[0].entity_id),
            ));
        }
        let changes: Vec<EntityChange> = diff(&old, &new);
        let count = |k| changes.iter().filter(|c| c.change == k).count() as i64;
        use accord_core::listed::ChangeKind::{Added, Changed, Removed};
        let version = ListVersion {
            list_id: import.list_id.clone(),
            version: latest.as_ref().map_or(1, |l| l.version + 1),
            format: import.format,
            content_hash: import.content_hash,
            source: import.source,
            imported_at: accord_core::now(),
            entities: new.len() as i64,
            added: count(Added),
            changed: count(Changed),
            removed: count(Removed),
            problems: import.problems as i64,
        };
        let touched: std::collections::HashSet<&str> =
            changes.iter().filter(|c| c.change != Removed).map(|c| c.entity_id.as_str()).collect();
        let upserts: Vec<(ListedEntity, String)> = new
            .iter()
            .filter(|e| touched.contains(e.entity_id.as_str()))
            .map(|e| (e.clone(), entity_hash(e)))
            .collect();
        let removed: Vec<String> =
            changes.iter().filter(|c| c.change == Removed).map(|c| c.entity_id.clone()).collect();
        let payload = json!({
            "list_id": version.list_id, "version": version.version, "content_hash": version.content_hash,
            "format": version.format, "source": version.source, "entities": version.entities,
            "added": version.added, "changed": version.changed, "removed": version.removed, "problems": version.problems,
        });
        self.store
            .commit(
                vec![Mutation::ImportList {
                    version: version.clone(),
                    previous: latest.map(|l| l.version),
                    upserts,
                    removed,
                    changes,
                }],
                vec![event(p, None, EventKind::ListImported, &version.list_id, payload)],
            )
            .await?;
        // Keep an index that is in use current; one that was never used is built when first needed.
        if self.screening.loaded.read().is_ok_and(|l| l.is_some())
            && let Err(e) = self.refresh_screening().await
        {
            tracing::warn!(error = %e, "could not rebuild the screening index after an import");
        }
        // Parties of open cases and licences in use are screened against the new version.
        match self.rescreen(p).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(alerts = n, list = %version.list_id, "new restricted-party hits on open cases or licences")
            }
            Err(e) => tracing::warn!(error = %e, "could not screen open cases and licences again"),
        }
        Ok(ImportOutcome { list_id: version.list_id.clone(), unchanged: false, version })
    }

    /// Records how a list download went (called by the operator's sync; operational, not audited).
    pub async fn record_sync(&self, state: &accord_core::listed::SyncState) -> Result<()> {
        self.store.record_sync(state).await
    }

    /// How the last download of every synced list went.
    pub async fn sync_states(&self) -> Result<Vec<accord_core::listed::SyncState>> {
        self.store.sync_states().await
    }

    /// The version in force of every list, for readiness reports (public: versions and ages only).
    pub async fn lists_in_force(&self) -> Result<Vec<ListVersion>> {
        self.store.lists().await
    }

    /// The version in force of every list (any authenticated caller).
    pub async fn lists(&self, p: &Principal) -> Result<Vec<ListVersion>> {
        crate::scope_of(p)?;
        Ok(self.store.lists().await?.into_iter().map(|v| shown_to(p, v)).collect())
    }

    /// Every version of one list, oldest first.
    pub async fn list_versions(&self, p: &Principal, list_id: &str) -> Result<Vec<ListVersion>> {
        crate::scope_of(p)?;
        let versions = self.store.list_versions(list_id).await?;
        if versions.is_empty() {
            return Err(Error::new(
                ErrorCode::UnknownList,
                format!("no list '{}' has been imported", accord_core::ids::truncate(list_id)),
            ));
        }
        Ok(versions.into_iter().map(|v| shown_to(p, v)).collect())
    }

    /// The entities in force of one list.
    pub async fn list_entities(&self, p: &Principal, list_id: &str) -> Result<Vec<ListedEntity>> {
        self.list_versions(p, list_id).await?;
        Ok(self.store.list_entities(Some(list_id)).await?.into_iter().map(|(e, _)| e).collect())
    }

    /// The changes a version of a list made (the latest version when `version` is None).
    pub async fn list_diff(
        &self,
        p: &Principal,
        list_id: &str,
        version: Option<i64>,
    ) -> Result<(ListVersion, Vec<EntityChange>)> {
        let versions = self.list_versions(p, list_id).await?;
        let chosen = match version {
            None => versions.last().cloned(),
            Some(v) => versions.iter().find(|x| x.version == v).cloned(),
        }
        .ok_or_else(|| Error::not_found("list version", &format!("{list_id}@{}", version.unwrap_or_default())))?;
        let changes = self.store.list_changes(list_id, chosen.version).await?;
        Ok((chosen, changes))
    }
}

/// A list version as `p` may see it: where it was read from is the node's business (its folders), so only
/// admins, auditors and the operator see the full source; others see file names and publisher URLs.
fn shown_to(p: &Principal, mut v: ListVersion) -> ListVersion {
    let full = require(p, Action::SeeWhereListsWereReadFrom).is_ok();
    if !full {
        v.source = v
            .source
            .split(", ")
            .map(|part| {
                if part.starts_with("https://") || part.starts_with("http://") {
                    part.to_owned()
                } else {
                    std::path::Path::new(part)
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    v
}
