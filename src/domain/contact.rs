//! How the portal reaches a person: an e-mail address and a mobile number. Both are normalised
//! so that the same address typed twice in different ways is the same account (unique index).

use super::digits::normalise_digits;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An e-mail address, trimmed and lower-cased: one account per address whatever its case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailProblem {
    Missing,
    /// Not of the form name@example.com.
    Format,
    TooLong,
}

impl EmailProblem {
    pub fn code(self) -> &'static str {
        match self {
            EmailProblem::Missing => "email_missing",
            EmailProblem::Format => "email_format",
            EmailProblem::TooLong => "email_too_long",
        }
    }
}

fn is_domain_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// The longest address accepted (RFC 5321's path limit, in bytes; an address is ASCII).
pub const EMAIL_MAX_CHARS: usize = 254;

impl Email {
    /// Deliberately simple (RFC 5321 sizes, one `@`, a domain with a dot, no spaces): the real
    /// check is the code sent to it.
    pub fn parse(input: &str) -> Result<Self, EmailProblem> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err(EmailProblem::Missing);
        }
        if value.len() > EMAIL_MAX_CHARS {
            return Err(EmailProblem::TooLong);
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(EmailProblem::Format);
        };
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_ascii_graphic() && !"@()<>[]:;,\\\"".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| is_domain_label(l))
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok {
            Ok(Email(value))
        } else {
            Err(EmailProblem::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mobile number in E.164 form (`+213555123456`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mobile(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MobileProblem {
    Missing,
    /// Not a phone number at all, or no country code and not recognisably Algerian or Qatari.
    Format,
    /// +213 but not a mobile: 9 digits starting with 5, 6 or 7.
    AlgerianMobile,
    /// +974 but not a mobile: 8 digits starting with 3, 5, 6 or 7.
    QatariMobile,
}

impl MobileProblem {
    pub fn code(self) -> &'static str {
        match self {
            MobileProblem::Missing => "mobile_missing",
            MobileProblem::Format => "mobile_format",
            MobileProblem::AlgerianMobile => "mobile_dz",
            MobileProblem::QatariMobile => "mobile_qa",
        }
    }
}

impl Mobile {
    /// Accepts what people type: spaces, dashes, dots and brackets; `00` for `+`; Arabic-Indic
    /// digits; the Algerian trunk `0` (`0555 12 34 56`, also after `+213`) and a bare Qatari
    /// 8-digit mobile. Anything else must start with a country code.
    pub fn parse(input: &str) -> Result<Self, MobileProblem> {
        let typed: String = normalise_digits(input)
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.' | '(' | ')'))
            .collect();
        if typed.is_empty() {
            return Err(MobileProblem::Missing);
        }
        let (international, digits) = if let Some(rest) = typed.strip_prefix('+') {
            (true, rest.to_string())
        } else if let Some(rest) = typed.strip_prefix("00") {
            (true, rest.to_string())
        } else {
            (false, typed)
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(MobileProblem::Format);
        }
        let national = |d: &str, country: &str| -> Result<Self, MobileProblem> {
            match country {
                "213" => {
                    let d = d.strip_prefix('0').unwrap_or(d);
                    if d.len() == 9 && d.starts_with(['5', '6', '7']) {
                        Ok(Mobile(format!("+213{d}")))
                    } else {
                        Err(MobileProblem::AlgerianMobile)
                    }
                }
                _ => {
                    if d.len() == 8 && d.starts_with(['3', '5', '6', '7']) {
                        Ok(Mobile(format!("+974{d}")))
                    } else {
                        Err(MobileProblem::QatariMobile)
                    }
                }
            }
        };
        if !international {
            return match digits.len() {
                10 if digits.starts_with('0') => national(&digits, "213"),
                8 => national(&digits, "974"),
                _ => Err(MobileProblem::Format),
            };
        }
        if let Some(rest) = digits.strip_prefix("213") {
            return national(rest, "213");
        }
        if let Some(rest) = digits.strip_prefix("974") {
            return national(rest, "974");
        }
        // E.164: a country code never starts with 0; at most 15 digits in all.
        if digits.starts_with('0') || !(8..=15).contains(&digits.len()) {
            return Err(MobileProblem::Format);
        }
        Ok(Mobile(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Passwords: long enough and not one everybody tries first; no composition rules (NIST 800-63B).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Longer passwords are allowed up to this, so hashing stays bounded.
pub const PASSWORD_MAX_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    Common,
}

impl PasswordProblem {
    pub fn code(self) -> &'static str {
        match self {
            PasswordProblem::TooShort => "password_too_short",
            PasswordProblem::TooLong => "password_too_long",
            PasswordProblem::Common => "password_common",
        }
    }
}

/// `is_common` says whether a (lower-cased) password is on the shipped list of common ones; the
/// list itself is data, kept on the server.
pub fn check_password(
    password: &str,
    is_common: impl Fn(&str) -> bool,
) -> Result<(), PasswordProblem> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if is_common(&password.to_lowercase()) || is_trivial(password) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// Repetitive or sequential: `aaaaaaaaaaaa`, `121212121212`, `abcdefghijklm`, `987654321098`
/// are guessed as early as any listed password.
fn is_trivial(password: &str) -> bool {
    let chars: Vec<char> = password.to_lowercase().chars().collect();
    let mut distinct = chars.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let step = |a: char, b: char, d: i64| {
        let (a, b) = (a as i64, b as i64);
        b - a == d
            || (a == '9' as i64 && b == '0' as i64 && d == 1)
            || (a == '0' as i64 && b == '9' as i64 && d == -1)
    };
    let sequential = |d: i64| chars.windows(2).all(|w| step(w[0], w[1], d));
    distinct.len() < 4 || sequential(1) || sequential(-1)
}

/// "+213 ••• •• 45 67" style: enough to recognise one's own number, not to learn someone's.
pub fn masked_mobile(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return "•••".into();
    }
    let country = if e164.starts_with("+213") || e164.starts_with("+974") {
        3
    } else {
        digits.len().min(3)
    };
    let last: String = digits[digits.len() - 4..].iter().collect();
    let cc: String = digits[..country].iter().collect();
    format!("+{cc} ••• {last}")
}

/// "n•••@example.dz": the old address learns where the account went without spelling it out.
pub fn masked_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}•••@{domain}")
        }
        None => "•••".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_contacts_are_recognisable_not_readable() {
        assert_eq!(masked_mobile("+213551234567"), "+213 ••• 4567");
        assert_eq!(masked_mobile("+97455123456"), "+974 ••• 3456");
        assert_eq!(masked_mobile("+1234"), "•••");
        assert_eq!(masked_email("nadia@example.dz"), "n•••@example.dz");
        assert_eq!(masked_email("نادية@example.dz"), "ن•••@example.dz");
        assert_eq!(masked_email("no-at-sign"), "•••");
    }

    #[test]
    fn e_mail_addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Amina.B@Example.DZ ").unwrap().as_str(),
            "amina.b@example.dz"
        );
        assert_eq!(
            Email::parse("a+tag@mail.example.qa").unwrap().as_str(),
            "a+tag@mail.example.qa"
        );
    }

    #[test]
    fn malformed_e_mail_addresses_are_refused() {
        assert_eq!(Email::parse(""), Err(EmailProblem::Missing));
        for bad in [
            "amina",
            "amina@",
            "@example.com",
            "amina@example",
            "amina@@example.com",
            "am ina@example.com",
            "amina@-example.com",
            "amina@example.c0m",
            ".amina@example.com",
            "am..ina@example.com",
            "amina@exa_mple.com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailProblem::Format), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailProblem::TooLong));
    }

    #[test]
    fn algerian_mobiles_in_every_usual_form() {
        for typed in [
            "+213 555 12 34 56",
            "00213555123456",
            "0555 12 34 56",
            "+213 (0) 555-12-34-56",
            "٠٥٥٥١٢٣٤٥٦",
        ] {
            assert_eq!(
                Mobile::parse(typed).unwrap().as_str(),
                "+213555123456",
                "{typed}"
            );
        }
        assert_eq!(
            Mobile::parse("+213 21 12 34 56").unwrap_err(),
            MobileProblem::AlgerianMobile
        );
        assert_eq!(
            Mobile::parse("0455 12 34 56").unwrap_err(),
            MobileProblem::AlgerianMobile
        );
        assert_eq!(
            Mobile::parse("+213 555 12 34 5").unwrap_err(),
            MobileProblem::AlgerianMobile
        );
    }

    #[test]
    fn qatari_mobiles_start_with_3_5_6_or_7() {
        for typed in ["+974 5512 3456", "5512 3456", "0097433123456"] {
            assert!(
                Mobile::parse(typed).unwrap().as_str().starts_with("+974"),
                "{typed}"
            );
        }
        assert_eq!(
            Mobile::parse("+974 4412 3456").unwrap_err(),
            MobileProblem::QatariMobile
        );
        assert_eq!(
            Mobile::parse("4412 3456").unwrap_err(),
            MobileProblem::QatariMobile
        );
    }

    #[test]
    fn other_countries_need_their_code() {
        assert_eq!(
            Mobile::parse("+33 6 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            Mobile::parse("612345678").unwrap_err(),
            MobileProblem::Format
        );
        assert_eq!(
            Mobile::parse("+0 612345678").unwrap_err(),
            MobileProblem::Format
        );
        assert_eq!(
            Mobile::parse("+1234567890123456").unwrap_err(),
            MobileProblem::Format
        );
        assert_eq!(Mobile::parse("call me").unwrap_err(), MobileProblem::Format);
        assert_eq!(Mobile::parse(" ").unwrap_err(), MobileProblem::Missing);
    }

    #[test]
    fn passwords_are_long_and_uncommon() {
        let common = |p: &str| p == "qwertyuiop123";
        assert_eq!(
            check_password("short pass", common),
            Err(PasswordProblem::TooShort)
        );
        // Characters, not bytes: 12 Arabic letters are enough.
        assert_eq!(check_password("كلمةسرطويلةج", common), Ok(()));
        assert_eq!(
            check_password("QwertyUiop123", common),
            Err(PasswordProblem::Common)
        );
        assert_eq!(
            check_password(&"x".repeat(1025), common),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_password("correct horse battery", common), Ok(()));
        for trivial in [
            "aaaaaaaaaaaa",
            "121212121212",
            "abcdefghijklm",
            "987654321098",
            "123456789012",
        ] {
            assert_eq!(
                check_password(trivial, common),
                Err(PasswordProblem::Common),
                "{trivial}"
            );
        }
    }
}
