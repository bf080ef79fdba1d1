//! A real headless Chromium driven over the W3C WebDriver protocol (Debian's `chromium` and `chromium-driver`): the
//! few commands the browser tests need, each a JSON request to ChromeDriver. Screenshots go to `target/screenshots/`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The WebDriver id of an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A browser session; the driver process ends with it.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

/// One element of the page.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium; fails with what to install when either is missing.
    pub fn start() -> Browser {
        let driver_path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(
            std::path::Path::new(&driver_path).exists() && std::path::Path::new(&chromium).exists(),
            "browser tests need Debian's chromium and chromium-driver ({chromium}, {driver_path}); scripts/test.sh \
             installs them"
        );
        let port = crate::cli::free_bind().rsplit(':').next().unwrap().to_owned();
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent.get(&format!("{base}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut b = Browser { driver, base, session: String::new(), agent };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,1024", "--lang=en"]
            }
        }}});
        let created = b.call("POST", "/session", Some(capabilities));
        b.session = created["sessionId"].as_str().expect("a session id").to_owned();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let response = match body {
            Some(b) => self.agent.post(&url).header("content-type", "application/json").send(b.to_string()),
            None if method == "DELETE" => self.agent.delete(&url).call(),
            None => self.agent.get(&url).call(),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let v = json_of(response.body_mut());
        assert!(status < 400, "{method} {path}: {status} {v}");
        v["value"].clone()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Opens a URL.
    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// The page's title.
    pub fn title(&self) -> String {
        self.session_call("GET", "/title", None).as_str().unwrap_or_default().to_owned()
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.session_call("GET", "/url", None).as_str().unwrap_or_default().to_owned()
    }

    /// Waits up to 5 s for the URL to contain `part` (a click's navigation may still be under way); the URL.
    pub fn wait_url(&self, part: &str) -> String {
        let started = Instant::now();
        loop {
            let url = self.url();
            if url.contains(part) {
                return url;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "the page did not reach '{part}': {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits up to 5 s for the first element `css` finds to contain `part` (the page a form leads to may still be
    /// loading); its text.
    pub fn wait_text(&self, css: &str, part: &str) -> String {
        let started = Instant::now();
        // Read through a script, not an element reference, which the next page would leave stale.
        let script = format!("const e = document.querySelector({}); return e ? e.innerText : ''", json!(css));
        loop {
            let found = self.try_script(&script).and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            if found.contains(part) {
                return found;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "'{css}' did not come to say '{part}': '{found}'");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits up to 5 s until no element matches a CSS selector (the page that had one was replaced).
    pub fn wait_gone(&self, css: &str) {
        let started = Instant::now();
        let script = format!("return document.querySelector({}) === null", json!(css));
        while self.try_script(&script).and_then(|v| v.as_bool()) != Some(true) {
            assert!(started.elapsed() < Duration::from_secs(5), "'{css}' is still on the page");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The first element a CSS selector finds, waiting up to 5 s for it.
    pub fn find(&self, css: &str) -> Element<'_> {
        let started = Instant::now();
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let query = json!({"using": "css selector", "value": css}).to_string();
            let mut r = self.agent.post(&url).header("content-type", "application/json").send(query).unwrap();
            let ok = r.status().as_u16() < 400;
            let v = json_of(r.body_mut());
            if ok {
                let id = v["value"][ELEMENT].as_str().unwrap_or_else(|| panic!("{css}: {v}"));
                return Element { browser: self, id: id.to_owned() };
            }
            assert!(started.elapsed() < Duration::from_secs(5), "no element '{css}' on {}", self.url());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every element a CSS selector finds now.
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self.session_call("POST", "/elements", Some(json!({"using": "css selector", "value": css})));
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Element { browser: self, id: e[ELEMENT].as_str().unwrap().to_owned() })
            .collect()
    }

    /// Runs a script in the page and returns its value.
    pub fn script(&self, script: &str) -> Value {
        self.session_call("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    /// Runs a script, or `None` when the page cannot run it now (it is being replaced).
    fn try_script(&self, script: &str) -> Option<Value> {
        let url = format!("{}/session/{}/execute/sync", self.base, self.session);
        let body = json!({ "script": script, "args": [] }).to_string();
        let mut r = self.agent.post(&url).header("content-type", "application/json").send(body).ok()?;
        let ok = r.status().as_u16() < 400;
        let v = json_of(r.body_mut());
        ok.then(|| v["value"].clone())
    }

    /// Presses Tab `n` times and returns the text of the focused element.
    pub fn tab(&self, n: usize) -> String {
        let keys: Vec<Value> = (0..n)
            .flat_map(|_| {
                [json!({"type": "keyDown", "value": "\u{E004}"}), json!({"type": "keyUp", "value": "\u{E004}"})]
            })
            .collect();
        self.session_call("POST", "/actions", Some(json!({"actions": [{"type": "key", "id": "k", "actions": keys}]})));
        self.script("return document.activeElement.textContent || document.activeElement.name || ''")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The serious and critical accessibility violations axe-core finds on the page (WCAG 2.x A and AA rules), each
    /// as `rule (impact): help — selectors`. axe-core is the pinned copy `scripts/test.sh` installs under
    /// `target/axe`.
    pub fn accessibility_violations(&self) -> Vec<String> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/axe/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("axe-core is missing at {} ({e}); scripts/test.sh installs it", path.display()));
        self.script(&format!("{axe}\nreturn true;"));
        let run = "const done = arguments[arguments.length - 1]; \
                   axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }) \
                     .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                       .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map(n => n.target.join(' ')).join(', ')}`))) \
                     .catch(e => done(['axe failed: ' + e]));";
        let found = self.session_call("POST", "/execute/async", Some(json!({ "script": run, "args": [] })));
        found.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
    }

    /// Saves a PNG of the page as `target/screenshots/{name}.png`; its path.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        let png = self.session_call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.agent.delete(&format!("{}/session/{}", self.base, self.session)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A WebDriver answer's JSON (null when it has none).
fn json_of(body: &mut ureq::Body) -> Value {
    body.read_to_string().ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

impl Element<'_> {
    fn call(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.browser.session_call(method, &format!("/element/{}{what}", self.id), body)
    }

    /// Its visible text.
    pub fn text(&self) -> String {
        self.call("GET", "/text", None).as_str().unwrap_or_default().to_owned()
    }

    /// One of its attributes.
    pub fn attribute(&self, name: &str) -> Option<String> {
        self.call("GET", &format!("/attribute/{name}"), None).as_str().map(str::to_owned)
    }

    /// Types into it.
    pub fn type_text(&self, text: &str) {
        self.call("POST", "/value", Some(json!({ "text": text })));
    }

    /// Empties a field.
    pub fn clear(&self) {
        self.call("POST", "/clear", Some(json!({})));
    }

    /// Clicks it.
    pub fn click(&self) {
        self.call("POST", "/click", Some(json!({})));
    }
}
