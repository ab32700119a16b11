//! openCypher temporal values: Date, LocalTime, Time, LocalDateTime, DateTime and Duration.
//! Calendar and time-zone work is delegated to `jiff` (with its bundled tz database, so
//! named zones work offline); this module owns the Cypher model on top of it: ISO text as
//! Neo4j prints it (`format`), the ISO string forms the TCK parses (`parse`), comparison and
//! component access (here), and arithmetic with durations (`arith`).
//! Constructing values from maps and the `*.truncate`/`duration.*` functions live in
//! `catalog::temporal`.

pub mod arith;
mod format;
pub mod parse;

use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use super::Value;

/// Nanoseconds in a second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
/// Seconds in a (civil, leap-second-free) day.
pub const SECONDS_PER_DAY: i64 = 86_400;
/// Nanoseconds in a day.
pub const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;

/// A temporal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Temporal {
    /// `date('2015-07-21')`
    Date(Date),
    /// `localtime('12:31:14')`
    LocalTime(Time),
    /// `time('12:31:14+01:00')`: a time of day with a fixed UTC offset in seconds.
    Time(Time, i32),
    /// `localdatetime('2015-07-21T12:31')`
    LocalDateTime(DateTime),
    /// `datetime('2015-07-21T12:31+01:00[Europe/Stockholm]')`
    DateTime(ZonedDateTime),
    /// `duration('P1Y2M')`
    Duration(Duration),
}

/// A local date-time with its offset and, when given by name, its IANA zone.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonedDateTime {
    pub local: DateTime,
    /// UTC offset in seconds in force at `local`.
    pub offset: i32,
    /// The zone name, e.g. `Europe/Stockholm`; `None` for a fixed offset.
    pub zone: Option<Arc<str>>,
}

/// A Cypher duration: months, days and seconds are kept apart because their lengths vary.
/// As in Neo4j, `seconds` is floored and `0 <= nanos < 1e9` (so -0.1s is -1s + 0.9e9ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    /// Calendar months (years are 12 of them).
    pub months: i64,
    /// Calendar days (weeks are 7 of them).
    pub days: i64,
    /// Seconds, floored.
    pub seconds: i64,
    /// Nanoseconds past `seconds`, `0..1e9`.
    pub nanos: i64,
}

/// Where a zone comes from when building a date-time.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// A fixed UTC offset in seconds, e.g. `+01:00`.
    Offset(i32),
    /// An IANA zone name, e.g. `Europe/Stockholm`, whose offset depends on the date.
    Named(Arc<str>),
}

impl Zone {
    /// Parses `Z`, `+01:00`, `-0130`, `+01` or an IANA name.
    pub fn parse(text: &str) -> Option<Zone> {
        if let Some(offset) = parse::offset(text) {
            return Some(Zone::Offset(offset));
        }
        // Names match case-insensitively; keep the database's spelling.
        let tz = TimeZone::get(text).ok()?;
        Some(Zone::Named(Arc::from(tz.iana_name().unwrap_or(text))))
    }

    /// The zone of an existing value (named if it has a name).
    pub fn of(dt: &ZonedDateTime) -> Zone {
        match &dt.zone {
            Some(name) => Zone::Named(name.clone()),
            None => Zone::Offset(dt.offset),
        }
    }
}

impl ZonedDateTime {
    /// `local` in `zone`; for a named zone the offset is the one in force then (a gap or
    /// overlap at a DST change resolves as java.time does: the earlier offset).
    pub fn new(local: DateTime, zone: &Zone) -> Option<ZonedDateTime> {
        match zone {
            Zone::Offset(offset) => Some(ZonedDateTime {
                local,
                offset: *offset,
                zone: None,
            }),
            Zone::Named(name) => {
                let tz = TimeZone::get(name).ok()?;
                let ts = tz.to_ambiguous_timestamp(local).compatible().ok()?;
                let offset = tz.to_offset(ts).seconds();
                // In a gap the local time moves forward by the gap's length.
                let local = Offset::from_seconds(offset).ok()?.to_datetime(ts);
                Some(ZonedDateTime {
                    local,
                    offset,
                    zone: Some(name.clone()),
                })
            }
        }
    }

