//! The vignette as a PDF, with its payment receipt, drawn from a `VignetteDocument`.
//!
//! The page follows the reader's language: right to left in Arabic (labels on the right),
//! left to right otherwise. Plates, chassis numbers, vignette numbers, dates and references
//! are left-to-right islands in every language.

use super::VignetteDocument;
use crate::{
    domain::date::Date,
    i18n::*,
    platform::pdf::{Line, Weight, color, fill_rect, qr_code, text_colour},
};
use krilla::{Document, page::PageSettings};

fn day_month_year(iso: &str) -> String {
    Date::parse_iso(iso)
        .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_else(|| iso.to_string())
}

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 48.0;
/// Between the widest label and the values.
const LABEL_GAP: f32 = 28.0;
const LABEL_SIZE: f32 = 11.0;
/// The QR code's square, quiet zone included (about 0.7 mm a module for a vignette's seal).
const QR_SIDE: f32 = 124.0;

/// The page, drawn along the reader's direction: `start` is the right edge in Arabic.
struct Writer {
    rtl: bool,
}

impl Writer {
    /// Left end of `line` placed `from_start` points in from the start edge.
    fn x(&self, line: &Line, from_start: f32) -> f32 {
        if self.rtl {
            A4.0 - MARGIN - from_start - line.width()
        } else {
            MARGIN + from_start
        }
    }
}

