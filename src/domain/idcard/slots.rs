//! Appointment slots at the service centres (PRODUCT.md, service 2, step 5), computed, never
//! batch-generated: a centre's hours, its counters, the working week (Sunday to Thursday),
//! the holidays and the centre's own closures (data) decide every slot, so no slot can go
//! missing because a job did not run. The database only counts what is booked in each one
//! (and guarantees that count never passes the capacity); everything else is here, shared by
//! the browser and the server.

use super::Terms;
use crate::domain::{calendar::WorkingCalendar, date::Date};
use serde::{Deserialize, Serialize};

/// Qatar is UTC+3 all year (no daylight saving time).
pub const DOHA_OFFSET_SECS: i64 = 3 * 3600;

/// A centre's opening hours and its counters, as the data gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    /// Minutes after midnight (Doha).
    pub opens: u16,
    pub closes: u16,
    /// People served in parallel: a slot holds this many appointments.
    pub counters: u32,
}

impl Hours {
    /// From the data's `opens`, `closes` (`HH:MM`) and `counters`; `None` when they make no
    /// sense (closing before opening, no counter).
    pub fn parse(opens: &str, closes: &str, counters: i64) -> Option<Hours> {
        let (opens, closes) = (minute_of_day(opens)?, minute_of_day(closes)?);
        let counters = u32::try_from(counters).ok().filter(|c| *c > 0)?;
        (opens < closes).then_some(Hours {
            opens,
            closes,
            counters,
        })
    }

    /// Every slot's start in a day, in order: the last one ends at closing time at the latest.
    pub fn starts(self, slot_minutes: u16) -> impl Iterator<Item = u16> {
        let step = slot_minutes.max(1);
        (self.opens..self.closes)
            .step_by(step as usize)
            .take_while(move |m| m + step <= self.closes)
    }
}

/// `HH:MM` → minutes after midnight.
pub fn minute_of_day(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Minutes after midnight → `HH:MM` (digits left to right in every language).
pub fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// One slot: a day and a start time in Doha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub date: Date,
    /// Minutes after midnight.
    pub minute: u16,
}

impl Slot {
    /// As the forms post it: `YYYY-MM-DD` and `HH:MM`.
    pub fn parse(date: &str, time: &str) -> Option<Slot> {
        Some(Slot {
            date: Date::parse_iso(date)?,
            minute: minute_of_day(time)?,
        })
    }

    /// The moment it starts (Unix seconds): what the database stores.
    pub fn starts_at(self) -> i64 {
        self.date.days_since_epoch() * 86_400 + i64::from(self.minute) * 60 - DOHA_OFFSET_SECS
    }

    pub fn from_starts_at(at: i64) -> Slot {
        let local = at + DOHA_OFFSET_SECS;
        Slot {
            date: Date::from_days_since_epoch(local.div_euclid(86_400)),
            minute: (local.rem_euclid(86_400) / 60) as u16,
        }
    }

    pub fn time(self) -> String {
        clock(self.minute)
    }
}

/// The rules of booking, from data (`idcard_terms`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    pub slot_minutes: u16,
    /// Working days a centre can be booked ahead.
    pub window_working_days: u32,
    /// The first bookable day is this many working days after today.
    pub lead_working_days: u32,
    /// Rescheduling or cancelling closes this many hours before the appointment.
    pub change_cutoff_hours: u32,
    /// The reminder goes this many hours before.
    pub reminder_hours: u32,
    /// A place offered from the waiting list is held this long (minutes).
    pub hold_minutes: u32,
    /// The night in Doha (minutes after midnight), when a hold's clock does not run.
    pub night_starts: u16,
    pub night_ends: u16,
}

impl Rules {
    pub fn from_terms(terms: &Terms) -> Rules {
        Rules {
            slot_minutes: terms.slot_minutes,
            window_working_days: terms.booking_window_working_days,
            lead_working_days: terms.appointment_lead_working_days,
            change_cutoff_hours: terms.appointment_change_cutoff_hours,
            reminder_hours: terms.appointment_reminder_hours,
            hold_minutes: terms.waitlist_hold_minutes,
            night_starts: terms.waitlist_night_starts,
            night_ends: terms.waitlist_night_ends,
        }
    }
}

/// Everything the slots of one centre depend on besides the bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Centre {
    pub hours: Hours,
    /// Days the centre is closed besides the public holidays (data).
    pub closed: Vec<Date>,
}