    /// The instant `ts` seen in `zone`.
    pub fn from_timestamp(ts: Timestamp, zone: &Zone) -> Option<ZonedDateTime> {
        let (offset, name) = match zone {
            Zone::Offset(offset) => (*offset, None),
            Zone::Named(name) => (
                TimeZone::get(name).ok()?.to_offset(ts).seconds(),
                Some(name.clone()),
            ),
        };
        Some(ZonedDateTime {
            local: Offset::from_seconds(offset).ok()?.to_datetime(ts),
            offset,
            zone: name,
        })
    }

    /// The instant this value denotes.
    pub fn timestamp(&self) -> Option<Timestamp> {
        Offset::from_seconds(self.offset)
            .ok()?
            .to_timestamp(self.local)
            .ok()
    }

    /// Nanoseconds since the Unix epoch (i128: outlives i64 for far years).
    pub fn epoch_nanos(&self) -> i128 {
        local_epoch_nanos(self.local) - i128::from(self.offset) * i128::from(NANOS_PER_SECOND)
    }
}

/// Days from 1970-01-01 to `date`.
pub fn epoch_day(date: Date) -> i64 {
    date.duration_since(Date::constant(1970, 1, 1)).as_secs() / SECONDS_PER_DAY
}

/// Nanoseconds since midnight.
pub fn nano_of_day(time: Time) -> i64 {
    (i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second()))
        * NANOS_PER_SECOND
        + i64::from(time.subsec_nanosecond())
}

/// The time `nanos` after midnight, wrapping around the day.
pub fn time_from_nanos(nanos: i64) -> Time {
    let n = nanos.rem_euclid(NANOS_PER_DAY);
    let secs = n / NANOS_PER_SECOND;
    Time::new(
        (secs / 3600) as i8,
        (secs / 60 % 60) as i8,
        (secs % 60) as i8,
        (n % NANOS_PER_SECOND) as i32,
    )
    .unwrap_or(Time::midnight())
}

/// Nanoseconds from the epoch of a local date-time read as UTC.
pub fn local_epoch_nanos(dt: DateTime) -> i128 {
    i128::from(epoch_day(dt.date())) * i128::from(NANOS_PER_DAY)
        + i128::from(nano_of_day(dt.time()))
}

