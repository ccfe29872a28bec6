//! What the application's pages say: the problem codes of `domain::idcard::form`, the names
//! of its sections, pages and fields, and its choices, in the page's language.

use crate::{
    domain::{
        date::Date,
        idcard::{
            application::State,
            documents::{DocumentKind, QualityProblem},
            form::{Status, field},
            timeline::Milestone,
        },
        journey::Answers,
        money::Money,
    },
    features::idcard::documents::FileView,
    i18n::*,
    ui::form::Choice,
};

/// A date as the form's fields take it (`27 3 2030`), isolated left to right.
fn date_text(date: Date) -> String {
    format!("\u{2066}{} {} {}\u{2069}", date.day, date.month, date.year)
}

/// The message for a problem code of the form. `valid_until` is the day the passport must
/// still be valid on: the message names the date rather than the rule.
pub fn problem(locale: Locale, code: &str, valid_until: Date) -> String {
    match code {
        "passport_expires_too_soon" => {
            return td_string!(
                locale,
                application.err_passport_expires_too_soon,
                date = date_text(valid_until)
            )
            .to_string();
        }
        "choose_request" => td_string!(locale, application.err_choose_request),
        "name_ar_missing" => td_string!(locale, application.err_name_ar_missing),
        "name_ar_too_long" => td_string!(locale, application.err_name_ar_too_long),
        "name_ar_script" => td_string!(locale, application.err_name_ar_script),
        "name_latin_missing" => td_string!(locale, application.err_name_latin_missing),
        "name_latin_too_long" => td_string!(locale, application.err_name_latin_too_long),
        "name_latin_script" => td_string!(locale, application.err_name_latin_script),
        "dob_missing" => td_string!(locale, application.err_dob_missing),
        "dob_incomplete" => td_string!(locale, application.err_dob_incomplete),
        "dob_not_real" => td_string!(locale, application.err_dob_not_real),
        "dob_future" => td_string!(locale, application.err_dob_future),
        "dob_under_18" => td_string!(locale, application.err_dob_under_18),
        "choose_nationality" => td_string!(locale, application.err_choose_nationality),
        "choose_sex" => td_string!(locale, application.err_choose_sex),
        "passport_number_missing" => td_string!(locale, application.err_passport_number_missing),
        "passport_number_format" => td_string!(locale, application.err_passport_number_format),
        "passport_number_length" => td_string!(locale, application.err_passport_number_length),
        "choose_passport_country" => td_string!(locale, application.err_choose_passport_country),
        "passport_expiry_missing" => td_string!(locale, application.err_passport_expiry_missing),
        "passport_expiry_incomplete" => {
            td_string!(locale, application.err_passport_expiry_incomplete)
        }
        "passport_expiry_not_real" => td_string!(locale, application.err_passport_expiry_not_real),
        "passport_expired" => td_string!(locale, application.err_passport_expired),
        "permit_number_missing" => td_string!(locale, application.err_permit_number_missing),
        "permit_number_format" => td_string!(locale, application.err_permit_number_format),
        "permit_number_length" => td_string!(locale, application.err_permit_number_length),
        "permit_expiry_missing" => td_string!(locale, application.err_permit_expiry_missing),
        "permit_expiry_incomplete" => td_string!(locale, application.err_permit_expiry_incomplete),
        "permit_expiry_not_real" => td_string!(locale, application.err_permit_expiry_not_real),
        "permit_expired" => td_string!(locale, application.err_permit_expired),
        "zone_missing" => td_string!(locale, application.err_zone_missing),
        "zone_not_number" => td_string!(locale, application.err_zone_not_number),
        "zone_range" => td_string!(locale, application.err_zone_range),
        "street_missing" => td_string!(locale, application.err_street_missing),
        "street_not_number" => td_string!(locale, application.err_street_not_number),
        "street_range" => td_string!(locale, application.err_street_range),
        "building_missing" => td_string!(locale, application.err_building_missing),
        "building_not_number" => td_string!(locale, application.err_building_not_number),
        "building_range" => td_string!(locale, application.err_building_range),
        "unit_not_number" => td_string!(locale, application.err_unit_not_number),
        "unit_range" => td_string!(locale, application.err_unit_range),
        "employer_name_missing" => td_string!(locale, application.err_employer_name_missing),
        "employer_name_too_long" => td_string!(locale, application.err_employer_name_too_long),
        "establishment_missing" => td_string!(locale, application.err_establishment_missing),
        "establishment_format" => td_string!(locale, application.err_establishment_format),
        "choose_delivery" => td_string!(locale, application.err_choose_delivery),
        "loss_missing" => td_string!(locale, application.err_loss_missing),
        "loss_incomplete" => td_string!(locale, application.err_loss_incomplete),
        "loss_not_real" => td_string!(locale, application.err_loss_not_real),
        "loss_future" => td_string!(locale, application.err_loss_future),
        "loss_place_missing" => td_string!(locale, application.err_loss_place_missing),
        "loss_place_too_long" => td_string!(locale, application.err_loss_place_too_long),
        "police_report_format" => td_string!(locale, application.err_police_report_format),
        "police_report_length" => td_string!(locale, application.err_police_report_length),
        unknown => return crate::ui::form::unknown_problem(locale, unknown),
    }
    .to_string()
}

