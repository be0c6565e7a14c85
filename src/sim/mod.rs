//! The Maelstrom simulator behind `glomers-sim` (in progress).
