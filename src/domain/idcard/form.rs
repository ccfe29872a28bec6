//! The application form: its pages (one small group of questions each), the task-list
//! sections they belong to, what each section's status is, and what is wrong with a page's
//! answers. Pure, so that the browser and the server judge alike.

use crate::domain::{
    date::{Date, DateError},
    digits::normalise_digits,
    journey::{Answers, JourneyDef, StepDef, always},
};

/// Field names, shared by the pages, the validation and the stored answers.
pub mod field {
    pub const REQUEST_TYPE: &str = "request_type";
    pub const NAME_AR: &str = "name_ar";
    pub const NAME_LATIN: &str = "name_latin";
    pub const DOB: &str = "dob";
    pub const NATIONALITY: &str = "nationality";
    pub const SEX: &str = "sex";
    pub const PASSPORT_NUMBER: &str = "passport_number";
    pub const PASSPORT_COUNTRY: &str = "passport_country";
    pub const PASSPORT_EXPIRY: &str = "passport_expiry";
    pub const PERMIT_NUMBER: &str = "permit_number";
    pub const PERMIT_EXPIRY: &str = "permit_expiry";
    pub const ZONE: &str = "zone";
    pub const STREET: &str = "street";
    pub const BUILDING: &str = "building";
    pub const UNIT: &str = "unit";
    pub const EMPLOYER_NAME: &str = "employer_name";
    pub const ESTABLISHMENT: &str = "establishment_number";
    pub const DELIVERY: &str = "delivery";
    pub const LOSS_DATE: &str = "loss";
    pub const LOSS_PLACE: &str = "loss_place";
    pub const POLICE_REPORT: &str = "police_report";
}

fn is_lost(a: &Answers) -> bool {
    a.get(field::REQUEST_TYPE).is_some_and(|v| v == "lost")
}

/// Every page of the application. `request` is answered on its own page before the task
/// list (and can be changed there until submission); the others belong to sections.
pub static APPLICATION: JourneyDef = JourneyDef {
    id: "idcard-application",
    steps: &[
        StepDef {
            id: "request",
            fields: &[field::REQUEST_TYPE],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "names",
            fields: &[field::NAME_AR, field::NAME_LATIN],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "date-of-birth",
            fields: &["dob_day", "dob_month", "dob_year"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "nationality",
            fields: &[field::NATIONALITY, field::SEX],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "passport",
            fields: &[
                field::PASSPORT_NUMBER,
                field::PASSPORT_COUNTRY,
                "passport_expiry_day",
                "passport_expiry_month",
                "passport_expiry_year",
            ],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "residence",
            fields: &[
                field::PERMIT_NUMBER,
                "permit_expiry_day",
                "permit_expiry_month",
                "permit_expiry_year",
            ],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "address",
            fields: &[field::ZONE, field::STREET, field::BUILDING, field::UNIT],
            applies: always,
            optional: &[field::UNIT],
        },
        StepDef {
            id: "employer",
            fields: &[field::EMPLOYER_NAME, field::ESTABLISHMENT],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "delivery",
            fields: &[field::DELIVERY],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "loss",
            fields: &[
                "loss_day",
                "loss_month",
                "loss_year",
                field::LOSS_PLACE,
                field::POLICE_REPORT,
            ],
            applies: is_lost,
            optional: &[field::POLICE_REPORT],
        },
    ],
    max_chars: &[
        (field::NAME_AR, 2 * NAME_MAX_CHARS),
        (field::NAME_LATIN, 2 * NAME_MAX_CHARS),
        (field::EMPLOYER_NAME, 2 * EMPLOYER_MAX_CHARS),
        (field::LOSS_PLACE, 2 * PLACE_MAX_CHARS),
    ],
};

/// One entry of the task list.
pub struct SectionDef {
    pub id: &'static str,
    /// Its pages, in order.
    pub steps: &'static [&'static str],
    /// Sections that must be completed before this one can start.
    pub needs: &'static [&'static str],
    pub applies: fn(&Answers) -> bool,
}

