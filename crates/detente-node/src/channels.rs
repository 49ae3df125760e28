//! Channel status: a party suspends or resumes its channel with another by
//! a signed `channel-status` message, which both nodes store and log like
//! any message. A channel is suspended while the latest `channel-status`
//! from either party says `suspended`. This module reads those standing
//! suspensions from the store; what they refuse is a rule of admission
//! ([`detente_proto::admission`]).

pub use detente_proto::admission::Suspension;
use detente_proto::body::{Body, ChannelState};
use detente_proto::envelope::UnverifiedEnvelope;
use detente_proto::ids::{PartyCode, Tier};
use detente_proto::kind::MessageKind;
use detente_proto::limits::Limits;
use detente_store::{Direction, Mailbox, MessageQuery, Store, StoredMessage};

use crate::error::NodeResult;
use crate::node::Node;

/// The suspensions standing on the channel with `with`: for each party,
/// its latest `channel-status`, if that says `suspended`.
pub fn suspensions(
    store: &dyn Store,
    me: &PartyCode,
    with: &PartyCode,
) -> NodeResult<Vec<Suspension>> {
    let statuses = store.messages(&MessageQuery {
        mailbox: Mailbox::All,
        state: None,
        tiers: Tier::ALL.to_vec(),
        counterparty: Some(with.clone()),
        kind: Some(MessageKind::ChannelStatus),
        limit: 10_000,
    })?;
    let mut found = Vec::new();
    for (direction, by) in [(Direction::Sent, me), (Direction::Received, with)] {
        // Newest first: the first from that party is its latest word.
        if let Some(latest) = statuses.iter().find(|m| m.message.direction == direction)
            && let Some(suspension) = suspension_in(latest, by)?
        {
            found.push(suspension);
        }
    }
    Ok(found)
}

fn suspension_in(stored: &StoredMessage, by: &PartyCode) -> NodeResult<Option<Suspension>> {
    // Verified when it was stored; read back without the outside bounds.
    let envelope = UnverifiedEnvelope::parse(&stored.message.envelope, &Limits::unbounded())?;
    let claimed = envelope.claimed();
    Ok(match &claimed.body {
        Body::ChannelStatus(status) if status.status == ChannelState::Suspended => {
            Some(Suspension {
                by: by.clone(),
                at: claimed.created_at,
                reason: status.reason.clone(),
                message: claimed.id,
            })
        }
        _ => None,
    })
}

impl Node {
    /// The suspensions standing on the channel with `with`.
    pub async fn channel_suspensions(&self, with: &PartyCode) -> NodeResult<Vec<Suspension>> {
        let (me, with) = (self.party().clone(), with.clone());
        self.with_store(move |s| suspensions(s, &me, &with)).await
    }
}
