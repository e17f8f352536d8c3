//! The client's address, once per request: the socket's peer, or — only when that peer is a
//! proxy the operator trusts (`AGENTE_TRUSTED_PROXIES`) — the nearest untrusted address of
//! `X-Forwarded-For`. Any client can write that header, so it is read only behind a proxy
//! that sets it; otherwise log-in throttling and webhook limits could be dodged (or a victim
//! locked out) with a forged address.

use crate::config::Config;
use agente_auth::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

pub async fn record(
    State(config): State<Arc<Config>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let ip = client_ip(peer, request.headers(), &config.trusted_proxies);
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

/// `peer`, or the right-most `X-Forwarded-For` address that is not a trusted proxy when
/// `peer` is one (the left part of the header is whatever the client claimed).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut nearest = peer;
    for hop in forwarded.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else {
            // A hop we cannot read: stop at the last one we could.
            break;
        };
        nearest = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    nearest
}

/// IPv4 seen through an IPv6 socket (`::ffff:1.2.3.4`) as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // No proxy trusted: the header is the client's word, ignored.
        assert_eq!(
            client_ip(ip("203.0.113.5"), &headers("1.2.3.4"), &[]),
            ip("203.0.113.5")
        );
        // A client that is not the proxy cannot claim an address.
        assert_eq!(
            client_ip(ip("203.0.113.5"), &headers("1.2.3.4"), &trusted),
            ip("203.0.113.5")
        );
        // Behind the proxy: the nearest hop the proxy saw, not what the client prepended.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers("6.6.6.6, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        // Two proxies deep.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers("198.51.100.7, 10.0.0.9"), &trusted),
            ip("198.51.100.7")
        );
        // Garbage in the header: the last readable hop.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &headers("nonsense"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(
            client_ip(ip("::ffff:10.0.0.2"), &headers("198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
    }
}
