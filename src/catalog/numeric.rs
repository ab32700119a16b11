//! Numeric functions: abs, ceil, floor, round, sign, sqrt, exp, logarithms, trigonometry,
//! degrees, radians, pi, e, rand. Out-of-domain inputs give NaN as in Java, not errors.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use super::{int_arg, out_of_range, wrong_type};
use crate::error::{ErrorCode, ErrorKind, QueryError, Result};
use crate::value::Value;

pub(super) fn call(name: &str, args: &[Value]) -> Result<Value> {
    match name {
        "pi" => return Ok(Value::Float(std::f64::consts::PI)),
        "e" => return Ok(Value::Float(std::f64::consts::E)),
        "rand" => return Ok(Value::Float(rand())),
        _ => {}
    }
    let x = &args[0];
    match (name, x) {
        (_, Value::Null) => Ok(Value::Null),
        ("abs", Value::Int(i)) => i.checked_abs().map(Value::Int).ok_or_else(|| {
            QueryError::runtime(
                ErrorKind::ArithmeticError,
                ErrorCode::IntegerOverflow,
                "abs() of the smallest integer overflows",
            )
        }),
        ("abs", Value::Float(f)) => Ok(Value::Float(f.abs())),
        ("sign", Value::Int(i)) => Ok(Value::Int(i.signum())),
        ("sign", Value::Float(f)) => Ok(Value::Int(if *f > 0.0 {
            1
        } else if *f < 0.0 {
            -1
        } else {
            0
        })),
        ("round", _) => round(x, args.get(1), args.get(2)),
        ("atan2", _) => {
            let y = number("atan2", x)?;
            match &args[1] {
                Value::Null => Ok(Value::Null),
                other => Ok(Value::Float(y.atan2(number("atan2", other)?))),
            }
        }
        _ => {
            let f = number(name, x)?;
            let out = match name {
                "ceil" => f.ceil(),
                "floor" => f.floor(),
                "sqrt" => f.sqrt(),
                "exp" => f.exp(),
                "log" => f.ln(),
                "log10" => f.log10(),
                "sin" => f.sin(),
                "cos" => f.cos(),
                "tan" => f.tan(),
                "cot" => 1.0 / f.tan(),
                "asin" => f.asin(),
                "acos" => f.acos(),
                "atan" => f.atan(),
                "haversin" => (1.0 - f.cos()) / 2.0,
                "degrees" => f.to_degrees(),
                "radians" => f.to_radians(),
                _ => unreachable!("numeric::call dispatched with {name}"),
            };
            Ok(Value::Float(out))
        }
    }
}

fn number(fun: &str, v: &Value) -> Result<f64> {
    match v {
        Value::Int(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        other => Err(wrong_type(fun, "a number", other)),
    }
}

/// Java's rounding modes, as `round(x, precision, mode)` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoundingMode {
    Up,
    Down,
    Ceiling,
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
}

impl RoundingMode {
    fn parse(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "UP" => RoundingMode::Up,
            "DOWN" => RoundingMode::Down,
            "CEILING" => RoundingMode::Ceiling,
            "FLOOR" => RoundingMode::Floor,
            "HALF_UP" => RoundingMode::HalfUp,
            "HALF_DOWN" => RoundingMode::HalfDown,
            "HALF_EVEN" => RoundingMode::HalfEven,
            _ => return None,
        })
    }
}

/// `round(x[, precision[, mode]])`: without a mode, halves round away from zero
/// (Neo4j's HALF_UP). Rounding works on the shortest decimal form of `x`, as Java's
/// `BigDecimal.valueOf(x).setScale(precision, mode)` does, so `round(1.005, 2)` is 1.01.
fn round(x: &Value, precision: Option<&Value>, mode: Option<&Value>) -> Result<Value> {
    let f = number("round", x)?;
    let precision = match precision {
        None => 0,
        Some(p) => match int_arg("round", p)? {
            Some(p) => p,
            None => return Ok(Value::Null),
        },
    };
    let mode = match mode {
        None => RoundingMode::HalfUp,
        Some(Value::Null) => return Ok(Value::Null),
        Some(Value::String(m)) => RoundingMode::parse(m)
            .ok_or_else(|| out_of_range("round", &format!("unknown rounding mode '{m}'")))?,
        Some(other) => return Err(wrong_type("round", "a rounding mode string", other)),
    };
    // Beyond ±400 places every f64 rounds the same way, and the bound keeps the
    // arithmetic below far from overflow.
    let precision = precision.clamp(-400, 400);
    Ok(Value::Float(round_decimal(f, precision, mode)))
}

fn round_decimal(f: f64, precision: i64, mode: RoundingMode) -> f64 {
    if !f.is_finite() || f == 0.0 {
        return f;
    }
    // Shortest round-trip digits: f = 0.D × 10^(exponent + 1), e.g. 1.005 → "1005", 0.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let exponent: i64 = exponent.parse().unwrap_or(0);
    // How many leading digits survive: those at or above 10^-precision.
    let keep = (exponent + 1).saturating_add(precision);
    let Ok(keep) = usize::try_from(keep) else {
        // Everything is below the last kept place: less than half of it, but not zero.
        let dropped = Dropped {
            above_half: false,
            exactly_half: false,
            nonzero: true,
        };
        return finish(0, dropped, f < 0.0, precision, mode);
    };
    if keep >= digits.len() {
        return f;
    }
    let kept = digits[..keep]
        .iter()
        .fold(0u64, |acc, d| acc * 10 + u64::from(d - b'0'));
    let rest = &digits[keep..];
    let above_half = rest[0] > b'5' || (rest[0] == b'5' && rest[1..].iter().any(|&d| d != b'0'));
    let dropped = Dropped {
        above_half,
        exactly_half: rest[0] == b'5' && !above_half,
        nonzero: rest.iter().any(|&d| d != b'0'),
    };
    finish(kept, dropped, f < 0.0, precision, mode)
}

/// What rounding cuts off, relative to one unit of the last kept place.
#[derive(Debug, Clone, Copy)]
struct Dropped {
    above_half: bool,
    exactly_half: bool,
    nonzero: bool,
}

/// Applies `mode` to the kept digits `kept` (a magnitude) and rebuilds the float.
fn finish(kept: u64, dropped: Dropped, negative: bool, precision: i64, mode: RoundingMode) -> f64 {
    let Dropped {
        above_half,
        exactly_half,
        nonzero,
    } = dropped;
    let away = match mode {
        RoundingMode::Up => nonzero,
        RoundingMode::Down => false,
        RoundingMode::Ceiling => nonzero && !negative,
        RoundingMode::Floor => nonzero && negative,
        RoundingMode::HalfUp => above_half || exactly_half,
        RoundingMode::HalfDown => above_half,
        RoundingMode::HalfEven => above_half || (exactly_half && kept % 2 == 1),
    };
    let magnitude = kept + u64::from(away);
    // Parsing the decimal text gives the float nearest to magnitude × 10^-precision.
    let value: f64 = format!("{magnitude}e{}", -precision)
        .parse()
        .unwrap_or(f64::NAN);
    if negative { -value } else { value }
}

static RAND_STATE: AtomicU64 = AtomicU64::new(0);

/// A uniform float in [0, 1) from a xorshift64* generator seeded from the clock;
/// good enough for `rand()`, not for cryptography.
fn rand() -> f64 {
    let mut state = RAND_STATE.load(Ordering::Relaxed);
    if state == 0 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64);
        state = nanos | 1;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    RAND_STATE.store(state, Ordering::Relaxed);
    let bits = state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
    bits as f64 / (1u64 << 53) as f64
}
