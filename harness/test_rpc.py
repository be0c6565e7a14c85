"""Unit tests for client RPC (reply schemas, errors, reply matching) and node
stdout envelopes.

Run with ``python3 -m unittest discover -s harness -p 'test_*.py'`` from the
repository root.
"""

import unittest

import harness_rpc as rpc
from harness_nodes import EnvelopeError, parse_envelope


class RpcTests(unittest.TestCase):
    def test_reply_schemas(self):
        ok = rpc.completion("echo", "x", {"type": "echo_ok", "echo": "x", "in_reply_to": 1,
                                          "msg_id": 3})
        self.assertEqual(ok, {"type": "ok", "value": "x"})
        bad = rpc.completion("broadcast", 0, {"type": "broadcast_ok", "in_reply_to": 1,
                                               "extra": 1})
        self.assertEqual(bad["type"], "info")
        self.assertIn("exception", bad)
        bad = rpc.completion("read", None, {"type": "read_ok", "in_reply_to": 1,
                                             "messages": {"a": 1}})
        self.assertEqual(bad["type"], "info")
        missing = rpc.completion("generate", None, {"type": "generate_ok", "in_reply_to": 1})
        self.assertEqual(missing["type"], "info")

    def test_errors_and_timeouts(self):
        self.assertEqual(rpc.completion("read", None, None)["type"], "fail")
        self.assertEqual(rpc.completion("broadcast", 1, None),
                         {"type": "info", "value": 1, "error": "net-timeout"})
        err = {"type": "error", "in_reply_to": 1, "code": 11, "text": "busy", "more": 1}
        self.assertEqual(rpc.completion("broadcast", 1, err)["type"], "fail")
        crash = {"type": "error", "in_reply_to": 1, "code": 13}
        self.assertEqual(rpc.completion("broadcast", 1, crash)["type"], "info")
        self.assertEqual(rpc.completion("read", None, crash)["type"], "fail")
        custom = rpc.completion("generate", None, {"type": "error", "in_reply_to": 1,
                                                    "code": 1000})
        self.assertEqual((custom["type"], custom["error"]), ("info", ["unknown", None]))

    def test_matches(self):
        self.assertTrue(rpc.matches({"in_reply_to": 3}, 3))
        self.assertFalse(rpc.matches({"in_reply_to": 3.0}, 3))
        self.assertFalse(rpc.matches({"in_reply_to": True}, 1))

    def test_envelope(self):
        self.assertEqual(parse_envelope(b'{"src":"n0","dest":"c1","body":{"type":"x"},"id":4}'),
                         ("n0", "c1", {"type": "x"}))
        for bad in (b"", b"  ", b"nope", b"[1]", b'{"src":"n0","dest":"c1"}',
                    b'{"src":"n0","dest":"c1","body":{},"extra":1}',
                    b'{"src":"n0","dest":"c1","body":{},"id":"7"}',
                    b'{"src":1,"dest":"c1","body":{}}'):
            with self.assertRaises(EnvelopeError):
                parse_envelope(bad)


if __name__ == "__main__":
    unittest.main()
