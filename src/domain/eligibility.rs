//! Who may apply for the resident smart ID card (PRODUCT.md, service 2, step 1): checked
//! first, before any account work, and said exactly: which condition fails and what to do.

use super::date::Date;
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

#[cfg(test)]
mod tests {
    use super::*;

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
