//! The node: one party's identity, store, peers and clock, and the
//! operations the APIs call. Protocol steps live in their own modules
//! (`compose`, `inbox`, `outbox`).

use std::path::Path;
use std::sync::Arc;

use detente_proto::card::SignedCard;
use detente_proto::clock::Clock;
use detente_proto::envelope::SignedEnvelope;
use detente_proto::ids::PartyCode;
use detente_proto::keyring::Keyring;
use detente_proto::time::Timestamp;
use detente_store::{Direction, NewMessage, SqliteStore, Store};
use tokio::sync::broadcast;

use crate::client::PeerClients;
use crate::config::NodeConfig;
use crate::error::{Bug, ConfigProblem, NodeError, NodeResult};
use crate::events::{EventKind, NodeEvent};
use crate::keys::NodeKeys;
use crate::log::Sequencer;
use crate::peers::PeerDirectory;

/// The file name of this party's own signed card in a node directory.
pub const CARD_FILE: &str = "card.json";

/// One party's node.
#[derive(Debug)]
pub struct Node {
    pub(crate) config: NodeConfig,
    pub(crate) keys: NodeKeys,
    pub(crate) card: SignedCard,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    /// The peers' cards and the keyring (refreshed with the peers).
    pub(crate) peers: Arc<PeerDirectory>,
    /// One pinned HTTPS client per peer.
    pub(crate) clients: PeerClients,
    /// The log's single writer.
    pub(crate) log: Sequencer,
    // The subsystems, each owning its state behind a small surface.
    /// What wakes the outbox worker.
    pub(crate) outbox: crate::outbox::Outbox,
    /// What cross-checking has read of each peer's log, and its round lock.
    pub(crate) peer_logs: crate::log::PeerLogs,
    /// The agreements in force, as last computed.
    pub(crate) in_force: crate::agreements::InForce,
    /// The agreement engine's pass lock.
    pub(crate) engine: crate::engine::Engine,
    /// Alert channels, the acknowledgement link key, the pass lock.
    pub(crate) alerting: crate::alerts::Alerting,
    /// The metrics token and the request latency histograms.
    pub(crate) metrics: crate::metrics::Metrics,
    /// Which peers have taken this party's current card.
    pub(crate) card_push: crate::card_push::CardPushes,
    /// The event stream ([`Node::subscribe`]); the TAXII indexer listens to it.
    events: broadcast::Sender<NodeEvent>,
}

impl Node {
    /// Opens the node in `dir`: configuration, keys, card and database.
    pub fn open(dir: &Path, clock: Arc<dyn Clock>) -> NodeResult<Arc<Self>> {
        let config = NodeConfig::load(dir)?;
        let store = open_store(dir, &config)?;
        // A card change interrupted by a crash is finished (or undone) first.
        crate::rotation::complete_pending(dir, store.as_ref(), clock.now())?;
        let keys = NodeKeys::load(dir)?;
        let card = read_card(&dir.join(CARD_FILE))?;
        // This party's first card joins the history (a card issued by a
        // rotation is there already, with its link).
        crate::rotation::hold_own_card(store.as_ref(), &card, clock.now())?;
        let alerting = crate::alerts::Alerting::load(&config.alerts, dir, &keys.signing.to_seed())
            .map_err(|problem| NodeError::Config {
                path: dir.join(crate::config::CONFIG_FILE),
                problem: problem.into(),
            })?;
        let metrics = crate::metrics::Metrics::load(&config.metrics, dir).map_err(|problem| {
            NodeError::Config {
                path: dir.join(crate::config::CONFIG_FILE),
                problem: problem.into(),
            }
        })?;
        let node = Self::new(config, keys, card, store, clock, alerting, metrics)?;
        // Before anything is logged: may this log sign?
        node.guard_log(dir)?;
        Ok(node)
    }