/// The task list's sections of the form, in order.
pub static SECTIONS: &[SectionDef] = &[
    SectionDef {
        id: "personal",
        steps: &["names", "date-of-birth", "nationality"],
        needs: &[],
        applies: always,
    },
    SectionDef {
        id: "passport",
        steps: &["passport"],
        needs: &[],
        applies: always,
    },
    SectionDef {
        id: "residence",
        steps: &["residence"],
        needs: &[],
        applies: always,
    },
    SectionDef {
        id: "address",
        steps: &["address"],
        needs: &[],
        applies: always,
    },
    SectionDef {
        id: "employer",
        steps: &["employer"],
        needs: &[],
        applies: always,
    },
    SectionDef {
        id: "loss",
        steps: &["loss"],
        needs: &[],
        applies: is_lost,
    },
    // A card by post goes to the address given: asked once the address is.
    SectionDef {
        id: "delivery",
        steps: &["delivery"],
        needs: &["address"],
        applies: always,
    },
];

/// A section's status on the task list (GOV.UK task-list pattern).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Status {
    CannotStartYet,
    NotStarted,
    InProgress,
    Completed,
}

pub fn section(id: &str) -> Option<&'static SectionDef> {
    SECTIONS.iter().find(|s| s.id == id)
}

/// The sections that apply to these answers (the loss declaration only for a lost card).
pub fn sections(answers: &Answers) -> Vec<&'static SectionDef> {
    SECTIONS.iter().filter(|s| (s.applies)(answers)).collect()
}

/// The section a page belongs to.
pub fn section_of(step: &str) -> Option<&'static SectionDef> {
    SECTIONS.iter().find(|s| s.steps.contains(&step))
}

fn page_answered(step: &str, answers: &Answers) -> bool {
    APPLICATION
        .step(step)
        .is_some_and(|s| JourneyDef::is_answered(s, answers))
}

pub fn status(section: &SectionDef, answers: &Answers) -> Status {
    let needs_met = section
        .needs
        .iter()
        .filter_map(|id| self::section(id))
        .all(|s| status(s, answers) == Status::Completed);
    if !needs_met {
        return Status::CannotStartYet;
    }
    let answered = section
        .steps
        .iter()
        .filter(|s| page_answered(s, answers))
        .count();
    match answered {
        0 => Status::NotStarted,
        n if n == section.steps.len() => Status::Completed,
        _ => Status::InProgress,
    }
}

/// Where a section's link leads: its first unanswered page, or its first page when it is
/// completed (to change it).
pub fn entry(section: &SectionDef, answers: &Answers) -> &'static str {
    section
        .steps
        .iter()
        .find(|s| !page_answered(s, answers))
        .unwrap_or(&section.steps[0])
}

/// After a page is saved: the next unanswered page of its section, or `None` (back to the
/// task list).
pub fn after(step: &str, answers: &Answers) -> Option<&'static str> {
    let section = section_of(step)?;
    let i = section.steps.iter().position(|s| *s == step)?;
    section.steps[i + 1..]
        .iter()
        .find(|s| !page_answered(s, answers))
        .copied()
}

/// Every section of the form is completed: the application can go on to its documents and
/// its check-your-answers page.
pub fn form_completed(answers: &Answers) -> bool {
    page_answered("request", answers)
        && sections(answers)
            .iter()
            .all(|s| status(s, answers) == Status::Completed)
}

/// Longest name accepted in either script (identity documents print fewer).
pub const NAME_MAX_CHARS: usize = 100;
pub const EMPLOYER_MAX_CHARS: usize = 150;
pub const PLACE_MAX_CHARS: usize = 100;

