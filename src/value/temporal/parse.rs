//! The ISO 8601 string forms `date('...')`, `time('...')`, `datetime('...')`, ... accept:
//! extended (`2015-07-21`, `21:40:32.142`) and basic (`20150721`, `214032.142`) forms, week
//! dates (`2015-W30-2`), ordinal dates (`2015-202`), offsets (`Z`, `+01:00`, `-0130`, `+01`),
//! bracketed zone names, and durations (`P1Y2M10DT12H45M30.25S`, `P2.5W`,
//! `P2012-02-02T14:37:21.545`). Anything else gives `None`; the caller raises the error.

use jiff::civil::{Date, DateTime, ISOWeekDate, Time, Weekday};

use super::arith::DurationBuilder;
use super::{Duration, Temporal, Zone, ZonedDateTime};

/// The temporal type names, as neo4j-admin import headers spell them (`born:date`).
pub const TYPE_NAMES: [&str; 6] = [
    "date",
    "localtime",
    "time",
    "localdatetime",
    "datetime",
    "duration",
];

/// `text` read as the temporal type `type_name` (one of [`TYPE_NAMES`]), as the Cypher
/// function of that name reads a string; a missing zone is UTC.
pub fn typed(type_name: &str, text: &str) -> Option<Temporal> {
    Some(match type_name {
        "date" => Temporal::Date(date(text)?),
        "localtime" => Temporal::LocalTime(time(text)?.0),
        "time" => match time(text)? {
            (t, None) => Temporal::Time(t, 0),
            (t, Some(Zone::Offset(offset))) => Temporal::Time(t, offset),
            // A time has no date to resolve a named zone's offset on.
            (_, Some(Zone::Named(_))) => return None,
        },
        "localdatetime" => Temporal::LocalDateTime(datetime_or_date(text)?.0),
        "datetime" => {
            let (local, zone) = datetime_or_date(text)?;
            Temporal::DateTime(ZonedDateTime::new(local, &zone.unwrap_or(Zone::Offset(0)))?)
        }
        "duration" => Temporal::Duration(duration(text)?),
        _ => return None,
    })
}

/// A date in any of the supported forms.
pub fn date(text: &str) -> Option<Date> {
    let (year, rest) = year_prefix(text)?;
    if rest.is_empty() {
        return Date::new(year, 1, 1).ok();
    }
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    if let Some(week_part) = rest.strip_prefix('W') {
        let week: i8 = digits(week_part.get(..2)?)?;
        let tail = week_part.get(2..)?;
        let tail = tail.strip_prefix('-').unwrap_or(tail);
        let day: i8 = if tail.is_empty() { 1 } else { digits(tail)? };
        let weekday = Weekday::from_monday_one_offset(day).ok()?;
        return Some(ISOWeekDate::new(year, week, weekday).ok()?.date());
    }
    let plain: String = rest.chars().filter(|c| *c != '-').collect();
    match plain.len() {
        2 => Date::new(year, digits(&plain)?, 1).ok(),
        3 => {
            let ordinal: i16 = digits(&plain)?;
            Date::new(year, 1, 1)
                .ok()?
                .with()
                .day_of_year(ordinal)
                .build()
                .ok()
        }
        4 => Date::new(year, digits(&plain[..2])?, digits(&plain[2..])?).ok(),
        _ => None,
    }
}

/// The leading (possibly signed) four-digit year and the rest.
fn year_prefix(text: &str) -> Option<(i16, &str)> {
    let (sign, body) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => (1, text),
    };
    let year: i16 = digits(body.get(..4)?)?;
    Some((sign * year, &body[4..]))
}

fn digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A time of day with an optional offset or zone: `21:40:32.142+0100`, `2140`, `21Z`.
pub fn time(text: &str) -> Option<(Time, Option<Zone>)> {
    let (time_text, zone) = split_zone(text)?;
    Some((local_time(time_text)?, zone))
}

/// Splits `12:00+01:00[Europe/Paris]` into the time and its zone (the name wins).
fn split_zone(text: &str) -> Option<(&str, Option<Zone>)> {
    let (text, name) = match text.strip_suffix(']') {
        Some(head) => {
            let open = head.find('[')?;
            (&head[..open], Some(&head[open + 1..]))
        }
        None => (text, None),
    };
    let split = text.find(['+', '-', 'Z']).unwrap_or(text.len());
    let (time_text, offset_text) = text.split_at(split);
    let zone = match (name, offset_text) {
        (Some(name), _) => Some(Zone::parse(name)?),
        (None, "") => None,
        (None, offset_text) => Some(Zone::Offset(offset(offset_text)?)),
    };
    Some((time_text, zone))
}

