//! Message kinds, precedence and TLP marking (DESIGN.md, vocabulary).
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

impl MessageKind {
    /// Kinds that answer another message and so must name it in `in_reply_to`.
    pub fn requires_in_reply_to(&self) -> bool {
        matches!(
            self,
            MessageKind::Acknowledgement
                | MessageKind::Reply
                | MessageKind::Pong
                | MessageKind::GuaranteeSign
        )
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
}