/// Qatar's address plates: a zone (1 to 98), a street and a building number, and in a
/// building of flats a unit number.
pub const ZONES: std::ops::RangeInclusive<u32> = 1..=98;
pub const STREETS: std::ops::RangeInclusive<u32> = 1..=999;
pub const BUILDINGS: std::ops::RangeInclusive<u32> = 1..=9999;
pub const UNITS: std::ops::RangeInclusive<u32> = 1..=9999;

/// What the checks of a page depend on beyond its own answers: today's date in Doha, the
/// rules from data, and which country codes exist.
pub struct Context<'a> {
    pub today: Date,
    /// The passport must stay valid this many months after today (data).
    pub passport_valid_months: u32,
    pub is_country: &'a (dyn Fn(&str) -> bool + Sync),
}

type Problems = Vec<(String, String)>;

/// What is wrong with a page's submitted answers, as (field, problem code); empty when it is
/// accepted. A date's problem is reported on its day field, where its error links to.
pub fn validate(step: &str, submitted: &Answers, ctx: &Context) -> Problems {
    let get = |f: &str| {
        submitted
            .get(f)
            .map(|v| normalise_digits(v.trim()))
            .unwrap_or_default()
    };
    let mut problems = Problems::new();
    let mut say = |field: &str, code: &str| problems.push((field.to_string(), code.to_string()));
    match step {
        "request" => {
            if super::application::RequestType::parse(&get(field::REQUEST_TYPE)).is_none() {
                say(field::REQUEST_TYPE, "choose_request");
            }
        }
        "names" => {
            if let Some(code) = arabic_name_problem(&get(field::NAME_AR)) {
                say(field::NAME_AR, code);
            }
            if let Some(code) = latin_name_problem(&get(field::NAME_LATIN)) {
                say(field::NAME_LATIN, code);
            }
        }
        "date-of-birth" => match date(submitted, "dob") {
            Err(e) => say("dob_day", date_code("dob", e)),
            Ok(d) if d > ctx.today => say("dob_day", "dob_future"),
            Ok(d) if d.years_until(ctx.today) < crate::domain::eligibility::MINIMUM_AGE => {
                say("dob_day", "dob_under_18")
            }
            Ok(_) => {}
        },
        "nationality" => {
            if !(ctx.is_country)(&get(field::NATIONALITY)) {
                say(field::NATIONALITY, "choose_nationality");
            }
            if !matches!(get(field::SEX).as_str(), "female" | "male") {
                say(field::SEX, "choose_sex");
            }
        }
        "passport" => {
            if let Some(code) = document_number_problem(&get(field::PASSPORT_NUMBER), 6, 12) {
                say(field::PASSPORT_NUMBER, &format!("passport_number_{code}"));
            }
            if !(ctx.is_country)(&get(field::PASSPORT_COUNTRY)) {
                say(field::PASSPORT_COUNTRY, "choose_passport_country");
            }
            let needed = add_months(ctx.today, ctx.passport_valid_months);
            match date(submitted, "passport_expiry") {
                Err(e) => say("passport_expiry_day", date_code("passport_expiry", e)),
                Ok(d) if d < ctx.today => say("passport_expiry_day", "passport_expired"),
                Ok(d) if d < needed => say("passport_expiry_day", "passport_expires_too_soon"),
                Ok(_) => {}
            }
        }
        "residence" => {
            if let Some(code) = document_number_problem(&get(field::PERMIT_NUMBER), 6, 15) {
                say(field::PERMIT_NUMBER, &format!("permit_number_{code}"));
            }
            match date(submitted, "permit_expiry") {
                Err(e) => say("permit_expiry_day", date_code("permit_expiry", e)),
                Ok(d) if d < ctx.today => say("permit_expiry_day", "permit_expired"),
                Ok(_) => {}
            }
        }
        "address" => {
            for (f, range) in [
                (field::ZONE, ZONES),
                (field::STREET, STREETS),
                (field::BUILDING, BUILDINGS),
            ] {
                if let Some(code) = number_problem(&get(f), range) {
                    say(f, &format!("{f}_{code}"));
                }
            }
            let unit = get(field::UNIT);
            if !unit.is_empty()
                && let Some(code) = number_problem(&unit, UNITS)
            {
                say(field::UNIT, &format!("unit_{code}"));
            }
        }
        "employer" => {
            let name = get(field::EMPLOYER_NAME);
            if name.is_empty() {
                say(field::EMPLOYER_NAME, "employer_name_missing");
            } else if name.chars().count() > EMPLOYER_MAX_CHARS {
                say(field::EMPLOYER_NAME, "employer_name_too_long");
            }
            let number: String = get(field::ESTABLISHMENT)
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '/'))
                .collect();
            if number.is_empty() {
                say(field::ESTABLISHMENT, "establishment_missing");
            } else if !number.chars().all(|c| c.is_ascii_digit())
                || !(5..=10).contains(&number.len())
            {
                say(field::ESTABLISHMENT, "establishment_format");
            }
        }
        "delivery" => {
            if !matches!(get(field::DELIVERY).as_str(), "pickup" | "post") {
                say(field::DELIVERY, "choose_delivery");
            }
        }
        "loss" => {
            match date(submitted, "loss") {
                Err(e) => say("loss_day", date_code("loss", e)),
                Ok(d) if d > ctx.today => say("loss_day", "loss_future"),
                Ok(_) => {}
            }
            let place = get(field::LOSS_PLACE);
            if place.is_empty() {
                say(field::LOSS_PLACE, "loss_place_missing");
            } else if place.chars().count() > PLACE_MAX_CHARS {
                say(field::LOSS_PLACE, "loss_place_too_long");
            }
            let report = get(field::POLICE_REPORT);
            if !report.is_empty()
                && let Some(code) = document_number_problem(&report, 3, 30)
            {
                // Only hyphens or spaces typed: not a number (the field itself is optional).
                let code = if code == "missing" { "format" } else { code };
                say(field::POLICE_REPORT, &format!("police_report_{code}"));
            }
        }
        _ => say("step", "unknown_page"),
    }
    problems
}

