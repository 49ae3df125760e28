//! Asking the witnesses which checkpoint of this log they hold, and
//! holding the log when the stored one is behind it (`log/guard.rs` has
//! the rules; docs/operations.md, "Restoring a backup").
//!
//! `GET /log/witnessed` (pinned peers only) answers a peer with the
//! checkpoint of *its* log this node holds as a witness (the C2SP note,
//! with this node's cosignature), or `404 not-witnessed`. The node asks
//! each of its witnesses at start and every [`CONFIRM_EVERY`] after
//! ([`CONFIRM_RETRY`] while it waits to be confirmed).

use std::sync::Arc;
use std::time::Duration;

use detente_log::checkpoint::SignedCheckpoint;
use detente_log::note::NoteVerifier;
use detente_proto::ids::PartyCode;
use detente_store::Alarm;
use tokio::sync::watch;

use super::guard::{HIGH_WATER_FILE, HighWater, Hold, Standing};
use crate::error::{NodeError, NodeResult};
use crate::node::Node;

/// How often the witnesses are asked once the log is open.
pub const CONFIRM_EVERY: Duration = Duration::from_secs(60);

/// How often they are asked while the log waits to be confirmed.
pub const CONFIRM_RETRY: Duration = Duration::from_secs(2);

/// How often they are asked, and the missing entries looked for, while
/// the stored log is behind what it signed.
pub const RECOVER_RETRY: Duration = Duration::from_secs(10);

/// What one witness said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// It holds a checkpoint the stored log agrees with (or none).
    Agrees,
    /// It holds one the stored log is behind or apart from: why, and the
    /// size and root of the checkpoint it holds.
    Disagrees(Hold, HighWater),
    /// It could not be asked, or answered with nothing checkable.
    Unheard(String),
}

impl Node {
    /// `GET /log/witnessed`: the checkpoint of `peer`'s log this node holds
    /// as a witness, as a C2SP note.
    pub async fn witnessed_for(&self, peer: Option<PartyCode>) -> NodeResult<Vec<u8>> {
        let peer = peer.ok_or(crate::error::PeerRejection::NotAPeer)?;
        let origin = super::origin(&peer);
        let record = self
            .with_store(move |s| Ok(s.witness_record(&origin)?))
            .await?;
        record.map(|(_, note)| note).ok_or(NodeError::NotFound {
            what: "witnessed checkpoint of the log of",
            id: peer.to_string(),
        })
    }

    /// Judges the high-water mark in `dir` against the stored log, before
    /// anything is logged, and keeps the mark from now on.
    pub(crate) fn guard_log(&self, dir: &std::path::Path) -> NodeResult<()> {
        let mark = HighWater::read(dir)?;
        let witnesses = self.witness_parties();
        let standing = self.log.standing_at_start(mark, &witnesses);
        if let Standing::Held(hold) = &standing {
            tracing::error!(%hold, "the log is held: nothing is signed");
            self.alarm_held(hold, mark.map(|m| m.to_text()).unwrap_or_default())?;
        }
        self.log.set_standing(standing);
        self.log.keep_high_water(dir.join(HIGH_WATER_FILE));
        Ok(())
    }

    fn alarm_held(&self, hold: &Hold, evidence: String) -> NodeResult<()> {
        if matches!(hold, Hold::Unconfirmed { .. }) {
            return Ok(());
        }
        self.store.raise_alarm(&Alarm {
            at: self.now(),
            kind: format!("log-{}", <&'static str>::from(hold)),
            subject: super::origin(self.party()),
            detail: hold.to_string(),
            evidence: evidence.into_bytes(),
        })?;
        Ok(())
    }

    /// Asks one witness which checkpoint of this log it holds.
    async fn ask_witness(self: &Arc<Self>, party: &PartyCode) -> Answer {
        let Some(peer) = self.peers.get(party) else {
            return Answer::Unheard("not a peer".into());
        };
        let client = match self.clients.for_peer(self, &peer) {
            Ok(client) => client,
            Err(e) => return Answer::Unheard(e.to_string()),
        };
        let url = format!(
            "{}/log/witnessed",
            peer.card.card().endpoint.trim_end_matches('/')
        );
        let response = match client.get(&url).send().await {
            Ok(response) => response,
            Err(e) => return Answer::Unheard(crate::outbox::error_chain(&e)),
        };
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Answer::Agrees;
        }
        if !response.status().is_success() {
            return Answer::Unheard(format!("answered {}", response.status()));
        }
        let Ok(body) = response.bytes().await else {
            return Answer::Unheard("no body".into());
        };
        // Only a checkpoint this party signed counts.
        let Ok(signed) = SignedCheckpoint::parse(&body) else {
            return Answer::Unheard("not a checkpoint".into());
        };
        let verifiers: Vec<_> = self
            .keyring()
            .cards()
            .filter(|c| c.card().party == *self.party())
            .filter_map(|c| super::log_verifier(self.party(), &c.keys().signing).ok())
            .collect();
        let known: Vec<&dyn NoteVerifier> =
            verifiers.iter().map(|v| v as &dyn NoteVerifier).collect();
        let checkpoint = signed.checkpoint();
        if signed.verify(&known).is_err() || checkpoint.origin() != super::origin(self.party()) {
            return Answer::Unheard("a checkpoint this node did not sign".into());
        }
        let mark = HighWater {
            size: checkpoint.size(),
            root: *checkpoint.root(),
        };
        match self.log.judge(party.as_str(), mark) {
            Ok(()) => Answer::Agrees,
            Err(hold) => {
                let _ = self.alarm_held(&hold, String::from_utf8_lossy(&body).into_owned());
                Answer::Disagrees(hold, mark)
            }
        }
    }

