//! Admission: whether a message may pass between two parties. One rule set
//! in one order, for the message an officer composes and the message a
//! peer delivers; the first rule broken refuses it:
//!
//! 1. **The channel.** While either party's latest `channel-status` says
//!    `suspended`, only the kinds that pass a suspension go
//!    ([`MessageKind::passes_suspension`](crate::kind::MessageKind::passes_suspension): `channel-status` itself, so the
//!    party that suspended can resume).
//! 2. **The agreement** in force between the parties, for the kinds it
//!    judges ([`MessageKind::judged_by_agreement`](crate::kind::MessageKind::judged_by_agreement)): both parties and tiers
//!    in it, the sending tier allowed the kind, exercise traffic allowed
//!    ([`Agreement::allows`]).
//! 3. **A citation** of an alleged breach ([`Body::alleged_breach`](crate::body::Body::alleged_breach)). A
//!    guarantee must be held, be between the message's two parties, bind
//!    the recipient (the party accused), and be in force when the message
//!    was written ([`in_force_at`]). A pledge must be held and have the
//!    recipient among its signatories then ([`signatories_at`]).
//!
//! Pure: the caller reads the standing suspensions, the agreement in force
//! and the cited document from its store, and hands them in as a
//! [`Standing`]. What the message's own bytes must be (bounds, signature,
//! body fields) is the envelope's rule, checked before this; what a
//! guarantee, pledge or agreement step must hold is the document's, after.

use crate::agreement::{Agreement, Refusal as AgreementRefusal};
use crate::body::Citation;
use crate::envelope::Envelope;
use crate::guarantee::{Guarantee, GuaranteeEvent, GuaranteeStatus, in_force_at, status_at};
use crate::ids::{MessageId, PartyCode, join_parties};
use crate::pledge::{Pledge, PledgeEvent, PledgeRef, signatories_at};
use crate::time::Timestamp;

/// One party's standing suspension of a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspension {
    /// Who suspended it.
    pub by: PartyCode,
    /// When (the `channel-status` message's `created_at`).
    pub at: Timestamp,
    /// Why.
    pub reason: String,
    /// The `channel-status` message.
    pub message: MessageId,
}

/// The document a message's citation names, as the judging node holds it.
#[derive(Debug, Clone, Copy)]
pub enum Cited<'a> {
    /// A guarantee and the signed steps of its history.
    Guarantee {
        /// The guarantee.
        guarantee: &'a Guarantee,
        /// Its signatures and withdrawals.
        events: &'a [GuaranteeEvent],
    },
    /// A pledge and the signed steps of its registry.
    Pledge {
        /// The pledge.
        pledge: &'a Pledge,
        /// Its signatures and withdrawals.
        events: &'a [PledgeEvent],
    },
}

/// What holds on the channel when a message is judged.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    /// The other party of the channel: the recipient of a message composed,
    /// the sender of one received.
    pub counterparty: &'a PartyCode,
    /// The suspensions standing on the channel.
    pub suspensions: &'a [Suspension],
    /// The agreement in force between the parties, if any.
    pub agreement: Option<&'a Agreement>,
    /// The document the message cites, if it cites one and it is held.
    pub cited: Option<Cited<'a>>,
}

