//! Refuses state-changing requests that a browser sent on behalf of another site (CSRF):
//! REST calls, server functions, sign-up and log-in alike. Browsers say where a request
//! comes from in `Sec-Fetch-Site` and `Origin`; a write is let through only when they say
//! "this origin" (or, for clients that are not browsers, say nothing).
//!
//! `same-site` is refused too: a sibling host (a webhook origin on `hooks.example.com` next
//! to the app on `app.example.com`) is another tenant's page as far as the app is concerned,
//! and `SameSite=Lax` cookies would ride along. Webhook paths are not checked: they are
//! meant to be called from anywhere and act as no user.

use crate::api::ApiError;
use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn refuse(State(config): State<Arc<Config>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if is_safe(request.method()) || crate::webhook::is_webhook_path(path) {
        return next.run(request).await;
    }
    if let Some(why) = cross_site(request.headers(), config.secure()) {
        tracing::info!(%path, why, "cross-site write refused");
        return ApiError::Request {
            status: StatusCode::FORBIDDEN,
            code: "cross_site_request",
            detail: format!("this request came from another site ({why}) and was refused"),
        }
        .into_response();
    }
    next.run(request).await
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Why the request is another site's, or `None` when it is this origin's (or a client's
/// that is no browser).
pub fn cross_site(headers: &HeaderMap, https: bool) -> Option<&'static str> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match text("sec-fetch-site") {
        Some("cross-site") => return Some("Sec-Fetch-Site: cross-site"),
        Some("same-site") => return Some("Sec-Fetch-Site: same-site"),
        _ => {}
    }
    let origin = text(header::ORIGIN.as_str())?;
    if origin == "null" {
        return Some("Origin: null");
    }
    let Some(host) = text(header::HOST.as_str()) else {
        return Some("an Origin without a Host");
    };
    let same = match origin.split_once("://") {
        Some((scheme, authority)) => {
            let scheme_ok = match scheme {
                "https" => true,
                // Behind a TLS proxy the browser's origin is https while the hop here is
                // plain; plain http is accepted only when the deployment is not https.
                "http" => !https,
                _ => false,
            };
            scheme_ok && authority.eq_ignore_ascii_case(host)
        }
        None => false,
    };
    (!same).then_some("Origin of another site")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_this_origin_or_no_browser_may_write() {
        let host = ("host", "app.example.com");
        assert_eq!(
            cross_site(&headers(&[host]), true),
            None,
            "curl, API clients"
        );
        assert_eq!(
            cross_site(
                &headers(&[
                    host,
                    ("origin", "https://app.example.com"),
                    ("sec-fetch-site", "same-origin")
                ]),
                true
            ),
            None
        );
        for bad in [
            headers(&[host, ("sec-fetch-site", "cross-site")]),
            headers(&[
                host,
                ("sec-fetch-site", "same-site"),
                ("origin", "https://hooks.example.com"),
            ]),
            headers(&[host, ("origin", "https://evil.test")]),
            headers(&[host, ("origin", "null")]),
            headers(&[host, ("origin", "https://app.example.com.evil.test")]),
            headers(&[host, ("origin", "http://app.example.com")]),
        ] {
            assert!(cross_site(&bad, true).is_some(), "{bad:?}");
        }
        // A plain-http deployment (the embedded default on a laptop).
        let local = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert_eq!(cross_site(&local, false), None);
        let other_port = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3001"),
        ]);
        assert!(cross_site(&other_port, false).is_some());
    }
}
