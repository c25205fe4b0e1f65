//! `Day`: a calendar date in the commune's time zone (Asia/Ho_Chi_Minh).
//!
//! In plan files a day is a TOML local date (`2026-06-10`); in JSON it is the
//! ISO string. Pages show it as dd/mm/yyyy through [`Day::vn`].

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use time::{Date, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub Date);

impl Day {
    pub fn from_ymd(y: i32, m: u8, d: u8) -> Option<Day> {
        let month = Month::try_from(m).ok()?;
        Date::from_calendar_date(y, month, d).ok().map(Day)
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
