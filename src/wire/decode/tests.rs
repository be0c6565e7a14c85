//! Decoding tests that need the decoder's internals.

use super::*;

fn echo_of(line: &str) -> Box<str> {
    let mut buf = line.as_bytes().to_vec();
    match Decoder::new().decode(&mut buf).map(|m| m.body.payload) {
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
