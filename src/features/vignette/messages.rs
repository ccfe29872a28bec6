//! The vignette's e-mail: queued in the transaction that issues the vignette (so it goes out
//! once), with the vignette and its receipt attached as a PDF made at delivery time from the
//! message's parameters.

use super::document::{VignetteDocument, pdf};
use crate::{
    features::messages::{email_html, escape},
    i18n::*,
    platform::mail::{Attachment, Rendered},
};

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

#[cfg(test)]
mod tests {
    use crate::{features::messages::render, platform::mail::Rendered};
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
}
