//! The vignette as a PDF, with its payment receipt, drawn from a `VignetteDocument`.
//!
//! The page follows the reader's language: right to left in Arabic (labels on the right),
//! left to right otherwise. Plates, chassis numbers, vignette numbers, dates and references
//! are left-to-right islands in every language.

use super::VignetteDocument;
use crate::{
    domain::date::Date,
    i18n::*,
    platform::pdf::{Row, Weight, Writer, a4_page, color, ink, text_colour},
};

fn day_month_year(iso: &str) -> String {
    Date::parse_iso(iso)
        .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_else(|| iso.to_string())
}

/// The QR code's square, quiet zone included (about 0.7 mm a module for a vignette's seal).
const QR_SIDE: f32 = 124.0;

/// The vignette and its receipt on one A4 page, in `locale`.
pub fn pdf(doc: &VignetteDocument, locale: Locale) -> Result<Vec<u8>, String> {
    let lang = leptos_i18n::Locale::as_str(locale);
    let rtl = lang == "ar";
    let w = Writer { rtl };
    let amount = doc.amount().ok_or("unknown currency")?.format(lang);
    let category = match doc.category {
        1 => td_string!(locale, calculator.category_1),
        2 => td_string!(locale, calculator.category_2),
        3 => td_string!(locale, calculator.category_3),
        4 => td_string!(locale, calculator.category_4),
        5 => td_string!(locale, calculator.category_5),
        6 => td_string!(locale, calculator.category_6),
        7 => td_string!(locale, calculator.category_7),
        8 => td_string!(locale, calculator.category_8),
        _ => td_string!(locale, calculator.category_9),
    };
    let issued = crate::domain::date::utc_time(doc.issued_at);
    // The vignette's facts, then the receipt's, in one value column.
    let vignette_rows = [
        Row::new(
            td_string!(locale, vehicles.plate_label),
            doc.plate.clone(),
            true,
        ),
        Row::new(
            td_string!(locale, vehicles.vin_label),
            doc.vin.clone(),
            true,
        ),
        Row::new(
            td_string!(locale, calculator.category_label),
            category,
            false,
        ),
        Row::new(
            td_string!(locale, purchase.row_campaign),
            doc.campaign_year.to_string(),
            true,
        ),
        Row::new(
            td_string!(locale, purchase.row_valid_until),
            day_month_year(&doc.valid_until),
            true,
        ),
        Row::new(
            td_string!(locale, purchase.row_issued),
            issued.clone(),
            true,
        ),
    ];
    let receipt_rows = [
        Row::new(
            td_string!(locale, payments.reference),
            doc.payment_reference.clone(),
            true,
        ),
        Row::new(td_string!(locale, purchase.row_amount), amount, !rtl),
        Row::new(td_string!(locale, payments.paid_at), issued, true),
    ];
    let value_column = w.value_column(vignette_rows.iter().chain(&receipt_rows));

    a4_page(|surface| {
        w.band(
            surface,
            td_string!(locale, portal_name),
            &td_string!(locale, purchase.pdf_title, year = doc.campaign_year).to_string(),
        );
        // The number, large, and the seal an officer scans.
        w.headline(
            surface,
            td_string!(locale, purchase.number_label),
            &doc.number,
        );
        if let Some(qr) = &doc.qr {
            w.seal(
                surface,
                qr,
                td_string!(locale, purchase.pdf_qr_caption),
                QR_SIDE,
            )?;
        }
        let mut y = 214.0;
        if let Some(at) = doc.duplicate_issued_at {
            let text = td_string!(
                locale,
                purchase.pdf_duplicate,
                date = crate::domain::date::utc_time(at)
            )
            .to_string();
            text_colour(surface, color(0xb3, 0x26, 0x1e));
            w.text(surface, &text, 13.0, Weight::Bold, 0.0, y);
            text_colour(surface, ink());
            y += 26.0;
        }
        w.rows(surface, &mut y, &vignette_rows, value_column);

        // The receipt, under a rule.
        w.section(
            surface,
            &mut y,
            td_string!(locale, purchase.pdf_receipt_title),
        );
        w.rows(surface, &mut y, &receipt_rows, value_column);
        w.footer(surface, td_string!(locale, purchase.pdf_footer));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_made_in_every_language() {
        for locale in [Locale::ar, Locale::fr, Locale::en] {
            let bytes = pdf(&VignetteDocument::sample(), locale).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{locale:?}");
            assert!(bytes.len() > 5_000, "fonts embedded");
        }
        let mut unsealed = VignetteDocument::sample();
        unsealed.qr = None;
        assert!(
            pdf(&unsealed, Locale::fr).is_ok(),
            "a vignette from before seals"
        );
        let mut copy = VignetteDocument::sample();
        copy.duplicate_issued_at = Some(1_796_000_000);
        assert!(pdf(&copy, Locale::ar).is_ok());
        assert_eq!(
            VignetteDocument::sample().file_name(),
            "vignette-2026-7K3M-9QX2.pdf"
        );
    }
}
