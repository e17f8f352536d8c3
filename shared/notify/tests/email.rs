//! The e-mail sender against a real SMTP server (aiosmtpd from PyPI, started per test, with
//! a maildir): plain, STARTTLS and SMTPS with a self-signed certificate, refused TLS, no
//! downgrade when STARTTLS is required, and a server that is not there.

use agente_notify::NotifyError;
use agente_notify::email::{self, Email, Security, SmtpConfig};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// An aiosmtpd process delivering into `dir/mail`, killed on drop.
struct Sink {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A self-signed certificate and key for `localhost` / 127.0.0.1 in `dir`.
fn certificate(dir: &Path) -> (String, String) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost"])
        .args([
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl is installed (scripts/setup.sh --test)");
    assert!(made.success());
    (cert.display().to_string(), key.display().to_string())
}

/// `tls`: none, `starttls` or `smtps`.
async fn sink(tls: &str) -> Sink {
    let dir = std::env::temp_dir().join(format!("agente-smtp-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let mut command = Command::new("python3");
    command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
    match tls {
        "starttls" => {
            let (cert, key) = certificate(&dir);
            command.args(["--tlscert", &cert, "--tlskey", &key, "--no-requiretls"]);
        }
        "smtps" => {
            let (cert, key) = certificate(&dir);
            command.args(["--smtpscert", &cert, "--smtpskey", &key]);
        }
        _ => {}
    }
    let child = command
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 with aiosmtpd (scripts/setup.sh --test installs it)");
    let sink = Sink { child, port, dir };
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return sink;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("aiosmtpd did not start (is it installed? scripts/setup.sh --test)");
}

impl Sink {
    fn config(&self, security: Security) -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security,
            username: None,
            password: None,
            from: "Agente Alerts <alerts@example.test>".into(),
            accept_invalid_certs: true,
            timeout_secs: Some(5),
        }
    }

    /// The raw messages delivered so far.
    fn delivered(&self) -> Vec<String> {
        let new = self.dir.join("mail").join("new");
        std::fs::read_dir(new)
            .map(|entries| {
                entries
                    .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn email() -> Email {
    Email {
        to: vec!["Ops <ops@example.test>".into()],
        cc: vec!["lead@example.test".into()],
        subject: "Workflow “Invoices” failed".into(),
        text: "The HTTP Request node answered 503.".into(),
        html: Some("<p>The <b>HTTP Request</b> node answered 503.</p>".into()),
        ..Email::default()
    }
}

#[tokio::test]
async fn a_plain_relay_gets_the_mail_with_text_and_html() {
    let sink = sink("none").await;
    let id = email::send(&sink.config(Security::None), &email())
        .await
        .unwrap();
    assert!(!id.is_empty(), "a Message-ID");
    let delivered = sink.delivered();
    assert_eq!(delivered.len(), 1);
    let raw = &delivered[0];
    let header = |name: &str| {
        raw.lines()
            .find(|l| l.starts_with(&format!("{name}: ")))
            .unwrap_or_default()
            .replace('"', "")
    };
    assert_eq!(header("To"), "To: Ops <ops@example.test>", "{raw}");
    assert_eq!(header("Cc"), "Cc: lead@example.test", "{raw}");
    assert_eq!(
        header("From"),
        "From: Agente Alerts <alerts@example.test>",
        "{raw}"
    );
    assert!(header("Subject").starts_with("Subject: "), "{raw}");
    assert!(raw.contains("multipart/alternative"), "{raw}");
    assert!(raw.contains("The HTTP Request node answered 503."), "{raw}");
    assert!(raw.contains("text/html"), "{raw}");
}

#[tokio::test]
async fn starttls_and_smtps_deliver_and_an_unverifiable_certificate_is_refused() {
    let starttls = sink("starttls").await;
    email::send(&starttls.config(Security::StartTls), &email())
        .await
        .unwrap();
    assert_eq!(starttls.delivered().len(), 1, "over STARTTLS");

    let smtps = sink("smtps").await;
    email::send(&smtps.config(Security::Tls), &email())
        .await
        .unwrap();
    assert_eq!(smtps.delivered().len(), 1, "over SMTPS");

    // The same self-signed server, certificates checked (the default): refused, for good.
    let strict = SmtpConfig {
        accept_invalid_certs: false,
        ..smtps.config(Security::Tls)
    };
    let err = email::send(&strict, &email()).await.unwrap_err();
    assert!(matches!(err, NotifyError::Permanent(_)), "{err:?}");
    assert_eq!(smtps.delivered().len(), 1);
}

#[tokio::test]
async fn required_starttls_is_never_downgraded_to_plain() {
    let plain_only = sink("none").await;
    let err = email::send(&plain_only.config(Security::StartTls), &email())
        .await
        .unwrap_err();
    assert!(err.to_string().to_lowercase().contains("tls"), "{err}");
    assert!(plain_only.delivered().is_empty(), "sent in the clear");
}

#[tokio::test]
async fn a_server_that_is_not_there_is_worth_another_attempt() {
    let config = SmtpConfig {
        host: "127.0.0.1".into(),
        port: free_port(),
        security: Security::None,
        username: None,
        password: None,
        from: "alerts@example.test".into(),
        accept_invalid_certs: false,
        timeout_secs: Some(2),
    };
    let err = email::send(&config, &email()).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}
