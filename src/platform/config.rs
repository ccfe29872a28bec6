//! Configuration from environment variables, each with an embedded default so that
//! `bawaba` with no settings at all serves the portal on a SQLite file under `data/`.

use crate::platform::files::FileStoreChoice;
use std::{net::SocketAddr, path::PathBuf};

/// One documented setting: the single source for `--help` and `docs/CONFIGURATION.md`.
pub struct Setting {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "BAWABA_BIND",
        default: "127.0.0.1:3000 (or LEPTOS_SITE_ADDR when set by cargo-leptos)",
        help: "Address and port the HTTP server listens on. Port 0 picks a free port.",
    },
    Setting {
        name: "BAWABA_PUBLIC_URL",
        default: "http://<bind address>",
        help: "Public base URL as users see it (behind a proxy: https://…). Decides whether cookies are Secure.",
    },
    Setting {
        name: "BAWABA_DATA_DIR",
        default: "data",
        help: "Directory for the SQLite database, generated secrets and files. Created if missing.",
    },
    Setting {
        name: "DATABASE_URL",
        default: "sqlite://<data dir>/bawaba.db",
        help: "sqlite://path for the embedded database, postgres://user@host/db for PostgreSQL (scale-out).",
    },
    Setting {
        name: "BAWABA_DB_MAX_CONNECTIONS",
        default: "16",
        help: "Size of the database connection pool of this app server (on SQLite, plus one connection that does all its writes).",
    },
    Setting {
        name: "BAWABA_SECRET_KEY",
        default: "generated on first run into <data dir>/secret.key (mode 0600)",
        help: "64 hex digits (32 bytes) used to sign cookies and tokens. Give the same value to every app server.",
    },
    Setting {
        name: "BAWABA_SMTP_URL",
        default: "none: e-mails are written as .eml files under <data dir>/mail/",
        help: "SMTP server for e-mail: smtps://user:pass@host:465 (TLS), smtp://user:pass@host:587?tls=required (STARTTLS), smtp://host:port (plain, local relays and tests only).",
    },
    Setting {
        name: "BAWABA_MAIL_FROM",
        default: "Bawaba <no-reply@bawaba.localhost>",
        help: "Sender of the portal's e-mails (a mailbox the SMTP server accepts).",
    },
    Setting {
        name: "BAWABA_SMS_URL",
        default: "none: SMS are written as .txt files under <data dir>/sms/",
        help: "HTTP(S) endpoint of the SMS provider: each SMS is a POST of BAWABA_SMS_BODY as JSON. 2xx is sent; 408, 429 and 5xx are tried again later; other answers fail the message.",
    },
    Setting {
        name: "BAWABA_SMS_TOKEN",
        default: "none: no Authorization header",
        help: "Sent as `Authorization: Bearer <token>` to the SMS provider. Never logged.",
    },
    Setting {
        name: "BAWABA_SMS_INBOUND_KEY",
        default: "derived from the secret key",
        help: "The key the SMS provider signs inbound messages (replies to reminders, POST /webhooks/sms) with, as the provider gives it: at least 32 characters. Give the same value to every app server. Never logged.",
    },
    Setting {
        name: "BAWABA_SMS_BODY",
        default: r#"{"to": {{to}}, "text": {{text}}}"#,
        help: "JSON body for the SMS provider; {{to}} (E.164) and {{text}} are replaced by JSON strings, so do not quote them.",
    },
    Setting {
        name: "BAWABA_DEV_MAILBOX",
        default: "off",
        help: "`on` serves /dev/mailbox: the e-mails and SMS written under <data dir> when no SMTP server or SMS provider is set. For development machines only.",
    },
    Setting {
        name: "BAWABA_PAYMENT_TTL_MINUTES",
        default: "30",
        help: "How long a started payment may stay unfinished before it expires (the user can then start a new one).",
    },
    Setting {
        name: "BAWABA_DEMO_PAYMENTS",
        default: "off",
        help: "`on` serves /payments/demo, where a signed-in user creates a test order to pay through the gateway. For development machines and end-to-end tests.",
    },
    Setting {
        name: "BAWABA_ANNOUNCED_WILAYAS",
        default: "off",
        help: "`on` accepts plates ending with the wilaya codes 59-69 announced in November 2025 (their numbering is not official yet).",
    },
    Setting {
        name: "BAWABA_SANDBOX_URL",
        default: "this server: http://<its address>/sandbox-pay",
        help: "Base URL of the sandbox gateway's API, when it runs elsewhere.",
    },
    Setting {
        name: "BAWABA_SANDBOX_KEY",
        default: "derived from the secret key",
        help: "64 hex digits: the merchant key the portal and the sandbox gateway sign requests and notifications with.",
    },
    Setting {
        name: "BAWABA_PAYMENT_GATEWAY",
        default: "sandbox",
        help: "Which payment company takes payments: `sandbox` (the embedded simulated gateway) or `epay` (a CIB/Edahabia-style ePayment platform: register, redirect, confirm; needs the three BAWABA_EPAY_* settings).",
    },
    Setting {
        name: "BAWABA_EPAY_URL",
        default: "none",
        help: "Base URL of the ePayment platform (its API is under /payment/rest/).",
    },
    Setting {
        name: "BAWABA_EPAY_USER",
        default: "none",
        help: "The merchant's user name at the ePayment platform.",
    },
    Setting {
        name: "BAWABA_EPAY_PASSWORD",
        default: "none",
        help: "The merchant's password at the ePayment platform. Never logged.",
    },
    Setting {
        name: "BAWABA_CLIENT_IP_HEADER",
        default: "none: the TCP peer address",
        help: "Behind a reverse proxy: the header it puts the client's address in (X-Forwarded-For, whose last entry is used, or X-Real-IP). Rate limits count per client address.",
    },
    Setting {
        name: "BAWABA_LOG",
        default: "info,bawaba=debug",
        help: "Log filter (tracing EnvFilter syntax).",
    },
    Setting {
        name: "BAWABA_LOG_FORMAT",
        default: "text",
        help: "`text` for people, `json` for a log collector (one JSON object per line).",
    },
    Setting {
        name: "BAWABA_REQUEST_SECONDS",
        default: "30",
        help: "Seconds a request may take before it is answered 503 (an upload gets 15 minutes: \
               its body may arrive slowly over a phone's connection).",
    },
    Setting {
        name: "BAWABA_PAGE_CACHE_SECONDS",
        default: "60",
        help: "Seconds a public page (home, start and information pages), and the vignette's \
               reference rows, are served from memory before they are read again; 0 reads \
               every time.",
    },
    Setting {
        name: "BAWABA_FILE_STORE",
        default: "local (<data dir>/files)",
        help: "Where uploaded documents are kept: `local`, or `s3://bucket` for an S3-compatible \
               object store shared by every app server (then set the BAWABA_S3_* settings).",
    },
    Setting {
        name: "BAWABA_S3_ENDPOINT",
        default: "AWS itself",
        help: "The S3-compatible server's address (e.g. http://10.0.0.5:9000, path-style).",
    },
    Setting {
        name: "BAWABA_S3_REGION",
        default: "us-east-1",
        help: "The bucket's region.",
    },
    Setting {
        name: "BAWABA_S3_ACCESS_KEY_ID",
        default: "(none)",
        help: "The S3 access key id (required with an S3 file store).",
    },
    Setting {
        name: "BAWABA_S3_SECRET_ACCESS_KEY",
        default: "(none)",
        help: "The S3 secret key (required with an S3 file store; never logged).",
    },
];

