//! A local server that speaks the parts of Stripe's API localstripe lacks — Checkout and
//! Customer Portal sessions, subscriptions in the current API's shape (retrieve, update
//! with proration), invoices, Billing Meter events — following Stripe's documented request
//! (form-encoded, `Idempotency-Key`) and response shapes. For tests, here and in the server.
#![allow(clippy::unwrap_used)] // test support: a panic fails the test that uses it

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What the fake holds and saw.
#[derive(Default)]
pub struct FakeState {
    pub customers: HashMap<String, Value>,
    pub sessions: HashMap<String, Vec<(String, String)>>,
    pub subscriptions: HashMap<String, Value>,
    pub invoices: Vec<Value>,
    /// Meter events by identifier (Stripe refuses a repeated identifier).
    pub meter_events: Vec<Value>,
    /// The next this many meter events fail with a 500, as an outage would.
    pub fail_meter_events: u32,
    /// Answers by idempotency key: a repeated key gets the first answer.
    replies: HashMap<String, Value>,
    /// Writes seen, as (path, form).
    pub writes: Vec<(String, Vec<(String, String)>)>,
    next: u64,
}

/// A running fake. Cheap to clone.
#[derive(Clone)]
pub struct FakeStripe {
    pub url: String,
    pub state: Arc<Mutex<FakeState>>,
}

type Shared = Arc<Mutex<FakeState>>;
/// A refused write: Stripe's status and message.
type Refused = (StatusCode, String);

impl FakeStripe {
    pub async fn start() -> FakeStripe {
        let state: Shared = Arc::default();
        let app = Router::new()
            .route("/v1/customers", post(create_customer))
            .route("/v1/checkout/sessions", post(create_session))
            .route("/v1/billing_portal/sessions", post(create_portal))
            .route(
                "/v1/subscriptions/{id}",
                get(get_subscription).post(update_subscription),
            )
            .route("/v1/invoices", get(list_invoices))
            .route("/v1/billing/meter_events", post(create_meter_event))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeStripe { url, state }
    }

    /// The customer pays on the Checkout page `session`: the subscription it asked for
    /// starts (trialing when it asked for a trial) with a paid invoice, and the event
    /// Stripe would send is answered.
    pub fn complete_checkout(&self, session: &str, now_s: i64) -> Value {
        let mut s = self.state.lock().unwrap();
        let form = s.sessions.get(session).cloned().expect("a session");
        let field = |k: &str| {
            form.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let customer = field("customer").unwrap();
        let price = field("line_items[0][price]").unwrap();
        let trial =
            field("subscription_data[trial_period_days]").and_then(|d| d.parse::<i64>().ok());
        let id = s.id("sub");
        let item = s.id("si");
        let end = now_s + 30 * 86_400;
        let subscription = json!({
            "id": id, "object": "subscription", "customer": customer,
            "status": if trial.is_some() { "trialing" } else { "active" },
            "cancel_at_period_end": false, "currency": "usd", "collection_method": "charge_automatically",
            "created": now_s, "start_date": now_s, "livemode": false, "metadata": {},
            "trial_end": trial.map(|d| now_s + d * 86_400),
            "items": {"object": "list", "data": [{
                "id": item, "object": "subscription_item", "subscription": id, "quantity": 1,
                "current_period_start": now_s, "current_period_end": end,
                "price": {"id": price, "object": "price", "currency": "usd", "unit_amount": 2400}
            }]}
        });
        s.subscriptions.insert(id.clone(), subscription);
        let invoice = s.id("in");
        let number = format!("AG-{:04}", s.next);
        s.invoices.push(json!({
            "id": invoice, "object": "invoice", "customer": customer, "subscription": id,
            "number": number, "status": "paid", "total": 2400,
            "amount_due": 2400, "currency": "usd", "created": now_s,
            "hosted_invoice_url": format!("https://invoice.stripe.test/{invoice}"),
            "invoice_pdf": format!("https://invoice.stripe.test/{invoice}.pdf"),
        }));
        let event = s.id("evt");
        json!({
            "id": event, "object": "event", "type": "checkout.session.completed",
            "created": now_s, "livemode": false,
            "data": {"object": {"id": session, "object": "checkout.session", "customer": customer,
                                "subscription": id, "mode": "subscription", "status": "complete"}}
        })
    }
}

impl FakeState {
    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_fake{:06}", self.next)
    }
}

fn form(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer sk_"))
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"type": "invalid_request_error", "message": message}})),
    )
        .into_response()
}

