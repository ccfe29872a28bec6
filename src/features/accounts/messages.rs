//! The accounts feature's notifications.

use crate::{
    features::messages::{email_html, escape},
    i18n::*,
    platform::mail::Rendered,
};

pub const EMAIL_VERIFICATION: &str = "email_verification";

/// The 6-digit code and the link that confirm an e-mail address.
pub fn email_verification(locale: Locale, code: &str, link: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let subject = t(td_string!(locale, mail.verify_subject));
    let intro = t(td_string!(locale, mail.verify_intro));
    let or_link = t(td_string!(locale, mail.verify_link));
    let expiry = t(td_string!(locale, mail.verify_expiry));
    let not_you = t(td_string!(locale, mail.verify_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!(
        "{intro}\n\n    {code}\n\n{or_link}\n{link}\n\n{expiry}\n\n{not_you}\n\n{signature}\n"
    );
    let html = email_html(
        locale,
        &[
            escape(&intro),
            format!(
                "<strong dir=\"ltr\" style=\"font-size:28px;letter-spacing:4px\">{}</strong>",
                escape(code)
            ),
            format!(
                "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
                escape(&or_link),
                l = escape(link)
            ),
            escape(&expiry),
            escape(&not_you),
            escape(&signature),
        ],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
    })
}
