//! Rate limits on incoming webhook calls, per caller address and per listening node (GCRA,
//! in this process). A flood from one address cannot crowd out other callers, and a flood
//! at one tenant's webhook cannot burn through that tenant's executions or the workers'
//! time. Each web replica counts on its own: with N replicas a client gets up to N times
//! the rate, which is still bounded.

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// Keys kept before idle ones are dropped.
const MAX_KEYS: usize = 100_000;

/// Calls per minute allowed per caller address and per webhook; 0 turns one off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookRates {
    pub per_ip: u32,
    pub per_webhook: u32,
}

impl Default for WebhookRates {
    fn default() -> Self {
        Self {
            per_ip: 1_200,
            per_webhook: 3_000,
        }
    }
}

pub struct WebhookLimits {
    per_ip: Option<Keyed<IpAddr>>,
    per_webhook: Option<Keyed<String>>,
    clock: DefaultClock,
}

impl WebhookLimits {
    pub fn new(rates: WebhookRates) -> Self {
        Self {
            per_ip: keyed(rates.per_ip),
            per_webhook: keyed(rates.per_webhook),
            clock: DefaultClock::default(),
        }
    }

    /// `Err(wait)` when `ip` called too often.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), Duration> {
        self.check(self.per_ip.as_ref(), &ip)
    }

    /// `Err(wait)` when the webhook `key` (see `WebhookTarget::limit_key`) was called too
    /// often.
    pub fn check_webhook(&self, key: &str) -> Result<(), Duration> {
        self.check(self.per_webhook.as_ref(), &key.to_string())
    }

    fn check<K: Hash + Eq + Clone>(
        &self,
        limiter: Option<&Keyed<K>>,
        key: &K,
    ) -> Result<(), Duration> {
        let Some(limiter) = limiter else {
            return Ok(());
        };
        if limiter.len() > MAX_KEYS {
            limiter.retain_recent();
        }
        limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// A limiter for `per_minute` calls with a burst of a tenth of a minute's worth.
fn keyed<K: Hash + Eq + Clone>(per_minute: u32) -> Option<Keyed<K>> {
    let rate = NonZeroU32::new(per_minute)?;
    let burst = NonZeroU32::new((per_minute / 10).max(1)).unwrap_or(NonZeroU32::MIN);
    Some(RateLimiter::keyed(
        Quota::per_minute(rate).allow_burst(burst),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_held_to_its_burst_per_key() {
        let limits = WebhookLimits::new(WebhookRates {
            per_ip: 600,
            per_webhook: 0,
        });
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let passed = (0..200).filter(|_| limits.check_ip(a).is_ok()).count();
        assert_eq!(passed, 60, "a burst of a tenth of a minute's worth");
        let wait = limits.check_ip(a).unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        assert!(
            limits.check_ip(b).is_ok(),
            "another caller is not held back"
        );
        assert!(
            (0..10_000).all(|_| limits.check_webhook("t/w/n").is_ok()),
            "0 is no limit"
        );
    }
}
