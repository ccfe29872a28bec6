//! The appointment slip: a PDF in the applicant's language (the centre, its place, the day and
//! time, what to bring, the application number, and a QR code with the appointment's seal,
//! which the officer scans at check-in) and a calendar file in Doha time. Both are made from a
//! `SlipDocument`, read from the live appointment alone: the e-mail sent when the appointment
//! is booked or moved carries the document as its parameters and attaches both files at
//! delivery time; the appointment page offers them for download to the application's owner.

use crate::{
    domain::{
        idcard::{
            application::RequestType,
            slip::{Bring, bring},
            slots::Slot,
        },
        money::{Currency, Money},
        reference::ServiceCentre,
    },
    features::idcard::application_path,
    i18n::*,
};
use serde::{Deserialize, Serialize};

/// The slip of application `id`'s live appointment, as a PDF, and as a calendar file.
pub fn pdf_path(id: &str) -> String {
    format!("{}/appointment/slip.pdf", application_path(id))
}

pub fn ics_path(id: &str) -> String {
    format!("{}/appointment/slip.ics", application_path(id))
}

/// One thing to bring, as the applicant reads it (`fee`: what is paid at the centre).
pub fn bring_line(locale: Locale, item: Bring, fee: Option<Money>) -> String {
    let lang = leptos_i18n::Locale::as_str(locale);
    match item {
        Bring::Identity => td_string!(locale, appointment.bring_identity).to_string(),
        Bring::Originals => td_string!(locale, appointment.bring_originals).to_string(),
        Bring::DamagedCard => td_string!(locale, appointment.bring_damaged_card).to_string(),
        Bring::Fee => {
            let amount = fee.map(|f| f.format(lang)).unwrap_or_default();
            td_string!(locale, appointment.bring_fee, amount = amount.as_str()).to_string()
        }
    }
}

/// Everything the slip shows, from the live appointment and its application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlipDocument {
    pub appointment_id: String,
    pub reference: String,
    /// `RequestType::code`.
    pub request: String,
    pub centre: ServiceCentre,
    pub starts_at: i64,
    pub minutes: u16,
    pub booked_at: i64,
    /// Set when the fee is paid at the centre: it is on the list of things to bring.
    pub fee_at_centre: Option<Money>,
    /// What the QR code says: the appointment's seal (`domain::idcard::slip::SlipSeal`).
    pub seal: Option<String>,
}

impl SlipDocument {
    pub fn slot(&self) -> Slot {
        Slot::from_starts_at(self.starts_at)
    }

    pub fn bring(&self) -> Vec<Bring> {
        let request = RequestType::parse(&self.request).unwrap_or(RequestType::New);
        bring(request, self.fee_at_centre.is_some())
    }

    /// The file name a download or an attachment gets (`ext`: pdf, ics).
    pub fn file_name(&self, ext: &str) -> String {
        format!("appointment-{}.{ext}", self.reference)
    }

