//! `[alerts]` in `detente.toml`: what raises an alert, the channels notices
//! go over, and the on-call rota of each tier (docs/operations.md,
//! "Alerting").
//!
//! ```toml
//! [alerts]
//! on_arrival = ["flash", "immediate"]
//! deadline_shares = [50, 80]
//!
//! [alerts.channels.mail]
//! type = "smtp"
//! host = "smtp.cert.example"
//! port = 587
//! tls = "starttls"
//! from = "hotline-ru@cert.example"
//!
//! [[alerts.rota]]
//! name = "technical"
//! tiers = ["technical"]
//! contacts = [
//!   { name = "duty-1", channel = "mail", to = "duty1@cert.example" },
//!   { name = "duty-2", channel = "mail", to = "duty2@cert.example" },
//! ]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use detente_proto::ids::Tier;
use detente_proto::kind::Precedence;
use serde::{Deserialize, Serialize};

use crate::error::ConfigProblem;

/// `[alerts]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    /// Whether the server runs alerting passes by itself. Off only for
    /// tests and tools that drive passes themselves
    /// (`Node::run_alerts_once`).
    pub run: bool,
    /// How often the node looks for what must raise an alert and for
    /// notices due.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// How far back an event may lie and still raise an alert (so that the
    /// first start on an old database does not page anyone about last
    /// year).
    #[serde(with = "humantime_serde")]
    pub lookback: Duration,
    /// Precedences whose arrival raises an alert.
    pub on_arrival: Vec<Precedence>,
    /// Whether a message for a tier with no officer signed in to the
    /// console raises an alert.
    pub on_unattended: bool,
    /// Shares of a deadline's time (percent, 1 to 99) at which an
    /// unanswered deadline raises an alert.
    pub deadline_shares: Vec<u8>,
    /// How long a peer may stay unreachable, with messages waiting,
    /// before an alert.
    #[serde(with = "humantime_serde")]
    pub unreachable_after: Duration,
    /// How close to its expiry a party card raises an alert.
    #[serde(with = "humantime_serde")]
    pub card_expiry_within: Duration,
    /// Whether a witness policy no longer met raises an alert (once a day
    /// while it is not met).
    pub on_witness_policy: bool,
    /// Attempts at one notice before it is given up (and its channel
    /// reported as failing on the others).
    pub attempts: u32,
    /// Delay after a notice's first failed attempt.
    #[serde(with = "humantime_serde")]
    pub retry_initial: Duration,
    /// The longest delay between attempts.
    #[serde(with = "humantime_serde")]
    pub retry_max: Duration,
    /// How long one attempt may take.
    #[serde(with = "humantime_serde")]
    pub attempt_timeout: Duration,
    /// The base URL of acknowledgement links; the node's `endpoint` when
    /// unset.
    pub link_base: Option<String>,
    /// Where notices go, by name.
    pub channels: BTreeMap<String, ChannelConfig>,
    /// Who is on call. An alert about a message goes down the first rota
    /// naming the message's tier here; any other alert (and a message of
    /// a tier no rota names) down the first rota naming no tier. With no
    /// rota, alerts are kept and shown, and sent to nobody.
    pub rota: Vec<RotaConfig>,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            run: true,
            tick: Duration::from_secs(5),
            lookback: Duration::from_secs(24 * 3600),
            on_arrival: vec![Precedence::Flash, Precedence::Immediate],
            on_unattended: true,
            deadline_shares: vec![50, 80],
            unreachable_after: Duration::from_secs(15 * 60),
            card_expiry_within: Duration::from_secs(30 * 24 * 3600),
            on_witness_policy: true,
            attempts: 8,
            retry_initial: Duration::from_secs(2),
            retry_max: Duration::from_secs(300),
            attempt_timeout: Duration::from_secs(30),
            link_base: None,
            channels: BTreeMap::new(),
            rota: Vec::new(),
        }
    }
}

/// One channel notices go over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ChannelConfig {
    /// Email over SMTP (`lettre`).
    Smtp {
        /// The mail server.
        host: String,
        /// Its port; 587 for STARTTLS, 465 for implicit TLS by default.
        port: Option<u16>,
        /// How the connection is protected.
        #[serde(default)]
        tls: SmtpTls,
        /// The sender address.
        from: String,
        /// The SMTP user, if the server wants one.
        username: Option<String>,
        /// A file holding the SMTP password (relative to the node
        /// directory), with `username`.
        password_file: Option<PathBuf>,
        /// A PEM file of the CA (or self-signed certificate) the server's
        /// certificate must chain to, instead of the public roots.
        ca_file: Option<PathBuf>,
    },
    /// A JSON POST (Slack and Mattermost incoming webhooks read its `text`),
    /// signed with HMAC-SHA256 in `X-Detente-Signature`.
    Webhook {
        /// The receiver (`https://`; `http://` only to a loopback address).
        url: String,
        /// A file holding the HMAC key (relative to the node directory).
        secret_file: PathBuf,
        /// A PEM file of the CA the receiver's certificate must chain to,
        /// instead of the public roots.
        ca_file: Option<PathBuf>,
    },
    /// A program run with the alert as JSON on its standard input (SMS
    /// gateways, pagers); exit status 0 means sent.
    Command {
        /// The program (an absolute path).
        program: PathBuf,
        /// Its arguments.
        #[serde(default)]
        args: Vec<String>,
    },
}