#[derive(Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub public_url: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    /// `None`: read from `<data dir>/secret.key`, generating it on first run.
    pub secret_key_hex: Option<String>,
    pub log_filter: String,
    pub log_json: bool,
    /// `None`: e-mails go to files under `<data dir>/mail/`.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// The header a reverse proxy puts the client's address in; `None`: the TCP peer.
    pub client_ip_header: Option<String>,
    /// `None`: SMS go to files under `<data dir>/sms/`.
    pub sms_url: Option<String>,
    pub sms_token: Option<String>,
    pub sms_body: Option<String>,
    /// The key inbound SMS are signed with; `None`: derived from the secret key.
    pub sms_inbound_key: Option<String>,
    /// Serve `/dev/mailbox` (never on a real deployment).
    pub dev_mailbox: bool,
    pub payment_ttl_secs: i64,
    /// Serve `/payments/demo`.
    pub demo_payments: bool,
    /// Accept plates of the wilayas announced but not yet in force.
    pub announced_wilayas: bool,
    pub sandbox_url: Option<String>,
    pub sandbox_key_hex: Option<String>,
    pub gateway: GatewayChoice,
    /// Where uploaded documents are kept.
    pub file_store: crate::platform::files::FileStoreChoice,
    /// Seconds a request may take before it is answered 503 (uploads get 15 minutes).
    pub request_secs: u64,
    /// Seconds a public page is served from memory before it is rendered again (0: never kept).
    pub page_cache_secs: u64,
}

