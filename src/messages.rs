//! Every notification the portal sends, by template name: the outbox stores the name, the
//! language and the parameters, and its worker renders them here at delivery time. Each
//! feature renders its own templates; this is the one list of features that send.

use crate::{features, platform::mail::Rendered};

pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    features::accounts::messages::render(template, language, params)
        .or_else(|| features::payments::messages::render(template, language, params))
        .or_else(|| features::vignette::messages::render(template, language, params))
        .or_else(|| features::idcard::notices::render(template, language, params))
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
