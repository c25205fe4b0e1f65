//! iCalendar (RFC 5545) feeds of planned sessions, in Vietnam time: text
//! escaped, lines folded at 75 octets, CRLF line ends, a VTIMEZONE for
//! Asia/Ho_Chi_Minh (UTC+7, no daylight saving).

use crate::Day;

/// One session in a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across feeds and days: the session's id.
    pub uid: String,
    pub day: Day,
    /// "HH:MM", local time; without a start the event lasts the whole day.
    pub start: Option<String>,
    pub end: Option<String>,
    pub summary: String,
    pub location: String,
    pub description: String,
    /// Link to the session's public page.
    pub url: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets without splitting a UTF-8 character.
fn fold(line: &str, out: &mut String) {
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
}

fn hhmm(t: &str) -> Option<String> {
    let (h, m) = t.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}{m:02}00"))
}

fn compact(d: Day) -> String {
    d.iso().replace('-', "")
}

/// A calendar named `name` with the events; `stamp` is the feed's time
/// (UTC, "YYYYMMDDTHHMMSSZ").
pub fn calendar(name: &str, events: &[Event], stamp: &str) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold(&s, &mut out);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//kehoach//lich hoat dong//VI".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Ho_Chi_Minh".into());
    for l in [
        "BEGIN:VTIMEZONE",
        "TZID:Asia/Ho_Chi_Minh",
        "BEGIN:STANDARD",
        "DTSTART:19700101T000000",
        "TZOFFSETFROM:+0700",
        "TZOFFSETTO:+0700",
        "TZNAME:ICT",
        "END:STANDARD",
        "END:VTIMEZONE",
    ] {
        line(l.into());
    }
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}@kehoach", escape(&e.uid)));
        line(format!("DTSTAMP:{stamp}"));
        match e.start.as_deref().and_then(hhmm) {
            Some(start) => {
                line(format!("DTSTART;TZID=Asia/Ho_Chi_Minh:{}T{start}", compact(e.day)));
                let end = e.end.as_deref().and_then(hhmm).filter(|end| *end > start);
                match end {
                    Some(end) => line(format!("DTEND;TZID=Asia/Ho_Chi_Minh:{}T{end}", compact(e.day))),
                    None => line("DURATION:PT2H".into()),
                }
            }
            None => {
                line(format!("DTSTART;VALUE=DATE:{}", compact(e.day)));
                line(format!("DTEND;VALUE=DATE:{}", compact(e.day.plus(1))));
            }
        }
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.location.is_empty() {
            line(format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if let Some(u) = &e.url {
            line(format!("URL:{u}"));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_vietnamese_lines_fold_within_75_octets_on_character_boundaries() {
        let e = Event {
            uid: "u1".into(),
            day: Day::from_ymd(2026, 7, 10).unwrap(),
            start: Some("8:00".into()),
            end: Some("10:30".into()),
            summary: "Hướng dẫn cài đặt, kích hoạt VNeID; dịch vụ công trực tuyến cho người dân thôn".into(),
            location: String::new(),
            description: "Mang theo CCCD\nvà điện thoại".into(),
            url: None,
        };
        let cal = calendar("Lịch", &[e], "20261130T000000Z");
        assert!(cal.lines().all(|l| l.len() <= 76), "{cal}");
        assert!(cal.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20260710T080000\r\n"));
        assert!(cal.contains("DTEND;TZID=Asia/Ho_Chi_Minh:20260710T103000\r\n"));
        assert!(cal.contains("DESCRIPTION:Mang theo CCCD\\nvà điện thoại"));
        let unfolded = cal.replace("\r\n ", "");
        assert!(
            unfolded
                .contains("SUMMARY:Hướng dẫn cài đặt\\, kích hoạt VNeID\\; dịch vụ công trực tuyến cho người dân thôn")
        );
    }
}
