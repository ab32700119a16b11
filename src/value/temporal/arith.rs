//! Temporal arithmetic with Neo4j's semantics: a duration is added months first (clamping
//! the day to the month's end), then days, then seconds; dates keep only whole days of the
//! seconds part, times wrap around midnight. Durations built from fractions cascade the
//! fraction down (a month is 30.436875 days, a day 86400 seconds). `duration.between` and
//! its `inMonths`/`inDays`/`inSeconds` forms count whole months, then whole days, then the
//! exact remainder, as java.time's `until` does.

use jiff::Span;
use jiff::civil::{Date, DateTime, Time};

use super::{
    Duration, NANOS_PER_DAY, NANOS_PER_SECOND, SECONDS_PER_DAY, Temporal, Zone, ZonedDateTime,
    epoch_day, local_epoch_nanos, nano_of_day, time_from_nanos,
};

/// Average days per month, as Neo4j uses for fractional months.
const DAYS_PER_MONTH: f64 = 30.436875;

/// A whole part and a fraction, so integer inputs stay exact.
#[derive(Debug, Clone, Copy, Default)]
struct Mixed {
    whole: i64,
    frac: f64,
}

impl Mixed {
    fn add_int(&mut self, v: i64) -> Option<()> {
        self.whole = self.whole.checked_add(v)?;
        Some(())
    }

    fn add_float(&mut self, v: f64) -> Option<()> {
        let whole = v.trunc();
        if !whole.is_finite() || whole.abs() >= 9.2e18 {
            return None;
        }
        self.add_int(whole as i64)?;
        self.frac += v - whole;
        Some(())
    }

    /// Moves whole units out of the fraction; returns the fraction left.
    fn settle(&mut self) -> Option<f64> {
        let whole = self.frac.trunc();
        self.add_int(whole as i64)?;
        self.frac -= whole;
        Some(self.frac)
    }
}

/// Accumulates duration components (`years: 1.5`, `minutes: 3`, ...) into a [`Duration`].
#[derive(Debug, Clone, Default)]
pub struct DurationBuilder {
    months: Mixed,
    days: Mixed,
    seconds: Mixed,
    nanos: Mixed,
}

/// Each duration component: which field it feeds and with what factor.
fn unit_of(name: &str) -> Option<(usize, i64)> {
    Some(match name {
        "years" => (0, 12),
        "quarters" => (0, 3),
        "months" => (0, 1),
        "weeks" => (1, 7),
        "days" => (1, 1),
        "hours" => (2, 3600),
        "minutes" => (2, 60),
        "seconds" => (2, 1),
        "milliseconds" => (3, 1_000_000),
        "microseconds" => (3, 1_000),
        "nanoseconds" => (3, 1),
        _ => return None,
    })
}

impl DurationBuilder {
    /// Whether `name` is a duration component.
    pub fn is_component(name: &str) -> bool {
        unit_of(name).is_some()
    }

    fn field(&mut self, index: usize) -> &mut Mixed {
        match index {
            0 => &mut self.months,
            1 => &mut self.days,
            2 => &mut self.seconds,
            _ => &mut self.nanos,
        }
    }

    /// Adds `value` units of `name`; `None` for an unknown unit or on overflow.
    pub fn add_int(&mut self, name: &str, value: i64) -> Option<()> {
        let (index, factor) = unit_of(name)?;
        self.field(index).add_int(value.checked_mul(factor)?)
    }

    /// Adds a fractional amount of `name`.
    pub fn add_float(&mut self, name: &str, value: f64) -> Option<()> {
        let (index, factor) = unit_of(name)?;
        self.field(index).add_float(value * factor as f64)
    }

    /// Cascades the fractions down and normalises.
    pub fn build(mut self) -> Option<Duration> {
        let months_frac = self.months.settle()?;
        self.days.add_float(months_frac * DAYS_PER_MONTH)?;
        let days_frac = self.days.settle()?;
        self.seconds.add_float(days_frac * SECONDS_PER_DAY as f64)?;
        let seconds_frac = self.seconds.settle()?;
        self.nanos
            .add_float(seconds_frac * NANOS_PER_SECOND as f64)?;
        let nanos = self
            .nanos
            .whole
            .checked_add(self.nanos.frac.round() as i64)?;
        Duration::new(
            self.months.whole,
            self.days.whole,
            self.seconds.whole,
            nanos,
        )
    }
}

/// `-d`.
pub fn negate(d: &Duration) -> Option<Duration> {
    Duration::new(
        d.months.checked_neg()?,
        d.days.checked_neg()?,
        d.seconds.checked_neg()?,
        -d.nanos,
    )
}

