//! Signed checkpoints of the audit chain: the node signs its chain's head with its key, keeps the checkpoint and
//! sends it to its allies, so that history rewritten and re-chained in the database no longer matches what was
//! signed, here or at the allies.

use crate::App;
use crate::authz::{Action, require};
use accord_core::audit::{Checkpoint, CheckpointReport};
use accord_core::federation::PublicKey;
use accord_core::principal::Principal;
use accord_core::shared::SharedKind;
use accord_core::{Error, ErrorCode, Result};
use accord_store::Mutation;

impl App {
    /// Signs the chain's head with the node key and sends the checkpoint to the allies, unless nothing but the
    /// last checkpoint's own publication happened since it. Returns the new checkpoint.
    pub async fn checkpoint(&self, p: &Principal) -> Result<Option<Checkpoint>> {
        require(p, Action::SignAuditCheckpoints)?;
        let f = self.federation.as_ref().ok_or_else(|| {
            Error::new(ErrorCode::Conflict, "this node has no node key to sign with (run `accord node init`)")
        })?;
        let (seq, hash) = self.store.audit_head().await?;
        let last = self.store.last_checkpoint_seq().await?;
        // Each checkpoint's publication is one event after it.
        if seq == 0 || seq <= last + 1 {
            return Ok(None);
        }
        let c = Checkpoint::sign(&f.key, &f.authority_id, seq, &hash);
        let mut mutations = vec![Mutation::InsertCheckpoint(c.clone())];
        mutations.extend(self.publication(&c));
        self.commit_and_notify(mutations, Vec::new()).await?;
        Ok(Some(c))
    }

    /// Compares this node's checkpoints with its chain: each must be signed by the node's registered key (and by
    /// `key`, the key in the node's key file, when given) and name the hash the chain holds at its sequence.
    pub async fn verify_checkpoints(&self, p: &Principal, key: Option<&PublicKey>) -> Result<CheckpointReport> {
        require(p, Action::VerifyTheAuditTrail)?;
        let identity = self.store.identity().await?;
        let registered = identity.as_ref().and_then(|i| PublicKey::parse(&i.public_key).ok());
        let mut report = CheckpointReport::default();
        if let (Some(file), Some(stored)) = (key, registered.as_ref())
            && file != stored
        {
            report.problems.push("the registered node key is not the key in the node's key file".into());
        }
        let checkpoints = self.store.checkpoints().await?;
        for c in &checkpoints {
            report.checked += 1;
            let keys = [registered.as_ref(), key];
            if keys.iter().flatten().any(|k| !c.verifies(k)) || keys.iter().all(Option::is_none) {
                report.problems.push(format!("checkpoint at sequence {} does not verify with the node key", c.seq));
            }
            self.compare_one(c, "this node", &mut report).await?;
        }
        Ok(report)
    }

    /// Compares the checkpoints an ally holds for this node with the chain: each must verify with this node's key
    /// and name the hash the chain holds at its sequence.
    pub async fn compare_checkpoints(
        &self,
        p: &Principal,
        ally: &str,
        held: &[Checkpoint],
        key: Option<&PublicKey>,
    ) -> Result<CheckpointReport> {
        require(p, Action::VerifyTheAuditTrail)?;
        let mut report = CheckpointReport::default();
        for c in held {
            report.checked += 1;
            if key.is_some_and(|k| !c.verifies(k)) {
                report.problems.push(format!("{ally} holds a checkpoint at sequence {} this node did not sign", c.seq));
            }
            self.compare_one(c, ally, &mut report).await?;
        }
        Ok(report)
    }

    async fn compare_one(&self, c: &Checkpoint, holder: &str, report: &mut CheckpointReport) -> Result<()> {
        match self.store.event_hash(c.seq).await? {
            Some(h) if h == c.head_hash => {}
            Some(h) => report.problems.push(format!(
                "event {} has hash {h}, but the checkpoint {holder} holds says {}: history was rewritten",
                c.seq, c.head_hash
            )),
            None => report
                .problems
                .push(format!("the checkpoint {holder} holds names event {}, which the chain no longer has", c.seq)),
        }
        Ok(())
    }

    /// Reconciles the stored records (users, organisations, keys, applications, cases, licences, denials) with the
    /// state the chain last attests for each: a row edited without an event is named.
    pub async fn verify_states(&self, p: &Principal) -> Result<accord_core::audit::StateReport> {
        require(p, Action::VerifyTheAuditTrail)?;
        self.store.verify_states().await
    }

    /// The checkpoints of `authority` that this node received from it (for the ally that asks).
    pub async fn checkpoints_held_for(&self, authority: &str) -> Result<Vec<Checkpoint>> {
        let mut held: Vec<Checkpoint> = self
            .store
            .shared(SharedKind::Checkpoint.as_str())
            .await?
            .into_iter()
            .filter_map(|v| serde_json::from_value::<Checkpoint>(v).ok())
            .filter(|c| c.authority_id == authority)
            .collect();
        held.sort_by_key(|c| c.seq);
        Ok(held)
    }
}
