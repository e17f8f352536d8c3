//! The OpenAPI 3 document, generated from the handlers' annotations.

use super::{ai, api_keys, auth, billing, jobs, members, mfa, notifications, workflows};
use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    ),
    modifiers(&Security),
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

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