impl Temporal {
    /// The Cypher type name, as `Value::type_name` reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "DATE",
            Temporal::LocalTime(_) => "LOCAL TIME",
            Temporal::Time(..) => "TIME",
            Temporal::LocalDateTime(_) => "LOCAL DATETIME",
            Temporal::DateTime(_) => "DATETIME",
            Temporal::Duration(_) => "DURATION",
        }
    }

    /// The JSON tag used by `--format json` (`$date`, `$datetime`, ...).
    pub fn json_tag(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "$date",
            Temporal::LocalTime(_) => "$localtime",
            Temporal::Time(..) => "$time",
            Temporal::LocalDateTime(_) => "$localdatetime",
            Temporal::DateTime(_) => "$datetime",
            Temporal::Duration(_) => "$duration",
        }
    }

    /// A Cypher expression that evaluates to this value, e.g. `date('2015-07-21')`.
    pub fn cypher_literal(&self) -> String {
        format!("{}('{self}')", self.function_name())
    }

    /// The constructor function's name, which is also the neo4j-admin import column type.
    pub fn function_name(&self) -> &'static str {
        match self {
            Temporal::Date(_) => "date",
            Temporal::LocalTime(_) => "localtime",
            Temporal::Time(..) => "time",
            Temporal::LocalDateTime(_) => "localdatetime",
            Temporal::DateTime(_) => "datetime",
            Temporal::Duration(_) => "duration",
        }
    }

    /// The date part, if this value has one.
    pub fn date(&self) -> Option<Date> {
        match self {
            Temporal::Date(d) => Some(*d),
            Temporal::LocalDateTime(dt) => Some(dt.date()),
            Temporal::DateTime(z) => Some(z.local.date()),
            _ => None,
        }
    }

    /// The time-of-day part, if this value has one.
    pub fn time(&self) -> Option<Time> {
        match self {
            Temporal::LocalTime(t) | Temporal::Time(t, _) => Some(*t),
            Temporal::LocalDateTime(dt) => Some(dt.time()),
            Temporal::DateTime(z) => Some(z.local.time()),
            _ => None,
        }
    }

    /// The UTC offset in seconds, if this value has one.
    pub fn offset(&self) -> Option<i32> {
        match self {
            Temporal::Time(_, offset) => Some(*offset),
            Temporal::DateTime(z) => Some(z.offset),
            _ => None,
        }
    }

    /// Cypher `=` between temporals of any kinds (different kinds are unequal).
    pub fn equals(&self, other: &Temporal) -> bool {
        match (self, other) {
            (Temporal::DateTime(a), Temporal::DateTime(b)) => {
                a.epoch_nanos() == b.epoch_nanos() && a.zone == b.zone && a.offset == b.offset
            }
            _ => self == other,
        }
    }

    /// Cypher `<` and friends: only values of the same kind compare; durations never do.
    pub fn compare(&self, other: &Temporal) -> Option<Ordering> {
        match (self, other) {
            (Temporal::Date(a), Temporal::Date(b)) => Some(a.cmp(b)),
            (Temporal::LocalTime(a), Temporal::LocalTime(b)) => Some(a.cmp(b)),
            (Temporal::Time(a, oa), Temporal::Time(b, ob)) => {
                let utc = |t: &Time, o: &i32| nano_of_day(*t) - i64::from(*o) * NANOS_PER_SECOND;
                Some(utc(a, oa).cmp(&utc(b, ob)).then(ob.cmp(oa)))
            }
            (Temporal::LocalDateTime(a), Temporal::LocalDateTime(b)) => Some(a.cmp(b)),
            (Temporal::DateTime(a), Temporal::DateTime(b)) => {
                Some(a.epoch_nanos().cmp(&b.epoch_nanos()))
            }
            _ => None,
        }
    }

    /// Total order for ORDER BY: kinds by [`Temporal::order_rank`], then by value; durations
    /// by their approximate length.
    pub fn order(&self, other: &Temporal) -> Ordering {
        match (self, other) {
            (Temporal::Duration(a), Temporal::Duration(b)) => a
                .approximate_nanos()
                .cmp(&b.approximate_nanos())
                .then_with(|| {
                    (a.months, a.days, a.seconds, a.nanos)
                        .cmp(&(b.months, b.days, b.seconds, b.nanos))
                }),
            // The same instant in different zones: a fixed tie-break keeps sorting stable.
            (Temporal::DateTime(a), Temporal::DateTime(b)) => a
                .epoch_nanos()
                .cmp(&b.epoch_nanos())
                .then_with(|| b.offset.cmp(&a.offset))
                .then_with(|| a.zone.cmp(&b.zone)),
            _ => match self.compare(other) {
                Some(ordering) => ordering,
                None => self.order_rank().cmp(&other.order_rank()),
            },
        }
    }

    /// Position of each kind in ORDER BY, as Neo4j sorts them.
    pub fn order_rank(&self) -> u8 {
        match self {
            Temporal::DateTime(_) => 0,
            Temporal::LocalDateTime(_) => 1,
            Temporal::Date(_) => 2,
            Temporal::Time(..) => 3,
            Temporal::LocalTime(_) => 4,
            Temporal::Duration(_) => 5,
        }
    }

    /// The component `key` (`year`, `hour`, `timezone`, `epochMillis`, `minutesOfHour`, ...),
    /// or `None` when this kind has no such component.
    pub fn component(&self, key: &str) -> Option<Value> {
        if let Temporal::Duration(d) = self {
            return d.component(key);
        }
        if let Some(v) = self.date().and_then(|d| date_component(d, key)) {
            return Some(v);
        }
        if let Some(v) = self.time().and_then(|t| time_component(t, key)) {
            return Some(v);
        }
        let offset = self.offset()?;
        Some(match key {
            "timezone" => match self {
                Temporal::DateTime(ZonedDateTime {
                    zone: Some(name), ..
                }) => Value::from(name.as_ref()),
                _ => Value::from(format::offset_text(offset)),
            },
            "offset" => Value::from(format::offset_text(offset)),
            "offsetMinutes" => Value::Int(i64::from(offset / 60)),
            "offsetSeconds" => Value::Int(i64::from(offset)),
            "epochSeconds" | "epochMillis" => {
                let Temporal::DateTime(z) = self else {
                    return None;
                };
                let nanos = z.epoch_nanos();
                let per = if key == "epochSeconds" {
                    1_000_000_000
                } else {
                    1_000_000
                };
                Value::Int(i64::try_from(nanos.div_euclid(per)).ok()?)
            }
            _ => return None,
        })
    }
}

