//! `/notifications`: rules, the delivery log, templates, the tenant's SMTP server, and
//! members' Web Push subscriptions.

use super::bodies::Listed;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, Caller, Problem};
use crate::AppState;
use agente_notify::push::Subscription;
use agente_notify::service::{
    DeliveryInfo, DeliveryQuery, NewRule, PushSubscriptionInfo, RuleInfo, RulePatch, SmtpSettings,
    SmtpSettingsBody, TemplateBody,
};
use agente_notify::{EventKind, Template};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// The event kinds rules can choose from, and whether Web Push is available.
#[utoipa::path(get, path = "/api/v1/notifications/events", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = EventsBody)))]
pub async fn events(State(s): State<AppState>, Caller(_caller): Caller) -> Json<EventsBody> {
    Json(EventsBody {
        data: EventKind::SUBSCRIBABLE
            .iter()
            .map(|k| EventChoice {
                event: k.as_str(),
                label: k.label(),
            })
            .collect(),
        channels: ["email", "slack", "webhook", "push"],
        vapid_public_key: s.notifier.vapid_public_key(),
    })
}

/// What a rule can choose from.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsBody {
    pub data: Vec<EventChoice>,
    pub channels: [&'static str; 4],
    /// The key browsers subscribe to Web Push with; `null`: no Web Push on this server.
    pub vapid_public_key: Option<String>,
}

/// An event kind a rule can listen for.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventChoice {
    pub event: &'static str,
    pub label: &'static str,
}

#[utoipa::path(get, path = "/api/v1/notifications/rules", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Listed<RuleInfo>), (status = 403, body = Problem)))]
pub async fn list_rules(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Listed<RuleInfo>>, ApiError> {
    Ok(Json(s.notifier.list_rules(&p).await?.into()))
}

/// Create a rule. A webhook rule's signing secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/notifications/rules", tag = "notifications", security(("bearer" = [])),
    request_body(content = Object, description = "name, events, channel (email|slack|webhook|push), target, workflowId?, throttleSeconds?, enabled?"),
    responses((status = 201, body = RuleInfo), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_rule(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<NewRule>,
) -> Result<(StatusCode, Json<RuleInfo>), ApiError> {
    let rule = s.notifier.create_rule(&p, input).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

#[utoipa::path(patch, path = "/api/v1/notifications/rules/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Object, description = "any of the fields of a new rule"),
    responses((status = 200, body = RuleInfo), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn update_rule(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(patch): ApiJson<RulePatch>,
) -> Result<Json<RuleInfo>, ApiError> {
    Ok(Json(s.notifier.update_rule(&p, &id, patch).await?))
}

#[utoipa::path(delete, path = "/api/v1/notifications/rules/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete_rule(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.notifier.delete_rule(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a test message over the rule now; answers its delivery (pending).
#[utoipa::path(post, path = "/api/v1/notifications/rules/{id}/test", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 202, body = DeliveryInfo), (status = 404, body = Problem)))]
pub async fn test_rule(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<DeliveryInfo>), ApiError> {
    let delivery = s.notifier.test_rule(&p, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// The delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/notifications/deliveries", tag = "notifications", security(("bearer" = [])),
    params(("status" = Option<String>, Query), ("ruleId" = Option<String>, Query), ("before" = Option<i64>, Query), ("limit" = Option<i64>, Query)),
    responses((status = 200, body = DeliveryPage), (status = 400, body = Problem)))]
pub async fn list_deliveries(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let data = s.notifier.list_deliveries(&p, &q).await?;
    let next_before = data.last().map(|d| d.created_at);
    Ok(Json(DeliveryPage { data, next_before }))
}

/// A page of the delivery log.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPage {
    pub data: Vec<DeliveryInfo>,
    /// `before=` of the next page: the last delivery's `createdAt` (`null`: empty page).
    pub next_before: Option<i64>,
}

/// Send a failed delivery again.
#[utoipa::path(post, path = "/api/v1/notifications/deliveries/{id}/retry", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 202, body = DeliveryInfo), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn retry_delivery(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<(StatusCode, Json<DeliveryInfo>), ApiError> {
    let delivery = s.notifier.retry_delivery(&p, &id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

#[utoipa::path(get, path = "/api/v1/notifications/templates", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Listed<TemplateBody>)))]
pub async fn list_templates(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Listed<TemplateBody>>, ApiError> {
    let templates = s.notifier.list_templates(&p).await?;
    Ok(Json(
        templates
            .iter()
            .map(TemplateBody::from)
            .collect::<Vec<_>>()
            .into(),
    ))
}

/// Set the workspace's wording for an event kind (Jinja syntax; checked before saving).
#[utoipa::path(put, path = "/api/v1/notifications/templates/{event}", tag = "notifications", security(("bearer" = [])),
    params(("event" = String, Path)), request_body(content = Object, description = "subject, body"),
    responses((status = 200, body = TemplateBody), (status = 400, body = Problem)))]
pub async fn set_template(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(event): ApiPath<String>,
    ApiJson(template): ApiJson<Template>,
) -> Result<Json<TemplateBody>, ApiError> {
    let saved = s.notifier.set_template(&p, &event, template).await?;
    Ok(Json(TemplateBody::from(&saved)))
}

/// Back to the built-in wording.
#[utoipa::path(delete, path = "/api/v1/notifications/templates/{event}", tag = "notifications", security(("bearer" = [])),
    params(("event" = String, Path)), responses((status = 200, body = TemplateBody), (status = 404, body = Problem)))]
pub async fn reset_template(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(event): ApiPath<String>,
) -> Result<Json<TemplateBody>, ApiError> {
    let reset = s.notifier.reset_template(&p, &event).await?;
    Ok(Json(TemplateBody::from(&reset)))
}

/// Render a template with sample variables (nothing is saved).
#[utoipa::path(post, path = "/api/v1/notifications/templates/{event}/preview", tag = "notifications", security(("bearer" = [])),
    params(("event" = String, Path)), request_body(content = Object, description = "subject, body"),
    responses((status = 200, body = Template), (status = 400, body = Problem)))]
