//! An SMTP sink for tests: aiosmtpd (PyPI; `scripts/setup.sh --test` installs it) in a child
//! process on a free local port, delivering into a maildir, optionally with STARTTLS or SMTPS
//! on a self-signed certificate (made with `openssl`). Killed on drop.
#![allow(clippy::unwrap_used)] // test support: a panic fails the test that uses it

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How the sink secures connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkTls {
    None,
    StartTls,
    Smtps,
}

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: PathBuf,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A local port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl SmtpSink {
    /// Starts a sink and waits until it accepts connections.
    pub async fn start(tls: SinkTls) -> SmtpSink {
        let dir = std::env::temp_dir().join(format!("agente-smtp-{}", free_port()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = free_port();
        let mut command = Command::new("python3");
        command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
        match tls {
            SinkTls::StartTls => {
                let (cert, key) = certificate(&dir);
                command.args(["--tlscert", &cert, "--tlskey", &key, "--no-requiretls"]);
            }
            SinkTls::Smtps => {
                let (cert, key) = certificate(&dir);
                command.args(["--smtpscert", &cert, "--smtpskey", &key]);
            }
            SinkTls::None => {}
        }
        let child = command
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd (scripts/setup.sh --test installs it)");
        let sink = SmtpSink { child, port, dir };
        for _ in 0..400 {
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

    /// The raw messages delivered so far.
    pub fn delivered(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.join("mail").join("new"))
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
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
    assert!(made.success(), "openssl could not make a certificate");
    (cert.display().to_string(), key.display().to_string())
}
