//! The vignette's e-mail: queued in the transaction that issues the vignette (so it goes out
//! once), with the vignette and its receipt attached as a PDF made at delivery time from the
//! message's parameters.

use super::document::{VignetteDocument, pdf};
use crate::{
    i18n::*,
    platform::mail::{Attachment, Rendered},
    platform::mail::{email_html, escape},
};

/// This feature's notification `template` in `language`; `None` for another feature's
/// template, another language or a missing parameter.
pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    let locale = crate::platform::mail::locale_of(language)?;
    match template {
        VIGNETTE_ISSUED => vignette_issued(locale, params),
        REMINDER => reminder(locale, params),
        REMINDER_SMS => reminder_sms(locale, params),
        _ => None,
    }
}

pub const VIGNETTE_ISSUED: &str = "vignette_issued";

/// Parameters: a `VignetteDocument`.
pub fn vignette_issued(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    let doc: VignetteDocument = serde_json::from_value(p.clone()).ok()?;
    let bytes = pdf(&doc, locale)
        .map_err(|e| tracing::error!(error = %e, "vignette PDF not made for the e-mail"))
        .ok()?;
    let t = |s: &str| s.to_string();
    let subject = format!(
        "{} {}",
        td_string!(locale, mail.vignette_subject, year = doc.campaign_year),
        doc.number
    );
    let intro = td_string!(
        locale,
        mail.vignette_intro,
        year = doc.campaign_year,
        plate = doc.plate.as_str()
    )
    .to_string();
    let number_label = t(td_string!(locale, purchase.number_label));
    let attached = t(td_string!(locale, mail.vignette_attached));
    let signature = t(td_string!(locale, mail.signature));
    let text = format!(
        "{intro}\n\n{number_label}: {}\n\n{attached}\n\n{signature}\n",
        doc.number
    );
    let html = email_html(
        locale,
        &[
            escape(&intro),
            format!(
                "{}: <strong><bdi dir=\"ltr\">{}</bdi></strong>",
                escape(&number_label),
                escape(&doc.number)
            ),
            escape(&attached),
            escape(&signature),
        ],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: vec![Attachment {
            file_name: doc.file_name(),
            content_type: "application/pdf".into(),
            bytes,
        }],
    })
}

pub const REMINDER: &str = "vignette_reminder";
pub const REMINDER_SMS: &str = "vignette_reminder_sms";

/// A reminder's facts, from the message's parameters (`reminders::server::run` writes them).
struct Reminder {
    ending: bool,
    plate: String,
    year: i64,
    ends: String,
    amount: String,
    buy: String,
    stop: String,
}

fn reminder_of(locale: Locale, p: &serde_json::Value) -> Option<Reminder> {
    let s = |k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let lang = leptos_i18n::Locale::as_str(locale);
    let currency = crate::domain::money::Currency::parse(&s("currency")?)?;
    let ends = crate::domain::date::Date::parse_iso(&s("ends")?)?;
    Some(Reminder {
        ending: s("kind")? == "ending",
        plate: s("plate")?,
        year: p.get("year")?.as_i64()?,
        ends: format!("{:02}/{:02}/{}", ends.day, ends.month, ends.year),
        amount: crate::domain::money::Money::new(p.get("amount_minor")?.as_i64()?, currency)
            .format(lang),
        buy: s("buy")?,
        stop: s("stop")?,
    })
}

/// The campaign has opened, or ends in a week: the vehicle, the amount, the last day, a link
/// to buy, and a link to stop these reminders.
pub fn reminder(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    let r = reminder_of(locale, p)?;
    let (subject, intro) = if r.ending {
        (
            td_string!(locale, mail.reminder_ending_subject, year = r.year).to_string(),
            td_string!(
                locale,
                mail.reminder_ending_intro,
                year = r.year,
                plate = r.plate.as_str(),
                date = r.ends.as_str()
            )
            .to_string(),
        )
    } else {
        (
            td_string!(locale, mail.reminder_opened_subject, year = r.year).to_string(),
            td_string!(
                locale,
                mail.reminder_opened_intro,
                year = r.year,
                plate = r.plate.as_str(),
                date = r.ends.as_str()
            )
            .to_string(),
        )
    };
    let amount = td_string!(locale, mail.reminder_amount, amount = r.amount.as_str()).to_string();
    let buy = td_string!(locale, mail.reminder_buy).to_string();
    let stop = td_string!(locale, mail.reminder_stop).to_string();
    let signature = td_string!(locale, mail.signature).to_string();
    let text = format!(
        "{intro}\n\n{amount}\n\n{buy}: {}\n\n{signature}\n\n{stop}: {}\n",
        r.buy, r.stop
    );
    let html = email_html(
        locale,
        &[
            escape(&intro),
            escape(&amount),
            format!("<a href=\"{}\">{}</a>", escape(&r.buy), escape(&buy)),
            escape(&signature),
            format!(
                "<small><a href=\"{}\">{}</a></small>",
                escape(&r.stop),
                escape(&stop)
            ),
        ],
    );
    Some(Rendered::Email {
        subject,
        text,
        html,
        attachments: vec![],
    })
}

