//! Temporal functions: the constructors `date`, `localtime`, `time`, `localdatetime`,
//! `datetime` and `duration` (from a map, an ISO string, another temporal, or nothing for
//! "now"), their `.truncate`, `.transaction`/`.statement`/`.realtime` forms,
//! `datetime.fromepoch[millis]`, `duration.between`/`inMonths`/`inDays`/`inSeconds`,
//! `timestamp()`, and property access on temporal values. The value model itself lives in
//! `value::temporal`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, ISOWeekDate, Time, Weekday};

use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::value::Value;
use crate::value::temporal::arith::{self, BetweenUnit, DurationBuilder};
use crate::value::temporal::{
    Duration, NANOS_PER_SECOND, Temporal, Zone, ZonedDateTime, nano_of_day, parse, time_from_nanos,
};

thread_local! {
    /// The instant the running statement started, read by the current-time functions.
    static STATEMENT_TIME: std::cell::Cell<Option<Timestamp>> = const { std::cell::Cell::new(None) };
}

/// Fixes "now" for one statement, as openCypher wants (`date() = date()` holds);
/// `*.realtime()` still reads the clock. Restores the previous instant when dropped, so
/// nested executions (subqueries) share the outer statement's instant.
pub(crate) struct StatementClock(Option<Timestamp>);

impl StatementClock {
    pub(crate) fn start() -> StatementClock {
        let previous = STATEMENT_TIME.get();
        STATEMENT_TIME.set(Some(previous.unwrap_or_else(Timestamp::now)));
        StatementClock(previous)
    }
}

impl Drop for StatementClock {
    fn drop(&mut self) {
        STATEMENT_TIME.set(self.0);
    }
}

/// The running statement's instant, or the clock outside a statement.
fn statement_time() -> Timestamp {
    STATEMENT_TIME.get().unwrap_or_else(Timestamp::now)
}

/// The kinds a constructor builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            _ => return None,
        })
    }

    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_time(self) -> bool {
        !matches!(self, Kind::Date)
    }

    fn has_zone(self) -> bool {
        matches!(self, Kind::Time | Kind::DateTime)
    }
}

/// Function names this module implements, with their arity, for the function table.
pub(super) const SIGNATURES: &[(&str, usize, usize)] = &[
    ("date", 0, 1),
    ("date.truncate", 2, 3),
    ("date.transaction", 0, 1),
    ("date.statement", 0, 1),
    ("date.realtime", 0, 1),
    ("localtime", 0, 1),
    ("localtime.truncate", 2, 3),
    ("localtime.transaction", 0, 1),
    ("localtime.statement", 0, 1),
    ("localtime.realtime", 0, 1),
    ("time", 0, 1),
    ("time.truncate", 2, 3),
    ("time.transaction", 0, 1),
    ("time.statement", 0, 1),
    ("time.realtime", 0, 1),
    ("localdatetime", 0, 1),
    ("localdatetime.truncate", 2, 3),
    ("localdatetime.transaction", 0, 1),
    ("localdatetime.statement", 0, 1),
    ("localdatetime.realtime", 0, 1),
    ("datetime", 0, 1),
    ("datetime.truncate", 2, 3),
    ("datetime.transaction", 0, 1),
    ("datetime.statement", 0, 1),
    ("datetime.realtime", 0, 1),
    ("datetime.fromepoch", 2, 2),
    ("datetime.fromepochmillis", 1, 1),
    ("duration", 1, 1),
    ("duration.between", 2, 2),
    ("duration.inMonths", 2, 2),
    ("duration.inDays", 2, 2),
    ("duration.inSeconds", 2, 2),
    ("timestamp", 0, 0),
];

