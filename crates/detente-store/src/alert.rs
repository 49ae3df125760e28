//! Alerts as the store keeps them (`migrations/0010_alerts.sql`): an event
//! that must reach a person, and each notice sent about it down the on-call
//! rota. What raises an alert, who is on the rota and how a notice is sent
//! are the node's business; the store keeps the rows and the rules that make
//! them safe across restarts: one alert per event (its `cause_key`), one
//! notice per rota step, a step advanced only by compare-and-swap, nothing
//! sent after an acknowledgement.

use detente_proto::ids::{MessageId, PartyCode, Tier};
use detente_proto::kind::Precedence;
use detente_proto::time::Timestamp;

/// What raised an alert.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AlertCause {
    /// A message arrived at a precedence that alerts, or for a tier with
    /// nobody signed in.
    Arrival,
    /// A deadline reached a share of its time with no answer.
    DeadlineShare,
    /// A deadline passed with no answer.
    DeadlineMissed,
    /// An escalation arrived.
    Escalation,
    /// The transparency log raised an alarm.
    LogAlarm,
    /// A peer could not be reached for a while, with messages waiting.
    PeerUnreachable,
    /// A party card, ours or a peer's, is close to its expiry.
    CardExpiry,
    /// The witness policy is no longer met.
    WitnessPolicy,
    /// An alert channel kept failing: a notice was given up.
    ChannelFailing,
}

impl AlertCause {
    /// Its wire name, e.g. `deadline-missed`.
    pub fn as_str(&self) -> &'static str {
        self.into()
    }
}

/// How an alert was acknowledged.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "kebab-case")]
pub enum AckVia {
    /// The single-use link in a notice.
    Link,
    /// The officer API (`detente alerts ack`).
    Api,
    /// The console.
    Console,
}

/// A new alert ([`crate::Store::raise_alert`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// The event, named once: an alert per key, ever.
    pub cause_key: String,
    /// What raised it.
    pub cause: AlertCause,
    /// How urgent: decides the rota's time between contacts.
    pub precedence: Precedence,
    /// The rota it goes down.
    pub rota: String,
    /// The message it is about, if any.
    pub message_id: Option<MessageId>,
    /// The party it concerns, if any.
    pub counterparty: Option<PartyCode>,
    /// The tier it concerns, if any (who may see it).
    pub tier: Option<Tier>,
    /// One line, as notices carry it (already cut to what TLP allows).
    pub summary: String,
    /// More lines, likewise.
    pub detail: String,
    /// When it was raised; the first contact is due then.
    pub raised_at: Timestamp,
}

/// Who acknowledged an alert, when and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertAck {
    /// When.
    pub at: Timestamp,
    /// The officer, or the rota contact whose link was used.
    pub by: String,
    /// How.
    pub via: AckVia,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    /// Its number, given by the store (1, 2, …).
    pub id: u64,
    /// What [`crate::Store::raise_alert`] was given.
    pub alert: NewAlert,
    /// The rota step notified next (0: the first contact).
    pub next_step: u32,
    /// When that step is due; `None` once acknowledged or when the rota is
    /// done.
    pub next_at: Option<Timestamp>,
    /// The acknowledgement, if any.
    pub acknowledged: Option<AlertAck>,
}

impl AlertRecord {
    /// How it stands, in one word: `open` (its rota goes on), `unanswered`
    /// (the rota is done and nobody acknowledged) or `acknowledged`. The
    /// same rule counts alerts in [`crate::Store::alert_counts`].
    pub fn state(&self) -> &'static str {
        match (&self.acknowledged, self.next_at) {
            (Some(_), _) => "acknowledged",
            (None, Some(_)) => "open",
            (None, None) => "unanswered",
        }
    }
}

/// How one notice stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumString, strum::IntoStaticStr, strum::Display,
)]
#[strum(serialize_all = "kebab-case")]
pub enum NoticeState {
    /// Not sent yet; tried at `next_attempt_at`.
    Pending,
    /// Sent: the channel accepted it.
    Sent,
    /// Given up after its attempts.
    Failed,
    /// Not sent: the alert was acknowledged first.
    Cancelled,
}

/// A notice to write with a rota step ([`crate::Store::advance_alert`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    /// The contact's name on the rota.
    pub contact: String,
    /// The channel's name in `detente.toml`.
    pub channel: String,
    /// Where on that channel (an email address, a webhook's name, …).
    pub address: String,
}

/// A stored notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertNotice {
    /// The alert.
    pub alert_id: u64,
    /// Its rota step.
    pub step: u32,
    /// To whom, over what.
    pub notice: NewNotice,
    /// How it stands.
    pub state: NoticeState,
    /// Attempts made.
    pub attempts: u32,
    /// When it was written (its step's time).
    pub created_at: Timestamp,
    /// When the next attempt is due; exactly while pending.
    pub next_attempt_at: Option<Timestamp>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was sent; exactly when sent.
    pub sent_at: Option<Timestamp>,
}

/// What [`crate::Store::acknowledge_alert`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AckOutcome {
    /// It is acknowledged now; pending notices were cancelled.
    Acknowledged,
    /// It had been acknowledged already; nothing changed.
    Already(AlertAck),
}

/// An alert listing ([`crate::Store::alerts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertQuery {
    /// Only alerts not acknowledged.
    pub open_only: bool,
    /// At most this many, newest first.
    pub limit: usize,
}
