//! A seeded generator of export declarations with known diversion patterns injected (structuring under a value
//! cap, new consignees of sensitive goods, a general authorisation moving to transit destinations), so that each
//! indicator's precision and recall can be measured. Not real data: ordinary traffic is drawn at random.

use crate::declarations::{ADDRESS_COLUMNS, Declaration, HEADER};
use jiff::civil::Date;
use std::collections::BTreeSet;

/// What was injected: the subjects each indicator should find.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    /// `exporter → consignee` pairs that split shipments under the cap.
    pub structuring: BTreeSet<String>,
    /// Consignees first seen lately, receiving sensitive goods.
    pub new_consignees: BTreeSet<String>,
    /// `authorisation → destination` pairs used lately and never before.
    pub ga_new_destinations: BTreeSet<String>,
}

/// A small, fast, deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, from: &'a [&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const HS: [&str; 12] = [
    "84713000", "85171300", "85423190", "90148000", "39269097", "73181590", "84818085", "94032080", "61091000",
    "85444290", "30049000", "87089997",
];
const CONTROLLED: [(&str, &str); 4] =
    [("85423190", "3A001"), ("85171300", "5A002"), ("90148000", "7A003"), ("84713000", "4A003")];
const DESTINATIONS: [&str; 10] = ["US", "JP", "CH", "NO", "GB", "CA", "AU", "KR", "TR", "IN"];
const TRANSIT: [&str; 4] = ["KG", "AM", "KZ", "GE"];
const GAS: [&str; 3] = ["EU001", "EU003", "EU004"];

fn day_of_year(year: i16, n: i64) -> Date {
    jiff::civil::date(year, 1, 1).checked_add(jiff::Span::new().days(n)).unwrap_or(jiff::civil::date(year, 12, 31))
}

/// `rows` declarations (at least about 1,000) over one year, with `patterns` of each kind injected, from `seed`.
pub fn generate(seed: u64, rows: usize, patterns: usize) -> (Vec<Declaration>, Truth) {
    let mut rng = Rng(seed.max(1));
    let year = 2025;
    let exporters = (rows / 400).max(10);
    let consignees = (rows / 40).max(50);
    let mut out = Vec::with_capacity(rows + patterns * 16);
    let mut truth = Truth::default();
    let mut n = 0usize;
    let push = |out: &mut Vec<Declaration>, d: Declaration| out.push(d);
    let mut reference = || {
        n += 1;
        format!("DCL-{n:09}")
    };
    // Every ordinary consignee appears in the first weeks, so none is new later on.
    for c in 0..consignees {
        let dest = DESTINATIONS[c % DESTINATIONS.len()];
        let d = ordinary(&mut rng, &mut reference, year, (c % 20) as i64, c % exporters, c, dest);
        push(&mut out, d);
    }
    while out.len() < rows {
        let c = rng.below(consignees as u64) as usize;
        let dest = DESTINATIONS[c % DESTINATIONS.len()];
        let day = 20 + rng.below(345) as i64;
        let e = rng.below(exporters as u64) as usize;
        let d = ordinary(&mut rng, &mut reference, year, day, e, c, dest);
        push(&mut out, d);
    }
    for p in 0..patterns {
        // Structuring: four shipments within three weeks, each just under the 5,000 EUR cap.
        let (exporter, consignee) = (format!("Exporter S{p}"), format!("Consignee S{p} Trading"));
        // An established consignee: a first, ordinary shipment in January.
        let mut first = ordinary(&mut rng, &mut reference, year, 5, 0, 0, "AE");
        (first.exporter, first.consignee, first.hs_code, first.control_code) =
            (exporter.clone(), consignee.clone(), "39269097".into(), None);
        push(&mut out, first);
        let start = 30 + rng.below(300) as i64;
        for k in 0..4 {
            push(
                &mut out,
                Declaration {
                    reference: reference(),
                    date: day_of_year(year, start + k * 6),
                    exporter: exporter.clone(),
                    consignee: consignee.clone(),
                    end_user: String::new(),
                    destination: "AE".into(),
                    hs_code: "85423190".into(),
                    control_code: Some("3A001".into()),
                    quantity: 10.0,
                    value_eur: 4550.0 + rng.below(440) as f64,
                    authorisation: None,
                    consignee_address: String::new(),
                    end_user_address: String::new(),
                },
            );
        }
        truth.structuring.insert(format!("{exporter} → {consignee}"));
        // A new consignee, first seen in the last two months, receiving listed goods.
        let newcomer = format!("Newco N{p} LLC");
        for k in 0..2 {
            push(
                &mut out,
                Declaration {
                    reference: reference(),
                    date: day_of_year(year, 310 + rng.below(50) as i64 + k),
                    exporter: format!("Exporter {}", rng.below(exporters as u64)),
                    consignee: newcomer.clone(),
                    end_user: String::new(),
                    destination: rng.pick(&TRANSIT).to_owned(),
                    hs_code: "90148000".into(),
                    control_code: Some("7A003".into()),
                    quantity: 2.0,
                    value_eur: 20_000.0 + rng.below(50_000) as f64,
                    authorisation: None,
                    consignee_address: String::new(),
                    end_user_address: String::new(),
                },
            );
        }
        truth.new_consignees.insert(newcomer);
        // A general authorisation of its own, used all year for ordinary destinations, then lately for a transit one.
        let ga = format!("EU9{p:02}");
        for k in 0..6 {
            let (day, dest) =
                if k < 5 { (20 + k * 50, DESTINATIONS[k as usize]) } else { (330, TRANSIT[p % TRANSIT.len()]) };
            push(
                &mut out,
                Declaration {
                    reference: reference(),
                    date: day_of_year(year, day),
                    exporter: format!("Exporter G{p}"),
                    consignee: format!("Consignee {}", rng.below(consignees as u64)),
                    end_user: String::new(),
                    destination: dest.to_owned(),
                    hs_code: "85171300".into(),
                    control_code: Some("5A002".into()),
                    quantity: 5.0,
                    value_eur: 12_000.0,
                    authorisation: Some(ga.clone()),
                    consignee_address: String::new(),
                    end_user_address: String::new(),
                },
            );
        }
        truth.ga_new_destinations.insert(format!("{ga} → {}", TRANSIT[p % TRANSIT.len()]));
    }
    out.sort_by(|a, b| (a.date, &a.reference).cmp(&(b.date, &b.reference)));
    (out, truth)
}

