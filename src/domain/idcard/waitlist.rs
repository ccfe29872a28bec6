//! The waiting list's rules (issue 22 ★). An applicant who finds no acceptable time waits for
//! a centre and a range of days; when a place in that range frees up, the first person
//! waiting is offered it and it is held for them (`Rules::hold_minutes`, from data). What the
//! database does with them (holding, claiming, passing on) is in the appointment feature;
//! what a range may be, and which place an offer is for, is decided here.

use super::slots::{DOHA_OFFSET_SECS, Rules, Slot};
use crate::domain::date::Date;
use serde::{Deserialize, Serialize};

/// The days a person waits for, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    pub first: Date,
    pub last: Date,
}

impl Range {
    pub fn covers(self, day: Date) -> bool {
        self.first <= day && day <= self.last
    }
}

/// Why a range cannot be waited for; each is said to the applicant as it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeProblem {
    /// A day is not chosen (or not a date).
    Missing,
    /// The last day is before the first.
    Backwards,
    /// A day is not one the centre can be booked on now (a weekend, a holiday, outside the
    /// booking window).
    NotBookable,
    /// The range has free places: they can be booked now, without waiting.
    HasFreePlaces,
}

impl RangeProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing_day",
            Self::Backwards => "backwards",
            Self::NotBookable => "not_bookable",
            Self::HasFreePlaces => "has_free_places",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Missing,
            Self::Backwards,
            Self::NotBookable,
            Self::HasFreePlaces,
        ]
        .into_iter()
        .find(|p| p.code() == code)
    }
}

/// The range an applicant asked for, checked against the days that can be booked at the
/// centre now (`bookable`, each with its free places). Waiting makes sense only where every
/// place is taken: a range with a free place is refused, so that an offer never goes to
/// someone who could have booked it themselves.
pub fn range(
    first: Option<Date>,
    last: Option<Date>,
    bookable: &[(Date, u32)],
) -> Result<Range, RangeProblem> {
    let (Some(first), Some(last)) = (first, last) else {
        return Err(RangeProblem::Missing);
    };
    if last < first {
        return Err(RangeProblem::Backwards);
    }
    let is_bookable = |d: Date| bookable.iter().any(|(b, _)| *b == d);
    if !is_bookable(first) || !is_bookable(last) {
        return Err(RangeProblem::NotBookable);
    }
    let range = Range { first, last };
    if bookable
        .iter()
        .any(|(day, free)| range.covers(*day) && *free > 0)
    {
        return Err(RangeProblem::HasFreePlaces);
    }
    Ok(range)
}

/// When an offer made at `now` lapses and passes to the next person (Unix seconds): the hold's
/// minutes after `now`, or after the night's end for an offer made at night in Doha (the
/// message arrives while the person sleeps; their time starts when they wake).
pub fn offer_expires(now: i64, rules: &Rules) -> i64 {
    let hold = i64::from(rules.hold_minutes) * 60;
    let local = now + DOHA_OFFSET_SECS;
    let midnight = local - local.rem_euclid(86_400);
    let minute = local.rem_euclid(86_400) / 60;
    let (starts, ends) = (i64::from(rules.night_starts), i64::from(rules.night_ends));
    let morning = if minute >= starts {
        Some(midnight + 86_400 + ends * 60)
    } else if minute < ends {
        Some(midnight + ends * 60)
    } else {
        None
    };
    match morning {
        Some(local_morning) => local_morning - DOHA_OFFSET_SECS + hold,
        None => now + hold,
    }
}