/// `21:40:32.142`, `214032.142`, `21:40`, `2140`, `21`.
fn local_time(text: &str) -> Option<Time> {
    let (main, fraction) = match text.split_once(['.', ',']) {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    let plain: String = main.chars().filter(|c| *c != ':').collect();
    if main.contains(':') && main.len() != plain.len() + plain.len() / 2 - 1 {
        return None;
    }
    let field = |i: usize| -> Option<i8> { plain.get(i..i + 2).map_or(Some(0), digits) };
    if !matches!(plain.len(), 2 | 4 | 6) || (fraction.is_some() && plain.len() != 6) {
        return None;
    }
    let nanos = match fraction {
        Some(f) if !f.is_empty() && f.len() <= 9 => {
            digits::<i32>(f)? * 10_i32.pow(9 - f.len() as u32)
        }
        Some(_) => return None,
        None => 0,
    };
    Time::new(field(0)?, field(2)?, field(4)?, nanos).ok()
}

/// A UTC offset in seconds: `Z`, `+01:00`, `-0130`, `+01`, `+00:53:28`.
pub fn offset(text: &str) -> Option<i32> {
    if text == "Z" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let plain: String = text[1..].chars().filter(|c| *c != ':').collect();
    if !matches!(plain.len(), 2 | 4 | 6) {
        return None;
    }
    let field = |i: usize| -> Option<i32> { plain.get(i..i + 2).map_or(Some(0), digits) };
    let (h, m, s) = (field(0)?, field(2)?, field(4)?);
    if h > 18 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// A date-time with an optional zone: `2015-07-21T21:40:32.142+02:00[Europe/Stockholm]`,
/// `2015-W30-2T214032.142`, `2015T2140`.
pub fn datetime(text: &str) -> Option<(DateTime, Option<Zone>)> {
    let (date_text, time_text) = text.split_once('T')?;
    let (time, zone) = time(time_text)?;
    Some((DateTime::from_parts(date(date_text)?, time), zone))
}

/// A date-time or a date alone (`datetime('2015-07-21')` is midnight).
pub fn datetime_or_date(text: &str) -> Option<(DateTime, Option<Zone>)> {
    if text.contains('T') {
        datetime(text)
    } else {
        Some((DateTime::from_parts(date(text)?, Time::midnight()), None))
    }
}

/// `P1Y2M10DT12H45M30.25S`, `P2.5W`, `PT-1.5S`, or the alternative form
/// `P2012-02-02T14:37:21.545`.
pub fn duration(text: &str) -> Option<Duration> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let body = text.strip_prefix(['P', 'p'])?;
    let mut builder = DurationBuilder::default();
    let alternative = body.len() > 4
        && body.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && body.as_bytes()[4] == b'-';
    if alternative {
        let (date_text, time_text) = body.split_once('T').unwrap_or((body, ""));
        let mut parts = date_text.split('-');
        builder.add_int("years", digits(parts.next()?)?)?;
        builder.add_int("months", digits(parts.next()?)?)?;
        builder.add_int("days", digits(parts.next()?)?)?;
        if !time_text.is_empty() {
            let t = local_time(time_text)?;
            builder.add_int("hours", i64::from(t.hour()))?;
            builder.add_int("minutes", i64::from(t.minute()))?;
            builder.add_int("seconds", i64::from(t.second()))?;
            builder.add_int("nanoseconds", i64::from(t.subsec_nanosecond()))?;
        }
    } else {
        let (date_text, time_text) = body.split_once(['T', 't']).unwrap_or((body, ""));
        if body.is_empty() || body.ends_with(['T', 't']) {
            return None;
        }
        units(
            &mut builder,
            date_text,
            &[
                ('Y', "years"),
                ('M', "months"),
                ('W', "weeks"),
                ('D', "days"),
            ],
        )?;
        units(
            &mut builder,
            time_text,
            &[('H', "hours"), ('M', "minutes"), ('S', "seconds")],
        )?;
    }
    let d = builder.build()?;
    if negative {
        super::arith::negate(&d)
    } else {
        Some(d)
    }
}

/// Reads `12Y5M` style number-unit pairs, units in the given order.
fn units(builder: &mut DurationBuilder, mut text: &str, allowed: &[(char, &str)]) -> Option<()> {
    let mut next_unit = 0;
    while !text.is_empty() {
        let end = text.find(|c: char| c.is_ascii_alphabetic())?;
        let (number, rest) = text.split_at(end);
        let unit = rest.chars().next()?.to_ascii_uppercase();
        let position = allowed[next_unit..].iter().position(|(u, _)| *u == unit)? + next_unit;
        next_unit = position + 1;
        let name = allowed[position].1;
        let number = number.replace(',', ".");
        if number.contains('.') {
            builder.add_float(name, number.parse().ok()?)?;
        } else {
            builder.add_int(name, number.parse().ok()?)?;
        }
        text = &rest[1..];
    }
    Some(())
}
