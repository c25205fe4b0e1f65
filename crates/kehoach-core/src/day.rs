//! `Day`: a calendar date in the commune's time zone (Asia/Ho_Chi_Minh),
//! and `Clock`: where "now" comes from.
//!
//! In plan files a day is a TOML local date (`2026-06-10`); in JSON it is the
//! ISO string. Pages show it as dd/mm/yyyy through [`Day::vn`].
//!
//! This is the one place that reads the system clock and the one place that
//! knows Vietnam's offset: everything else asks a [`Clock`] it was given
//! (the system clock when serving, a fixed one in tests), so a test sets the
//! day it runs on (`tests/clock_reads.rs` fails on any other clock read).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{Date, Month, OffsetDateTime, UtcOffset};

/// Asia/Ho_Chi_Minh: UTC+7 all year (no summer time).
pub const VN_OFFSET: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// A moment (unix seconds) in Vietnam time; None when out of range.
pub fn vn_time(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(|t| t.to_offset(VN_OFFSET))
}

/// Where "now" comes from. Cloning shares it: moving a fixed clock in a
/// test moves it for every holder (the app, its writer, its jobs).
#[derive(Clone, Debug, Default)]
pub struct Clock(Source);

#[derive(Clone, Debug, Default)]
enum Source {
    /// The machine's clock.
    #[default]
    System,
    /// The machine's clock, moved by whole days (a demo or a training run
    /// on a day of the campaign): time still passes.
    Shifted(i64),
    /// Stopped until a test moves it.
    Fixed(Arc<AtomicI64>),
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// The machine's clock, moved so that today is `day` (Vietnam time);
    /// the hours still pass.
    pub fn system_on(day: Day) -> Clock {
        let today = Clock::system().today();
        Clock(Source::Shifted(day.since(today) * 86_400))
    }

    /// Stopped at `unix` seconds until [`Clock::advance`] moves it.
    pub fn fixed(unix: i64) -> Clock {
        Clock(Source::Fixed(Arc::new(AtomicI64::new(unix))))
    }

    /// Stopped at `hh:mm` of `day`, Vietnam time.
    pub fn at(day: Day, hh: u8, mm: u8) -> Clock {
        Clock::fixed(Day::start_unix(day) + i64::from(hh) * 3600 + i64::from(mm) * 60)
    }

    /// Moves a fixed clock by `secs` (a test's "later that day"); the
    /// machine's clock cannot be moved and ignores it.
    pub fn advance(&self, secs: i64) {
        if let Source::Fixed(t) = &self.0 {
            t.fetch_add(secs, Ordering::SeqCst);
        }
    }

    /// Now, in unix seconds.
    pub fn now(&self) -> i64 {
        match &self.0 {
            Source::Fixed(t) => t.load(Ordering::SeqCst),
            Source::Shifted(by) => OffsetDateTime::now_utc().unix_timestamp() + by,
            Source::System => OffsetDateTime::now_utc().unix_timestamp(),
        }
    }

    /// Now in Vietnam time.
    pub fn now_vn(&self) -> OffsetDateTime {
        vn_time(self.now()).unwrap_or_else(|| OffsetDateTime::UNIX_EPOCH.to_offset(VN_OFFSET))
    }

    /// Today in the commune's time zone.
    pub fn today(&self) -> Day {
        Day(self.now_vn().date())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub Date);

impl Day {
    pub fn from_ymd(y: i32, m: u8, d: u8) -> Option<Day> {
        let month = Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d).ok().map(Day)
    }

    /// The day a moment (unix seconds) falls on in Vietnam.
    pub fn of_unix(unix: i64) -> Option<Day> {
        vn_time(unix).map(|t| Day(t.date()))
    }

