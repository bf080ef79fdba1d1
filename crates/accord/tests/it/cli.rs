//! The `accord` binary as an operator uses it, on SQLite and PostgreSQL: administration without a
//! server, audit verification with exit codes, configuration precedence, a served node over real
//! TCP with JSON logs, and graceful shutdown that lets an in-flight request finish.

use accord_store::{Backend, SqlStore, Store};
use accord_testing::TestDb;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn accord(args: &[&str], db: Option<&str>, cwd: Option<&Path>, env: &[(&str, &str)]) -> Output {
    let mut cmd = crate::accord();
    cmd.args(args);
    if let Some(db) = db {
        cmd.arg("--db").arg(db);
    }
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Splits a command line written as one string (no argument contains a space).
fn words(line: &str) -> Vec<&str> {
    line.split_whitespace().collect()
}

use accord_testing::cli::{ok, text};

fn last_line(s: &str) -> String {
    s.lines().last().unwrap().trim().to_owned()
}

async fn operator_administers_a_node_without_a_server(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    let url = Some(url.as_str());
    let boot = ok(&accord(&["admin", "bootstrap", "--email", "root@example.org"], url, None, &[]));
    assert!(last_line(&boot).starts_with("key_"), "{boot}");

    let again = accord(&["admin", "bootstrap", "--email", "other@example.org"], url, None, &[]);
    assert_eq!(again.status.code(), Some(6), "a conflict with what is stored");
    assert!(text(&again.stderr).contains("already_bootstrapped"), "{}", text(&again.stderr));

    let authority = ok(&accord(
        &words(
            "authority add --id DE-BAFA --name BAFA --jurisdiction EU --country DE --time-zone Europe/Berlin --weekend saturday,sunday --holiday 2026-12-25",
        ),
        url,
        None,
        &[],
    ));
    let authority: serde_json::Value = serde_json::from_str(&authority).unwrap();
    assert_eq!(authority["calendar"]["holidays"][0], "2026-12-25");

    let bad = accord(
        &words("authority add --id DE-X --name X --jurisdiction EU --country DE --time-zone Europe/Berlin"),
        url,
        None,
        &[],
    );
    assert_eq!(bad.status.code(), Some(4), "input refused");
    assert!(text(&bad.stderr).contains("invalid_id"), "{}", text(&bad.stderr));

    let org: serde_json::Value = serde_json::from_str(&ok(&accord(
        &[
            "org",
            "add",
            "--name",
            "Acme Photonics GmbH",
            "--country",
            "DE",
            "--size",
            "small",
            "--authority",
            "DE-BAFA",
            "--reg",
            "EORI=DE123",
        ],
        url,
        None,
        &[],
    )))
    .unwrap();
    let org_id = org["id"].as_str().unwrap();
    assert_eq!(org["registration_ids"]["EORI"], "DE123");

    let user: serde_json::Value = serde_json::from_str(&ok(&accord(
        &["user", "add", "--name", "Eve", "--email", "eve@acme.example", "--role", "exporter", "--org", org_id],
        url,
        None,
        &[],
    )))
    .unwrap();
    let user_id = user["id"].as_str().unwrap();
    let created = ok(&accord(&["key", "create", "--user", user_id, "--label", "laptop"], url, None, &[]));
    let token = last_line(&created);
    let key_id = token.split_once('.').unwrap().0;
    let keys: serde_json::Value =
        serde_json::from_str(&ok(&accord(&["key", "list", "--user", user_id, "--json"], url, None, &[]))).unwrap();
    assert_eq!(keys[0]["id"], key_id);
    assert!(ok(&accord(&["key", "revoke", key_id], url, None, &[])).contains("Revoked"));
    let invited = ok(&accord(&["user", "invite", user_id, "--url", "https://accord.bafa.example/"], url, None, &[]));
    let link = last_line(&invited);
    let token = link.strip_prefix("https://accord.bafa.example/invitations/").unwrap_or_else(|| panic!("{invited}"));
    assert_eq!(token.len(), 64, "the link carries a 256-bit token: {link}");
    let reset = accord(&["user", "reset-second-factor", user_id], url, None, &[]);
    let said = String::from_utf8_lossy(&reset.stderr);
    assert!(!reset.status.success() && said.contains("second factor"), "a user without one has none to remove: {said}");

    let verify = ok(&accord(&["audit", "verify"], url, None, &[]));
    assert!(verify.contains("audit chain OK: 7 events"), "{verify}");
    let events = ok(&accord(&["audit", "events"], url, None, &[]));
    let kinds: Vec<String> = events
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "node.bootstrapped",
            "authority.created",
            "organisation.registered",
            "user.created",
            "api_key.created",
            "api_key.revoked",
            "user.invited"
        ]
    );
}

