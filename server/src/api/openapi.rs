//! The OpenAPI 3 document, generated from the handlers' annotations.

use super::Problem;
use super::{
    ai, api_keys, auth, billing, events, jobs, members, mfa, notifications, versions, workflows,
};
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Agente API", description = "Accounts, members, API keys, workflows (n8n's public-API shape), executions, credentials, notifications, billing and AI workflow generation of an Agente tenant."),
    paths(
        auth::signup, auth::login, auth::refresh, auth::logout, auth::me,
        mfa::enrol, mfa::confirm, mfa::disable,
        members::list, members::change_role, members::remove,
        members::list_invitations, members::invite, members::revoke_invitation, members::accept_invitation,
        api_keys::list, api_keys::create, api_keys::revoke,
        workflows::list, workflows::create, workflows::import, workflows::get, workflows::update,
        workflows::delete, workflows::activate, workflows::deactivate, workflows::run, workflows::listen, workflows::schedule_history,
        jobs::list_dead, jobs::retry_dead, jobs::delete_dead, jobs::purge_dead, jobs::queues,
        workflows::list_executions, workflows::get_execution, workflows::retry_execution,
        workflows::stop_execution, workflows::delete_execution,
        workflows::list_credentials, workflows::create_credential, workflows::delete_credential,
        notifications::events, notifications::list_rules, notifications::create_rule,
        notifications::update_rule, notifications::delete_rule, notifications::test_rule,
        notifications::list_deliveries, notifications::retry_delivery,
        notifications::list_templates, notifications::set_template, notifications::reset_template,
        notifications::preview_template, notifications::smtp, notifications::set_smtp,
        notifications::clear_smtp, notifications::list_push, notifications::subscribe_push,
        notifications::unsubscribe_push,
        billing::overview, billing::plans, billing::save_plan, billing::change_plan,
        billing::cancel, billing::resume, billing::checkout, billing::portal, billing::invoices,
        billing::stripe_webhook, billing::revenue,
        ai::generate_workflow, ai::generate_workflow_stream, ai::explain_execution, ai::optimise_workflow,
        ai::settings, ai::save_settings, ai::calls,
        events::stream,
        versions::list, versions::get, versions::compare, versions::restore,
    ),
    components(schemas(Problem)),
    modifiers(&Security, &ErrorAnswers),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or API key")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "n8n_api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-N8N-API-KEY"))),
        );
    }
}

/// Every error the API answers is `application/problem+json` (one mapping, `problem.rs`),
/// and some come from layers every operation passes: authentication (401), permissions and
/// cross-site refusals (403), rate limits (429), a busy database (503), bodies that are too
/// large, of the wrong type or malformed (400, 413, 415, 422), unknown ids (404). Written
/// once here for every operation, rather than on each handler, so the document says what
/// the server does.
struct ErrorAnswers;

impl Modify for ErrorAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let params = operation.parameters.as_deref().unwrap_or_default();
                let has_path = params.iter().any(|p| p.parameter_in == ParameterIn::Path);
                let has_query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
                let has_body = operation.request_body.is_some();
                let mut statuses = vec![401, 403, 429, 500, 503];
                if has_path {
                    statuses.extend([400, 404]);
                }
                if has_query {
                    statuses.push(400);
                }
                if has_body {
                    statuses.extend([400, 413, 415, 422]);
                }
                let responses = &mut operation.responses.responses;
                // Error answers declared on a handler carry the problem type too.
                for (status, answer) in responses.iter_mut() {
                    if let (true, RefOr::T(answer)) = (status.starts_with(['4', '5']), answer)
                        && let Some(content) = answer.content.shift_remove("application/json")
                    {
                        answer.content.insert(PROBLEM.into(), content);
                    }
                }
                for status in statuses {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(problem_answer(status)));
                }
            }
        }
    }
}

const PROBLEM: &str = "application/problem+json";

fn problem_answer(status: u16) -> Response {
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    ResponseBuilder::new()
        .description(reason)
        .content(
            PROBLEM,
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
                .build(),
        )
        .build()
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
