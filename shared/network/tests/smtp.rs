//! The e-mail sender against a real SMTP server (aiosmtpd, started per test by
//! `agente_network::testing`): plain, STARTTLS and SMTPS with a self-signed certificate, refused TLS, no
//! downgrade when STARTTLS is required, and a server that is not there.
#![allow(clippy::unwrap_used)] // a test fails by panicking

use agente_network::smtp::{self, Email, Security, SmtpConfig, SmtpError};
use agente_network::testing::{SinkTls, SmtpSink, free_port};

fn config(sink: &SmtpSink, security: Security) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: sink.port,
        security,
        username: None,
        password: None,
        from: "Agente Alerts <alerts@example.test>".into(),
        accept_invalid_certs: true,
        tls_name: None,
        timeout_secs: Some(5),
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
    let sink = SmtpSink::start(SinkTls::None).await;
    let id = smtp::send(&config(&sink, Security::None), &email())
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
    let starttls = SmtpSink::start(SinkTls::StartTls).await;
    smtp::send(&config(&starttls, Security::StartTls), &email())
        .await
        .unwrap();
    assert_eq!(starttls.delivered().len(), 1, "over STARTTLS");

    let smtps = SmtpSink::start(SinkTls::Smtps).await;
    smtp::send(&config(&smtps, Security::Tls), &email())
        .await
        .unwrap();
    assert_eq!(smtps.delivered().len(), 1, "over SMTPS");

    // The same self-signed server, certificates checked (the default): refused, for good.
    let strict = SmtpConfig {
        accept_invalid_certs: false,
        ..config(&smtps, Security::Tls)
    };
    let err = smtp::send(&strict, &email()).await.unwrap_err();
    assert!(matches!(err, SmtpError::Permanent(_)), "{err:?}");
    assert_eq!(smtps.delivered().len(), 1);
}

#[tokio::test]
async fn required_starttls_is_never_downgraded_to_plain() {
    let plain_only = SmtpSink::start(SinkTls::None).await;
    let err = smtp::send(&config(&plain_only, Security::StartTls), &email())
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
        tls_name: None,
        timeout_secs: Some(2),
    };
    let err = smtp::send(&config, &email()).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}