async fn audit_verify_names_the_tampered_event_and_fails(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    ok(&accord(&["admin", "bootstrap", "--email", "root@example.org"], Some(&url), None, &[]));
    ok(&accord(
        &words("authority add --id US-BIS --name BIS --jurisdiction US --country US --time-zone America/New_York"),
        Some(&url),
        None,
        &[],
    ));
    ok(&accord(
        &words("authority add --id JP-METI --name METI --jurisdiction JP --country JP --time-zone Asia/Tokyo"),
        Some(&url),
        None,
        &[],
    ));

    let store = SqlStore::open(&db.url, 1).await.unwrap();
    let second: String =
        sqlx::query_scalar("SELECT id FROM audit_events WHERE seq = 2").fetch_one(store.pool()).await.unwrap();
    let guard = match backend {
        Backend::Sqlite => "DROP TRIGGER audit_events_no_update",
        Backend::Postgres => "DROP TRIGGER audit_events_no_update ON audit_events",
    };
    sqlx::query(guard).execute(store.pool()).await.unwrap();
    sqlx::query("UPDATE audit_events SET actor = 'operator:somebody-else' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    let out = accord(&["audit", "verify"], Some(&url), None, &[]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("BROKEN at event {second}")), "{err}");
}

async fn served_node_logs_json_and_finishes_in_flight_requests_on_sigterm(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    let key = last_line(&ok(&accord(&["admin", "bootstrap", "--email", "root@example.org"], Some(&url), None, &[])));
    let bind = accord_testing::cli::free_bind();
    let mut child: Child = crate::accord()
        .args(["serve", "--db", &url, "--bind", &bind, "--log-format", "json"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    accord_testing::cli::wait_until_ok(&bind, "/health");

    // Start a request, signal shutdown while its body is still arriving, then finish it.
    let body = r#"{"id":"UK-ECJU","name":"Export Control Joint Unit","jurisdiction":"UK","country":"GB","time_zone":"Europe/London"}"#;
    let (head, tail) = body.split_at(20);
    let mut s = TcpStream::connect(&bind).unwrap();
    write!(s, "POST /api/v1/authorities HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}", body.len()).unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "the in-flight request completed: {answer}");

    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the node did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}"))).collect();
    let finished: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["fields"]["message"] == "request finished").collect();
    assert!(finished.len() >= 2, "{logs}");
    assert!(
        finished.iter().all(|l| l["span"]["request_id"].as_str().is_some_and(|id| id.starts_with("req_"))),
        "{logs}"
    );
    assert!(logs.contains("database pool closed"), "{logs}");

    let listed = ok(&accord(&["authority", "list"], Some(&url), None, &[]));
    assert!(listed.contains("UK-ECJU"), "the request finished during shutdown was stored");
}

