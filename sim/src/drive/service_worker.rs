//! The services' side of the cluster core: when a service's delivery worker wakes with a
//! request, the service handles it at once and sends its reply before taking the next
//! message, like Maelstrom's single service thread.

use serde_json::Value;

use crate::drive::cluster::Cluster;
use crate::drive::protocol;
use crate::services::Service;
use crate::world::endpoint::Endpoint;
use crate::world::network::Packet;

impl Cluster {
    /// `service` receives `packet` now: the request is journaled as delivered, handled, and
    /// the reply (if the handler gives one) sent back to the request's `src` over the network.
    /// A reply to an id that no longer exists is not sent (Maelstrom's worker throws).
    pub(super) fn serve(&mut self, service: Service, packet: &Packet) {
        let me = Endpoint::Service(service);
        self.journal
            .recv(self.now, packet.id, packet.from, me, &packet.line);
        let Ok(Value::Object(mut message)) = serde_json::from_slice::<Value>(&packet.line) else {
            return;
        };
        let (Some(Value::String(src)), Some(Value::Object(body))) =
            (message.remove("src"), message.remove("body"))
        else {
            return;
        };
        let Some(reply) = self.services.handle(service, &src, &body) else {
            return;
        };
        let Some(dest) = self.endpoint(&src) else {
            return;
        };
        let id = self.message_id();
        let reply = Value::Object(reply);
        let line = protocol::stdin_line(id, service.name(), &src, &reply.to_string());
        self.journal.send(self.now, id, me, dest, &line);
        match dest {
            Endpoint::Node(to) => self.send_to_node(id, me, to, line),
            Endpoint::Service(s) => {
                let slot = self.net.service_slot(s);
                self.send_to_node(id, me, slot, line);
            }
            Endpoint::Client(c) => {
                self.journal.recv(self.now, id, me, dest, &line);
                if let Value::Object(body) = reply {
                    self.client_receive(c, &body);
                }
            }
        }
    }
}