    /// 00:00 of this day in Vietnam, as unix seconds.
    pub fn start_unix(self) -> i64 {
        self.0.midnight().assume_offset(VN_OFFSET).unix_timestamp()
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Day> {
        let mut parts = s.trim().splitn(3, '-');
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        Day::from_ymd(y, m, d)
    }

    /// Parses `dd/mm/yyyy` as people type it: leading zeros optional and
    /// `/`, `.` or `-` between the parts (25/8/2026, 25.08.2026, 25-08-2026);
    /// the year has four digits.
    pub fn parse_vn(s: &str) -> Option<Day> {
        let parts: Vec<&str> = s.trim().split(['/', '.', '-']).map(str::trim).collect();
        let [d, m, y] = parts.as_slice() else { return None };
        if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
            return None;
        }
        Day::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Parses what people type: `dd/mm/yyyy` (or with `.`/`-`) or `YYYY-MM-DD`.
    pub fn parse_any(s: &str) -> Option<Day> {
        Day::parse_iso(s).or_else(|| Day::parse_vn(s))
    }

    /// dd/mm/yyyy, as Vietnamese pages show dates.
    pub fn vn(&self) -> String {
        format!("{:02}/{:02}/{}", self.0.day(), u8::from(self.0.month()), self.0.year())
    }

    /// dd/mm, for compact labels.
    pub fn vn_short(&self) -> String {
        format!("{:02}/{:02}", self.0.day(), u8::from(self.0.month()))
    }

    /// The day `n` days later (earlier when negative); saturates at the calendar's ends.
    pub fn plus(self, n: i64) -> Day {
        Day(self.0.checked_add(time::Duration::days(n)).unwrap_or(self.0))
    }

    /// Days from `other` to `self` (positive when `self` is later).
    pub fn since(self, other: Day) -> i64 {
        (self.0 - other.0).whole_days()
    }

    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        // TOML local dates arrive as a toml_datetime value; JSON as a string.
        struct DayVisitor;
        impl<'de> Visitor<'de> for DayVisitor {
            type Value = Day;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date written YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Day, E> {
                Day::parse_iso(v).ok_or_else(|| E::custom(format!("“{v}” is not a date written YYYY-MM-DD")))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Day, A::Error> {
                let dt = toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (dt.date, dt.time) {
                    (Some(date), None) => Day::from_ymd(date.year as i32, date.month, date.day)
                        .ok_or_else(|| de::Error::custom("not a real calendar date")),
                    _ => Err(de::Error::custom("expected a date without a time, such as 2026-06-10")),
                }
            }
        }
        d.deserialize_any(DayVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_gives_vietnam_days() {
        let day = Day::from_ymd(2026, 8, 31).unwrap();
        // 23:30 in Vietnam is still the 31st; 00:30 the next day is September.
        let c = Clock::at(day, 23, 30);
        assert_eq!(c.today(), day);
        assert_eq!(c.now() - day.start_unix(), 23 * 3600 + 30 * 60);
        let shared = c.clone();
        c.advance(3600);
        assert_eq!(shared.today(), day.plus(1));
        assert_eq!(Day::of_unix(shared.now()), Some(day.plus(1)));
        // The UTC date at that moment is still the 31st: the offset is applied.
        assert_eq!(OffsetDateTime::from_unix_timestamp(shared.now()).unwrap().day(), 31);
    }

    #[test]
    fn a_shifted_clock_runs_on_its_day() {
        let day = Day::from_ymd(2026, 7, 20).unwrap();
        let c = Clock::system_on(day);
        // Unless the machine's midnight passes between the two reads.
        assert!(c.today() == day || c.today() == day.plus(1));
        let moved = c.now() - Clock::system().now();
        assert!(
            (moved - day.since(Clock::system().today()) * 86_400).abs() <= 1,
            "{moved}"
        );
    }

    #[test]
    fn dates_read_as_people_type_them() {
        let want = Day::from_ymd(2026, 8, 25).unwrap();
        for typed in [
            "25/08/2026",
            "25/8/2026",
            "25.08.2026",
            "25-08-2026",
            " 25 / 8 / 2026 ",
            "2026-08-25",
        ] {
            assert_eq!(Day::parse_any(typed), Some(want), "{typed}");
        }
        for bad in [
            "25/08/26",
            "32/08/2026",
            "25/13/2026",
            "25/08",
            "2026/08/25",
            "25.08.2026.1",
            "",
        ] {
            assert_eq!(Day::parse_any(bad), None, "{bad}");
        }
    }
}
