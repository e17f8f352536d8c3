//! Which addresses calls to user-given destinations may reach. By default only globally
//! routable ones: a tenant must not make the server talk to its own loopback, the private
//! network it sits in, a cloud metadata service (169.254.169.254) or anything that
//! forwards into those (NAT64, 6to4, IPv4-mapped and -compatible IPv6).
//!
//! The ranges below follow IANA's special-purpose address registries. An operator may open
//! more with [`NetworkPolicy::allow_networks`] (`AGENTE_HTTP_ALLOW_NETWORKS`) or everything
//! with [`NetworkPolicy::allow_private`] (`AGENTE_HTTP_ALLOW_PRIVATE`).

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// A destination the policy refuses, or one that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("`{0}` is on a local or private network, which may not be reached")]
    Private(String),
    #[error("`{0}` cannot be resolved")]
    Unresolved(String),
    #[error("the URL has no host")]
    NoHost,
    #[error("only http and https URLs may be called, not `{0}:`")]
    Scheme(String),
}

/// Where calls to user-given destinations may go. Cheap to clone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkPolicy {
    /// Every address is allowed (a trusted, single-tenant installation).
    allow_private: bool,
    /// Non-public networks the operator opened anyway (an intranet API, a test server).
    allowed: Arc<[IpNet]>,
}

impl NetworkPolicy {
    /// Public addresses only: the default.
    pub fn public_only() -> Self {
        Self::default()
    }

    /// Every address, private ones included (`AGENTE_HTTP_ALLOW_PRIVATE=true`).
    pub fn allow_private() -> Self {
        Self {
            allow_private: true,
            allowed: Arc::from([]),
        }
    }

    /// `public_only`, or `allow_private` when `open` is set.
    pub fn with_private(open: bool) -> Self {
        if open {
            Self::allow_private()
        } else {
            Self::public_only()
        }
    }

    /// Also allows these networks (`10.0.5.0/24`, `127.0.0.2/32`, `fd00::/64`).
    pub fn allow_networks(mut self, networks: impl IntoIterator<Item = IpNet>) -> Self {
        let mut all: Vec<IpNet> = self.allowed.to_vec();
        all.extend(networks);
        self.allowed = Arc::from(all);
        self
    }

