//! Decoding tests: node messages, as the node decodes them for its item kind.

use crate::node::kinds::values::Values;
use crate::node::{Payload, decode};
use crate::wire::Decoder;

fn echo_of(line: &str) -> Box<str> {
    let mut buf = line.as_bytes().to_vec();
    match decode::<Values>(&mut Decoder::new(), &mut buf).map(|m| m.body.payload) {
        Ok(Payload::Echo { echo }) => echo,
        other => panic!("{other:?}"),
    }
}

#[test]
fn echo_keeps_any_json_value_as_equivalent_text() {
    for echo in [
        r#""Please echo 35""#,
        r#""quote \" backslash \\ newline \n tab \t ctl \u0001 ü""#,
        r#"{"a":[1,2.5,null]}"#,
        "-17",
    ] {
        let line = format!(
            r#"{{"src":"c1","dest":"n0","body":{{"type":"echo","echo":{echo},"msg_id":1}}}}"#
        );
        let text = echo_of(&line);
        let back: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let sent: serde_json::Value = serde_json::from_str(echo).expect("valid JSON");
        assert_eq!(back, sent, "{echo} came back as {text}");
    }
}

#[test]
fn gossip_timing_fields_are_optional_and_checked() {
    let gossip = |body: &str| {
        let line = format!(r#"{{"src":"n0","dest":"n1","body":{{"type":"gossip",{body}}}}}"#);
        let mut buf = line.into_bytes();
        match decode::<Values>(&mut Decoder::new(), &mut buf).map(|m| m.body.payload) {
            Ok(Payload::Gossip(g)) => Ok((g.sent, g.round)),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.kind.to_string()),
        }
    };
    assert_eq!(
        gossip(r#""acks":[1]"#),
        Ok((None, None)),
        "older nodes omit them"
    );
    assert_eq!(
        gossip(r#""acks":[1],"sent":1700000000123,"round":[1700000001000,1640,110]"#),
        Ok((
            Some(1_700_000_000_123),
            Some([1_700_000_001_000, 1640, 110])
        ))
    );
    let e = gossip(r#""round":[1,2]"#).expect_err("two numbers");
    assert!(e.contains("round"), "{e}");
    let e = gossip(r#""sent":-5"#).expect_err("negative");
    assert!(e.contains("sent"), "{e}");
}

#[test]
fn a_childs_latency_report_is_optional_and_checked() {
    let lat = |body: &str| {
        let line = format!(r#"{{"src":"n3","dest":"n0","body":{{"type":"gossip",{body}}}}}"#);
        let mut buf = line.into_bytes();
        match decode::<Values>(&mut Decoder::new(), &mut buf).map(|m| m.body.payload) {
            Ok(Payload::Gossip(g)) => Ok(g.latency.to_vec()),
            Ok(other) => panic!("{other:?}"),
            Err(e) => Err(e.kind.to_string()),
        }
    };
    assert_eq!(lat(r#""acks":[1]"#), Ok(vec![]), "older nodes omit it");
    assert_eq!(
        lat(r#""seq":4,"values":[7],"sent":1700000000123,"lat":[96,412]"#),
        Ok(vec![96, 412])
    );
    let e = lat(r#""lat":140"#).expect_err("a list");
    assert!(e.contains("lat"), "{e}");
    let e = lat(r#""lat":[-3]"#).expect_err("negative");
    assert!(e.contains("lat"), "{e}");
}
