//! Stable error codes and the one error type that crosses every layer boundary.

use serde::Serialize;
use serde_json::Value;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:literal, $doc:literal;)*) => {
        /// A stable, snake_case error code that API clients can rely on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order (used for documentation and tests).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The snake_case string sent to clients.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status this code is answered with.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// The exit status of the `accord` command that ends with this error: 3 the audit chain is broken,
            /// 4 input refused, 5 not found, 6 in conflict with what is stored, 7 not allowed, 8 unavailable for
            /// now (retry later), 9 internal. (1 is any other failure, 2 a command line clap refuses.)
            pub fn exit_code(self) -> u8 {
                if matches!(self, ErrorCode::AuditChainBroken) {
                    return 3;
                }
                match self.http_status() {
                    401 | 403 => 7,
                    404 => 5,
                    409 => 6,
                    429 | 503 => 8,
                    500..=599 => 9,
                    _ => 4,
                }
            }

            /// One sentence that says when this code is returned.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }
        }
    };
}

error_codes! {
    MalformedJson = "malformed_json", 400, "The request body is not syntactically valid JSON.";
    InvalidBody = "invalid_body", 400, "The JSON body has a wrong type, a missing field or an unknown field.";
    InvalidQuery = "invalid_query", 400, "A query-string parameter is missing or malformed.";
    InvalidId = "invalid_id", 400, "An identifier in the path is not well formed.";
    UnsupportedMediaType = "unsupported_media_type", 415, "The request body is not sent as application/json.";
    PayloadTooLarge = "payload_too_large", 413, "The request body exceeds the configured size limit.";
    Unauthenticated = "unauthenticated", 401, "The endpoint needs an API key and none was given.";
    InvalidApiKey = "invalid_api_key", 401, "The API key is malformed or unknown.";
    ApiKeyRevoked = "api_key_revoked", 401, "The API key has been revoked.";
    ApiKeyExpired = "api_key_expired", 401, "The API key is past its expiry time.";
    UserDisabled = "user_disabled", 401, "The user owning the API key is disabled.";
    SignInFailed = "sign_in_failed", 401, "The e-mail address or the password is wrong (which one is not said).";
    SignInLocked = "sign_in_locked", 429, "Too many failed sign-ins for this address; try again after the minutes the message gives.";
    SecondFactorRequired = "second_factor_required", 401, "The account has a second factor turned on: give the one-time code of the authenticator app with the password.";
    SecondFactorInvalid = "second_factor_invalid", 401, "The one-time code is wrong, expired or used already.";
    SessionExpired = "session_expired", 401, "The web session is unknown or has ended; sign in again.";
    CsrfRefused = "csrf_refused", 403, "A form was sent without the token of the page that showed it; reload the page and send it again.";
    InvitationInvalid = "invitation_invalid", 409, "The invitation link is unknown, used already or expired; ask for a new one.";
    Forbidden = "forbidden", 403, "The caller's role does not allow this action.";
    NotFound = "not_found", 404, "The requested record does not exist or is not visible to the caller.";
    RouteNotFound = "route_not_found", 404, "No endpoint exists at this path.";
    MethodNotAllowed = "method_not_allowed", 405, "The endpoint does not accept this HTTP method.";
    AlreadyExists = "already_exists", 409, "A record with the same identifier already exists.";
    Conflict = "conflict", 409, "The record is no longer in a state that allows this change.";
    ProposalState = "proposal_state", 409, "The proposal is not in a state that allows this step (the message names its state and the step).";
    CommentWindowClosed = "comment_window_closed", 409, "The proposal is not open for public comment: its window has not opened, has closed, or it was never published.";
    CommentRefused = "comment_refused", 422, "The comment is too long, carries markup that would run in a browser, or too many links.";
    VoteRefused = "vote_refused", 409, "The vote is not counted: the authority is not a member of the vote, voted already, or the vote is closed.";
    AlreadyBootstrapped = "already_bootstrapped", 409, "The node already has an administrator.";
    ValidationFailed = "validation_failed", 422, "A field value is outside what the domain allows.";
    UnknownAuthority = "unknown_authority", 422, "The referenced authority does not exist.";
    UnknownOrganisation = "unknown_organisation", 422, "The referenced organisation does not exist.";
    UnknownUser = "unknown_user", 422, "The referenced user does not exist.";
    UnknownFormat = "unknown_format", 422, "The file's format is not recognised or not the one named.";
    MalformedFile = "malformed_file", 422, "A list file is malformed (the message names file and line); nothing was imported.";
    MalformedSource = "malformed_source", 422, "A primary-source file is malformed or partial (the message names file, path and reason); nothing was generated and the facts in force stay.";
    FileUnreadable = "file_unreadable", 422, "A named file or folder cannot be read.";
    UnknownList = "unknown_list", 404, "No list with this id has been imported.";
    UnknownControlCode = "unknown_control_code", 422, "A control code is not on the control list in force; details name the nearest codes.";
    UnknownCountry = "unknown_country", 422, "A country or region code is not an ISO 3166 code Accord knows.";
    UnknownJurisdiction = "unknown_jurisdiction", 422, "No policy is loaded for the named jurisdiction.";
    ShipmentRefused = "shipment_refused", 422, "A shipment is beyond what its licence allows (quantity, value, validity, party or status); the message says which.";
    ConsultationRequired = "consultation_required", 409, "The case matches an active allied denial: consult the denying authority and wait for its answer or the deadline before approving.";
    DocumentRejected = "document_rejected", 422, "An uploaded document is refused: too large, a content type not accepted, content that is not of its type, or a SHA-256 other than the declared one.";
    KeyLimitReached = "key_limit_reached", 409, "The user holds as many active API keys as allowed; revoke one first.";
    StorageQuotaExceeded = "storage_quota_exceeded", 422, "An upload would take the organisation's stored documents beyond its quota; the message gives the figures.";
    NotEligible = "not_eligible", 422, "The organisation does not qualify for what it asked for (a global licence needs a trusted exporter).";
    ScreeningBudgetExceeded = "screening_budget_exceeded", 422, "A screening request asks for more hits than one request may (queries × limit); lower the limit or split the batch.";
    ScreeningResponseTooLarge = "screening_response_too_large", 422, "A screening answer would exceed the response size cap; raise the threshold, lower the limit or split the batch.";
    PeerRequestRefused = "peer_request_refused", 401, "A peer's signed request is refused: signed for another node, a nonce seen before (a replay), or a bad signature or time; the message says which.";
    PeerRateLimited = "peer_rate_limited", 429, "A peer sent more requests than its rate allows; retry after the seconds in Retry-After.";
    InvalidPolicy = "invalid_policy", 422, "A policy file has an error (the message names file and line); the policy in force is kept.";
    AuditChainBroken = "audit_chain_broken", 409, "The audit chain no longer verifies.";
    CaseChanged = "case_changed", 409, "The case changed since the version the caller saw (another officer acted); read it again.";
    Overloaded = "overloaded", 503, "The node is answering as many requests as it may at once; retry after the seconds in Retry-After.";
    RequestTimeout = "request_timeout", 503, "The request was not answered within the node's time limit; a change it asked for may still have been made, so read before retrying.";
    DatabaseUnavailable = "database_unavailable", 503, "The database cannot be reached; nothing was changed.";
    MigrationFailed = "migration_failed", 500, "A schema migration failed and was rolled back.";
    Internal = "internal_error", 500, "An unexpected error; the request id in the response identifies it in the logs.";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An error with a stable code, a human message and optional structured details.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} ({code})")]
