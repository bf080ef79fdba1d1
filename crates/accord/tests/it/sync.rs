//! `accord lists sync` against a local publisher that serves the real files from ../shared/data:
//! conditional requests, new versions with their diff, and failed or malformed downloads that keep
//! the version in force.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

fn data() -> PathBuf {
    accord_testing::data::shared("")
}

/// What the publisher answers for a path: status, body and ETag.
#[derive(Clone)]
struct Answer {
    status: u16,
    body: Vec<u8>,
    etag: String,
}

/// Each request's path and If-None-Match header, in arrival order.
type Requests = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A minimal HTTP/1.1 publisher on loopback; it records the If-None-Match header of every request.
struct Publisher {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Answer>>>,
    seen: Requests,
}

impl Publisher {
    fn start() -> Publisher {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let routes: Arc<Mutex<HashMap<String, Answer>>> = Arc::default();
        let seen: Requests = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut if_none_match = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("if-none-match")
                    {
                        if_none_match = Some(value.trim().to_owned());
                    }
                }
                s.lock().unwrap().push((path.clone(), if_none_match.clone()));
                let answer = r.lock().unwrap().get(&path).cloned();
                let (status, body, etag) = match answer {
                    None => (404, b"not found".to_vec(), String::new()),
                    Some(a) if a.status == 200 && if_none_match.as_deref() == Some(a.etag.as_str()) => {
                        (304, Vec::new(), a.etag)
                    }
                    Some(a) => (a.status, a.body, a.etag),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        Publisher { port, routes, seen }
    }

    fn serve(&self, path: &str, file: &Path, etag: &str) {
        let body = std::fs::read(file).unwrap();
        self.routes.lock().unwrap().insert(path.to_owned(), Answer { status: 200, body, etag: format!("\"{etag}\"") });
    }

    fn answer(&self, path: &str, status: u16, body: &[u8]) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), Answer { status, body: body.to_vec(), etag: "\"x\"".into() });
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

struct Node {
    dir: PathBuf,
}

impl Node {
    fn new(config: &str) -> Node {
        let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-sync-test"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("accord.toml"), config).unwrap();
        Node { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        crate::accord().args(args).current_dir(&self.dir).output().unwrap()
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every built-in publisher is switched off, so nothing here leaves this machine.
fn config(publisher: &Publisher, extra: &str) -> String {
    format!(
        r#"[sync]
max_bytes = 20000000

[sync.sources.us_ofac_cons]
format = "ofac_cons"
urls = []

[sync.sources.us_bis_dpl]
format = "bis_dpl"
urls = []

[sync.sources.us_csl]
format = "csl"
urls = []

[sync.sources.un_sc]
format = "un_xml"
urls = ["{un}"]

[sync.sources.us_ofac_sdn]
format = "ofac_sdn"
urls = ["{sdn}", "{alt}", "{add}"]
{extra}"#,
        un = publisher.url("/un/consolidated.xml"),
        sdn = publisher.url("/ofac/sdn.csv"),
        alt = publisher.url("/ofac/alt.csv"),
        add = publisher.url("/ofac/add.csv"),
    )
}

#[test]
fn sync_imports_new_versions_and_asks_conditionally() {
    let publisher = Publisher::start();
    let d = data();
    publisher.serve("/un/consolidated.xml", &d.join("un/UN_consolidated.xml"), "un-1");
    publisher.serve("/ofac/sdn.csv", &d.join("ofac/sdn-2024-04-26.csv"), "sdn-0426");
    publisher.serve("/ofac/alt.csv", &d.join("ofac/alt.csv"), "alt");
    publisher.serve("/ofac/add.csv", &d.join("ofac/add.csv"), "add");
    let node = Node::new(&config(&publisher, ""));

    let first = node.run(&["lists", "sync"]);
    assert!(first.status.success(), "{}{}", stdout(&first), String::from_utf8_lossy(&first.stderr));
    let text = stdout(&first);
    assert!(text.contains("un_sc: updated: version 1 in force"), "{text}");
    assert!(text.contains("us_ofac_sdn: updated: version 1 in force"), "{text}");
    assert!(!text.contains("us_ofac_cons"), "disabled lists are not synced");

    let again = stdout(&node.run(&["lists", "sync", "un_sc"]));
    assert!(again.contains("un_sc: unchanged"), "{again}");
    let asked = publisher.seen.lock().unwrap().clone();
    let un_requests: Vec<_> = asked.iter().filter(|(p, _)| p == "/un/consolidated.xml").collect();
    assert_eq!(un_requests.len(), 2);
    assert_eq!(un_requests[1].1.as_deref(), Some("\"un-1\""), "the second request is conditional");

    // The publisher moves on a week: a new version with its diff.
    publisher.serve("/ofac/sdn.csv", &d.join("ofac/sdn.csv"), "sdn-0503");
    let newer = stdout(&node.run(&["lists", "sync", "us_ofac_sdn"]));
    assert!(newer.contains("us_ofac_sdn: updated: version 2 in force"), "{newer}");
    let diff = stdout(&node.run(&["lists", "diff", "us_ofac_sdn"]));
    assert!(diff.starts_with("us_ofac_sdn version 2"), "{diff}");
    assert!(diff.lines().any(|l| l.starts_with("+ ")), "entities were added between the snapshots");

    let status = stdout(&node.run(&["lists", "status"]));
    assert!(status.contains("last sync of us_ofac_sdn: updated"), "{status}");
}

#[test]
fn failed_or_malformed_downloads_keep_the_version_in_force() {
    let publisher = Publisher::start();
    let d = data();
    publisher.serve("/un/consolidated.xml", &d.join("un/UN_consolidated.xml"), "un-1");
    let node = Node::new(&config(&publisher, ""));
    assert!(node.run(&["lists", "sync", "un_sc"]).status.success());

    publisher.answer("/un/consolidated.xml", 503, b"maintenance");
    let down = node.run(&["lists", "sync", "un_sc"]);
    assert_eq!(down.status.code(), Some(1));
    assert!(stdout(&down).contains("un_sc: failed") && stdout(&down).contains("HTTP 503"), "{}", stdout(&down));

    let xml = std::fs::read_to_string(d.join("un/UN_consolidated.xml")).unwrap();
    publisher.answer("/un/consolidated.xml", 200, &xml.as_bytes()[..xml.len() / 2]);
    let truncated = node.run(&["lists", "sync", "un_sc"]);
    assert_eq!(truncated.status.code(), Some(1));
    assert!(stdout(&truncated).contains("not a valid un_xml file"), "{}", stdout(&truncated));

    let status = stdout(&node.run(&["lists", "status"]));
    assert!(status.lines().any(|l| l.starts_with("un_sc") && l.split_whitespace().nth(1) == Some("1")), "{status}");
    assert!(status.contains("last sync of un_sc: failed"), "{status}");
}

#[test]
fn oversize_downloads_are_refused() {
    let publisher = Publisher::start();
    publisher.serve("/un/consolidated.xml", &data().join("un/UN_consolidated.xml"), "un-1");
    let node = Node::new(&config(&publisher, "").replace("max_bytes = 20000000", "max_bytes = 1000"));
    let out = node.run(&["lists", "sync", "un_sc"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("larger than 1000 bytes"), "{}", stdout(&out));
    let unknown = node.run(&["lists", "sync", "no_such_list"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no source is configured for list 'no_such_list'"));
}
