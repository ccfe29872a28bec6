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

#[cfg(test)]
mod tests {
    use super::*;

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