pub fn section(locale: Locale, id: &str) -> String {
    match id {
        "personal" => td_string!(locale, application.section_personal),
        "passport" => td_string!(locale, application.section_passport),
        "residence" => td_string!(locale, application.section_residence),
        "address" => td_string!(locale, application.section_address),
        "employer" => td_string!(locale, application.section_employer),
        "loss" => td_string!(locale, application.section_loss),
        "documents" => td_string!(locale, application.section_documents),
        "request" => td_string!(locale, application.request),
        "check" => td_string!(locale, application.section_check),
        _ => td_string!(locale, application.section_delivery),
    }
    .to_string()
}

pub fn status(locale: Locale, status: Status) -> String {
    match status {
        Status::NotStarted => td_string!(locale, application.status_not_started),
        Status::InProgress => td_string!(locale, application.status_in_progress),
        Status::Completed => td_string!(locale, application.status_completed),
        Status::CannotStartYet => td_string!(locale, application.status_cannot_start),
    }
    .to_string()
}

/// A page's title (its question).
pub fn page_title(locale: Locale, step: &str) -> String {
    match step {
        "request" => td_string!(locale, application.request_title),
        "names" => td_string!(locale, application.title_names),
        "date-of-birth" => td_string!(locale, application.title_dob),
        "nationality" => td_string!(locale, application.title_nationality),
        "passport" => td_string!(locale, application.title_passport),
        "residence" => td_string!(locale, application.title_residence),
        "address" => td_string!(locale, application.title_address),
        "employer" => td_string!(locale, application.title_employer),
        "delivery" => td_string!(locale, application.title_delivery),
        _ => td_string!(locale, application.title_loss),
    }
    .to_string()
}

pub fn field_label(locale: Locale, name: &str) -> String {
    match name {
        field::NAME_AR => td_string!(locale, application.label_name_ar),
        field::NAME_LATIN => td_string!(locale, application.label_name_latin),
        field::NATIONALITY => td_string!(locale, application.label_nationality),
        field::SEX => td_string!(locale, application.label_sex),
        field::PASSPORT_NUMBER => td_string!(locale, application.label_passport_number),
        field::PASSPORT_COUNTRY => td_string!(locale, application.label_passport_country),
        field::PASSPORT_EXPIRY => td_string!(locale, application.label_passport_expiry),
        field::PERMIT_NUMBER => td_string!(locale, application.label_permit_number),
        field::PERMIT_EXPIRY => td_string!(locale, application.label_permit_expiry),
        field::ZONE => td_string!(locale, application.label_zone),
        field::STREET => td_string!(locale, application.label_street),
        field::BUILDING => td_string!(locale, application.label_building),
        field::UNIT => td_string!(locale, application.label_unit),
        field::EMPLOYER_NAME => td_string!(locale, application.label_employer_name),
        field::ESTABLISHMENT => td_string!(locale, application.label_establishment),
        field::LOSS_DATE => td_string!(locale, application.label_loss),
        field::LOSS_PLACE => td_string!(locale, application.label_loss_place),
        _ => td_string!(locale, application.label_police_report),
    }
    .to_string()
}

