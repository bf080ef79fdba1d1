//! ISO 4217 currency codes in use, from the table the project ships (`data/iso4217.txt`, with its source).

const TABLE: &str = include_str!("../data/iso4217.txt");

/// The currency code in upper case when it is an ISO 4217 code in use (`eur` gives `EUR`; `EUX` gives `None`).
pub fn parse(code: &str) -> Option<String> {
    let upper = code.trim().to_ascii_uppercase();
    (upper.len() == 3 && codes().any(|c| c == upper)).then_some(upper)
}

/// Every code in the table, in order.
pub fn codes() -> impl Iterator<Item = &'static str> {
    TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split('\t').next())
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
}
