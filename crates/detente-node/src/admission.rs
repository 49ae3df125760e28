//! Reads what a message is judged against (the channel's suspensions, the
//! agreement in force, the document it cites) and judges it by
//! [`detente_proto::admission::admit`], the one home of those rules, for
//! the message being composed and the message received alike.

use detente_proto::admission::{Cited, Refusal, Standing, admit};
use detente_proto::agreement::Agreement;
use detente_proto::body::Citation;
use detente_proto::envelope::Envelope;
use detente_proto::ids::PartyCode;
use detente_store::Store;

use crate::channels::suspensions;
use crate::error::NodeResult;
use crate::guarantees::guarantee_state;
use crate::node::Node;
use crate::pledges::pledge_state;

impl Node {
    /// The agreement a message of `envelope`'s kind is judged by on the
    /// channel with `with`: the one in force, if the kind is judged by one.
    /// For blocking threads.
    pub(crate) fn judging_agreement_blocking(
        &self,
        store: &dyn Store,
        envelope: &Envelope,
        with: &PartyCode,
    ) -> NodeResult<Option<Agreement>> {
        if envelope.kind().judged_by_agreement() {
            self.agreement_in_force_blocking(store, with)
        } else {
            Ok(None)
        }
    }

    /// Judges `envelope` on the channel with `with`, under `agreement` (the
    /// one in force, as [`Self::judging_agreement_blocking`] finds it).
    /// The outer error is a failure to read what it is judged against; the
    /// inner one the refusal, for the caller to answer as its side must
    /// (an officer's error, a peer's rejection). For blocking threads.
    pub(crate) fn admit_blocking(
        &self,
        store: &dyn Store,
        envelope: &Envelope,
        with: &PartyCode,
        agreement: Option<&Agreement>,
    ) -> NodeResult<Result<(), Refusal>> {
        let suspensions = suspensions(store, self.party(), with)?;
        // Store reads, and only for the rare message that cites something.
        let (guarantee, pledge) = match envelope.body.alleged_breach() {
            Some(Citation::Guarantee(id)) => (guarantee_state(store, &self.keyring(), id)?, None),
            Some(Citation::Pledge(reference)) => {
                (None, pledge_state(store, &self.keyring(), reference)?)
            }
            None => (None, None),
        };
        let cited = match (&guarantee, &pledge) {
            (Some(state), _) => Some(Cited::Guarantee {
                guarantee: state.guarantee(),
                events: &state.events,
            }),
            (_, Some(state)) => Some(Cited::Pledge {
                pledge: state.pledge(),
                events: &state.events,
            }),
            (None, None) => None,
        };
        Ok(admit(
            envelope,
            &Standing {
                counterparty: with,
                suspensions: &suspensions,
                agreement,
                cited,
            },
        ))
    }
}
