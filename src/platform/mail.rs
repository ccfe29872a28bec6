//! Where messages go: e-mail over SMTP (lettre) or, with no SMTP configured (the embedded
//! default), `.eml` files under `<data dir>/mail/`; SMS as files under `<data dir>/sms/`.

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment as MimeAttachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use std::path::PathBuf;

/// The language of a stored message (`ar`, `fr`, `en`); `None` for any other.
pub fn locale_of(language: &str) -> Option<crate::i18n::Locale> {
    match language {
        "ar" => Some(crate::i18n::Locale::ar),
        "fr" => Some(crate::i18n::Locale::fr),
        "en" => Some(crate::i18n::Locale::en),
        _ => None,
    }
}

/// Text for HTML bodies.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The HTML frame of every e-mail: the language and direction of the recipient's language, so
/// an Arabic e-mail reads right to left in mail clients; inline styles only (clients drop
/// `<style>` and never load our CSS).
pub fn email_html(locale: crate::i18n::Locale, paragraphs: &[String]) -> String {
    let (lang, dir) = match locale {
        crate::i18n::Locale::ar => ("ar", "rtl"),
        crate::i18n::Locale::fr => ("fr", "ltr"),
        crate::i18n::Locale::en => ("en", "ltr"),
    };
    let body: String = paragraphs
        .iter()
        .map(|p| format!("<p style=\"margin:0 0 16px\">{p}</p>"))
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family:'Noto Naskh Arabic','Noto Sans',Arial,sans-serif;font-size:16px;\
         line-height:1.6;color:#16201d;text-align:start\" dir=\"{dir}\">{body}</body></html>"
    )
}

/// A message ready to send, in the recipient's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rendered {
    Email {
        subject: String,
        text: String,
        html: String,
        /// Documents sent with it (a vignette's PDF).
        attachments: Vec<Attachment>,
    },
    Sms {
        text: String,
    },
}

/// An e-mail written once, paragraph by paragraph, and rendered as both of its parts: the text
/// part (paragraphs apart by a blank line) and the HTML part (`email_html`, every text
/// escaped), so that the two always say the same thing.
pub struct Letter {
    locale: crate::i18n::Locale,
    subject: String,
    text: Vec<String>,
    html: Vec<String>,
    attachments: Vec<Attachment>,
}

impl Letter {
    pub fn new(locale: crate::i18n::Locale, subject: &str) -> Self {
        Letter {
            locale,
            subject: subject.to_string(),
            text: Vec::new(),
            html: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// A paragraph of plain text.
    pub fn para(mut self, text: &str) -> Self {
        self.text.push(text.to_string());
        self.html.push(escape(text));
        self
    }

    /// A one-time code, large in HTML, indented in text, always left to right.
    pub fn code(mut self, code: &str) -> Self {
        self.text.push(format!("    {code}"));
        self.html.push(format!(
            "<strong dir=\"ltr\" style=\"font-size:28px;letter-spacing:4px\">{}</strong>",
            escape(code)
        ));
        self
    }

    /// A sentence and, under it, the address it is about, written out (left to right).
    pub fn link(mut self, text: &str, url: &str) -> Self {
        self.text.push(format!("{text}\n{url}"));
        self.html.push(format!(
            "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
            escape(text),
            l = escape(url)
        ));
        self
    }

    /// A document sent with the e-mail.
    pub fn attach(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// The portal's signature, last, and the e-mail.
    pub fn signed(self) -> Rendered {
        let signature = crate::i18n::td_string!(self.locale, mail.signature);
        let letter = self.para(signature);
        Rendered::Email {
            text: format!("{}\n", letter.text.join("\n\n")),
            html: email_html(letter.locale, &letter.html),
            subject: letter.subject,
            attachments: letter.attachments,
        }
    }
}

/// A file attached to an e-mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub file_name: String,
    /// `application/pdf`.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later (connection refused, timeout, 4xx from the server).
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help (a malformed address, a 5xx refusal of the recipient).
    #[error("{0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum MailTransport {
    /// `smtp://`: our own connections, kept open, without Nagle's delay (`smtp::Relay`).
    Relay {
        relay: std::sync::Arc<super::smtp::Relay>,
        from: Mailbox,
    },
    /// `smtps://`: lettre's transport.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        dir: PathBuf,
        from: Mailbox,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    #[error("BAWABA_SMTP_URL is not valid: {0}")]
    SmtpUrl(String),
    #[error("BAWABA_MAIL_FROM is not a valid mailbox: {0}")]
    From(String),
    #[error("BAWABA_SMS_URL is not valid: {0}")]
    SmsUrl(String),
    #[error("BAWABA_SMS_BODY does not give JSON: {0}")]
    SmsBody(String),
}

impl MailTransport {
    pub fn from_config(
        smtp_url: Option<&str>,
        from: &str,
        data_dir: &std::path::Path,
    ) -> Result<Self, MailConfigError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        let timeout = std::time::Duration::from_secs(20);
        if let Some(url) = smtp_url {
            let relay = super::smtp::Relay::from_url(url, timeout).map_err(|e| {
                // Never the URL itself: it may carry the password.
                MailConfigError::SmtpUrl(e)
            })?;
            if let Some(relay) = relay {
                return Ok(MailTransport::Relay {
                    relay: std::sync::Arc::new(relay),
                    from,
                });
            }
        }
        Ok(match smtp_url {
            Some(url) => MailTransport::Smtp {
                // The error text of a bad URL never contains the password.
                transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailConfigError::SmtpUrl(e.to_string()))?
                    .timeout(Some(timeout))
                    .build(),
                from,
            },
            None => MailTransport::Files {
                dir: data_dir.join("mail"),
                from,
            },
        })
    }

    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: &str,
        attachments: &[Attachment],
    ) -> Result<(), SendError> {
        let (Self::Relay { from, .. } | Self::Smtp { from, .. } | Self::Files { from, .. }) = self;
        let to: Mailbox = to
            .parse()
            .map_err(|e: lettre::address::AddressError| SendError::Permanent(e.to_string()))?;
        let body = MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(text.to_string()),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.to_string()),
            );
        // With files: multipart/mixed, the text and HTML alternatives first, then each file.
        let body = if attachments.is_empty() {
            body
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in attachments {
                let kind = ContentType::parse(&a.content_type)
                    .map_err(|e| SendError::Permanent(e.to_string()))?;
                mixed = mixed.singlepart(
                    MimeAttachment::new(a.file_name.clone()).body(a.bytes.clone(), kind),
                );
            }
            mixed
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(subject)
            .multipart(body)
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self {
            Self::Relay { relay, .. } => {
                match relay.send(message.envelope(), &message.formatted()).await {
                    Ok(()) => Ok(()),
                    Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                    Err(e) => Err(SendError::Transient(e.to_string())),
                }
            }
            Self::Smtp { transport, .. } => match transport.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            },
            Self::Files { dir, .. } => write_file(dir, "eml", &message.formatted()).await,
        }
    }
}