    /// A slip as printed (for the tests and the PDF benchmark).
    #[doc(hidden)]
    pub fn sample() -> Self {
        Self {
            appointment_id: "0b8f6c1e-5d2a-4f7e-9a61-3c2d1e0f9a8b".into(),
            reference: "ID-7K2M9Q4TXR".into(),
            request: "damaged".into(),
            centre: ServiceCentre {
                code: "WAK".into(),
                name_ar: "مركز خدمات الوكرة".into(),
                name_en: "Al Wakrah Service Centre".into(),
                municipality: "Al Wakrah".into(),
                municipality_ar: "الوكرة".into(),
                opens: "07:00".into(),
                closes: "14:00".into(),
                counters: 3,
                position: crate::domain::geo::Point::new(25_171_500, 51_603_400),
            },
            // Sunday 6 December 2026, 09:15 in Doha.
            starts_at: 1_796_537_700,
            minutes: 15,
            booked_at: 1_796_400_000,
            fee_at_centre: Some(Money::new(12_000, Currency::parse("QAR").expect("QAR"))),
            seal: Some(format!(
                "BA1.ID-7K2M9Q4TXR.WAK.1796537700.1796400000.K4ZP6R2M0A.{}",
                "A".repeat(86)
            )),
        }
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use super::SlipDocument;
    use crate::{
        domain::{
            idcard::slots::Slot,
            money::{Currency, Money},
        },
        error::{AppError, OrUnavailable},
        i18n::*,
        platform::{
            db::DbError,
            ics,
            mail::Attachment,
            pdf::{Row, Writer, a4_page, muted, text_colour},
        },
        ui::text::long_date,
    };

    /// The slip of application `id`'s live appointment; `None` when it has none. `account`:
    /// only if the application is theirs (`None`: whoever's it is, for the notification).
    pub async fn document(
        conn: &mut sqlx::AnyConnection,
        id: &str,
        account: Option<&str>,
    ) -> Result<Option<SlipDocument>, DbError> {
        #[derive(sqlx::FromRow)]
        struct Found {
            appointment_id: String,
            account_id: String,
            reference: String,
            request_type: String,
            fee_minor: Option<i64>,
            fee_currency: Option<String>,
            starts_at: i64,
            booked_at: i64,
            seal: Option<String>,
            centre_code: String,
        }
        let row: Option<Found> = sqlx::query_as(
            "SELECT p.id AS appointment_id, a.account_id, a.reference, a.request_type,
               a.fee_minor, a.fee_currency, p.starts_at, p.created_at AS booked_at, p.seal,
               p.centre_code
             FROM idcard_appointments p
             JOIN idcard_applications a ON a.id = p.application_id
             WHERE p.application_id = $1 AND p.ended_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row.filter(|r| account.is_none_or(|a| a == r.account_id)) else {
            return Ok(None);
        };
        // Paying at the centre: the last payment choice was the centre, not the card.
        let last: Option<(String,)> = sqlx::query_as(
            "SELECT event FROM idcard_application_events
             WHERE application_id = $1 AND event IN ('paid_online', 'chose_pay_at_centre')
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let at_centre = last.is_some_and(|(e,)| e == "chose_pay_at_centre");
        let fee = row
            .fee_minor
            .zip(row.fee_currency.as_deref().and_then(Currency::parse))
            .map(|(minor, currency)| Money::new(minor, currency));
        let centre = crate::features::idcard::store::centres_in(&mut *conn)
            .await?
            .into_iter()
            .find(|c| c.code == row.centre_code)
            .ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("appointment at unknown centre {}", row.centre_code).into(),
                ))
            })?;
        let (minutes,): (i64,) =
            sqlx::query_as("SELECT value FROM idcard_terms WHERE name = 'slot_minutes'")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Some(SlipDocument {
            appointment_id: row.appointment_id,
            reference: row.reference,
            request: row.request_type,
            centre,
            starts_at: row.starts_at,
            minutes: u16::try_from(minutes).unwrap_or(15),
            booked_at: row.booked_at,
            fee_at_centre: fee.filter(|_| at_centre),
            seal: row.seal,
        }))
    }

    /// The QR code's square, quiet zone included.
    const QR_SIDE: f32 = 132.0;

    /// The slip on one A4 page, in `locale`.
    pub fn pdf(doc: &SlipDocument, locale: Locale) -> Result<Vec<u8>, String> {
        let rtl = locale == Locale::ar;
        let w = Writer { rtl };
        let slot = doc.slot();
        let arabic = locale == Locale::ar;
        let place = format!(
            "{}{} {}",
            doc.centre.municipality_in(arabic),
            td_string!(locale, appointment.list_comma),
            td_string!(locale, appointment.country)
        );
        let rows = [
            Row::new(
                td_string!(locale, appointment.centre),
                doc.centre.name_in(arabic),
                false,
            ),
            Row::new(td_string!(locale, appointment.address), place, false),
            Row::new(
                td_string!(locale, appointment.date),
                long_date(locale, slot.date),
                false,
            ),
            Row::new(td_string!(locale, appointment.time), slot.time(), true),
            Row::new(
                td_string!(locale, appointment.reference),
                doc.reference.clone(),
                true,
            ),
        ];
        let value_column = w.value_column(&rows);
        a4_page(|surface| {
            w.band(
                surface,
                td_string!(locale, portal_name),
                td_string!(locale, appointment.slip_title),
            );
            // The time, large: what the applicant looks for on the day; the seal the officer
            // scans at check-in.
            w.headline(surface, td_string!(locale, appointment.time), &slot.time());
            if let Some(seal) = &doc.seal {
                w.seal(
                    surface,
                    seal,
                    td_string!(locale, appointment.slip_qr_caption),
                    QR_SIDE,
                )?;
            }
            let mut y = 280.0;
            w.rows(surface, &mut y, &rows, value_column);
            w.section(
                surface,
                &mut y,
                td_string!(locale, appointment.bring_heading),
            );
            let width = crate::platform::pdf::A4.0 - 2.0 * crate::platform::pdf::MARGIN - 16.0;
            for item in doc.bring() {
                let line = format!("• {}", super::bring_line(locale, item, doc.fee_at_centre));
                w.paragraph(surface, &mut y, &line, 12.0, 0.0, width);
                y += 6.0;
            }
            y += 10.0;
            text_colour(surface, muted());
            w.paragraph(
                surface,
                &mut y,
                td_string!(locale, appointment.slip_arrive),
                11.0,
                0.0,
                width,
            );
            w.footer(surface, td_string!(locale, appointment.slip_footer));
            Ok(())
        })
    }

    /// The calendar file: one event at the centre, in Doha time.
    pub fn ics(doc: &SlipDocument, locale: Locale, now: i64) -> String {
        let arabic = locale == Locale::ar;
        let slot: Slot = doc.slot();
        let summary = td_string!(
            locale,
            appointment.ics_summary,
            reference = doc.reference.as_str()
        )
        .to_string();
        let location = format!(
            "{}, {}",
            doc.centre.name_in(arabic),
            doc.centre.municipality_in(arabic)
        );
        let description = doc
            .bring()
            .into_iter()
            .map(|item| super::bring_line(locale, item, doc.fee_at_centre))
            .collect::<Vec<_>>()
            .join("\n");
        let uid = format!("{}@bawaba", doc.appointment_id);
        ics::calendar(
            &ics::QATAR,
            &ics::Event {
                uid: &uid,
                stamp: now,
                date: slot.date,
                minute: slot.minute,
                minutes: doc.minutes,
                summary: &summary,
                location: &location,
                description: &description,
            },
        )
    }

    /// The slip as the e-mail attaches it: the PDF and the calendar file.
    pub fn attachments(doc: &SlipDocument, locale: Locale) -> Result<Vec<Attachment>, String> {
        Ok(vec![
            Attachment {
                file_name: doc.file_name("pdf"),
                content_type: "application/pdf".into(),
                bytes: pdf(doc, locale)?,
            },
            Attachment {
                file_name: doc.file_name("ics"),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
                bytes: ics(doc, locale, doc.booked_at).into_bytes(),
            },
        ])
    }

    /// The owner's slip of application `id`, or 404 (not theirs, no live appointment).
    async fn owned(
        state: &crate::platform::state::AppState,
        id: &str,
        account: Option<String>,
    ) -> Result<SlipDocument, AppError> {
        let account = account.ok_or(AppError::NotFound)?;
        let mut conn = state.db.pool().acquire().await.or_unavailable()?;
        document(&mut conn, id, Some(&account))
            .await
            .or_unavailable()?
            .ok_or(AppError::NotFound)
    }

    /// `GET /id-card/applications/{id}/appointment/slip.pdf`, in the reader's language.
    pub async fn download_pdf(
        axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
        axum::extract::Path(id): axum::extract::Path<String>,
        req: axum::extract::Request,
    ) -> Result<axum::response::Response, AppError> {
        let account = crate::platform::session::account_of(&req);
        let locale = crate::platform::locale::from_headers(req.headers());
        let doc = owned(&state, &id, account).await?;
        let bytes = pdf(&doc, locale).or_unavailable()?;
        Ok(crate::platform::http::attachment(
            "application/pdf",
            &doc.file_name("pdf"),
            bytes,
        ))
    }

    /// `GET /id-card/applications/{id}/appointment/slip.ics`, in the reader's language.
    pub async fn download_ics(
        axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
        axum::extract::Path(id): axum::extract::Path<String>,
        req: axum::extract::Request,
    ) -> Result<axum::response::Response, AppError> {
        let account = crate::platform::session::account_of(&req);
        let locale = crate::platform::locale::from_headers(req.headers());
        let doc = owned(&state, &id, account).await?;
        let body = ics(&doc, locale, crate::platform::session::now_secs());
        Ok(crate::platform::http::attachment(
            "text/calendar; charset=utf-8",
            &doc.file_name("ics"),
            body,
        ))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_slip_is_made_in_every_language_with_its_calendar_file() {
            for locale in [Locale::ar, Locale::fr, Locale::en] {
                let files = attachments(&SlipDocument::sample(), locale).unwrap();
                assert_eq!(files[0].file_name, "appointment-ID-7K2M9Q4TXR.pdf");
                assert!(files[0].bytes.starts_with(b"%PDF-"), "{locale:?}");
                assert!(files[0].bytes.len() > 5_000, "fonts embedded");
                let ics = String::from_utf8(files[1].bytes.clone()).unwrap();
                assert!(
                    ics.contains("DTSTART;TZID=Asia/Qatar:20261206T091500\r\n"),
                    "{ics}"
                );
                assert!(ics.contains("UID:0b8f6c1e-5d2a-4f7e-9a61-3c2d1e0f9a8b@bawaba"));
            }
            let mut unsealed = SlipDocument::sample();
            unsealed.seal = None;
            assert!(pdf(&unsealed, Locale::en).is_ok());
        }

        #[test]
        fn the_list_to_bring_names_the_fee_when_paid_at_the_centre() {
            let doc = SlipDocument::sample();
            let lines: Vec<String> = doc
                .bring()
                .into_iter()
                .map(|b| super::super::bring_line(Locale::en, b, doc.fee_at_centre))
                .collect();
            assert_eq!(lines.len(), 4, "{lines:?}");
            assert!(lines[3].contains("120"), "{lines:?}");
        }
    }
}
