//! The accounts feature's notifications.

use crate::{
    i18n::*,
    platform::mail::Rendered,
    platform::mail::{email_html, escape},
};

/// This feature's notification `template` in `language`; `None` for another feature's
/// template, another language or a missing parameter.
pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    let locale = crate::platform::mail::locale_of(language)?;
    let param = |name: &str| {
        params
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match template {
        EMAIL_VERIFICATION => email_verification(locale, &param("code")?, &param("link")?),
        REGISTRATION_ATTEMPT => registration_attempt(locale, &param("what")?, &param("sign_in")?),
        PASSWORD_RESET => password_reset(locale, &param("link")?),
        ACCOUNT_LOCKED => account_locked(locale, &param("link")?),
        PASSWORD_CHANGED => password_changed(locale),
        SMS_CODE => sms_code(locale, &param("code")?),
        t @ (EMAIL_CHANGED | MOBILE_CHANGED | MOBILE_CHANGED_SMS) => {
            contact_changed(locale, t, &param("new")?)
        }
        TWO_STEP_CHANGED => two_step_changed(locale, &param("what")?),
        _ => None,
    }
}

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
        attachments: Vec::new(),
    })
}

pub const REGISTRATION_ATTEMPT: &str = "registration_attempt";

/// To the holder of an account when someone tries to register again with its e-mail address
/// or identity number (`what`: `email` or `identity`). The person registering is told nothing
/// more than "if this address is new, a code is on its way".
pub fn registration_attempt(locale: Locale, what: &str, sign_in: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let subject = t(td_string!(locale, mail.attempt_subject));
    let intro = match what {
        "email" => t(td_string!(locale, mail.attempt_email)),
        "identity" => t(td_string!(locale, mail.attempt_identity)),
        _ => return None,
    };
    let if_you = t(td_string!(locale, mail.attempt_if_you));
    let if_not = t(td_string!(locale, mail.attempt_if_not));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{intro}\n\n{if_you}\n{sign_in}\n\n{if_not}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[
            escape(&intro),
            format!(
                "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
                escape(&if_you),
                l = escape(sign_in)
            ),
            escape(&if_not),
            escape(&signature),
        ],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: Vec::new(),
    })
}

pub const PASSWORD_RESET: &str = "password_reset";

/// The link to choose a new password.
pub fn password_reset(locale: Locale, link: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let subject = t(td_string!(locale, mail.reset_subject));
    let intro = t(td_string!(locale, mail.reset_intro));
    let expiry = t(td_string!(locale, mail.reset_expiry));
    let not_you = t(td_string!(locale, mail.reset_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{intro}\n{link}\n\n{expiry}\n\n{not_you}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[
            format!(
                "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
                escape(&intro),
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
        attachments: Vec::new(),
    })
}

pub const ACCOUNT_LOCKED: &str = "account_locked";

/// To the holder when wrong passwords lock their account: what happened, and the one-time link
/// that lets them sign in on their own device despite the lock (`lock_pass`).
pub fn account_locked(locale: Locale, link: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let subject = t(td_string!(locale, mail.locked_subject));
    let intro = t(td_string!(locale, mail.locked_intro));
    let if_you = t(td_string!(locale, mail.locked_link));
    let expiry = t(td_string!(locale, mail.locked_expiry));
    let not_you = t(td_string!(locale, mail.locked_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{intro}\n\n{if_you}\n{link}\n\n{expiry}\n\n{not_you}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[
            escape(&intro),
            format!(
                "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
                escape(&if_you),
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
        attachments: Vec::new(),
    })
}

pub const PASSWORD_CHANGED: &str = "password_changed";

/// A security notice: the password was changed.
pub fn password_changed(locale: Locale) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let subject = t(td_string!(locale, mail.changed_subject));
    let body = t(td_string!(locale, mail.changed_body));
    let not_you = t(td_string!(locale, mail.changed_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{body}\n\n{not_you}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[escape(&body), escape(&not_you), escape(&signature)],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: Vec::new(),
    })
}

pub const SMS_CODE: &str = "sms_code";

/// The 6-digit code by SMS (signing in, or setting up the SMS step). Short: one UCS-2 segment
/// in Arabic.
pub fn sms_code(locale: Locale, code: &str) -> Option<Rendered> {
    let text = td_string!(locale, mail.sms_code, code = code).to_string();
    Some(Rendered::Sms { text })
}

pub const TWO_STEP_CHANGED: &str = "two_step_changed";

/// A security notice about the second sign-in step (`what`: on, off, codes_renewed,
/// recovery_used).
pub fn two_step_changed(locale: Locale, what: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let body = match what {
        "on" => t(td_string!(locale, mail.two_step_on)),
        "off" => t(td_string!(locale, mail.two_step_off)),
        "codes_renewed" => t(td_string!(locale, mail.two_step_codes_renewed)),
        "recovery_used" => t(td_string!(locale, mail.two_step_recovery_used)),
        _ => return None,
    };
    let subject = t(td_string!(locale, mail.two_step_subject));
    let not_you = t(td_string!(locale, mail.changed_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{body}\n\n{not_you}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[escape(&body), escape(&not_you), escape(&signature)],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: Vec::new(),
    })
}

pub const EMAIL_CHANGED: &str = "email_changed";
pub const MOBILE_CHANGED: &str = "mobile_changed";
pub const MOBILE_CHANGED_SMS: &str = "mobile_changed_sms";

/// A security notice to the old address: the e-mail address or the mobile number was changed
/// (to `new`, masked).
pub fn contact_changed(locale: Locale, template: &str, new: &str) -> Option<Rendered> {
    let t = |s: &str| s.to_string();
    let body = match template {
        EMAIL_CHANGED => td_string!(locale, mail.email_changed, new = new).to_string(),
        MOBILE_CHANGED => td_string!(locale, mail.mobile_changed, new = new).to_string(),
        MOBILE_CHANGED_SMS => {
            return Some(Rendered::Sms {
                text: td_string!(locale, mail.mobile_changed_sms).to_string(),
            });
        }
        _ => return None,
    };
    let subject = t(td_string!(locale, mail.contact_changed_subject));
    let not_you = t(td_string!(locale, mail.changed_not_you));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!("{body}\n\n{not_you}\n\n{signature}\n");
    let html = email_html(
        locale,
        &[escape(&body), escape(&not_you), escape(&signature)],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: Vec::new(),
    })
}
