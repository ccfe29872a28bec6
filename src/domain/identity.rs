//! Identity numbers an account is registered with: the Algerian national identification number
//! (NIN), the Qatari ID (QID), or another country's residence number. Parsing normalises what
//! people type (Arabic-Indic digits, spaces, dashes) and refuses with a problem code the page
//! translates; a QID is also checked against the declared date of birth and nationality.

use super::{date::Date, digits::normalise_digits};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IdentityKind {
    /// Algeria's national identification number: 18 digits.
    Nin,
    /// Qatar ID: 11 digits; the first is 2 or 3, then the two last digits of the birth year, then
    /// the ISO 3166 numeric code of the nationality.
    Qid,
    /// Another residence number: letters and digits.
    Other,
}

impl IdentityKind {
    pub const ALL: [IdentityKind; 3] = [IdentityKind::Nin, IdentityKind::Qid, IdentityKind::Other];

    /// The value in forms and in the database.
    pub fn code(self) -> &'static str {
        match self {
            IdentityKind::Nin => "nin",
            IdentityKind::Qid => "qid",
            IdentityKind::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A valid identity number, normalised: digits only for NIN and QID, upper-case letters and
/// digits for the others. Unique per kind in the accounts table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityNumber {
    kind: IdentityKind,
    value: String,
}

/// Why a number is refused (each is a message on the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityProblem {
    Missing,
    NinLength,
    QidLength,
    QidFirstDigit,
    /// Digits 2–3 are not the last two digits of the declared year of birth.
    QidBirthYear,
    /// Digits 4–6 are not the declared nationality's ISO 3166 numeric code.
    QidNationality,
    /// Another residence number: only letters and digits, 5 to 20 of them.
    OtherFormat,
}

impl IdentityProblem {
    pub fn code(self) -> &'static str {
        match self {
            IdentityProblem::Missing => "id_missing",
            IdentityProblem::NinLength => "nin_length",
            IdentityProblem::QidLength => "qid_length",
            IdentityProblem::QidFirstDigit => "qid_first_digit",
            IdentityProblem::QidBirthYear => "qid_birth_year",
            IdentityProblem::QidNationality => "qid_nationality",
            IdentityProblem::OtherFormat => "other_id_format",
        }
    }
}

/// What a QID is checked against, when the person has declared it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Declared {
    pub date_of_birth: Option<Date>,
    /// ISO 3166-1 numeric code of the nationality (Qatar is 634, Algeria 12).
    pub nationality: Option<u16>,
}

/// Spaces, dashes and dots people type to group digits; removed before checking.
fn compact(input: &str) -> String {
    normalise_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '/' | '\u{2010}'..='\u{2015}'))
        .collect()
}

impl IdentityNumber {
    pub fn parse(
        kind: IdentityKind,
        input: &str,
        declared: Declared,
    ) -> Result<Self, IdentityProblem> {
        let value = compact(input);
        if value.is_empty() {
            return Err(IdentityProblem::Missing);
        }
        let all_digits = value.chars().all(|c| c.is_ascii_digit());
        match kind {
            IdentityKind::Nin if !(all_digits && value.len() == 18) => {
                Err(IdentityProblem::NinLength)
            }
            IdentityKind::Qid => {
                if !(all_digits && value.len() == 11) {
                    return Err(IdentityProblem::QidLength);
                }
                if !value.starts_with(['2', '3']) {
                    return Err(IdentityProblem::QidFirstDigit);
                }
                if let Some(born) = declared.date_of_birth
                    && value[1..3] != format!("{:02}", born.year.rem_euclid(100))
                {
                    return Err(IdentityProblem::QidBirthYear);
                }
                if let Some(nationality) = declared.nationality
                    && value[3..6] != format!("{nationality:03}")
                {
                    return Err(IdentityProblem::QidNationality);
                }
                Ok(Self { kind, value })
            }
            IdentityKind::Other => {
                let value = value.to_ascii_uppercase();
                let ok = (5..=20).contains(&value.len())
                    && value.chars().all(|c| c.is_ascii_alphanumeric());
                if ok {
                    Ok(Self { kind, value })
                } else {
                    Err(IdentityProblem::OtherFormat)
                }
            }
            IdentityKind::Nin => Ok(Self { kind, value }),
        }
    }