pub fn field_hint(locale: Locale, name: &str) -> Option<String> {
    let hint = match name {
        field::NAME_AR => td_string!(locale, application.hint_name_ar),
        field::NAME_LATIN => td_string!(locale, application.hint_name_latin),
        field::PASSPORT_NUMBER => td_string!(locale, application.hint_passport_number),
        field::PERMIT_NUMBER => td_string!(locale, application.hint_permit_number),
        field::ZONE => td_string!(locale, application.hint_zone),
        field::STREET => td_string!(locale, application.hint_street),
        field::BUILDING => td_string!(locale, application.hint_building),
        field::UNIT => td_string!(locale, application.hint_unit),
        field::ESTABLISHMENT => td_string!(locale, application.hint_establishment),
        field::LOSS_PLACE => td_string!(locale, application.hint_loss_place),
        field::POLICE_REPORT => td_string!(locale, application.hint_police_report),
        _ => return None,
    };
    Some(hint.to_string())
}

/// The hint of a date: an example, and for the passport the day it must still be valid on.
pub fn date_hint(locale: Locale, prefix: &str, passport_valid_until: Date) -> String {
    match prefix {
        "dob" => td_string!(locale, application.hint_dob).to_string(),
        "passport_expiry" => td_string!(
            locale,
            application.hint_passport_expiry,
            date = date_text(passport_valid_until)
        )
        .to_string(),
        "permit_expiry" => td_string!(locale, application.hint_permit_expiry).to_string(),
        _ => td_string!(locale, application.hint_loss).to_string(),
    }
}

pub fn choose_country(locale: Locale) -> String {
    td_string!(locale, application.choose_country).to_string()
}

/// A request type's name (`RequestType::code`).
pub fn request(locale: Locale, code: &str) -> String {
    match code {
        "lost" => td_string!(locale, application.request_lost),
        "damaged" => td_string!(locale, application.request_damaged),
        _ => td_string!(locale, application.request_new),
    }
    .to_string()
}

pub fn request_choices(locale: Locale) -> Vec<Choice> {
    vec![
        Choice::new("new", td_string!(locale, application.request_new))
            .hint(td_string!(locale, application.request_new_hint)),
        Choice::new("lost", td_string!(locale, application.request_lost))
            .hint(td_string!(locale, application.request_lost_hint)),
        Choice::new("damaged", td_string!(locale, application.request_damaged))
            .hint(td_string!(locale, application.request_damaged_hint)),
    ]
}

pub fn sex_choices(locale: Locale) -> Vec<Choice> {
    vec![
        Choice::new("female", td_string!(locale, application.sex_female)),
        Choice::new("male", td_string!(locale, application.sex_male)),
    ]
}

/// Pickup, or by post with its fee (from data) and the address it goes to.
pub fn delivery_choices(locale: Locale, fee: Money, answers: &Answers) -> Vec<Choice> {
    let lang = leptos_i18n::Locale::as_str(locale);
    let a = |f: &str| {
        format!(
            "\u{2066}{}\u{2069}",
            answers.get(f).cloned().unwrap_or_default()
        )
    };
    vec![
        Choice::new("pickup", td_string!(locale, application.delivery_pickup))
            .hint(td_string!(locale, application.delivery_pickup_hint)),
        Choice::new("post", td_string!(locale, application.delivery_post)).hint(td_string!(
            locale,
            application.delivery_post_hint,
            fee = format!("\u{2068}{}\u{2069}", fee.format(lang)),
            zone = a(field::ZONE),
            street = a(field::STREET),
            building = a(field::BUILDING)
        )),
    ]
}

/// A document's name.
pub fn document(locale: Locale, kind: DocumentKind) -> String {
    match kind {
        DocumentKind::Passport => td_string!(locale, documents.doc_passport),
        DocumentKind::ResidencePermit => td_string!(locale, documents.doc_residence_permit),
        DocumentKind::ProofOfAddress => td_string!(locale, documents.doc_proof_of_address),
        DocumentKind::EmployerLetter => td_string!(locale, documents.doc_employer_letter),
        DocumentKind::LossDeclaration => td_string!(locale, documents.doc_loss_declaration),
        DocumentKind::Photo => td_string!(locale, documents.doc_photo),
    }
    .to_string()
}

