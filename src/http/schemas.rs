//! The OpenAPI document and the JSON Schemas its `$ref`s name, served side by side so
//! that a standard tool (schemathesis, a client generator) loads the whole API from the
//! server. The document is served at `/v1/openapi.json`; its relative references
//! (`defs.schema.json#/$defs/uuid`, `command.schema.json`, which in turn names
//! `commands/pay.schema.json`, `../defs.schema.json`, …) resolve against that URL, so
//! each file of `schemas/` is served at `/v1/` plus its path below `schemas/`.
//!
//! `schemas/` stays the one source: every file is compiled in with `include_str!`, and
//! a test fetches each file the directory holds and compares it with the served copy.

use super::AppState;
use axum::routing::get;
use axum::Router;

/// The OpenAPI 3.1 description of this API (`schemas/openapi.json`).
pub const OPENAPI_DOCUMENT: &str = include_str!("../../schemas/openapi.json");

/// Where the OpenAPI document is served; the schema files are served beside it.
pub const OPENAPI_ROUTE: &str = "/v1/openapi.json";

/// The media type of a served JSON Schema (the draft 2020-12 specification's).
pub const SCHEMA_CONTENT_TYPE: &str = "application/schema+json";

/// `(path below schemas/, contents)` for each listed file.
macro_rules! schema_files {
    ($($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../../schemas/", $path)))),*]
    };
}

/// Every JSON Schema of `schemas/`, by its path below that directory.
pub const SCHEMA_FILES: &[(&str, &str)] = schema_files![
    "audit_bundle_line.schema.json",
    "command.schema.json",
    "command_result.schema.json",
    "commands/change_base.schema.json",
    "commands/close_month.schema.json",
    "commands/enroll.schema.json",
    "commands/grant_subsidy.schema.json",
    "commands/pay.schema.json",
    "commands/pay_subsidy.schema.json",
    "commands/publish_policy.schema.json",
    "commands/reenroll.schema.json",
    "commands/resume_deduction.schema.json",
    "commands/revoke_subsidy.schema.json",
    "commands/stop_deduction.schema.json",
    "commands/withdraw.schema.json",
    "defs.schema.json",
    "envelope.schema.json",
    "events/BaseChanged.schema.json",
    "events/ContributionMissed.schema.json",
    "events/ContributionPaid.schema.json",
    "events/ContributionRefunded.schema.json",
    "events/DeductionResumed.schema.json",
    "events/DeductionStopped.schema.json",
    "events/MemberEnrolled.schema.json",
    "events/MemberReenrolled.schema.json",
    "events/MemberWithdrawn.schema.json",
    "events/MonthClosed.schema.json",
    "events/PolicyPublished.schema.json",
    "events/SubsidyGranted.schema.json",
    "events/SubsidyPaid.schema.json",
    "events/SubsidyRevoked.schema.json",
    "member_coverage.schema.json",
    "region_month_report.schema.json",
];

/// The public routes: the document and every schema file (no token needed).
pub fn routes() -> Router<AppState> {
    let document = Router::new().route(
        OPENAPI_ROUTE,
        get(|| async { ([("content-type", "application/json")], OPENAPI_DOCUMENT) }),
    );
    SCHEMA_FILES
        .iter()
        .fold(document, |router, &(path, contents)| {
            router.route(
                &format!("/v1/{path}"),
                get(move || async move { ([("content-type", SCHEMA_CONTENT_TYPE)], contents) }),
            )
        })
}