/// Calls the temporal function `name` (canonical spelling from [`SIGNATURES`]).
pub(super) fn call(name: &str, args: &[Value]) -> Result<Value> {
    let (base, member) = name.split_once('.').unwrap_or((name, ""));
    if name == "timestamp" {
        let millis = statement_time().as_millisecond();
        return Ok(Value::Int(millis));
    }
    if base == "duration" {
        return duration_call(name, member, args);
    }
    let Some(kind) = Kind::of(base) else {
        return Err(invalid(name, "unknown temporal function"));
    };
    match member {
        "" => construct(name, kind, args.first()),
        "transaction" | "statement" => now(name, kind, args.first(), statement_time()),
        "realtime" => now(name, kind, args.first(), Timestamp::now()),
        "truncate" => truncate(name, kind, args),
        "fromepoch" => from_epoch(name, &args[0], &args[1], NANOS_PER_SECOND),
        "fromepochmillis" => from_epoch(name, &args[0], &Value::Int(0), 1_000_000),
        _ => Err(invalid(name, "unknown temporal function")),
    }
}

/// `t.key` on a temporal value.
pub(crate) fn property(t: &Temporal, key: &str) -> Result<Value> {
    t.component(key).ok_or_else(|| {
        QueryError::runtime(
            ErrorKind::ArgumentError,
            ErrorCode::InvalidArgumentValue,
            format!("a {} has no component `{key}`", t.type_name()),
        )
    })
}

fn invalid(fun: &str, message: &str) -> QueryError {
    QueryError::runtime(
        ErrorKind::ArgumentError,
        ErrorCode::InvalidArgumentValue,
        format!("{fun}(): {message}"),
    )
}

fn wrong_type(fun: &str, found: &Value) -> QueryError {
    super::wrong_type(fun, "a map, a string or a temporal value", found)
}

/// A `timezone` argument or map entry: an offset or an IANA name; `None` when absent or null.
fn zone_arg(name: &str, value: Option<&Value>) -> Result<Option<Zone>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(z)) => Zone::parse(z)
            .map(Some)
            .ok_or_else(|| invalid(name, &format!("unknown time zone `{z}`"))),
        Some(other) => Err(super::wrong_type(name, "a time zone string", other)),
    }
}

/// A date, time or date-time (not a duration).
fn instant(v: &Value) -> Option<&Temporal> {
    temporal_of(v).filter(|t| !matches!(t, Temporal::Duration(_)))
}

fn temporal_of(v: &Value) -> Option<&Temporal> {
    match v {
        Value::Temporal(t) => Some(t),
        _ => None,
    }
}

/// `date()`, `datetime('...')`, `time({hour: 12})`, `localtime(datetimeValue)`.
fn construct(name: &str, kind: Kind, arg: Option<&Value>) -> Result<Value> {
    let Some(arg) = arg else {
        return now(name, kind, None, statement_time());
    };
    match arg {
        Value::Null => Ok(Value::Null),
        Value::String(text) => from_string(name, text),
        Value::Map(map) => from_map(name, kind, map),
        Value::Temporal(t) if !matches!(**t, Temporal::Duration(_)) => {
            let mut map = BTreeMap::new();
            let key = if kind == Kind::DateTime && t.date().is_some() && t.time().is_some() {
                "datetime"
            } else if kind.has_time() && t.time().is_some() {
                "time"
            } else {
                "date"
            };
            map.insert(key.to_string(), arg.clone());
            if let (true, Some(date)) = (kind.has_date() && key == "time", t.date()) {
                map.insert("date".to_string(), Value::from(Temporal::Date(date)));
            }
            from_map(name, kind, &map)
        }
        other => Err(wrong_type(name, other)),
    }
}

/// The current instant as `kind`, in UTC or the zone given.
fn now(name: &str, kind: Kind, zone: Option<&Value>, at: Timestamp) -> Result<Value> {
    if zone.is_some_and(Value::is_null) {
        return Ok(Value::Null);
    }
    let zone = zone_arg(name, zone)?.unwrap_or(Zone::Offset(0));
    let z = ZonedDateTime::from_timestamp(at, &zone)
        .ok_or_else(|| invalid(name, "the current time is out of range"))?;
    Ok(Value::from(shape(kind, z)))
}

