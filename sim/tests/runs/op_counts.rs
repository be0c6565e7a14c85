//! Operation counts match Maelstrom's: 25 nodes at rate 100 for 20 s issue about 1965 ops
//! plus 25 final reads (Fly.io's 3d sample); client messages are 4·N + 2·ops.

use crate::common;

#[test]
fn rate_100_for_20_s_gives_about_1990_ops() {
    for seed in common::SEEDS {
        let r = common::run(&common::broadcast(25, 100.0, 20, 100, seed));
        let ops = r.op_count as f64;
        assert!((ops / 1990.0 - 1.0).abs() < 0.03, "seed {seed}: {ops} ops");
        let finals = r.history.ops().iter().filter(|o| o.final_read).count();
        assert_eq!(finals, 50, "25 final reads, invoked and completed");
        assert_eq!(r.net.clients.msg_count, 4 * 25 + 2 * r.op_count);
        assert_eq!(r.net.clients.send_count, r.net.clients.recv_count);
        let per_op = r.net.all.msg_count as f32 / r.op_count as f32;
        assert_eq!(r.net.all.msgs_per_op, Some(per_op));
    }
}
