//! The SMTP relay, reached over connections of our own (issue 23, goal 5).
//!
//! lettre's transport sends each message's end (`\r\n.\r\n`, five bytes) in a write of its own
//! after the body, on a socket with Nagle's algorithm on: the five bytes wait for the relay to
//! acknowledge the body, and a relay delays that acknowledgement by 40 ms. Every e-mail took
//! 42.6 ms whatever the relay (docs/BENCHMARKS.md, "why the outbox sends 45 e-mails a second";
//! fixed upstream in lettre's pull request 1159, not yet released). Here the TCP connection is
//! made by us with `TCP_NODELAY`, then handed to lettre's own SMTP client
//! (`AsyncSmtpConnection`: EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA), and kept open for the next
//! message instead of a new connection, greeting and QUIT per e-mail.
//!
//! Only `smtp://` addresses (plain, or STARTTLS with `?tls=required|opportunistic`) come here:
//! implicit TLS (`smtps://`) needs the TLS handshake before lettre's client starts, which it
//! does only on a socket it made itself, so those keep lettre's transport (`mail::MailTransport`).

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, DEFAULT_MECHANISMS},
        client::{AsyncSmtpConnection, TlsParameters},
        extension::ClientId,
    },
};
use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

/// The standard ports: submission with STARTTLS, and relay without.
const SUBMISSION_PORT: u16 = 587;
const SMTP_PORT: u16 = 25;
/// A connection unused for longer is checked (NOOP) before it carries a message: relays close
/// idle connections after a few minutes (Postfix: 5), and a message must not meet a dead one.
const TRUSTED_IDLE: Duration = Duration::from_secs(10);
/// Connections kept open at most (one per message being sent at once is enough).
const MAX_IDLE: usize = 16;

#[derive(Clone, Debug, PartialEq)]
enum Encryption {
    None,
    /// STARTTLS if the relay offers it.
    Opportunistic,
    /// STARTTLS or no message.
    Required,
}

/// Why a message did not go.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("{0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("the SMTP relay did not answer within {0:?}")]
    Timeout(Duration),
    #[error("cannot reach the SMTP relay: {0}")]
    Connect(std::io::Error),
}

impl RelayError {
    /// A refusal that sending again cannot change (5xx).
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Smtp(e) if e.is_permanent())
    }
}

pub struct Relay {
    host: String,
    port: u16,
    encryption: Encryption,
    credentials: Option<Credentials>,
    hello: ClientId,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl std::fmt::Debug for Relay {
    // Never the credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("encryption", &self.encryption)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// From `smtp://[user:password@]host[:port][/hello-name][?tls=required|opportunistic]`,
    /// the same form lettre reads; `Ok(None)` for any other scheme. Errors never show the
    /// password.
    pub fn from_url(url: &str, timeout: Duration) -> Result<Option<Relay>, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| e.to_string())?;
        if parsed.scheme() != "smtp" {
            return Ok(None);
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("no host")?
            .trim_matches(['[', ']'])
            .to_string();
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.to_string());
        let (encryption, port) = match tls.as_deref() {
            None => (Encryption::None, SMTP_PORT),
            Some("opportunistic") => (Encryption::Opportunistic, SUBMISSION_PORT),
            Some("required") => (Encryption::Required, SUBMISSION_PORT),
            Some(other) => return Err(format!("unknown tls={other}")),
        };
        let decode = |s: &str| -> Result<String, String> {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the user or password is not UTF-8".to_string())
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(
                decode(parsed.username())?,
                decode(password)?,
            )),
            None => None,
        };
        let name = parsed.path().trim_matches('/');
        let hello = if name.is_empty() {
            ClientId::default()
        } else {
            ClientId::Domain(name.to_string())
        };
        Ok(Some(Relay {
            port: parsed.port().unwrap_or(port),
            host,
            encryption,
            credentials,
            hello,
            timeout,
            idle: Mutex::default(),
        }))
    }

    /// Sends one message: on a kept connection if one is open and alive, else on a new one;
    /// the connection is kept afterwards unless something went wrong on it (a timed-out one
    /// is dropped, which closes it).
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), RelayError> {
        let mut conn = self.connection().await?;
        match tokio::time::timeout(self.timeout, conn.send(envelope, message)).await {
            Ok(Ok(_)) => {
                self.keep(conn);
                Ok(())
            }
            // lettre's client has already said QUIT and closed it: nothing to keep.
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(RelayError::Timeout(self.timeout)),
        }
    }

    async fn connection(&self) -> Result<AsyncSmtpConnection, RelayError> {
        loop {
            let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((mut conn, since)) = kept else { break };
            if since.elapsed() < TRUSTED_IDLE || conn.test_connected().await {
                return Ok(conn);
            }
        }
        tokio::time::timeout(self.timeout, self.connect())
            .await
            .map_err(|_| RelayError::Timeout(self.timeout))?
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, RelayError> {
        let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(RelayError::Connect)?;
        // The point of this module: each write leaves at once.
        stream.set_nodelay(true).map_err(RelayError::Connect)?;
        let mut conn =
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?;
        let upgrade = match self.encryption {
            Encryption::None => false,
            Encryption::Opportunistic => conn.can_starttls(),
            Encryption::Required => true,
        };
        if upgrade {
            let tls = TlsParameters::new(self.host.clone())?;
            conn.starttls(tls, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push((conn, Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(url: &str) -> Relay {
        Relay::from_url(url, Duration::from_secs(5))
            .expect("valid")
            .expect("smtp://")
    }

    #[test]
    fn reads_the_address_as_lettre_does() {
        let plain = relay("smtp://127.0.0.1:2525");
        assert_eq!((plain.host.as_str(), plain.port), ("127.0.0.1", 2525));
        assert_eq!(plain.encryption, Encryption::None);
        assert!(plain.credentials.is_none());

        let submission = relay("smtp://mailer:p%40ss%3Aword@relay.example?tls=required");
        assert_eq!(submission.port, SUBMISSION_PORT);
        assert_eq!(submission.encryption, Encryption::Required);
        assert_eq!(
            submission.credentials,
            Some(Credentials::new("mailer".into(), "p@ss:word".into()))
        );
        assert_eq!(
            relay("smtp://relay.example/portal.example").hello,
            ClientId::Domain("portal.example".into())
        );
        assert_eq!(relay("smtp://relay.example").port, SMTP_PORT);
        assert_eq!(
            relay("smtp://relay.example?tls=opportunistic").encryption,
            Encryption::Opportunistic
        );
    }

    #[test]
    fn leaves_implicit_tls_to_lettre_and_refuses_what_it_cannot_read() {
        assert!(
            Relay::from_url("smtps://relay.example", Duration::from_secs(5))
                .unwrap()
                .is_none()
        );
        assert!(
            Relay::from_url("smtp://relay.example?tls=sometimes", Duration::from_secs(5)).is_err()
        );
        assert!(Relay::from_url("not a url", Duration::from_secs(5)).is_err());
        // The password is never in the description.
        let described = format!("{:?}", relay("smtp://u:hunter2@relay.example"));
        assert!(!described.contains("hunter2"), "{described}");
    }
}
