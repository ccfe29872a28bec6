//! Who may apply for the resident smart ID card (PRODUCT.md, service 2, step 1): checked
//! first, before any account work, and said exactly: which condition fails and what to do.

use super::{
    date::{Date, DateError},
    journey::{Answers, JourneyDef, StepDef, always},
};
use serde::{Deserialize, Serialize};

/// Applicants must be adults.
pub const MINIMUM_AGE: i32 = 18;

/// A condition of eligibility, in the order the questions are asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Condition {
    /// 18 or over on the day of the check.
    Adult,
    /// Legal residence: a residence visa that has not expired.
    ValidResidenceVisa,
    ValidPassport,
    /// An electricity or water bill, or a lease, in the applicant's name.
    ProofOfAddress,
    /// A letter from the employer.
    EmployerLetter,
}

/// What the applicant told us.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub date_of_birth: Date,
    pub has_valid_residence_visa: bool,
    pub has_valid_passport: bool,
    pub has_proof_of_address: bool,
    pub has_employer_letter: bool,
}

/// The conditions not met, in order; empty means the applicant can apply.
pub fn unmet_conditions(facts: &Facts, today: Date) -> Vec<Condition> {
    [
        (
            Condition::Adult,
            facts.date_of_birth.years_until(today) >= MINIMUM_AGE,
        ),
        (
            Condition::ValidResidenceVisa,
            facts.has_valid_residence_visa,
        ),
        (Condition::ValidPassport, facts.has_valid_passport),
        (Condition::ProofOfAddress, facts.has_proof_of_address),
        (Condition::EmployerLetter, facts.has_employer_letter),
    ]
    .into_iter()
    .filter(|(_, met)| !met)
    .map(|(c, _)| c)
    .collect()
}

