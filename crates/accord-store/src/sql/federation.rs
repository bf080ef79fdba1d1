//! The SQL store: denials, shared records, the node identity, peers, the outbox, the inbox and rejections.

use super::*;

/// Appends one envelope to the outbox with the next sequence number; returns its audit event.
pub(super) async fn publish(
    tx: &mut Tx<'_>,
    sender: &str,
    kind: &str,
    payload: &serde_json::Value,
    to: &[String],
    key: &NodeKey,
) -> Result<NewEvent> {
    let head = sqlx::query("UPDATE outbox_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(&mut **tx)
        .await
        .map_err(db_error)?;
    let seq: i64 = col(&head, "seq")?;
    let envelope = Envelope::seal_to(key, sender, seq, accord_core::now(), kind, payload.clone(), to);
    sqlx::query("INSERT INTO outbox (seq, kind, created_at, envelope) VALUES ($1, $2, $3, $4)")
        .bind(seq)
        .bind(kind)
        .bind(&envelope.created_at)
        .bind(to_data(&envelope)?)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(NewEvent {
        actor: format!("node:{sender}"),
        authority_id: Some(sender.to_owned()),
        kind: EventKind::FederationPublished,
        subject: format!("outbox:{seq}"),
        payload: serde_json::json!({
            "seq": seq, "kind": kind, "payload_sha256": envelope.payload_sha256, "signature": envelope.signature,
            "to": envelope.to,
        }),
    })
}

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
        Mutation::InsertDenial(d) => {
            sqlx::query(
                "INSERT INTO denials (id, authority_id, destination, status, expires_on, version, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(d.id.as_str())
            .bind(d.authority_id.as_str())
            .bind(d.destination.to_ascii_uppercase())
            .bind(d.status.as_str())
            .bind(d.expires_on.to_string())
            .bind(d.version)
            .bind(to_data(d)?)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::UpdateDenial { denial: d, expected_version } => {
            let done = sqlx::query(
                "UPDATE denials SET status = $1, expires_on = $2, version = $3, data = $4, destination = $7 \
                 WHERE id = $5 AND version = $6 AND authority_id = $8",
            )
            .bind(d.status.as_str())
            .bind(d.expires_on.to_string())
            .bind(d.version)
            .bind(to_data(d)?)
            .bind(d.id.as_str())
            .bind(*expected_version)
            .bind(d.destination.to_ascii_uppercase())
            .bind(d.authority_id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            updated(&done, || {
                Error::new(
                    ErrorCode::Conflict,
                    format!("denial '{}' changed since version {expected_version}; read it again", d.id),
                )
            })?;
        }
        Mutation::PutDenial(d) => {
            sqlx::query(
                "INSERT INTO denials (id, authority_id, status, expires_on, version, data, destination) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (authority_id, id) DO UPDATE SET \
                 status = excluded.status, expires_on = excluded.expires_on, version = excluded.version, \
                 data = excluded.data, destination = excluded.destination WHERE denials.version < excluded.version",
            )
            .bind(d.id.as_str())
            .bind(d.authority_id.as_str())
            .bind(d.status.as_str())
            .bind(d.expires_on.to_string())
            .bind(d.version)
            .bind(to_data(d)?)
            .bind(d.destination.to_ascii_uppercase())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::PutShared { kind, id, authority_id, version, data, strict } => {
            let done = sqlx::query(
                "INSERT INTO shared_records (kind, id, authority_id, version, data) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (kind, authority_id, id) DO UPDATE SET version = excluded.version, \
                 data = excluded.data WHERE shared_records.version < excluded.version",
            )
            .bind(kind)
            .bind(id)
            .bind(authority_id)
            .bind(*version)
            .bind(data.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            if *strict && done.rows_affected() == 0 {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!("{kind} '{id}' changed meanwhile (version {version} is not newer); read it again"),
                ));
            }
        }
        Mutation::SetIdentity(i) => {
            sqlx::query(
                "INSERT INTO federation_identity (id, authority_id, public_key, created_at) VALUES (1, $1, $2, $3)",
            )
            .bind(&i.authority_id)
            .bind(&i.public_key)
            .bind(i.created_at.to_string())
            .execute(&mut **tx)
            .await
            .map_err(unique_or(|| {
                Error::new(ErrorCode::AlreadyExists, "this node already has a federation identity")
            }))?;
        }
        Mutation::PutPeer(peer) => {
            // A peer registered again resumes after what was already received from it.
            sqlx::query(
                "INSERT INTO peers (authority_id, url, public_key, added_at, last_seq) VALUES ($1, $2, $3, $4, \
                 (SELECT COALESCE(MAX(seq), 0) FROM inbox WHERE sender = $1))",
            )
            .bind(&peer.authority_id)
            .bind(&peer.url)
            .bind(&peer.public_key)
            .bind(peer.added_at.to_string())
            .execute(&mut **tx)
            .await
            .map_err(unique_or(|| {
                Error::new(ErrorCode::AlreadyExists, format!("peer {} is already registered", peer.authority_id))
            }))?;
        }
        Mutation::RemovePeer(authority) => {
            let done = sqlx::query("DELETE FROM peers WHERE authority_id = $1")
                .bind(authority)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            updated(&done, || Error::not_found("peer", authority))?;
        }
        Mutation::Receive { sender, after, envelopes } => {
            let last = envelopes.last().map_or(*after, |e| e.seq);
            let done = sqlx::query("UPDATE peers SET last_seq = $1 WHERE authority_id = $2 AND last_seq = $3")
                .bind(last)
                .bind(sender)
                .bind(*after)
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            updated(&done, || {
                Error::new(ErrorCode::Conflict, format!("envelopes of {sender} after {after} were applied meanwhile"))
            })?;
            let now = accord_core::now().to_string();
            let rows = envelopes
                .iter()
                .map(|e| {
                    Ok(vec![
                        Value::Text(e.sender.clone()),
                        Value::Int(e.seq),
                        Value::Text(e.kind.clone()),
                        Value::Text(now.clone()),
                        Value::Text(to_data(e)?),
                    ])
                })
                .collect::<Result<Vec<_>>>()?;
            insert_rows(tx, "inbox", &["sender", "seq", "kind", "received_at", "envelope"], rows).await?;
        }
        Mutation::RecordRejection(r) => {
            sqlx::query(
                "INSERT INTO federation_rejections (id, sender, seq, reason, message, received_at, envelope, \
                 quarantined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&r.id)
            .bind(&r.sender)
            .bind(r.seq)
            .bind(r.reason.as_str())
            .bind(&r.message)
            .bind(r.received_at.to_string())
            .bind(r.envelope.to_string())
            .bind(i64::from(r.quarantined))
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl FederationStore for SqlStore {
    async fn denial(&self, authority: &AuthorityId, id: &DenialId) -> Result<Option<Denial>> {
        let sql = "SELECT data FROM denials WHERE authority_id = $1 AND id = $2";
        Ok(self.records(sql, &[authority.as_str(), id.as_str()]).await?.pop())
    }

    async fn denials_with_id(&self, id: &DenialId) -> Result<Vec<Denial>> {
        self.records("SELECT data FROM denials WHERE id = $1 ORDER BY authority_id", &[id.as_str()]).await
    }

    async fn denials(&self) -> Result<Vec<Denial>> {
        self.records("SELECT data FROM denials ORDER BY id DESC", &[]).await
    }

    async fn active_denials_to(&self, destination: &str) -> Result<Vec<Denial>> {
        let d = destination.to_ascii_uppercase();
        self.records("SELECT data FROM denials WHERE destination = $1 AND status = 'active' ORDER BY id", &[&d]).await
    }

    async fn identity(&self) -> Result<Option<Identity>> {
        let row = sqlx::query("SELECT authority_id, public_key, created_at FROM federation_identity WHERE id = 1")
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            Ok(Identity {
                authority_id: col(&r, "authority_id")?,
                public_key: col(&r, "public_key")?,
                created_at: stamp(&r, "created_at")?,
            })
        })
        .transpose()
    }

    async fn peers(&self) -> Result<Vec<Peer>> {
        let rows = sqlx::query("SELECT * FROM peers ORDER BY authority_id")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                Ok(Peer {
                    authority_id: col(r, "authority_id")?,
                    url: col(r, "url")?,
                    public_key: col(r, "public_key")?,
                    added_at: stamp(r, "added_at")?,
                    last_seq: col(r, "last_seq")?,
                    head_seq: col(r, "head_seq")?,
                    last_attempt_at: stamp_opt(r, "last_attempt_at")?,
                    last_success_at: stamp_opt(r, "last_success_at")?,
                    last_error: col(r, "last_error")?,
                })
            })
            .collect()
    }

    async fn record_pull(&self, peer: &str, at: Timestamp, error: Option<&str>, head: Option<i64>) -> Result<()> {
        let sql = match error {
            None => {
                "UPDATE peers SET last_attempt_at = $1, last_success_at = $1, last_error = NULL, \
                 head_seq = COALESCE($2, head_seq) WHERE authority_id = $3"
            }
            Some(_) => {
                "UPDATE peers SET last_attempt_at = $1, last_error = $4, head_seq = COALESCE($2, head_seq) \
                 WHERE authority_id = $3"
            }
        };
        let mut q = sqlx::query(sql).bind(at.to_string()).bind(head).bind(peer);
        if let Some(e) = error {
            q = q.bind(e);
        }
        q.execute(&mut *self.conn().await?).await.map_err(db_error)?;
        Ok(())
    }

    async fn remember_nonce(&self, peer: &str, nonce: &str, at: Timestamp, forget_before: Timestamp) -> Result<bool> {
        let mut conn = self.conn().await?;
        sqlx::query("DELETE FROM peer_nonces WHERE seen_at < $1")
            .bind(forget_before.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_error)?;
        match sqlx::query("INSERT INTO peer_nonces (authority_id, nonce, seen_at) VALUES ($1, $2, $3)")
            .bind(peer)
            .bind(nonce)
            .bind(at.to_string())
            .execute(&mut *conn)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(db_error(e)),
        }
    }

    async fn outbox(&self, after: i64, limit: i64) -> Result<Vec<Envelope>> {
        let rows = sqlx::query("SELECT envelope FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit.clamp(1, 10_000))
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let text: String = col(r, "envelope")?;
                serde_json::from_str(&text).map_err(|e| corrupt("envelope", e))
            })
            .collect()
    }

    async fn outbox_head(&self) -> Result<i64> {
        let row = sqlx::query("SELECT seq FROM outbox_head WHERE id = 1")
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        col(&row, "seq")
    }

    async fn inbox_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query("SELECT sender, COUNT(*) AS n FROM inbox GROUP BY sender ORDER BY sender")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(|r| Ok((col(r, "sender")?, col(r, "n")?))).collect()
    }

    async fn rejections(&self, limit: i64, quarantined_only: bool) -> Result<Vec<RejectionRecord>> {
        let sql = if quarantined_only {
            "SELECT * FROM federation_rejections WHERE quarantined = 1 ORDER BY received_at DESC, id LIMIT $1"
        } else {
            "SELECT * FROM federation_rejections ORDER BY received_at DESC, id LIMIT $1"
        };
        let rows =
            sqlx::query(sql).bind(limit.clamp(1, 1000)).fetch_all(&mut *self.conn().await?).await.map_err(db_error)?;
        rows.iter()
            .map(|r| {
                let reason: String = col(r, "reason")?;
                let reason: accord_core::federation::Rejection =
                    serde_json::from_value(serde_json::Value::String(reason)).map_err(|e| corrupt("rejection", e))?;
                let envelope: String = col(r, "envelope")?;
                Ok(RejectionRecord {
                    id: col(r, "id")?,
                    sender: col(r, "sender")?,
                    seq: col(r, "seq")?,
                    reason,
                    quarantined: col::<i64>(r, "quarantined")? != 0,
                    message: col(r, "message")?,
                    received_at: stamp(r, "received_at")?,
                    envelope: serde_json::from_str(&envelope).map_err(|e| corrupt("rejection", e))?,
                })
            })
            .collect()
    }

    async fn shared(&self, kind: &str) -> Result<Vec<serde_json::Value>> {
        self.records("SELECT data FROM shared_records WHERE kind = $1 ORDER BY id", &[kind]).await
    }

    async fn shared_record(&self, kind: &str, authority: &str, id: &str) -> Result<Option<serde_json::Value>> {
        let sql = "SELECT data FROM shared_records WHERE kind = $1 AND authority_id = $2 AND id = $3";
        Ok(self.records(sql, &[kind, authority, id]).await?.pop())
    }

    async fn shared_with_id(&self, kind: &str, id: &str) -> Result<Vec<serde_json::Value>> {
        let sql = "SELECT data FROM shared_records WHERE kind = $1 AND id = $2 ORDER BY authority_id";
        self.records(sql, &[kind, id]).await
    }
}
