//! Charts drawn on the server as SVG: no script runs in the browser to show them, and each carries its numbers in
//! words for those who cannot see it.

use maud::{Markup, html};

/// A horizontal bar chart: one bar per label, the value written beside it; `None` values are drawn as "—".
pub(crate) fn bars(label: &str, rows: &[(String, Option<f64>)], unit: &str) -> Markup {
    let (row_h, label_w, bar_w, value_w) = (22.0, 170.0, 260.0, 90.0);
    let width = label_w + bar_w + value_w;
    let height = row_h * rows.len().max(1) as f64 + 8.0;
    let top = rows.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    let words: Vec<String> =
        rows.iter().map(|(l, v)| format!("{l}: {}", v.map_or("—".to_owned(), |v| format!("{v:.1}{unit}")))).collect();
    let described = format!("{label}. {}", words.join("; "));
    html! {
        svg.chart viewBox=(format!("0 0 {width} {height}")) width=(width) height=(height) role="img" aria-label=(described) {
            title { (described) }
            @for (i, (l, v)) in rows.iter().enumerate() {
                @let y = 4.0 + row_h * i as f64;
                text x="0" y=(format!("{:.1}", y + 15.0)) font-size="12" { (l) }
                @if let Some(v) = v {
                    rect x=(label_w) y=(format!("{:.1}", y + 3.0)) width=(format!("{:.1}", bar_w * (v / top).clamp(0.0, 1.0))) height="14" fill="#1a4f8b" {}
                }
                text x=(label_w + bar_w + 6.0) y=(format!("{:.1}", y + 15.0)) font-size="12" {
                    (v.map_or("—".to_owned(), |v| format!("{v:.1}{unit}")))
                }
            }
        }
    }
}
