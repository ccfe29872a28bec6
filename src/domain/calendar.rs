//! Working days: Qatar's public offices work Sunday to Thursday, and not on public holidays
//! (PRODUCT.md, service 2). Holidays come from data (`public_holidays`): fixed ones recur
//! every year on a month and day, lunar ones are entered for a date once announced. Target
//! dates, the predicted completion date and (part 2) appointment slots all count with this.

use super::date::Date;
use serde::{Deserialize, Serialize};

/// Days of the week, numbered as `Date::weekday` returns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl Date {
    /// The day of the week (1970-01-01 was a Thursday).
    pub fn weekday(self) -> Weekday {
        const DAYS: [Weekday; 7] = [
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
        ];
        DAYS[self.days_since_epoch().rem_euclid(7) as usize]
    }

    /// The date `days` later (earlier when negative).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }
}

/// A public holiday as the data gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holiday {
    /// The same month and day every year (National Day, 18 December).
    Yearly { month: u32, day: u32 },
    /// One date (a lunar holiday of one year, entered once announced).
    On(Date),
}

impl Holiday {
    /// From the data's `date_or_monthday` column: `MM-DD` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Holiday> {
        let text = text.trim();
        if let Some(date) = Date::parse_iso(text) {
            return Some(Holiday::On(date));
        }
        let (month, day) = text.split_once('-')?;
        if month.len() != 2 || day.len() != 2 {
            return None;
        }
        // Checked against a leap year, so that 29 February is a valid yearly holiday.
        let date = Date::parse(day, month, "2024").ok()?;
        Some(Holiday::Yearly {
            month: date.month,
            day: date.day,
        })
    }

    pub fn falls_on(&self, date: Date) -> bool {
        match self {
            Holiday::Yearly { month, day } => date.month == *month && date.day == *day,
            Holiday::On(d) => *d == date,
        }
    }
}

/// The working calendar of one country's offices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingCalendar {
    pub holidays: Vec<Holiday>,
}

impl WorkingCalendar {
    pub fn new(holidays: Vec<Holiday>) -> Self {
        Self { holidays }
    }

    pub fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|h| h.falls_on(date))
    }

    /// Sunday to Thursday, and not a holiday.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Friday | Weekday::Saturday) && !self.is_holiday(date)
    }

    /// The `n`th working day after `from` (`from` itself never counts: work received on a day
    /// starts the next working day). `n = 0` gives `from` if it is a working day, else the
    /// next one.
    pub fn add_working_days(&self, from: Date, n: u32) -> Date {
        if n == 0 && self.is_working_day(from) {
            return from;
        }
        let mut day = from;
        let mut left = n.max(1);
        // A year has far more than 200 working days; the bound only guards against a
        // calendar in which every day is a holiday.
        for _ in 0..(i64::from(n) * 7 + 400) {
            day = day.plus_days(1);
            if self.is_working_day(day) {
                left -= 1;
                if left == 0 {
                    return day;
                }
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not later).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let (a, b) = (from.days_since_epoch(), to.days_since_epoch());
        (a + 1..=b)
            .filter(|d| self.is_working_day(Date::from_days_since_epoch(*d)))
            .count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    fn qatar() -> WorkingCalendar {
        WorkingCalendar::new(vec![
            Holiday::parse("12-18").unwrap(),
            Holiday::parse("2026-03-20").unwrap(),
        ])
    }

    #[test]
    fn weekdays_are_known_dates() {
        assert_eq!(d(1970, 1, 1).weekday(), Weekday::Thursday);
        assert_eq!(d(2026, 12, 3).weekday(), Weekday::Thursday);
        assert_eq!(d(2026, 12, 4).weekday(), Weekday::Friday);
        assert_eq!(d(2026, 12, 6).weekday(), Weekday::Sunday);
        assert_eq!(d(2000, 2, 29).weekday(), Weekday::Tuesday);
        assert_eq!(d(1969, 12, 31).weekday(), Weekday::Wednesday);
    }

    #[test]
    fn the_holiday_column_reads_both_forms_and_refuses_the_rest() {
        assert_eq!(
            Holiday::parse("12-18"),
            Some(Holiday::Yearly { month: 12, day: 18 })
        );
        assert_eq!(
            Holiday::parse("2026-05-27"),
            Some(Holiday::On(d(2026, 5, 27)))
        );
        assert_eq!(
            Holiday::parse("02-29"),
            Some(Holiday::Yearly { month: 2, day: 29 })
        );
        for bad in ["13-01", "12-32", "1-1", "2026-02-30", "", "national day"] {
            assert_eq!(Holiday::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn friday_saturday_and_holidays_are_not_working_days() {
        let cal = qatar();
        assert!(cal.is_working_day(d(2026, 12, 3)), "Thursday");
        assert!(!cal.is_working_day(d(2026, 12, 4)), "Friday");
        assert!(!cal.is_working_day(d(2026, 12, 5)), "Saturday");
        assert!(cal.is_working_day(d(2026, 12, 6)), "Sunday");
        assert!(!cal.is_working_day(d(2026, 12, 18)), "National Day");
        assert!(!cal.is_working_day(d(2027, 12, 18)), "every year");
        assert!(!cal.is_working_day(d(2026, 3, 20)), "a dated holiday");
        assert!(cal.is_working_day(d(2027, 3, 22)), "only in its year");
    }

    #[test]
    fn working_days_skip_the_weekend_and_holidays() {
        let cal = qatar();
        // Thursday + 1 working day: Sunday.
        assert_eq!(cal.add_working_days(d(2026, 12, 3), 1), d(2026, 12, 6));
        // Wednesday 16 December + 5: Thu 17, (Fri 18 holiday and weekend), Sun 20, Mon 21,
        // Tue 22, Wed 23.
        assert_eq!(cal.add_working_days(d(2026, 12, 16), 5), d(2026, 12, 23));
        // From a Friday, 0 working days: the next working day.
        assert_eq!(cal.add_working_days(d(2026, 12, 4), 0), d(2026, 12, 6));
        assert_eq!(cal.add_working_days(d(2026, 12, 6), 0), d(2026, 12, 6));
        // Across a year end.
        assert_eq!(cal.add_working_days(d(2026, 12, 31), 1), d(2027, 1, 3));
    }

    #[test]
    fn counting_between_is_the_inverse_of_adding() {
        let cal = qatar();
        let start = d(2026, 12, 1);
        for n in 0..60 {
            let end = cal.add_working_days(start, n);
            let counted = cal.working_days_between(start, end);
            assert_eq!(counted, n, "{n} working days after {start:?} is {end:?}");
        }
        assert_eq!(cal.working_days_between(d(2026, 12, 6), d(2026, 12, 1)), 0);
    }

    #[test]
    fn a_calendar_of_holidays_only_still_ends() {
        let every_day = (1..=12)
            .flat_map(|m| (1..=31).map(move |day| Holiday::Yearly { month: m, day }))
            .collect();
        let cal = WorkingCalendar::new(every_day);
        let _ = cal.add_working_days(d(2026, 1, 1), 3);
        let _ = cal.add_working_days(d(2026, 1, 1), 0);
    }
}
