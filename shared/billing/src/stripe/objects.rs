//! The few fields of Stripe's objects that billing reads, read tolerantly: the current API
//! (subscription periods on the item, `price`) and older ones (periods on the subscription,
//! `plan`) both work, and a field billing does not read can never break it.

use crate::account::Status;
use serde_json::Value;

/// A subscription as billing needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionView {
    pub id: String,
    pub customer: String,
    pub status: Status,
    /// The recurring price (or legacy plan) of its first item.
    pub price: Option<String>,
    /// Unix milliseconds.
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub trial_end: Option<i64>,
}

/// An invoice as the billing page lists it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct InvoiceView {
    pub id: String,
    pub number: Option<String>,
    pub status: String,
    /// In the smallest unit of `currency`.
    pub total: i64,
    pub amount_due: i64,
    pub currency: String,
    /// Unix milliseconds.
    pub created: i64,
    pub hosted_invoice_url: Option<String>,
    pub invoice_pdf: Option<String>,
}

pub(crate) fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// An id that may be expanded into its object.
pub(crate) fn id_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(id) => Some(id.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Stripe's seconds as milliseconds.
fn ms(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64).map(|s| s * 1000)
}

impl SubscriptionView {
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let id = text(v, "id").ok_or("a subscription without an id")?;
        let customer = id_of(v, "customer").ok_or("a subscription without a customer")?;
        let status = text(v, "status")
            .and_then(|s| Status::parse(&s))
            .ok_or("a subscription with an unknown status")?;
        let item = v.pointer("/items/data/0").unwrap_or(&Value::Null);
        let price = item
            .get("price")
            .and_then(|p| p.get("id"))
            .or_else(|| item.get("plan").and_then(|p| p.get("id")))
            .or_else(|| v.get("plan").and_then(|p| p.get("id")))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(SubscriptionView {
            id,
            customer,
            status,
            price,
            period_start: ms(item, "current_period_start")
                .or_else(|| ms(v, "current_period_start")),
            period_end: ms(item, "current_period_end").or_else(|| ms(v, "current_period_end")),
            cancel_at_period_end: v
                .get("cancel_at_period_end")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            trial_end: ms(v, "trial_end"),
        })
    }
}

impl InvoiceView {
    pub fn from_json(v: &Value) -> Option<Self> {
        Some(InvoiceView {
            id: text(v, "id")?,
            number: text(v, "number"),
            status: text(v, "status").unwrap_or_else(|| "draft".into()),
            total: v.get("total").and_then(Value::as_i64).unwrap_or(0),
            amount_due: v.get("amount_due").and_then(Value::as_i64).unwrap_or(0),
            currency: text(v, "currency").unwrap_or_else(|| "usd".into()),
            created: ms(v, "created").unwrap_or(0),
            hosted_invoice_url: text(v, "hosted_invoice_url"),
            invoice_pdf: text(v, "invoice_pdf"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_current_api_shape() {
        let v = json!({
            "id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "trialing",
            "cancel_at_period_end": true, "trial_end": 1_800_000_000,
            "items": {"data": [{"id": "si_1", "price": {"id": "price_pro"},
                "current_period_start": 1_795_000_000, "current_period_end": 1_797_600_000}]}
        });
        let s = SubscriptionView::from_json(&v).unwrap();
        assert_eq!(s.status, Status::Trialing);
        assert_eq!(s.price.as_deref(), Some("price_pro"));
        assert_eq!(s.period_end, Some(1_797_600_000_000));
        assert!(s.cancel_at_period_end);
        assert_eq!(s.trial_end, Some(1_800_000_000_000));
    }

    #[test]
    fn reads_the_2017_shape_localstripe_speaks() {
        let v = json!({
            "id": "sub_2", "customer": {"id": "cus_2"}, "status": "past_due",
            "current_period_start": 10, "current_period_end": 20, "trial_end": null,
            "plan": {"id": "plan_pro"},
            "items": {"data": [{"id": "si_2", "plan": {"id": "plan_pro"}}]}
        });
        let s = SubscriptionView::from_json(&v).unwrap();
        assert_eq!((s.customer.as_str(), s.status), ("cus_2", Status::PastDue));
        assert_eq!(s.price.as_deref(), Some("plan_pro"));
        assert_eq!((s.period_start, s.period_end), (Some(10_000), Some(20_000)));
        assert_eq!(s.trial_end, None);
    }

    #[test]
    fn refuses_what_it_cannot_use() {
        assert!(SubscriptionView::from_json(&json!({"id": "sub_3"})).is_err());
        assert!(
            SubscriptionView::from_json(&json!({"id": "s", "customer": "c", "status": "odd"}))
                .is_err()
        );
        assert_eq!(InvoiceView::from_json(&json!({"total": 5})), None);
    }
}