impl ChannelConfig {
    /// `smtp`, `webhook` or `command`.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelConfig::Smtp { .. } => "smtp",
            ChannelConfig::Webhook { .. } => "webhook",
            ChannelConfig::Command { .. } => "command",
        }
    }
}

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SmtpTls {
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// None: only to a mail server on a loopback address (a local relay).
    None,
}

/// One on-call rota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotaConfig {
    /// Its name, shown with each alert.
    pub name: String,
    /// The tiers whose alerts it takes; none: the node's own alerts.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// How long a contact has to acknowledge before the next is alerted,
    /// by the alert's precedence.
    #[serde(default)]
    pub after: RotaTimes,
    /// How many times the list is gone through before the alert is left
    /// unanswered.
    #[serde(default = "one")]
    pub rounds: u32,
    /// The contacts, first first.
    pub contacts: Vec<ContactConfig>,
}

fn one() -> u32 {
    1
}

/// A rota's time per precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RotaTimes {
    /// FLASH.
    #[serde(with = "humantime_serde")]
    pub flash: Duration,
    /// IMMEDIATE.
    #[serde(with = "humantime_serde")]
    pub immediate: Duration,
    /// PRIORITY.
    #[serde(with = "humantime_serde")]
    pub priority: Duration,
    /// ROUTINE.
    #[serde(with = "humantime_serde")]
    pub routine: Duration,
}

impl Default for RotaTimes {
    fn default() -> Self {
        Self {
            flash: Duration::from_secs(5 * 60),
            immediate: Duration::from_secs(15 * 60),
            priority: Duration::from_secs(30 * 60),
            routine: Duration::from_secs(60 * 60),
        }
    }
}

impl RotaTimes {
    /// The time for `precedence`.
    pub fn of(&self, precedence: Precedence) -> Duration {
        match precedence {
            Precedence::Flash => self.flash,
            Precedence::Immediate => self.immediate,
            Precedence::Priority => self.priority,
            Precedence::Routine => self.routine,
        }
    }
}

/// One contact on a rota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactConfig {
    /// Their name (shown as who acknowledged through a link).
    pub name: String,
    /// The channel, by its name under `[alerts.channels]`.
    pub channel: String,
    /// Where on it: an email address for `smtp`; unused by the others.
    #[serde(default)]
    pub to: Option<String>,
}

