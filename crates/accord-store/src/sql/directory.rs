//! The SQL store: authorities, organisations, users and their API keys.

use super::*;

fn authority_from(row: &AnyRow) -> Result<Authority> {
    let calendar: String = col(row, "calendar")?;
    Ok(Authority {
        id: AuthorityId::parse(&col::<String>(row, "id")?)?,
        name: col(row, "name")?,
        jurisdiction: col(row, "jurisdiction")?,
        country: col(row, "country")?,
        time_zone: col(row, "time_zone")?,
        calendar: serde_json::from_str(&calendar)
            .map_err(|e| Error::internal(format!("stored calendar is corrupt: {e}")))?,
        created_at: stamp(row, "created_at")?,
    })
}

fn organisation_from(row: &AnyRow) -> Result<Organisation> {
    let ids: String = col(row, "registration_ids")?;
    Ok(Organisation {
        id: OrgId::parse(&col::<String>(row, "id")?)?,
        name: col(row, "name")?,
        country: col(row, "country")?,
        size_class: SizeClass::parse(&col::<String>(row, "size_class")?)?,
        registration_ids: serde_json::from_str(&ids)
            .map_err(|e| Error::internal(format!("stored registration ids are corrupt: {e}")))?,
        authority_id: AuthorityId::parse(&col::<String>(row, "authority_id")?)?,
        created_at: stamp(row, "created_at")?,
    })
}

/// Reads a user from columns named `{prefix}id`, `{prefix}name`, … (a prefix tells joined users apart).
pub(super) fn user_from(row: &AnyRow, prefix: &str) -> Result<User> {
    let col = |name: &str| format!("{prefix}{name}");
    let text = |name: &str| row.try_get::<String, _>(col(name).as_str()).map_err(db_error);
    let optional = |name: &str| row.try_get::<Option<String>, _>(col(name).as_str()).map_err(db_error);
    Ok(User {
        id: UserId::parse(&text("id")?)?,
        name: text("name")?,
        email: text("email")?,
        role: Role::parse(&text("role")?)?,
        authority_id: optional("authority_id")?.as_deref().map(AuthorityId::parse).transpose()?,
        organisation_id: optional("organisation_id")?.as_deref().map(OrgId::parse).transpose()?,
        disabled: row.try_get::<i64, _>(col("disabled").as_str()).map_err(db_error)? != 0,
        created_at: text("created_at")?
            .parse()
            .map_err(|e| Error::internal(format!("stored created_at is corrupt: {e}")))?,
    })
}

fn key_from(row: &AnyRow) -> Result<ApiKeyInfo> {
    Ok(ApiKeyInfo {
        id: KeyId::parse(&col::<String>(row, "id")?)?,
        user_id: UserId::parse(&col::<String>(row, "user_id")?)?,
        label: col(row, "label")?,
        created_at: stamp(row, "created_at")?,
        expires_at: stamp_opt(row, "expires_at")?,
        revoked_at: stamp_opt(row, "revoked_at")?,
        last_used_at: stamp_opt(row, "last_used_at")?,
        parent_key_id: col::<Option<String>>(row, "parent_key_id")?.map(|k| KeyId::parse(&k)).transpose()?,
    })
}

/// Revokes every key minted, directly or not, with the keys `roots` selects (and those keys), that is not revoked.
async fn revoke_descendants(tx: &mut Tx<'_>, roots: &str, value: &str, at: Timestamp) -> Result<()> {
    let sql = format!(
        "WITH RECURSIVE tree(id) AS ({roots} UNION SELECT k.id FROM api_keys k JOIN tree t ON k.parent_key_id = t.id) \
         UPDATE api_keys SET revoked_at = $2 WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL"
    );
    sqlx::query(&sql).bind(value).bind(at.to_string()).execute(&mut **tx).await.map_err(db_error)?;
    Ok(())
}

fn unknown_authority(a: &AuthorityId) -> Error {
    Error::new(ErrorCode::UnknownAuthority, format!("authority '{a}' does not exist"))
        .with_details(serde_json::json!({"field": "authority_id", "id": a.as_str()}))
}

