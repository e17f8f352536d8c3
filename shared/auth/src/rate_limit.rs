//! Fixed-window attempt counters for log-in throttling: in process by default, in Redis when
//! several server processes must share them.

use crate::AuthError;
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The outcome of one counted attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    Limited { retry_after: Duration },
}

/// Counts attempts per key in fixed windows.
#[derive(Clone)]
pub enum RateLimiter {
    Memory(Arc<Mutex<HashMap<String, (u32, Instant)>>>),
    Redis(ConnectionManager),
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RateLimiter::Memory(_) => "RateLimiter::Memory",
            RateLimiter::Redis(_) => "RateLimiter::Redis",
        })
    }
}

/// INCR and set the expiry on the first hit, atomically; answers (count, ms left).
const REDIS_HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
";

impl RateLimiter {
    pub fn memory() -> Self {
        RateLimiter::Memory(Arc::default())
    }

    pub fn redis(conn: ConnectionManager) -> Self {
        RateLimiter::Redis(conn)
    }

    /// Counts one attempt under `key`; refuses once more than `limit` fall in one window.
    pub async fn hit(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Decision, AuthError> {
        let (count, left) = match self {
            RateLimiter::Memory(map) => {
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                if map.len() > 100_000 {
                    map.retain(|_, (_, start)| now.duration_since(*start) < window);
                }
                let entry = map.entry(key.to_string()).or_insert((0, now));
                if now.duration_since(entry.1) >= window {
                    *entry = (0, now);
                }
                entry.0 += 1;
                (entry.0, window.saturating_sub(now.duration_since(entry.1)))
            }
            RateLimiter::Redis(conn) => {
                let mut conn = conn.clone();
                let (count, ttl_ms): (u32, i64) = redis::Script::new(REDIS_HIT)
                    .key(format!("agente:rl:{key}"))
                    .arg(window.as_millis() as u64)
                    .invoke_async(&mut conn)
                    .await
                    .map_err(|e| AuthError::Limiter(e.to_string()))?;
                (count, Duration::from_millis(ttl_ms.max(0) as u64))
            }
        };
        Ok(if count > limit {
            Decision::Limited {
                retry_after: left.max(Duration::from_secs(1)),
            }
        } else {
            Decision::Allowed
        })
    }

    /// Whether `key` is over `limit` already, without counting an attempt: checked before a
    /// log-in, so that only failures count (`hit` after one).
    pub async fn peek(
        &self,
        key: &str,
        limit: u32,
        window: Duration,
    ) -> Result<Decision, AuthError> {
        let (count, left) = match self {
            RateLimiter::Memory(map) => {
                let map = map.lock().unwrap_or_else(|p| p.into_inner());
                match map.get(key) {
                    Some((count, start)) if start.elapsed() < window => {
                        (*count, window.saturating_sub(start.elapsed()))
                    }
                    _ => (0, window),
                }
            }
            RateLimiter::Redis(conn) => {
                let mut conn = conn.clone();
                let redis_key = format!("agente:rl:{key}");
                let (count, ttl_ms): (Option<u32>, i64) = redis::pipe()
                    .get(&redis_key)
                    .pttl(&redis_key)
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| AuthError::Limiter(e.to_string()))?;
                (
                    count.unwrap_or(0),
                    Duration::from_millis(ttl_ms.max(0) as u64),
                )
            }
        };
        Ok(if count >= limit {
            Decision::Limited {
                retry_after: left.max(Duration::from_secs(1)),
            }
        } else {
            Decision::Allowed
        })
    }

    /// Forgets the attempts under `key` (after a successful log-in).
    pub async fn reset(&self, key: &str) -> Result<(), AuthError> {
        match self {
            RateLimiter::Memory(map) => {
                map.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
            }
            RateLimiter::Redis(conn) => {
                let mut conn = conn.clone();
                let _: () = redis::cmd("DEL")
                    .arg(format!("agente:rl:{key}"))
                    .query_async(&mut conn)
                    .await
                    .map_err(|e| AuthError::Limiter(e.to_string()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_limiter_refuses_past_the_limit_per_key() {
        let rl = RateLimiter::memory();
        let w = Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(rl.hit("a", 3, w).await.unwrap(), Decision::Allowed);
        }
        assert!(matches!(
            rl.hit("a", 3, w).await.unwrap(),
            Decision::Limited { .. }
        ));
        assert_eq!(rl.hit("b", 3, w).await.unwrap(), Decision::Allowed);
        rl.reset("a").await.unwrap();
        assert_eq!(rl.hit("a", 3, w).await.unwrap(), Decision::Allowed);
    }

    #[tokio::test]
    async fn peeking_counts_nothing() {
        let rl = RateLimiter::memory();
        let w = Duration::from_secs(60);
        for _ in 0..10 {
            assert_eq!(rl.peek("a", 2, w).await.unwrap(), Decision::Allowed);
        }
        rl.hit("a", 2, w).await.unwrap();
        assert_eq!(rl.peek("a", 2, w).await.unwrap(), Decision::Allowed);
        rl.hit("a", 2, w).await.unwrap();
        assert!(matches!(
            rl.peek("a", 2, w).await.unwrap(),
            Decision::Limited { .. }
        ));
    }
}
