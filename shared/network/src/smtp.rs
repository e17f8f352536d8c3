//! E-mail over SMTP with `lettre`: plain, STARTTLS or implicit TLS (SMTPS), optional
//! authentication, text with an optional HTML alternative.

use lettre::message::{Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Most recipients of one e-mail (to, cc and bcc together).
pub const MAX_RECIPIENTS: usize = 50;
/// Largest body (text and HTML together), bytes.
pub const MAX_BODY: usize = 1024 * 1024;

/// Why an e-mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    /// The server could not be reached or gave a passing failure: worth another attempt.
    #[error("{0}")]
    Retry(String),
    /// Will fail again as it is: bad input, settings, or a TLS failure.
    #[error("{0}")]
    Permanent(String),
}

impl SmtpError {
    /// Whether another attempt can succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SmtpError::Retry(_))
    }
}

/// How the connection to the SMTP server is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Security {
    /// Plain SMTP (a relay on the same host or network).
    None,
    /// Plain, then `STARTTLS`, which must succeed (port 587, usually).
    #[default]
    StartTls,
    /// `STARTTLS` when the server offers it, else plain (what n8n's SMTP credential does
    /// with SSL/TLS off): weaker, for compatibility.
    Opportunistic,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl Security {
    /// The name settings use (as serialised).
    pub fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "startTls",
            Security::Opportunistic => "opportunistic",
            Security::Tls => "tls",
        }
    }
}

/// Whether `text` is an address or `Name <address>`, as a sender or recipient.
pub fn is_mailbox(text: &str) -> bool {
    text.trim().parse::<Mailbox>().is_ok()
}

/// Where and how to send.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub security: Security,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, `Name <address>` or an address.
    pub from: String,
    /// Accept a certificate that does not verify (a self-signed relay). Off by default.
    #[serde(default)]
    pub accept_invalid_certs: bool,
    /// The name the certificate must carry when `host` is an address the caller resolved
    /// and checked itself (so DNS cannot point elsewhere between check and connect).
    #[serde(default)]
    pub tls_name: Option<String>,
    /// Per SMTP command; default 30 s.
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

impl SmtpConfig {
    /// From the server's `SMTP_URL`: `smtp://[user[:password]@]host[:port]` (STARTTLS
    /// required, port 587 by default) or `smtps://…` (TLS, 465); `?tls=none` or
    /// `?tls=opportunistic` for a relay without TLS. User and password are URL-decoded.
    pub fn from_url(url: &str, from: &str) -> Result<Self, String> {
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|_| "SMTP_URL is not a URL (smtp://user:pass@host:587)".to_string())?;
        let (mut security, default_port) = match parsed.scheme() {
            "smtp" => (Security::StartTls, 587),
            "smtps" => (Security::Tls, 465),
            other => {
                return Err(format!(
                    "SMTP_URL must be smtp:// or smtps://, not {other}://"
                ));
            }
        };
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("tls", "none") => security = Security::None,
                ("tls", "opportunistic") => security = Security::Opportunistic,
                ("tls", "starttls") => security = Security::StartTls,
                ("tls", "implicit") => security = Security::Tls,
                (k, v) => return Err(format!("SMTP_URL: unknown option {k}={v}")),
            }
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("SMTP_URL names no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| "SMTP_URL: the user or password is not UTF-8 once decoded".to_string())
        };
        let username = Some(decode(parsed.username())?).filter(|u| !u.is_empty());
        let password = parsed.password().map(decode).transpose()?;
        if !is_mailbox(from) {
            return Err(format!(
                "the sender address `{from}` is not an e-mail address"
            ));
        }
        Ok(SmtpConfig {
            host,
            port: parsed.port().unwrap_or(default_port),
            security,
            username,
            password,
            from: from.trim().to_string(),
            accept_invalid_certs: false,
            tls_name: None,
            timeout_secs: Some(20),
        })
    }
}

/// The password stays out of logs.
impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

/// One e-mail.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Email {
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    #[serde(default)]
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    /// Sent beside the text as an alternative when given.
    #[serde(default)]
    pub html: Option<String>,
    /// Files sent with the message.
    #[serde(default, skip)]
    pub attachments: Vec<Attachment>,
}