/// A zoned date-time narrowed to `kind`.
fn shape(kind: Kind, z: ZonedDateTime) -> Temporal {
    match kind {
        Kind::Date => Temporal::Date(z.local.date()),
        Kind::LocalTime => Temporal::LocalTime(z.local.time()),
        Kind::Time => Temporal::Time(z.local.time(), z.offset),
        Kind::LocalDateTime => Temporal::LocalDateTime(z.local),
        Kind::DateTime => Temporal::DateTime(z),
    }
}

fn from_string(name: &str, text: &str) -> Result<Value> {
    parse::typed(name, text)
        .map(Value::from)
        .ok_or_else(|| invalid(name, &format!("cannot parse `{text}`")))
}

const DATE_KEYS: &[&str] = &[
    "year",
    "month",
    "day",
    "week",
    "dayOfWeek",
    "quarter",
    "dayOfQuarter",
    "ordinalDay",
];
const TIME_KEYS: &[&str] = &[
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

/// An integer map entry; `Ok(None)` when absent.
fn int_field(name: &str, map: &BTreeMap<String, Value>, key: &str) -> Result<Option<i64>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(super::wrong_type(name, "an integer component", other)),
    }
}

fn small<T: TryFrom<i64>>(name: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| invalid(name, &format!("component {v} out of range")))
}

/// Builds `kind` from a map of components, optionally based on `date`, `time` or `datetime`
/// entries holding other temporals (Neo4j's "selection" forms).
fn from_map(name: &str, kind: Kind, map: &BTreeMap<String, Value>) -> Result<Value> {
    if kind == Kind::DateTime
        && (map.contains_key("epochSeconds") || map.contains_key("epochMillis"))
    {
        return from_epoch_map(name, map);
    }
    for key in map.keys() {
        let known = DATE_KEYS.contains(&key.as_str()) && kind.has_date()
            || TIME_KEYS.contains(&key.as_str()) && kind.has_time()
            || key == "timezone" && kind.has_zone()
            || key == "date" && kind.has_date()
            || key == "time" && kind.has_time()
            || key == "datetime" && kind.has_date();
        // Neo4j ignores a timezone given to local types built from a zoned base.
        if !(known || key == "timezone" && kind.has_time()) {
            return Err(invalid(name, &format!("unknown component `{key}`")));
        }
    }
    let base = |key: &str| -> Result<Option<&Temporal>> {
        match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => instant(v).map(Some).ok_or_else(|| wrong_type(name, v)),
        }
    };
    let datetime_base = base("datetime")?;
    let date_base = base("date")?.or(datetime_base);
    let time_base = base("time")?.or(datetime_base);
    let base_date = date_base.and_then(Temporal::date);
    let base_time = time_base.and_then(Temporal::time);
    // The zone the base values are in, if any.
    let base_zone = match time_base {
        Some(Temporal::DateTime(z)) => Some(Zone::of(z)),
        Some(Temporal::Time(_, offset)) => Some(Zone::Offset(*offset)),
        _ => None,
    };
    let new_zone = zone_arg(name, map.get("timezone"))?;

    let date = if kind.has_date() {
        Some(resolve_date(name, map, base_date)?)
    } else {
        None
    };
    let mut time = base_time;
    let mut zone = new_zone.clone().or(base_zone.clone());
    // A zoned base moves to the new zone at the same instant before fields override it.
    if let (true, Some(from), Some(to), Some(t)) =
        (kind.has_zone(), &base_zone, &new_zone, base_time)
    {
        let day = date.or(base_date).unwrap_or(Date::constant(1970, 1, 1));
        let at = ZonedDateTime::new(DateTime::from_parts(day, t), from)
            .and_then(|z| z.timestamp())
            .and_then(|ts| ZonedDateTime::from_timestamp(ts, to))
            .ok_or_else(|| invalid(name, "time zone conversion out of range"))?;
        time = Some(at.local.time());
        zone = Some(to.clone());
    }
    let time = if kind.has_time() {
        Some(resolve_time(name, map, time)?)
    } else {
        None
    };
    let zone = zone.unwrap_or(Zone::Offset(0));
    let t = match kind {
        Kind::Date => Temporal::Date(date.unwrap_or(Date::constant(1970, 1, 1))),
        Kind::LocalTime => Temporal::LocalTime(time.unwrap_or(Time::midnight())),
        Kind::Time => {
            let t = time.unwrap_or(Time::midnight());
            let offset = match &zone {
                Zone::Offset(o) => *o,
                // A named zone's offset for a time is the one in force today (Neo4j).
                Zone::Named(_) => {
                    let today = ZonedDateTime::from_timestamp(statement_time(), &Zone::Offset(0))
                        .map_or(Date::constant(1970, 1, 1), |z| z.local.date());
                    ZonedDateTime::new(DateTime::from_parts(today, t), &zone)
                        .map_or(0, |z| z.offset)
                }
            };
            Temporal::Time(t, offset)
        }
        Kind::LocalDateTime => Temporal::LocalDateTime(DateTime::from_parts(
            date.unwrap_or(Date::constant(1970, 1, 1)),
            time.unwrap_or(Time::midnight()),
        )),
        Kind::DateTime => {
            let local = DateTime::from_parts(
                date.unwrap_or(Date::constant(1970, 1, 1)),
                time.unwrap_or(Time::midnight()),
            );
            Temporal::DateTime(
                ZonedDateTime::new(local, &zone)
                    .ok_or_else(|| invalid(name, "date-time out of range"))?,
            )
        }
    };
    Ok(Value::from(t))
}

