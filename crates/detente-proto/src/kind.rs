//! Message kinds, precedence and TLP marking (docs/protocol.md, "Message kinds and bodies").
//!
//! TLP values follow FIRST TLP 2.0: `CLEAR`, `GREEN`, `AMBER`,
//! `AMBER+STRICT`, `RED`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's name on the wire.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// The wire names, comma-separated, for error messages.
            pub fn known_list() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| {
                    format!("{s:?} is not a {}; use one of: {}", $what, Self::known_list())
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

wire_enum!(
    /// What a message is. The body's schema depends on it.
    MessageKind, "message kind" {
        /// An incident notification.
        Notification = "notification",
        /// A request for information about an incident.
        RequestInformation = "request-information",
        /// A request for assistance.
        RequestAssistance = "request-assistance",
        /// A human-level "received, looking into it".
        Acknowledgement = "acknowledgement",
        /// An interim or final answer.
        Reply = "reply",
        /// A request to consult, typically at policy or leadership tier.
        ConsultationRequest = "consultation-request",
        /// A goodwill message.
        Goodwill = "goodwill",
        /// A communication check.
        Ping = "ping",
        /// The answer to a communication check.
        Pong = "pong",
        /// New contact details for a party's tiers.
        ContactUpdate = "contact-update",
        /// Suspension or resumption of the channel.
        ChannelStatus = "channel-status",
        /// A guarantee proposed for signature.
        GuaranteePropose = "guarantee-propose",
        /// A signature on a proposed guarantee.
        GuaranteeSign = "guarantee-sign",
        /// Notice of withdrawal from a guarantee.
        GuaranteeWithdraw = "guarantee-withdraw",
        /// A signature on a pledge.
        PledgeSign = "pledge-sign",
        /// A withdrawal from a pledge.
        PledgeWithdraw = "pledge-withdraw",
        /// A missed deadline, raised to the next tier.
        Escalation = "escalation",
        /// An agreement offered for signature, signed by the proposer.
        AgreementPropose = "agreement-propose",
        /// A party's signature on a proposed agreement's exact bytes.
        AgreementSign = "agreement-sign",
    }
);

/// A kind whose message carries a step of a signed document: its body is
/// checked against the document, and the step is stored and logged with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentFamily {
    /// `agreement-propose`, `agreement-sign`.
    Agreement,
    /// `guarantee-propose`, `guarantee-sign`, `guarantee-withdraw`.
    Guarantee,
    /// `pledge-sign`, `pledge-withdraw`.
    Pledge,
}

/// Who writes a message of a kind on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Composer {
    /// An officer composes it directly (`POST /api/v1/messages`).
    Officer,
    /// The document's own operation, so that the step is recorded.
    Document(DocumentFamily),
    /// The agreement engine, when a deadline is missed.
    Engine,
}

/// Every decision that depends on a message's kind lives here, each an
/// exhaustive `match`: a new kind does not compile until each is made.
impl MessageKind {
    /// Kinds that answer another message and so must name it in `in_reply_to`.
    pub fn requires_in_reply_to(self) -> bool {
        use MessageKind::*;
        match self {
            Acknowledgement | Reply | Pong | GuaranteeSign => true,
            Notification | RequestInformation | RequestAssistance | ConsultationRequest
            | Goodwill | Ping | ContactUpdate | ChannelStatus | GuaranteePropose
            | GuaranteeWithdraw | PledgeSign | PledgeWithdraw | Escalation | AgreementPropose
            | AgreementSign => false,
        }
    }

    /// Kinds that can only answer a message the other side sent.
    pub fn answers_only_received(self) -> bool {
        use MessageKind::*;
        match self {
            Acknowledgement | Pong => true,
            Notification | RequestInformation | RequestAssistance | Reply | ConsultationRequest
            | Goodwill | Ping | ContactUpdate | ChannelStatus | GuaranteePropose
            | GuaranteeSign | GuaranteeWithdraw | PledgeSign | PledgeWithdraw | Escalation
            | AgreementPropose | AgreementSign => false,
        }
    }

    /// Whether a message of this kind meets a deadline of `deadline` on the
    /// message it answers.
    pub fn meets(self, deadline: crate::body::DeadlineKind) -> bool {
        use crate::body::DeadlineKind;
        use MessageKind::*;
        match (self, deadline) {
            (Acknowledgement, DeadlineKind::Acknowledge) => true,
            (Reply, DeadlineKind::Acknowledge | DeadlineKind::Reply) => true,
            (Pong, DeadlineKind::Check) => true,
            (Acknowledgement, DeadlineKind::Reply | DeadlineKind::Check)
            | (Reply, DeadlineKind::Check)
            | (Pong, DeadlineKind::Acknowledge | DeadlineKind::Reply) => false,
            (
                Notification | RequestInformation | RequestAssistance | ConsultationRequest
                | Goodwill | Ping | ContactUpdate | ChannelStatus | GuaranteePropose
                | GuaranteeSign | GuaranteeWithdraw | PledgeSign | PledgeWithdraw | Escalation
                | AgreementPropose | AgreementSign,
                _,
            ) => false,
        }
    }

    /// Whether a message of this kind can meet any deadline.
    pub fn answers_deadlines(self) -> bool {
        use crate::body::DeadlineKind;
        [
            DeadlineKind::Acknowledge,
            DeadlineKind::Reply,
            DeadlineKind::Check,
        ]
        .into_iter()
        .any(|d| self.meets(d))
    }

