//! The HTTP client for user-given URLs. The policy holds at every step a request can take:
//!
//! - the URL is checked when the request is made ([`OutboundHttp::request`]): scheme,
//!   literal addresses in any spelling, `localhost`;
//! - names are resolved once, by this client's resolver, which hands the connector only
//!   addresses the policy allows: the connection goes to the address that was checked, so a
//!   second DNS answer (rebinding) has nothing to change;
//! - every redirect hop is checked like the first URL;
//! - `HTTP(S)_PROXY` in the environment is ignored: a proxy resolves names itself, which
//!   would skip the checks. An operator may name one ([`HttpSettings::proxy`]); it is then
//!   trusted to enforce its own egress rules.
//!
//! Bodies are read with a running byte cap ([`read_capped`]), never whole before a check.

use crate::policy::{NetworkPolicy, Refused};
use bytes::{Bytes, BytesMut};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: usize = 20;

/// How the clients are built, beyond the policy.
#[derive(Clone, Debug, Default)]
pub struct HttpSettings {
    /// An egress proxy the operator set (`AGENTE_OUTBOUND_PROXY`); none: direct.
    pub proxy: Option<String>,
    /// Longest wait for a connection; none: the client's default.
    pub connect_timeout: Option<Duration>,
    /// Longest silence while reading an answer; none: no limit (requests set their own).
    pub read_timeout: Option<Duration>,
}

/// Why an outbound request could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error("`{0}` is not a valid URL")]
    BadUrl(String),
    /// The answer's body went past the cap while it was read.
    #[error("the answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Connecting, sending or reading failed. The message carries no URL (a URL may hold
    /// a secret in its query).
    #[error("{0}")]
    Transport(String),
    #[error("the HTTP client could not be built: {0}")]
    Setup(String),
}

impl OutboundError {
    /// A transport failure described without its URL.
    pub fn transport(err: reqwest::Error) -> Self {
        let timeout = err.is_timeout();
        let err = err.without_url();
        if timeout {
            OutboundError::Transport(format!("timed out ({err})"))
        } else {
            OutboundError::Transport(describe(&err))
        }
    }

    /// Whether it was the policy that refused.
    pub fn is_refused(&self) -> bool {
        matches!(self, OutboundError::Refused(_))
    }
}

/// A reqwest error with its causes (the resolver's refusal is a cause), without a URL.
fn describe(err: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// Clients for user-given URLs under one policy (one connection pool per redirect
/// behaviour). Cheap to clone.
#[derive(Clone, Debug)]
pub struct OutboundHttp {
    policy: NetworkPolicy,
    follow: reqwest::Client,
    direct: reqwest::Client,
}

impl OutboundHttp {
    pub fn new(policy: NetworkPolicy, settings: &HttpSettings) -> Result<Self, OutboundError> {
        Ok(Self {
            follow: build(&policy, settings, true)?,
            direct: build(&policy, settings, false)?,
            policy,
        })
    }

    /// With the default settings (no proxy, no timeouts beyond each request's).
    pub fn with_policy(policy: NetworkPolicy) -> Self {
        Self::new(policy, &HttpSettings::default())
            .expect("the HTTP client builds with rustls and no proxy")
    }

    pub fn policy(&self) -> &NetworkPolicy {
        &self.policy
    }

    /// A request to `url`, once the URL passes the policy. `follow` says whether
    /// redirects are followed (each hop checked) or answered as they are.
    pub fn request(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        follow: bool,
    ) -> Result<reqwest::RequestBuilder, OutboundError> {
        self.policy.check_url(&url)?;
        let client = if follow { &self.follow } else { &self.direct };
        Ok(client.request(method, url))
    }

    /// `request` for a URL given as text.
    pub fn request_str(
        &self,
        method: reqwest::Method,
        url: &str,
        follow: bool,
    ) -> Result<reqwest::RequestBuilder, OutboundError> {
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|_| OutboundError::BadUrl(crate::redact::url(url)))?;
        self.request(method, parsed, follow)
    }

    /// A POST that does not follow redirects (webhooks, APIs).
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, OutboundError> {
        self.request_str(reqwest::Method::POST, url, false)
    }
}

fn build(
    policy: &NetworkPolicy,
    settings: &HttpSettings,
    follow: bool,
) -> Result<reqwest::Client, OutboundError> {
    let checked = policy.clone();
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if !follow {
            attempt.stop()
        } else if attempt.previous().len() >= MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            match checked.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(refused) => attempt.error(format!("redirected: {refused}")),
            }
        }
    });
    let mut builder = reqwest::Client::builder()
        .redirect(redirects)
        .dns_resolver(Arc::new(CheckedResolver(policy.clone())))
        .no_proxy();
    if let Some(proxy) = &settings.proxy {
        builder = builder.proxy(
            reqwest::Proxy::all(proxy)
                .map_err(|_| OutboundError::Setup("the outbound proxy is not a URL".into()))?,
        );
    }
    if let Some(t) = settings.connect_timeout {
        builder = builder.connect_timeout(t);
    }
    if let Some(t) = settings.read_timeout {
        builder = builder.read_timeout(t);
    }
    builder
        .build()
        .map_err(|e| OutboundError::Setup(e.to_string()))
}

/// Resolves names and answers only the addresses the policy allows; a name with none
/// left is refused. The connector connects to what this answers, nothing else.
struct CheckedResolver(NetworkPolicy);

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            policy.check_host(&host)?;
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.allows(a.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(Box::new(Refused::Private(host)) as _);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The wait an HTTP answer's `Retry-After` asks for (in seconds; at most an hour).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| Duration::from_secs(s.min(3_600)))
}

/// Reads a body chunk by chunk and stops with [`OutboundError::TooLarge`] as soon as it
/// passes `limit` bytes: an endless or huge answer costs at most `limit` of memory.
pub async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Bytes, OutboundError> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(OutboundError::TooLarge { limit });
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(OutboundError::transport)? {
        if body.len() + chunk.len() > limit {
            return Err(OutboundError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The first `limit` bytes of a body as text (lossy UTF-8), the rest left unread: for
/// quoting an error answer in a message.
pub async fn text_prefix(mut response: reqwest::Response, limit: usize) -> String {
    let mut body = Vec::new();
    while body.len() < limit {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body.truncate(limit);
    String::from_utf8_lossy(&body).into_owned()
}
