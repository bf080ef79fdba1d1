//! ISO 4217 currency codes in use, from the table the project ships (`data/iso4217.txt`, with its source).

const TABLE: &str = include_str!("../data/iso4217.txt");

/// The currency code in upper case when it is an ISO 4217 code in use (`eur` gives `EUR`; `EUX` gives `None`).
pub fn parse(code: &str) -> Option<String> {
    let upper = code.trim().to_ascii_uppercase();
    (upper.len() == 3 && codes().any(|c| c == upper)).then_some(upper)
}

/// The decimal places of the currency's minor unit (2 for EUR, 0 for JPY, 3 for BHD); `None` for a code with no
/// minor unit (gold, special drawing rights) or not in the table.
pub fn minor_units(code: &str) -> Option<u32> {
    rows().find(|(c, _)| *c == code).and_then(|(_, m)| m.parse().ok())
}

/// Checks that a value in `code` is written in whole minor units: `12.345` EUR is refused, `12.34` EUR accepted.
pub fn check_minor_units(value: crate::decimal::Decimal, code: &str) -> Result<(), String> {
    match minor_units(code) {
        Some(places) if value.decimal_places() > places => Err(match places {
            0 => format!("{value} {code}: {code} has no minor unit, so a value in it is a whole number"),
            p => format!("{value} {code}: {code} has {p} decimal places, so a value in it has at most {p}"),
        }),
        _ => Ok(()),
    }
}

fn rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| {
        let mut cols = l.split('\t');
        Some((cols.next()?, cols.next()?))
    })
}

/// Every code in the table, in order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    rows().map(|(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_in_use_are_known_and_withdrawn_or_invented_ones_are_not() {
        assert_eq!(parse(" eur "), Some("EUR".into()));
        assert_eq!(parse("USD"), Some("USD".into()));
        for unknown in ["HRK", "EUX", "XTS", "XXX", "EU", "EURO", ""] {
            assert_eq!(parse(unknown), None, "{unknown}");
        }
        let all: Vec<&str> = codes().collect();
        assert!(all.len() > 170 && all.windows(2).all(|w| w[0] < w[1]), "sorted, unique: {}", all.len());
    }

    #[test]
    fn values_are_held_to_the_currency_minor_unit() {
        let d = |s: &str| crate::decimal::Decimal::parse(s).expect(s);
        assert_eq!(
            (minor_units("EUR"), minor_units("JPY"), minor_units("BHD"), minor_units("XAU")),
            (Some(2), Some(0), Some(3), None)
        );
        assert!(check_minor_units(d("12.34"), "EUR").is_ok() && check_minor_units(d("12.340"), "EUR").is_ok());
        assert!(check_minor_units(d("12.345"), "EUR").expect_err("three places").contains("at most 2"));
        assert!(check_minor_units(d("1500.5"), "JPY").expect_err("yen").contains("whole number"));
        assert!(check_minor_units(d("1.234"), "BHD").is_ok() && check_minor_units(d("1.123456"), "XAU").is_ok());
    }
}