fn date_component(d: Date, key: &str) -> Option<Value> {
    let week = d.iso_week_date();
    let v = match key {
        "year" => i64::from(d.year()),
        "quarter" => i64::from((d.month() - 1) / 3 + 1),
        "month" => i64::from(d.month()),
        "week" => i64::from(week.week()),
        "weekYear" => i64::from(week.year()),
        "day" => i64::from(d.day()),
        "ordinalDay" => i64::from(d.day_of_year()),
        "dayOfWeek" | "weekDay" => i64::from(d.weekday().to_monday_one_offset()),
        "dayOfQuarter" => {
            let first = Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).ok()?;
            epoch_day(d) - epoch_day(first) + 1
        }
        _ => return None,
    };
    Some(Value::Int(v))
}

fn time_component(t: Time, key: &str) -> Option<Value> {
    let nanos = i64::from(t.subsec_nanosecond());
    let v = match key {
        "hour" => i64::from(t.hour()),
        "minute" => i64::from(t.minute()),
        "second" => i64::from(t.second()),
        "millisecond" => nanos / 1_000_000,
        "microsecond" => nanos / 1_000,
        "nanosecond" => nanos,
        _ => return None,
    };
    Some(Value::Int(v))
}

impl Duration {
    /// Normalises nanoseconds into `0..1e9`; `None` on overflow.
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> Option<Duration> {
        let total = i128::from(seconds) * i128::from(NANOS_PER_SECOND) + i128::from(nanos);
        Some(Duration {
            months,
            days,
            seconds: i64::try_from(total.div_euclid(i128::from(NANOS_PER_SECOND))).ok()?,
            nanos: total.rem_euclid(i128::from(NANOS_PER_SECOND)) as i64,
        })
    }

    /// Length with a month of 30.436875 days and a day of 24 hours, for ordering.
    fn approximate_nanos(&self) -> i128 {
        (i128::from(self.months) * 2_629_746
            + i128::from(self.days) * 86_400
            + i128::from(self.seconds))
            * i128::from(NANOS_PER_SECOND)
            + i128::from(self.nanos)
    }