/// A file attached to an e-mail.
#[derive(Clone, Debug, Default)]
pub struct Attachment {
    pub file_name: String,
    /// `application/pdf`, …; unknown or invalid: `application/octet-stream`.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Most bytes of all attachments of one e-mail (most mail servers refuse messages over
/// 25 MB; base64 adds a third).
pub const MAX_ATTACHMENTS: usize = 15 * 1024 * 1024;

/// Sends `email` through the server `config` names. Answers the Message-ID.
pub async fn send(config: &SmtpConfig, email: &Email) -> Result<String, SmtpError> {
    let message = build(config, email)?;
    let id = message
        .headers()
        .get_raw("Message-ID")
        .unwrap_or_default()
        .to_string();
    transport(config)?
        .send(message)
        .await
        .map_err(smtp_failure)?;
    Ok(id)
}

fn build(config: &SmtpConfig, email: &Email) -> Result<Message, SmtpError> {
    let bad = |m: String| SmtpError::Permanent(m);
    let mailbox = |field: &str, value: &str| {
        value
            .trim()
            .parse::<Mailbox>()
            .map_err(|e| bad(format!("{field}: `{value}` is not an e-mail address ({e})")))
    };
    let recipients = email.to.len() + email.cc.len() + email.bcc.len();
    if email.to.is_empty() && email.cc.is_empty() && email.bcc.is_empty() {
        return Err(bad("the e-mail has no recipient".into()));
    }
    if recipients > MAX_RECIPIENTS {
        return Err(bad(format!(
            "{recipients} recipients; at most {MAX_RECIPIENTS}"
        )));
    }
    if email.text.len() + email.html.as_deref().map_or(0, str::len) > MAX_BODY {
        return Err(bad(format!("the body is over {MAX_BODY} bytes")));
    }
    let mut builder = Message::builder()
        .message_id(None)
        .from(mailbox("from", &config.from)?)
        .subject(email.subject.replace(['\r', '\n'], " "));
    for to in &email.to {
        builder = builder.to(mailbox("to", to)?);
    }
    for cc in &email.cc {
        builder = builder.cc(mailbox("cc", cc)?);
    }
    for bcc in &email.bcc {
        builder = builder.bcc(mailbox("bcc", bcc)?);
    }
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(mailbox("replyTo", reply_to)?);
    }
    let attached: usize = email.attachments.iter().map(|a| a.content.len()).sum();
    if attached > MAX_ATTACHMENTS {
        return Err(bad(format!(
            "the attachments are {attached} bytes; at most {MAX_ATTACHMENTS}"
        )));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(email.text.clone());
    let built = match (&email.html, email.attachments.is_empty()) {
        (Some(html), true) => builder.multipart(alternative(text, html)),
        (None, true) => builder.singlepart(text),
        (html, false) => {
            let mut mixed = match html {
                Some(html) => MultiPart::mixed().multipart(alternative(text, html)),
                None => MultiPart::mixed().singlepart(text),
            };
            for file in &email.attachments {
                let kind = ContentType::parse(&file.content_type).unwrap_or_else(|_| {
                    ContentType::parse("application/octet-stream").expect("a valid type")
                });
                let name = file.file_name.replace(['\r', '\n', '"'], "_");
                mixed = mixed.singlepart(
                    lettre::message::Attachment::new(name).body(file.content.clone(), kind),
                );
            }
            builder.multipart(mixed)
        }
    };
    built.map_err(|e| bad(format!("the e-mail cannot be built: {e}")))
}

fn alternative(text: SinglePart, html: &str) -> MultiPart {
    MultiPart::alternative().singlepart(text).singlepart(
        SinglePart::builder()
            .header(ContentType::TEXT_HTML)
            .body(html.to_string()),
    )
}

fn transport(config: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpError> {
    let tls = || {
        TlsParameters::builder(
            config
                .tls_name
                .clone()
                .unwrap_or_else(|| config.host.clone()),
        )
        .dangerous_accept_invalid_certs(config.accept_invalid_certs)
        .dangerous_accept_invalid_hostnames(config.accept_invalid_certs)
        .build_rustls()
        .map_err(|e| SmtpError::Permanent(format!("TLS settings: {e}")))
    };
    let tls = match config.security {
        Security::None => Tls::None,
        Security::StartTls => Tls::Required(tls()?),
        Security::Opportunistic => Tls::Opportunistic(tls()?),
        Security::Tls => Tls::Wrapper(tls()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
        .port(config.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(
            config.timeout_secs.unwrap_or(30).clamp(1, 300),
        )));
    if let Some(user) = &config.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            config.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// 5xx answers and refused TLS are for a person to fix; the rest may pass.
fn smtp_failure(e: lettre::transport::smtp::Error) -> SmtpError {
    let message = format!("the SMTP server refused the e-mail: {e}");
    // A certificate that does not verify reaches us as a connection error from rustls;
    // another attempt meets the same certificate.
    let certificate = e.to_string().contains("certificate");
    if e.is_permanent() {
        SmtpError::Permanent(message)
    } else if e.is_tls() || certificate {
        SmtpError::Permanent(format!("TLS with the SMTP server failed: {e}"))
    } else {
        SmtpError::Retry(format!("sending the e-mail failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_names_are_the_serialised_ones() {
        for s in [
            Security::None,
            Security::StartTls,
            Security::Opportunistic,
            Security::Tls,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            security: Security::None,
            username: Some("u".into()),
            password: Some("hunter2".into()),
            from: "Agente <alerts@example.test>".into(),
            accept_invalid_certs: false,
            tls_name: None,
            timeout_secs: None,
        }
    }

    #[test]
    fn bad_input_is_a_permanent_error_naming_the_field() {
        let err = |e: Email| build(&config(), &e).unwrap_err().to_string();
        let base = Email {
            to: vec!["ops@example.test".into()],
            subject: "s".into(),
            text: "t".into(),
            ..Email::default()
        };
        assert!(
            err(Email {
                to: vec!["not an address".into()],
                ..base.clone()
            })
            .contains("to: `not an address`")
        );
        assert!(
            err(Email {
                to: vec![],
                ..base.clone()
            })
            .contains("no recipient")
        );
        assert!(
            err(Email {
                to: vec!["a@example.test".into(); MAX_RECIPIENTS + 1],
                ..base.clone()
            })
            .contains("recipients")
        );
        assert!(build(&config(), &base).is_ok());
    }

    #[test]
    fn a_subject_cannot_inject_headers() {
        let email = Email {
            to: vec!["ops@example.test".into()],
            subject: "Hi\r\nBcc: victim@example.test".into(),
            text: "t".into(),
            ..Email::default()
        };
        let raw = String::from_utf8(build(&config(), &email).unwrap().formatted()).unwrap();
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
    }

    #[test]
    fn smtp_url_gives_host_port_security_and_decoded_login() {
        let c =
            SmtpConfig::from_url("smtp://mailer:p%40ss%3Aw@mail.example.com", "a@b.co").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("mail.example.com", 587, Security::StartTls)
        );
        assert_eq!(
            (c.username.as_deref(), c.password.as_deref()),
            (Some("mailer"), Some("p@ss:w"))
        );
        let c = SmtpConfig::from_url("smtps://mail.example.com", "a@b.co").unwrap();
        assert_eq!((c.port, c.security, c.username), (465, Security::Tls, None));
        let c = SmtpConfig::from_url("smtp://127.0.0.1:2525?tls=none", "Agente <a@b.co>").unwrap();
        assert_eq!((c.port, c.security), (2525, Security::None));
        for bad in ["http://x", "smtp://", "smtp://h?tls=maybe", "not a url"] {
            assert!(SmtpConfig::from_url(bad, "a@b.co").is_err(), "{bad}");
        }
        assert!(SmtpConfig::from_url("smtp://h", "nobody").is_err());
    }

    #[test]
    fn the_password_is_not_in_debug_output() {
        assert!(!format!("{:?}", config()).contains("hunter2"));
    }
}
