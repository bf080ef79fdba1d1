//! A hostile ally, or someone who captured its traffic, meets a wall: a signed request replayed or sent on to
//! another node is refused; plain-HTTP peers off loopback are refused unless allowed; redirects are not followed; a
//! flooding peer meets page, payload, validation and rate caps; rejected envelopes are kept as hash and prefix only.

use accord_app::KEPT_PAYLOAD_BYTES;
use accord_core::ErrorCode;
use accord_core::federation::{Envelope, MAX_PAYLOAD_BYTES, NodeKey, Rejection};
use accord_store::Backend;
use accord_testing::nodes::{Node, connect, denial, node, operator};
use serde_json::{Value, json};

fn denial_payload(n: &Node, id: &str, parties: usize) -> Value {
    let party = json!({"role": "consignee", "name": "Front Company Ltd", "country": "CN"});
    json!({
        "id": accord_core::ids::DenialId::generate().to_string(), "reference": id, "authority_id": n.authority, "date": "2026-01-10",
        "control_codes": ["3A001.a"], "item_description": "radar ICs", "destination": "CN",
        "end_use": "military radar", "refusal_criteria": ["criterion 7"], "parties": vec![party; parties],
        "status": "active", "expires_on": "2029-01-10", "created_by": "officer", "created_at": "2026-01-10T10:00:00Z",
        "version": 1
    })
}

fn sealed(n: &Node, seq: i64, kind: &str, payload: Value) -> Envelope {
    Envelope::seal(&n.key, &n.authority, seq, accord_core::now(), kind, payload)
}

/// GETs `url` with the given headers; the status, the error code and the Retry-After header.
fn get(url: &str, headers: &[(&'static str, String)]) -> (u16, String, Option<String>) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut r = agent.get(url);
    for (k, v) in headers {
        r = r.header(*k, v);
    }
    let mut response = r.call().unwrap();
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let status = response.status().as_u16();
    let body: Value = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap_or(Value::Null);
    (status, body["error"]["code"].as_str().unwrap_or_default().to_owned(), retry)
}

async fn a_captured_signed_pull_is_refused_when_replayed_or_sent_to_another_node(backend: Backend) {
    let (a, b, c) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &c]).await;
    b.app.create_denial(&b.officer, denial("FR-1", "Front Company Ltd")).await.unwrap();
    c.app.create_denial(&c.officer, denial("NL-1", "Front Company Ltd")).await.unwrap();
    // A signs a pull of B's outbox; someone captures the request.
    let path = "/federation/v1/outbox?after=0&limit=10";
    let captured = a.app.sign_request("FR-SBDU", "GET", path).unwrap();
    assert_eq!(get(&format!("{}{path}", b.url), &captured).0, 200, "the genuine request is served");
    // Replayed to the same node within the clock-skew window: refused.
    let (status, code, _) = get(&format!("{}{path}", b.url), &captured);
    assert_eq!((status, code.as_str()), (401, "peer_request_refused"));
    // Sent on to another node that also knows A: refused, it was signed for B.
    let (status, code, _) = get(&format!("{}{path}", c.url), &captured);
    assert_eq!((status, code.as_str()), (401, "peer_request_refused"));
    // A fresh request for C is served: the refusals were about the captured one only.
    let fresh = a.app.sign_request("NL-CDIU", "GET", path).unwrap();
    assert_eq!(get(&format!("{}{path}", c.url), &fresh).0, 200);
    // Changing the target header after signing breaks the signature.
    let mut moved = a.app.sign_request("FR-SBDU", "GET", path).unwrap();
    moved[1].1 = "NL-CDIU".into();
    assert_eq!(get(&format!("{}{path}", c.url), &moved).1, "peer_request_refused");
}

