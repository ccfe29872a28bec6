//! Amounts of money: integers in minor units, never floats. Display follows UX.md:
//! `2 000 DZD` / `2 000 د.ج`, digits grouped with U+202F.

use super::digits::group_thousands;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// Algerian dinar: 100 centimes.
    Dzd,
    /// Qatari riyal: 100 dirhams.
    Qar,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Dzd => "DZD",
            Currency::Qar => "QAR",
        }
    }

    /// Minor units in one major unit.
    pub fn minor_per_major(self) -> i64 {
        match self {
            Currency::Dzd | Currency::Qar => 100,
        }
    }

    /// The symbol written after the amount in Arabic text.
    pub fn arabic_symbol(self) -> &'static str {
        match self {
            Currency::Dzd => "د.ج",
            Currency::Qar => "ر.ق",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "DZD" => Some(Currency::Dzd),
            "QAR" => Some(Currency::Qar),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// From a whole number of major units, as the reference data states fees (`2000` DZD).
    pub fn from_major(major: i64, currency: Currency) -> Self {
        Self {
            minor: major * currency.minor_per_major(),
            currency,
        }
    }

    /// The number part only: `2 000` or `2 000,50` (decimals only when there are some).
    pub fn format_number(&self, decimal_separator: char) -> String {
        let per = self.currency.minor_per_major();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let major = abs / per as u64;
        let minor = abs % per as u64;
        if minor == 0 {
            format!("{sign}{}", group_thousands(major))
        } else {
            format!(
                "{sign}{}{decimal_separator}{minor:02}",
                group_thousands(major)
            )
        }
    }

    /// The amount with its currency for a locale (`"ar"`, `"fr"`, `"en"`).
    pub fn format(&self, lang: &str) -> String {
        match lang {
            "ar" => format!(
                "{}\u{A0}{}",
                self.format_number(','),
                self.currency.arabic_symbol()
            ),
            "fr" => format!("{}\u{A0}{}", self.format_number(','), self.currency.code()),
            _ => format!("{}\u{A0}{}", self.format_number('.'), self.currency.code()),
        }
    }
}

/// Why a typed amount is not one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmountError {
    Missing,
    /// Letters, two separators, a sign, or more decimals than the currency has.
    NotAnAmount,
    Zero,
}

impl Money {
    /// An amount typed in major units: `1500`, `1 500`, `1500.5`, `1500,50`, Arabic-Indic
    /// digits; spaces (also U+202F, U+00A0) group thousands. Exact: never through a float.
    pub fn parse_major(text: &str, currency: Currency) -> Result<Self, AmountError> {
        let cleaned: String = super::digits::normalise_digits(text.trim())
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{202F}' | '\u{A0}'))
            .map(|c| if c == '٫' { '.' } else { c })
            .collect();
        if cleaned.is_empty() {
            return Err(AmountError::Missing);
        }
        let (major, fraction) = match cleaned.split_once(['.', ',']) {
            Some((m, f)) => (m, f),
            None => (cleaned.as_str(), ""),
        };
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let decimals = currency.minor_per_major().ilog10() as usize;
        if major.is_empty() || !digits(major) || !digits(fraction) || fraction.len() > decimals {
            return Err(AmountError::NotAnAmount);
        }
        let major: i64 = major.parse().map_err(|_| AmountError::NotAnAmount)?;
        let fraction: i64 = format!("{fraction:0<decimals$}")
            .parse()
            .map_err(|_| AmountError::NotAnAmount)?;
        let minor = major
            .checked_mul(currency.minor_per_major())
            .and_then(|m| m.checked_add(fraction))
            .ok_or(AmountError::NotAnAmount)?;
        if minor == 0 {
            return Err(AmountError::Zero);
        }
        Ok(Self { minor, currency })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_are_read_exactly() {
        let dzd = |minor| Ok(Money::new(minor, Currency::Dzd));
        assert_eq!(Money::parse_major("1500", Currency::Dzd), dzd(150_000));
        assert_eq!(Money::parse_major(" 1 500 ", Currency::Dzd), dzd(150_000));
        assert_eq!(
            Money::parse_major("1\u{202F}500,5", Currency::Dzd),
            dzd(150_050)
        );
        assert_eq!(Money::parse_major("0.01", Currency::Dzd), dzd(1));
        assert_eq!(Money::parse_major("١٥٠٠٫٢٥", Currency::Dzd), dzd(150_025));
        assert_eq!(
            Money::parse_major("", Currency::Dzd),
            Err(AmountError::Missing)
        );
        assert_eq!(
            Money::parse_major("0,00", Currency::Dzd),
            Err(AmountError::Zero)
        );
        for bad in [
            "-5",
            "1.234",
            "1.2.3",
            "abc",
            ".5",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(
                Money::parse_major(bad, Currency::Dzd),
                Err(AmountError::NotAnAmount),
                "{bad}"
            );
        }
    }

    #[test]
    fn whole_amounts_show_no_decimals() {
        let m = Money::from_major(2000, Currency::Dzd);
        assert_eq!(m.minor, 200_000);
        assert_eq!(m.format("en"), "2\u{202F}000\u{A0}DZD");
        assert_eq!(m.format("ar"), "2\u{202F}000\u{A0}د.ج");
    }

    #[test]
    fn minor_units_show_two_decimals() {
        let m = Money::new(10_050, Currency::Qar);
        assert_eq!(m.format("en"), "100.50\u{A0}QAR");
        assert_eq!(m.format("fr"), "100,50\u{A0}QAR");
        assert_eq!(m.format("ar"), "100,50\u{A0}ر.ق");
    }

    #[test]
    fn currency_codes_round_trip() {
        for c in [Currency::Dzd, Currency::Qar] {
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        assert_eq!(Currency::parse("EUR"), None);
    }
}