/// Every page of the application checked again (at submission: a passport valid when its
/// page was saved may be too close to expiry weeks later). The first page with a problem.
pub fn first_problem(answers: &Answers, ctx: &Context) -> Option<(&'static str, Problems)> {
    APPLICATION
        .applicable(answers)
        .into_iter()
        .map(|s| (s.id, validate(s.id, answers, ctx)))
        .find(|(_, p)| !p.is_empty())
}

/// The three fields `{prefix}_day`, `_month`, `_year` as a date.
pub fn date(answers: &Answers, prefix: &str) -> Result<Date, DateError> {
    let get = |part: &str| {
        answers
            .get(&format!("{prefix}_{part}"))
            .map(String::as_str)
            .unwrap_or_default()
    };
    Date::parse(get("day"), get("month"), get("year"))
}

/// `dob_missing`, `passport_expiry_not_real`, …: one message per date and way of being wrong.
fn date_code(prefix: &str, e: DateError) -> &'static str {
    let codes: [(&str, [&'static str; 3]); 4] = [
        ("dob", ["dob_missing", "dob_incomplete", "dob_not_real"]),
        (
            "passport_expiry",
            [
                "passport_expiry_missing",
                "passport_expiry_incomplete",
                "passport_expiry_not_real",
            ],
        ),
        (
            "permit_expiry",
            [
                "permit_expiry_missing",
                "permit_expiry_incomplete",
                "permit_expiry_not_real",
            ],
        ),
        ("loss", ["loss_missing", "loss_incomplete", "loss_not_real"]),
    ];
    let [missing, incomplete, not_real] = codes
        .iter()
        .find(|(p, _)| *p == prefix)
        .map_or(["date_missing"; 3], |(_, c)| *c);
    match e {
        DateError::Missing => missing,
        DateError::Incomplete => incomplete,
        DateError::NotARealDate => not_real,
    }
}

/// The same day `months` later, or the month's last day when it has no such day (31 August
/// plus 6 months is 28 or 29 February).
pub fn add_months(date: Date, months: u32) -> Date {
    let total = date.month - 1 + months;
    let year = date.year + (total / 12) as i32;
    let month = total % 12 + 1;
    let day = date
        .day
        .min(crate::domain::date::days_in_month(year, month));
    Date { year, month, day }
}

/// Arabic letters (and spaces, and the joiners Arabic names are written with).
fn arabic_name_problem(name: &str) -> Option<&'static str> {
    let arabic = |c: char| matches!(c, '\u{0621}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' | '\u{064B}'..='\u{0652}');
    if name.is_empty() {
        Some("name_ar_missing")
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some("name_ar_too_long")
    } else if !name
        .chars()
        .all(|c| arabic(c) || matches!(c, ' ' | '\u{200C}' | '\u{200D}' | '-'))
        || !name.chars().any(arabic)
    {
        Some("name_ar_script")
    } else {
        None
    }
}

