//! The `accord` binary in a test: every `ACCORD_*` variable of the environment the tests run in is removed once
//! here, so a developer's settings never leak into a run, and output is decoded in one way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A command for the binary at `exe` (`env!("CARGO_BIN_EXE_accord")`) with no `ACCORD_*` variable.
pub fn command(exe: &str) -> Command {
    let mut cmd = Command::new(exe);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ACCORD_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// Runs the binary at `exe` in `dir` with `args`, and waits for it.
pub fn run(exe: &str, dir: &Path, args: &[&str]) -> Output {
    command(exe).current_dir(dir).args(args).output().expect("run the accord binary")
}

/// Bytes of output as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The standard output of a run that must have succeeded (else the test fails with both outputs).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// A new empty folder under the system's temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(accord_core::ids::generate_id(name));
    std::fs::create_dir_all(&dir).expect("create a temporary folder");
    dir
}

/// One plain HTTP/1.1 `GET` of `path` on `bind` (`127.0.0.1:port`): the whole answer, head and body, or `None`
/// while nothing listens there.
pub fn get(bind: &str, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(bind).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// A free loopback address to serve on.
pub fn free_bind() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    format!("127.0.0.1:{}", l.local_addr().expect("its address").port())
}

/// Asks a served node to stop as an operator would (`SIGTERM`), waits for it, and returns its standard error.
pub fn terminate(child: &mut std::process::Child) -> String {
    use std::io::Read;
    let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("run kill");
    assert!(sent.success(), "the node had already stopped");
    child.wait().expect("wait for the node");
    let mut logs = String::new();
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut logs).expect("read the node's log");
    }
    logs
}

/// Waits until `GET path` on `bind` answers `200` (a node that has started), for at most 30 seconds.
pub fn wait_until_ok(bind: &str, path: &str) {
    let started = std::time::Instant::now();
    while !get(bind, path).is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the node at {bind} did not start");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
