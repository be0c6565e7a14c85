//! What Elle's transactional analyses share (`elle/core.clj`, `elle/txn.clj`,
//! `elle/consistency_model.clj`, `elle/graph.clj`): used by txn-rw-register's rw-register
//! analysis and txn-list-append's list-append analysis.
//!
//! | module | holds |
//! |---|---|
//! | [`kinds`] | anomaly types, dependency relations, one explained step of a cycle |
//! | [`graph`] | the typed dependency graph, real-time and process edges |
//! | [`scc`] | strongly connected components |
//! | [`cycles`] | cycle search per component with a step budget, and cycle typing |
//! | [`models`] | what each consistency model forbids; `:not` / `:also-not` |

pub mod cycles;
pub mod graph;
pub mod kinds;
pub mod models;
pub mod scc;
