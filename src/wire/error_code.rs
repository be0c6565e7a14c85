//! Maelstrom's error codes: the one table the node and the simulator both use.

/// An error code from Maelstrom's `errors.edn`. Codes below 1000 are reserved by Maelstrom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 0: the request timed out (indefinite).
    Timeout,
    /// 1: the node a request was sent to does not exist.
    NodeNotFound,
    /// 10: the request type is not supported by this node.
    NotSupported,
    /// 11: the operation cannot be served now (for example, before `init`); safe to retry.
    TemporarilyUnavailable,
    /// 12: the request is malformed (missing or mistyped fields).
    MalformedRequest,
    /// 13: the node crashed while handling the request (indefinite).
    Crash,
    /// 14: the operation was aborted.
    Abort,
    /// 20: the key does not exist.
    KeyDoesNotExist,
    /// 21: the key already exists.
    KeyAlreadyExists,
    /// 22: a precondition failed.
    PreconditionFailed,
    /// 30: a transaction conflicted.
    TxnConflict,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Timeout,
        ErrorCode::NodeNotFound,
        ErrorCode::NotSupported,
        ErrorCode::TemporarilyUnavailable,
        ErrorCode::MalformedRequest,
        ErrorCode::Crash,
        ErrorCode::Abort,
        ErrorCode::KeyDoesNotExist,
        ErrorCode::KeyAlreadyExists,
        ErrorCode::PreconditionFailed,
        ErrorCode::TxnConflict,
    ];

    /// The numeric code sent on the wire.
    pub const fn code(self) -> u16 {
        match self {
            ErrorCode::Timeout => 0,
            ErrorCode::NodeNotFound => 1,
            ErrorCode::NotSupported => 10,
            ErrorCode::TemporarilyUnavailable => 11,
            ErrorCode::MalformedRequest => 12,
            ErrorCode::Crash => 13,
            ErrorCode::Abort => 14,
            ErrorCode::KeyDoesNotExist => 20,
            ErrorCode::KeyAlreadyExists => 21,
            ErrorCode::PreconditionFailed => 22,
            ErrorCode::TxnConflict => 30,
        }
    }

    /// Maelstrom's name for the code, as it appears in histories.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorCode::Timeout => "timeout",
            ErrorCode::NodeNotFound => "node-not-found",
            ErrorCode::NotSupported => "not-supported",
            ErrorCode::TemporarilyUnavailable => "temporarily-unavailable",
            ErrorCode::MalformedRequest => "malformed-request",
            ErrorCode::Crash => "crash",
            ErrorCode::Abort => "abort",
            ErrorCode::KeyDoesNotExist => "key-does-not-exist",
            ErrorCode::KeyAlreadyExists => "key-already-exists",
            ErrorCode::PreconditionFailed => "precondition-failed",
            ErrorCode::TxnConflict => "txn-conflict",
        }
    }

    /// Whether the error is definite: the operation certainly did not happen.
    pub const fn is_definite(self) -> bool {
        !matches!(self, ErrorCode::Timeout | ErrorCode::Crash)
    }

    /// The code for a wire number, if it is one of Maelstrom's.
    pub fn from_code(code: i64) -> Option<ErrorCode> {
        ErrorCode::ALL
            .into_iter()
            .find(|c| i64::from(c.code()) == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_maelstrom() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(i64::from(c.code())), Some(c));
        }
        assert_eq!(ErrorCode::NotSupported.code(), 10);
        assert_eq!(ErrorCode::TemporarilyUnavailable.code(), 11);
        assert_eq!(ErrorCode::MalformedRequest.code(), 12);
        assert!(!ErrorCode::Timeout.is_definite());
        assert!(!ErrorCode::Crash.is_definite());
        assert!(ErrorCode::Abort.is_definite());
        assert_eq!(ErrorCode::from_code(1000), None);
    }
}