/// What a document must show, and how many files it takes.
pub fn document_hint(locale: Locale, kind: DocumentKind) -> String {
    match kind {
        DocumentKind::Passport => td_string!(locale, documents.doc_passport_hint),
        DocumentKind::ResidencePermit => td_string!(locale, documents.doc_residence_permit_hint),
        DocumentKind::ProofOfAddress => td_string!(locale, documents.doc_proof_of_address_hint),
        DocumentKind::EmployerLetter => td_string!(locale, documents.doc_employer_letter_hint),
        DocumentKind::LossDeclaration => td_string!(locale, documents.doc_loss_declaration_hint),
        DocumentKind::Photo => td_string!(locale, documents.doc_photo_hint),
    }
    .to_string()
}

/// What the pre-check found, and how to fix it.
pub fn quality(locale: Locale, problem: QualityProblem) -> String {
    use QualityProblem as Q;
    match problem {
        Q::TooSmall => td_string!(locale, documents.q_too_small),
        Q::PhotoTooSmall => td_string!(locale, documents.q_photo_too_small),
        Q::PhotoShape => td_string!(locale, documents.q_photo_shape),
        Q::TooDark => td_string!(locale, documents.q_too_dark),
        Q::Overexposed => td_string!(locale, documents.q_overexposed),
        Q::Blurred => td_string!(locale, documents.q_blurred),
        Q::PdfEmpty => td_string!(locale, documents.q_pdf_empty),
        Q::PdfTooManyPages => td_string!(locale, documents.q_pdf_too_many_pages),
        Q::PdfEncrypted => td_string!(locale, documents.q_pdf_encrypted),
        Q::PdfUnreadable => td_string!(locale, documents.q_pdf_unreadable),
    }
    .to_string()
}

/// The refusals an upload can end with (`?refused=` on the documents page); anything else in
/// the address is ignored.
pub const UPLOAD_REFUSALS: [&str; 8] = [
    "missing",
    "too_large",
    "too_many",
    "empty",
    "not_allowed",
    "photo_not_image",
    "too_many_pixels",
    "corrupt",
];

pub fn upload_refusal_known(code: &str) -> Option<&'static str> {
    UPLOAD_REFUSALS.iter().find(|c| **c == code).copied()
}

/// Why an upload was not kept. `max_bytes` is the data's limit.
pub fn upload_refusal(locale: Locale, code: &str, max_bytes: u64) -> String {
    match code {
        "too_large" => {
            return td_string!(locale, documents.r_too_large, size = megabytes(max_bytes))
                .to_string();
        }
        "too_many" => td_string!(locale, documents.r_too_many),
        "empty" => td_string!(locale, documents.r_empty),
        "not_allowed" => td_string!(locale, documents.r_not_allowed),
        "photo_not_image" => td_string!(locale, documents.r_photo_not_image),
        "too_many_pixels" => td_string!(locale, documents.r_too_many_pixels),
        "corrupt" => td_string!(locale, documents.r_corrupt),
        _ => td_string!(locale, documents.r_missing),
    }
    .to_string()
}

/// `10 MB`, isolated left to right.
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10 + 524_288) / 1_048_576;
    let text = if tenths.is_multiple_of(10) {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    };
    format!("\u{2066}{text}\u{2069}")
}

/// "File 2: image, 1200 × 1600 pixels, 1.4 MB".
pub fn file_facts(locale: Locale, n: usize, f: &FileView) -> String {
    let size = megabytes(f.bytes.max(0) as u64);
    let ltr = |v: i64| format!("\u{2066}{v}\u{2069}");
    match (f.width, f.height, f.pages) {
        (Some(w), Some(h), _) => td_string!(
            locale,
            documents.file_image,
            n = n,
            width = ltr(w),
            height = ltr(h),
            size = size
        )
        .to_string(),
        (_, _, Some(p)) => {
            td_string!(locale, documents.file_pdf, n = n, pages = p, size = size).to_string()
        }
        _ => td_string!(locale, documents.file_pdf_unread, n = n, size = size).to_string(),
    }
}