pub async fn preview_template(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(event): ApiPath<String>,
    ApiJson(template): ApiJson<Template>,
) -> Result<Json<Template>, ApiError> {
    Ok(Json(s.notifier.preview_template(&p, &event, &template)?))
}

/// The workspace's own SMTP server (never its password).
#[utoipa::path(get, path = "/api/v1/notifications/smtp", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = SmtpSettingsBody)))]
pub async fn smtp(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<SmtpSettingsBody>, ApiError> {
    Ok(Json(s.notifier.smtp_settings(&p).await?))
}

#[utoipa::path(put, path = "/api/v1/notifications/smtp", tag = "notifications", security(("bearer" = [])),
    request_body(content = Object, description = "host, port, security (none|startTls|opportunistic|tls), username?, password? (omitted: kept; empty: cleared), from"),
    responses((status = 200, body = SmtpSettingsBody), (status = 400, body = Problem)))]
pub async fn set_smtp(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<SmtpSettings>,
) -> Result<Json<SmtpSettingsBody>, ApiError> {
    Ok(Json(s.notifier.set_smtp(&p, input).await?))
}

#[utoipa::path(delete, path = "/api/v1/notifications/smtp", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
pub async fn clear_smtp(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<StatusCode, ApiError> {
    s.notifier.clear_smtp(&p).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct SubscribeInput {
    pub subscription: Subscription,
    #[serde(default)]
    pub label: Option<String>,
}

/// The caller's devices with push turned on.
#[utoipa::path(get, path = "/api/v1/notifications/push-subscriptions", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Listed<PushSubscriptionInfo>)))]
pub async fn list_push(
    State(s): State<AppState>,
    Caller(p): Caller,
) -> Result<Json<Listed<PushSubscriptionInfo>>, ApiError> {
    Ok(Json(s.notifier.list_push_subscriptions(&p).await?.into()))
}

/// Turn push on for this browser: `PushSubscription.toJSON()` and a label.
#[utoipa::path(post, path = "/api/v1/notifications/push-subscriptions", tag = "notifications", security(("bearer" = [])),
    request_body(content = Object, description = "subscription: {endpoint, keys: {p256dh, auth}}, label?"),
    responses((status = 201, body = PushSubscriptionInfo), (status = 400, body = Problem)))]
pub async fn subscribe_push(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiJson(input): ApiJson<SubscribeInput>,
) -> Result<(StatusCode, Json<PushSubscriptionInfo>), ApiError> {
    let device = s
        .notifier
        .subscribe_push(&p, &input.subscription, input.label.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(device)))
}

#[utoipa::path(delete, path = "/api/v1/notifications/push-subscriptions/{id}", tag = "notifications", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
pub async fn unsubscribe_push(
    State(s): State<AppState>,
    Caller(p): Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    s.notifier.unsubscribe_push(&p, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