/// `a + b` for durations.
pub fn add_durations(a: &Duration, b: &Duration) -> Option<Duration> {
    Duration::new(
        a.months.checked_add(b.months)?,
        a.days.checked_add(b.days)?,
        a.seconds.checked_add(b.seconds)?,
        a.nanos + b.nanos,
    )
}

/// `d * factor` (or `d / divisor` with `1 / divisor`), each component scaled and the
/// fractions cascaded down.
pub fn scale(d: &Duration, factor: f64) -> Option<Duration> {
    let mut builder = DurationBuilder::default();
    builder.add_float("months", d.months as f64 * factor)?;
    builder.add_float("days", d.days as f64 * factor)?;
    builder.add_float("seconds", d.seconds as f64 * factor)?;
    builder.add_float("nanoseconds", d.nanos as f64 * factor)?;
    builder.build()
}

/// `d * n` for an integer: exact.
pub fn scale_int(d: &Duration, n: i64) -> Option<Duration> {
    Duration::new(
        d.months.checked_mul(n)?,
        d.days.checked_mul(n)?,
        d.seconds.checked_mul(n)?,
        d.nanos.checked_mul(n)?,
    )
}

fn add_calendar(date: Date, months: i64, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_months(months).ok()?)
        .ok()?
        .checked_add(Span::new().try_days(days).ok()?)
        .ok()
}

/// A local date-time moved by a number of nanoseconds.
fn add_nanos(dt: DateTime, nanos: i128) -> Option<DateTime> {
    let total = local_epoch_nanos(dt) + nanos;
    let days = i64::try_from(total.div_euclid(i128::from(NANOS_PER_DAY))).ok()?;
    let rest = total.rem_euclid(i128::from(NANOS_PER_DAY)) as i64;
    let date = add_calendar(Date::constant(1970, 1, 1), 0, days)?;
    Some(DateTime::from_parts(date, time_from_nanos(rest)))
}

fn duration_nanos(d: &Duration) -> i128 {
    i128::from(d.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(d.nanos)
}

/// `t + d`; `None` when the result is out of range.
pub fn add(t: &Temporal, d: &Duration) -> Option<Temporal> {
    let time_nanos = |time: Time| {
        let n = (i128::from(nano_of_day(time)) + duration_nanos(d))
            .rem_euclid(i128::from(NANOS_PER_DAY));
        time_from_nanos(n as i64)
    };
    let local = |dt: DateTime| -> Option<DateTime> {
        let date = add_calendar(dt.date(), d.months, d.days)?;
        add_nanos(DateTime::from_parts(date, dt.time()), duration_nanos(d))
    };
    Some(match t {
        Temporal::Date(date) => {
            // Only whole days of the seconds part count for a date.
            let extra = duration_nanos(d) / i128::from(NANOS_PER_DAY);
            Temporal::Date(add_calendar(
                *date,
                d.months,
                d.days.checked_add(i64::try_from(extra).ok()?)?,
            )?)
        }
        Temporal::LocalTime(time) => Temporal::LocalTime(time_nanos(*time)),
        Temporal::Time(time, offset) => Temporal::Time(time_nanos(*time), *offset),
        Temporal::LocalDateTime(dt) => Temporal::LocalDateTime(local(*dt)?),
        Temporal::DateTime(z) => {
            let zone = Zone::of(z);
            if z.zone.is_none() {
                Temporal::DateTime(ZonedDateTime {
                    local: local(z.local)?,
                    ..z.clone()
                })
            } else {
                // Months and days move the wall clock; seconds move the instant.
                let date = add_calendar(z.local.date(), d.months, d.days)?;
                let moved = ZonedDateTime::new(DateTime::from_parts(date, z.local.time()), &zone)?;
                let ts = moved.timestamp()?;
                let nanos = ts.as_duration().as_nanos() + duration_nanos(d);
                let ts = jiff::Timestamp::from_nanosecond(nanos).ok()?;
                Temporal::DateTime(ZonedDateTime::from_timestamp(ts, &zone)?)
            }
        }
        Temporal::Duration(other) => Temporal::Duration(add_durations(other, d)?),
    })
}

/// The parts of a temporal that `duration.between` looks at.
struct Point {
    date: Option<Date>,
    time: Time,
    offset: Option<i32>,
    zone: Option<Zone>,
}

impl Point {
    fn of(t: &Temporal) -> Option<Point> {
        if matches!(t, Temporal::Duration(_)) {
            return None;
        }
        Some(Point {
            date: t.date(),
            time: t.time().unwrap_or(Time::midnight()),
            offset: t.offset(),
            zone: match t {
                Temporal::DateTime(z) => Some(Zone::of(z)),
                Temporal::Time(_, offset) => Some(Zone::Offset(*offset)),
                _ => None,
            },
        })
    }
}

/// Which part of the difference `duration.between` and friends keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BetweenUnit {
    /// `duration.between`: months, then days, then the rest.
    All,
    /// `duration.inMonths`
    Months,
    /// `duration.inDays`
    Days,
    /// `duration.inSeconds`
    Seconds,
}