async fn a_plain_http_peer_off_loopback_is_refused_unless_allowed_explicitly(backend: Backend) {
    let a = node(backend, "DE-BAFA", "DE").await;
    let key = || NodeKey::generate().unwrap().public_base64();
    let refused = a.app.add_peer(&operator(), "FR-SBDU", "http://fr.example:8080", &key()).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::ValidationFailed, "{}", refused.message);
    assert!(refused.message.contains("https://"), "{}", refused.message);
    assert!(a.app.peers().await.unwrap().is_empty(), "nothing was registered");
    a.app.add_peer(&operator(), "FR-SBDU", "https://fr.example:8443", &key()).await.unwrap();
    a.app.add_peer(&operator(), "NL-CDIU", "http://127.0.0.1:9000", &key()).await.unwrap();
    a.app.add_peer(&operator(), "IT-UAMA", "http://[::1]:9000", &key()).await.unwrap();
    a.app.add_peer_allowing_http(&operator(), "PL-DKE", "http://pl.example:8080", &key()).await.unwrap();
    assert_eq!(a.app.peers().await.unwrap().len(), 4);
    for (url, loopback) in [
        ("http://localhost:1", true),
        ("http://127.9.9.9", true),
        ("http://[::1]:80/x", true),
        ("http://127.0.0.1.evil.example", false),
        ("http://user@127.0.0.1", true),
        ("http://127.0.0.1@evil.example", false),
        ("http://10.0.0.1", false),
    ] {
        assert_eq!(accord_app::is_loopback(url), loopback, "{url}");
    }
}

/// Serves `router` on a loopback port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn a_redirecting_peer_is_not_followed(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    a.app.create_denial(&a.officer, denial("DE-1", "Front Company Ltd")).await.unwrap();
    a.app.add_peer(&operator(), "FR-SBDU", &b.url, &b.key.public_base64()).await.unwrap();
    // B knows A by a URL that redirects to A's real node.
    let target = a.url.clone();
    let redirector = serve(axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let to = format!("{target}{uri}");
        async move { (axum::http::StatusCode::TEMPORARY_REDIRECT, [(axum::http::header::LOCATION, to)]) }
    }))
    .await;
    let peer = b.app.add_peer(&operator(), "DE-BAFA", &redirector, &a.key.public_base64()).await.unwrap();
    let error = accord_federation::pull(&b.app, &peer).await.unwrap_err();
    assert!(error.contains("HTTP 307"), "{error}");
    assert!(b.app.denials(&b.officer, None).await.unwrap().is_empty(), "nothing came through the redirect");
    let status = b.app.federation_status(&operator()).await.unwrap();
    assert!(status.peers[0].peer.last_error.as_deref().is_some_and(|e| e.contains("307")));
}

async fn a_flooding_peer_meets_page_payload_and_validation_caps(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    // A hostile "DE-BAFA" serves three envelopes whatever is asked.
    let page = json!({
        "envelopes": (1..=3).map(|i| sealed(&a, i, "denial", denial_payload(&a, &format!("den_{i}"), 1))).collect::<Vec<_>>(),
        "head": 3,
    });
    let flood = serve(axum::Router::new().fallback(move || {
        let page = page.clone();
        async move { axum::Json(page) }
    }))
    .await;
    let peer = b.app.add_peer(&operator(), "DE-BAFA", &flood, &a.key.public_base64()).await.unwrap();
    let error = accord_federation::pull_pages(&b.app, &peer, 2).await.unwrap_err();
    assert!(error.contains("more than the 2 asked"), "{error}");
    assert!(b.app.denials(&b.officer, None).await.unwrap().is_empty(), "nothing of an oversized page is applied");

    // Objects are checked with the rules of local input (sixty parties where fifty are allowed), and a payload
    // over the size cap (ten thousand parties) is refused before it is parsed.
    let crowded = sealed(&a, 1, "denial", denial_payload(&a, "den_crowd", 60));
    let huge = denial_payload(&a, "den_huge", 10_000);
    assert!(accord_core::federation::canonical(&huge).len() > MAX_PAYLOAD_BYTES);
    let huge = sealed(&a, 2, "denial", huge);
    let fine = sealed(&a, 3, "denial", denial_payload(&a, "den_fine", 1));
    let report = b.app.receive("DE-BAFA", &[crowded, huge, fine]).await.unwrap();
    assert_eq!((report.applied, report.last_seq), (1, 3), "each bad envelope is quarantined alone");
    let reasons: Vec<_> = report.rejected.iter().map(|r| (r.seq, r.reason, r.quarantined)).collect();
    assert_eq!(reasons, vec![(1, Rejection::MalformedPayload, true), (2, Rejection::MalformedPayload, true)]);
    assert!(report.rejected[0].message.contains("1-50 parties"), "{}", report.rejected[0].message);
    assert!(report.rejected[1].message.contains("bytes"), "{}", report.rejected[1].message);
    // The log keeps the hash and a bounded prefix, not the flood.
    for r in &b.app.federation_status(&operator()).await.unwrap().quarantined {
        let kept = r.envelope["payload_prefix"].as_str().unwrap();
        assert!(kept.len() <= KEPT_PAYLOAD_BYTES, "{} bytes kept", kept.len());
        assert!(r.envelope["payload_bytes"].as_u64().unwrap() > KEPT_PAYLOAD_BYTES as u64);
        assert_eq!(r.envelope["received_payload_sha256"].as_str().unwrap().len(), 64);
        assert!(r.envelope.get("payload").is_none());
    }
    assert_eq!(b.app.denials(&b.officer, None).await.unwrap().len(), 1);
}

