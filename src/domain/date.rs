//! Calendar dates typed as three fields (day, month, year), as UX.md asks: never a
//! calendar-only widget. Proleptic Gregorian, no time zone: a date of birth or an expiry date.

use super::digits::normalise_digits;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Why three fields do not make a date, each mapped to a message that says what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateError {
    /// Nothing typed at all.
    Missing,
    /// Some of day, month and year are missing.
    Incomplete,
    /// Not numbers, or no such day (31 April, 29 February 2023).
    NotARealDate,
}

impl Date {
    /// From the three fields as typed: Arabic-Indic digits and surrounding spaces allowed.
    pub fn parse(day: &str, month: &str, year: &str) -> Result<Self, DateError> {
        let parts = [day, month, year].map(|p| normalise_digits(p.trim()));
        if parts.iter().all(String::is_empty) {
            return Err(DateError::Missing);
        }
        if parts.iter().any(String::is_empty) {
            return Err(DateError::Incomplete);
        }
        let num = |s: &str| s.parse::<u32>().map_err(|_| DateError::NotARealDate);
        let (day, month, year) = (num(&parts[0])?, num(&parts[1])?, num(&parts[2])?);
        if !(1000..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(DateError::NotARealDate);
        }
        let year = year as i32;
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::NotARealDate);
        }
        Ok(Self { year, month, day })
    }

    /// The date `days` days since 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// Whole years from `self` to `on`: a birthday counts on the day itself; someone born on
    /// 29 February turns a year older on 1 March in common years.
    pub fn years_until(self, on: Date) -> i32 {
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// Days since 1970-01-01 (Howard Hinnant's days-from-civil, the inverse of the above).
    pub fn days_since_epoch(self) -> i64 {
        let year = i64::from(self.year) - i64::from(self.month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400);
        let mp = (i64::from(self.month) + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `YYYY-MM-DD` (what `<input type=date>` and report addresses carry).
    pub fn parse_iso(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        Self::parse(day, month, year).ok()
    }

    /// `YYYY-MM-DD`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// "2026-11-24 09:05 UTC", from Unix seconds: the server does not know the visitor's time zone
/// without JavaScript, so the text says which one it uses.
pub fn utc_time(at: i64) -> String {
    let day = Date::from_days_since_epoch(at.div_euclid(86_400));
    let secs = at.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02} UTC",
        day.iso(),
        secs / 3600,
        secs % 3600 / 60
    )
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_in_utc_with_the_zone_named() {
        assert_eq!(utc_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_time(1_795_993_500), "2026-11-29 23:05 UTC");
        assert_eq!(utc_time(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(utc_time(-60), "1969-12-31 23:59 UTC");
    }

    use super::*;

    fn d(year: i32, month: u32, day: u32) -> Date {
        Date { year, month, day }
    }

    #[test]
    fn three_fields_make_a_date_with_any_digits() {
        assert_eq!(Date::parse("5", "3", "1990"), Ok(d(1990, 3, 5)));
        assert_eq!(Date::parse(" ٠٥ ", "٠٣", "١٩٩٠"), Ok(d(1990, 3, 5)));
    }

    #[test]
    fn missing_incomplete_and_impossible_dates_are_told_apart() {
        assert_eq!(Date::parse("", " ", ""), Err(DateError::Missing));
        assert_eq!(Date::parse("5", "", "1990"), Err(DateError::Incomplete));
        assert_eq!(Date::parse("31", "4", "1990"), Err(DateError::NotARealDate));
        assert_eq!(Date::parse("29", "2", "2023"), Err(DateError::NotARealDate));
        assert_eq!(Date::parse("29", "2", "2024"), Ok(d(2024, 2, 29)));
        assert_eq!(Date::parse("1", "13", "1990"), Err(DateError::NotARealDate));
        assert_eq!(Date::parse("x", "1", "1990"), Err(DateError::NotARealDate));
        assert_eq!(Date::parse("1", "1", "90"), Err(DateError::NotARealDate));
    }

    #[test]
    fn days_since_epoch_become_civil_dates() {
        assert_eq!(Date::from_days_since_epoch(0), d(1970, 1, 1));
        assert_eq!(Date::from_days_since_epoch(11_016), d(2000, 2, 29));
        assert_eq!(Date::from_days_since_epoch(20_780), d(2026, 11, 23));
        assert_eq!(Date::from_days_since_epoch(-1), d(1969, 12, 31));
    }

    #[test]
    fn civil_dates_and_days_since_epoch_round_trip() {
        for days in [-800_000, -1, 0, 1, 11_016, 20_780, 20_787, 2_932_896] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(d(2026, 11, 30).days_since_epoch(), 20_787);
    }

    #[test]
    fn iso_dates_parse_strictly() {
        assert_eq!(Date::parse_iso("2026-11-30"), Some(d(2026, 11, 30)));
        assert_eq!(Date::parse_iso("2026-02-29"), None);
        assert_eq!(Date::parse_iso("2026-1-3"), None);
        assert_eq!(Date::parse_iso("30/11/2026"), None);
        assert_eq!(Date::parse_iso(""), None);
    }

    #[test]
    fn age_counts_whole_years_and_the_birthday_itself() {
        let born = d(2008, 11, 23);
        assert_eq!(born.years_until(d(2026, 11, 22)), 17);
        assert_eq!(born.years_until(d(2026, 11, 23)), 18);
        let leapling = d(2008, 2, 29);
        assert_eq!(leapling.years_until(d(2026, 2, 28)), 17);
        assert_eq!(leapling.years_until(d(2026, 3, 1)), 18);
    }

    #[test]
    fn iso_format_pads() {
        assert_eq!(d(1990, 3, 5).iso(), "1990-03-05");
    }
}
