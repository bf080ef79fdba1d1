//! Exact decimal numbers for quantities and money.
//!
//! A quantity or a value is kept as a whole number of millionths, so sums and differences are exact: ten shipments of
//! 0.1 draw exactly 1 from a licence. On the wire it stays a JSON number (or a string such as `"12.50"`); a number with
//! more than six decimal places or fifteen significant digits is refused rather than rounded, because fifteen digits is
//! what a JSON number read as a binary float keeps exactly.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Decimal places kept.
pub const SCALE: u32 = 6;
/// Significant digits kept.
pub const MAX_DIGITS: usize = 15;
const UNIT: i128 = 10i128.pow(SCALE);

/// An exact decimal with at most six decimal places, kept as a count of millionths.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal(i128);

/// Why a text or number is not a decimal Accord keeps exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Not a plain decimal number (no exponent, no infinity, no NaN).
    #[error("'{0}' is not a decimal number like 12.5")]
    Syntax(String),
    /// More decimal places than kept.
    #[error("{0} has more than {SCALE} decimal places")]
    TooPrecise(String),
    /// More significant digits than kept.
    #[error("{0} has more than {MAX_DIGITS} significant digits")]
    TooLong(String),
}

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);

    /// Reads a plain decimal (`12`, `-0.5`, `1250.00`), exactly.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        let s = text.trim();
        let syntax = || DecimalError::Syntax(crate::ids::truncate(text));
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(syntax());
        }
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > SCALE as usize {
            return Err(DecimalError::TooPrecise(s.to_owned()));
        }
        let significant = format!("{whole}{fraction}");
        if significant.trim_start_matches('0').len() > MAX_DIGITS {
            return Err(DecimalError::TooLong(s.to_owned()));
        }
        let whole: i128 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| syntax())? };
        let mut part: i128 = if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| syntax())? };
        part *= 10i128.pow(SCALE - fraction.len() as u32);
        let magnitude = whole * UNIT + part;
        Ok(Decimal(if negative { -magnitude } else { magnitude }))
    }

    /// The decimal a binary float stands for: its shortest exact rendering, as a JSON number is written.
    pub fn from_f64(x: f64) -> Result<Self, DecimalError> {
        if !x.is_finite() {
            return Err(DecimalError::Syntax(x.to_string()));
        }
        Decimal::parse(&x.to_string())
    }

    /// A whole number.
    pub fn from_int(n: i64) -> Self {
        Decimal(i128::from(n) * UNIT)
    }

    /// The nearest binary float (exact in its rendering for fifteen significant digits or fewer).
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Decimal places after trailing zeros are dropped (`12.50` has one).
    pub fn decimal_places(self) -> u32 {
        let mut frac = (self.0 % UNIT).abs();
        if frac == 0 {
            return 0;
        }
        let mut places = SCALE;
        while frac % 10 == 0 {
            frac /= 10;
            places -= 1;
        }
        places
    }

    /// Whether it is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether it is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The difference, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Decimal) -> Decimal {
        Decimal((self.0 - other.0).max(0))
    }
}

impl Add for Decimal {
    type Output = Decimal;
    fn add(self, other: Decimal) -> Decimal {
        Decimal(self.0 + other.0)
    }
}

impl AddAssign for Decimal {
    fn add_assign(&mut self, other: Decimal) {
        self.0 += other.0;
    }
}

impl Sub for Decimal {
    type Output = Decimal;
    fn sub(self, other: Decimal) -> Decimal {
        Decimal(self.0 - other.0)
    }
}

