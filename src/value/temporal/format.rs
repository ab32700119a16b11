//! ISO 8601 text of temporal values, exactly as Neo4j (and so the TCK) prints them:
//! seconds are left out when zero, fractions lose their trailing zeros, a zero offset is `Z`,
//! named zones follow the offset in brackets, durations print as `P1Y2M3DT4H5M6.7S`.

use std::fmt::{self, Write};

use jiff::civil::{Date, DateTime, Time};

use super::{Duration, NANOS_PER_SECOND, Temporal, ZonedDateTime};

impl fmt::Display for Temporal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Temporal::Date(d) => write_date(f, *d),
            Temporal::LocalTime(t) => write_time(f, *t),
            Temporal::Time(t, offset) => {
                write_time(f, *t)?;
                f.write_str(&offset_text(*offset))
            }
            Temporal::LocalDateTime(dt) => write_datetime(f, *dt),
            Temporal::DateTime(z) => write_zoned(f, z),
            Temporal::Duration(d) => write_duration(f, d),
        }
    }
}

fn write_date(f: &mut fmt::Formatter<'_>, d: Date) -> fmt::Result {
    let year = d.year();
    if year < 0 {
        write!(f, "-{:04}", -i32::from(year))?;
    } else {
        write!(f, "{year:04}")?;
    }
    write!(f, "-{:02}-{:02}", d.month(), d.day())
}

fn write_time(f: &mut fmt::Formatter<'_>, t: Time) -> fmt::Result {
    write!(f, "{:02}:{:02}", t.hour(), t.minute())?;
    let nanos = t.subsec_nanosecond();
    if t.second() != 0 || nanos != 0 {
        write!(f, ":{:02}", t.second())?;
        write_fraction(f, i64::from(nanos))?;
    }
    Ok(())
}

/// `.5`, `.000000001`; nothing for zero.
fn write_fraction(f: &mut impl Write, nanos: i64) -> fmt::Result {
    if nanos == 0 {
        return Ok(());
    }
    let digits = format!("{nanos:09}");
    write!(f, ".{}", digits.trim_end_matches('0'))
}

fn write_datetime(f: &mut fmt::Formatter<'_>, dt: DateTime) -> fmt::Result {
    write_date(f, dt.date())?;
    f.write_char('T')?;
    write_time(f, dt.time())
}

fn write_zoned(f: &mut fmt::Formatter<'_>, z: &ZonedDateTime) -> fmt::Result {
    write_datetime(f, z.local)?;
    f.write_str(&offset_text(z.offset))?;
    if let Some(name) = &z.zone {
        write!(f, "[{name}]")?;
    }
    Ok(())
}

/// `Z`, `+01:00`, `+00:53:28`.
pub fn offset_text(offset: i32) -> String {
    if offset == 0 {
        return "Z".to_string();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let mut out = format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60);
    if !abs.is_multiple_of(60) {
        let _ = write!(out, ":{:02}", abs % 60);
    }
    out
}

fn write_duration(f: &mut fmt::Formatter<'_>, d: &Duration) -> fmt::Result {
    if *d == Duration::default() {
        return f.write_str("PT0S");
    }
    f.write_char('P')?;
    let part = |f: &mut fmt::Formatter<'_>, n: i64, unit: char| {
        if n != 0 {
            write!(f, "{n}{unit}")
        } else {
            Ok(())
        }
    };
    part(f, d.months / 12, 'Y')?;
    part(f, d.months % 12, 'M')?;
    part(f, d.days, 'D')?;
    // Print seconds and nanoseconds with one sign: -1s + 0.9e9ns is -0.1s.
    let (mut seconds, mut nanos) = (d.seconds, d.nanos);
    if seconds < 0 && nanos > 0 {
        seconds += 1;
        nanos -= NANOS_PER_SECOND;
    }
    if seconds != 0 || nanos != 0 {
        f.write_char('T')?;
        part(f, seconds / 3600, 'H')?;
        part(f, seconds % 3600 / 60, 'M')?;
        let s = seconds % 60;
        if s != 0 || nanos != 0 {
            if s == 0 && nanos < 0 {
                f.write_char('-')?;
            }
            write!(f, "{s}")?;
            write_fraction(f, nanos.abs())?;
            f.write_char('S')?;
        }
    }
    Ok(())
}
