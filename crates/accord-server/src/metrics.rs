//! Request counters and latency histograms per route, rendered in the Prometheus text format.

use accord_store::PoolStats;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<(String, String), Histogram>,
}

/// The node's HTTP metrics.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

impl Metrics {
    /// Records one finished request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *inner.requests.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        let h = inner.latency.entry((method.to_owned(), route.to_owned())).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Renders every metric, with the database pool figures.
    pub fn render(&self, pool: PoolStats, backend: &str) -> String {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP accord_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE accord_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "accord_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        out.push_str(
            "# HELP accord_http_request_duration_seconds Time to answer HTTP requests, by method and route.\n",
        );
        out.push_str("# TYPE accord_http_request_duration_seconds histogram\n");
        for ((method, route), h) in &inner.latency {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(out, "accord_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "accord_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(out, "accord_http_request_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "accord_http_request_duration_seconds_count{{{labels}}} {}", h.count);
        }
        let _ = write!(
            out,
            "# HELP accord_db_pool_connections Database connections, by state.\n\
             # TYPE accord_db_pool_connections gauge\n\
             accord_db_pool_connections{{backend=\"{backend}\",state=\"idle\"}} {}\n\
             accord_db_pool_connections{{backend=\"{backend}\",state=\"in_use\"}} {}\n\
             # HELP accord_db_pool_max_connections Configured maximum of database connections.\n\
             # TYPE accord_db_pool_max_connections gauge\n\
             accord_db_pool_max_connections{{backend=\"{backend}\"}} {}\n",
            pool.idle,
            pool.size.saturating_sub(pool.idle),
            pool.max
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.observe("GET", "/health", 200, Duration::from_micros(300));
        m.observe("GET", "/health", 200, Duration::from_millis(30));
        let text = m.render(PoolStats { size: 3, idle: 1, max: 8 }, "sqlite");
        assert!(text.contains("accord_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 2"));
        assert!(text.contains("le=\"0.0005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("accord_db_pool_connections{backend=\"sqlite\",state=\"in_use\"} 2"));
    }
}
