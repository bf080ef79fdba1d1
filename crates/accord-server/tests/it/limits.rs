//! A flood of slow clients meets limits over a real socket: a request head that does not arrive in time closes the
//! connection, a body that does not arrive in time is answered `503 request_timeout`, and requests beyond the slots
//! in flight are answered `503 overloaded` at once while `/health` still answers.

use crate::support::Node;
use accord_server::Limits;
use accord_store::Backend;
use accord_store::prelude::*;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves `node` with `limits` on a loopback port; its address.
async fn serve(node: &Node, limits: Limits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = accord_server::router_with(node.app.clone(), limits);
    tokio::spawn(accord_server::serve_with(listener, router, limits.header_timeout, std::future::pending()));
    addr
}

/// Reads what the server sends until it closes the connection or 5 s pass.
async fn read_all(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    read_all(&mut s).await
}

/// An admin's key.
async fn admin_key(node: &Node) -> String {
    let operator = accord_core::principal::Principal::Operator { name: "test".into() };
    node.app.bootstrap(&operator, "Root", "root@example.org").await.unwrap().1.token
}

/// Starts an admin's POST whose body never arrives; the connection holds one request in flight.
async fn stalled_post(addr: std::net::SocketAddr, key: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/authorities HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {key}\r\nContent-Length: 100\r\n\r\n{{\"id\":"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s
}

async fn a_client_that_never_finishes_its_request_head_is_cut_off(backend: Backend) {
    let node = Node::new(backend).await;
    let limits = Limits { header_timeout: Duration::from_millis(300), ..Limits::default() };
    let addr = serve(&node, limits).await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let started = Instant::now();
    let answer = read_all(&mut slow).await;
    assert!(started.elapsed() < Duration::from_secs(4), "closed after {:?}", started.elapsed());
    assert!(!answer.contains("200 OK"), "{answer}");
    assert!(get(addr, "/health").await.starts_with("HTTP/1.1 200"), "others are still served");
}

async fn a_body_that_does_not_arrive_in_time_is_answered_503_request_timeout(backend: Backend) {
    let node = Node::new(backend).await;
    let limits = Limits { request_timeout: Duration::from_millis(400), ..Limits::default() };
    let addr = serve(&node, limits).await;
    let mut s = stalled_post(addr, &admin_key(&node).await).await;
    let answer = read_all(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    assert_eq!(node.store.authorities().await.unwrap().len(), 0, "nothing was stored");
}

async fn requests_beyond_the_slots_in_flight_are_answered_503_overloaded_and_probes_still_answer(backend: Backend) {
    let node = Node::new(backend).await;
    let limits = Limits { max_in_flight: 1, request_timeout: Duration::from_secs(5), ..Limits::default() };
    let addr = serve(&node, limits).await;
    let holder = stalled_post(addr, &admin_key(&node).await).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let refused = get(addr, "/api/v1/authorities").await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("\"code\":\"overloaded\"") && refused.to_lowercase().contains("retry-after: 1"));
    assert!(get(addr, "/health").await.starts_with("HTTP/1.1 200"), "the probe is always answered");
    drop(holder);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(get(addr, "/api/v1/authorities").await.starts_with("HTTP/1.1 200"), "the slot is free again");
}

accord_testing::on_both_backends!(
    a_client_that_never_finishes_its_request_head_is_cut_off,
    a_body_that_does_not_arrive_in_time_is_answered_503_request_timeout,
    requests_beyond_the_slots_in_flight_are_answered_503_overloaded_and_probes_still_answer,
);
