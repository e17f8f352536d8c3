//! The browser's session cookies, as `Set-Cookie` values. Both are HttpOnly (no script can
//! read them) and SameSite=Lax (not sent on cross-site POSTs); `Secure` when served over TLS.

use crate::Session;

/// Holds the JWT access token.
pub const ACCESS_COOKIE: &str = "agente_access";
/// Holds the opaque refresh token.
pub const REFRESH_COOKIE: &str = "agente_refresh";

fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// The two cookies that carry `session`.
pub fn session_cookies(session: &Session, secure: bool) -> [String; 2] {
    [
        cookie(
            ACCESS_COOKIE,
            &session.access_token,
            session.expires_in,
            secure,
        ),
        cookie(
            REFRESH_COOKIE,
            &session.refresh_token,
            session.refresh_expires_in,
            secure,
        ),
    ]
}

/// Cookies that make the browser forget the session.
pub fn cleared_cookies(secure: bool) -> [String; 2] {
    [
        cookie(ACCESS_COOKIE, "", 0, secure),
        cookie(REFRESH_COOKIE, "", 0, secure),
    ]
}

/// The value of cookie `name` in a `Cookie` request header.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cookies_by_exact_name() {
        let h = "a=1; agente_access=tok; agente_access_x=no; agente_refresh=";
        assert_eq!(read_cookie(h, ACCESS_COOKIE), Some("tok"));
        assert_eq!(read_cookie(h, REFRESH_COOKIE), None);
        assert_eq!(read_cookie(h, "missing"), None);
    }
}
