//! The HTTP API, one module per resource: each handler parses input, calls one application service and shapes the
//! answer, and declares its route once with its OpenAPI entry.

pub(crate) mod applications;
pub(crate) mod assessments;
pub(crate) mod audit;
pub(crate) mod authorities;
pub(crate) mod cases;
pub(crate) mod consultations;
pub(crate) mod controls;
pub(crate) mod dashboards;
pub(crate) mod denials;
pub(crate) mod determinations;
pub(crate) mod federation;
pub(crate) mod feedback;
pub(crate) mod keys;
pub(crate) mod licences;
pub(crate) mod lists;
pub(crate) mod node;
pub(crate) mod organisations;
pub(crate) mod ownership;
pub(crate) mod proposals;
pub(crate) mod screening;
pub(crate) mod users;
pub(crate) mod warnings;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the API with its OpenAPI entry.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(applications::routes())
        .merge(assessments::routes())
        .merge(audit::routes())
        .merge(authorities::routes())
        .merge(cases::routes())
        .merge(consultations::routes())
        .merge(controls::routes())
        .merge(denials::routes())
        .merge(determinations::routes())
        .merge(federation::routes())
        .merge(feedback::routes())
        .merge(warnings::routes())
        .merge(ownership::routes())
        .merge(dashboards::routes())
        .merge(keys::routes())
        .merge(licences::routes())
        .merge(lists::routes())
        .merge(node::routes())
        .merge(organisations::routes())
        .merge(proposals::routes())
        .merge(screening::routes())
        .merge(users::routes())
}
