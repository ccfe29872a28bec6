//! Calendar files (iCalendar, RFC 5545) for appointments: one event in a fixed-offset zone,
//! with the zone written out (`VTIMEZONE`), so a calendar shows the time in Doha whatever the
//! phone's own zone is. Written by hand: the format is small, and a crate for it would bring
//! a date library we do not otherwise need.

use crate::domain::date::Date;

/// A zone with one offset all year (Qatar has no summer time).
pub struct Zone {
    pub tzid: &'static str,
    /// East of UTC.
    pub offset_minutes: i32,
}

pub const QATAR: Zone = Zone {
    tzid: "Asia/Qatar",
    offset_minutes: 180,
};

/// One event, its times local to the zone.
pub struct Event<'a> {
    /// Stable across copies of the same appointment, so a calendar updates rather than doubles.
    pub uid: &'a str,
    /// When the file was made (Unix seconds).
    pub stamp: i64,
    pub date: Date,
    /// Minutes after local midnight.
    pub minute: u16,
    pub minutes: u16,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

/// The calendar file: CRLF line ends, long lines folded at 75 bytes.
pub fn calendar(zone: &Zone, event: &Event) -> String {
    let offset = {
        let sign = if zone.offset_minutes < 0 { '-' } else { '+' };
        let m = zone.offset_minutes.unsigned_abs();
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    };
    let start = local(event.date, u32::from(event.minute));
    let end = local(
        event.date,
        u32::from(event.minute) + u32::from(event.minutes),
    );
    let stamp = {
        let day = Date::from_days_since_epoch(event.stamp.div_euclid(86_400));
        let s = event.stamp.rem_euclid(86_400);
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            day.year,
            day.month,
            day.day,
            s / 3600,
            s / 60 % 60,
            s % 60
        )
    };
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Bawaba//Appointments//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VTIMEZONE".into(),
        format!("TZID:{}", zone.tzid),
        "BEGIN:STANDARD".into(),
        "DTSTART:19700101T000000".into(),
        format!("TZOFFSETFROM:{offset}"),
        format!("TZOFFSETTO:{offset}"),
        format!("TZNAME:{}", &offset[..3]),
        "END:STANDARD".into(),
        "END:VTIMEZONE".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(event.uid)),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;TZID={}:{start}", zone.tzid),
        format!("DTEND;TZID={}:{end}", zone.tzid),
        format!("SUMMARY:{}", escape(event.summary)),
        format!("LOCATION:{}", escape(event.location)),
        format!("DESCRIPTION:{}", escape(event.description)),
        "STATUS:CONFIRMED".into(),
        "TRANSP:OPAQUE".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l)).collect()
}

/// `YYYYMMDDTHHMMSS` for a minute of a day (past midnight rolls to the next day).
fn local(date: Date, minute: u32) -> String {
    let day = date.plus_days(i64::from(minute / 1440));
    let minute = minute % 1440;
    format!(
        "{:04}{:02}{:02}T{:02}{:02}00",
        day.year,
        day.month,
        day.day,
        minute / 60,
        minute % 60
    )
}

/// A TEXT value: backslash, semicolon, comma and line breaks escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded so no line exceeds 75 bytes (never inside a character), CRLF ended.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event<'a>(summary: &'a str, description: &'a str) -> Event<'a> {
        Event {
            uid: "0b8f6c1e-appointment@bawaba",
            stamp: 1_796_400_000,
            date: Date {
                year: 2026,
                month: 12,
                day: 6,
            },
            minute: 9 * 60 + 15,
            minutes: 15,
            summary,
            location: "مركز خدمات الوكرة, الوكرة",
            description,
        }
    }

    /// The lines as a reader sees them: unfolded.
    fn unfolded(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_event_is_in_doha_time_with_its_zone_written_out() {
        let ics = calendar(&QATAR, &event("موعد بطاقة الهوية", "ID-7K2M9Q4TXR"));
        let lines = unfolded(&ics);
        for expected in [
            "DTSTART;TZID=Asia/Qatar:20261206T091500",
            "DTEND;TZID=Asia/Qatar:20261206T093000",
            "TZID:Asia/Qatar",
            "TZOFFSETTO:+0300",
            "DTSTAMP:20261204T160000Z",
            "LOCATION:مركز خدمات الوكرة\\, الوكرة",
        ] {
            assert!(lines.iter().any(|l| l == expected), "{expected}\n{ics}");
        }
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("BEGIN:")).count(),
            lines.iter().filter(|l| l.starts_with("END:")).count()
        );
    }

    #[test]
    fn long_arabic_lines_fold_between_characters_and_text_is_escaped() {
        let long =
            "أحضر جواز سفرك وتصريح إقامتك وأصول المستندات; ثم البطاقة التالفة, والرسوم\nشكراً";
        let ics = calendar(&QATAR, &event("s", long));
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} bytes: {line}", line.len());
        }
        let description = unfolded(&ics)
            .into_iter()
            .find(|l| l.starts_with("DESCRIPTION:"))
            .unwrap();
        assert_eq!(
            description,
            format!(
                "DESCRIPTION:{}",
                long.replace(';', "\\;")
                    .replace(',', "\\,")
                    .replace('\n', "\\n")
            )
        );
    }

    #[test]
    fn an_event_past_midnight_ends_the_next_day() {
        let mut e = event("s", "d");
        e.minute = 23 * 60 + 50;
        e.minutes = 20;
        let lines = unfolded(&calendar(&QATAR, &e));
        assert!(lines.contains(&"DTEND;TZID=Asia/Qatar:20261207T001000".to_string()));
    }
}
