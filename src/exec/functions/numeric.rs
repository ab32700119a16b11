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

/// `round(x[, precision[, mode]])`: without a mode, halves round away from zero
/// (Neo4j's HALF_UP); modes are Java's RoundingMode names.
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
        None => "HALF_UP".to_string(),
        Some(Value::Null) => return Ok(Value::Null),
        Some(Value::String(m)) => m.to_uppercase(),
        Some(other) => return Err(wrong_type("round", "a rounding mode string", other)),
    };
    if !f.is_finite() {
        return Ok(Value::Float(f));
    }
    let scale = 10f64.powi(precision.clamp(-308, 308) as i32);
    let scaled = f * scale;
    let floor = scaled.floor();
    let diff = scaled - floor;
    let away = if scaled >= 0.0 { floor + 1.0 } else { floor };
    let toward = if scaled >= 0.0 { floor } else { floor + 1.0 };
    // For negative numbers "floor + 1" is toward zero, so the half tests mirror.
    let half_dist = if scaled >= 0.0 { diff } else { 1.0 - diff };
    let rounded = if diff == 0.0 {
        scaled
    } else {
        match mode.as_str() {
            "UP" => away,
            "DOWN" => toward,
            "CEILING" => scaled.ceil(),
            "FLOOR" => floor,
            "HALF_UP" => {
                if half_dist >= 0.5 {
                    away
                } else {
                    toward
                }
            }
            "HALF_DOWN" => {
                if half_dist > 0.5 {
                    away
                } else {
                    toward
                }
            }
            "HALF_EVEN" => {
                if half_dist > 0.5 || (half_dist == 0.5 && toward.rem_euclid(2.0) != 0.0) {
                    away
                } else {
                    toward
                }
            }
            other => {
                return Err(out_of_range(
                    "round",
                    &format!("unknown rounding mode '{other}'"),
                ));
            }
        }
    };
    Ok(Value::Float(rounded / scale))
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
