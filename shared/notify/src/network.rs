//! Where calls to user-given addresses may go (the HTTP Request, Slack and Send Email nodes,
//! notification webhooks, Web Push endpoints, a tenant's SMTP server). By default only to
//! public addresses: a tenant must not reach the server's loopback, private networks, link-local cloud
//! metadata services and the like (SSRF). Names are checked after DNS resolution (so a
//! public name pointing at 10.0.0.1 is refused too), literal addresses and every redirect
//! hop before connecting.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Allow loopback, private, link-local and other non-public addresses.
    pub allow_private: bool,
}

impl NetworkPolicy {
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }

    /// Whether a URL's host is acceptable before DNS: literal addresses are checked here.
    pub fn allows_url(&self, url: &reqwest::Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        match host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            Ok(ip) => self.allows(ip),
            Err(_) => {
                self.allow_private
                    || !(host.eq_ignore_ascii_case("localhost")
                        || host.to_ascii_lowercase().ends_with(".localhost"))
            }
        }
    }

    /// The one address of `host` to connect to (IPv4 first, which every mail server
    /// answers on), when all its addresses are allowed. Connecting to the address checked,
    /// not the name, leaves DNS no second answer to give.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<IpAddr, String> {
        let mut addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("`{host}` cannot be resolved: {e}"))?
            .collect();
        addresses.sort_by_key(|a| !a.is_ipv4());
        match addresses.first() {
            Some(a) if addresses.iter().all(|a| self.allows(a.ip())) => Ok(a.ip()),
            Some(_) => Err(format!(
                "`{host}` is on a local or private network, which may not be reached"
            )),
            None => Err(format!("`{host}` has no address")),
        }
    }

    /// The HTTP clients for this policy: filtered DNS, and checked redirects (at most 20)
    /// or none followed.
    pub fn clients(self) -> HttpClients {
        HttpClients {
            follow: self.client(true),
            direct: self.client(false),
        }
    }

    pub fn client(self, follow: bool) -> reqwest::Client {
        self.client_builder(follow)
            .build()
            .expect("the HTTP client builds with rustls")
    }

    /// `client`'s settings, for a caller that adds its own (timeouts).
    pub fn client_builder(self, follow: bool) -> reqwest::ClientBuilder {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if !follow {
                attempt.stop()
            } else if attempt.previous().len() >= 20 {
                attempt.error("more than 20 redirects")
            } else if self.allows_url(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("redirected to a local or private address, which may not be reached")
            }
        });
        reqwest::Client::builder()
            .redirect(redirects)
            .dns_resolver(Arc::new(FilteredResolver(self)))
    }
}

/// One connection pool per redirect behaviour, shared by every HTTP Request node run.
#[derive(Clone, Debug)]
pub struct HttpClients {
    pub follow: reqwest::Client,
    pub direct: reqwest::Client,
}

struct FilteredResolver(NetworkPolicy);

impl Resolve for FilteredResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.allows(a.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(format!(
                    "`{host}` resolves to a local or private address, which may not be reached"
                )
                .into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// Globally routable unicast addresses only.
fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_local_and_private_addresses_by_default() {
        let strict = NetworkPolicy::default();
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!strict.allows(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(strict.allows(ip.parse().unwrap()), "{ip}");
        }
        let open = NetworkPolicy {
            allow_private: true,
        };
        assert!(open.allows("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn checks_literal_hosts_in_urls() {
        let strict = NetworkPolicy::default();
        let url = |s: &str| reqwest::Url::parse(s).unwrap();
        assert!(!strict.allows_url(&url("http://127.0.0.1:8080/x")));
        assert!(!strict.allows_url(&url("http://[::1]/")));
        assert!(!strict.allows_url(&url("http://localhost/")));
        assert!(strict.allows_url(&url("https://example.com/")));
    }
}
