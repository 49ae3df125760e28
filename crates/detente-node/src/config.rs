//! The node's configuration file, `detente.toml`, and the layout of a node
//! directory (docs/operations.md, "`detente.toml`").
//!
//! ```text
//! <dir>/detente.toml    this file
//! <dir>/keys/           signing.key, encryption.key, tls.key, tls.crt (0600)
//! <dir>/card.json       this party's signed card, to hand to peers
//! <dir>/detente.db      the SQLite database (unless `database` says otherwise)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use detente_proto::body::TierContact;
use detente_proto::ids::PartyCode;
use detente_proto::limits::Limits;
use serde::{Deserialize, Serialize};

use crate::error::{ConfigProblem, NodeError};

/// The name of the configuration file inside a node directory.
pub const CONFIG_FILE: &str = "detente.toml";

/// The least `limits.max_envelope_bytes` a node accepts: below it, no real
/// message would pass.
pub const MIN_ENVELOPE_BYTES: usize = 4096;

/// `detente.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// This node's party code.
    pub party: PartyCode,
    /// The party's name, as its card shows it.
    pub name: String,
    /// Address the HTTPS server binds (peer API, officer API).
    pub listen: SocketAddr,
    /// Base URL peers use to reach this node; goes on the card.
    pub endpoint: String,
    /// The database: a path relative to the node directory (SQLite).
    #[serde(default = "default_database")]
    pub database: String,
    /// Allowed difference between a peer's clock and ours.
    #[serde(default = "default_skew", with = "humantime_serde")]
    pub clock_skew: Duration,
    /// Contacts for each tier, as the card shows them.
    #[serde(default)]
    pub contacts: Vec<TierContact>,
    /// Bounds on input from outside.
    #[serde(default)]
    pub limits: Limits,
    /// Delivery retry policy.
    #[serde(default)]
    pub delivery: DeliveryConfig,
    /// Who witnesses this node's log.
    #[serde(default)]
    pub log: LogConfig,
    /// The agreement engine's schedule.
    #[serde(default)]
    pub engine: EngineConfig,
    /// The duty officers' console: sessions and sign-in.
    #[serde(default)]
    pub console: ConsoleConfig,
    /// What raises an alert, where notices go, who is on call.
    #[serde(default)]
    pub alerts: crate::alerts::AlertsConfig,
    /// `GET /metrics`: behind a token, or on a loopback address.
    #[serde(default)]
    pub metrics: crate::metrics::MetricsConfig,
    /// Key rotation: how long replaced keys still work.
    #[serde(default)]
    pub keys: KeysConfig,
}

/// Key rotation (docs/operations.md, "Rotating keys").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// After a rotation, how long envelopes sealed to the replaced
    /// encryption key still open here, and how long a replaced TLS
    /// certificate (ours and a peer's) stays pinned.
    #[serde(with = "humantime_serde")]
    pub overlap: Duration,
}

impl Default for KeysConfig {
    fn default() -> Self {
        Self {
            overlap: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The console's sessions and sign-in (docs/console.md, "Signing in").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// A session unused this long ends.
    #[serde(with = "humantime_serde")]
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however much it is used
    /// (a watch is at most this long).
    #[serde(with = "humantime_serde")]
    pub session_max: Duration,
    /// Wrong passwords for one name before each further one is answered
    /// more slowly.
    pub free_failures: u32,
    /// Wrong passwords for one name that lock it out.
    pub lock_after: u32,
    /// How long a lockout lasts.
    #[serde(with = "humantime_serde")]
    pub lock_for: Duration,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 3600),
            free_failures: 3,
            lock_after: 10,
            lock_for: Duration::from_secs(15 * 60),
        }
    }
}

/// When the agreement engine looks at its timers and checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EngineConfig {
    /// How often a pass runs.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// Whether the server runs passes by itself. Off only for tests and
    /// tools that drive passes themselves (`Node::run_agreement_engine_once`).
    pub run: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            tick: Duration::from_secs(1),
            run: true,
        }
    }
}

/// Witnessing of this node's log (C2SP tlog-witness, tlog-policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// Parties whose nodes witness this log (their peer cards give the
    /// keys). Empty: every peer.
    pub witnesses: Vec<PartyCode>,
    /// How many of them must cosign a checkpoint for it to count as
    /// witnessed (the policy's `group … <k> …`). 0 means 1.
    pub quorum: usize,
    /// How long an exchange may stay unmatched in the other party's log (a
    /// delivery still being retried) before cross-checking raises an alarm.
    #[serde(with = "humantime_serde")]
    pub crosscheck_grace: Duration,
    /// How often peers' logs are cross-checked.
    #[serde(with = "humantime_serde")]
    pub crosscheck_every: Duration,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            witnesses: Vec::new(),
            quorum: 0,
            crosscheck_grace: Duration::from_secs(3600),
            crosscheck_every: Duration::from_secs(60),
        }
    }
}