fn ordinary(
    rng: &mut Rng,
    reference: &mut impl FnMut() -> String,
    year: i16,
    day: i64,
    exporter: usize,
    consignee: usize,
    dest: &str,
) -> Declaration {
    let hs = HS[rng.below(HS.len() as u64) as usize];
    let control = CONTROLLED.iter().find(|(h, _)| *h == hs).filter(|_| rng.below(3) == 0).map(|(_, c)| (*c).to_owned());
    // Ordinary values from 100 to 200,000 EUR, most of them small.
    let value = (100 + rng.below(2_000) * rng.below(100)) as f64;
    let authorisation = match rng.below(10) {
        0..=2 => Some(GAS[consignee % GAS.len()].to_owned()),
        3 => Some(format!("lic_{:05}", consignee)),
        _ => None,
    };
    Declaration {
        reference: reference(),
        date: day_of_year(year, day),
        exporter: format!("Exporter {exporter}"),
        consignee: format!("Consignee {consignee}"),
        end_user: String::new(),
        destination: dest.to_owned(),
        hs_code: hs.to_owned(),
        control_code: control,
        quantity: (1 + rng.below(100)) as f64,
        value_eur: value,
        authorisation,
        consignee_address: String::new(),
        end_user_address: String::new(),
    }
}

/// Declarations as a file in Accord's format.
pub fn to_csv(ds: &[Declaration]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    // The address columns only when a declaration has an address.
    let addresses = ds.iter().any(|d| !d.consignee_address.is_empty() || !d.end_user_address.is_empty());
    let mut header: Vec<&str> = HEADER.to_vec();
    if addresses {
        header.extend(ADDRESS_COLUMNS);
    }
    let _ = w.write_record(&header);
    for d in ds {
        let (date, quantity, value) = (d.date.to_string(), d.quantity.to_string(), d.value_eur.to_string());
        let mut row = vec![
            date.as_str(),
            &d.exporter,
            &d.consignee,
            &d.end_user,
            &d.destination,
            &d.hs_code,
            d.control_code.as_deref().unwrap_or_default(),
            &quantity,
            &value,
            d.authorisation.as_deref().unwrap_or_default(),
            &d.reference,
        ];
        if addresses {
            row.extend([d.consignee_address.as_str(), d.end_user_address.as_str()]);
        }
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
