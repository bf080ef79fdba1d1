//! Who is acting: an authenticated user, the node operator on the command line, or nobody.

use crate::ids::{AuthorityId, KeyId, OrgId, UserId};
use crate::model::Role;

/// The identity on whose behalf an application service runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// A caller without credentials; reaches public endpoints only.
    Anonymous,
    /// Whoever runs the `accord` CLI directly against the database: the node operator, with full rights.
    Operator {
        /// Operating-system user name, recorded in the audit trail.
        name: String,
    },
    /// A user authenticated by an API key.
    User(UserPrincipal),
}

/// An authenticated user and the key used.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPrincipal {
    /// The user.
    pub user_id: UserId,
    /// Their role.
    pub role: Role,
    /// Their authority, if any.
    pub authority_id: Option<AuthorityId>,
    /// Their organisation, if any.
    pub organisation_id: Option<OrgId>,
    /// The API key presented; none for a person signed in to the web interface.
    pub key_id: Option<KeyId>,
}

impl Principal {
    /// The actor string recorded in audit events.
    pub fn actor(&self) -> String {
        match self {
            Principal::Anonymous => "anonymous".to_owned(),
            Principal::Operator { name } => format!("operator:{name}"),
            Principal::User(u) => format!("user:{}", u.user_id),
        }
    }

    /// The role, when the principal is a user.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User(u) => Some(u.role),
            _ => None,
        }
    }
}