/// The date from calendar, week, quarter or ordinal fields, missing ones taken from `base`.
fn resolve_date(name: &str, map: &BTreeMap<String, Value>, base: Option<Date>) -> Result<Date> {
    let field = |key: &str| int_field(name, map, key);
    let bad = || invalid(name, "invalid date");
    let year = match field("year")? {
        Some(y) => Some(small::<i16>(name, y)?),
        None => None,
    };
    if field("week")?.is_some() || field("dayOfWeek")?.is_some() {
        let base_week = base.map(Date::iso_week_date);
        let week_year = year
            .or(base_week.map(|w| w.year()))
            .ok_or_else(|| invalid(name, "a week date needs a year"))?;
        let week = match field("week")? {
            Some(w) => small::<i8>(name, w)?,
            None => base_week.map_or(1, |w| w.week()),
        };
        let day = match field("dayOfWeek")? {
            Some(d) => small::<i8>(name, d)?,
            None => base.map_or(1, |b| b.weekday().to_monday_one_offset()),
        };
        let weekday =
            Weekday::from_monday_one_offset(day).map_err(|e| invalid(name, &e.to_string()))?;
        return Ok(ISOWeekDate::new(week_year, week, weekday)
            .map_err(|e| invalid(name, &e.to_string()))?
            .date());
    }
    let year = match (year, base) {
        (Some(y), _) => y,
        (None, Some(b)) => b.year(),
        (None, None) => return Err(invalid(name, "a date needs a year")),
    };
    if let Some(ordinal) = field("ordinalDay")? {
        return Date::new(year, 1, 1)
            .and_then(|d| {
                d.with()
                    .day_of_year(small::<i16>(name, ordinal).unwrap_or(0))
                    .build()
            })
            .map_err(|e| invalid(name, &e.to_string()));
    }
    if field("quarter")?.is_some() || field("dayOfQuarter")?.is_some() {
        let quarter = match field("quarter")? {
            Some(q) => q,
            None => base.map_or(1, |b| i64::from((b.month() - 1) / 3 + 1)),
        };
        let day_of_quarter = match field("dayOfQuarter")? {
            Some(d) => d,
            None => match base {
                Some(b) => {
                    let first =
                        Date::new(b.year(), (b.month() - 1) / 3 * 3 + 1, 1).map_err(|_| bad())?;
                    crate::value::temporal::epoch_day(b) - crate::value::temporal::epoch_day(first)
                        + 1
                }
                None => 1,
            },
        };
        if !(1..=4).contains(&quarter) {
            return Err(bad());
        }
        let first =
            Date::new(year, small::<i8>(name, (quarter - 1) * 3 + 1)?, 1).map_err(|_| bad())?;
        let date = first
            .checked_add(
                jiff::Span::new()
                    .try_days(day_of_quarter - 1)
                    .map_err(|_| bad())?,
            )
            .map_err(|_| bad())?;
        // The day must stay inside the quarter.
        if (date.month() - 1) / 3 + 1 != quarter as i8 || date.year() != year || day_of_quarter < 1
        {
            return Err(bad());
        }
        return Ok(date);
    }
    let month = match field("month")? {
        Some(m) => small::<i8>(name, m)?,
        None => match (base, field("day")?) {
            (Some(b), _) => b.month(),
            (None, Some(_)) => return Err(invalid(name, "a day needs a month")),
            (None, None) => 1,
        },
    };
    let day = match field("day")? {
        Some(d) => small::<i8>(name, d)?,
        None => base.map_or(1, Date::day),
    };
    Date::new(year, month, day).map_err(|e| invalid(name, &e.to_string()))
}

