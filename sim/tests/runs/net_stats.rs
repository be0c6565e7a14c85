//! Maelstrom's `:net` counting: sends at accept time (dropped ones included), receives at
//! delivery, groups by client involvement, msgs-per-op over every client invocation.

use glomers::Time;
use glomers_sim::world::endpoint::Endpoint::{Client, Node};
use glomers_sim::world::journal::Journal;

#[test]
fn groups_and_counts() {
    let mut j = Journal::new(false);
    let t = Time::from_millis(1500);
    j.send(t, 0, Client(0), Node(0), b"init");
    j.recv(t, 0, Client(0), Node(0), b"init");
    j.send(t, 1, Node(0), Client(0), b"init_ok");
    j.recv(t, 1, Node(0), Client(0), b"init_ok");
    j.send(t, 2, Node(0), Node(1), b"gossip");
    j.recv(t, 2, Node(0), Node(1), b"gossip");
    j.send(t, 3, Node(1), Node(0), b"gossip, dropped by a partition");
    let s = j.stats(4);
    assert_eq!(
        (
            s.clients.send_count,
            s.clients.recv_count,
            s.clients.msg_count
        ),
        (2, 2, 2)
    );
    assert_eq!(
        (
            s.servers.send_count,
            s.servers.recv_count,
            s.servers.msg_count
        ),
        (2, 1, 2)
    );
    assert_eq!(
        (s.all.send_count, s.all.recv_count, s.all.msg_count),
        (4, 3, 4)
    );
    assert_eq!(s.all.msgs_per_op, Some(1.0));
    assert_eq!(s.servers.msgs_per_op, Some(0.5));
    assert_eq!(s.clients.msgs_per_op, None);
    assert_eq!(j.server_sends_per_second(), &[0, 2]);
}

#[test]
fn no_ops_means_no_ratio_and_a_closed_journal_counts_nothing() {
    let mut j = Journal::new(true);
    j.send(Time::ZERO, 0, Node(0), Node(1), b"x");
    assert_eq!(j.stats(0).all.msgs_per_op, None);
    j.close();
    j.send(Time::ZERO, 1, Node(0), Node(1), b"y");
    assert_eq!(j.stats(1).servers.send_count, 1);
    let trace = String::from_utf8(j.trace().expect("traced").to_vec()).expect("utf-8");
    assert_eq!(trace, "0 send 0 n0 n1 x\n");
}