/// How the outbox retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DeliveryConfig {
    /// Delay after the first failure.
    #[serde(with = "humantime_serde")]
    pub initial_backoff: Duration,
    /// The longest delay between attempts.
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
    /// How long one attempt may take.
    #[serde(with = "humantime_serde")]
    pub attempt_timeout: Duration,
    /// How many deliveries run at once.
    pub concurrency: usize,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            attempt_timeout: Duration::from_secs(30),
            concurrency: 16,
        }
    }
}

fn default_database() -> String {
    "detente.db".into()
}

fn default_skew() -> Duration {
    Duration::from_secs(300)
}

impl NodeConfig {
    /// A configuration with defaults for everything but identity and address.
    pub fn new(party: PartyCode, name: String, listen: SocketAddr, endpoint: String) -> Self {
        Self {
            party,
            name,
            listen,
            endpoint,
            database: default_database(),
            clock_skew: default_skew(),
            contacts: Vec::new(),
            limits: Limits::default(),
            delivery: DeliveryConfig::default(),
            log: LogConfig::default(),
            engine: EngineConfig::default(),
            console: ConsoleConfig::default(),
            alerts: crate::alerts::AlertsConfig::default(),
            metrics: crate::metrics::MetricsConfig::default(),
            keys: KeysConfig::default(),
        }
    }

    /// Reads `<dir>/detente.toml`.
    pub fn load(dir: &Path) -> Result<Self, NodeError> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| NodeError::Config {
            path: path.clone(),
            problem: ConfigProblem::NotANodeDirectory {
                dir: dir.to_owned(),
                cause: e.to_string(),
            },
        })?;
        let config: NodeConfig = toml::from_str(&text).map_err(|e| NodeError::Config {
            path: path.clone(),
            problem: ConfigProblem::Toml {
                cause: e.to_string(),
            },
        })?;
        config
            .validate()
            .map_err(|problem| NodeError::Config { path, problem })?;
        Ok(config)
    }

    /// Checks what serde cannot.
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        if !self.endpoint.starts_with("https://") {
            return Err(ConfigProblem::EndpointNotHttps {
                endpoint: self.endpoint.clone(),
            });
        }
        if self.name.trim().is_empty() {
            return Err(ConfigProblem::EmptyName);
        }
        if self.limits.max_envelope_bytes < MIN_ENVELOPE_BYTES {
            return Err(ConfigProblem::EnvelopeLimit {
                min: MIN_ENVELOPE_BYTES,
            });
        }
        if self.delivery.initial_backoff.is_zero()
            || self.delivery.max_backoff < self.delivery.initial_backoff
        {
            return Err(ConfigProblem::Backoff);
        }
        if self.log.crosscheck_every < std::time::Duration::from_secs(1) {
            return Err(ConfigProblem::CrosscheckTooOften);
        }
        let mut witnesses = self.log.witnesses.clone();
        witnesses.sort();
        witnesses.dedup();
        if witnesses.len() != self.log.witnesses.len() {
            return Err(ConfigProblem::WitnessTwice);
        }
        if self.log.quorum > self.log.witnesses.len() && !self.log.witnesses.is_empty() {
            return Err(ConfigProblem::QuorumTooHigh {
                quorum: self.log.quorum,
                witnesses: self.log.witnesses.len(),
            });
        }
        if self.delivery.concurrency == 0 {
            return Err(ConfigProblem::NoConcurrency);
        }
        let console = &self.console;
        if console.session_idle < Duration::from_secs(60)
            || console.session_max < console.session_idle
        {
            return Err(ConfigProblem::ConsoleSessions);
        }
        if console.lock_after == 0 || console.free_failures >= console.lock_after {
            return Err(ConfigProblem::ConsoleLockout);
        }
        self.alerts.validate()?;
        Ok(())
    }

    /// The TOML text of this configuration.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|e| unreachable!("configs serialise: {e}"))
    }

    /// The database file of a node in `dir`.
    pub fn database_path(&self, dir: &Path) -> PathBuf {
        dir.join(&self.database)
    }

    /// The skew as a chrono delta.
    pub fn skew(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::from_std(self.clock_skew).unwrap_or(chrono::TimeDelta::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_toml_with_readable_durations() {
        let config = NodeConfig::new(
            "RU".parse().expect("RU"),
            "Russian Federation".into(),
            "127.0.0.1:7443".parse().expect("addr"),
            "https://127.0.0.1:7443".into(),
        );
        let text = config.to_toml();
        assert!(text.contains("clock_skew = \"5m\""), "{text}");
        let again: NodeConfig = toml::from_str(&text).expect("parses");
        assert_eq!(again, config);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<NodeConfig>(
            "party = \"RU\"\nname = \"x\"\nlisten = \"127.0.0.1:1\"\nendpoint = \"https://x\"\nlisen = 1\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }
}