async fn a_peer_over_its_request_rate_is_answered_429_with_retry_after(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    connect(&[&a, &b]).await;
    let path = "/federation/v1/outbox?after=0&limit=1";
    let burst = accord_app::DEFAULT_PEER_BURST as usize;
    let mut statuses = Vec::new();
    // The burst is served; requests beyond it and the refill rate are refused.
    while statuses.len() < 20 * burst && statuses.last().is_none_or(|s: &(u16, String, Option<String>)| s.0 == 200) {
        let signed = a.app.sign_request("FR-SBDU", "GET", path).unwrap();
        statuses.push(get(&format!("{}{path}", b.url), &signed));
    }
    assert!(statuses.len() > burst, "{} requests were served before the limit", statuses.len() - 1);
    let (status, code, retry) = statuses.last().unwrap().clone();
    assert_eq!((status, code.as_str()), (429, "peer_rate_limited"));
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    // Another peer's allowance is its own.
    let c = node(backend, "NL-CDIU", "NL").await;
    connect(&[&b, &c]).await;
    let signed = c.app.sign_request("FR-SBDU", "GET", path).unwrap();
    assert_eq!(get(&format!("{}{path}", b.url), &signed).0, 200);
}

async fn an_envelope_addressed_to_one_ally_is_a_signed_stub_for_the_others(backend: Backend) {
    let (a, b) = (node(backend, "DE-BAFA", "DE").await, node(backend, "FR-SBDU", "FR").await);
    let consultation = json!({
        "id": "con_1", "from_authority": "DE-BAFA", "to_authority": "IT-UAMA", "case_id": "case_1",
        "denial_id": "den_1", "question": "Same consignee?", "opened_by": "o", "opened_at": "2026-01-01T00:00:00Z",
        "deadline": "2026-02-01", "version": 1
    });
    let addressed = Envelope::seal_to(
        &a.key,
        "DE-BAFA",
        1,
        accord_core::now(),
        "consultation",
        consultation.clone(),
        &["IT-UAMA".to_owned()],
    );
    assert!(!addressed.is_for("FR-SBDU") && addressed.is_for("IT-UAMA"));
    // The addressees are signed: taking a name out of `to` breaks the signature.
    let mut widened = addressed.clone();
    widened.to.clear();
    a.app.add_peer(&operator(), "FR-SBDU", &b.url, &b.key.public_base64()).await.unwrap();
    b.app.add_peer(&operator(), "DE-BAFA", &a.url, &a.key.public_base64()).await.unwrap();
    let report = b.app.receive("DE-BAFA", &[widened]).await.unwrap();
    assert_eq!(report.rejected[0].reason, Rejection::BadSignature);
    // The stub keeps the sequence and carries nothing; a stub with a payload is a content fault.
    let stub = addressed.withheld(&a.key);
    assert_eq!((stub.payload.clone(), stub.to.is_empty()), (Value::Null, true));
    let mut stuffed = stub.clone();
    stuffed.payload = consultation;
    let report = b.app.receive("DE-BAFA", &[stub]).await.unwrap();
    assert_eq!((report.applied, report.last_seq, report.rejected.len()), (0, 1, 0));
    stuffed.seq = 2;
    let report = b.app.receive("DE-BAFA", &[stuffed]).await.unwrap();
    assert_eq!(report.rejected[0].reason, Rejection::BadSignature, "the stub's signature covers its sequence");
}

