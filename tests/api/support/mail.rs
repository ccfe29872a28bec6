//! The mail the tests read: the outbox delivered over real SMTP to a sink on loopback, and the
//! codes and links in it.

use super::app::TestApp;
use bawaba::{
    messages::render,
    platform::{
        mail::{MailTransport, SmsTransport},
        outbox::{self, Transports},
        session::now_secs,
    },
};

pub use super::smtp_sink::SmtpSink;

/// Delivers what the outbox holds to a real SMTP sink; returns the sink.
pub async fn deliver_mail(app: &TestApp) -> SmtpSink {
    let sink = SmtpSink::start(0).await;
    let t = Transports {
        mail: MailTransport::from_config(
            Some(&sink.url()),
            "Bawaba <no-reply@bawaba.test>",
            &app.data_dir,
        )
        .unwrap(),
        sms: SmsTransport::files(app.data_dir.join("sms")),
    };
    while outbox::deliver_one(&app.db, &t, render, "test", now_secs())
        .await
        .unwrap()
    {}
    sink
}

/// The 6-digit code in the last confirmation e-mail to `to`.
pub fn code_for(sink: &SmtpSink, to: &str) -> String {
    confirmation_mail(sink, to)
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()))
        .expect("a 6-digit code on its own line")
        .to_string()
}

/// The confirmation link's path in the last e-mail to `to`.
pub fn link_for(sink: &SmtpSink, to: &str) -> String {
    let data = confirmation_mail(sink, to);
    let start = data.find("/account/verify-email/link/").unwrap();
    data[start..start + "/account/verify-email/link/".len() + 64].to_string()
}

/// The last confirmation e-mail to `to`, its quoted-printable soft line breaks undone (an
/// English e-mail: its text part is quoted-printable, not base64).
fn confirmation_mail(sink: &SmtpSink, to: &str) -> String {
    let message = sink
        .messages()
        .into_iter()
        .rfind(|m| m.to.iter().any(|t| t == to) && m.data.contains("confirmation code"))
        .unwrap_or_else(|| panic!("no confirmation e-mail to {to}"));
    message.data.replace("=\r\n", "").replace("=\n", "")
}

/// The PDF attached to an e-mail (its base64 part after `Content-Type: application/pdf`).
pub fn attached_pdf(data: &str) -> Vec<u8> {
    use base64::Engine as _;
    let part = &data[data.find("application/pdf").expect("a PDF part")..];
    // The part's headers end at its first blank line (the sink keeps lines ending in `\n`);
    // its body, at the next boundary.
    let encoded: String = part
        .lines()
        .map(str::trim)
        .skip_while(|l| !l.is_empty())
        .skip(1)
        .take_while(|l| !l.is_empty() && !l.starts_with("--"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("base64")
}
