//! Who may call a Webhook node, before its authentication: the `ipWhitelist` option (IP
//! addresses and CIDR ranges, comma-separated) and the `ignoreBots` option (link previewers
//! and crawlers, by User-Agent). Refusals are 403s, as in n8n.

use crate::webhook_call::WebhookReply;
use agente_workflow_model::Node;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// User-Agent fragments of crawlers and link previewers (lower case).
const BOT_MARKS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "embedly",
    "whatsapp",
    "headlesschrome",
    "lighthouse",
    "pingdom",
    "preview",
    "validator",
    "ia_archiver",
];

/// The refusal for a caller the node's options keep out, or `None`.
pub(super) fn check_access(
    node: &Node,
    remote_ip: Option<IpAddr>,
    headers: &Map<String, Value>,
) -> Option<WebhookReply> {
    let params = node.parameters();
    let options = params.get("options");
    let option = |name: &str| options.and_then(|o| o.get(name));
    if let Some(list) = option("ipWhitelist").and_then(Value::as_str) {
        let entries: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        let allowed = entries.is_empty()
            || remote_ip.is_some_and(|ip| entries.iter().any(|e| ip_matches(ip, e)));
        if !allowed {
            return Some(WebhookReply::message(
                403,
                "IP is not whitelisted to access the webhook!",
            ));
        }
    }
    if option("ignoreBots").and_then(Value::as_bool) == Some(true) {
        let agent = headers
            .get("user-agent")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        if BOT_MARKS.iter().any(|mark| agent.contains(mark)) {
            return Some(WebhookReply::message(
                403,
                "Bots are ignored by this webhook",
            ));
        }
    }
    None
}

/// `ip` equals the address `entry`, or lies in the CIDR range `entry` (`10.0.0.0/8`). An
/// IPv4 caller seen as IPv6 (`::ffff:10.1.2.3`) matches IPv4 entries.
fn ip_matches(ip: IpAddr, entry: &str) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let (addr, prefix) = match entry.split_once('/') {
        Some((a, p)) => match p.parse::<u32>() {
            Ok(p) => (a, Some(p)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let Ok(net) = addr.parse::<IpAddr>() else {
        return false;
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            within(u32::from(a).into(), u32::from(n).into(), 32, prefix)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => within(u128::from(a), u128::from(n), 128, prefix),
        _ => false,
    }
}

fn within(ip: u128, net: u128, bits: u32, prefix: Option<u32>) -> bool {
    let prefix = prefix.unwrap_or(bits);
    if prefix > bits {
        return false;
    }
    let shift = bits - prefix;
    let mask = if shift >= 128 { 0 } else { (!0u128) << shift };
    (ip & mask) == (net & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn addresses_and_ranges_match() {
        assert!(ip_matches(ip("10.1.2.3"), "10.1.2.3"));
        assert!(ip_matches(ip("10.1.2.3"), "10.0.0.0/8"));
        assert!(!ip_matches(ip("11.1.2.3"), "10.0.0.0/8"));
        assert!(ip_matches(ip("::ffff:10.1.2.3"), "10.1.0.0/16"));
        assert!(ip_matches(ip("2001:db8::1"), "2001:db8::/32"));
        assert!(!ip_matches(ip("2001:db9::1"), "2001:db8::/32"));
        assert!(ip_matches(ip("1.2.3.4"), "0.0.0.0/0"));
        assert!(!ip_matches(ip("1.2.3.4"), "1.2.3.4/33"));
        assert!(!ip_matches(ip("1.2.3.4"), "not an address"));
    }
}