/// A line of the timeline: what happened (`Event::code`, or `created`).
pub fn event(locale: Locale, code: &str) -> String {
    match code {
        "submit" => td_string!(locale, progress.event_submit),
        "paid_online" => td_string!(locale, progress.event_paid_online),
        "chose_pay_at_centre" => td_string!(locale, progress.event_chose_pay_at_centre),
        "appointment_booked" => td_string!(locale, progress.event_appointment_booked),
        "appointment_cancelled" => td_string!(locale, progress.event_appointment_cancelled),
        "appointment_rescheduled" => td_string!(locale, progress.event_appointment_rescheduled),
        "paid_at_centre" => td_string!(locale, progress.event_paid_at_centre),
        "return_for_correction" => td_string!(locale, progress.event_return_for_correction),
        "resubmit" => td_string!(locale, progress.event_resubmit),
        "checked_in" => td_string!(locale, progress.event_checked_in),
        "card_ready_for_pickup" => td_string!(locale, progress.event_card_ready_for_pickup),
        "card_posted" => td_string!(locale, progress.event_card_posted),
        "collected" => td_string!(locale, progress.event_collected),
        "delivered" => td_string!(locale, progress.event_delivered),
        "withdraw" => td_string!(locale, progress.event_withdraw),
        "refuse" => td_string!(locale, progress.event_refuse),
        _ => td_string!(locale, progress.event_created),
    }
    .to_string()
}

/// Where an application is, in a word or two (the list's tag).
pub fn state(locale: Locale, state: State) -> String {
    match state {
        State::Draft => td_string!(locale, progress.state_draft),
        State::AwaitingPayment => td_string!(locale, progress.state_awaiting_payment),
        State::AwaitingAppointment => td_string!(locale, progress.state_awaiting_appointment),
        State::AppointmentBooked => td_string!(locale, progress.state_appointment_booked),
        State::ReturnedForCorrection => td_string!(locale, progress.state_returned),
        State::InProduction => td_string!(locale, progress.state_in_production),
        State::ReadyForPickup => td_string!(locale, progress.state_ready_for_pickup),
        State::Posted => td_string!(locale, progress.state_posted),
        State::Completed => td_string!(locale, progress.state_completed),
        State::Withdrawn => td_string!(locale, progress.state_withdrawn),
        State::Refused => td_string!(locale, progress.state_refused),
    }
    .to_string()
}

/// What the applicant (or the centre) does next, in a sentence. `fee` is the amount owed.
pub fn next_step(locale: Locale, state: State, fee: Option<Money>) -> String {
    let lang = leptos_i18n::Locale::as_str(locale);
    let amount = fee
        .map(|f| format!("\u{2068}{}\u{2069}", f.format(lang)))
        .unwrap_or_default();
    match state {
        State::Draft => td_string!(locale, progress.next_draft).to_string(),
        State::AwaitingPayment => {
            td_string!(locale, progress.next_pay, amount = amount).to_string()
        }
        State::AwaitingAppointment => td_string!(locale, progress.next_book).to_string(),
        State::AppointmentBooked => td_string!(locale, progress.next_attend).to_string(),
        State::ReturnedForCorrection => td_string!(locale, progress.next_correct).to_string(),
        State::InProduction => td_string!(locale, progress.next_production).to_string(),
        State::ReadyForPickup => td_string!(locale, progress.next_collect).to_string(),
        State::Posted => td_string!(locale, progress.next_posted).to_string(),
        State::Completed | State::Withdrawn | State::Refused => {
            td_string!(locale, progress.next_nothing).to_string()
        }
    }
}

/// A stage still ahead, as the timeline names it.
pub fn milestone(locale: Locale, milestone: Milestone, state: State, by_post: bool) -> String {
    match (milestone, by_post) {
        (Milestone::Appointment, _) if state == State::AppointmentBooked => {
            td_string!(locale, progress.milestone_appointment_booked)
        }
        (Milestone::Appointment, _) => td_string!(locale, progress.milestone_appointment),
        (Milestone::CardReady, false) => td_string!(locale, progress.milestone_ready),
        (Milestone::CardReady, true) => td_string!(locale, progress.milestone_posted),
        (Milestone::Delivered, _) => td_string!(locale, progress.milestone_delivered),
    }
    .to_string()
}

/// A line of the fee table (`idcard_fees.item`).
pub fn fee_item(locale: Locale, item: &str) -> String {
    match item {
        "card_new" => td_string!(locale, idcard.fee_card_new).to_string(),
        "card_replacement_lost" => td_string!(locale, idcard.fee_card_replacement_lost).to_string(),
        "card_replacement_damaged" => {
            td_string!(locale, idcard.fee_card_replacement_damaged).to_string()
        }
        "delivery_by_post" => td_string!(locale, idcard.fee_delivery_by_post).to_string(),
        other => other.to_string(),
    }
}
