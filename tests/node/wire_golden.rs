//! Golden wire tests: every `tests/golden/*.in` file, fed line by line to a node exactly as the
//! runtime feeds it, must produce the matching `.out` file byte for byte.
//!
//! The same files are replayed through the real binary in `tests/binary/e2e.rs`.

use std::path::{Path, PathBuf};

use glomers::Time;
use glomers::config::NodeConfig;
use glomers::step::{Driven, Feed};

fn golden_cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "in"))
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 4,
        "golden cases missing in {}",
        dir.display()
    );
    cases
}

fn run_in_process(input: &str) -> String {
    let mut node = Driven::new(NodeConfig::default());
    let mut out = Vec::new();
    for line in input.lines() {
        let mut buf = line.as_bytes().to_vec();
        let len = buf.len();
        let feed = Feed::Line { buf: &mut buf, len };
        node.step(Time::from_millis(1), feed, &mut out, |_| {});
    }
    String::from_utf8(out).expect("UTF-8 output")
}

#[test]
fn every_golden_case_matches_byte_for_byte() {
    for case in golden_cases() {
        let input = std::fs::read_to_string(&case).expect("readable .in");
        let expected = std::fs::read_to_string(case.with_extension("out")).expect("matching .out");
        let actual = run_in_process(&input);
        assert_eq!(actual, expected, "golden case {}", case.display());
    }
}

#[test]
fn every_output_line_is_valid_json_with_only_maelstrom_keys() {
    for case in golden_cases() {
        let input = std::fs::read_to_string(&case).expect("readable .in");
        for line in run_in_process(&input).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("valid JSON");
            let obj = v.as_object().expect("object");
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["body", "dest", "src"], "{line}");
            let body = obj["body"].as_object().expect("body object");
            assert!(body["type"].is_string(), "{line}");
            assert!(body["in_reply_to"].is_u64(), "{line}");
        }
    }
}