impl Sum for Decimal {
    fn sum<I: Iterator<Item = Decimal>>(iter: I) -> Decimal {
        iter.fold(Decimal::ZERO, Add::add)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, frac) = (self.0.abs() / UNIT, self.0.abs() % UNIT);
        if frac == 0 {
            return write!(f, "{sign}{whole}");
        }
        let frac = format!("{frac:06}");
        write!(f, "{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Decimal {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Self, DecimalError> {
        Decimal::parse(s)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.to_f64())
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "a decimal number with at most {SCALE} decimal places and {MAX_DIGITS} significant digits")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Decimal, E> {
                Decimal::parse(&n.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Decimal, E> {
                Decimal::parse(&n.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, x: f64) -> Result<Decimal, E> {
                Decimal::from_f64(x).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Decimal, E> {
                Decimal::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl utoipa::PartialSchema for Decimal {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Number)
            .description(Some(format!(
                "A decimal number with at most {SCALE} decimal places and {MAX_DIGITS} significant digits, kept exactly"
            )))
            .into()
    }
}

impl utoipa::ToSchema for Decimal {}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).expect(s)
    }

    #[test]
    fn sums_of_tenths_are_exact_where_floats_drift() {
        let tenths: Decimal = std::iter::repeat_n(d("0.1"), 10).sum();
        assert_eq!(tenths, d("1"));
        assert_ne!(std::iter::repeat_n(0.1f64, 10).sum::<f64>(), 1.0, "the float sum drifts");
        assert_eq!(d("0.3") - d("0.1") - d("0.2"), Decimal::ZERO);
    }

    #[test]
    fn parsing_keeps_every_written_digit_and_refuses_what_it_cannot_keep() {
        assert_eq!(d("12.50").to_string(), "12.5");
        assert_eq!(d("-0.000001").to_string(), "-0.000001");
        assert_eq!(d(".5"), d("0.5"));
        assert_eq!(d("999999999999999").to_string(), "999999999999999");
        assert_eq!(d("0.1").decimal_places(), 1);
        assert_eq!(d("100").decimal_places(), 0);
        assert_eq!(d("1.000250").decimal_places(), 5);
        assert!(matches!(Decimal::parse("0.0000001"), Err(DecimalError::TooPrecise(_))));
        assert!(matches!(Decimal::parse("1000000000000000"), Err(DecimalError::TooLong(_))));
        assert!(matches!(Decimal::parse("123456789.1234567"), Err(DecimalError::TooPrecise(_))));
        assert!(matches!(Decimal::parse("1234567890.123456"), Err(DecimalError::TooLong(_))));
        for bad in ["", "-", ".", "1e3", "1.2.3", "NaN", "inf", "1,5", "0x10", "1 0"] {
            assert!(matches!(Decimal::parse(bad), Err(DecimalError::Syntax(_))), "{bad}");
        }
    }

    #[test]
    fn json_numbers_and_strings_read_exactly_and_write_back_as_numbers() {
        let read = |j: &str| serde_json::from_str::<Decimal>(j);
        assert_eq!(read("0.1").expect("number"), d("0.1"));
        assert_eq!(read("\"19.99\"").expect("string"), d("19.99"));
        assert_eq!(read("42").expect("integer"), d("42"));
        assert_eq!(read("1e2").expect("exponent written by a client"), d("100"));
        assert!(read("1e300").is_err());
        assert!(read("0.12345678901234567").is_err());
        assert!(read("18446744073709551615").is_err());
        assert!(read("true").is_err());
        assert_eq!(serde_json::to_string(&d("0.3")).expect("write"), "0.3");
        assert_eq!(serde_json::to_string(&d("123456789012.345")).expect("write"), "123456789012.345");
        let back: Decimal =
            serde_json::from_str(&serde_json::to_string(&d("98765.4321")).expect("write")).expect("read");
        assert_eq!(back, d("98765.4321"));
    }

    #[test]
    fn order_follows_value() {
        assert!(d("0.5") < d("1") && d("-1") < d("0") && d("10") > d("9.999999"));
        assert_eq!(d("2").saturating_sub(d("3")), Decimal::ZERO);
        assert!(Decimal::from_f64(f64::NAN).is_err() && Decimal::from_f64(f64::INFINITY).is_err());
    }
}
