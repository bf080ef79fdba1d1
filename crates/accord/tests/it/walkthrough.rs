//! The README's walkthrough, run as written: `examples/walkthrough.sh` drives two allied nodes from the command line
//! with the example files (apply, refuse, countersign, the denial replicated to the ally, an approval and a shipment).

use accord_testing::cli::text;
use std::process::Command;

#[test]
fn the_examples_walkthrough_runs_end_to_end_on_two_nodes() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/walkthrough.sh");
    let out = Command::new("bash")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ACCORD", env!("CARGO_BIN_EXE_accord"))
        .env("DATA", accord_testing::data::text(&accord_testing::data::shared("")))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for expected in [
        "awaiting_countersignature\nrefused",
        "the refusal became denial den_",
        "== The denial reaches SBDU\nDE-BAFA den_",
        "shipped 40.0 of 100.0 licensed",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
    assert_eq!(stdout.matches("audit chain OK").count(), 2, "{stdout}");
    let replicated = stdout.split("== The denial reaches SBDU\n").nth(1).unwrap().lines().next().unwrap();
    let made = stdout.split("the refusal became denial ").nth(1).unwrap().lines().next().unwrap();
    assert!(replicated.contains(made) && replicated.ends_with("active"), "{replicated} / {made}");
}