impl std::fmt::Debug for Config {
    // Keys, tokens and the SMTP URL (which carries its password) never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "<hidden>");
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("data_dir", &self.data_dir)
            .field("database_url", &hidden(&Some(self.database_url.clone())))
            .field("db_max_connections", &self.db_max_connections)
            .field("secret_key_hex", &hidden(&self.secret_key_hex))
            .field("log_filter", &self.log_filter)
            .field("log_json", &self.log_json)
            .field("smtp_url", &hidden(&self.smtp_url))
            .field("mail_from", &self.mail_from)
            .field("client_ip_header", &self.client_ip_header)
            .field("sms_url", &self.sms_url)
            .field("sms_token", &hidden(&self.sms_token))
            .field("sms_body", &self.sms_body)
            .field("sms_inbound_key", &hidden(&self.sms_inbound_key))
            .field("dev_mailbox", &self.dev_mailbox)
            .field("payment_ttl_secs", &self.payment_ttl_secs)
            .field("demo_payments", &self.demo_payments)
            .field("announced_wilayas", &self.announced_wilayas)
            .field("sandbox_url", &self.sandbox_url)
            .field("sandbox_key_hex", &hidden(&self.sandbox_key_hex))
            .field("gateway", &self.gateway)
            .field("file_store", &self.file_store)
            .field("request_secs", &self.request_secs)
            .field("page_cache_secs", &self.page_cache_secs)
            .finish()
    }
}

/// Which payment company the engine talks to.
#[derive(Clone, PartialEq, Eq)]
pub enum GatewayChoice {
    Sandbox,
    Epay {
        url: String,
        user: String,
        password: String,
    },
}