/// The duration from `a` to `b`; `None` when either is a duration or on overflow.
pub fn between(a: &Temporal, b: &Temporal, unit: BetweenUnit) -> Option<Duration> {
    let (pa, pb) = (Point::of(a)?, Point::of(b)?);
    // A value without a date is taken on the other value's date (Neo4j: TCK Temporal10 [8]).
    let (da, db) = match (pa.date, pb.date) {
        (Some(da), Some(db)) => (da, db),
        (Some(d), None) | (None, Some(d)) => (d, d),
        (None, None) => return time_between(&pa, &pb, unit),
    };
    let start = DateTime::from_parts(da, pa.time);
    let mut end = DateTime::from_parts(db, pb.time);
    // Both zoned: compare in the first value's zone; one zoned: the other is local to it.
    let zoned = match (&pa.zone, &pb.zone, pb.offset) {
        (Some(za), Some(_), Some(ob)) => {
            let end_instant =
                local_epoch_nanos(end) - i128::from(ob) * i128::from(NANOS_PER_SECOND);
            let ts = jiff::Timestamp::from_nanosecond(end_instant).ok()?;
            end = ZonedDateTime::from_timestamp(ts, za)?.local;
            Some(za.clone())
        }
        (Some(zone), None, _) | (None, Some(zone), _) => Some(zone.clone()),
        _ => None,
    };
    let months = if unit == BetweenUnit::Days || unit == BetweenUnit::Seconds {
        0
    } else {
        months_until(start, end)
    };
    if unit == BetweenUnit::Months {
        return Duration::new(months, 0, 0, 0);
    }
    let after_months = DateTime::from_parts(add_calendar(start.date(), months, 0)?, start.time());
    let days = if unit == BetweenUnit::Seconds {
        0
    } else {
        days_until(after_months, end)
    };
    if unit == BetweenUnit::Days {
        return Duration::new(0, days, 0, 0);
    }
    let from = DateTime::from_parts(add_calendar(after_months.date(), 0, days)?, start.time());
    let instant = |dt: DateTime| -> Option<i128> {
        match &zoned {
            Some(zone) => Some(ZonedDateTime::new(dt, zone)?.epoch_nanos()),
            None => Some(local_epoch_nanos(dt)),
        }
    };
    nanos_duration(months, days, instant(end)? - instant(from)?)
}

/// The difference of two times of day; offsets count when both have one.
fn time_between(pa: &Point, pb: &Point, unit: BetweenUnit) -> Option<Duration> {
    if matches!(unit, BetweenUnit::Months | BetweenUnit::Days) {
        return Some(Duration::default());
    }
    let both_zoned = pa.offset.is_some() && pb.offset.is_some();
    let utc = |p: &Point| {
        let n = i128::from(nano_of_day(p.time));
        match p.offset {
            Some(offset) if both_zoned => n - i128::from(offset) * i128::from(NANOS_PER_SECOND),
            _ => n,
        }
    };
    nanos_duration(0, 0, utc(pb) - utc(pa))
}

fn nanos_duration(months: i64, days: i64, nanos: i128) -> Option<Duration> {
    let seconds = i64::try_from(nanos.div_euclid(i128::from(NANOS_PER_SECOND))).ok()?;
    Duration::new(
        months,
        days,
        seconds,
        nanos.rem_euclid(i128::from(NANOS_PER_SECOND)) as i64,
    )
}

/// The end date as java.time adjusts it: a partial last day does not count.
fn adjusted_end(start: DateTime, end: DateTime) -> Date {
    let end_date = end.date();
    if end_date > start.date() && end.time() < start.time() {
        end_date.yesterday().unwrap_or(end_date)
    } else if end_date < start.date() && end.time() > start.time() {
        end_date.tomorrow().unwrap_or(end_date)
    } else {
        end_date
    }
}

/// Whole months from `start` to `end` (java.time `until(MONTHS)`).
fn months_until(start: DateTime, end: DateTime) -> i64 {
    let end_date = adjusted_end(start, end);
    let start_date = start.date();
    let proleptic = |d: Date| i64::from(d.year()) * 12 + i64::from(d.month()) - 1;
    let mut months = proleptic(end_date) - proleptic(start_date);
    let day_diff = i64::from(end_date.day()) - i64::from(start_date.day());
    if months > 0 && day_diff < 0 {
        months -= 1;
    } else if months < 0 && day_diff > 0 {
        months += 1;
    }
    months
}

/// Whole days from `start` to `end` (java.time `until(DAYS)`).
fn days_until(start: DateTime, end: DateTime) -> i64 {
    epoch_day(adjusted_end(start, end)) - epoch_day(start.date())
}