    fn component(&self, key: &str) -> Option<Value> {
        let v = match key {
            "years" => self.months / 12,
            "quarters" => self.months / 3,
            "months" => self.months,
            "monthsOfYear" => self.months % 12,
            "monthsOfQuarter" => self.months % 3,
            "quartersOfYear" => self.months / 3 % 4,
            "weeks" => self.days / 7,
            "days" => self.days,
            "daysOfWeek" => self.days % 7,
            "hours" => self.seconds / 3600,
            "minutesOfHour" => self.seconds / 60 % 60,
            "minutes" => self.seconds / 60,
            "secondsOfMinute" => self.seconds % 60,
            "seconds" => self.seconds,
            "milliseconds" => self.seconds * 1000 + self.nanos / 1_000_000,
            "microseconds" => self.seconds * 1_000_000 + self.nanos / 1000,
            "nanoseconds" => self.seconds * NANOS_PER_SECOND + self.nanos,
            "millisecondsOfSecond" => self.nanos / 1_000_000,
            "microsecondsOfSecond" => self.nanos / 1000,
            "nanosecondsOfSecond" => self.nanos,
            _ => return None,
        };
        Some(Value::Int(v))
    }
}

/// `a op b` when either side is temporal (`op` is one of `+ - * /`): temporal ± duration,
/// duration ± duration, duration * number, number * duration, duration / number.
/// `None` when neither side is temporal, so the caller applies its own rules.
pub fn binary(op: char, a: &Value, b: &Value) -> Option<crate::error::Result<Value>> {
    use crate::error::{ErrorCode, ErrorKind, QueryError};
    let ((Value::Temporal(_), _) | (_, Value::Temporal(_))) = (a, b) else {
        return None;
    };
    if a.is_null() || b.is_null() {
        return Some(Ok(Value::Null));
    }
    let as_duration = |v: &Value| match v {
        Value::Temporal(t) => match t.as_ref() {
            Temporal::Duration(d) => Some(*d),
            _ => None,
        },
        _ => None,
    };
    let result = match (op, a, b) {
        // String concatenation takes a temporal's ISO text, as Neo4j does.
        ('+', Value::String(s), Value::Temporal(t)) => {
            return Some(Ok(Value::from(format!("{s}{t}"))));
        }
        ('+', Value::Temporal(t), Value::String(s)) => {
            return Some(Ok(Value::from(format!("{t}{s}"))));
        }
        ('+', Value::Temporal(t), _) if as_duration(b).is_some() => {
            as_duration(b).and_then(|d| arith::add(t, &d))
        }
        ('+', _, Value::Temporal(t)) if as_duration(a).is_some() => {
            as_duration(a).and_then(|d| arith::add(t, &d))
        }
        ('-', Value::Temporal(t), _) if as_duration(b).is_some() => as_duration(b)
            .and_then(|d| arith::negate(&d))
            .and_then(|d| arith::add(t, &d)),
        ('*', _, Value::Int(n)) | ('*', Value::Int(n), _)
            if as_duration(a).or(as_duration(b)).is_some() =>
        {
            as_duration(a)
                .or(as_duration(b))
                .and_then(|d| arith::scale_int(&d, *n))
                .map(Temporal::Duration)
        }
        ('*', _, Value::Float(f)) | ('*', Value::Float(f), _)
            if as_duration(a).or(as_duration(b)).is_some() =>
        {
            as_duration(a)
                .or(as_duration(b))
                .and_then(|d| arith::scale(&d, *f))
                .map(Temporal::Duration)
        }
        ('/', Value::Temporal(_), Value::Int(_) | Value::Float(_)) if as_duration(a).is_some() => {
            let divisor = super::ops::to_f64(b).unwrap_or(f64::NAN);
            if divisor == 0.0 {
                return Some(Err(QueryError::runtime(
                    ErrorKind::ArithmeticError,
                    ErrorCode::InvalidArgumentValue,
                    "division of a duration by zero",
                )));
            }
            as_duration(a)
                .and_then(|d| arith::scale(&d, 1.0 / divisor))
                .map(Temporal::Duration)
        }
        _ => {
            return Some(Err(super::ops::operand_error(&op.to_string(), a, b)));
        }
    };
    Some(result.map(Value::from).ok_or_else(|| {
        QueryError::runtime(
            ErrorKind::ArgumentError,
            ErrorCode::NumberOutOfRange,
            format!("temporal `{op}` out of range"),
        )
    }))
}

#[cfg(test)]
mod tests;
