//! Every notification the portal sends, by template name: the outbox stores the name, the
//! language and the parameters, and the worker renders them here at delivery time.

use crate::platform::mail::Rendered;

pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    let locale = match language {
        "ar" => crate::i18n::Locale::ar,
        "fr" => crate::i18n::Locale::fr,
        "en" => crate::i18n::Locale::en,
        _ => return None,
    };
    let param = |name: &str| {
        params
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    match template {
        super::accounts::messages::EMAIL_VERIFICATION => {
            super::accounts::messages::email_verification(locale, &param("code")?, &param("link")?)
        }
        super::accounts::messages::REGISTRATION_ATTEMPT => {
            super::accounts::messages::registration_attempt(
                locale,
                &param("what")?,
                &param("sign_in")?,
            )
        }
        super::accounts::messages::PASSWORD_RESET => {
            super::accounts::messages::password_reset(locale, &param("link")?)
        }
        super::accounts::messages::ACCOUNT_LOCKED => {
            super::accounts::messages::account_locked(locale, &param("link")?)
        }
        super::accounts::messages::PASSWORD_CHANGED => {
            super::accounts::messages::password_changed(locale)
        }
        super::accounts::messages::SMS_CODE => {
            super::accounts::messages::sms_code(locale, &param("code")?)
        }
        t @ (super::accounts::messages::EMAIL_CHANGED
        | super::accounts::messages::MOBILE_CHANGED
        | super::accounts::messages::MOBILE_CHANGED_SMS) => {
            super::accounts::messages::contact_changed(locale, t, &param("new")?)
        }
        super::accounts::messages::TWO_STEP_CHANGED => {
            super::accounts::messages::two_step_changed(locale, &param("what")?)
        }
        super::payments::messages::RECEIPT => super::payments::messages::receipt(locale, params),
        super::payments::messages::REFUND => super::payments::messages::refund(locale, params),
        super::vignette::messages::VIGNETTE_ISSUED => {
            super::vignette::messages::vignette_issued(locale, params)
        }
        super::vignette::messages::REMINDER => super::vignette::messages::reminder(locale, params),
        super::vignette::messages::REMINDER_SMS => {
            super::vignette::messages::reminder_sms(locale, params)
        }
        _ => None,
    }
}

/// Text for HTML bodies.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_verification_e_mail_exists_in_three_languages_and_reads_right_to_left_in_arabic() {
        let params = json!({ "code": "493817", "link": "https://bawaba.example/verify?t=a&b" });
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email {
                subject,
                text,
                html,
                ..
            }) = render("email_verification", language, &params)
            else {
                panic!("no e-mail in {language}");
            };
            assert!(!subject.is_empty());
            assert!(text.contains("493817") && html.contains("493817"));
            // The link is escaped in HTML and kept as is in the text part.
            assert!(html.contains("verify?t=a&amp;b") && text.contains("verify?t=a&b"));
            let rtl = html.contains("lang=\"ar\" dir=\"rtl\"");
            assert_eq!(rtl, language == "ar", "{language}");
        }
        assert_eq!(render("email_verification", "de", &params), None);
        assert_eq!(render("email_verification", "en", &json!({})), None);
        assert_eq!(render("no_such_template", "en", &params), None);
    }
}