/// The same, short, by SMS (the link to buy; the stop link is in the e-mail and the account).
pub fn reminder_sms(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    let r = reminder_of(locale, p)?;
    let text = if r.ending {
        td_string!(
            locale,
            mail.reminder_ending_sms,
            year = r.year,
            plate = r.plate.as_str(),
            date = r.ends.as_str(),
            link = r.buy.as_str()
        )
        .to_string()
    } else {
        td_string!(
            locale,
            mail.reminder_opened_sms,
            year = r.year,
            plate = r.plate.as_str(),
            date = r.ends.as_str(),
            link = r.buy.as_str()
        )
        .to_string()
    };
    Some(Rendered::Sms { text })
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::platform::mail::Rendered;
    use serde_json::json;

    #[test]
    fn the_vignette_e_mail_carries_the_pdf_in_three_languages() {
        let params = json!({
            "number": "2026-7K3M-9QX2", "plate": "12345 119 16", "vin": "VF1RFB00X56123456",
            "category": 1, "campaign_year": 2026, "valid_until": "2026-12-31",
            "amount_minor": 225000, "currency": "DZD", "payment_reference": "PAY-ABCDEFGHJK",
            "issued_at": 1795000000, "duplicate_issued_at": null,
        });
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email {
                subject,
                text,
                html,
                attachments,
            }) = render(super::VIGNETTE_ISSUED, language, &params)
            else {
                panic!("no vignette e-mail in {language}");
            };
            assert!(subject.ends_with("2026-7K3M-9QX2"), "{subject}");
            assert!(text.contains("12345 119 16") && html.contains("2026-7K3M-9QX2"));
            assert_eq!(attachments.len(), 1);
            assert_eq!(attachments[0].file_name, "vignette-2026-7K3M-9QX2.pdf");
            assert!(attachments[0].bytes.starts_with(b"%PDF-"));
        }
        assert_eq!(
            render(super::VIGNETTE_ISSUED, "en", &json!({ "number": "x" })),
            None
        );
    }

    #[test]
    fn reminders_exist_by_e_mail_and_sms_in_three_languages() {
        for kind in ["opened", "ending"] {
            let params = json!({
                "kind": kind, "plate": "12345 119 16", "year": 2026, "ends": "2026-05-31",
                "amount_minor": 225000, "currency": "DZD",
                "buy": "https://bawaba.example/vignette/buy/v1",
                "stop": "https://bawaba.example/vignette/reminders/stop/a.b",
            });
            for language in ["ar", "fr", "en"] {
                let Some(Rendered::Email {
                    subject,
                    text,
                    html,
                    ..
                }) = render("vignette_reminder", language, &params)
                else {
                    panic!("no reminder e-mail in {language}");
                };
                assert!(subject.contains("2026"), "{subject}");
                for part in [&text, &html] {
                    assert!(part.contains("12345 119 16") && part.contains("31/05/2026"));
                    assert!(part.contains("/vignette/buy/v1"), "{part}");
                    assert!(part.contains("/vignette/reminders/stop/a.b"), "{part}");
                }
                let Some(Rendered::Sms { text }) =
                    render("vignette_reminder_sms", language, &params)
                else {
                    panic!("no reminder SMS in {language}");
                };
                assert!(text.contains("/vignette/buy/v1") && text.contains("12345 119 16"));
            }
        }
        let params = json!({ "kind": "opened" });
        assert_eq!(render("vignette_reminder", "en", &params), None);
    }
}
