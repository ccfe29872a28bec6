//! The sandbox's documented test numbers (docs/SANDBOX.md): each one makes the simulated
//! company behave in one way that a real one sometimes does. Any other valid number pays.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    Success,
    Declined,
    InsufficientFunds,
    /// Paid, but the notification is never sent: only the return page or the poller learn it.
    NoNotification,
    /// Paid, and the notification is sent twice (two ids, same content).
    DuplicateNotification,
    /// Paid, and the notification leaves 90 seconds late.
    LateNotification,
    /// Paid; the "succeeded" notification is sent first, then an older "open" one.
    OutOfOrder,
}

/// How late a late notification is.
pub const LATE_SECS: i64 = 90;

/// The one-time code the sandbox accepts (it sends no SMS; its page says so).
pub const TEST_CODE: &str = "123456";

/// Wrong codes allowed before the payment fails.
pub const MAX_CODE_TRIES: i64 = 3;

impl Scenario {
    pub const ALL: [Scenario; 7] = [
        Scenario::Success,
        Scenario::Declined,
        Scenario::InsufficientFunds,
        Scenario::NoNotification,
        Scenario::DuplicateNotification,
        Scenario::LateNotification,
        Scenario::OutOfOrder,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Scenario::Success => "success",
            Scenario::Declined => "declined",
            Scenario::InsufficientFunds => "insufficient_funds",
            Scenario::NoNotification => "no_notification",
            Scenario::DuplicateNotification => "duplicate_notification",
            Scenario::LateNotification => "late_notification",
            Scenario::OutOfOrder => "out_of_order",
        }
    }

    pub fn parse(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .unwrap_or(Scenario::Success)
    }

    /// The failure reason when the scenario refuses the money.
    pub fn failure(self) -> Option<&'static str> {
        match self {
            Scenario::Declined => Some("declined"),
            Scenario::InsufficientFunds => Some("insufficient_funds"),
            _ => None,
        }
    }

    /// The scenario of a card number (digits only).
    pub fn for_card(digits: &str) -> Self {
        match digits {
            "4000000000000002" => Scenario::Declined,
            "4000000000009995" => Scenario::InsufficientFunds,
            "4000000000000101" => Scenario::NoNotification,
            "4000000000000200" => Scenario::DuplicateNotification,
            "4000000000000309" => Scenario::LateNotification,
            "4000000000000408" => Scenario::OutOfOrder,
            _ => Scenario::Success,
        }
    }

    /// The scenario of a wallet's mobile number (E.164): +213 550 00 00 0N.
    pub fn for_wallet(e164: &str) -> Self {
        Self::by_last_digit(e164.strip_prefix("+21355000000"))
    }

    /// The scenario of a RIB (20 digits): bank 007, branch 99999, account 000000000N.
    pub fn for_account(rib: &str) -> Self {
        Self::by_last_digit(
            rib.get(..18)
                .and_then(|r| r.strip_prefix("00799999000000000")),
        )
    }

    fn by_last_digit(rest: Option<&str>) -> Self {
        match rest {
            Some("2") => Scenario::Declined,
            Some("3") => Scenario::InsufficientFunds,
            Some("4") => Scenario::NoNotification,
            Some("5") => Scenario::DuplicateNotification,
            Some("6") => Scenario::LateNotification,
            Some("7") => Scenario::OutOfOrder,
            _ => Scenario::Success,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment_method::{CardNumber, Rib};

    #[test]
    fn every_documented_card_is_a_valid_number() {
        for n in [
            "4000000000000002",
            "4000000000009995",
            "4000000000000101",
            "4000000000000200",
            "4000000000000309",
            "4000000000000408",
        ] {
            assert!(CardNumber::parse(n).is_ok(), "{n}");
            assert_ne!(Scenario::for_card(n), Scenario::Success, "{n}");
        }
        assert_eq!(Scenario::for_card("4111111111111111"), Scenario::Success);
    }

    #[test]
    fn documented_wallets_and_accounts_choose_their_scenario() {
        assert_eq!(Scenario::for_wallet("+213550000001"), Scenario::Success);
        assert_eq!(Scenario::for_wallet("+213550000002"), Scenario::Declined);
        assert_eq!(Scenario::for_wallet("+213661234567"), Scenario::Success);
        for (rib, scenario) in [
            ("00799999000000000134", Scenario::Success),
            ("00799999000000000328", Scenario::InsufficientFunds),
            ("00799999000000000716", Scenario::OutOfOrder),
        ] {
            let rib = Rib::parse(rib).unwrap_or_else(|e| panic!("{rib}: {e:?}"));
            assert_eq!(Scenario::for_account(rib.digits()), scenario);
        }
    }

    #[test]
    fn scenario_codes_round_trip() {
        for n in ["4000000000000002", "4000000000000408", "4111111111111111"] {
            let s = Scenario::for_card(n);
            assert_eq!(Scenario::parse(s.code()), s);
        }
    }
}