impl AlertsConfig {
    /// Checks what serde cannot: every contact's channel exists and has an
    /// address where it needs one, times and shares are sensible, names
    /// are unique.
    pub fn validate(&self) -> Result<(), ConfigProblem> {
        let problem = |what: AlertsProblem| Err(ConfigProblem::Alerts(what));
        if self.tick < Duration::from_secs(1) {
            return problem(AlertsProblem::TickTooShort);
        }
        if self.attempts == 0 {
            return problem(AlertsProblem::NoAttempts);
        }
        if self.retry_initial.is_zero() || self.retry_max < self.retry_initial {
            return problem(AlertsProblem::Backoff);
        }
        if let Some(share) = self
            .deadline_shares
            .iter()
            .find(|share| !(1..=99).contains(*share))
        {
            return problem(AlertsProblem::Share { share: *share });
        }
        for (name, channel) in &self.channels {
            if let ChannelConfig::Webhook { url, .. } = channel
                && !(url.starts_with("https://") || is_loopback_http(url))
            {
                return problem(AlertsProblem::WebhookUrl {
                    channel: name.clone(),
                });
            }
            if let ChannelConfig::Command { program, .. } = channel
                && !program.is_absolute()
            {
                return problem(AlertsProblem::CommandNotAbsolute {
                    channel: name.clone(),
                });
            }
        }
        let mut rotas = std::collections::BTreeSet::new();
        for rota in &self.rota {
            if !rotas.insert(rota.name.as_str()) {
                return problem(AlertsProblem::RotaTwice {
                    rota: rota.name.clone(),
                });
            }
            if rota.contacts.is_empty() || rota.rounds == 0 {
                return problem(AlertsProblem::EmptyRota {
                    rota: rota.name.clone(),
                });
            }
            for contact in &rota.contacts {
                let Some(channel) = self.channels.get(&contact.channel) else {
                    return problem(AlertsProblem::UnknownChannel {
                        rota: rota.name.clone(),
                        contact: contact.name.clone(),
                        channel: contact.channel.clone(),
                    });
                };
                if matches!(channel, ChannelConfig::Smtp { .. })
                    && !contact.to.as_deref().is_some_and(|to| to.contains('@'))
                {
                    return problem(AlertsProblem::NoAddress {
                        rota: rota.name.clone(),
                        contact: contact.name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The rota an alert about a message of `tier` goes down (`None`: an
    /// alert of the node's own), by the rule on [`AlertsConfig::rota`].
    pub fn rota_for(&self, tier: Option<Tier>) -> Option<&RotaConfig> {
        let named = tier.and_then(|tier| self.rota.iter().find(|r| r.tiers.contains(&tier)));
        named.or_else(|| self.rota.iter().find(|r| r.tiers.is_empty()))
    }

    /// The rota called `name`.
    pub fn rota_named(&self, name: &str) -> Option<&RotaConfig> {
        self.rota.iter().find(|r| r.name == name)
    }
}

/// `http://` to a loopback address (a receiver on this machine).
fn is_loopback_http(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    parsed.scheme() == "http"
        && match parsed.host_str() {
            Some("localhost") => true,
            Some(host) => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()),
            None => false,
        }
}

/// What is wrong with `[alerts]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum AlertsProblem {
    /// `tick` below a second.
    #[error("alerts.tick must be at least 1s")]
    TickTooShort,
    /// `attempts` is 0.
    #[error("alerts.attempts must be at least 1")]
    NoAttempts,
    /// The retry delays are out of order.
    #[error("alerts.retry_initial must be above zero and not above alerts.retry_max")]
    Backoff,
    /// A deadline share outside 1 to 99.
    #[error("alerts.deadline_shares holds {share}; each share is a percentage from 1 to 99")]
    Share {
        /// The share.
        share: u8,
    },
    /// A webhook URL that is neither https nor loopback http.
    #[error("alerts.channels.{channel}: url must be https:// (http:// only to a loopback address)")]
    WebhookUrl {
        /// The channel.
        channel: String,
    },
    /// A command given by a relative path.
    #[error("alerts.channels.{channel}: program must be an absolute path")]
    CommandNotAbsolute {
        /// The channel.
        channel: String,
    },
    /// Two rotas of one name.
    #[error("alerts.rota {rota:?} is listed twice; give each rota its own name")]
    RotaTwice {
        /// The rota.
        rota: String,
    },
    /// A rota with no contact or no round.
    #[error("alerts.rota {rota:?} needs at least one contact and rounds of at least 1")]
    EmptyRota {
        /// The rota.
        rota: String,
    },
    /// A contact on a channel not configured.
    #[error(
        "alerts.rota {rota:?}: contact {contact:?} uses channel {channel:?}, which is not under [alerts.channels]"
    )]
    UnknownChannel {
        /// The rota.
        rota: String,
        /// The contact.
        contact: String,
        /// The channel named.
        channel: String,
    },
    /// An email contact without an address.
    #[error(
        "alerts.rota {rota:?}: contact {contact:?} is on an smtp channel and needs to = \"name@domain\""
    )]
    NoAddress {
        /// The rota.
        rota: String,
        /// The contact.
        contact: String,
    },
    /// A file a channel needs cannot be read.
    #[error("alerts.channels.{channel}: cannot read {} ({cause})", path.display())]
    UnreadableFile {
        /// The channel.
        channel: String,
        /// The file, as resolved against the node directory.
        path: PathBuf,
        /// The operating system's error.
        cause: String,
    },
    /// A secret file that is empty.
    #[error("alerts.channels.{channel}: {} is empty; put the secret in it", path.display())]
    EmptySecret {
        /// The channel.
        channel: String,
        /// The file.
        path: PathBuf,
    },
    /// A CA file without a PEM certificate.
    #[error("alerts.channels.{channel}: {} holds no PEM certificate", path.display())]
    BadCa {
        /// The channel.
        channel: String,
        /// The file.
        path: PathBuf,
    },
    /// The channel cannot be set up as configured.
    #[error("alerts.channels.{channel}: {cause}")]
    Setup {
        /// The channel.
        channel: String,
        /// What the library says.
        cause: String,
    },
    /// `tls = "none"` to a mail server that is not on this machine.
    #[error(
        "alerts.channels.{channel}: tls = \"none\" is allowed only to a mail server on a loopback address; use \"starttls\" or \"implicit\""
    )]
    PlainSmtpNotLocal {
        /// The channel.
        channel: String,
    },
}