/// The questions, one per page, in the order of the conditions.
pub static JOURNEY: JourneyDef = JourneyDef {
    id: "idcard-eligibility",
    steps: &[
        StepDef {
            id: "date-of-birth",
            fields: &["dob_day", "dob_month", "dob_year"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "residence-visa",
            fields: &["residence_visa"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "passport",
            fields: &["passport"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "proof-of-address",
            fields: &["proof_of_address"],
            applies: always,
            optional: &[],
        },
        StepDef {
            id: "employer-letter",
            fields: &["employer_letter"],
            applies: always,
            optional: &[],
        },
    ],
    max_chars: &[],
};

/// The yes/no questions: (step, field).
pub const YES_NO: [(&str, &str); 4] = [
    ("residence-visa", "residence_visa"),
    ("passport", "passport"),
    ("proof-of-address", "proof_of_address"),
    ("employer-letter", "employer_letter"),
];

/// What is wrong with a submitted page, as (field, problem code); empty when it is accepted.
/// The codes name the message the page shows (`err_<code>`); the first field of a date is
/// where its error links to.
pub fn validate(step: &str, submitted: &Answers, today: Date) -> Vec<(String, String)> {
    let get = |f: &str| submitted.get(f).map(String::as_str).unwrap_or_default();
    if step == "date-of-birth" {
        let problem = match Date::parse(get("dob_day"), get("dob_month"), get("dob_year")) {
            Err(DateError::Missing) => Some("dob_missing"),
            Err(DateError::Incomplete) => Some("dob_incomplete"),
            Err(DateError::NotARealDate) => Some("dob_not_real"),
            Ok(d) if d > today => Some("dob_future"),
            Ok(_) => None,
        };
        return problem
            .map(|p| vec![("dob_day".to_string(), p.to_string())])
            .unwrap_or_default();
    }
    YES_NO
        .iter()
        .filter(|(s, _)| *s == step)
        .filter(|(_, field)| !matches!(get(field).trim(), "yes" | "no"))
        .map(|(_, field)| ((*field).to_string(), format!("choose_{field}")))
        .collect()
}

/// The facts, once every page is answered.
pub fn facts_from(answers: &Answers) -> Option<Facts> {
    let get = |f: &str| answers.get(f).map(String::as_str).unwrap_or_default();
    let yes = |f: &str| match get(f) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    Some(Facts {
        date_of_birth: Date::parse(get("dob_day"), get("dob_month"), get("dob_year")).ok()?,
        has_valid_residence_visa: yes("residence_visa")?,
        has_valid_passport: yes("passport")?,
        has_proof_of_address: yes("proof_of_address")?,
        has_employer_letter: yes("employer_letter")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submitted(pairs: &[(&str, &str)]) -> Answers {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_date_problem_has_its_own_code() {
        let v = |d: &str, m: &str, y: &str| {
            validate(
                "date-of-birth",
                &submitted(&[("dob_day", d), ("dob_month", m), ("dob_year", y)]),
                TODAY,
            )
        };
        assert_eq!(
            v("", "", ""),
            vec![("dob_day".into(), "dob_missing".into())]
        );
        assert_eq!(
            v("1", "", "1990"),
            vec![("dob_day".into(), "dob_incomplete".into())]
        );
        assert_eq!(
            v("31", "2", "1990"),
            vec![("dob_day".into(), "dob_not_real".into())]
        );
        assert_eq!(
            v("24", "11", "2026"),
            vec![("dob_day".into(), "dob_future".into())]
        );
        assert!(v("23", "11", "2026").is_empty());
    }

    #[test]
    fn a_yes_no_page_needs_yes_or_no() {
        assert_eq!(
            validate("passport", &submitted(&[]), TODAY),
            vec![("passport".into(), "choose_passport".into())]
        );
        assert_eq!(
            validate("passport", &submitted(&[("passport", "maybe")]), TODAY),
            vec![("passport".into(), "choose_passport".into())]
        );
        assert!(validate("passport", &submitted(&[("passport", "no")]), TODAY).is_empty());
    }

    #[test]
    fn facts_exist_only_when_every_page_is_answered() {
        let mut a = submitted(&[
            ("dob_day", "1"),
            ("dob_month", "5"),
            ("dob_year", "1990"),
            ("residence_visa", "yes"),
            ("passport", "yes"),
            ("proof_of_address", "no"),
        ]);
        assert_eq!(facts_from(&a), None);
        a.insert("employer_letter".into(), "yes".into());
        let f = facts_from(&a).unwrap();
        assert!(!f.has_proof_of_address);
        assert_eq!(unmet_conditions(&f, TODAY), vec![Condition::ProofOfAddress]);
    }

    fn facts() -> Facts {
        Facts {
            date_of_birth: Date {
                year: 1990,
                month: 5,
                day: 1,
            },
            has_valid_residence_visa: true,
            has_valid_passport: true,
            has_proof_of_address: true,
            has_employer_letter: true,
        }
    }

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 23,
    };

    #[test]
    fn an_adult_with_every_document_can_apply() {
        assert!(unmet_conditions(&facts(), TODAY).is_empty());
    }

    #[test]
    fn an_applicant_turning_18_today_can_apply_and_one_day_younger_cannot() {
        let mut f = facts();
        f.date_of_birth = Date {
            year: 2008,
            month: 11,
            day: 23,
        };
        assert!(unmet_conditions(&f, TODAY).is_empty());
        f.date_of_birth = Date {
            year: 2008,
            month: 11,
            day: 24,
        };
        assert_eq!(unmet_conditions(&f, TODAY), vec![Condition::Adult]);
    }

    #[test]
    fn every_failing_condition_is_named_in_order() {
        let mut f = facts();
        f.has_valid_passport = false;
        f.has_employer_letter = false;
        assert_eq!(
            unmet_conditions(&f, TODAY),
            vec![Condition::ValidPassport, Condition::EmployerLetter]
        );
        f.has_valid_residence_visa = false;
        f.has_proof_of_address = false;
        assert_eq!(
            unmet_conditions(&f, TODAY),
            vec![
                Condition::ValidResidenceVisa,
                Condition::ValidPassport,
                Condition::ProofOfAddress,
                Condition::EmployerLetter
            ]
        );
    }
}