/// Latin letters as printed in the passport (and spaces, hyphens, apostrophes).
fn latin_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("name_latin_missing")
    } else if name.chars().count() > NAME_MAX_CHARS {
        Some("name_latin_too_long")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '-' | '\''))
        || !name.chars().any(|c| c.is_ascii_alphabetic())
    {
        Some("name_latin_script")
    } else {
        None
    }
}

/// A passport, permit or report number: letters and digits, `min` to `max` of them once
/// spaces and hyphens are dropped. `missing`, `format` or `length`.
fn document_number_problem(number: &str, min: usize, max: usize) -> Option<&'static str> {
    let kept: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if kept.is_empty() {
        Some("missing")
    } else if !kept.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some("format")
    } else if !(min..=max).contains(&kept.len()) {
        Some("length")
    } else {
        None
    }
}

/// A whole number in `range`: `missing`, `not_number` or `range`.
fn number_problem(text: &str, range: std::ops::RangeInclusive<u32>) -> Option<&'static str> {
    if text.is_empty() {
        return Some("missing");
    }
    if !text.chars().all(|c| c.is_ascii_digit()) || text.len() > 6 {
        return Some("not_number");
    }
    match text.parse::<u32>() {
        Ok(n) if range.contains(&n) => None,
        _ => Some("range"),
    }
}

/// Every problem code `validate` can give, for the message tables' completeness test.
pub const PROBLEM_CODES: &[&str] = &[
    "choose_request",
    "name_ar_missing",
    "name_ar_too_long",
    "name_ar_script",
    "name_latin_missing",
    "name_latin_too_long",
    "name_latin_script",
    "dob_missing",
    "dob_incomplete",
    "dob_not_real",
    "dob_future",
    "dob_under_18",
    "choose_nationality",
    "choose_sex",
    "passport_number_missing",
    "passport_number_format",
    "passport_number_length",
    "choose_passport_country",
    "passport_expiry_missing",
    "passport_expiry_incomplete",
    "passport_expiry_not_real",
    "passport_expired",
    "passport_expires_too_soon",
    "permit_number_missing",
    "permit_number_format",
    "permit_number_length",
    "permit_expiry_missing",
    "permit_expiry_incomplete",
    "permit_expiry_not_real",
    "permit_expired",
    "zone_missing",
    "zone_not_number",
    "zone_range",
    "street_missing",
    "street_not_number",
    "street_range",
    "building_missing",
    "building_not_number",
    "building_range",
    "unit_not_number",
    "unit_range",
    "employer_name_missing",
    "employer_name_too_long",
    "establishment_missing",
    "establishment_format",
    "choose_delivery",
    "loss_missing",
    "loss_incomplete",
    "loss_not_real",
    "loss_future",
    "loss_place_missing",
    "loss_place_too_long",
    "police_report_format",
    "police_report_length",
];

#[cfg(test)]
mod tests;
