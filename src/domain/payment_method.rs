//! What a payer types on a gateway's page, checked the way the card schemes and banks check it:
//! card numbers (length, Luhn, brand by prefix), expiry, CVV2, and Algerian bank account numbers
//! (RIB: 20 digits whose last two are a mod-97 key). Pure, so the browser can say "this card
//! number has a typo" before anything is sent.

use super::digits::normalise_digits;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardBrand {
    /// Algérie Poste's Edahabia card (GIE Monétique, BIN 628058).
    Edahabia,
    /// Algerian banks' interbank (CIB) cards: the other 6280… numbers.
    Cib,
    /// Qatar's national debit network.
    Naps,
    Visa,
    Mastercard,
}

impl CardBrand {
    pub fn code(self) -> &'static str {
        match self {
            CardBrand::Edahabia => "edahabia",
            CardBrand::Cib => "cib",
            CardBrand::Naps => "naps",
            CardBrand::Visa => "visa",
            CardBrand::Mastercard => "mastercard",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            CardBrand::Edahabia,
            CardBrand::Cib,
            CardBrand::Naps,
            CardBrand::Visa,
            CardBrand::Mastercard,
        ]
        .into_iter()
        .find(|b| b.code() == code)
    }

    /// The name printed on the card; the same in every language.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Edahabia => "Edahabia",
            CardBrand::Cib => "CIB",
            CardBrand::Naps => "NAPS",
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
        }
    }

    /// Lengths the scheme issues.
    fn lengths(self) -> &'static [usize] {
        match self {
            CardBrand::Visa => &[13, 16, 19],
            _ => &[16],
        }
    }

    /// The brand a number's prefix belongs to. The most specific prefix wins (Edahabia's
    /// 628058 before the CIB range 6280).
    pub fn detect(digits: &str) -> Option<Self> {
        let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
        if digits.starts_with("628058") {
            Some(CardBrand::Edahabia)
        } else if digits.starts_with("6280") {
            Some(CardBrand::Cib)
        } else if digits.starts_with("9634") {
            Some(CardBrand::Naps)
        } else if digits.starts_with('4') {
            Some(CardBrand::Visa)
        } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
            Some(CardBrand::Mastercard)
        } else {
            None
        }
    }
}

/// Luhn (mod 10) over a string of ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardProblem {
    Missing,
    NotDigits,
    UnknownBrand,
    WrongLength,
    /// The Luhn check failed: almost always a typo.
    Typo,
}

/// A card number as typed, checked. Only the masked form and the brand ever leave the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardNumber {
    digits: String,
    brand: CardBrand,
}