impl std::fmt::Debug for GatewayChoice {
    // The merchant password never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GatewayChoice::Sandbox => f.write_str("Sandbox"),
            GatewayChoice::Epay { url, .. } => write!(f, "Epay({url})"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `get`, so tests can configure without touching the environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let bind_raw = get("BAWABA_BIND")
            .or_else(|| get("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind_raw.parse().map_err(|e| ConfigError::Invalid {
            name: "BAWABA_BIND",
            reason: format!("{e} (expected host:port, e.g. 127.0.0.1:3000)"),
        })?;
        let data_dir = PathBuf::from(get("BAWABA_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL").unwrap_or_else(|| {
            format!("sqlite://{}?mode=rwc", data_dir.join("bawaba.db").display())
        });
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "expected sqlite://… or postgres://…".into(),
            });
        }
        let db_max_connections = match get("BAWABA_DB_MAX_CONNECTIONS") {
            None => 16,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::Invalid {
                    name: "BAWABA_DB_MAX_CONNECTIONS",
                    reason: "expected a positive whole number".into(),
                })?,
        };
        let public_url = get("BAWABA_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_string();
        let log_json = match get("BAWABA_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "BAWABA_LOG_FORMAT",
                    reason: "expected text or json".into(),
                });
            }
        };
        let switch = |name: &'static str| match get(name).as_deref() {
            None | Some("off" | "0" | "false") => Ok(false),
            Some("on" | "1" | "true") => Ok(true),
            Some(_) => Err(ConfigError::Invalid {
                name,
                reason: "expected on or off".into(),
            }),
        };
        let dev_mailbox = switch("BAWABA_DEV_MAILBOX")?;
        let sms_inbound_key = match get("BAWABA_SMS_INBOUND_KEY") {
            Some(key) if key.chars().count() < 32 => {
                return Err(ConfigError::Invalid {
                    name: "BAWABA_SMS_INBOUND_KEY",
                    reason: "expected at least 32 characters".into(),
                });
            }
            key => key,
        };
        let demo_payments = switch("BAWABA_DEMO_PAYMENTS")?;
        let announced_wilayas = switch("BAWABA_ANNOUNCED_WILAYAS")?;
        let payment_ttl_secs = match get("BAWABA_PAYMENT_TTL_MINUTES") {
            None => 30 * 60,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=24 * 60).contains(n))
                .map(|n| n * 60)
                .ok_or(ConfigError::Invalid {
                    name: "BAWABA_PAYMENT_TTL_MINUTES",
                    reason: "expected minutes between 1 and 1440".into(),
                })?,
        };
        let gateway = match get("BAWABA_PAYMENT_GATEWAY").as_deref() {
            None | Some("sandbox") => GatewayChoice::Sandbox,
            Some("epay") => {
                let need = |name: &'static str| {
                    get(name).ok_or(ConfigError::Invalid {
                        name,
                        reason: "required when BAWABA_PAYMENT_GATEWAY is epay".into(),
                    })
                };
                GatewayChoice::Epay {
                    url: need("BAWABA_EPAY_URL")?,
                    user: need("BAWABA_EPAY_USER")?,
                    password: need("BAWABA_EPAY_PASSWORD")?,
                }
            }
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "BAWABA_PAYMENT_GATEWAY",
                    reason: "expected sandbox or epay".into(),
                });
            }
        };
        let file_store = match get("BAWABA_FILE_STORE").as_deref() {
            None | Some("local") => FileStoreChoice::Local(data_dir.join("files")),
            Some(url) if url.starts_with("s3://") => {
                let bucket = url.trim_start_matches("s3://").trim_end_matches('/');
                if bucket.is_empty() || bucket.contains('/') {
                    return Err(ConfigError::Invalid {
                        name: "BAWABA_FILE_STORE",
                        reason: "expected s3://bucket".into(),
                    });
                }
                let need = |name: &'static str| {
                    get(name).ok_or(ConfigError::Invalid {
                        name,
                        reason: "required when BAWABA_FILE_STORE is an S3 bucket".into(),
                    })
                };
                FileStoreChoice::S3 {
                    bucket: bucket.to_string(),
                    endpoint: get("BAWABA_S3_ENDPOINT"),
                    region: get("BAWABA_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: need("BAWABA_S3_ACCESS_KEY_ID")?,
                    secret_access_key: need("BAWABA_S3_SECRET_ACCESS_KEY")?,
                }
            }
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "BAWABA_FILE_STORE",
                    reason: "expected local or s3://bucket".into(),
                });
            }
        };
        let request_secs = match get("BAWABA_REQUEST_SECONDS") {
            None => 30,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=600).contains(n))
                .ok_or(ConfigError::Invalid {
                    name: "BAWABA_REQUEST_SECONDS",
                    reason: "expected seconds between 1 and 600".into(),
                })?,
        };
        let page_cache_secs = match get("BAWABA_PAGE_CACHE_SECONDS") {
            None => 60,
            Some(v) => {
                v.parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 3600)
                    .ok_or(ConfigError::Invalid {
                        name: "BAWABA_PAGE_CACHE_SECONDS",
                        reason: "expected seconds between 0 and 3600".into(),
                    })?
            }
        };
        Ok(Self {
            request_secs,
            page_cache_secs,
            file_store,
            gateway,
            bind,
            public_url,
            data_dir,
            database_url,
            db_max_connections,
            secret_key_hex: get("BAWABA_SECRET_KEY"),
            log_filter: get("BAWABA_LOG").unwrap_or_else(|| "info,bawaba=debug".into()),
            log_json,
            smtp_url: get("BAWABA_SMTP_URL"),
            mail_from: get("BAWABA_MAIL_FROM")
                .unwrap_or_else(|| "Bawaba <no-reply@bawaba.localhost>".into()),
            client_ip_header: get("BAWABA_CLIENT_IP_HEADER"),
            sms_url: get("BAWABA_SMS_URL"),
            sms_token: get("BAWABA_SMS_TOKEN"),
            sms_body: get("BAWABA_SMS_BODY"),
            sms_inbound_key,
            dev_mailbox,
            payment_ttl_secs,
            demo_payments,
            announced_wilayas,
            sandbox_url: get("BAWABA_SANDBOX_URL"),
            sandbox_key_hex: get("BAWABA_SANDBOX_KEY"),
        })
    }

    /// Cookies get `Secure` and the `__Host-` prefix only when users reach us over HTTPS.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The text printed by `bawaba --help`.
    pub fn help_text() -> String {
        let mut out = String::from(
            "bawaba — government e-services portal\n\n\
             Usage: bawaba [--help]\n\n\
             Settings (environment variables):\n",
        );
        for s in SETTINGS {
            out.push_str(&format!(
                "  {}\n      {}\n      default: {}\n",
                s.name, s.help, s.default
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_serve_sqlite_under_data() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.database_url, "sqlite://data/bawaba.db?mode=rwc");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(!c.is_https());
        assert!(!c.log_json);
    }

    #[test]
    fn postgres_url_is_accepted_and_https_is_detected() {
        let c = config(&[
            ("DATABASE_URL", "postgres://root@127.0.0.1/test"),
            ("BAWABA_PUBLIC_URL", "https://bawaba.example/"),
        ])
        .unwrap();
        assert!(c.database_url.starts_with("postgres://"));
        assert_eq!(c.public_url, "https://bawaba.example");
        assert!(c.is_https());
    }

    #[test]
    fn bad_values_are_refused_with_the_setting_name() {
        let e = config(&[("BAWABA_BIND", "nowhere")]).unwrap_err();
        assert!(e.to_string().contains("BAWABA_BIND"));
        let e = config(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = config(&[("BAWABA_DB_MAX_CONNECTIONS", "0")]).unwrap_err();
        assert!(e.to_string().contains("BAWABA_DB_MAX_CONNECTIONS"));
        let e = config(&[("BAWABA_PAYMENT_GATEWAY", "paypal")]).unwrap_err();
        assert!(e.to_string().contains("BAWABA_PAYMENT_GATEWAY"));
        let e = config(&[
            ("BAWABA_PAYMENT_GATEWAY", "epay"),
            ("BAWABA_EPAY_URL", "http://x"),
        ])
        .unwrap_err();
        assert!(e.to_string().contains("BAWABA_EPAY_USER"));
    }

    #[test]
    fn the_epay_gateway_is_chosen_with_its_three_settings_and_its_password_stays_hidden() {
        let c = config(&[
            ("BAWABA_PAYMENT_GATEWAY", "epay"),
            ("BAWABA_EPAY_URL", "https://epay.example"),
            ("BAWABA_EPAY_USER", "merchant"),
            ("BAWABA_EPAY_PASSWORD", "hunter2-secret"),
        ])
        .unwrap();
        assert!(matches!(c.gateway, GatewayChoice::Epay { .. }));
        assert!(!format!("{c:?}").contains("hunter2-secret"));
        assert_eq!(config(&[]).unwrap().gateway, GatewayChoice::Sandbox);
    }

    #[test]
    fn no_key_token_or_password_is_printed() {
        let key = "0123456789abcdef".repeat(4);
        let c = config(&[
            ("BAWABA_SECRET_KEY", key.as_str()),
            ("BAWABA_SANDBOX_KEY", key.as_str()),
            (
                "BAWABA_SMTP_URL",
                "smtps://user:smtp-pass-word@mail.example:465",
            ),
            ("BAWABA_SMS_TOKEN", "sms-token-value"),
            (
                "BAWABA_SMS_INBOUND_KEY",
                "the provider's own key, 40 characters...",
            ),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        for secret in [
            key.as_str(),
            "smtp-pass-word",
            "sms-token-value",
            "provider's own key",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("<hidden>"));
        let e = config(&[("BAWABA_SMS_INBOUND_KEY", "short")]).unwrap_err();
        assert!(e.to_string().contains("BAWABA_SMS_INBOUND_KEY"));
        assert!(!e.to_string().contains("short"));
    }

    #[test]
    fn every_setting_is_documented() {
        let doc = include_str!("../../docs/CONFIGURATION.md");
        for s in SETTINGS {
            assert!(
                doc.contains(&format!("`{}`", s.name)),
                "{} missing from docs/CONFIGURATION.md",
                s.name
            );
        }
    }

    #[test]
    fn help_lists_every_setting() {
        let help = Config::help_text();
        for s in SETTINGS {
            assert!(help.contains(s.name), "{} missing from --help", s.name);
        }
    }
}