/// Why a day or a slot cannot be booked. Each is said to the applicant as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unbookable {
    /// Friday or Saturday.
    Weekend,
    Holiday,
    /// The centre's own closure.
    Closed,
    /// Started already (or today, before the lead time).
    Past,
    /// Within the lead time: too soon to prepare.
    TooSoon,
    /// Beyond the booking window.
    TooFar,
    /// Before opening, or ending after closing.
    OutsideHours,
    /// Not at a slot's start (07:10 when slots start at 07:00 and 07:15).
    NotABoundary,
}

impl Unbookable {
    pub fn code(self) -> &'static str {
        match self {
            Self::Weekend => "weekend",
            Self::Holiday => "holiday",
            Self::Closed => "closed",
            Self::Past => "past",
            Self::TooSoon => "too_soon",
            Self::TooFar => "too_far",
            Self::OutsideHours => "outside_hours",
            Self::NotABoundary => "not_a_boundary",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Weekend,
            Self::Holiday,
            Self::Closed,
            Self::Past,
            Self::TooSoon,
            Self::TooFar,
            Self::OutsideHours,
            Self::NotABoundary,
        ]
        .into_iter()
        .find(|u| u.code() == code)
    }
}

/// The days a booking can fall on, first to last: from the lead time after `today` up to the
/// window's last working day. Every calendar day in between is listed (Sunday-first weeks
/// read better with their weekend and holidays greyed than with gaps); `day_problem` says
/// which are bookable.
pub fn window(today: Date, calendar: &WorkingCalendar, rules: &Rules) -> Vec<Date> {
    let first = calendar.add_working_days(today, rules.lead_working_days);
    let last = calendar.add_working_days(first, rules.window_working_days.saturating_sub(1));
    (first.days_since_epoch()..=last.days_since_epoch())
        .map(Date::from_days_since_epoch)
        .collect()
}

/// Whether `day` can hold appointments at `centre`, seen on `today`.
pub fn day_problem(
    day: Date,
    centre: &Centre,
    calendar: &WorkingCalendar,
    today: Date,
    rules: &Rules,
) -> Option<Unbookable> {
    use crate::domain::calendar::Weekday;
    if day <= today {
        return Some(Unbookable::Past);
    }
    if matches!(day.weekday(), Weekday::Friday | Weekday::Saturday) {
        return Some(Unbookable::Weekend);
    }
    if calendar.is_holiday(day) {
        return Some(Unbookable::Holiday);
    }
    if centre.closed.contains(&day) {
        return Some(Unbookable::Closed);
    }
    let window = window(today, calendar, rules);
    match (window.first(), window.last()) {
        (Some(first), _) if day < *first => Some(Unbookable::TooSoon),
        (_, Some(last)) if day > *last => Some(Unbookable::TooFar),
        _ => None,
    }
}

/// Whether `slot` can be booked at `centre` at all (its capacity aside), seen on `today`.
/// The server asks this of every posted slot, so a forged one is refused with its reason.
pub fn check(
    slot: Slot,
    centre: &Centre,
    calendar: &WorkingCalendar,
    today: Date,
    rules: &Rules,
) -> Result<(), Unbookable> {
    if let Some(problem) = day_problem(slot.date, centre, calendar, today, rules) {
        return Err(problem);
    }
    let step = rules.slot_minutes.max(1);
    let hours = centre.hours;
    if slot.minute < hours.opens || slot.minute + step > hours.closes {
        return Err(Unbookable::OutsideHours);
    }
    if !(slot.minute - hours.opens).is_multiple_of(step) {
        return Err(Unbookable::NotABoundary);
    }
    Ok(())
}

/// The places left in a slot: never below zero, whatever the count says (a counter closed
/// after the slot filled).
pub fn free(counters: u32, booked: i64) -> u32 {
    let booked = u32::try_from(booked.max(0)).unwrap_or(u32::MAX);
    counters.saturating_sub(booked)
}

/// A day's slots with their free places, `booked` giving each slot's count by its start
/// minute (a slot not in it has none booked).
pub fn day_slots(
    day: Date,
    centre: &Centre,
    rules: &Rules,
    booked: impl Fn(u16) -> i64,
) -> Vec<(Slot, u32)> {
    centre
        .hours
        .starts(rules.slot_minutes)
        .map(|minute| {
            let slot = Slot { date: day, minute };
            (slot, free(centre.hours.counters, booked(minute)))
        })
        .collect()
}

/// The free slots nearest to `wanted` (before or after, nearest first, earlier first on a
/// tie), at most `n`: what a person whose slot has just filled is offered instead.
pub fn nearest_free(wanted: Slot, free_slots: &[Slot], n: usize) -> Vec<Slot> {
    let mut near: Vec<Slot> = free_slots
        .iter()
        .copied()
        .filter(|s| *s != wanted)
        .collect();
    near.sort_by_key(|s| ((s.starts_at() - wanted.starts_at()).abs(), s.starts_at()));
    near.truncate(n);
    near.sort();
    near
}

