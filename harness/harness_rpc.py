"""Client-side RPC semantics: request bodies, reply schemas, outcome mapping.

Spec sections 1, 3, 4 and 6:

* A client accepts any reply whose ``in_reply_to`` equals its one
  outstanding ``msg_id`` (whatever the reply's ``src``); others are discarded.
* Error bodies (``type: "error"``) are checked first: ``code`` (int) and
  ``in_reply_to`` required, ``text`` optional, extra keys allowed.
* Other replies are validated against closed schemas: ``type`` (the expected
  reply type), ``in_reply_to`` (int), optional ``msg_id`` (int) plus the
  workload's own fields.  Anything else is a "Malformed RPC response", which
  the interpreter records as ``:info`` with an exception.
* A definite error code, or any error/timeout on an idempotent op (only
  broadcast's ``read``), is ``:fail``; otherwise ``:info``.
"""

# code -> (name, definite?)   from resources/errors.edn via the spec
ERROR_CODES = {
    0: ("timeout", False),
    1: ("node-not-found", True),
    10: ("not-supported", True),
    11: ("temporarily-unavailable", True),
    12: ("malformed-request", True),
    13: ("crash", False),
    14: ("abort", True),
    20: ("key-does-not-exist", True),
    21: ("key-already-exists", True),
    22: ("precondition-failed", True),
    30: ("txn-conflict", True),
}

ANY = object()   # schema marker: any JSON value

# reply type -> {field: required type}; None = no closed-schema check (init_ok)
REPLY_SCHEMAS = {
    "echo_ok": {"echo": ANY},
    "generate_ok": {"id": ANY},
    "broadcast_ok": {},
    "read_ok": {"messages": list},
    "topology_ok": {},
    "init_ok": None,
}

# request :f -> reply type
REPLY_TYPE = {
    "echo": "echo_ok",
    "generate": "generate_ok",
    "broadcast": "broadcast_ok",
    "read": "read_ok",
    "topology": "topology_ok",
    "init": "init_ok",
}

IDEMPOTENT = frozenset(("read",))


class MalformedReply(Exception):
    """A reply that fails its schema ("Malformed RPC response")."""


def is_int(x):
    """A JSON integer (Python bools are excluded)."""
    return isinstance(x, int) and not isinstance(x, bool)


def request_body(f, value, msg_id):
    """The request body for an op ``f`` with ``value``."""
    if f == "echo":
        return {"type": "echo", "echo": value, "msg_id": msg_id}
    if f == "generate":
        return {"type": "generate", "msg_id": msg_id}
    if f == "broadcast":
        return {"type": "broadcast", "message": value, "msg_id": msg_id}
    if f == "read":
        return {"type": "read", "msg_id": msg_id}
    if f == "topology":
        return {"type": "topology", "topology": value, "msg_id": msg_id}
    if f == "init":
        node_id, node_ids = value
        return {"type": "init", "node_id": node_id, "node_ids": list(node_ids),
                "msg_id": msg_id}
    raise ValueError("unknown f %r" % (f,))


def matches(body, msg_id):
    """Does ``body`` answer the outstanding request ``msg_id``?"""
    return isinstance(body, dict) and is_int(body.get("in_reply_to")) \
        and body["in_reply_to"] == msg_id


def validate_error(body):
    """Validate an error body; return ``(code, text)`` or raise."""
    code = body.get("code")
    if not is_int(code):
        raise MalformedReply("error body without an integer code: %r" % (body,))
    if not is_int(body.get("in_reply_to")):
        raise MalformedReply("error body without integer in_reply_to: %r" % (body,))
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise MalformedReply("error text is not a string: %r" % (body,))
    return code, text


def validate_reply(body, reply_type):
    """Check a non-error reply against the closed schema for ``reply_type``."""
    if body.get("type") != reply_type:
        raise MalformedReply("expected type %r, got %r" % (reply_type, body.get("type")))
    fields = REPLY_SCHEMAS[reply_type]
    if fields is None:
        return
    allowed = {"type", "in_reply_to", "msg_id"} | set(fields)
    extra = set(body) - allowed
    if extra:
        raise MalformedReply("Malformed RPC response: disallowed keys %s in %r"
                             % (sorted(extra), body))
    if not is_int(body.get("in_reply_to")):
        raise MalformedReply("Malformed RPC response: in_reply_to not an integer")
    if "msg_id" in body and not is_int(body["msg_id"]):
        raise MalformedReply("Malformed RPC response: msg_id not an integer")
    for key, typ in fields.items():
        if key not in body:
            raise MalformedReply("Malformed RPC response: missing %r in %r" % (key, body))
        if typ is not ANY and not isinstance(body[key], typ):
            raise MalformedReply("Malformed RPC response: %r has the wrong type" % key)


def error_name(code):
    """Name of an error code; ``unknown`` for codes not in the table."""
    entry = ERROR_CODES.get(code)
    return entry[0] if entry else "unknown"


def is_definite(code):
    """Definite codes are the table's definite ones; custom/unknown are not."""
    entry = ERROR_CODES.get(code)
    return bool(entry and entry[1])


def completion(f, inv_value, reply):
    """Map a reply (or ``None`` for a timeout) to a history completion.

    Returns a dict with ``type`` (ok/fail/info), ``value`` and, for
    non-ok outcomes, ``error`` or ``exception``.
    """
    idempotent = f in IDEMPOTENT
    if reply is None:
        return {"type": "fail" if idempotent else "info", "value": inv_value,
                "error": "net-timeout"}
    try:
        if reply.get("type") == "error":
            code, text = validate_error(reply)
            kind = "fail" if (is_definite(code) or idempotent) else "info"
            return {"type": kind, "value": inv_value, "error": [error_name(code), text],
                    "code": code}
        validate_reply(reply, REPLY_TYPE[f])
    except MalformedReply as e:
        return {"type": "info", "value": inv_value, "exception": str(e)}
    if f == "echo":
        value = reply["echo"]
    elif f == "generate":
        value = reply["id"]
    elif f == "read":
        value = reply["messages"]
    else:
        value = inv_value
    return {"type": "ok", "value": value}