    async fn ask_witnesses(self: &Arc<Self>) -> Vec<(PartyCode, Answer)> {
        let mut answers = Vec::new();
        for party in self.witness_parties() {
            let answer = self.ask_witness(&party).await;
            answers.push((party, answer));
        }
        answers
    }

    /// The largest checkpoint this node signed that the stored log is
    /// behind: held by a witness, or the high-water mark.
    fn behind_target(
        &self,
        answers: &[(PartyCode, Answer)],
        mark: Option<HighWater>,
    ) -> Option<HighWater> {
        let mark = mark.filter(|m| matches!(self.log.judge("", *m), Err(Hold::Behind { .. })));
        answers
            .iter()
            .filter_map(|(_, a)| match a {
                Answer::Disagrees(Hold::Behind { .. }, signed) => Some(*signed),
                _ => None,
            })
            .chain(mark)
            .max_by_key(|m| m.size)
    }

    /// Asks every witness once and updates whether the log may sign: when
    /// the stored log is behind what it signed, first recovers the missing
    /// entries from the peers' copies (`log/recovery.rs`) and asks again;
    /// then held when a witness or the high-water mark disagrees; opened,
    /// from waiting or from behind, when every witness has answered and
    /// all agree. Returns each witness's answer.
    pub async fn confirm_log_once(self: &Arc<Self>) -> Vec<(PartyCode, Answer)> {
        let mut answers = self.ask_witnesses().await;
        let mut mark = self.log.high_water();
        if let Some(target) = self.behind_target(&answers, mark) {
            match self.recover_log(target).await {
                Ok(recovered) => {
                    tracing::info!(
                        recovered,
                        size = target.size,
                        "recovered the log's missing entries from the peers' copies"
                    );
                    self.log.set_recovery(None);
                    // The sequencer rewrote the mark with the entries.
                    mark = self.log.high_water();
                    answers = self.ask_witnesses().await;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot recover the log's missing entries");
                    self.log.set_recovery(Some(error));
                }
            }
        }
        let mark = mark.and_then(|m| self.log.judge("the high-water mark", m).err());
        let disagreement = answers
            .iter()
            .find_map(|(_, a)| match a {
                Answer::Disagrees(hold, _) => Some(hold.clone()),
                _ => None,
            })
            .or(mark);
        let unheard: Vec<&str> = answers
            .iter()
            .filter(|(_, a)| matches!(a, Answer::Unheard(_)))
            .map(|(p, _)| p.as_str())
            .collect();
        match (disagreement, self.log.standing()) {
            (Some(hold), _) => {
                tracing::error!(%hold, "a witness holds more of this log than is stored: nothing is signed");
                self.log.set_standing(Standing::Held(hold));
            }
            (None, Standing::Held(Hold::Unconfirmed { .. } | Hold::Behind { .. }))
                if unheard.is_empty() =>
            {
                tracing::info!("every witness agrees with the stored log: it signs again");
                self.log.set_standing(Standing::Open);
            }
            (None, Standing::Held(Hold::Unconfirmed { .. } | Hold::Behind { .. })) => {
                self.log.set_standing(Standing::Held(Hold::Unconfirmed {
                    waiting: unheard.join(", "),
                }));
            }
            _ => {}
        }
        answers
    }
}

/// Asks the witnesses at start and then on schedule, until shutdown.
pub(crate) async fn run_confirmation(node: Arc<Node>, mut shutdown: watch::Receiver<bool>) {
    loop {
        node.confirm_log_once().await;
        let wait = match node.log.standing() {
            Standing::Held(Hold::Unconfirmed { .. }) => CONFIRM_RETRY,
            Standing::Held(Hold::Behind { .. }) => RECOVER_RETRY,
            _ => CONFIRM_EVERY,
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}
