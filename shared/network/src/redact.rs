//! Text fit for errors, logs and execution data: URLs without their user info and query
//! values (an API key is often a query parameter), and messages without known secrets.

/// `url` with user info removed and each query value replaced by `***`; text that is not
/// a URL is cut at its query.
pub fn url(text: &str) -> String {
    let parsed = url::Url::parse(text.trim()).ok().filter(url::Url::has_host);
    let Some(mut parsed) = parsed else {
        let cut = text.split(['?', '#']).next().unwrap_or_default();
        return match cut.rfind('@') {
            Some(at) => match cut.find("://") {
                Some(scheme) if scheme < at => format!("{}://{}", &cut[..scheme], &cut[at + 1..]),
                _ => cut[at + 1..].to_string(),
            },
            None => cut.to_string(),
        };
    };
    let _ = parsed.set_username("");
    let _ = parsed.set_password(None);
    parsed.set_fragment(None);
    if parsed.query().is_some() {
        let keys: Vec<String> = parsed
            .query_pairs()
            .map(|(key, _)| format!("{key}=***"))
            .collect();
        parsed.set_query(None);
        let mut out = parsed.to_string();
        if !keys.is_empty() {
            out.push('?');
            out.push_str(&keys.join("&"));
        }
        return out;
    }
    parsed.to_string()
}

/// Shortest secret value that is masked in text: shorter values (`1`, `true`) would mask
/// ordinary words.
const MIN_SECRET: usize = 4;

/// `text` with every occurrence of each secret (and its URL-encoded form) replaced by
/// `***`.
pub fn secrets<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if secret.len() < MIN_SECRET {
            continue;
        }
        out = out.replace(secret, "***");
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        if encoded != secret {
            out = out.replace(&encoded, "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_user_info_and_query_values() {
        assert_eq!(
            url("https://bob:hunter2@api.example.com/v1/x?api_key=s3cret&page=2#frag"),
            "https://api.example.com/v1/x?api_key=***&page=***"
        );
        assert_eq!(url("https://example.com/a"), "https://example.com/a");
        assert_eq!(url("not a url ?key=secret"), "not a url ");
        assert_eq!(url("bob:pw@host/path?k=v"), "host/path");
    }

    #[test]
    fn secrets_are_masked_plain_and_url_encoded() {
        let text = "request to https://x.test/?key=a%2Fb%2Bc%3D failed; token a/b+c= refused";
        assert_eq!(
            secrets(text, ["a/b+c="]),
            "request to https://x.test/?key=*** failed; token *** refused"
        );
        assert_eq!(secrets("id 1 of 1", ["1"]), "id 1 of 1");
    }
}