/// Runs a write once per idempotency key, as Stripe does.
fn write(
    state: &Shared,
    headers: &HeaderMap,
    path: &str,
    body: &str,
    make: impl FnOnce(&mut FakeState, &[(String, String)]) -> Result<Value, Refused>,
) -> Response {
    if !authorized(headers) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    let mut s = state.lock().unwrap();
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{path} {k}"));
    if let Some(reply) = key.as_ref().and_then(|k| s.replies.get(k)) {
        return axum::Json(reply.clone()).into_response();
    }
    let fields = form(body);
    s.writes.push((path.to_string(), fields.clone()));
    match make(&mut s, &fields) {
        Ok(reply) => {
            if let Some(k) = key {
                s.replies.insert(k, reply.clone());
            }
            axum::Json(reply).into_response()
        }
        Err((status, message)) => error(status, &message),
    }
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn create_customer(State(st): State<Shared>, headers: HeaderMap, body: String) -> Response {
    write(&st, &headers, "/v1/customers", &body, |s, f| {
        let id = s.id("cus");
        let customer = json!({
            "id": id, "object": "customer", "created": 1_795_000_000, "livemode": false,
            "email": field(f, "email"),
            "metadata": {"tenant_id": field(f, "metadata[tenant_id]")},
        });
        s.customers.insert(id, customer.clone());
        Ok(customer)
    })
}

async fn create_session(State(st): State<Shared>, headers: HeaderMap, body: String) -> Response {
    write(&st, &headers, "/v1/checkout/sessions", &body, |s, f| {
        if field(f, "mode") != Some("subscription") || field(f, "success_url").is_none() {
            return Err((
                StatusCode::BAD_REQUEST,
                "mode and success_url are required".to_string(),
            ));
        }
        let id = s.id("cs");
        s.sessions.insert(id.clone(), f.to_vec());
        Ok(json!({
            "id": id, "object": "checkout.session", "mode": "subscription", "status": "open",
            "customer": field(f, "customer"), "client_reference_id": field(f, "client_reference_id"),
            "url": format!("https://checkout.stripe.test/c/pay/{id}"),
        }))
    })
}

async fn create_portal(State(st): State<Shared>, headers: HeaderMap, body: String) -> Response {
    write(
        &st,
        &headers,
        "/v1/billing_portal/sessions",
        &body,
        |s, f| {
            let Some(customer) = field(f, "customer") else {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "Missing required param: customer.".to_string(),
                ));
            };
            let id = s.id("bps");
            Ok(json!({
                "id": id, "object": "billing_portal.session", "customer": customer,
                "return_url": field(f, "return_url"),
                "url": format!("https://billing.stripe.test/p/session/{id}"),
            }))
        },
    )
}

async fn get_subscription(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    match st.lock().unwrap().subscriptions.get(&id) {
        Some(s) => axum::Json(s.clone()).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("No such subscription: '{id}'"),
        ),
    }
}

async fn update_subscription(
    State(st): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let path = format!("/v1/subscriptions/{id}");
    write(&st, &headers, &path, &body, |s, f| {
        let Some(sub) = s.subscriptions.get_mut(&id) else {
            return Err((
                StatusCode::NOT_FOUND,
                format!("No such subscription: '{id}'"),
            ));
        };
        if let Some(cancel) = field(f, "cancel_at_period_end") {
            sub["cancel_at_period_end"] = Value::Bool(cancel == "true");
        }
        if let Some(price) = field(f, "items[0][price]") {
            if field(f, "items[0][id]") != sub["items"]["data"][0]["id"].as_str() {
                return Err((
                    StatusCode::BAD_REQUEST,
                    "items[0][id] is not an item of this subscription".to_string(),
                ));
            }
            sub["items"]["data"][0]["price"]["id"] = Value::String(price.to_string());
        }
        Ok(sub.clone())
    })
}

async fn list_invoices(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "Invalid API Key provided");
    }
    let s = st.lock().unwrap();
    let data: Vec<Value> = s
        .invoices
        .iter()
        .rev()
        .filter(|i| {
            q.get("customer")
                .is_none_or(|c| i["customer"] == c.as_str())
        })
        .cloned()
        .collect();
    axum::Json(json!({"object": "list", "url": "/v1/invoices", "has_more": false, "data": data}))
        .into_response()
}

async fn create_meter_event(
    State(st): State<Shared>,
    headers: HeaderMap,
    body: String,
) -> Response {
    {
        let mut s = st.lock().unwrap();
        if s.fail_meter_events > 0 {
            s.fail_meter_events -= 1;
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "An unknown error occurred",
            );
        }
    }
    write(&st, &headers, "/v1/billing/meter_events", &body, |s, f| {
        let identifier = field(f, "identifier").map(str::to_string);
        if let Some(id) = &identifier
            && s.meter_events
                .iter()
                .any(|e| e["identifier"] == id.as_str())
        {
            return Err((
                StatusCode::BAD_REQUEST,
                "An event with this identifier already exists.".to_string(),
            ));
        }
        let event = json!({
            "object": "billing.meter_event", "livemode": false, "created": 1_795_000_000,
            "event_name": field(f, "event_name"), "identifier": identifier,
            "payload": {"stripe_customer_id": field(f, "payload[stripe_customer_id]"),
                        "value": field(f, "payload[value]")},
            "timestamp": field(f, "timestamp").and_then(|t| t.parse::<i64>().ok()),
        });
        s.meter_events.push(event.clone());
        Ok(event)
    })
}