    pub fn kind(&self) -> IdentityKind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for IdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn born(y: i32) -> Declared {
        Declared {
            date_of_birth: Some(Date {
                year: y,
                month: 3,
                day: 27,
            }),
            nationality: Some(12),
        }
    }

    #[test]
    fn a_nin_is_eighteen_digits_typed_any_way() {
        let nin = IdentityNumber::parse(
            IdentityKind::Nin,
            "1099 9012 3456 7890 12",
            Declared::default(),
        )
        .unwrap();
        assert_eq!(nin.as_str(), "109990123456789012");
        let arabic =
            IdentityNumber::parse(IdentityKind::Nin, "١٠٩٩٩٠١٢٣٤٥٦٧٨٩٠١٢", Declared::default())
                .unwrap();
        assert_eq!(arabic, nin);
        for bad in [
            "10999012345678901",
            "1099901234567890123",
            "10999012345678901A",
        ] {
            assert_eq!(
                IdentityNumber::parse(IdentityKind::Nin, bad, Declared::default()),
                Err(IdentityProblem::NinLength),
                "{bad}"
            );
        }
        assert_eq!(
            IdentityNumber::parse(IdentityKind::Nin, "  ", Declared::default()),
            Err(IdentityProblem::Missing)
        );
    }

    #[test]
    fn a_qid_carries_the_birth_year_and_the_nationality() {
        // 2, born 1990, nationality 012 (Algeria), then 5 digits.
        let ok = IdentityNumber::parse(IdentityKind::Qid, "290-012-34567", born(1990)).unwrap();
        assert_eq!(ok.as_str(), "29001234567");
        assert_eq!(
            IdentityNumber::parse(IdentityKind::Qid, "29001234567", born(1991)),
            Err(IdentityProblem::QidBirthYear)
        );
        let qatari = Declared {
            nationality: Some(634),
            ..born(1990)
        };
        assert_eq!(
            IdentityNumber::parse(IdentityKind::Qid, "29001234567", qatari),
            Err(IdentityProblem::QidNationality)
        );
        assert!(IdentityNumber::parse(IdentityKind::Qid, "29063434567", qatari).is_ok());
        // Born in 2005: digits 2–3 are 05; a 3 first digit is allowed too.
        assert!(IdentityNumber::parse(IdentityKind::Qid, "30501234567", born(2005)).is_ok());
    }

    #[test]
    fn a_qid_is_eleven_digits_starting_with_2_or_3() {
        let none = Declared::default();
        assert_eq!(
            IdentityNumber::parse(IdentityKind::Qid, "2900123456", none),
            Err(IdentityProblem::QidLength)
        );
        assert_eq!(
            IdentityNumber::parse(IdentityKind::Qid, "19001234567", none),
            Err(IdentityProblem::QidFirstDigit)
        );
        assert!(IdentityNumber::parse(IdentityKind::Qid, "٢٩٠٠١٢٣٤٥٦٧", none).is_ok());
    }

    #[test]
    fn other_residence_numbers_are_letters_and_digits() {
        let none = Declared::default();
        let ok = IdentityNumber::parse(IdentityKind::Other, "ab 12-345 c", none).unwrap();
        assert_eq!(ok.as_str(), "AB12345C");
        for bad in ["AB1", "AB12345_", "ÉCOLE12345", &"A".repeat(21)] {
            assert_eq!(
                IdentityNumber::parse(IdentityKind::Other, bad, none),
                Err(IdentityProblem::OtherFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in IdentityKind::ALL {
            assert_eq!(IdentityKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(IdentityKind::from_code("passport"), None);
    }
}