/// Whether an appointment starting at `starts_at` can still be rescheduled or cancelled at
/// `now` (both Unix seconds): up to the cut-off before it, not after.
pub fn can_change(starts_at: i64, now: i64, rules: &Rules) -> bool {
    now <= starts_at - i64::from(rules.change_cutoff_hours) * 3600
}

/// The appointments whose reminder is due at `now`: those starting in `(from, to]` (Unix
/// seconds), within the reminder's hours and not yet begun.
pub fn reminder_window(now: i64, rules: &Rules) -> (i64, i64) {
    (now, now + i64::from(rules.reminder_hours) * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{Holiday, Weekday};
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date {
            year: y,
            month: m,
            day,
        }
    }

    fn rules() -> Rules {
        Rules::from_terms(&Terms::example())
    }

    fn doha() -> Centre {
        Centre {
            hours: Hours::parse("07:00", "14:00", 6).unwrap(),
            closed: vec![d(2026, 12, 10)],
        }
    }

    /// National Day (a Friday in 2026) and a dated holiday on Tuesday 15 December.
    fn qatar() -> WorkingCalendar {
        WorkingCalendar::new(vec![
            Holiday::parse("12-18").unwrap(),
            Holiday::parse("2026-12-15").unwrap(),
        ])
    }

    #[test]
    fn hours_are_read_from_the_data_and_refused_when_senseless() {
        assert_eq!(
            Hours::parse("07:00", "14:00", 6),
            Some(Hours {
                opens: 420,
                closes: 840,
                counters: 6
            })
        );
        assert_eq!(Hours::parse("14:00", "07:00", 6), None);
        assert_eq!(Hours::parse("07:00", "14:00", 0), None);
        assert_eq!(Hours::parse("7:00", "14:00", 1), None);
        assert_eq!(Hours::parse("07:00", "24:00", 1), None);
    }

    #[test]
    fn a_day_has_its_slots_from_opening_to_the_last_that_ends_at_closing() {
        let starts: Vec<u16> = doha().hours.starts(15).collect();
        assert_eq!(starts.len(), 28, "7 hours of 15 minutes");
        assert_eq!(clock(starts[0]), "07:00");
        assert_eq!(clock(*starts.last().unwrap()), "13:45");
        // A slot length that does not divide the day: the last one still ends by closing.
        let odd: Vec<u16> = Hours::parse("07:00", "08:00", 1)
            .unwrap()
            .starts(25)
            .collect();
        assert_eq!(odd, [420, 445]);
    }

    #[test]
    fn a_slot_is_a_moment_in_doha() {
        let slot = Slot::parse("2026-12-06", "07:00").unwrap();
        // 07:00 in Doha is 04:00 UTC.
        assert_eq!(slot.starts_at() % 86_400, 4 * 3600);
        assert_eq!(Slot::from_starts_at(slot.starts_at()), slot);
        assert_eq!(slot.time(), "07:00");
        assert_eq!(Slot::parse("2026-12-06", "7:00"), None);
        assert_eq!(Slot::parse("2026-02-30", "07:00"), None);
    }

    #[test]
    fn the_window_starts_after_the_lead_and_holds_its_working_days() {
        // Thursday 3 December 2026: the first bookable day is Sunday the 6th.
        let days = window(d(2026, 12, 3), &qatar(), &rules());
        assert_eq!(days[0], d(2026, 12, 6));
        let working: Vec<&Date> = days
            .iter()
            .filter(|x| qatar().is_working_day(**x))
            .collect();
        assert_eq!(working.len(), 14);
        assert!(qatar().is_working_day(*days.last().unwrap()));
        assert!(
            days.contains(&d(2026, 12, 15)),
            "the holiday is shown, greyed"
        );
    }

    #[test]
    fn every_bad_slot_is_refused_with_its_reason() {
        let today = d(2026, 12, 3);
        let (c, cal, r) = (doha(), qatar(), rules());
        let at =
            |date: &str, time: &str| check(Slot::parse(date, time).unwrap(), &c, &cal, today, &r);
        assert_eq!(at("2026-12-06", "07:00"), Ok(()));
        assert_eq!(at("2026-12-06", "13:45"), Ok(()));
        assert_eq!(
            at("2026-12-11", "09:00"),
            Err(Unbookable::Weekend),
            "Friday"
        );
        assert_eq!(
            at("2026-12-12", "09:00"),
            Err(Unbookable::Weekend),
            "Saturday"
        );
        assert_eq!(at("2026-12-15", "09:00"), Err(Unbookable::Holiday));
        assert_eq!(at("2026-12-10", "09:00"), Err(Unbookable::Closed));
        assert_eq!(at("2026-12-02", "09:00"), Err(Unbookable::Past));
        assert_eq!(at("2026-12-03", "13:00"), Err(Unbookable::Past), "today");
        assert_eq!(at("2027-03-01", "09:00"), Err(Unbookable::TooFar));
        assert_eq!(at("2026-12-06", "13:55"), Err(Unbookable::OutsideHours));
        assert_eq!(at("2026-12-06", "14:00"), Err(Unbookable::OutsideHours));
        assert_eq!(at("2026-12-06", "06:45"), Err(Unbookable::OutsideHours));
        assert_eq!(at("2026-12-06", "07:10"), Err(Unbookable::NotABoundary));
        let lead2 = Rules {
            lead_working_days: 2,
            ..r
        };
        assert_eq!(
            check(
                Slot::parse("2026-12-06", "07:00").unwrap(),
                &c,
                &cal,
                today,
                &lead2
            ),
            Err(Unbookable::TooSoon)
        );
        for u in [
            Unbookable::Weekend,
            Unbookable::NotABoundary,
            Unbookable::TooSoon,
        ] {
            assert_eq!(Unbookable::parse(u.code()), Some(u));
        }
    }

    #[test]
    fn the_nearest_free_slots_are_offered_in_order() {
        let s = |t: &str| Slot::parse("2026-12-06", t).unwrap();
        let free = [s("07:00"), s("09:00"), s("09:45"), s("10:30"), s("13:45")];
        assert_eq!(
            nearest_free(s("10:00"), &free, 3),
            [s("09:00"), s("09:45"), s("10:30")]
        );
        assert_eq!(nearest_free(s("10:00"), &[], 3), []);
    }

    #[test]
    fn changing_closes_at_the_cut_off() {
        let start = Slot::parse("2026-12-07", "09:00").unwrap().starts_at();
        assert!(can_change(start, start - 24 * 3600, &rules()));
        assert!(!can_change(start, start - 23 * 3600, &rules()));
        assert!(!can_change(start, start + 60, &rules()));
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (19_000_i64..22_000).prop_map(Date::from_days_since_epoch)
    }

    proptest! {
        /// No slot on a Friday, a Saturday, a holiday or a closure; none outside opening
        /// hours; none in the past or inside the lead time; capacity never below zero.
        #[test]
        fn no_bookable_slot_breaks_a_rule(
            today in any_date(),
            opens in 360_u16..600,
            length in 1_u16..10,
            counters in 1_u32..8,
            booked in -3_i64..20,
            lead in 0_u32..4,
            closed_offset in 1_i64..30,
            holiday_offset in 1_i64..30,
        ) {
            let holiday = today.plus_days(holiday_offset);
            let calendar = WorkingCalendar::new(vec![Holiday::On(holiday)]);
            let centre = Centre {
                hours: Hours { opens, closes: opens + length * 60, counters },
                closed: vec![today.plus_days(closed_offset)],
            };
            let rules = Rules { lead_working_days: lead, ..rules() };
            let first = calendar.add_working_days(today, lead);
            for day in window(today, &calendar, &rules) {
                let open = day_problem(day, &centre, &calendar, today, &rules).is_none();
                for (slot, places) in day_slots(day, &centre, &rules, |_| booked) {
                    prop_assert!(places <= counters);
                    let ok = check(slot, &centre, &calendar, today, &rules).is_ok();
                    prop_assert_eq!(ok, open);
                    if ok {
                        prop_assert!(!matches!(day.weekday(), Weekday::Friday | Weekday::Saturday));
                        prop_assert!(day != holiday && !centre.closed.contains(&day));
                        prop_assert!(day > today && day >= first);
                        prop_assert!(slot.minute >= opens && slot.minute + 15 <= centre.hours.closes);
                    }
                }
            }
        }

        /// Any slot the server is posted is either refused or one that `day_slots` lists.
        #[test]
        fn a_posted_slot_is_accepted_only_if_listed(
            today in any_date(),
            offset in -3_i64..30,
            minute in 0_u16..1440,
        ) {
            let (centre, calendar, rules) = (doha(), qatar(), rules());
            let slot = Slot { date: today.plus_days(offset), minute };
            if check(slot, &centre, &calendar, today, &rules).is_ok() {
                let listed = day_slots(slot.date, &centre, &rules, |_| 0);
                prop_assert!(listed.iter().any(|(s, _)| *s == slot));
            }
        }
    }
}