/// The place a person waiting for `range` is offered among `free` places (in any order): the
/// earliest one in the range that they have not been offered before (`declined`, by start:
/// a place they let go is not offered to them again).
pub fn first_free(range: Range, free: &[Slot], declined: &[i64]) -> Option<Slot> {
    free.iter()
        .copied()
        .filter(|s| range.covers(s.date) && !declined.contains(&s.starts_at()))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(day: u32) -> Date {
        Date {
            year: 2026,
            month: 12,
            day,
        }
    }

    fn rules() -> Rules {
        Rules::from_terms(&super::super::Terms::example())
    }

    /// Sunday 6 to Thursday 10 December, full but for the 9th.
    fn week() -> Vec<(Date, u32)> {
        vec![(d(6), 0), (d(7), 0), (d(8), 0), (d(9), 3), (d(10), 0)]
    }

    #[test]
    fn a_range_of_full_bookable_days_can_be_waited_for() {
        assert_eq!(
            range(Some(d(6)), Some(d(8)), &week()),
            Ok(Range {
                first: d(6),
                last: d(8)
            })
        );
        assert_eq!(
            range(Some(d(10)), Some(d(10)), &week()).unwrap().first,
            d(10)
        );
    }

    #[test]
    fn each_bad_range_says_why() {
        assert_eq!(range(None, Some(d(8)), &week()), Err(RangeProblem::Missing));
        assert_eq!(
            range(Some(d(8)), Some(d(6)), &week()),
            Err(RangeProblem::Backwards)
        );
        // Friday 11th is not in the window's bookable days.
        assert_eq!(
            range(Some(d(6)), Some(d(11)), &week()),
            Err(RangeProblem::NotBookable)
        );
        assert_eq!(
            range(Some(d(8)), Some(d(10)), &week()),
            Err(RangeProblem::HasFreePlaces)
        );
        for p in [
            RangeProblem::Missing,
            RangeProblem::Backwards,
            RangeProblem::NotBookable,
            RangeProblem::HasFreePlaces,
        ] {
            assert_eq!(RangeProblem::parse(p.code()), Some(p));
        }
    }

    /// Thursday 3 December 2026 at `hh:mm` in Doha.
    fn doha(hh: i64, mm: i64) -> i64 {
        Slot {
            date: d(3),
            minute: 0,
        }
        .starts_at()
            + hh * 3600
            + mm * 60
    }

    #[test]
    fn an_offer_is_held_for_the_data_s_minutes_counted_from_the_morning_at_night() {
        assert_eq!(offer_expires(doha(12, 0), &rules()), doha(14, 0));
        assert_eq!(offer_expires(doha(20, 59), &rules()), doha(22, 59));
        // Made at night: held until two hours after 07:00.
        assert_eq!(offer_expires(doha(23, 34), &rules()), doha(24 + 9, 0));
        assert_eq!(offer_expires(doha(21, 0), &rules()), doha(24 + 9, 0));
        assert_eq!(offer_expires(doha(6, 59), &rules()), doha(9, 0));
        assert_eq!(offer_expires(doha(7, 0), &rules()), doha(9, 0));
    }

    #[test]
    fn the_earliest_place_not_let_go_before_is_offered() {
        let at = |day, minute| Slot {
            date: d(day),
            minute,
        };
        let free = [at(9, 600), at(7, 480), at(7, 420), at(12, 420)];
        let range = Range {
            first: d(7),
            last: d(9),
        };
        assert_eq!(first_free(range, &free, &[]), Some(at(7, 420)));
        let declined = [at(7, 420).starts_at()];
        assert_eq!(first_free(range, &free, &declined), Some(at(7, 480)));
        let outside = Range {
            first: d(10),
            last: d(11),
        };
        assert_eq!(first_free(outside, &free, &[]), None);
    }

    proptest! {
        #[test]
        fn an_offer_is_always_inside_the_range_and_never_a_declined_place(
            days in proptest::collection::vec((1u32..=28, 0u16..(24 * 4)), 0..30),
            first in 1u32..=28,
            len in 0u32..10,
            declined_n in 0usize..5,
        ) {
            let free: Vec<Slot> = days
                .iter()
                .map(|(day, q)| Slot { date: d(*day), minute: q * 15 })
                .collect();
            let range = Range { first: d(first), last: d((first + len).min(28)) };
            let declined: Vec<i64> = free.iter().take(declined_n).map(|s| s.starts_at()).collect();
            if let Some(offer) = first_free(range, &free, &declined) {
                prop_assert!(range.covers(offer.date));
                prop_assert!(!declined.contains(&offer.starts_at()));
                prop_assert!(free
                    .iter()
                    .filter(|s| range.covers(s.date) && !declined.contains(&s.starts_at()))
                    .all(|s| *s >= offer));
            }
        }
    }
}