async fn a_peer_that_claims_an_allys_assessment_id_gets_none_of_its_endorsements(backend: Backend) {
    let (a, b, h) = (
        node(backend, "DE-BAFA", "DE").await,
        node(backend, "FR-SBDU", "FR").await,
        node(backend, "NL-CDIU", "NL").await,
    );
    connect(&[&a, &b, &h]).await;
    let input = |summary: &str| {
        serde_json::from_value(json!({
            "subject_kind": "end_user", "subject": "Front Company Ltd", "level": "high", "summary": summary,
            "valid_until": "2030-01-01"
        }))
        .unwrap()
    };
    let genuine = a.app.publish_assessment(&a.officer, input("diverts radar ICs")).await.unwrap().assessment;
    let mut claim = h.app.publish_assessment(&h.officer, input("harmless")).await.unwrap().assessment;
    claim.id = genuine.id.clone();
    claim.level = accord_core::denials::RiskLevel::Low;
    let claimed = sealed(&h, 1, "risk_assessment", serde_json::to_value(&claim).unwrap());
    assert_eq!(b.app.receive("NL-CDIU", &[claimed]).await.unwrap().applied, 1, "H's record is its own");
    let peer = b.app.peers().await.unwrap().into_iter().find(|p| p.authority_id == "DE-BAFA").unwrap();
    accord_federation::pull(&b.app, &peer).await.unwrap();
    // The bare id is ambiguous; the endorsement names the owner and lands on A's assessment only.
    let ambiguous = b.app.endorse_assessment(&b.officer, &genuine.id, "agreed").await.unwrap_err();
    assert_eq!(ambiguous.code, ErrorCode::Conflict, "{}", ambiguous.message);
    let endorsed = b.app.endorse_assessment(&b.officer, &format!("DE-BAFA:{}", genuine.id), "agreed").await.unwrap();
    assert_eq!((endorsed.assessment.level.as_str(), endorsed.endorsements.len()), ("high", 1));
    let all = b.app.assessments(&b.officer).await.unwrap();
    let of = |owner: &str| all.iter().find(|v| v.assessment.authority_id == owner).unwrap().endorsements.len();
    assert_eq!((of("DE-BAFA"), of("NL-CDIU")), (1, 0), "H's copy gets no endorsement");
    let again = b.app.endorse_assessment(&b.officer, &format!("NL-CDIU:{}", genuine.id), "h").await.unwrap();
    assert_eq!(again.endorsements.len(), 1, "an endorsement of H's record is a separate one");
}

accord_testing::on_both_backends!(
    a_peer_that_claims_an_allys_assessment_id_gets_none_of_its_endorsements,
    a_captured_signed_pull_is_refused_when_replayed_or_sent_to_another_node,
    a_plain_http_peer_off_loopback_is_refused_unless_allowed_explicitly,
    a_redirecting_peer_is_not_followed,
    a_flooding_peer_meets_page_payload_and_validation_caps,
    a_peer_over_its_request_rate_is_answered_429_with_retry_after,
    an_envelope_addressed_to_one_ally_is_a_signed_stub_for_the_others
);