/// The time from hour/minute/second/sub-second fields, missing ones taken from `base`.
fn resolve_time(name: &str, map: &BTreeMap<String, Value>, base: Option<Time>) -> Result<Time> {
    let field = |key: &str| int_field(name, map, key);
    let bad = || invalid(name, "invalid time");
    let hour = field("hour")?;
    let minute = field("minute")?;
    let second = field("second")?;
    // Smaller fields need the larger ones (`{minute: 1}` alone is an error) unless a base exists.
    if base.is_none()
        && ((minute.is_some() && hour.is_none()) || (second.is_some() && minute.is_none()))
    {
        return Err(bad());
    }
    let (ms, us, ns) = (
        field("millisecond")?,
        field("microsecond")?,
        field("nanosecond")?,
    );
    let base_nanos = base.map_or(0, |t| i64::from(t.subsec_nanosecond()));
    let nanos = if ms.is_none() && us.is_none() && ns.is_none() {
        base_nanos
    } else {
        let ms = ms.unwrap_or(if base.is_some() {
            base_nanos / 1_000_000
        } else {
            0
        });
        let us = us.unwrap_or(if base.is_some() {
            base_nanos / 1000 % 1000
        } else {
            0
        });
        let ns = ns.unwrap_or(if base.is_some() { base_nanos % 1000 } else { 0 });
        ms.checked_mul(1_000_000)
            .zip(us.checked_mul(1000))
            .and_then(|(ms, us)| ms.checked_add(us)?.checked_add(ns))
            .ok_or_else(bad)?
    };
    Time::new(
        small(
            name,
            hour.unwrap_or(base.map_or(0, |t| i64::from(t.hour()))),
        )?,
        small(
            name,
            minute.unwrap_or(base.map_or(0, |t| i64::from(t.minute()))),
        )?,
        small(
            name,
            second.unwrap_or(base.map_or(0, |t| i64::from(t.second()))),
        )?,
        small(name, nanos)?,
    )
    .map_err(|e| invalid(name, &e.to_string()))
}

