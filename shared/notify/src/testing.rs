//! Test peers for notification senders.
#![allow(clippy::unwrap_used)] // test support: a panic fails the test that uses it

/// A Web Push service for tests: takes `POST /push/<device>` as a real push service does,
/// checks the VAPID signature (`Authorization: vapid t=<JWT>, k=<key>`), decrypts the
/// payload with the device's private key, and keeps it. Device `gone` answers 410 (the
/// subscription ended), `busy` 429 with `Retry-After: 3`.
pub struct PushService {
    pub base: String,
    devices: Devices,
    received: Received,
}

type Devices = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, Device>>>;
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

struct Device {
    secret: web_push_native::p256::SecretKey,
    auth: web_push_native::Auth,
}

impl PushService {
    pub async fn start() -> PushService {
        use axum::body::Bytes;
        use axum::extract::{Path, State};
        use axum::http::{HeaderMap, StatusCode};
        let service = PushService {
            base: String::new(),
            devices: Default::default(),
            received: Default::default(),
        };
        let state = (service.devices.clone(), service.received.clone());
        let app = axum::Router::new()
            .route(
                "/push/{device}",
                axum::routing::post(
                    |State((devices, received)): State<(Devices, Received)>,
                     Path(device): Path<String>,
                     headers: HeaderMap,
                     body: Bytes| async move {
                        match device.as_str() {
                            "gone" => {
                                return (StatusCode::GONE, HeaderMap::new(), "expired".to_string());
                            }
                            "busy" => {
                                let mut h = HeaderMap::new();
                                h.insert("retry-after", "3".parse().unwrap());
                                return (StatusCode::TOO_MANY_REQUESTS, h, "slow down".into());
                            }
                            _ => {}
                        }
                        if let Err(why) = check_vapid(&headers) {
                            return (StatusCode::UNAUTHORIZED, HeaderMap::new(), why);
                        }
                        if headers.get("content-encoding").map(|v| v.as_bytes())
                            != Some(b"aes128gcm")
                        {
                            return (
                                StatusCode::BAD_REQUEST,
                                HeaderMap::new(),
                                "not aes128gcm".into(),
                            );
                        }
                        let plain = {
                            let devices = devices.lock().unwrap();
                            let Some(d) = devices.get(&device) else {
                                return (
                                    StatusCode::NOT_FOUND,
                                    HeaderMap::new(),
                                    "no such device".into(),
                                );
                            };
                            web_push_native::decrypt(body.to_vec(), &d.secret, &d.auth)
                        };
                        match plain.ok().and_then(|p| serde_json::from_slice(&p).ok()) {
                            Some(value) => {
                                received.lock().unwrap().push((device, value));
                                (StatusCode::CREATED, HeaderMap::new(), String::new())
                            }
                            None => (
                                StatusCode::BAD_REQUEST,
                                HeaderMap::new(),
                                "does not decrypt".into(),
                            ),
                        }
                    },
                ),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        PushService { base, ..service }
    }

    /// A browser subscription for a new device named `name` (`gone` and `busy` misbehave).
    pub fn subscribe(&self, name: &str) -> crate::push::Subscription {
        use base64::Engine;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let secret = web_push_native::p256::SecretKey::random(&mut rand::rngs::OsRng);
        let mut auth = web_push_native::Auth::default();
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut auth);
        let public = web_push_native::p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
            &secret.public_key(),
            false,
        );
        let subscription = crate::push::Subscription {
            endpoint: format!("{}/push/{name}", self.base),
            keys: crate::push::SubscriptionKeys {
                p256dh: URL_SAFE_NO_PAD.encode(public.as_bytes()),
                auth: URL_SAFE_NO_PAD.encode(auth),
            },
        };
        self.devices
            .lock()
            .unwrap()
            .insert(name.into(), Device { secret, auth });
        subscription
    }

    /// (device, decrypted JSON payload) of every message taken so far.
    pub fn received(&self) -> Vec<(String, serde_json::Value)> {
        self.received.lock().unwrap().clone()
    }
}

/// The `vapid t=…, k=…` header: a JWT signed by `k`, naming this origin and a contact.
fn check_vapid(headers: &axum::http::HeaderMap) -> Result<(), String> {
    use base64::Engine;
    use web_push_native::jwt_simple::prelude::*;
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("vapid "))
        .ok_or("no VAPID authorization")?;
    let mut token = None;
    let mut key = None;
    for part in value.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => token = Some(v.to_string()),
            Some(("k", v)) => key = Some(v.to_string()),
            _ => {}
        }
    }
    let (token, key) = token.zip(key).ok_or("VAPID needs t and k")?;
    let key = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "k is not base64url")?;
    let key = ES256PublicKey::from_bytes(&key).map_err(|e| e.to_string())?;
    let claims = key
        .verify_token::<NoCustomClaims>(&token, None)
        .map_err(|e| format!("the VAPID JWT does not verify: {e}"))?;
    let audience_ok = claims
        .audiences
        .is_some_and(|a| a.contains(&HashSet::from(["http://127.0.0.1".to_string()])));
    let subject_ok = claims
        .subject
        .is_some_and(|s| s.starts_with("mailto:") || s.starts_with("https://"));
    if audience_ok && subject_ok {
        Ok(())
    } else {
        Err("the VAPID JWT names another audience or no contact".into())
    }
}