/// Why a message may not pass.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum Refusal {
    /// The channel is suspended.
    #[error(
        "the channel with {with} is suspended {}; nothing but channel-status passes until the party that suspended it sends channel-status \"active\"",
        describe(suspensions)
    )]
    ChannelSuspended {
        /// The other party of the channel.
        with: PartyCode,
        /// Who suspended it, when and why.
        suspensions: Vec<Suspension>,
    },
    /// The agreement in force does not allow the message.
    #[error(transparent)]
    Agreement(#[from] AgreementRefusal),
    /// The message cites a breach of what it may not cite.
    #[error("alleged_breach: {0}")]
    Citation(#[from] CitationRefusal),
}

/// Why a citation of an alleged breach does not stand.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum CitationRefusal {
    /// No guarantee with that id is held.
    #[error("guarantee {id} is not known here")]
    UnknownGuarantee {
        /// The id cited.
        id: String,
    },
    /// No pledge with that reference is held.
    #[error("pledge {reference} is not known here")]
    UnknownPledge {
        /// The reference cited.
        reference: PledgeRef,
    },
    /// The guarantee is between other parties than the message's.
    #[error("guarantee {id} is between {issuer} and {beneficiary}, not this message's parties")]
    NotBetween {
        /// The guarantee.
        id: String,
        /// Its issuer.
        issuer: PartyCode,
        /// Its beneficiary.
        beneficiary: PartyCode,
    },
    /// The guarantee does not bind the party accused.
    #[error(
        "guarantee {id} does not bind {accused} (it binds {})",
        join_parties(bound, " and ")
    )]
    DoesNotBind {
        /// The guarantee.
        id: String,
        /// The recipient, accused of the breach.
        accused: PartyCode,
        /// Whom it binds.
        bound: Vec<PartyCode>,
    },
    /// The guarantee was not in force when the message was written.
    #[error("guarantee {id} was not in force at {at}: {status}")]
    NotInForce {
        /// The guarantee.
        id: String,
        /// The message's `created_at`.
        at: Timestamp,
        /// Where the guarantee stood then.
        status: GuaranteeStatus,
    },
    /// The party accused had not signed the pledge (or had withdrawn) when
    /// the message was written.
    #[error(
        "{accused} was not a signatory of pledge {reference} at {at} (by the records held here; read the host's registry with `detente pledge show {reference}`)"
    )]
    NotASignatory {
        /// The pledge.
        reference: PledgeRef,
        /// The recipient, accused of the breach.
        accused: PartyCode,
        /// The message's `created_at`.
        at: Timestamp,
    },
}

