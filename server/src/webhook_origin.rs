//! Webhooks on an origin of their own (`AGENTE_WEBHOOK_URL=https://hooks.example.com`).
//! Browsers keep cookies, storage and service workers per origin, so a tenant's page served
//! there can do nothing as the app. The two hosts are kept apart both ways: the webhook host
//! answers only webhook paths (and health checks), the app host refuses webhook paths.

use crate::api::ApiError;
use crate::webhook::is_webhook_path;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Where webhooks are served: a scheme, host and port, nothing else.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookOrigin {
    /// As configured, without a trailing slash (`https://hooks.example.com`).
    pub url: String,
    host: String,
    port: u16,
}

impl WebhookOrigin {
    /// Parses `AGENTE_WEBHOOK_URL`; refuses anything but an http(s) origin, and the app's
    /// own origin (`public_url`), which would separate nothing.
    pub fn parse(raw: &str, public_url: Option<&str>) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim())
            .map_err(|_| format!("`{raw}` is not a URL (https://hooks.example.com)"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("must be an http(s) URL".into());
        }
        if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
            return Err("must be an origin only: scheme, host and port, no path".into());
        }
        let host = url.host_str().ok_or("names no host")?.to_ascii_lowercase();
        let port = url.port_or_known_default().ok_or("names no port")?;
        let origin = Self {
            url: url.as_str().trim_end_matches('/').to_string(),
            host,
            port,
        };
        if let Some(public) = public_url
            && let Ok(public) = url::Url::parse(public)
            && public.origin() == url.origin()
        {
            return Err("is the app's own origin (AGENTE_PUBLIC_URL); use another host".into());
        }
        Ok(origin)
    }

    /// Whether a request's `Host` names this origin (the default port may be left out).
    fn is_host(&self, host_header: &str) -> bool {
        let host_header = host_header.trim().to_ascii_lowercase();
        let (host, port) = match host_header.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || host_header.starts_with('[') => {
                match p.parse::<u16>() {
                    Ok(port) => (h.to_string(), port),
                    Err(_) => (host_header.clone(), self.port),
                }
            }
            _ => (host_header.clone(), self.port),
        };
        host.trim_start_matches('[').trim_end_matches(']')
            == self.host.trim_start_matches('[').trim_end_matches(']')
            && port == self.port
    }
}

/// Keeps the two hosts apart when webhooks have an origin of their own (`origin`).
pub async fn separate(
    State(origin): State<Option<Arc<WebhookOrigin>>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(origin) = origin.as_deref() else {
        return next.run(request).await;
    };
    let path = request.uri().path();
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let on_webhook_host = origin.is_host(host);
    let webhook = is_webhook_path(path);
    match (on_webhook_host, webhook) {
        (true, true) | (false, false) => next.run(request).await,
        (true, false) if matches!(path, "/healthz" | "/readyz") => next.run(request).await,
        (true, false) => ApiError::not_found("this host serves webhooks only").into_response(),
        (false, true) => ApiError::Request {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            detail: format!("webhooks are served at {}", origin.url),
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_origin_other_than_the_app_is_accepted() {
        let o = WebhookOrigin::parse(
            "https://Hooks.Example.com/",
            Some("https://app.example.com"),
        )
        .unwrap();
        assert_eq!(o.url, "https://hooks.example.com");
        assert!(o.is_host("hooks.example.com"));
        assert!(o.is_host("hooks.example.com:443"));
        assert!(!o.is_host("hooks.example.com:8443"));
        assert!(!o.is_host("app.example.com"));
        assert!(!o.is_host("hooks.example.com.evil.test"));
        for bad in [
            "hooks.example.com",
            "ftp://hooks.example.com",
            "https://hooks.example.com/base",
            "https://u:p@hooks.example.com",
        ] {
            assert!(WebhookOrigin::parse(bad, None).is_err(), "{bad}");
        }
        assert!(
            WebhookOrigin::parse("https://app.example.com", Some("https://app.example.com/"))
                .is_err()
        );
        let local = WebhookOrigin::parse("http://127.0.0.1:3101", None).unwrap();
        assert!(local.is_host("127.0.0.1:3101"));
        assert!(!local.is_host("127.0.0.1:3100"));
        let v6 = WebhookOrigin::parse("http://[::1]:8080", None).unwrap();
        assert!(v6.is_host("[::1]:8080"));
    }
}
