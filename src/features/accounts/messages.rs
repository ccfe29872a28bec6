//! The accounts feature's notifications.

use crate::{
    i18n::*,
    platform::mail::{Letter, Rendered},
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
    Some(
        Letter::new(locale, td_string!(locale, mail.verify_subject))
            .para(td_string!(locale, mail.verify_intro))
            .code(code)
            .link(td_string!(locale, mail.verify_link), link)
            .para(td_string!(locale, mail.verify_expiry))
            .para(td_string!(locale, mail.verify_not_you))
            .signed(),
    )
}

pub const REGISTRATION_ATTEMPT: &str = "registration_attempt";

/// To the holder of an account when someone tries to register again with its e-mail address
/// or identity number (`what`: `email` or `identity`). The person registering is told nothing
/// more than "if this address is new, a code is on its way".
pub fn registration_attempt(locale: Locale, what: &str, sign_in: &str) -> Option<Rendered> {
    let intro = match what {
        "email" => td_string!(locale, mail.attempt_email),
        "identity" => td_string!(locale, mail.attempt_identity),
        _ => return None,
    };
    Some(
        Letter::new(locale, td_string!(locale, mail.attempt_subject))
            .para(intro)
            .link(td_string!(locale, mail.attempt_if_you), sign_in)
            .para(td_string!(locale, mail.attempt_if_not))
            .signed(),
    )
}

pub const PASSWORD_RESET: &str = "password_reset";

/// The link to choose a new password.
pub fn password_reset(locale: Locale, link: &str) -> Option<Rendered> {
    Some(
        Letter::new(locale, td_string!(locale, mail.reset_subject))
            .link(td_string!(locale, mail.reset_intro), link)
            .para(td_string!(locale, mail.reset_expiry))
            .para(td_string!(locale, mail.reset_not_you))
            .signed(),
    )
}

pub const ACCOUNT_LOCKED: &str = "account_locked";

/// To the holder when wrong passwords lock their account: what happened, and the one-time link
/// that lets them sign in on their own device despite the lock (`lock_pass`).
pub fn account_locked(locale: Locale, link: &str) -> Option<Rendered> {
    Some(
        Letter::new(locale, td_string!(locale, mail.locked_subject))
            .para(td_string!(locale, mail.locked_intro))
            .link(td_string!(locale, mail.locked_link), link)
            .para(td_string!(locale, mail.locked_expiry))
            .para(td_string!(locale, mail.locked_not_you))
            .signed(),
    )
}

pub const PASSWORD_CHANGED: &str = "password_changed";

/// A security notice: the password was changed.
pub fn password_changed(locale: Locale) -> Option<Rendered> {
    Some(security_notice(
        locale,
        td_string!(locale, mail.changed_subject),
        td_string!(locale, mail.changed_body),
    ))
}

/// A change to the account the holder should know of, and what to do if it was not them.
fn security_notice(locale: Locale, subject: &str, body: &str) -> Rendered {
    Letter::new(locale, subject)
        .para(body)
        .para(td_string!(locale, mail.changed_not_you))
        .signed()
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
    let body = match what {
        "on" => td_string!(locale, mail.two_step_on),
        "off" => td_string!(locale, mail.two_step_off),
        "codes_renewed" => td_string!(locale, mail.two_step_codes_renewed),
        "recovery_used" => td_string!(locale, mail.two_step_recovery_used),
        _ => return None,
    };
    Some(security_notice(
        locale,
        td_string!(locale, mail.two_step_subject),
        body,
    ))
}

pub const EMAIL_CHANGED: &str = "email_changed";
pub const MOBILE_CHANGED: &str = "mobile_changed";
pub const MOBILE_CHANGED_SMS: &str = "mobile_changed_sms";

/// A security notice to the old address: the e-mail address or the mobile number was changed
/// (to `new`, masked).
pub fn contact_changed(locale: Locale, template: &str, new: &str) -> Option<Rendered> {
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
    Some(security_notice(
        locale,
        td_string!(locale, mail.contact_changed_subject),
        &body,
    ))
}