fn describe(suspensions: &[Suspension]) -> String {
    suspensions
        .iter()
        .map(|s| {
            format!(
                "by {} at {} ({:?}, message {})",
                s.by, s.at, s.reason, s.message
            )
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Judges `envelope` by the rules above, in their order.
pub fn admit(envelope: &Envelope, standing: &Standing<'_>) -> Result<(), Refusal> {
    let kind = envelope.kind();
    if !kind.passes_suspension() && !standing.suspensions.is_empty() {
        return Err(Refusal::ChannelSuspended {
            with: standing.counterparty.clone(),
            suspensions: standing.suspensions.to_vec(),
        });
    }
    if kind.judged_by_agreement()
        && let Some(agreement) = standing.agreement
    {
        agreement.allows(
            (&envelope.from.party, envelope.from.tier),
            (&envelope.to.party, envelope.to.tier),
            kind,
            envelope.exercise,
        )?;
    }
    if let Some(citation) = envelope.body.alleged_breach() {
        judge_citation(citation, envelope, standing.cited)?;
    }
    Ok(())
}

/// Rule 3: the cited document must hold against the message's recipient
/// when the message was written.
fn judge_citation(
    citation: &Citation,
    envelope: &Envelope,
    cited: Option<Cited<'_>>,
) -> Result<(), CitationRefusal> {
    let accused = &envelope.to.party;
    let at = envelope.created_at;
    match (citation, cited) {
        (Citation::Guarantee(id), Some(Cited::Guarantee { guarantee, events }))
            if guarantee.id.as_str() == id =>
        {
            let between = [&guarantee.issuer, &guarantee.beneficiary];
            if !between.contains(&&envelope.from.party) || !between.contains(&accused) {
                return Err(CitationRefusal::NotBetween {
                    id: id.clone(),
                    issuer: guarantee.issuer.clone(),
                    beneficiary: guarantee.beneficiary.clone(),
                });
            }
            let bound = guarantee.bound_parties();
            if !bound.contains(accused) {
                return Err(CitationRefusal::DoesNotBind {
                    id: id.clone(),
                    accused: accused.clone(),
                    bound,
                });
            }
            if !in_force_at(guarantee, events, at) {
                return Err(CitationRefusal::NotInForce {
                    id: id.clone(),
                    at,
                    status: status_at(guarantee, events, at),
                });
            }
            Ok(())
        }
        (Citation::Guarantee(id), _) => Err(CitationRefusal::UnknownGuarantee { id: id.clone() }),
        (Citation::Pledge(reference), Some(Cited::Pledge { pledge, events }))
            if pledge.reference() == *reference =>
        {
            if signatories_at(pledge, events, at)
                .iter()
                .any(|(party, _)| party == accused)
            {
                Ok(())
            } else {
                Err(CitationRefusal::NotASignatory {
                    reference: reference.clone(),
                    accused: accused.clone(),
                    at,
                })
            }
        }
        (Citation::Pledge(reference), _) => Err(CitationRefusal::UnknownPledge {
            reference: reference.clone(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::agreement::AgreementSpec;
    use crate::body::Body;
    use crate::envelope::{Recipient, Sender};
    use crate::guarantee::GuaranteeSpec;
    use crate::ids::Tier;
    use crate::kind::{MessageKind, Precedence, Tlp};

    fn party(code: &str) -> PartyCode {
        code.parse().expect("party")
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    fn agreement() -> Agreement {
        AgreementSpec::parse(include_str!("../testdata/agreement-example.toml"))
            .and_then(|spec| spec.validate())
            .expect("the example agreement")
    }

    /// A one-way guarantee by RU to US, in force from 2026-01-01 once RU signed.
    fn guarantee() -> Guarantee {
        GuaranteeSpec::parse(
            "id = \"ru-us-elections\"\nreciprocal = false\nissuer = \"RU\"\nbeneficiary = \"US\"\n\
             scope = [\"elections\"]\neffective_from = \"2026-01-01T00:00:00Z\"\nnotice = \"30d\"\n\
             [text]\nen = \"RU will not interfere in US elections.\"\n",
        )
        .and_then(|spec| spec.validate())
        .expect("the guarantee")
    }

    fn signed_by_ru() -> Vec<GuaranteeEvent> {
        vec![GuaranteeEvent::Signed {
            by: party("RU"),
            at: at("2025-12-01T00:00:00.000Z"),
        }]
    }

    /// A `kind` message from `from` (technical) to `to` (technical) with `body`.
    fn envelope(from: &str, to: &str, kind: MessageKind, body: serde_json::Value) -> Envelope {
        let created_at = at("2026-06-01T12:00:00.000Z");
        Envelope {
            id: MessageId::new_v7(created_at),
            from: Sender {
                party: party(from),
                tier: Tier::Technical,
                officer: "duty".parse().expect("officer"),
            },
            to: Recipient {
                party: party(to),
                tier: Tier::Technical,
            },
            precedence: Precedence::Routine,
            in_reply_to: None,
            agreement: None,
            created_at,
            exercise: false,
            tlp: Tlp::Amber,
            nonce: [7; 32],
            body: Body::from_value(kind, body).expect("body"),
        }
    }

    fn notification(citation: Option<serde_json::Value>) -> Envelope {
        let mut body = json!({"subject": "Scanning", "summary": "Port scans from AS64500"});
        if let Some(citation) = citation {
            body["alleged_breach"] = citation;
        }
        envelope("US", "RU", MessageKind::Notification, body)
    }

    fn suspended() -> Vec<Suspension> {
        vec![Suspension {
            by: party("RU"),
            at: at("2026-05-01T00:00:00.000Z"),
            reason: "Investigating a compromise".into(),
            message: MessageId::new_v7(at("2026-05-01T00:00:00.000Z")),
        }]
    }

    fn standing<'a>(
        with: &'a PartyCode,
        suspensions: &'a [Suspension],
        agreement: Option<&'a Agreement>,
        cited: Option<Cited<'a>>,
    ) -> Standing<'a> {
        Standing {
            counterparty: with,
            suspensions,
            agreement,
            cited,
        }
    }

    #[test]
    fn a_suspended_channel_passes_only_channel_status_and_names_who_suspended_it() {
        let (ru, held) = (party("RU"), suspended());
        let refused = admit(&notification(None), &standing(&ru, &held, None, None));
        let Err(Refusal::ChannelSuspended { with, suspensions }) = &refused else {
            panic!("refused as suspended: {refused:?}");
        };
        assert_eq!((with, suspensions), (&ru, &held));
        let text = refused.as_ref().unwrap_err().to_string();
        assert!(
            text.contains("by RU at 2026-05-01T00:00:00.000Z (\"Investigating a compromise\""),
            "{text}"
        );
        let status = envelope(
            "US",
            "RU",
            MessageKind::ChannelStatus,
            json!({"status": "active", "reason": "Resolved"}),
        );
        assert_eq!(admit(&status, &standing(&ru, &held, None, None)), Ok(()));
    }

    #[test]
    fn the_agreement_in_force_judges_the_kinds_it_judges() {
        let (ru, a) = (party("RU"), agreement());
        let consult = envelope(
            "US",
            "RU",
            MessageKind::ConsultationRequest,
            json!({"subject": "Talks", "agenda": "We ask for consultations"}),
        );
        let refused = admit(&consult, &standing(&ru, &[], Some(&a), None));
        assert!(
            matches!(
                &refused,
                Err(Refusal::Agreement(AgreementRefusal::KindNotAllowed {
                    kind: MessageKind::ConsultationRequest,
                    ..
                }))
            ),
            "{refused:?}"
        );
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("tier technical may not send consultation-request")
        );
        assert_eq!(
            admit(&notification(None), &standing(&ru, &[], Some(&a), None)),
            Ok(())
        );
        assert_eq!(
            admit(&consult, &standing(&ru, &[], None, None)),
            Ok(()),
            "no agreement, no rule"
        );
    }

    #[test]
    fn the_channel_is_judged_before_the_agreement() {
        let (ru, held, a) = (party("RU"), suspended(), agreement());
        let consult = envelope(
            "US",
            "RU",
            MessageKind::ConsultationRequest,
            json!({"subject": "Talks", "agenda": "We ask for consultations"}),
        );
        assert!(matches!(
            admit(&consult, &standing(&ru, &held, Some(&a), None)),
            Err(Refusal::ChannelSuspended { .. })
        ));
    }

    #[test]
    fn a_guarantee_cited_must_be_held_bind_the_accused_and_be_in_force() {
        let (ru, us, g, events) = (party("RU"), party("US"), guarantee(), signed_by_ru());
        let cited = Cited::Guarantee {
            guarantee: &g,
            events: &events,
        };
        let citing = notification(Some(json!({"guarantee": "ru-us-elections"})));
        assert_eq!(
            admit(&citing, &standing(&ru, &[], None, Some(cited))),
            Ok(())
        );
        // Not held, or another guarantee handed in, is unknown.
        for cited in [None, Some(cited)] {
            let other = notification(Some(json!({"guarantee": "another"})));
            let citing = if cited.is_some() { &other } else { &citing };
            assert!(matches!(
                admit(citing, &standing(&ru, &[], None, cited)),
                Err(Refusal::Citation(CitationRefusal::UnknownGuarantee { .. }))
            ));
        }
        // RU may not cite it against US: a one-way guarantee binds RU alone.
        let mut against_us = citing.clone();
        (against_us.from.party, against_us.to.party) = (ru.clone(), us.clone());
        let refused = admit(&against_us, &standing(&us, &[], None, Some(cited)));
        assert!(
            matches!(&refused, Err(Refusal::Citation(CitationRefusal::DoesNotBind { bound, .. })) if *bound == [ru.clone()]),
            "{refused:?}"
        );
        assert!(
            refused
                .unwrap_err()
                .to_string()
                .contains("does not bind US (it binds RU)")
        );
        // Before it took effect it was not in force.
        let mut early = citing.clone();
        early.created_at = at("2025-12-15T00:00:00.000Z");
        let refused = admit(&early, &standing(&ru, &[], None, Some(cited)));
        assert!(
            matches!(
                &refused,
                Err(Refusal::Citation(CitationRefusal::NotInForce { .. }))
            ),
            "{refused:?}"
        );
        assert!(refused.unwrap_err().to_string().contains("not in force"));
        // A third party's message may not cite it.
        let mut third = citing.clone();
        third.from.party = party("UN");
        assert!(matches!(
            admit(&third, &standing(&ru, &[], None, Some(cited))),
            Err(Refusal::Citation(CitationRefusal::NotBetween { .. }))
        ));
    }

    #[test]
    fn a_pledge_cited_must_be_held() {
        let ru = party("RU");
        let citing = notification(Some(json!({"pledge": "UN/no-first-use"})));
        let refused = admit(&citing, &standing(&ru, &[], None, None));
        assert!(
            matches!(&refused, Err(Refusal::Citation(CitationRefusal::UnknownPledge { reference })) if reference.to_string() == "UN/no-first-use"),
            "{refused:?}"
        );
    }
}
