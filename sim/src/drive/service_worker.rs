//! The services' side of the cluster core: when a service's delivery worker wakes with a
//! request, the service handles it at once and sends its reply before taking the next
//! message, like Maelstrom's single service thread.

use serde_json::Value;

use crate::drive::protocol;
use crate::drive::state::State;
use crate::world::endpoint::Endpoint;
use crate::world::packet::Packet;
use crate::world::services::Service;

/// `service` receives `packet` now: the request is journaled as delivered, handled, and the
/// reply (if the handler gives one) sent back to the request's `src` over the network. A
/// reply to an id that no longer exists is not sent (Maelstrom's worker throws).
pub(crate) fn serve(st: &mut State, service: Service, packet: &Packet) {
    let me = Endpoint::Service(service);
    let now = st.wire.now;
    st.wire
        .journal
        .recv(now, packet.id, packet.from, me, &packet.line);
    let Ok(Value::Object(mut message)) = serde_json::from_slice::<Value>(&packet.line) else {
        return;
    };
    let (Some(Value::String(src)), Some(Value::Object(body))) =
        (message.remove("src"), message.remove("body"))
    else {
        return;
    };
    let Some(reply) = st.services.handle(service, &src, &body) else {
        return;
    };
    let Some(dest) = st.endpoint(&src) else {
        return;
    };
    let wire = &mut st.wire;
    let id = wire.message_id();
    let reply = Value::Object(reply);
    let line = protocol::stdin_line(id, service.name(), &src, &reply.to_string());
    wire.journal.send(now, id, me, dest, &line);
    match dest {
        Endpoint::Node(to) => wire.send_to_node(id, me, to, line),
        Endpoint::Service(s) => {
            let slot = wire.net.service_slot(s);
            wire.send_to_node(id, me, slot, line);
        }
        Endpoint::Client(c) => {
            wire.journal.recv(now, id, me, dest, &line);
            if let Value::Object(body) = reply {
                st.client_receive(c, &body);
            }
        }
    }
}
