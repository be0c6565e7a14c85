//! Requests through the whole router (no socket): path checks end to end, 404 pages,
//! content types, and what the pages hold.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt as _;

use super::*;

struct Fixture {
    tmp: tempfile::TempDir,
    store: Store,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("store");
    let a = root.join("broadcast/20250101-000000-seed1");
    let b = root.join("broadcast/20250101-000100-seed2");
    std::fs::create_dir_all(a.join("node-logs")).expect("mkdir");
    std::fs::create_dir_all(&b).expect("mkdir");
    let doc = |seed: u64, valid: serde_json::Value, mpo: f64| {
        json!({"valid": valid, "workload": "broadcast", "seed": seed, "op_count": 20,
            "flags": format!("-w broadcast --seed-{seed}"),
            "net": {"servers": {"msgs_per_op": mpo}},
            "server_sends_per_second": [0, 3, 9, 4],
            "series": {"workload": [{"key": "stable_latency", "label": "stable latency",
                "time_label": "time the value became known",
                "per_second": [{"t": 1, "count": 1, "p50": 100, "p95": 100, "max": 100},
                               {"t": 2, "count": 1, "p50": 300, "p95": 300, "max": 300}],
                "percentiles": (0..=100u64).map(|p| match p {
                    50 => 100, 95 => 290, 99 => 300, 100 => 310, _ => p,
                }).collect::<Vec<u64>>()}]},
            "figures": [{"key": "stable_latencies", "label": "stable latency 0/0.5/0.95/0.99/1 (ms)",
                "value": "0 / 100 / 290 / 300 / 310"}],
            "stable_latencies": {"0": 0, "0.5": 100, "0.95": 290, "0.99": 300, "1": 310}})
    };
    std::fs::write(a.join("results.json"), doc(1, json!(true), 1.5).to_string()).expect("w");
    std::fs::write(
        b.join("results.json"),
        doc(2, json!(false), 0.25).to_string(),
    )
    .expect("w");
    std::fs::write(a.join("summary.txt"), "glomers-sim: <summary> & more").expect("w");
    std::fs::write(
        a.join("messages.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    )
    .expect("w");
    std::fs::write(a.join("throughput.svg"), "<svg/>").expect("w");
    std::fs::write(a.join("node-logs/n0.log"), "hello from n0").expect("w");
    std::fs::write(tmp.path().join("secret.txt"), "secret").expect("w");
    let store = Store::open(&root).expect("store");
    Fixture { tmp, store }
}

async fn get(f: &Fixture, uri: &str) -> (StatusCode, String, String) {
    get_host(f, uri, "127.0.0.1:8080").await
}

async fn get_host(f: &Fixture, uri: &str, host: &str) -> (StatusCode, String, String) {
    let req = Request::builder()
        .uri(uri)
        .header(header::HOST, host)
        .body(Body::empty())
        .expect("request");
    let resp = router(f.store.clone(), true)
        .oneshot(req)
        .await
        .expect("infallible");
    let status = resp.status();
    let ctype = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, ctype, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn traversal_urls_get_the_404_page() {
    let f = fixture();
    #[cfg(unix)]
    {
        let root = f.store.root();
        std::os::unix::fs::symlink(f.tmp.path().join("secret.txt"), root.join("leak"))
            .expect("symlink");
        std::os::unix::fs::symlink(f.tmp.path(), root.join("broadcast/up")).expect("symlink");
    }
    for uri in [
        "/runs/../../etc/passwd",
        "/runs/../secret.txt",
        "/runs/%2e%2e/secret.txt",
        "/runs/%2e%2e%2fsecret.txt",
        "/runs/%252e%252e%252fsecret.txt",
        "/runs/..%5csecret.txt",
        "/runs/%2fetc%2fpasswd",
        "/runs//etc/passwd",
        "/runs/leak",
        "/runs/broadcast/up/secret.txt",
        "/runs/broadcast/20991231-000000-seed9/",
        "/runs/broadcast/",
        "/etc/passwd",
    ] {
        let (status, ctype, body) = get(&f, uri).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(ctype.starts_with("text/html"), "{uri}: {ctype}");
        assert!(body.contains("<h1>Not found</h1>"), "{uri}: {body}");
        assert!(!body.contains("secret") && !body.contains("root:"), "{uri}");
    }
    let (status, _, _) = get(&f, "/compare?run=..%2Fsecret.txt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get(&f, "/compare?run=%2Fetc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_list_shows_every_run_coloured_by_verdict() {
    let f = fixture();
    let (status, ctype, body) = get(&f, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ctype, "text/html; charset=utf-8");
    assert!(body.contains("<title>glomers-sim results</title>"));
    assert!(body.contains("2 runs"));
    assert!(body.contains(r#"<tr class="valid">"#) && body.contains(r#"<tr class="invalid">"#));
    assert!(body.contains(r#"value="broadcast/20250101-000000-seed1""#));
    assert!(body.contains("-w broadcast --seed-2"));
    assert!(body.contains("100 / 290 / 310 (stable latency)"));
    assert!(body.contains(r#"href="/runs/broadcast/20250101-000000-seed1/""#));
    assert!(!body.contains("<script"), "no script on the pages");
}

#[tokio::test]
async fn a_run_page_shows_its_artifacts_and_files_have_content_types() {
    let f = fixture();
    let base = "/runs/broadcast/20250101-000000-seed1";
    let (status, _, body) = get(&f, &format!("{base}/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("broadcast · seed 1"));
    assert!(body.contains(&format!(r#"class="diagram" src="{base}/messages.svg""#)));
    assert!(body.contains(&format!(r#"src="{base}/throughput.svg""#)));
    assert!(body.contains(&format!(r#"href="{base}/node-logs/n0.log""#)));
    assert!(body.contains("no timeline.html"));
    assert!(
        body.contains("&lt;summary&gt; &amp; more"),
        "summary escaped"
    );
    assert!(
        PAGE_CSP.contains("frame-src 'self'"),
        "the diagram is shown in a frame"
    );
    let (status, _, _) = get(&f, base).await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    for (file, want) in [
        ("messages.svg", "image/svg+xml"),
        ("node-logs/n0.log", "text/plain; charset=utf-8"),
        ("results.json", "application/json"),
    ] {
        let (status, ctype, _) = get(&f, &format!("{base}/{file}")).await;
        assert_eq!((status, ctype.as_str()), (StatusCode::OK, want), "{file}");
    }
    let (_, _, log) = get(&f, &format!("{base}/node-logs/n0.log")).await;
    assert_eq!(log, "hello from n0");
}

#[tokio::test]
async fn the_comparison_puts_runs_side_by_side_on_shared_axes() {
    let f = fixture();
    let q = "/compare?run=broadcast%2F20250101-000000-seed1&run=broadcast/20250101-000100-seed2";
    let (status, _, body) = get(&f, q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Comparison of 2 runs"));
    assert!(body.contains("#1 broadcast seed 1") && body.contains("#2 broadcast seed 2"));
    assert!(body.contains("<td>1.5</td>") && body.contains("<td>0.25</td>"));
    assert!(body.contains(r#"<tr class="differs"><th>msgs-per-op (servers)</th>"#));
    assert!(
        body.contains("<tr><th>workload</th>"),
        "equal rows are not highlighted"
    );
    assert_eq!(
        body.matches("<svg").count(),
        3,
        "rate, stable over time, percentiles"
    );
    assert!(body.contains("Server messages (node↔node, node↔service) sent per second"));
    assert!(
        body.contains("Stable latency over time"),
        "the workload's curve, titled by it"
    );
    let (status, _, _) = get(&f, "/compare").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn other_host_names_are_refused() {
    let f = fixture();
    let (status, _, _) = get_host(&f, "/", "evil.example:8080").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for host in ["localhost:8080", "[::1]:80", "127.0.0.2"] {
        let (status, _, _) = get_host(&f, "/", host).await;
        assert_eq!(status, StatusCode::OK, "{host}");
    }
}

#[test]
fn selected_runs_are_decoded_from_the_query() {
    assert_eq!(
        selected_runs("run=a%2Fb&x=1&run=c+d"),
        vec!["a/b".to_string(), "c d".to_string()]
    );
    assert!(loopback_name("127.0.0.1:99") && loopback_name("LOCALHOST"));
    assert!(!loopback_name("192.168.1.2:80") && !loopback_name("example.com"));
}
