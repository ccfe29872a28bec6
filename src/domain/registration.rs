//! Creating an account (issue 3): three short grouped pages, then a check-your-answers page
//! where the password is chosen and the terms accepted. The password is asked last, on the
//! page that creates the account, so it is never kept in a draft.

use super::{
    contact::{Email, Mobile, check_password},
    date::{Date, DateError},
    identity::{Declared, IdentityKind, IdentityNumber},
    journey::{Answers, JourneyDef, StepDef, always},
};

/// Accounts are for adults: the services (a vehicle in one's name, a residence card) are
/// applied for by adults, and a guardian applies for a child from their own account.
pub const MINIMUM_AGE: i32 = 18;
/// Longest full name accepted (identity documents print fewer).
pub const NAME_MAX_CHARS: usize = 100;

pub static JOURNEY: JourneyDef = JourneyDef {
    id: "register",
    steps: &[
        StepDef {
            id: "about-you",
            fields: &[
                "full_name",
                "dob_day",
                "dob_month",
                "dob_year",
                "nationality",
            ],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "identity",
            fields: &["identity_kind", "identity_number"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "contact",
            fields: &["email", "mobile"],
            applies: always,
            optional: &[],
        },
    ],
    // Twice the longest accepted, so that "too long" is said with the text still shown.
    max_chars: &[
        ("full_name", 2 * NAME_MAX_CHARS),
        ("email", 2 * super::contact::EMAIL_MAX_CHARS),
    ],
};

/// The page that creates the account (its problems are kept under this step name).
pub const CHECK_STEP: &str = "check";

type Problems = Vec<(String, String)>;

fn problem(field: &str, code: &str) -> Problems {
    vec![(field.to_string(), code.to_string())]
}

fn date_of_birth(a: &Answers) -> Result<Date, DateError> {
    let get = |f: &str| a.get(f).map(String::as_str).unwrap_or_default();
    Date::parse(get("dob_day"), get("dob_month"), get("dob_year"))
}

fn nationality(a: &Answers) -> Option<u16> {
    a.get("nationality")?.trim().parse().ok()
}

/// What is wrong with a submitted page, as (field, problem code) in the order of the fields;
/// empty when it is accepted. `answers` are those accepted so far (the identity page checks a
/// QID against the date of birth and nationality given before it); `known_country` says
/// whether an ISO 3166 numeric code is in the countries table.
pub fn validate(
    step: &str,
    submitted: &Answers,
    answers: &Answers,
    today: Date,
    known_country: impl Fn(u16) -> bool,
) -> Problems {
    let get = |f: &str| submitted.get(f).map(|v| v.trim()).unwrap_or_default();
    let mut problems = Problems::new();
    match step {
        "about-you" => {
            let name = super::text::clean_line(get("full_name"));
            let name = name.trim();
            if name.is_empty() {
                problems.extend(problem("full_name", "name_missing"));
            } else if name.chars().count() > NAME_MAX_CHARS {
                problems.extend(problem("full_name", "name_too_long"));
            } else if !name.chars().any(char::is_alphabetic) {
                problems.extend(problem("full_name", "name_invalid"));
            }
            let dob = match date_of_birth(submitted) {
                Err(DateError::Missing) => Some("dob_missing"),
                Err(DateError::Incomplete) => Some("dob_incomplete"),
                Err(DateError::NotARealDate) => Some("dob_not_real"),
                Ok(d) if d > today => Some("dob_future"),
                Ok(d) if d.years_until(today) < MINIMUM_AGE => Some("dob_too_young"),
                Ok(_) => None,
            };
            problems.extend(dob.map(|p| problem("dob_day", p)).unwrap_or_default());
            match nationality(submitted) {
                _ if get("nationality").is_empty() => {
                    problems.extend(problem("nationality", "nationality_missing"))
                }
                Some(code) if known_country(code) => {}
                _ => problems.extend(problem("nationality", "nationality_unknown")),
            }
        }
        "identity" => match IdentityKind::from_code(get("identity_kind")) {
            None => problems.extend(problem("identity_kind", "identity_kind_missing")),
            Some(kind) => {
                let declared = Declared {
                    date_of_birth: date_of_birth(answers).ok(),
                    nationality: nationality(answers),
                };
                if let Err(p) = IdentityNumber::parse(kind, get("identity_number"), declared) {
                    problems.extend(problem("identity_number", p.code()));
                }
            }
        },
        "contact" => {
            if let Err(p) = Email::parse(get("email")) {
                problems.extend(problem("email", p.code()));
            }
            if let Err(p) = Mobile::parse(get("mobile")) {
                problems.extend(problem("mobile", p.code()));
            }
        }
        _ => {}
    }
    problems
}

/// The last page: the password (checked against the shipped list by `is_common`) and consent.
pub fn validate_final(password: &str, consent: bool, is_common: impl Fn(&str) -> bool) -> Problems {
    let mut problems = Problems::new();
    if password.is_empty() {
        problems.extend(problem("password", "password_missing"));
    } else if let Err(p) = check_password(password, is_common) {
        problems.extend(problem("password", p.code()));
    }
    if !consent {
        problems.extend(problem("consent", "consent_missing"));
    }
    problems
}

/// Everything the account is made of, parsed from complete, valid answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant {
    pub full_name: String,
    pub identity: IdentityNumber,
    pub date_of_birth: Date,
    pub nationality: u16,
    pub email: Email,
    pub mobile: Mobile,
}