/// `datetime.fromepoch(seconds, nanos)` and `datetime.fromepochmillis(millis)`.
/// `datetime({epochSeconds: s, nanosecond: n, timezone: z})` or `{epochMillis: ms}`.
fn from_epoch_map(name: &str, map: &BTreeMap<String, Value>) -> Result<Value> {
    const KEYS: [(&str, i64); 5] = [
        ("epochSeconds", NANOS_PER_SECOND),
        ("epochMillis", 1_000_000),
        ("millisecond", 1_000_000),
        ("microsecond", 1_000),
        ("nanosecond", 1),
    ];
    let mut total: i128 = 0;
    for key in map.keys().filter(|k| *k != "timezone") {
        let Some((_, unit)) = KEYS.iter().find(|(k, _)| k == key) else {
            return Err(invalid(
                name,
                &format!("`{key}` cannot be combined with an epoch"),
            ));
        };
        total += i128::from(int_field(name, map, key)?.unwrap_or(0)) * i128::from(*unit);
    }
    let zone = zone_arg(name, map.get("timezone"))?.unwrap_or(Zone::Offset(0));
    let ts =
        Timestamp::from_nanosecond(total).map_err(|_| invalid(name, "instant out of range"))?;
    let z = ZonedDateTime::from_timestamp(ts, &zone)
        .ok_or_else(|| invalid(name, "instant out of range"))?;
    Ok(Value::from(Temporal::DateTime(z)))
}

fn from_epoch(name: &str, amount: &Value, nanos: &Value, unit_nanos: i64) -> Result<Value> {
    let (Some(amount), Some(nanos)) = (super::int_arg(name, amount)?, super::int_arg(name, nanos)?)
    else {
        return Ok(Value::Null);
    };
    let total = i128::from(amount) * i128::from(unit_nanos) + i128::from(nanos);
    let ts =
        Timestamp::from_nanosecond(total).map_err(|_| invalid(name, "instant out of range"))?;
    let z = ZonedDateTime::from_timestamp(ts, &Zone::Offset(0))
        .ok_or_else(|| invalid(name, "instant out of range"))?;
    Ok(Value::from(Temporal::DateTime(z)))
}

/// `date.truncate('month', d, {day: 2})` and the like.
fn truncate(name: &str, kind: Kind, args: &[Value]) -> Result<Value> {
    let (unit, value) = (&args[0], &args[1]);
    if value.is_null() {
        return Ok(Value::Null);
    }
    let Value::String(unit) = unit else {
        return Err(super::wrong_type(name, "a unit name", unit));
    };
    let Some(t) = instant(value) else {
        return Err(wrong_type(name, value));
    };
    let date = t.date();
    let time = t.time().unwrap_or(Time::midnight());
    let bad_unit = || invalid(name, &format!("cannot truncate to `{unit}`"));
    let date_unit = matches!(
        unit.as_ref(),
        "millennium"
            | "century"
            | "decade"
            | "year"
            | "weekYear"
            | "quarter"
            | "month"
            | "week"
            | "day"
    );
    if !kind.has_time() && !date_unit {
        return Err(bad_unit());
    }
    let truncated_date = match (date, date_unit) {
        (Some(d), true) => Some(truncate_date(d, unit).ok_or_else(bad_unit)?),
        (Some(d), false) => Some(d),
        (None, true) if kind.has_date() || unit.as_ref() != "day" => return Err(bad_unit()),
        (None, _) => None,
    };
    if kind.has_date() && truncated_date.is_none() {
        return Err(wrong_type(name, value));
    }
    let truncated_time = if date_unit {
        Time::midnight()
    } else {
        truncate_time(time, unit).ok_or_else(bad_unit)?
    };
    let mut map = match args.get(2) {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Map(m)) => m.clone(),
        Some(other) => return Err(super::wrong_type(name, "a map", other)),
    };
    let base: Temporal = match t {
        Temporal::DateTime(z) => {
            let local =
                DateTime::from_parts(truncated_date.unwrap_or(z.local.date()), truncated_time);
            Temporal::DateTime(
                ZonedDateTime::new(local, &Zone::of(z))
                    .ok_or_else(|| invalid(name, "out of range"))?,
            )
        }
        Temporal::Time(_, offset) => Temporal::Time(truncated_time, *offset),
        _ => match truncated_date {
            Some(d) => Temporal::LocalDateTime(DateTime::from_parts(d, truncated_time)),
            None => Temporal::LocalTime(truncated_time),
        },
    };
    // Fields of the map override the truncated value; a new timezone is attached, not converted.
    let base_value = Value::from(base.clone());
    if kind.has_date() {
        map.insert("date".to_string(), base_value.clone());
    }
    if kind.has_time() {
        if map.contains_key("timezone") && base.offset().is_some() {
            let local = match &base {
                Temporal::DateTime(z) => Temporal::LocalDateTime(z.local),
                Temporal::Time(t, _) => Temporal::LocalTime(*t),
                other => other.clone(),
            };
            map.insert("time".to_string(), Value::from(local));
        } else {
            map.insert("time".to_string(), base_value);
        }
    }
    from_map(name, kind, &map)
}

