//! The SQL store: passwords, invitations, sessions and failed sign-ins of the people who use the web interface.

use super::*;
use crate::{AccountStore, InvitationRecord, SecondFactorRecord, SessionRecord};

fn invitation_from(row: &AnyRow) -> Result<InvitationRecord> {
    Ok(InvitationRecord {
        token_hash: col(row, "token_hash")?,
        user_id: UserId::parse(&col::<String>(row, "user_id")?)?,
        created_at: stamp(row, "created_at")?,
        expires_at: stamp(row, "expires_at")?,
        used_at: stamp_opt(row, "used_at")?,
    })
}

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
        Mutation::InsertInvitation(i) => {
            sqlx::query(
                "INSERT INTO invitations (token_hash, user_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, NULL)",
            )
            .bind(&i.token_hash)
            .bind(i.user_id.as_str())
            .bind(i.created_at.to_string())
            .bind(i.expires_at.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        }
        Mutation::SetPassword { invitation, user, hash, at } => {
            let used = sqlx::query(
                "UPDATE invitations SET used_at = $1 \
                 WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1",
            )
            .bind(at.to_string())
            .bind(invitation)
            .bind(user.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            updated(&used, || Error::new(ErrorCode::Conflict, "this invitation was used already or has expired"))?;
            sqlx::query(
                "INSERT INTO user_passwords (user_id, hash, set_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
            )
            .bind(user.as_str())
            .bind(hash)
            .bind(at.to_string())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            end_sessions(tx, user).await?;
        }
        Mutation::BeginSecondFactor { user, secret } => {
            let stored = sqlx::query(
                "INSERT INTO user_second_factors (user_id, secret, confirmed_at, last_step) VALUES ($1, $2, NULL, 0) \
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret \
                 WHERE user_second_factors.confirmed_at IS NULL",
            )
            .bind(user.as_str())
            .bind(secret)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            updated(&stored, || Error::new(ErrorCode::Conflict, "a second factor is on already; remove it first"))?;
        }
        Mutation::ConfirmSecondFactor { user, step, at } => {
            let confirmed = sqlx::query(
                "UPDATE user_second_factors SET confirmed_at = $1, last_step = $2 \
                 WHERE user_id = $3 AND confirmed_at IS NULL",
            )
            .bind(at.to_string())
            .bind(*step)
            .bind(user.as_str())
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
            updated(&confirmed, || Error::new(ErrorCode::Conflict, "no second factor is waiting for confirmation"))?;
        }
        Mutation::RemoveSecondFactor { user } => {
            let removed = sqlx::query("DELETE FROM user_second_factors WHERE user_id = $1")
                .bind(user.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            updated(&removed, || Error::not_found("second factor", user.as_str()))?;
        }
        Mutation::EndSessions { user } => end_sessions(tx, user).await?,
        _ => return Ok(false),
    }
    Ok(true)
}

async fn end_sessions(tx: &mut Tx<'_>, user: &UserId) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.as_str())
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)"))
            .bind(email)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| directory::user_from(&r, "")).transpose()
    }

    async fn password_hash(&self, user: &UserId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT hash FROM user_passwords WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| col(&r, "hash")).transpose()
    }

    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRecord>> {
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| invitation_from(&r)).transpose()
    }

    async fn record_sign_in_failure(&self, email: &str, at: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO sign_in_failures (email, at) VALUES ($1, $2)")
            .bind(email.to_lowercase())
            .bind(at.to_string())
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn sign_in_failures(&self, email: &str, since: Timestamp) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sign_in_failures WHERE email = $1 AND at > $2")
            .bind(email.to_lowercase())
            .bind(since.to_string())
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(u64::try_from(col::<i64>(&row, "n")?).unwrap_or(0))
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
            .bind(email.to_lowercase())
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn create_session(&self, s: &SessionRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id.as_str())
        .bind(&s.csrf)
        .bind(s.created_at.to_string())
        .bind(s.expires_at.to_string())
        .execute(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<(SessionRecord, User)>> {
        let sql = format!(
            "SELECT s.token_hash, s.user_id, s.csrf, s.created_at, s.expires_at, {} \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            USER_COLUMNS.split(", ").map(|c| format!("u.{c} AS owner_{c}")).collect::<Vec<_>>().join(", ")
        );
        let row =
            sqlx::query(&sql).bind(token_hash).fetch_optional(&mut *self.conn().await?).await.map_err(db_error)?;
        row.map(|r| {
            let session = SessionRecord {
                token_hash: col(&r, "token_hash")?,
                user_id: UserId::parse(&col::<String>(&r, "user_id")?)?,
                csrf: col(&r, "csrf")?,
                created_at: stamp(&r, "created_at")?,
                expires_at: stamp(&r, "expires_at")?,
            };
            Ok((session, directory::user_from(&r, "owner_")?))
        })
        .transpose()
    }

    async fn end_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn sessions_of(&self, user: &UserId, now: Timestamp) -> Result<u64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1 AND expires_at > $2")
            .bind(user.as_str())
            .bind(now.to_string())
            .fetch_one(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(u64::try_from(col::<i64>(&row, "n")?).unwrap_or(0))
    }

    async fn second_factor(&self, user: &UserId) -> Result<Option<SecondFactorRecord>> {
        let row = sqlx::query("SELECT secret, confirmed_at, last_step FROM user_second_factors WHERE user_id = $1")
            .bind(user.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.map(|r| {
            Ok(SecondFactorRecord {
                secret: col(&r, "secret")?,
                confirmed_at: stamp_opt(&r, "confirmed_at")?,
                last_step: col(&r, "last_step")?,
            })
        })
        .transpose()
    }

    async fn use_second_factor_step(&self, user: &UserId, step: i64) -> Result<bool> {
        let used = sqlx::query(
            "UPDATE user_second_factors SET last_step = $1 \
             WHERE user_id = $2 AND last_step < $1 AND confirmed_at IS NOT NULL",
        )
        .bind(step)
        .bind(user.as_str())
        .execute(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        Ok(used.rows_affected() == 1)
    }
}