/// The vignette and its receipt on one A4 page, in `locale`.
pub fn pdf(doc: &VignetteDocument, locale: Locale) -> Result<Vec<u8>, String> {
    let lang = leptos_i18n::Locale::as_str(locale);
    let rtl = lang == "ar";
    let w = Writer { rtl };
    let amount = doc.amount().ok_or("unknown currency")?.format(lang);
    let s = |t: &str| t.to_string();
    let category = match doc.category {
        1 => s(td_string!(locale, calculator.category_1)),
        2 => s(td_string!(locale, calculator.category_2)),
        3 => s(td_string!(locale, calculator.category_3)),
        4 => s(td_string!(locale, calculator.category_4)),
        5 => s(td_string!(locale, calculator.category_5)),
        6 => s(td_string!(locale, calculator.category_6)),
        7 => s(td_string!(locale, calculator.category_7)),
        8 => s(td_string!(locale, calculator.category_8)),
        _ => s(td_string!(locale, calculator.category_9)),
    };
    let issued = crate::domain::date::utc_time(doc.issued_at);

    let mut document = Document::new();
    let settings = PageSettings::from_wh(A4.0, A4.1).ok_or("page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let ink = color(0x16, 0x20, 0x1d);
    let muted = color(0x44, 0x52, 0x4d);
    let green = color(0x0b, 0x5d, 0x4b);
    let white = color(0xff, 0xff, 0xff);

    // The band: the portal and what the document is.
    fill_rect(&mut surface, 0.0, 0.0, A4.0, 96.0, green);
    text_colour(&mut surface, white);
    let portal = Line::new(td_string!(locale, portal_name), 22.0, Weight::Bold, rtl);
    portal.draw(&mut surface, w.x(&portal, 0.0), 44.0);
    let title = Line::new(
        &td_string!(locale, purchase.pdf_title, year = doc.campaign_year).to_string(),
        15.0,
        Weight::Regular,
        rtl,
    );
    title.draw(&mut surface, w.x(&title, 0.0), 76.0);

    // The number, large: what an officer reads out.
    text_colour(&mut surface, muted);
    let label = Line::new(
        td_string!(locale, purchase.number_label),
        12.0,
        Weight::Regular,
        rtl,
    );
    label.draw(&mut surface, w.x(&label, 0.0), 140.0);
    text_colour(&mut surface, ink);
    let number = Line::new(&doc.number, 34.0, Weight::Bold, false);
    number.draw(&mut surface, w.x(&number, 0.0), 184.0);
    // The QR code at the end edge, level with the number: the seal an officer scans.
    if let Some(qr) = &doc.qr {
        let x = if rtl { MARGIN } else { A4.0 - MARGIN - QR_SIDE };
        qr_code(&mut surface, qr, x, 112.0, QR_SIDE, ink)?;
        text_colour(&mut surface, muted);
        let caption = Line::new(
            td_string!(locale, purchase.pdf_qr_caption),
            8.5,
            Weight::Regular,
            rtl,
        );
        caption.draw(
            &mut surface,
            x + (QR_SIDE - caption.width()) / 2.0,
            112.0 + QR_SIDE + 10.0,
        );
        text_colour(&mut surface, ink);
    }
    let mut y = 214.0;
    if let Some(at) = doc.duplicate_issued_at {
        let text = td_string!(
            locale,
            purchase.pdf_duplicate,
            date = crate::domain::date::utc_time(at)
        )
        .to_string();
        text_colour(&mut surface, color(0xb3, 0x26, 0x1e));
        let line = Line::new(&text, 13.0, Weight::Bold, rtl);
        line.draw(&mut surface, w.x(&line, 0.0), y);
        text_colour(&mut surface, ink);
        y += 26.0;
    }

    // label, value, whether the value is a left-to-right island.
    let vignette_rows = [
        (
            s(td_string!(locale, vehicles.plate_label)),
            doc.plate.clone(),
            true,
        ),
        (
            s(td_string!(locale, vehicles.vin_label)),
            doc.vin.clone(),
            true,
        ),
        (
            s(td_string!(locale, calculator.category_label)),
            category,
            false,
        ),
        (
            s(td_string!(locale, purchase.row_campaign)),
            doc.campaign_year.to_string(),
            true,
        ),
        (
            s(td_string!(locale, purchase.row_valid_until)),
            day_month_year(&doc.valid_until),
            true,
        ),
        (
            s(td_string!(locale, purchase.row_issued)),
            issued.clone(),
            true,
        ),
    ];
    let receipt_rows = [
        (
            s(td_string!(locale, payments.reference)),
            doc.payment_reference.clone(),
            true,
        ),
        (s(td_string!(locale, purchase.row_amount)), amount, !rtl),
        (s(td_string!(locale, payments.paid_at)), issued, true),
    ];
    // One value column for both lists, clear of the widest label in this language.
    let value_column = vignette_rows
        .iter()
        .chain(&receipt_rows)
        .map(|(label, _, _)| Line::new(label, LABEL_SIZE, Weight::Regular, rtl).width())
        .fold(0.0, f32::max)
        + LABEL_GAP;
    let rows =
        |surface: &mut krilla::surface::Surface, y: &mut f32, rows: &[(String, String, bool)]| {
            for (label, value, island) in rows {
                text_colour(surface, muted);
                let l = Line::new(label, LABEL_SIZE, Weight::Regular, rtl);
                l.draw(surface, w.x(&l, 0.0), *y);
                text_colour(surface, ink);
                let v = Line::new(value, 13.0, Weight::Regular, rtl && !island);
                v.draw(surface, w.x(&v, value_column), *y);
                *y += 28.0;
            }
        };
    rows(&mut surface, &mut y, &vignette_rows);

    // The receipt, under a rule.
    y += 14.0;
    fill_rect(&mut surface, MARGIN, y, A4.0 - 2.0 * MARGIN, 1.0, muted);
    y += 36.0;
    let heading = Line::new(
        td_string!(locale, purchase.pdf_receipt_title),
        16.0,
        Weight::Bold,
        rtl,
    );
    heading.draw(&mut surface, w.x(&heading, 0.0), y);
    y += 32.0;
    rows(&mut surface, &mut y, &receipt_rows);

    // The footer.
    text_colour(&mut surface, muted);
    let footer = Line::new(
        td_string!(locale, purchase.pdf_footer),
        9.5,
        Weight::Regular,
        rtl,
    );
    footer.draw(&mut surface, w.x(&footer, 0.0), A4.1 - MARGIN);

    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("{e:?}"))
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
