//! `accord node`, `accord peers` and `accord federation` between two node processes: key pairs with a private key
//! file only its owner reads, peers registered out of band, a signed pull from a served node, and the status.

use std::path::Path;
use std::process::Stdio;

use crate::run;
use accord_testing::cli::{ok, temp_dir, text};

/// A node folder with its authority and key pair; returns the public key.
fn init(dir: &Path, authority: &str, country: &str) -> String {
    let args =
        ["authority", "add", "--id", authority, "--name", authority, "--jurisdiction", "EU", "--country", country];
    ok(&run(dir, &[&args[..], &["--time-zone", "Europe/Paris"]].concat()));
    ok(&run(dir, &["node", "init", "--authority", authority])).trim().to_owned()
}

#[test]
fn two_node_processes_register_each_other_and_pull_with_signed_requests() {
    let (a, b) = (temp_dir("accord-node-a"), temp_dir("accord-node-b"));
    let key_a = init(&a, "DE-BAFA", "DE");
    let key_b = init(&b, "FR-SBDU", "FR");
    assert_eq!(key_a.len(), 44, "a base64 Ed25519 public key: {key_a}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(a.join("accord-data/node.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads the private key");
    }
    let again = run(&a, &["node", "init", "--authority", "DE-BAFA"]);
    assert!(
        !again.status.success() && text(&again.stderr).contains("already speaks for DE-BAFA"),
        "{}",
        text(&again.stderr)
    );
    let shown: serde_json::Value = serde_json::from_str(&ok(&run(&a, &["node", "show"]))).unwrap();
    assert_eq!(shown["public_key"], key_a.as_str());

    let bind = accord_testing::cli::free_bind();
    let bad =
        run(&b, &["peers", "add", "--authority", "DE-BAFA", "--url", &format!("http://{bind}"), "--key", "not-a-key"]);
    assert!(text(&bad.stderr).contains("invalid node key"), "{}", text(&bad.stderr));
    ok(&run(&b, &["peers", "add", "--authority", "DE-BAFA", "--url", &format!("http://{bind}"), "--key", &key_a]));
    ok(&run(&a, &["peers", "add", "--authority", "FR-SBDU", "--url", "http://127.0.0.1:9", "--key", &key_b]));
    let plain = run(&b, &["peers", "add", "--authority", "NL-CDIU", "--url", "http://x.example", "--key", &key_a]);
    assert!(text(&plain.stderr).contains("https://"), "plain http off loopback: {}", text(&plain.stderr));
    let dup = run(
        &b,
        &["peers", "add", "--authority", "DE-BAFA", "--url", "http://x.example", "--key", &key_a, "--allow-http"],
    );
    assert!(text(&dup.stderr).contains("already_exists"), "{}", text(&dup.stderr));
    assert!(ok(&run(&b, &["peers", "list"])).contains("DE-BAFA"));

    // A serves; B pulls A's (empty) outbox with a signed request.
    let mut child = crate::accord()
        .args(["serve", "--bind", &bind, "--federation-interval", "1h"])
        .current_dir(&a)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    accord_testing::cli::wait_until_ok(&bind, "/ready");
    let pulled = ok(&run(&b, &["federation", "pull"]));
    assert!(pulled.contains("DE-BAFA: 0 envelopes applied"), "{pulled}");
    let status: serde_json::Value = serde_json::from_str(&ok(&run(&b, &["federation", "status", "--json"]))).unwrap();
    assert_eq!(status["identity"]["authority_id"], "FR-SBDU");
    assert!(status["peers"][0]["last_success_at"].is_string(), "{status}");
    assert!(status["peers"][0]["last_error"].is_null(), "{status}");
    let logs = accord_testing::cli::terminate(&mut child);
    assert!(logs.contains("federation on"), "{logs}");

    // With A down, a pull records the error for the status page.
    let down = ok(&run(&b, &["federation", "pull"]));
    assert!(down.contains("DE-BAFA:"), "{down}");
    let status = ok(&run(&b, &["federation", "status"]));
    assert!(status.contains("error:"), "{status}");
    ok(&run(&b, &["peers", "remove", "DE-BAFA"]));
    assert!(!ok(&run(&b, &["peers", "list"])).contains("DE-BAFA"));
    // A node whose key file is gone refuses to start its commands rather than sign with nothing.
    std::fs::remove_file(a.join("accord-data/node.key")).unwrap();
    let keyless = run(&a, &["peers", "list"]);
    assert!(text(&keyless.stderr).contains("cannot be read"), "{}", text(&keyless.stderr));
}