    /// Whether a message of this kind starts a communication check (when
    /// the agreement sets one).
    pub fn starts_check(self) -> bool {
        use MessageKind::*;
        match self {
            Ping => true,
            Notification | RequestInformation | RequestAssistance | Acknowledgement | Reply
            | ConsultationRequest | Goodwill | Pong | ContactUpdate | ChannelStatus
            | GuaranteePropose | GuaranteeSign | GuaranteeWithdraw | PledgeSign
            | PledgeWithdraw | Escalation | AgreementPropose | AgreementSign => false,
        }
    }

    /// Kinds the other side is expected to acknowledge, agreement or not.
    pub fn expects_acknowledgement(self) -> bool {
        use MessageKind::*;
        match self {
            Notification | RequestInformation | RequestAssistance | ConsultationRequest
            | Escalation => true,
            Acknowledgement | Reply | Goodwill | Ping | Pong | ContactUpdate | ChannelStatus
            | GuaranteePropose | GuaranteeSign | GuaranteeWithdraw | PledgeSign
            | PledgeWithdraw | AgreementPropose | AgreementSign => false,
        }
    }

    /// Whether it passes a suspended channel (only what can resume it).
    pub fn passes_suspension(self) -> bool {
        use MessageKind::*;
        match self {
            ChannelStatus => true,
            Notification | RequestInformation | RequestAssistance | Acknowledgement | Reply
            | ConsultationRequest | Goodwill | Ping | Pong | ContactUpdate | GuaranteePropose
            | GuaranteeSign | GuaranteeWithdraw | PledgeSign | PledgeWithdraw | Escalation
            | AgreementPropose | AgreementSign => false,
        }
    }

    /// Whether the agreement in force judges it. Agreement steps are how
    /// agreements come to be, so no agreement judges them.
    pub fn judged_by_agreement(self) -> bool {
        self.document() != Some(DocumentFamily::Agreement)
    }

    /// Whether the sending tier needs the agreement's leave to send it. An
    /// escalation is the agreement's own machinery, not speech: any tier in
    /// use carries it.
    pub fn needs_tier_permission(self) -> bool {
        match self.composer() {
            Composer::Engine => false,
            Composer::Officer | Composer::Document(_) => true,
        }
    }

    /// The signed document whose step it carries, if any.
    pub fn document(self) -> Option<DocumentFamily> {
        match self.composer() {
            Composer::Document(family) => Some(family),
            Composer::Officer | Composer::Engine => None,
        }
    }

    /// Who writes it on this node.
    pub fn composer(self) -> Composer {
        use MessageKind::*;
        match self {
            Escalation => Composer::Engine,
            AgreementPropose | AgreementSign => Composer::Document(DocumentFamily::Agreement),
            GuaranteePropose | GuaranteeSign | GuaranteeWithdraw => {
                Composer::Document(DocumentFamily::Guarantee)
            }
            PledgeSign | PledgeWithdraw => Composer::Document(DocumentFamily::Pledge),
            Notification | RequestInformation | RequestAssistance | Acknowledgement | Reply
            | ConsultationRequest | Goodwill | Ping | Pong | ContactUpdate | ChannelStatus => {
                Composer::Officer
            }
        }
    }
}

wire_enum!(
    /// How urgent a message is; selects the agreement's deadlines.
    Precedence, "precedence" {
        /// Normal handling.
        Routine = "routine",
        /// Ahead of routine.
        Priority = "priority",
        /// Handle now.
        Immediate = "immediate",
        /// Drop everything.
        Flash = "flash",
    }
);

wire_enum!(
    /// Traffic Light Protocol 2.0 marking (FIRST TLP 2.0).
    Tlp, "TLP 2.0 marking" {
        /// Disclosure is not limited.
        Clear = "CLEAR",
        /// Limited to the community.
        Green = "GREEN",
        /// Limited to the recipient's organisation and its clients.
        Amber = "AMBER",
        /// Limited to the recipient's organisation only.
        AmberStrict = "AMBER+STRICT",
        /// For the eyes and ears of the named recipients only.
        Red = "RED",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for kind in MessageKind::ALL {
            assert_eq!(kind.as_str().parse::<MessageKind>(), Ok(*kind));
        }
        assert_eq!("AMBER+STRICT".parse::<Tlp>(), Ok(Tlp::AmberStrict));
        assert!("amber".parse::<Tlp>().is_err());
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = "gossip".parse::<MessageKind>().unwrap_err();
        assert!(err.contains("notification, request-information"), "{err}");
    }

    #[test]
    fn kind_decisions_agree_with_each_other() {
        use crate::body::DeadlineKind;
        for &kind in MessageKind::ALL {
            // Whatever meets a deadline answers a message, so names it.
            if kind.answers_deadlines() || kind.answers_only_received() {
                assert!(kind.requires_in_reply_to(), "{kind}");
            }
            // A reply also acknowledges.
            if kind.meets(DeadlineKind::Reply) {
                assert!(kind.meets(DeadlineKind::Acknowledge), "{kind}");
            }
            // An answer is not itself awaited.
            assert!(
                !(kind.answers_deadlines() && kind.expects_acknowledgement()),
                "{kind}"
            );
            // Engine traffic needs no tier's leave; everything else does.
            assert_eq!(
                kind.needs_tier_permission(),
                kind.composer() != Composer::Engine,
                "{kind}"
            );
        }
        let judged: Vec<_> = MessageKind::ALL
            .iter()
            .filter(|k| !k.judged_by_agreement())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(judged, ["agreement-propose", "agreement-sign"]);
        let passing: Vec<_> = MessageKind::ALL
            .iter()
            .filter(|k| k.passes_suspension())
            .map(|k| k.as_str())
            .collect();
        assert_eq!(passing, ["channel-status"]);
    }
}