/// Applies a mutation of this area; `false` when it belongs to another.
pub(super) async fn apply(tx: &mut Tx<'_>, m: &Mutation) -> Result<bool> {
    match m {
        Mutation::InsertAuthority(a) => {
            let calendar = serde_json::to_string(&a.calendar).map_err(|e| Error::internal(e.to_string()))?;
            sqlx::query("INSERT INTO authorities (id, name, jurisdiction, country, time_zone, calendar, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(a.id.as_str())
                .bind(&a.name)
                .bind(&a.jurisdiction)
                .bind(&a.country)
                .bind(&a.time_zone)
                .bind(calendar)
                .bind(a.created_at.to_string())
                .execute(&mut **tx)
                .await
                .map_err(unique_or(|| Error::new(ErrorCode::AlreadyExists, format!("authority '{}' already exists", a.id))
                            .with_details(serde_json::json!({"kind": "authority", "id": a.id.as_str()}))))?;
        }
        Mutation::InsertOrganisation(o) => {
            if !exists(tx, "SELECT 1 FROM authorities WHERE id = $1", o.authority_id.as_str()).await? {
                return Err(unknown_authority(&o.authority_id));
            }
            let ids = serde_json::to_string(&o.registration_ids).map_err(|e| Error::internal(e.to_string()))?;
            sqlx::query("INSERT INTO organisations (id, name, country, size_class, registration_ids, authority_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(o.id.as_str())
                .bind(&o.name)
                .bind(&o.country)
                .bind(o.size_class.as_str())
                .bind(ids)
                .bind(o.authority_id.as_str())
                .bind(o.created_at.to_string())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        Mutation::InsertUser(u) => {
            if let Some(a) = &u.authority_id
                && !exists(tx, "SELECT 1 FROM authorities WHERE id = $1", a.as_str()).await?
            {
                return Err(unknown_authority(a));
            }
            if let Some(o) = &u.organisation_id
                && !exists(tx, "SELECT 1 FROM organisations WHERE id = $1", o.as_str()).await?
            {
                return Err(Error::new(ErrorCode::UnknownOrganisation, format!("organisation '{o}' does not exist"))
                    .with_details(serde_json::json!({"field": "organisation_id", "id": o.as_str()})));
            }
            sqlx::query(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                .bind(u.id.as_str())
                .bind(&u.name)
                .bind(&u.email)
                .bind(u.role.as_str())
                .bind(u.authority_id.as_ref().map(|a| a.as_str().to_owned()))
                .bind(u.organisation_id.as_ref().map(|o| o.as_str().to_owned()))
                .bind(i64::from(u.disabled))
                .bind(u.created_at.to_string())
                .execute(&mut **tx)
                .await
                .map_err(unique_or(|| {
                    Error::new(ErrorCode::AlreadyExists, format!("a user with e-mail '{}' already exists", u.email))
                        .with_details(serde_json::json!({"kind": "user", "field": "email"}))
                }))?;
        }
        Mutation::InsertKey { key, secret_hash } => {
            if !exists(tx, "SELECT 1 FROM users WHERE id = $1", key.user_id.as_str()).await? {
                return Err(Error::new(ErrorCode::UnknownUser, format!("user '{}' does not exist", key.user_id)));
            }
            sqlx::query("INSERT INTO api_keys (id, user_id, label, secret_hash, created_at, expires_at, revoked_at, last_used_at, parent_key_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(key.id.as_str())
                .bind(key.user_id.as_str())
                .bind(&key.label)
                .bind(secret_hash)
                .bind(key.created_at.to_string())
                .bind(key.expires_at.map(|t| t.to_string()))
                .bind(key.revoked_at.map(|t| t.to_string()))
                .bind(key.last_used_at.map(|t| t.to_string()))
                .bind(key.parent_key_id.as_ref().map(|k| k.as_str().to_owned()))
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
        }
        Mutation::RevokeKey { id, at } => {
            let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at.to_string())
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            if done.rows_affected() == 0 {
                return Err(if exists(tx, "SELECT 1 FROM api_keys WHERE id = $1", id.as_str()).await? {
                    Error::new(ErrorCode::Conflict, format!("API key '{id}' is already revoked"))
                } else {
                    Error::not_found("API key", id.as_str())
                });
            }
            revoke_descendants(tx, "SELECT id FROM api_keys WHERE id = $1", id.as_str(), *at).await?;
        }
        Mutation::RevokeUserKeys { user, at } => {
            revoke_descendants(tx, "SELECT id FROM api_keys WHERE user_id = $1", user.as_str(), *at).await?;
        }
        Mutation::SetUserDisabled { id, disabled } => {
            let done = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(i64::from(*disabled))
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(db_error)?;
            updated(&done, || Error::not_found("user", id.as_str()))?;
        }
        Mutation::RequireNoAdmin => {
            if exists(tx, "SELECT 1 FROM users WHERE role = $1", Role::Admin.as_str()).await? {
                return Err(Error::new(
                    ErrorCode::AlreadyBootstrapped,
                    "this node already has an administrator; use an admin key to add users",
                ));
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[async_trait]
impl DirectoryStore for SqlStore {
    async fn authority(&self, id: &AuthorityId) -> Result<Option<Authority>> {
        let row = sqlx::query("SELECT * FROM authorities WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(authority_from).transpose()
    }

    async fn authorities(&self) -> Result<Vec<Authority>> {
        let rows = sqlx::query("SELECT * FROM authorities ORDER BY id")
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(authority_from).collect()
    }

    async fn organisation(&self, id: &OrgId) -> Result<Option<Organisation>> {
        let row = sqlx::query("SELECT * FROM organisations WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(organisation_from).transpose()
    }

    async fn organisations(&self, authority: Option<&AuthorityId>) -> Result<Vec<Organisation>> {
        let rows = match authority {
            Some(a) => {
                sqlx::query("SELECT * FROM organisations WHERE authority_id = $1 ORDER BY id")
                    .bind(a.as_str())
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
            None => sqlx::query("SELECT * FROM organisations ORDER BY id").fetch_all(&mut *self.conn().await?).await,
        }
        .map_err(db_error)?;
        rows.iter().map(organisation_from).collect()
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        row.as_ref().map(|r| user_from(r, "")).transpose()
    }

    async fn users(&self, scope: &UserScope) -> Result<Vec<User>> {
        let rows = match scope {
            UserScope::All => {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
            UserScope::Authority(a) => {
                sqlx::query(&format!(
                    "SELECT {USER_COLUMNS} FROM users WHERE authority_id = $1 \
                 OR organisation_id IN (SELECT id FROM organisations WHERE authority_id = $1) ORDER BY id"
                ))
                .bind(a.as_str())
                .fetch_all(&mut *self.conn().await?)
                .await
            }
            UserScope::Organisation(o) => {
                sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE organisation_id = $1 ORDER BY id"))
                    .bind(o.as_str())
                    .fetch_all(&mut *self.conn().await?)
                    .await
            }
        }
        .map_err(db_error)?;
        rows.iter().map(|r| user_from(r, "")).collect()
    }

    async fn key(&self, id: &KeyId) -> Result<Option<KeyRecord>> {
        let row = sqlx::query(
            "SELECT k.id, k.user_id, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at, k.secret_hash, \
             k.parent_key_id, \
             u.id AS owner_id, u.name AS owner_name, u.email AS owner_email, u.role AS owner_role, \
             u.authority_id AS owner_authority_id, u.organisation_id AS owner_organisation_id, \
             u.disabled AS owner_disabled, u.created_at AS owner_created_at \
             FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&mut *self.conn().await?)
        .await
        .map_err(db_error)?;
        row.map(|r| {
            Ok(KeyRecord { key: key_from(&r)?, secret_hash: col(&r, "secret_hash")?, owner: user_from(&r, "owner_")? })
        })
        .transpose()
    }

    async fn keys_of(&self, user: &UserId) -> Result<Vec<ApiKeyInfo>> {
        let rows = sqlx::query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id"))
            .bind(user.as_str())
            .fetch_all(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        rows.iter().map(key_from).collect()
    }

    async fn touch_key(&self, id: &KeyId, at: Timestamp) -> Result<()> {
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at.to_string())
            .bind(id.as_str())
            .execute(&mut *self.conn().await?)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