/// SMS: by default a file per message under `<data dir>/sms/`; with `BAWABA_SMS_URL`, a
/// generic HTTP provider (most SMS gateways take a JSON POST with a bearer token).
#[derive(Clone)]
pub enum SmsTransport {
    Files { dir: PathBuf },
    Http(SmsHttp),
}

impl SmsTransport {
    pub fn files(dir: PathBuf) -> Self {
        Self::Files { dir }
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        match self {
            Self::Files { dir } => {
                write_file(dir, "txt", format!("To: {to}\n\n{text}\n").as_bytes()).await
            }
            Self::Http(http) => http.send(to, text).await,
        }
    }
}

/// The HTTP provider: `url` gets a POST of `body` with `{{to}}` and `{{text}}` replaced by JSON
/// strings, and `Authorization: Bearer <token>` when a token is set.
#[derive(Clone)]
pub struct SmsHttp {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
    body: String,
}

/// The body most providers accept; `BAWABA_SMS_BODY` replaces it.
pub const DEFAULT_SMS_BODY: &str = r#"{"to": {{to}}, "text": {{text}}}"#;

impl SmsHttp {
    pub fn new(url: &str, token: Option<&str>, body: &str) -> Result<Self, MailConfigError> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(MailConfigError::SmsUrl("expected http(s)://…".into()));
        }
        // The template must give JSON whatever the message says.
        let sample = render_sms_body(body, "+213555123456", "نص \"quoted\"\nline");
        serde_json::from_str::<serde_json::Value>(&sample)
            .map_err(|e| MailConfigError::SmsBody(e.to_string()))?;
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .map_err(|e| MailConfigError::SmsUrl(e.to_string()))?;
        Ok(Self {
            client,
            url: url.to_string(),
            token: token.map(str::to_string),
            body: body.to_string(),
        })
    }

    async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let mut request = self
            .client
            .post(&self.url)
            .header("content-type", "application/json")
            .body(render_sms_body(&self.body, to, text));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        // Errors name the status, never the request (it carries the token and the text).
        let response = request.send().await.map_err(|e| {
            SendError::Transient(format!("SMS provider unreachable: {}", e.without_url()))
        })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(SendError::Transient(format!(
                "SMS provider answered {status}"
            )))
        } else {
            Err(SendError::Permanent(format!(
                "SMS provider refused: {status}"
            )))
        }
    }
}

/// The provider's body with the recipient and the text as JSON strings.
pub fn render_sms_body(template: &str, to: &str, text: &str) -> String {
    let json = |v: &str| serde_json::Value::String(v.to_string()).to_string();
    template
        .replace("{{to}}", &json(to))
        .replace("{{text}}", &json(text))
}

/// Written under a temporary name, then renamed: a reader never sees half a message.
async fn write_file(dir: &std::path::Path, ext: &str, bytes: &[u8]) -> Result<(), SendError> {
    let io = |e: std::io::Error| SendError::Transient(e.to_string());
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    let name = format!("{}-{}", super::session::now_secs(), uuid::Uuid::new_v4());
    let tmp = dir.join(format!(".{name}.tmp"));
    tokio::fs::write(&tmp, bytes).await.map_err(io)?;
    tokio::fs::rename(&tmp, dir.join(format!("{name}.{ext}")))
        .await
        .map_err(io)
}