async fn serve_demo_seeds_a_fresh_node_once_and_prints_who_can_sign_in(backend: Backend) {
    let db = TestDb::new(backend).await;
    let url = db.url_string();
    let start = |bind: &str| -> Child {
        crate::accord()
            .args(["serve", "--db", &url, "--bind", bind, "--demo", "--demo-data", "/nonexistent"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let bind = accord_testing::cli::free_bind();
    let mut child = start(&bind);
    accord_testing::cli::wait_until_ok(&bind, "/health");
    let page = accord_testing::cli::get(&bind, "/sign-in").expect("the sign-in page");
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
    accord_testing::cli::terminate(&mut child);
    let mut printed = String::new();
    child.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
    assert!(printed.contains("a small control list of the project's own"), "{printed}");
    assert!(printed.contains(&format!("Open http://{bind}/sign-in")), "{printed}");
    assert!(printed.contains("\"accord demo password\""), "{printed}");
    for who in ["export@acme.example", "officer@bafa.example", "senior@bafa.example", "officer@sbdu.example"] {
        assert!(printed.contains(who), "{who}: {printed}");
    }
    assert_eq!(printed.lines().filter(|l| l.trim_start().starts_with("case_")).count(), 6, "{printed}");

    // Started again on the same database, it changes nothing.
    let bind = accord_testing::cli::free_bind();
    let mut again = start(&bind);
    accord_testing::cli::wait_until_ok(&bind, "/health");
    accord_testing::cli::terminate(&mut again);
    let mut printed = String::new();
    again.stdout.take().unwrap().read_to_string(&mut printed).unwrap();
    assert!(printed.contains("has records already"), "{printed}");
}

accord_testing::on_both_backends!(
    serve_demo_seeds_a_fresh_node_once_and_prints_who_can_sign_in,
    operator_administers_a_node_without_a_server,
    audit_verify_names_the_tampered_event_and_fails,
    served_node_logs_json_and_finishes_in_flight_requests_on_sigterm,
);

#[test]
fn unreachable_database_at_start_is_a_clear_error() {
    let out =
        accord(&["serve", "--bind", "127.0.0.1:0"], Some("postgres://accord:secret@127.0.0.1:1/accord"), None, &[]);
    assert_eq!(out.status.code(), Some(8), "unavailable for now");
    let err = text(&out.stderr);
    assert!(err.contains("cannot open the database at postgres://accord:***@127.0.0.1:1/accord"), "{err}");
    assert!(!err.contains("secret"), "passwords never reach the output");
}

#[test]
fn configuration_file_environment_and_flags_apply_in_order() {
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-cfg"));
    std::fs::create_dir_all(&dir).unwrap();
    let printed = ok(&accord(&["config", "default"], None, Some(&dir), &[]));
    assert!(printed.contains("db = \"accord-data/accord.db\""));

    std::fs::write(dir.join("accord.toml"), "db = \"from-file.db\"\n").unwrap();
    ok(&accord(&["authority", "list"], None, Some(&dir), &[]));
    assert!(dir.join("from-file.db").exists(), "the file's setting applies");
    ok(&accord(&["authority", "list"], None, Some(&dir), &[("ACCORD_DATABASE_URL", "from-env.db")]));
    assert!(dir.join("from-env.db").exists(), "the environment beats the file");
    let mut cmd = crate::accord();
    let out = cmd
        .args(["authority", "list", "--db", "from-flag.db"])
        .env("ACCORD_DATABASE_URL", "from-env-2.db")
        .current_dir(&dir)
        .output()
        .unwrap();
    ok(&out);
    assert!(dir.join("from-flag.db").exists() && !dir.join("from-env-2.db").exists(), "the flag beats the environment");

    std::fs::write(dir.join("accord.toml"), "dbb = 1\n").unwrap();
    let out = accord(&["authority", "list"], None, Some(&dir), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("invalid configuration file"), "{}", text(&out.stderr));
    let out = accord(&["authority", "list", "--config", "missing.toml"], None, Some(&dir), &[]);
    assert!(text(&out.stderr).contains("cannot read the configuration file missing.toml"), "{}", text(&out.stderr));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn default_database_is_created_under_accord_data() {
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id("accord-default"));
    std::fs::create_dir_all(&dir).unwrap();
    ok(&accord(&["authority", "list"], None, Some(&dir), &[]));
    assert!(dir.join("accord-data").join("accord.db").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn output_piped_into_a_reader_that_stops_early_ends_quietly() {
    for _ in 0..5 {
        let mut child =
            crate::accord().args(["config", "default"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        // The reader goes away before the command writes, as `| head` does once it has its lines.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "exit {:?}: {}", out.status.code(), text(&out.stderr));
        assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
    }
}
