"""Node processes: launching, stdin writing, stdout reading and validation.

Spec section 5: the binary is executed directly (no shell) with the extra
arguments, in the temp directory, stdin/stdout as pipes and stderr copied to
``node-logs/<node>.log``.  Each stdout line must be a JSON object with only
``src``, ``dest``, ``body`` and optionally an integer ``id``; ``src`` and
``dest`` must exist in the network.  The first offending line is recorded
and the node's stdout is never read again (Maelstrom's reader gives up).
"""

import json
import os
import subprocess
import sys
import threading

from harness_net import InvalidMessage, now_ns

ENVELOPE_KEYS = frozenset(("src", "dest", "body", "id"))


class EnvelopeError(Exception):
    """A stdout line Maelstrom would reject."""


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def parse_envelope(raw):
    """Parse one stdout line (bytes or str, without the newline).

    Returns ``(src, dest, body)``; raises ``EnvelopeError`` for a blank or
    non-JSON line, a non-object, unknown top-level keys, a missing/ill-typed
    ``src``/``dest``/``body`` or a non-integer ``id``.  (The schema accepts any
    ``body``; we additionally require an object, as every use needs one.)
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise EnvelopeError("stdout line is not UTF-8: %s" % e) from None
    if not raw.strip():
        raise EnvelopeError("blank line on stdout")
    try:
        msg = json.loads(raw)
    except ValueError as e:
        raise EnvelopeError("stdout line is not JSON: %s" % e) from None
    if not isinstance(msg, dict):
        raise EnvelopeError("stdout line is not a JSON object")
    extra = set(msg) - ENVELOPE_KEYS
    if extra:
        raise EnvelopeError("disallowed top-level keys %s" % sorted(extra))
    for key in ("src", "dest"):
        if not isinstance(msg.get(key), str):
            raise EnvelopeError("missing or non-string %r" % key)
    if "body" not in msg:
        raise EnvelopeError("missing 'body'")
    if not isinstance(msg["body"], dict):
        raise EnvelopeError("'body' is not a JSON object")
    if "id" in msg and not _is_int(msg["id"]):
        raise EnvelopeError("'id' is not an integer")
    return msg["src"], msg["dest"], msg["body"]


class NodeProcess:
    """One node binary, its pipes and its stdout reader thread."""

    def __init__(self, node_id, argv, cwd, log_path, network, violations, t0):
        self.node_id = node_id
        self.argv = argv
        self.cwd = cwd
        self.log_path = log_path
        self.network = network
        self.violations = violations      # shared list, appended under its own lock
        self.t0 = t0
        self.proc = None
        self.killed = False
        self._write_lock = threading.Lock()
        self._reader = None
        self._log = None

    def start(self):
        """Spawn the process and start reading its stdout."""
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self._log,
                                     bufsize=-1, close_fds=True)
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name="stdout-" + self.node_id)
        self._reader.start()

    def write_line(self, line):
        """Write one line to stdin (serialized); False if the pipe is gone."""
        data = line.encode("utf-8") + b"\n"
        with self._write_lock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
                return True
            except (BrokenPipeError, OSError, ValueError):
                return False

    def _violation(self, reason, line):
        text = line.decode("utf-8", "replace") if isinstance(line, bytes) else str(line)
        if len(text) > 300:
            text = text[:300] + "..."
        entry = {"node": self.node_id, "time": now_ns() - self.t0, "error": reason,
                 "line": text}
        self.violations.append(entry)
        print("[harness] %s: %s -- stdout of %s is now ignored; line: %s"
              % (self.node_id, reason, self.node_id, text), file=sys.stderr, flush=True)

    def _read_loop(self):
        stream = self.proc.stdout
        while True:
            try:
                raw = stream.readline()
            except (OSError, ValueError):
                return
            if not raw:
                if not self.killed:
                    print("[harness] %s closed its stdout" % self.node_id,
                          file=sys.stderr, flush=True)
                return
            if not raw.endswith(b"\n"):
                return  # an unterminated last line is never handled
            line = raw[:-1]
            try:
                src, dest, body = parse_envelope(line)
                self.network.send(src, dest, body)
            except (EnvelopeError, InvalidMessage) as e:
                self._violation(str(e), line)
                return

    def exit_status(self):
        """The exit status if the process has already exited, else None."""
        return self.proc.poll() if self.proc else None

    def kill(self):
        """SIGKILL the process and release its pipes."""
        self.killed = True
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
        if self.proc:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for f in (self.proc.stdin,):
                try:
                    f.close()
                except OSError:
                    pass
        if self._reader:
            self._reader.join(timeout=2)
        if self._log:
            self._log.close()


def resolve_bin(path):
    """Absolute path of ``--bin``; raises ValueError if not executable."""
    abs_path = os.path.abspath(path)
    if not os.path.isfile(abs_path) or not os.access(abs_path, os.X_OK):
        raise ValueError("--bin %s is not an executable file" % abs_path)
    return abs_path