    /// Assembles a node from its parts.
    pub fn new(
        config: NodeConfig,
        keys: NodeKeys,
        card: SignedCard,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        alerting: crate::alerts::Alerting,
        metrics: crate::metrics::Metrics,
    ) -> NodeResult<Arc<Self>> {
        if card.keys().signing != keys.signing.verifying_key() || card.card().party != config.party
        {
            return Err(NodeError::Config {
                path: CARD_FILE.into(),
                problem: ConfigProblem::NotOwnCard {
                    party: config.party.clone(),
                },
            });
        }
        let peers = Arc::new(PeerDirectory::load(
            store.clone(),
            card.clone(),
            clock.clone(),
            config.keys.overlap,
        )?);
        let own = keys.signing.verifying_key();
        let earlier: Vec<_> = peers
            .keyring()
            .cards()
            .filter(|c| c.card().party == config.party && c.keys().signing != own)
            .map(|c| c.keys().signing)
            .collect();
        let log = Sequencer::start(
            store.clone(),
            clock.clone(),
            &config.party,
            &keys.signing,
            &earlier,
        )?;
        let (events, _) = broadcast::channel(1024);
        Ok(Arc::new(Self {
            config,
            keys,
            card,
            store,
            clock,
            peers,
            outbox: Default::default(),
            clients: PeerClients::default(),
            log,
            peer_logs: Default::default(),
            in_force: Default::default(),
            engine: Default::default(),
            alerting,
            metrics,
            card_push: Default::default(),
            events,
        }))
    }

    /// This node's party.
    pub fn party(&self) -> &PartyCode {
        &self.config.party
    }

    /// The configuration.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// This party's signed card.
    pub fn card(&self) -> &SignedCard {
        &self.card
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The time now, on the node's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// The node's clock.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// The cards of this party and its peers: whose key was valid when.
    pub fn keyring(&self) -> Arc<Keyring> {
        self.peers.keyring()
    }

    /// The peers.
    pub fn peers(&self) -> &Arc<PeerDirectory> {
        &self.peers
    }

    /// This node's transparency log.
    pub fn log(&self) -> &Sequencer {
        &self.log
    }

    /// Subscribes to this node's events.
    pub fn subscribe(&self) -> broadcast::Receiver<NodeEvent> {
        self.events.subscribe()
    }

    pub(crate) fn emit(&self, what: EventKind) {
        // No subscriber is fine: events are for whoever listens.
        let _ = self.events.send(NodeEvent {
            at: self.now(),
            party: self.config.party.clone(),
            what,
        });
    }

    /// Runs CPU-heavy `work` (signature checks over many messages) on a
    /// blocking thread, off the async workers.
    pub async fn off_runtime<T, F>(self: &Arc<Self>, work: F) -> NodeResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Node) -> T + Send + 'static,
    {
        let node = self.clone();
        tokio::task::spawn_blocking(move || work(&node))
            .await
            .map_err(Bug::task("worker"))
    }

    /// Runs `work` with the store on a blocking thread, off the async workers.
    pub async fn with_store<T, F>(&self, work: F) -> NodeResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> NodeResult<T> + Send + 'static,
    {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || work(store.as_ref()))
            .await
            .map_err(Bug::task("store"))?
    }
}

/// Reads and checks a signed card file: this party's `card.json`, or one
/// a card change staged.
pub fn read_card(path: &Path) -> NodeResult<SignedCard> {
    let bytes = std::fs::read(path).map_err(|e| NodeError::io(path, e))?;
    SignedCard::parse(&bytes).map_err(|e| NodeError::Config {
        path: path.to_owned(),
        problem: ConfigProblem::Card(e),
    })
}

/// Opens the database of the node in `dir`.
pub fn open_store(dir: &Path, config: &NodeConfig) -> NodeResult<Arc<dyn Store>> {
    Ok(Arc::new(SqliteStore::open(&config.database_path(dir))?))
}

/// The store row for a verified signed envelope.
pub fn new_message(
    signed: &SignedEnvelope,
    direction: Direction,
    recorded_at: Timestamp,
) -> NewMessage {
    let envelope = signed.envelope();
    let counterparty = match direction {
        Direction::Sent => envelope.to.party.clone(),
        Direction::Received => envelope.from.party.clone(),
    };
    NewMessage {
        id: envelope.id,
        direction,
        counterparty,
        kind: envelope.kind(),
        precedence: envelope.precedence,
        from_tier: envelope.from.tier,
        to_tier: envelope.to.tier,
        officer: envelope.from.officer.clone(),
        in_reply_to: envelope.in_reply_to,
        created_at: envelope.created_at,
        exercise: envelope.exercise,
        tlp: envelope.tlp,
        headline: envelope.body.headline(),
        envelope: signed.bytes().to_vec(),
        envelope_sha256: signed.hash(),
        recorded_at,
        log_index: None,
    }
}