/// The applicant, or the first page whose answers are no longer valid (an answer changed from
/// the check page can invalidate another page: a new date of birth against a QID).
pub fn applicant(
    answers: &Answers,
    today: Date,
    known_country: impl Fn(u16) -> bool + Copy,
) -> Result<Applicant, (&'static str, Problems)> {
    for step in JOURNEY.steps {
        let problems = validate(step.id, answers, answers, today, known_country);
        if !problems.is_empty() || !JourneyDef::is_answered(step, answers) {
            return Err((step.id, problems));
        }
    }
    let get = |f: &str| answers.get(f).map(|v| v.trim()).unwrap_or_default();
    let invalid = || ("about-you", Problems::new());
    let date_of_birth = date_of_birth(answers).map_err(|_| invalid())?;
    let nationality = nationality(answers).ok_or_else(invalid)?;
    let kind = IdentityKind::from_code(get("identity_kind")).ok_or_else(invalid)?;
    let declared = Declared {
        date_of_birth: Some(date_of_birth),
        nationality: Some(nationality),
    };
    Ok(Applicant {
        full_name: super::text::clean_line(get("full_name"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        identity: IdentityNumber::parse(kind, get("identity_number"), declared)
            .map_err(|_| invalid())?,
        date_of_birth,
        nationality,
        email: Email::parse(get("email")).map_err(|_| invalid())?,
        mobile: Mobile::parse(get("mobile")).map_err(|_| invalid())?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 24,
    };

    fn known(code: u16) -> bool {
        matches!(code, 12 | 634 | 504)
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn complete() -> Answers {
        answers(&[
            ("full_name", "  Amina   Benali "),
            ("dob_day", "27"),
            ("dob_month", "3"),
            ("dob_year", "1990"),
            ("nationality", "12"),
            ("identity_kind", "nin"),
            ("identity_number", "109990123456789012"),
            ("email", "Amina@Example.DZ"),
            ("mobile", "0555 12 34 56"),
        ])
    }

    fn codes(p: Problems) -> Vec<String> {
        p.into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn about_you_tells_each_problem_apart() {
        let v = |a: &Answers| codes(validate("about-you", a, a, TODAY, known));
        assert!(v(&complete()).is_empty());
        let mut a = complete();
        a.insert("full_name".into(), " ".into());
        a.insert("dob_year".into(), "2015".into());
        a.insert("nationality".into(), "999".into());
        assert_eq!(
            v(&a),
            ["name_missing", "dob_too_young", "nationality_unknown"]
        );
        a.insert("full_name".into(), "1234".into());
        a.insert("dob_year".into(), "2027".into());
        a.insert("nationality".into(), "".into());
        assert_eq!(v(&a), ["name_invalid", "dob_future", "nationality_missing"]);
    }

    #[test]
    fn a_qid_is_checked_against_the_answers_given_before_it() {
        let mut a = complete();
        a.insert("nationality".into(), "504".into());
        a.insert("dob_year".into(), "1988".into());
        let qid = |n: &str| {
            codes(validate(
                "identity",
                &answers(&[("identity_kind", "qid"), ("identity_number", n)]),
                &a,
                TODAY,
                known,
            ))
        };
        assert!(qid("28850412345").is_empty());
        assert_eq!(qid("29050412345"), ["qid_birth_year"]);
        assert_eq!(qid("28863412345"), ["qid_nationality"]);
        assert_eq!(
            codes(validate("identity", &answers(&[]), &a, TODAY, known)),
            ["identity_kind_missing"]
        );
    }

    #[test]
    fn contact_problems_come_from_the_contact_rules() {
        let sub = answers(&[("email", "amina@"), ("mobile", "12")]);
        let p = validate("contact", &sub, &sub, TODAY, known);
        assert_eq!(p[0].0, "email");
        assert_eq!(p[1].0, "mobile");
    }

    #[test]
    fn the_final_page_wants_a_good_password_and_consent() {
        let common = |p: &str| p == "password1234";
        assert!(validate_final("a long unusual phrase", true, common).is_empty());
        assert_eq!(
            codes(validate_final("", false, common)),
            ["password_missing", "consent_missing"]
        );
        assert_eq!(
            codes(validate_final("Password1234", true, common)),
            ["password_common"]
        );
        assert_eq!(
            codes(validate_final("short", true, common)),
            ["password_too_short"]
        );
    }

    #[test]
    fn a_name_loses_its_direction_overrides_and_controls() {
        let mut a = complete();
        a.insert(
            "full_name".into(),
            "Bob \u{202E}gnp.exe\u{202C} Belkacem\u{0}".into(),
        );
        assert_eq!(
            applicant(&a, TODAY, known).unwrap().full_name,
            "Bob gnp.exe Belkacem"
        );
        a.insert("full_name".into(), "\u{202E}\u{2066}".into());
        assert_eq!(
            codes(validate("about-you", &a, &a, TODAY, known)),
            ["name_missing"]
        );
    }

    #[test]
    fn complete_answers_make_a_normalised_applicant() {
        let a = applicant(&complete(), TODAY, known).unwrap();
        assert_eq!(a.full_name, "Amina Benali");
        assert_eq!(a.email.as_str(), "amina@example.dz");
        assert_eq!(a.mobile.as_str(), "+213555123456");
        assert_eq!(a.nationality, 12);
    }

    #[test]
    fn an_answer_changed_later_sends_the_user_back_to_the_page_it_breaks() {
        let mut a = complete();
        a.insert("identity_kind".into(), "qid".into());
        a.insert("identity_number".into(), "28801212345".into());
        assert_eq!(
            applicant(&a, TODAY, known).unwrap_err().0,
            "identity",
            "the QID does not carry 1990 and Algeria"
        );
        a.remove("email");
        a.insert("identity_kind".into(), "nin".into());
        a.insert("identity_number".into(), "109990123456789012".into());
        assert_eq!(applicant(&a, TODAY, known).unwrap_err().0, "contact");
    }
}
