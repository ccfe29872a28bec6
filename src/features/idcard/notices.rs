//! The applicant's notifications: one at every change of the application's state, queued in
//! the transaction that makes the change (`store::apply`), rendered at delivery time in the
//! application's language, by e-mail or SMS as the account chooses.

use super::messages;
use crate::{
    domain::{
        idcard::application::{Event, State},
        money::{Currency, Money},
    },
    i18n::*,
    platform::mail::{Rendered, email_html, escape},
};

pub const STATUS: &str = "idcard_status";
pub const STATUS_SMS: &str = "idcard_status_sms";
/// The day before an appointment (`appointment::reminders`).
pub const REMINDER: &str = "idcard_appointment_reminder";
pub const REMINDER_SMS: &str = "idcard_appointment_reminder_sms";
/// A place offered from the waiting list (`appointment::waitlist::worker`).
pub const OFFER: &str = "idcard_waitlist_offer";
pub const OFFER_SMS: &str = "idcard_waitlist_offer_sms";

/// This feature's notification `template` in `language`; `None` for another feature's
/// template, another language or a missing parameter.
pub fn render(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered> {
    let locale = crate::platform::mail::locale_of(language)?;
    match template {
        REMINDER | REMINDER_SMS | OFFER | OFFER_SMS => return slotted(template, locale, params),
        super::appointment::replies::REPLY_SMS => return reply_sms(locale, params),
        _ => {}
    }
    let change = Change::of(params, locale)?;
    match template {
        STATUS => Some(email(locale, &change)),
        STATUS_SMS => Some(sms(locale, &change)),
        _ => None,
    }
}

/// A reminder or an offer, by e-mail or SMS.
fn slotted(template: &str, locale: Locale, params: &serde_json::Value) -> Option<Rendered> {
    let until = if matches!(template, OFFER | OFFER_SMS) {
        "expires_at"
    } else {
        "changes_until"
    };
    let m = Slotted::of(params, locale, until)?;
    Some(match template {
        REMINDER => m.reminder_email(locale),
        REMINDER_SMS => m.reminder_sms(locale),
        OFFER => m.offer_email(locale),
        _ => m.offer_sms(locale),
    })
}

/// A change of state, from the message's parameters.
struct Change {
    reference: String,
    event: Event,
    state: State,
    fee: Option<Money>,
    /// The live appointment: the centre's name in the application's language, and when.
    appointment: Option<(String, i64)>,
    /// A new appointment's slip, which the e-mail attaches (PDF and calendar file).
    slip: Option<super::appointment::slip::SlipDocument>,
    link: String,
}

impl Change {
    fn of(p: &serde_json::Value, locale: Locale) -> Option<Self> {
        let s = |k: &str| p.get(k).and_then(|v| v.as_str());
        let fee = match (
            p.get("amount_minor").and_then(|v| v.as_i64()),
            s("currency"),
        ) {
            (Some(minor), Some(code)) => Some(Money::new(minor, Currency::parse(code)?)),
            _ => None,
        };
        let centre = if locale == Locale::ar {
            s("centre_ar")
        } else {
            s("centre_en")
        };
        let appointment = centre
            .zip(p.get("starts_at").and_then(|v| v.as_i64()))
            .map(|(c, at)| (c.to_string(), at));
        let slip = p
            .get("slip")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        Some(Self {
            appointment,
            slip,
            reference: s("reference")?.to_string(),
            event: Event::parse(s("event")?)?,
            state: State::parse(s("state")?)?,
            fee,
            link: s("link")?.to_string(),
        })
    }
}

fn email(locale: Locale, c: &Change) -> Rendered {
    let lang = leptos_i18n::Locale::as_str(locale);
    let title = messages::event(locale, c.event.code());
    let subject = format!("{title} — {}", c.reference);
    let amount = c.fee.map(|f| f.format(lang)).unwrap_or_default();
    let reference = c.reference.as_str();
    let said = match c.event {
        Event::Submit | Event::Resubmit => {
            td_string!(locale, mail.idcard_submitted, reference = reference)
        }
        Event::PaidOnline => td_string!(
            locale,
            mail.idcard_paid,
            reference = reference,
            amount = amount.as_str()
        ),
        Event::ChosePayAtCentre => td_string!(
            locale,
            mail.idcard_pay_at_centre,
            reference = reference,
            amount = amount.as_str()
        ),
        _ => td_string!(
            locale,
            mail.idcard_changed,
            reference = reference,
            event = title.as_str()
        ),
    }
    .to_string();
    let said = match appointment_line(locale, c) {
        Some(line) => format!("{said}\n\n{line}"),
        None => said,
    };
    let next = messages::next_step(locale, c.state, c.fee);
    let follow = td_string!(locale, mail.idcard_follow).to_string();
    let signature = td_string!(locale, mail.signature).to_string();
    let text = format!("{said}\n\n{next}\n\n{follow}: {}\n\n{signature}\n", c.link);
    let html = email_html(
        locale,
        &[
            escape(&said),
            escape(&next),
            format!("<a href=\"{}\">{}</a>", escape(&c.link), escape(&follow)),
            escape(&signature),
        ],
    );
    // Without its files (a PDF that could not be made) the e-mail still says where and when,
    // and the appointment page offers the slip.
    let attachments = c
        .slip
        .as_ref()
        .map(|slip| {
            super::appointment::slip::attachments(slip, locale)
                .map_err(
                    |e| tracing::error!(error = %e, "appointment slip not made for the e-mail"),
                )
                .unwrap_or_default()
        })
        .unwrap_or_default();
    Rendered::Email {
        subject,
        text,
        html,
        attachments,
    }
}

fn sms(locale: Locale, c: &Change) -> Rendered {
    let title = messages::event(locale, c.event.code());
    let text = td_string!(
        locale,
        mail.idcard_sms,
        reference = c.reference.as_str(),
        event = title.as_str(),
        link = c.link.as_str()
    )
    .to_string();
    let text = match appointment_line(locale, c) {
        Some(line) => format!("{text} {line}"),
        None => text,
    };
    Rendered::Sms { text }
}

/// A message about a slot at a centre, from its parameters: a reminder (`until`: the last
/// moment to change or cancel online) or an offer from the waiting list (`until`: the end of
/// the hold).
struct Slotted {
    reference: String,
    centre: String,
    date: String,
    time: String,
    /// A day and a time, from the parameter `until_key`.
    until: String,
    link: String,
}

impl Slotted {
    fn of(p: &serde_json::Value, locale: Locale, until_key: &str) -> Option<Self> {
        use crate::domain::idcard::slots::Slot;
        let s = |k: &str| p.get(k).and_then(|v| v.as_str());
        let centre = if locale == Locale::ar {
            s("centre_ar")
        } else {
            s("centre_en")
        }?;
        let at = Slot::from_starts_at(p.get("starts_at")?.as_i64()?);
        let until = Slot::from_starts_at(p.get(until_key)?.as_i64()?);
        Some(Self {
            reference: s("reference")?.to_string(),
            centre: centre.to_string(),
            date: crate::ui::text::long_date(locale, at.date),
            time: at.time(),
            until: format!(
                "{} {}",
                crate::ui::text::long_date(locale, until.date),
                until.time()
            ),
            link: s("link")?.to_string(),
        })
    }

    /// Where and when, then three links: confirm, change, cancel (each to its part of the
    /// appointment page).
    fn reminder_email(&self, locale: Locale) -> Rendered {
        let subject = td_string!(
            locale,
            mail.idcard_reminder_subject,
            date = self.date.as_str(),
            reference = self.reference.as_str()
        )
        .to_string();
        let said = td_string!(
            locale,
            mail.idcard_appointment,
            centre = self.centre.as_str(),
            date = self.date.as_str(),
            time = self.time.as_str()
        )
        .to_string();
        let until = td_string!(
            locale,
            mail.idcard_reminder_until,
            until = self.until.as_str()
        )
        .to_string();
        let links = [
            (
                td_string!(locale, mail.idcard_reminder_confirm),
                format!("{}#confirm", self.link),
            ),
            (
                td_string!(locale, mail.idcard_reminder_change),
                format!("{}#change", self.link),
            ),
            (
                td_string!(locale, mail.idcard_reminder_cancel),
                format!("{}#cancel", self.link),
            ),
        ];
        let signature = td_string!(locale, mail.signature).to_string();
        let text = format!(
            "{said}\n\n{}\n\n{until}\n\n{signature}\n",
            links
                .iter()
                .map(|(label, href)| format!("{label}: {href}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let mut paragraphs = vec![escape(&said)];
        paragraphs.extend(
            links
                .iter()
                .map(|(label, href)| format!("<a href=\"{}\">{}</a>", escape(href), escape(label))),
        );
        paragraphs.extend([escape(&until), escape(&signature)]);
        Rendered::Email {
            subject,
            text,
            html: email_html(locale, &paragraphs),
            attachments: Vec::new(),
        }
    }

    fn reminder_sms(&self, locale: Locale) -> Rendered {
        Rendered::Sms {
            text: td_string!(
                locale,
                mail.idcard_reminder_sms,
                centre = self.centre.as_str(),
                date = self.date.as_str(),
                time = self.time.as_str(),
                reference = self.reference.as_str(),
                link = self.link.as_str()
            )
            .to_string(),
        }
    }
}

/// A place offered from the waiting list (the same facts as a reminder, `until` being the
/// end of the hold).
impl Slotted {
    fn offer_email(&self, locale: Locale) -> Rendered {
        let subject = td_string!(
            locale,
            mail.idcard_offer_subject,
            date = self.date.as_str(),
            reference = self.reference.as_str()
        )
        .to_string();
        let said = td_string!(
            locale,
            mail.idcard_offer,
            centre = self.centre.as_str(),
            date = self.date.as_str(),
            time = self.time.as_str(),
            reference = self.reference.as_str()
        )
        .to_string();
        let until =
            td_string!(locale, mail.idcard_offer_until, until = self.until.as_str()).to_string();
        let label = td_string!(locale, mail.idcard_offer_link).to_string();
        let signature = td_string!(locale, mail.signature).to_string();
        let text = format!(
            "{said}\n\n{until}\n\n{label}: {}\n\n{signature}\n",
            self.link
        );
        let html = email_html(
            locale,
            &[
                escape(&said),
                escape(&until),
                format!("<a href=\"{}\">{}</a>", escape(&self.link), escape(&label)),
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

    fn offer_sms(&self, locale: Locale) -> Rendered {
        Rendered::Sms {
            text: td_string!(
                locale,
                mail.idcard_offer_sms,
                centre = self.centre.as_str(),
                date = self.date.as_str(),
                time = self.time.as_str(),
                reference = self.reference.as_str(),
                until = self.until.as_str(),
                link = self.link.as_str()
            )
            .to_string(),
        }
    }
}

/// The answer to an SMS reply (`appointment::replies`): confirmed, cancelled, too late to
/// cancel, or not understood.
fn reply_sms(locale: Locale, p: &serde_json::Value) -> Option<Rendered> {
    use crate::domain::idcard::slots::Slot;
    let s = |k: &str| p.get(k).and_then(|v| v.as_str());
    let at = Slot::from_starts_at(p.get("starts_at")?.as_i64()?);
    let date = crate::ui::text::long_date(locale, at.date);
    let time = at.time();
    let (date, time, reference) = (date.as_str(), time.as_str(), s("reference")?);
    let text = match s("kind")? {
        "confirmed" => td_string!(
            locale,
            mail.idcard_sms_confirmed,
            date = date,
            time = time,
            reference = reference
        )
        .to_string(),
        "cancelled" => td_string!(
            locale,
            mail.idcard_sms_cancelled,
            date = date,
            time = time,
            reference = reference,
            link = s("link")?
        )
        .to_string(),
        "too_late" => td_string!(
            locale,
            mail.idcard_sms_too_late,
            date = date,
            time = time,
            hours = p.get("hours")?.as_i64()?,
            reference = reference
        )
        .to_string(),
        "not_understood" => td_string!(locale, mail.idcard_sms_not_understood).to_string(),
        _ => return None,
    };
    Some(Rendered::Sms { text })
}

/// "Your appointment: the centre, the day, the time", when the change is about one.
fn appointment_line(locale: Locale, c: &Change) -> Option<String> {
    use crate::domain::idcard::slots::Slot;
    if !matches!(
        c.event,
        Event::AppointmentBooked | Event::AppointmentRescheduled
    ) {
        return None;
    }
    let (centre, at) = c.appointment.as_ref()?;
    let slot = Slot::from_starts_at(*at);
    let date = crate::ui::text::long_date(locale, slot.date);
    let time = slot.time();
    Some(
        td_string!(
            locale,
            mail.idcard_appointment,
            centre = centre.as_str(),
            date = date.as_str(),
            time = time.as_str()
        )
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(event: &str, state: &str) -> serde_json::Value {
        json!({
            "reference": "ID-7K2M9Q4TXR",
            "event": event,
            "state": state,
            "amount_minor": 12000,
            "currency": "QAR",
            "link": "https://bawaba.example/id-card/applications/1",
        })
    }

    #[test]
    fn every_change_of_state_is_told_in_three_languages_by_e_mail_and_sms() {
        for event in Event::ALL {
            for language in ["ar", "fr", "en"] {
                let p = params(event.code(), "awaiting_appointment");
                let Some(Rendered::Email {
                    subject,
                    text,
                    html,
                    ..
                }) = render(STATUS, language, &p)
                else {
                    panic!("no e-mail for {event:?} in {language}");
                };
                assert!(subject.contains("ID-7K2M9Q4TXR"), "{subject}");
                assert!(text.contains("https://bawaba.example/id-card/applications/1"));
                assert!(html.contains("href=\"https://bawaba.example/id-card/applications/1\""));
                let Some(Rendered::Sms { text }) = render(STATUS_SMS, language, &p) else {
                    panic!("no SMS for {event:?} in {language}");
                };
                assert!(text.contains("ID-7K2M9Q4TXR") && text.contains("/applications/1"));
            }
        }
    }

    #[test]
    fn a_payment_names_its_amount() {
        let Some(Rendered::Email { text, .. }) =
            render(STATUS, "en", &params("paid_online", "awaiting_appointment"))
        else {
            panic!("no e-mail");
        };
        assert!(text.contains("120\u{a0}QAR"), "{text}");
    }

    #[test]
    fn a_booking_says_where_and_when_in_the_applicants_language() {
        let mut p = params("appointment_booked", "appointment_booked");
        p["centre_ar"] = json!("مركز خدمات الدوحة");
        p["centre_en"] = json!("Doha Service Centre");
        // Sunday 6 December 2026, 09:15 in Doha.
        p["starts_at"] = json!(1_796_537_700);
        let Some(Rendered::Email { text, .. }) = render(STATUS, "en", &p) else {
            panic!("no e-mail");
        };
        assert!(text.contains("Doha Service Centre"), "{text}");
        assert!(
            text.contains("09:15") && text.contains("6 December 2026"),
            "{text}"
        );
        let Some(Rendered::Sms { text }) = render(STATUS_SMS, "ar", &p) else {
            panic!("no SMS");
        };
        assert!(
            text.contains("مركز خدمات الدوحة") && text.contains("09:15"),
            "{text}"
        );
    }

    #[test]
    fn a_booking_e_mail_attaches_the_slip_and_its_calendar_file() {
        let mut p = params("appointment_booked", "appointment_booked");
        p["slip"] =
            serde_json::to_value(super::super::appointment::slip::SlipDocument::sample()).unwrap();
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email { attachments, .. }) = render(STATUS, language, &p) else {
                panic!("no e-mail");
            };
            let names: Vec<&str> = attachments.iter().map(|a| a.file_name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "appointment-ID-7K2M9Q4TXR.pdf",
                    "appointment-ID-7K2M9Q4TXR.ics"
                ]
            );
        }
        // The SMS has no room for files: it says where and when only.
        assert!(matches!(
            render(STATUS_SMS, "ar", &p),
            Some(Rendered::Sms { .. })
        ));
        let Some(Rendered::Email { attachments, .. }) =
            render(STATUS, "en", &params("paid_online", "awaiting_appointment"))
        else {
            panic!("no e-mail");
        };
        assert!(attachments.is_empty());
    }

    #[test]
    fn the_reminder_says_where_and_when_with_its_three_links_and_the_sms_how_to_reply() {
        let p = json!({
            "reference": "ID-7K2M9Q4TXR",
            "centre_ar": "مركز خدمات الوكرة",
            "centre_en": "Al Wakrah Service Centre",
            // Sunday 6 December 2026, 09:15 in Doha; changes until 24 hours before.
            "starts_at": 1_796_537_700,
            "changes_until": 1_796_537_700 - 24 * 3600,
            "link": "https://bawaba.example/id-card/applications/1/appointment",
        });
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email { subject, text, .. }) = render(REMINDER, language, &p) else {
                panic!("no reminder in {language}");
            };
            assert!(subject.contains("ID-7K2M9Q4TXR"), "{subject}");
            for anchor in ["#confirm", "#change", "#cancel"] {
                assert!(text.contains(&format!("/appointment{anchor}")), "{text}");
            }
            assert!(text.contains("09:15"), "{text}");
        }
        let Some(Rendered::Email { text, .. }) = render(REMINDER, "en", &p) else {
            panic!("no reminder");
        };
        assert!(
            text.contains("Al Wakrah Service Centre") && text.contains("5 December 2026 09:15"),
            "{text}"
        );
        let Some(Rendered::Sms { text }) = render(REMINDER_SMS, "ar", &p) else {
            panic!("no SMS");
        };
        assert!(
            text.contains("مركز خدمات الوكرة") && text.contains("1") && text.contains("2"),
            "{text}"
        );
    }

    #[test]
    fn an_offer_says_where_when_and_until_when_it_is_held_in_three_languages() {
        let p = json!({
            "reference": "ID-7K2M9Q4TXR",
            "centre_ar": "مركز خدمات الوكرة",
            "centre_en": "Al Wakrah Service Centre",
            // Sunday 6 December 2026, 09:15 in Doha; held until Thursday 3rd, 17:30.
            "starts_at": 1_796_537_700,
            "expires_at": 1_796_308_200,
            "link": "https://bawaba.example/id-card/applications/1/appointment#offer",
        });
        for language in ["ar", "fr", "en"] {
            let Some(Rendered::Email { subject, text, .. }) = render(OFFER, language, &p) else {
                panic!("no offer in {language}");
            };
            assert!(subject.contains("ID-7K2M9Q4TXR"), "{subject}");
            assert!(
                text.contains("/appointment#offer") && text.contains("09:15"),
                "{text}"
            );
            let Some(Rendered::Sms { text }) = render(OFFER_SMS, language, &p) else {
                panic!("no offer SMS in {language}");
            };
            assert!(text.contains("#offer") && text.contains("17:30"), "{text}");
        }
        let Some(Rendered::Email { text, .. }) = render(OFFER, "en", &p) else {
            panic!("no offer");
        };
        assert!(
            text.contains("Al Wakrah Service Centre") && text.contains("3 December 2026 17:30"),
            "{text}"
        );
    }

    #[test]
    fn unknown_parameters_render_nothing() {
        assert!(render(STATUS, "de", &params("submit", "awaiting_payment")).is_none());
        assert!(render(STATUS, "en", &params("teleport", "awaiting_payment")).is_none());
        assert!(render(STATUS, "en", &json!({})).is_none());
        assert!(render("another", "en", &params("submit", "awaiting_payment")).is_none());
    }
}
