//! The vignette itself: which campaign a purchase is for, how long a vignette is valid, its
//! number, and the order's subject. Pure rules, no I/O.

use super::{date::Date, reference::Campaign, tariff::LocalMinute};

/// The campaign a vignette bought at `at` is for: the latest one that has opened. A late
/// payment (after the end) is still for that campaign, with the surcharge; a campaign
/// announced for later is not on sale yet.
pub fn current_campaign(campaigns: &[Campaign], at: LocalMinute) -> Option<&Campaign> {
    campaigns
        .iter()
        .filter(|c| LocalMinute::parse(&c.starts_at).is_some_and(|start| start <= at))
        .max_by_key(|c| c.year)
}

/// The last day a vignette of `campaign_year` is valid: the vignette is the tax of a calendar
/// year, whenever in the year it was paid.
pub fn valid_until(campaign_year: i32) -> Date {
    Date {
        year: campaign_year,
        month: 12,
        day: 31,
    }
}

/// Crockford base 32: no I, L, O, U, so a number read aloud or typed from paper is not
/// mistaken.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// `bytes` in Crockford base 32, five bits a character, most significant first (a last partial
/// group padded with zero bits).
pub fn crockford(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 8 / 5 + 1);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(CROCKFORD[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(CROCKFORD[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// A vignette number from 40 random bits: `YYYY-XXXX-XXXX`.
pub fn number(campaign_year: i32, random: [u8; 5]) -> String {
    let code = crockford(&random);
    format!("{campaign_year}-{}-{}", &code[..4], &code[4..])
}

/// A vignette number as someone typed it (lower case, spaces, O for 0…), normalised; `None`
/// when it cannot be one.
pub fn parse_number(text: &str) -> Option<String> {
    let mut chars = String::new();
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !CROCKFORD.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        chars.push(c);
    }
    if chars.len() != 12 || !chars[..4].chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..]))
}

/// The payment order's subject for a vignette: which vehicle, which campaign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub vehicle_id: String,
    pub campaign_year: i32,
}

impl Subject {
    pub fn encode(&self) -> String {
        format!("{}:{}", self.vehicle_id, self.campaign_year)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (vehicle_id, year) = text.rsplit_once(':')?;
        Some(Self {
            vehicle_id: vehicle_id.to_string(),
            campaign_year: year.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn campaign(year: i32, starts_at: &str) -> Campaign {
        Campaign {
            year,
            starts_at: starts_at.to_string(),
            ends_at: format!("{year}-05-31T16:00"),
            extended_from: None,
            late_surcharge_pct: 50,
            enforcement_surcharge_pct: 100,
            new_vehicle_days: 30,
        }
    }

    #[test]
    fn the_current_campaign_is_the_latest_opened() {
        let campaigns = [
            campaign(2025, "2025-03-01T00:00"),
            campaign(2026, "2026-03-01T00:00"),
            campaign(2027, "2027-03-01T00:00"),
        ];
        let at = |t: &str| LocalMinute::parse(t).unwrap();
        let year = |t: &str| current_campaign(&campaigns, at(t)).map(|c| c.year);
        assert_eq!(year("2026-11-30T10:00"), Some(2026), "late, still 2026");
        assert_eq!(year("2026-02-28T23:59"), Some(2025), "2026 not open yet");
        assert_eq!(
            year("2026-03-01T00:00"),
            Some(2026),
            "opens on its first minute"
        );
        assert_eq!(year("2024-12-31T00:00"), None);
    }

    #[test]
    fn numbers_are_readable_and_parse_back() {
        assert_eq!(number(2026, [0; 5]), "2026-0000-0000");
        assert_eq!(number(2026, [0xff; 5]), "2026-ZZZZ-ZZZZ");
        let n = number(2026, [0x12, 0x34, 0x56, 0x78, 0x9a]);
        assert_eq!(n.len(), 14);
        assert_eq!(parse_number(&n), Some(n.clone()));
        assert_eq!(parse_number(&n.to_lowercase().replace('-', " ")), Some(n));
        assert_eq!(
            parse_number("2026-o0il-0000"),
            Some("2026-0011-0000".into())
        );
        assert_eq!(parse_number("2026-0000-000U"), None, "U is not Crockford");
        assert_eq!(parse_number("2026-0000-000"), None);
        assert_eq!(parse_number("ABCD-0000-0000"), None);
    }

    #[test]
    fn subjects_round_trip() {
        let s = Subject {
            vehicle_id: "a1b2".into(),
            campaign_year: 2026,
        };
        assert_eq!(Subject::parse(&s.encode()), Some(s));
        assert_eq!(Subject::parse("nothing"), None);
        assert_eq!(Subject::parse("x:year"), None);
    }

    #[test]
    fn a_vignette_is_valid_to_the_end_of_its_year() {
        assert_eq!(valid_until(2026).iso(), "2026-12-31");
    }
}
