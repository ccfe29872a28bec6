//! The payments feature's notifications, each queued in the transaction that records its
//! event, so that it goes out once per event: the receipt (a success) and the refund notice.

use crate::{
    domain::money::{Currency, Money},
    i18n::*,
    platform::mail::Rendered,
    platform::mail::{email_html, escape},
};

/// This feature's notification `template` in `language`; `None` for another feature's
/// template, another language or a missing parameter.
pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    let locale = crate::platform::mail::locale_of(language)?;
    match template {
        RECEIPT => receipt(locale, params),
        REFUND => refund(locale, params),
        _ => None,
    }
}

pub const RECEIPT: &str = "payment_receipt";
pub const REFUND: &str = "payment_refund";

/// What both e-mails say of a payment: parameters `reference`, `description`,
/// `amount_minor`, `currency` and `link`.
struct About<'a> {
    p: &'a serde_json::Value,
    reference: &'a str,
    amount: String,
    link: &'a str,
}

impl<'a> About<'a> {
    fn read(locale: Locale, p: &'a serde_json::Value) -> Option<Self> {
        let s = |k: &str| p.get(k).and_then(|v| v.as_str());
        let amount = Money::new(
            p.get("amount_minor")?.as_i64()?,
            Currency::parse(s("currency")?)?,
        );
        Some(About {
            p,
            reference: s("reference")?,
            amount: amount.format(leptos_i18n::Locale::as_str(locale)),
            link: s("link")?,
        })
    }

    /// A text parameter; empty when missing.
    fn text(&self, key: &str) -> String {
        self.p
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// The receipt. Parameters: those of [`About`], and `method`, `brand`, `masked`, `paid_at`
/// (Unix seconds).
pub fn receipt(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    let a = About::read(locale, p)?;
    let s = |k: &str| p.get(k).and_then(|v| v.as_str());
    let t = |s: &str| s.to_string();
    let rows = [
        (t(td_string!(locale, payments.reference)), t(a.reference)),
        (
            t(td_string!(locale, payments.for_label)),
            a.text("description"),
        ),
        (t(td_string!(locale, payments.amount)), a.amount.clone()),
        (
            t(td_string!(locale, payments.method)),
            super::pages::method_text(locale, s("method"), s("brand"), s("masked")),
        ),
        (
            t(td_string!(locale, payments.paid_at)),
            crate::domain::date::utc_time(p.get("paid_at")?.as_i64()?),
        ),
    ];
    let subject = format!(
        "{} {}",
        td_string!(locale, mail.receipt_subject),
        a.reference
    );
    let intro = t(td_string!(locale, mail.receipt_intro));
    Some(details_email(locale, subject, intro, &rows, a.link))
}

/// A refund notice. Parameters: those of [`About`] (the amount refunded this time), and
/// `reason`.
pub fn refund(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    let a = About::read(locale, p)?;
    let t = |s: &str| s.to_string();
    let rows = [
        (t(td_string!(locale, payments.reference)), t(a.reference)),
        (
            t(td_string!(locale, payments.for_label)),
            a.text("description"),
        ),
        (t(td_string!(locale, mail.refund_amount)), a.amount.clone()),
        (t(td_string!(locale, mail.refund_reason)), a.text("reason")),
    ];
    let subject = format!(
        "{} {}",
        td_string!(locale, mail.refund_subject),
        a.reference
    );
    let intro = t(td_string!(locale, mail.refund_intro));
    Some(details_email(locale, subject, intro, &rows, a.link))
}

/// An e-mail made of an introduction, a list of details and a link to the payment's page.
fn details_email(
    locale: Locale,
    subject: String,
    intro: String,
    rows: &[(String, String)],
    link: &str,
) -> Rendered {
    let keep = td_string!(locale, mail.receipt_keep).to_string();
    let signature = td_string!(locale, mail.signature).to_string();
    let text_rows: String = rows.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    let text = format!("{intro}\n\n{text_rows}\n{keep}\n{link}\n\n{signature}\n");
    // Each value is isolated: references, amounts and masked numbers keep their order in
    // Arabic text.
    let html_rows = rows
        .iter()
        .map(|(k, v)| format!("{}: <bdi>{}</bdi>", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("<br>");
    let html = email_html(
        locale,
        &[
            escape(&intro),
            html_rows,
            format!(
                "{}<br><a href=\"{l}\" dir=\"ltr\">{l}</a>",
                escape(&keep),
                l = escape(link)
            ),
            escape(&signature),
        ],
    );
    Rendered::Email {
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::platform::mail::Rendered;
    use serde_json::{Value, json};

    /// Renders `template` in each language and checks that the subject ends with the
    /// payment's reference and that the text and the HTML both carry each of `parts`
    /// (written with the French decimal comma; English gets its point).
    fn says_everywhere(template: &str, params: Value, parts: &[&str]) {
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email {
                subject,
                text,
                html,
                ..
            }) = render(template, language, &params)
            else {
                panic!("no {template} in {language}");
            };
            assert!(subject.ends_with("PAY-7K3M9Q2XVB"), "{subject}");
            for part in parts {
                let part = if language == "en" {
                    part.replace("500,50", "500.50")
                } else {
                    part.to_string()
                };
                assert!(
                    text.contains(&part) && html.contains(&part),
                    "{part} in {language}"
                );
            }
            assert_eq!(html.contains("dir=\"rtl\""), language == "ar");
        }
    }

    #[test]
    fn the_receipt_exists_in_three_languages_with_every_detail() {
        let params = json!({
            "reference": "PAY-7K3M9Q2XVB", "description": "Vignette 2026", "amount_minor": 200_000,
            "currency": "DZD", "method": "card", "brand": "edahabia", "masked": "•••• 0009",
            "paid_at": 1_795_993_500, "link": "https://bawaba.example/payments/p1",
        });
        says_everywhere(
            super::RECEIPT,
            params,
            &[
                "PAY-7K3M9Q2XVB",
                "2\u{202F}000",
                "Edahabia",
                "•••• 0009",
                "2026-11-29 23:05 UTC",
                "https://bawaba.example/payments/p1",
            ],
        );
        assert_eq!(
            render(super::RECEIPT, "en", &json!({ "reference": "x" })),
            None
        );
    }

    #[test]
    fn the_refund_notice_says_how_much_and_why_in_three_languages() {
        let params = json!({
            "reference": "PAY-7K3M9Q2XVB", "description": "Vignette 2026", "amount_minor": 50_050,
            "currency": "DZD", "reason": "Paid twice", "link": "https://bawaba.example/payments/p1",
        });
        says_everywhere(
            super::REFUND,
            params,
            &[
                "500,50",
                "Paid twice",
                "Vignette 2026",
                "https://bawaba.example/payments/p1",
            ],
        );
    }
}