impl CardNumber {
    /// Accepts spaces and dashes between groups and Arabic-Indic digits.
    pub fn parse(input: &str) -> Result<Self, CardProblem> {
        let compact: String = normalise_digits(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{A0}' | '\u{202F}'))
            .collect();
        if compact.is_empty() {
            return Err(CardProblem::Missing);
        }
        if !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardProblem::NotDigits);
        }
        let brand = CardBrand::detect(&compact).ok_or(CardProblem::UnknownBrand)?;
        if !brand.lengths().contains(&compact.len()) {
            return Err(CardProblem::WrongLength);
        }
        if !luhn_valid(&compact) {
            return Err(CardProblem::Typo);
        }
        Ok(Self {
            digits: compact,
            brand,
        })
    }

    pub fn brand(&self) -> CardBrand {
        self.brand
    }

    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// `•••• 1234`: what a receipt may show.
    pub fn masked(&self) -> String {
        format!("•••• {}", &self.digits[self.digits.len() - 4..])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpiryProblem {
    Missing,
    Invalid,
    Expired,
}

/// `MM/YY` (or `MM/YYYY`, or `MMYY`); valid through the last day of that month.
pub fn parse_expiry(
    input: &str,
    today_year: i32,
    today_month: u32,
) -> Result<(i32, u32), ExpiryProblem> {
    let s: String = normalise_digits(input)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty() {
        return Err(ExpiryProblem::Missing);
    }
    let (m, y) = match s.split_once('/') {
        Some((m, y)) => (m.to_string(), y.to_string()),
        None if s.len() == 4 => (s[..2].to_string(), s[2..].to_string()),
        None => return Err(ExpiryProblem::Invalid),
    };
    let month: u32 = m.parse().map_err(|_| ExpiryProblem::Invalid)?;
    let year: i32 = match y.len() {
        2 => 2000 + y.parse::<i32>().map_err(|_| ExpiryProblem::Invalid)?,
        4 => y.parse().map_err(|_| ExpiryProblem::Invalid)?,
        _ => return Err(ExpiryProblem::Invalid),
    };
    if !(1..=12).contains(&month) {
        return Err(ExpiryProblem::Invalid);
    }
    if (year, month) < (today_year, today_month) {
        return Err(ExpiryProblem::Expired);
    }
    Ok((year, month))
}

/// CVV2: three digits on the back (four for some schemes; accepted).
pub fn cvv_valid(input: &str) -> bool {
    let s = normalise_digits(input.trim());
    matches!(s.len(), 3 | 4) && s.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RibProblem {
    Missing,
    /// Not 20 digits.
    WrongLength,
    /// The two-digit key does not match the 18 digits before it.
    WrongKey,
}

/// An Algerian RIB: bank (3) + branch (5) + account (10) + key (2), the key being
/// 97 − (first 18 digits × 100 mod 97), so that the whole number is ≡ 0 (mod 97).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rib(String);

impl Rib {
    pub fn parse(input: &str) -> Result<Self, RibProblem> {
        let compact: String = normalise_digits(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{A0}' | '\u{202F}'))
            .collect();
        if compact.is_empty() {
            return Err(RibProblem::Missing);
        }
        if compact.len() != 20 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RibProblem::WrongLength);
        }
        if rib_key(&compact[..18]) != compact[18..].parse::<u64>().unwrap_or(u64::MAX) {
            return Err(RibProblem::WrongKey);
        }
        Ok(Rib(compact))
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// `•••• 5678 12`: the last account digits and the key.
    pub fn masked(&self) -> String {
        format!("•••• {} {}", &self.0[14..18], &self.0[18..])
    }
}

/// The key of 18 RIB digits.
pub fn rib_key(first18: &str) -> u64 {
    // Mod 97 digit by digit: 18 digits × 100 would overflow nothing, but this way any length works.
    let rest = first18
        .bytes()
        .fold(0u64, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97);
    97 - (rest * 100) % 97
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_good_numbers_of_each_brand_are_accepted_and_masked() {
        for (number, brand) in [
            ("4111 1111 1111 1111", CardBrand::Visa),
            ("5555-5555-5555-4444", CardBrand::Mastercard),
            ("2223003122003222", CardBrand::Mastercard),
            ("6280580000000009", CardBrand::Edahabia),
            ("6280360000000006", CardBrand::Cib),
            ("9634000000000005", CardBrand::Naps),
        ] {
            let card = CardNumber::parse(number).unwrap_or_else(|e| panic!("{number}: {e:?}"));
            assert_eq!(card.brand(), brand, "{number}");
            assert!(card.masked().ends_with(&number[number.len() - 4..]));
            assert!(!card.masked().contains(&card.digits()[..12]));
        }
    }

    #[test]
    fn arabic_indic_digits_are_read() {
        assert_eq!(
            CardNumber::parse("٤١١١ ١١١١ ١١١١ ١١١١").unwrap().digits(),
            "4111111111111111"
        );
    }

    #[test]
    fn bad_card_numbers_are_told_apart() {
        assert_eq!(CardNumber::parse("  "), Err(CardProblem::Missing));
        assert_eq!(CardNumber::parse("4111 abcd"), Err(CardProblem::NotDigits));
        assert_eq!(
            CardNumber::parse("3714496353984310"),
            Err(CardProblem::UnknownBrand)
        );
        assert_eq!(
            CardNumber::parse("41111111111"),
            Err(CardProblem::WrongLength)
        );
        assert_eq!(
            CardNumber::parse("4111111111111112"),
            Err(CardProblem::Typo)
        );
    }

    #[test]
    fn luhn_matches_the_textbook_example() {
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        assert_eq!(parse_expiry("11/26", 2026, 11), Ok((2026, 11)));
        assert_eq!(parse_expiry("1226", 2026, 11), Ok((2026, 12)));
        assert_eq!(parse_expiry("01/2030", 2026, 11), Ok((2030, 1)));
        assert_eq!(parse_expiry("10/26", 2026, 11), Err(ExpiryProblem::Expired));
        assert_eq!(parse_expiry("13/27", 2026, 11), Err(ExpiryProblem::Invalid));
        assert_eq!(parse_expiry("", 2026, 11), Err(ExpiryProblem::Missing));
        assert_eq!(parse_expiry("1/2/3", 2026, 11), Err(ExpiryProblem::Invalid));
    }

    #[test]
    fn cvv_is_three_or_four_digits() {
        assert!(cvv_valid("123"));
        assert!(cvv_valid("١٢٣٤"));
        assert!(!cvv_valid("12"));
        assert!(!cvv_valid("12a"));
    }

    #[test]
    fn a_rib_with_its_key_is_accepted_and_a_typo_is_caught() {
        let first18 = "007999990012345678";
        let good = format!("{first18}{:02}", rib_key(first18));
        let rib = Rib::parse(&good).unwrap();
        assert_eq!(rib.masked(), format!("•••• 5678 {}", &good[18..]));
        // The whole number is divisible by 97: the property the key exists for.
        assert_eq!(good.parse::<u128>().unwrap() % 97, 0);
        let typo = format!("007999990012345679{}", &good[18..]);
        assert_eq!(Rib::parse(&typo), Err(RibProblem::WrongKey));
        assert_eq!(Rib::parse("1234"), Err(RibProblem::WrongLength));
        assert_eq!(Rib::parse(""), Err(RibProblem::Missing));
    }
}