fn truncate_date(d: Date, unit: &str) -> Option<Date> {
    let year = i64::from(d.year());
    let floor_to = |n: i64| -> Option<Date> {
        Date::new(i16::try_from(year.div_euclid(n) * n).ok()?, 1, 1).ok()
    };
    match unit {
        "millennium" => floor_to(1000),
        "century" => floor_to(100),
        "decade" => floor_to(10),
        "year" => floor_to(1),
        "weekYear" => ISOWeekDate::new(d.iso_week_date().year(), 1, Weekday::Monday)
            .ok()
            .map(ISOWeekDate::date),
        "quarter" => Date::new(d.year(), (d.month() - 1) / 3 * 3 + 1, 1).ok(),
        "month" => Some(d.first_of_month()),
        "week" => d
            .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .ok(),
        "day" => Some(d),
        _ => None,
    }
}

fn truncate_time(t: Time, unit: &str) -> Option<Time> {
    let unit_nanos: i64 = match unit {
        "day" => 86_400 * NANOS_PER_SECOND,
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1_000,
        _ => return None,
    };
    let n = nano_of_day(t);
    Some(time_from_nanos(n - n % unit_nanos))
}

fn duration_call(name: &str, member: &str, args: &[Value]) -> Result<Value> {
    if member.is_empty() {
        return match &args[0] {
            Value::Null => Ok(Value::Null),
            Value::String(text) => parse::duration(text)
                .map(|d| Value::from(Temporal::Duration(d)))
                .ok_or_else(|| invalid(name, &format!("cannot parse `{text}`"))),
            Value::Map(map) => duration_from_map(name, map),
            Value::Temporal(t) if matches!(**t, Temporal::Duration(_)) => Ok(args[0].clone()),
            other => Err(super::wrong_type(name, "a map or a string", other)),
        };
    }
    let unit = match member {
        "between" => BetweenUnit::All,
        "inMonths" => BetweenUnit::Months,
        "inDays" => BetweenUnit::Days,
        _ => BetweenUnit::Seconds,
    };
    let (a, b) = (&args[0], &args[1]);
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let (Some(ta), Some(tb)) = (instant(a), instant(b)) else {
        let culprit = if instant(a).is_none() { a } else { b };
        return Err(super::wrong_type(
            name,
            "a date, time or date-time",
            culprit,
        ));
    };
    arith::between(ta, tb, unit)
        .map(|d| Value::from(Temporal::Duration(d)))
        .ok_or_else(|| invalid(name, "duration out of range"))
}

fn duration_from_map(name: &str, map: &BTreeMap<String, Value>) -> Result<Value> {
    let mut builder = DurationBuilder::default();
    for (key, value) in map {
        if !DurationBuilder::is_component(key) {
            return Err(invalid(name, &format!("unknown component `{key}`")));
        }
        let added = match value {
            Value::Null => Some(()),
            Value::Int(i) => builder.add_int(key, *i),
            Value::Float(f) => builder.add_float(key, *f),
            other => return Err(super::wrong_type(name, "a number", other)),
        };
        added.ok_or_else(|| invalid(name, "duration out of range"))?;
    }
    let d: Duration = builder
        .build()
        .ok_or_else(|| invalid(name, "duration out of range"))?;
    Ok(Value::from(Temporal::Duration(d)))
}