pub struct Error {
    /// The stable code.
    pub code: ErrorCode,
    /// A precise, human-readable message.
    pub message: String,
    /// Machine-readable context (field names, offending values, ids).
    pub details: Option<Value>,
}

impl Error {
    /// Builds an error from a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), details: None }
    }

    /// Attaches structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// A `validation_failed` error naming the offending field.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Error::new(ErrorCode::ValidationFailed, message).with_details(serde_json::json!({ "field": field }))
    }

    /// A `not_found` error for a kind of record and its id.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Error::new(ErrorCode::NotFound, format!("{kind} '{id}' not found"))
            .with_details(serde_json::json!({ "kind": kind, "id": id }))
    }

    /// A `forbidden` error explaining what was refused.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Forbidden, message)
    }

    /// An `internal_error` with a message meant for logs.
    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }
}

/// Result alias used across Accord's libraries.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_the_exit_status_of_its_class() {
        let exit = |c: ErrorCode| c.exit_code();
        assert_eq!(exit(ErrorCode::AuditChainBroken), 3, "not the 6 of other conflicts");
        assert_eq!((exit(ErrorCode::ValidationFailed), exit(ErrorCode::MalformedJson)), (4, 4));
        assert_eq!((exit(ErrorCode::NotFound), exit(ErrorCode::UnknownList)), (5, 5));
        assert_eq!((exit(ErrorCode::CaseChanged), exit(ErrorCode::AlreadyExists)), (6, 6));
        assert_eq!((exit(ErrorCode::Forbidden), exit(ErrorCode::ApiKeyExpired)), (7, 7));
        assert_eq!((exit(ErrorCode::DatabaseUnavailable), exit(ErrorCode::PeerRateLimited)), (8, 8));
        assert_eq!(exit(ErrorCode::Internal), 9);
        assert!(
            ErrorCode::ALL.iter().all(|c| (3..=9).contains(&exit(*c))),
            "0-2 belong to success, other failures, usage"
        );
    }

    #[test]
    fn error_codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s} is not snake_case");
            assert!((400..600).contains(&code.http_status()));
        }
    }
}