    /// Parses `AGENTE_HTTP_ALLOW_NETWORKS`: CIDRs or addresses separated by commas.
    pub fn parse_networks(list: &str) -> Result<Vec<IpNet>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{s}` is not an address or a network (10.0.5.0/24)"))
            })
            .collect()
    }

    /// Whether every address may be reached.
    pub fn allows_private(&self) -> bool {
        self.allow_private
    }

    /// Whether `ip` may be reached.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip) || self.allowed.iter().any(|net| net.contains(&ip))
    }

    /// Checks an http(s) URL before DNS: its scheme, a literal address (in any form the URL
    /// parser accepts: `2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]` all reach here as
    /// addresses) and `localhost` names. Names are checked after resolution, by the clients
    /// of this crate.
    pub fn check_url(&self, url: &url::Url) -> Result<(), Refused> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused::Scheme(url.scheme().to_string()));
        }
        match url.host().ok_or(Refused::NoHost)? {
            url::Host::Ipv4(ip) => self.check_ip(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => self.check_ip(IpAddr::V6(ip)),
            url::Host::Domain(name) => self.check_name(name),
        }
    }

    /// Checks a host name before DNS (only `localhost` names are refused here) or a
    /// literal address.
    pub fn check_host(&self, host: &str) -> Result<(), Refused> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => self.check_ip(ip),
            Err(_) => self.check_name(bare),
        }
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), Refused> {
        if self.allows(ip) {
            Ok(())
        } else {
            Err(Refused::Private(ip.to_string()))
        }
    }

    fn check_name(&self, name: &str) -> Result<(), Refused> {
        let lower = name.trim_end_matches('.').to_ascii_lowercase();
        if !self.allow_private && (lower == "localhost" || lower.ends_with(".localhost")) {
            return Err(Refused::Private(name.to_string()));
        }
        Ok(())
    }

    /// The one address of `host` to connect to (IPv4 first, which every mail server
    /// answers on), when all its addresses are allowed. Connecting to the address checked,
    /// not the name, leaves DNS no second answer to give.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<IpAddr, Refused> {
        self.check_host(host)?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let mut addresses: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(|_| Refused::Unresolved(host.to_string()))?
            .collect();
        addresses.sort_by_key(|a| !a.is_ipv4());
        match addresses.first() {
            Some(a) if addresses.iter().all(|a| self.allows(a.ip())) => Ok(a.ip()),
            Some(_) => Err(Refused::Private(host.to_string())),
            None => Err(Refused::Unresolved(host.to_string())),
        }
    }
}

/// IPv4 networks that are not globally reachable, or that reach the server's own side.
const V4_REFUSED: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network", 0.0.0.0
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // carrier-grade NAT
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local, cloud metadata
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, broadcast
];

/// IPv6 networks that are not globally reachable, or that carry an IPv4 address a gateway
/// would forward to (mapped, compatible, NAT64, 6to4, Teredo).
const V6_REFUSED: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 96), // unspecified, loopback, IPv4-compatible
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0, 0), 96), // IPv4-mapped
    (Ipv6Addr::new(0, 0, 0, 0, 0xffff, 0, 0, 0), 96), // IPv4-translated (SIIT)
    (Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96), // NAT64
    (Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48), // local-use NAT64
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 64), // discard-only
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16), // 6to4
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16), // segment routing
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7), // unique local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10), // site-local (deprecated)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8), // multicast
];

/// Globally reachable unicast addresses only.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            !V4_REFUSED.iter().any(|(net, len)| {
                let mask = u32::MAX.checked_shl(32 - u32::from(*len)).unwrap_or(0);
                bits & mask == u32::from(*net) & mask
            })
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            !V6_REFUSED.iter().any(|(net, len)| {
                let mask = u128::MAX.checked_shl(128 - u32::from(*len)).unwrap_or(0);
                bits & mask == u128::from(*net) & mask
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_every_non_public_range() {
        for s in [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "::ffff:127.0.0.1",
            "::ffff:8.8.8.8",
            "::ffff:0:127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::1",
            "100::1",
            "2001::1",
            "2001:db8::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "3fff::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
        ] {
            assert!(!is_public(ip(s)), "{s} must be refused");
            assert!(!NetworkPolicy::public_only().allows(ip(s)), "{s}");
        }
    }

    #[test]
    fn allows_public_addresses() {
        for s in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "198.17.255.255",
            "223.255.255.254",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "2400:cb00::1",
        ] {
            assert!(is_public(ip(s)), "{s} is public");
        }
    }

    #[test]
    fn the_operator_can_open_networks_or_everything() {
        let open = NetworkPolicy::allow_private();
        assert!(open.allows(ip("127.0.0.1")));
        assert!(open.check_host("localhost").is_ok());
        let nets = NetworkPolicy::parse_networks("10.0.5.0/24, 127.0.0.2").unwrap();
        let some = NetworkPolicy::public_only().allow_networks(nets);
        assert!(some.allows(ip("10.0.5.9")));
        assert!(some.allows(ip("127.0.0.2")));
        assert!(!some.allows(ip("127.0.0.1")));
        assert!(!some.allows(ip("10.0.6.1")));
        assert!(NetworkPolicy::parse_networks("10.0.0.0/33").is_err());
        assert!(NetworkPolicy::parse_networks("intranet").is_err());
    }

    #[test]
    fn urls_with_literal_addresses_in_any_spelling_are_checked() {
        let strict = NetworkPolicy::public_only();
        for s in [
            "http://127.0.0.1:8080/x",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://017700000001/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[fec0::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "http://0/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "https://user:pw@127.0.0.1/",
        ] {
            let url = url::Url::parse(s).unwrap();
            assert!(
                matches!(strict.check_url(&url), Err(Refused::Private(_))),
                "{s} must be refused"
            );
        }
        for s in [
            "https://example.com/",
            "http://1.1.1.1/",
            "http://[2606:4700::1111]/",
        ] {
            assert_eq!(
                strict.check_url(&url::Url::parse(s).unwrap()),
                Ok(()),
                "{s}"
            );
        }
        for s in [
            "file:///etc/passwd",
            "ftp://example.com/",
            "gopher://example.com/",
        ] {
            assert!(
                matches!(
                    strict.check_url(&url::Url::parse(s).unwrap()),
                    Err(Refused::Scheme(_))
                ),
                "{s}"
            );
        }
    }

    #[tokio::test]
    async fn resolving_checks_every_address_of_a_name() {
        let strict = NetworkPolicy::public_only();
        assert!(matches!(
            strict.resolve("localhost", 25).await,
            Err(Refused::Private(_))
        ));
        // Numeric forms that the system resolver reads as addresses.
        for host in [
            "2130706433",
            "0x7f000001",
            "127.1",
            "[::1]",
            "::ffff:127.0.0.1",
        ] {
            assert!(
                matches!(strict.resolve(host, 25).await, Err(Refused::Private(_))),
                "{host}"
            );
        }
        let open = NetworkPolicy::allow_private();
        assert_eq!(
            open.resolve("127.0.0.1", 25).await.unwrap(),
            ip("127.0.0.1")
        );
    }
}
