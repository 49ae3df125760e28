//! Typed bodies, one per message kind.
//!
//! A body is decoded by its envelope's `kind`; members a kind does not
//! define are refused (`deny_unknown_fields`), so a peer cannot smuggle data
//! past validation. STIX 2.1 bundles ride in the `stix` member of the kinds
//! that carry incident data, kept as the exact JSON they came as; each is
//! checked in full against STIX 2.1 by [`crate::stix`], at compose and on
//! receipt alike, and a fault is reported at its path below
//! `envelope.body.stix`.
//!
//! The guarantee and pledge kinds carry signed documents as their exact
//! bytes ([`crate::guarantee`], [`crate::pledge`]); a `notification` or a
//! `consultation-request` may cite the guarantee or pledge it alleges was
//! breached ([`Citation`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ProtoError;
use crate::ids::{MessageId, Tier, is_document_id};
use crate::kind::MessageKind;
use crate::pledge::PledgeRef;
use crate::signing::decode_fixed;
use crate::stix;
use crate::time::Timestamp;

/// A guarantee or pledge that a message alleges was breached:
/// `{"guarantee": "<id>"}` or `{"pledge": "<host>/<id>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Citation {
    /// A guarantee, by its id.
    Guarantee(String),
    /// A pledge, by its reference.
    Pledge(PledgeRef),
}

/// `notification`: an incident report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// One line that says what happened.
    pub subject: String,
    /// What is known so far.
    pub summary: String,
    /// When the incident was detected, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_at: Option<Timestamp>,
    /// A STIX 2.1 bundle with the technical details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stix: Option<Value>,
    /// The guarantee or pledge the incident is alleged to breach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alleged_breach: Option<Citation>,
}

/// `request-information`: a question about an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestInformation {
    /// One line that says what this is about.
    pub subject: String,
    /// What is asked.
    pub question: String,
    /// Supporting STIX 2.1 bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stix: Option<Value>,
}

/// `request-assistance`: a request for help.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestAssistance {
    /// One line that says what this is about.
    pub subject: String,
    /// The situation.
    pub description: String,
    /// The assistance sought.
    pub assistance: String,
    /// Supporting STIX 2.1 bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stix: Option<Value>,
}

/// `acknowledgement`: "received, looking into it". `in_reply_to` names the message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// An optional remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Whether a reply is the last word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStage {
    /// More will follow.
    Interim,
    /// The answer.
    Final,
}

/// `reply`: an answer to a request, notification or consultation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Interim or final.
    pub stage: ReplyStage,
    /// The answer.
    pub text: String,
    /// Supporting STIX 2.1 bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stix: Option<Value>,
}

/// `consultation-request`: a request to consult.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRequest {
    /// One line that says what this is about.
    pub subject: String,
    /// What to discuss.
    pub agenda: String,
    /// Proposed meeting times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposed_times: Vec<Timestamp>,
    /// The guarantee or pledge whose alleged breach is to be discussed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alleged_breach: Option<Citation>,
}

/// `goodwill`: a goodwill message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goodwill {
    /// The message.
    pub text: String,
}

/// `ping` or `pong`: a communication check and its answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// An optional remark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One tier's contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierContact {
    /// The tier.
    pub tier: Tier,
    /// How to reach it out of band (phone, desk name).
    pub contact: String,
}

/// `contact-update`: new contact details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    /// The new contacts, one per tier.
    pub contacts: Vec<TierContact>,
}

/// The state a `channel-status` message announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelState {
    /// The channel is open.
    Active,
    /// The channel is suspended by the sender.
    Suspended,
}

/// `channel-status`: suspension or resumption of the channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelStatus {
    /// The new state.
    pub status: ChannelState,
    /// Why.
    pub reason: String,
}

/// `agreement-propose` and `agreement-sign`: a party's signed agreement
/// (the exact `{"agreement", "key_id", "signature"}` bytes, see
/// [`crate::agreement::SignedAgreement`]), proposing it or countersigning
/// the proposed bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementSignature {
    /// The signed agreement, exact bytes.
    pub signed: String,
}

/// `guarantee-propose` and `guarantee-sign`: a party's signed guarantee
/// (the exact `{"guarantee", "key_id", "signature"}` bytes, see
/// [`crate::guarantee::SignedGuarantee`]), proposing it or countersigning
/// the proposed bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeSignature {
    /// The signed guarantee, exact bytes.
    pub signed: String,
}

/// `guarantee-withdraw`: notice of withdrawal from a guarantee; it lapses
/// when its notice period has run (see [`crate::guarantee`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeWithdraw {
    /// The guarantee's id.
    pub guarantee: String,
    /// Base64 SHA-256 of the guarantee's canonical bytes: which text is withdrawn.
    pub document_sha256: String,
    /// Why.
    pub reason: String,
}

/// `pledge-sign`: a party's signature on a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeSign {
    /// Which pledge, `<host>/<id>`.
    pub pledge: PledgeRef,
    /// The signer's signed pledge (the exact `{"key_id", "pledge",
    /// "signature"}` bytes, see [`crate::pledge::SignedPledge`]), over the
    /// bytes its host published.
    pub signed: String,
}

/// `pledge-withdraw`: a withdrawal from a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeWithdraw {
    /// Which pledge, `<host>/<id>`.
    pub pledge: PledgeRef,
    /// Why.
    pub reason: String,
}

/// Which deadline was missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineKind {
    /// The acknowledgement deadline.
    Acknowledge,
    /// The reply deadline.
    Reply,
    /// A communication check's answer window (a `pong` to a `ping`).
    Check,
}

/// `escalation`: a missed deadline, raised to the next tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// The message whose deadline was missed.
    pub message: MessageId,
    /// Which deadline.
    pub missed: DeadlineKind,
    /// When it was due.
    pub due_at: Timestamp,
    /// The tier that missed it.
    pub from_tier: Tier,
    /// The tier it goes to.
    pub to_tier: Tier,
}

/// A message body, typed by kind.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Body {
    Notification(Notification),
    RequestInformation(RequestInformation),
    RequestAssistance(RequestAssistance),
    Acknowledgement(Acknowledgement),
    Reply(Reply),
    ConsultationRequest(ConsultationRequest),
    Goodwill(Goodwill),
    Ping(Check),
    Pong(Check),
    ContactUpdate(ContactUpdate),
    ChannelStatus(ChannelStatus),
    GuaranteePropose(GuaranteeSignature),
    GuaranteeSign(GuaranteeSignature),
    GuaranteeWithdraw(GuaranteeWithdraw),
    PledgeSign(PledgeSign),
    PledgeWithdraw(PledgeWithdraw),
    Escalation(Escalation),
    AgreementPropose(AgreementSignature),
    AgreementSign(AgreementSignature),
}

fn decode<T: DeserializeOwned>(value: Value) -> Result<T, ProtoError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = crate::error::field_path("envelope.body", error.path());
        ProtoError::field(field, error.into_inner().to_string())
    })
}

impl Body {
    /// The guarantee or pledge this body cites as breached, if any.
    pub fn alleged_breach(&self) -> Option<&Citation> {
        match self {
            Body::Notification(b) => b.alleged_breach.as_ref(),
            Body::ConsultationRequest(b) => b.alleged_breach.as_ref(),
            Body::RequestInformation(_)
            | Body::RequestAssistance(_)
            | Body::Acknowledgement(_)
            | Body::Reply(_)
            | Body::Goodwill(_)
            | Body::Ping(_)
            | Body::Pong(_)
            | Body::ContactUpdate(_)
            | Body::ChannelStatus(_)
            | Body::GuaranteePropose(_)
            | Body::GuaranteeSign(_)
            | Body::GuaranteeWithdraw(_)
            | Body::PledgeSign(_)
            | Body::PledgeWithdraw(_)
            | Body::Escalation(_)
            | Body::AgreementPropose(_)
            | Body::AgreementSign(_) => None,
        }
    }

    /// Decodes `value` as the body of a `kind` message, and validates it.
    pub fn from_value(kind: MessageKind, value: Value) -> Result<Self, ProtoError> {
        if !value.is_object() {
            return Err(ProtoError::field("envelope.body", "must be a JSON object"));
        }
        let body = match kind {
            MessageKind::Notification => Body::Notification(decode(value)?),
            MessageKind::RequestInformation => Body::RequestInformation(decode(value)?),
            MessageKind::RequestAssistance => Body::RequestAssistance(decode(value)?),
            MessageKind::Acknowledgement => Body::Acknowledgement(decode(value)?),
            MessageKind::Reply => Body::Reply(decode(value)?),
            MessageKind::ConsultationRequest => Body::ConsultationRequest(decode(value)?),
            MessageKind::Goodwill => Body::Goodwill(decode(value)?),
            MessageKind::Ping => Body::Ping(decode(value)?),
            MessageKind::Pong => Body::Pong(decode(value)?),
            MessageKind::ContactUpdate => Body::ContactUpdate(decode(value)?),
            MessageKind::ChannelStatus => Body::ChannelStatus(decode(value)?),
            MessageKind::GuaranteePropose => Body::GuaranteePropose(decode(value)?),
            MessageKind::GuaranteeSign => Body::GuaranteeSign(decode(value)?),
            MessageKind::GuaranteeWithdraw => Body::GuaranteeWithdraw(decode(value)?),
            MessageKind::PledgeSign => Body::PledgeSign(decode(value)?),
            MessageKind::PledgeWithdraw => Body::PledgeWithdraw(decode(value)?),
            MessageKind::Escalation => Body::Escalation(decode(value)?),
            MessageKind::AgreementPropose => Body::AgreementPropose(decode(value)?),
            MessageKind::AgreementSign => Body::AgreementSign(decode(value)?),
        };
        body.validate()?;
        Ok(body)
    }

    /// The kind this body belongs to.
    pub fn kind(&self) -> MessageKind {
        match self {
            Body::Notification(_) => MessageKind::Notification,
            Body::RequestInformation(_) => MessageKind::RequestInformation,
            Body::RequestAssistance(_) => MessageKind::RequestAssistance,
            Body::Acknowledgement(_) => MessageKind::Acknowledgement,
            Body::Reply(_) => MessageKind::Reply,
            Body::ConsultationRequest(_) => MessageKind::ConsultationRequest,
            Body::Goodwill(_) => MessageKind::Goodwill,
            Body::Ping(_) => MessageKind::Ping,
            Body::Pong(_) => MessageKind::Pong,
            Body::ContactUpdate(_) => MessageKind::ContactUpdate,
            Body::ChannelStatus(_) => MessageKind::ChannelStatus,
            Body::GuaranteePropose(_) => MessageKind::GuaranteePropose,
            Body::GuaranteeSign(_) => MessageKind::GuaranteeSign,
            Body::GuaranteeWithdraw(_) => MessageKind::GuaranteeWithdraw,
            Body::PledgeSign(_) => MessageKind::PledgeSign,
            Body::PledgeWithdraw(_) => MessageKind::PledgeWithdraw,
            Body::Escalation(_) => MessageKind::Escalation,
            Body::AgreementPropose(_) => MessageKind::AgreementPropose,
            Body::AgreementSign(_) => MessageKind::AgreementSign,
        }
    }

    /// The body as JSON.
    pub fn to_value(&self) -> Value {
        let value = match self {
            Body::Notification(b) => serde_json::to_value(b),
            Body::RequestInformation(b) => serde_json::to_value(b),
            Body::RequestAssistance(b) => serde_json::to_value(b),
            Body::Acknowledgement(b) => serde_json::to_value(b),
            Body::Reply(b) => serde_json::to_value(b),
            Body::ConsultationRequest(b) => serde_json::to_value(b),
            Body::Goodwill(b) => serde_json::to_value(b),
            Body::Ping(b) | Body::Pong(b) => serde_json::to_value(b),
            Body::ContactUpdate(b) => serde_json::to_value(b),
            Body::ChannelStatus(b) => serde_json::to_value(b),
            Body::GuaranteePropose(b) | Body::GuaranteeSign(b) => serde_json::to_value(b),
            Body::GuaranteeWithdraw(b) => serde_json::to_value(b),
            Body::PledgeSign(b) => serde_json::to_value(b),
            Body::PledgeWithdraw(b) => serde_json::to_value(b),
            Body::Escalation(b) => serde_json::to_value(b),
            Body::AgreementPropose(b) | Body::AgreementSign(b) => serde_json::to_value(b),
        };
        value.unwrap_or_else(|error| unreachable!("bodies always serialise: {error}"))
    }

    /// The STIX 2.1 bundle the body carries, if any and if it reads as one
    /// (a body that passed [`Body::from_value`] has a valid one).
    pub fn stix_bundle(&self) -> Option<crate::stix::Bundle> {
        let value = match self {
            Body::Notification(b) => b.stix.as_ref(),
            Body::RequestInformation(b) => b.stix.as_ref(),
            Body::RequestAssistance(b) => b.stix.as_ref(),
            Body::Reply(b) => b.stix.as_ref(),
            Body::Acknowledgement(_)
            | Body::ConsultationRequest(_)
            | Body::Goodwill(_)
            | Body::Ping(_)
            | Body::Pong(_)
            | Body::ContactUpdate(_)
            | Body::ChannelStatus(_)
            | Body::GuaranteePropose(_)
            | Body::GuaranteeSign(_)
            | Body::GuaranteeWithdraw(_)
            | Body::PledgeSign(_)
            | Body::PledgeWithdraw(_)
            | Body::Escalation(_)
            | Body::AgreementPropose(_)
            | Body::AgreementSign(_) => None,
        }?;
        crate::stix::Bundle::from_value(value.clone()).ok()
    }

    /// The text a person wrote, beyond the headline (a notification's
    /// summary, a question, a reply's text…); `None` for kinds that carry a
    /// document, contacts or an escalation instead.
    pub fn text(&self) -> Option<String> {
        match self {
            Body::Notification(b) => Some(b.summary.clone()),
            Body::RequestInformation(b) => Some(b.question.clone()),
            Body::RequestAssistance(b) => Some(format!("{}\n\n{}", b.description, b.assistance)),
            Body::ConsultationRequest(b) => Some(b.agenda.clone()),
            Body::Reply(b) => Some(b.text.clone()),
            Body::Goodwill(b) => Some(b.text.clone()),
            Body::Acknowledgement(b) => b.note.clone(),
            Body::Ping(b) | Body::Pong(b) => b.note.clone(),
            Body::ChannelStatus(b) => Some(b.reason.clone()),
            Body::ContactUpdate(_)
            | Body::GuaranteePropose(_)
            | Body::GuaranteeSign(_)
            | Body::GuaranteeWithdraw(_)
            | Body::PledgeSign(_)
            | Body::PledgeWithdraw(_)
            | Body::Escalation(_)
            | Body::AgreementPropose(_)
            | Body::AgreementSign(_) => None,
        }
    }

    /// One line for timelines and inbox tables.
    pub fn headline(&self) -> String {
        match self {
            Body::Notification(b) => b.subject.clone(),
            Body::RequestInformation(b) => b.subject.clone(),
            Body::RequestAssistance(b) => b.subject.clone(),
            Body::ConsultationRequest(b) => b.subject.clone(),
            Body::Reply(b) => first_line(&b.text),
            Body::Goodwill(b) => first_line(&b.text),
            Body::Acknowledgement(b) => b.note.as_deref().map(first_line).unwrap_or_default(),
            Body::Ping(b) | Body::Pong(b) => b.note.as_deref().map(first_line).unwrap_or_default(),
            Body::ContactUpdate(b) => format!("{} contact(s)", b.contacts.len()),
            Body::ChannelStatus(b) => format!("channel {:?}: {}", b.status, b.reason),
            Body::GuaranteePropose(b) => match signed_document_id("guarantee", &b.signed) {
                Some(id) => format!("guarantee {id} proposed"),
                None => "guarantee proposed".into(),
            },
            Body::AgreementPropose(_) => "agreement proposed".into(),
            Body::AgreementSign(_) => "agreement signed".into(),
            Body::GuaranteeSign(b) => match signed_document_id("guarantee", &b.signed) {
                Some(id) => format!("guarantee {id} signed"),
                None => "guarantee signed".into(),
            },
            Body::GuaranteeWithdraw(b) => format!(
                "guarantee {} withdrawn: {}",
                b.guarantee,
                first_line(&b.reason)
            ),
            Body::PledgeSign(b) => format!("pledge {} signed", b.pledge),
            Body::PledgeWithdraw(b) => {
                format!("pledge {} withdrawn: {}", b.pledge, first_line(&b.reason))
            }
            Body::Escalation(b) => format!(
                "{:?} deadline of {} missed; {} -> {}",
                b.missed,
                b.message.short(),
                b.from_tier,
                b.to_tier
            ),
        }
    }

    fn validate(&self) -> Result<(), ProtoError> {
        let required = |field: &str, text: &str| {
            if text.trim().is_empty() {
                Err(ProtoError::field(
                    format!("envelope.body.{field}"),
                    "must not be empty",
                ))
            } else {
                Ok(())
            }
        };
        let stix = |stix: &Option<Value>| match stix {
            Some(bundle) => check_stix_bundle(bundle),
            None => Ok(()),
        };
        match self {
            Body::Notification(b) => {
                required("subject", &b.subject)?;
                required("summary", &b.summary)?;
                stix(&b.stix)?;
                check_citation(&b.alleged_breach)
            }
            Body::RequestInformation(b) => {
                required("subject", &b.subject)?;
                required("question", &b.question)?;
                stix(&b.stix)
            }
            Body::RequestAssistance(b) => {
                required("subject", &b.subject)?;
                required("description", &b.description)?;
                required("assistance", &b.assistance)?;
                stix(&b.stix)
            }
            Body::Reply(b) => {
                required("text", &b.text)?;
                stix(&b.stix)
            }
            Body::ConsultationRequest(b) => {
                required("subject", &b.subject)?;
                required("agenda", &b.agenda)?;
                check_citation(&b.alleged_breach)
            }
            Body::Goodwill(b) => required("text", &b.text),
            Body::ContactUpdate(b) => {
                if b.contacts.is_empty() {
                    return Err(ProtoError::field(
                        "envelope.body.contacts",
                        "must name at least one tier",
                    ));
                }
                for (i, c) in b.contacts.iter().enumerate() {
                    required(&format!("contacts[{i}].contact"), &c.contact)?;
                }
                Ok(())
            }
            Body::ChannelStatus(b) => required("reason", &b.reason),
            Body::GuaranteePropose(b) | Body::GuaranteeSign(b) => required("signed", &b.signed),
            Body::GuaranteeWithdraw(b) => {
                check_guarantee_id("envelope.body.guarantee", &b.guarantee)?;
                decode_fixed::<32>("envelope.body.document_sha256", &b.document_sha256)?;
                required("reason", &b.reason)
            }
            Body::AgreementPropose(b) | Body::AgreementSign(b) => required("signed", &b.signed),
            Body::PledgeSign(b) => required("signed", &b.signed),
            Body::PledgeWithdraw(b) => required("reason", &b.reason),
            // Nothing of these may be empty: their notes are optional, and
            // an escalation's members are typed.
            Body::Acknowledgement(_) | Body::Ping(_) | Body::Pong(_) | Body::Escalation(_) => {
                Ok(())
            }
        }
    }
}

fn check_guarantee_id(field: &str, id: &str) -> Result<(), ProtoError> {
    if is_document_id(id) {
        Ok(())
    } else {
        Err(ProtoError::field(
            field,
            format!(
                "{id:?} is not a guarantee id; use 1 to 64 of a-z, 0-9 and '-', e.g. ru-us-elections-2026"
            ),
        ))
    }
}

fn check_citation(citation: &Option<Citation>) -> Result<(), ProtoError> {
    match citation {
        Some(Citation::Guarantee(id)) => {
            check_guarantee_id("envelope.body.alleged_breach.guarantee", id)
        }
        // A pledge reference is checked as it is read.
        Some(Citation::Pledge(_)) | None => Ok(()),
    }
}

/// The id a signed document claims, for headlines only: not verified here.
fn signed_document_id(member: &str, signed: &str) -> Option<String> {
    let value: Value = serde_json::from_str(signed).ok()?;
    let id = value.get(member)?.get("id")?.as_str()?;
    is_document_id(id).then(|| id.to_owned())
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect()
}

/// A STIX 2.1 bundle, checked in full ([`crate::stix::validate`]); a
/// fault is named by its path below `envelope.body.stix`, with the id of
/// the object it is in.
fn check_stix_bundle(bundle: &Value) -> Result<(), ProtoError> {
    let checked = stix::Bundle::from_value(bundle.clone()).and_then(|b| stix::validate(&b));
    checked.map_err(|error| {
        let field = match error.property.as_str() {
            "" => "envelope.body.stix".to_owned(),
            property => format!("envelope.body.stix.{property}"),
        };
        let problem = match &error.id {
            Some(id) => format!("{} (in {id})", error.problem),
            None => error.problem,
        };
        ProtoError::field(field, problem)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_by_kind() {
        let body = Body::from_value(
            MessageKind::Notification,
            json!({"subject": "DDoS on ministry portal", "summary": "since 09:00"}),
        )
        .expect("valid");
        assert_eq!(body.kind(), MessageKind::Notification);
        assert_eq!(body.headline(), "DDoS on ministry portal");
    }

    #[test]
    fn unknown_member_is_named() {
        let err = Body::from_value(MessageKind::Ping, json!({"exploit": 1})).unwrap_err();
        assert!(err.to_string().contains("unknown field `exploit`"), "{err}");
    }

    #[test]
    fn missing_and_empty_fields_are_named() {
        let err = Body::from_value(MessageKind::Notification, json!({"subject": "x"})).unwrap_err();
        assert!(err.to_string().contains("summary"), "{err}");
        let err = Body::from_value(
            MessageKind::Notification,
            json!({"subject": "  ", "summary": "x"}),
        )
        .unwrap_err();
        assert_eq!(
            err,
            ProtoError::field("envelope.body.subject", "must not be empty")
        );
    }

    #[test]
    fn wrong_type_deep_inside_is_named_by_path() {
        let err = Body::from_value(
            MessageKind::ContactUpdate,
            json!({"contacts": [{"tier": "technical", "contact": "x"}, {"tier": "navy", "contact": "y"}]}),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("envelope.body.contacts[1].tier"),
            "{err}"
        );
    }

    /// The bundle of the demo's notification (crates/detente/src/demo.rs, step 2).
    fn demo_bundle() -> Value {
        json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [{
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-28T09:30:00.000Z", "modified": "2026-11-28T09:30:00.000Z",
            "name": "Modbus scanning source", "pattern_type": "stix",
            "pattern": "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
            "valid_from": "2026-11-28T09:00:00Z"}]})
    }

    #[test]
    fn stix_bundles_are_validated_and_carried_exactly() {
        let mut bundle = demo_bundle();
        bundle["objects"][0]["x_detente_sensor"] = json!({"site": "substation 7", "ports": [502]});
        for (kind, body) in [
            (
                MessageKind::Notification,
                json!({"subject": "s", "summary": "s", "stix": bundle}),
            ),
            (
                MessageKind::RequestInformation,
                json!({"subject": "s", "question": "q", "stix": bundle}),
            ),
            (
                MessageKind::RequestAssistance,
                json!({"subject": "s", "description": "d", "assistance": "a", "stix": bundle}),
            ),
            (
                MessageKind::Reply,
                json!({"stage": "interim", "text": "t", "stix": bundle}),
            ),
        ] {
            round_trip(kind, body);
        }
    }

    #[test]
    fn a_malformed_stix_bundle_is_refused_at_its_path() {
        let mut bundle = demo_bundle();
        bundle["objects"][0]["valid_from"] = json!("yesterday");
        assert_eq!(
            refused(
                MessageKind::Notification,
                json!({"subject": "s", "summary": "s", "stix": bundle})
            ),
            "envelope.body.stix.objects[0].valid_from: \"yesterday\" is not an RFC 3339 timestamp; write UTC with a Z suffix, e.g. 2016-01-20T12:31:12.123Z (STIX 2.1 §2.16) (in indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f)"
        );
        let mut bundle = demo_bundle();
        bundle["objects"][0] = json!({"type": "indicator", "id": "indicator--x"});
        let error = refused(
            MessageKind::Reply,
            json!({"stage": "final", "text": "t", "stix": bundle}),
        );
        assert!(
            error.starts_with(
                "envelope.body.stix.objects[0].id: \"indicator--x\": \"x\" is not a UUID"
            ),
            "{error}"
        );
        assert_eq!(
            refused(
                MessageKind::Notification,
                json!({"subject": "s", "summary": "s", "stix": {"type": "bundle"}})
            ),
            "envelope.body.stix.id: missing; write \"bundle--\" and a random UUID"
        );
        assert_eq!(
            refused(
                MessageKind::Notification,
                json!({"subject": "s", "summary": "s", "stix": []})
            ),
            "envelope.body.stix: must be a STIX 2.1 bundle: a JSON object with \"type\": \"bundle\", an \"id\" and \"objects\""
        );
    }

    /// Decodes `body` as `kind`, and checks it encodes back to the same JSON.
    fn round_trip(kind: MessageKind, body: Value) -> Body {
        let decoded = Body::from_value(kind, body.clone()).expect("valid");
        assert_eq!(decoded.kind(), kind);
        assert_eq!(decoded.to_value(), body);
        decoded
    }

    fn refused(kind: MessageKind, body: Value) -> String {
        Body::from_value(kind, body)
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn citations_ride_on_notifications_and_consultations() {
        let plain = json!({"subject": "s", "summary": "x"});
        let Body::Notification(n) = round_trip(MessageKind::Notification, plain) else {
            unreachable!("a notification")
        };
        assert_eq!(n.alleged_breach, None, "absent, and left out when encoded");
        let cited = json!({"subject": "s", "summary": "x",
            "alleged_breach": {"guarantee": "ru-us-elections-2026"}});
        let Body::Notification(n) = round_trip(MessageKind::Notification, cited) else {
            unreachable!("a notification")
        };
        assert_eq!(
            n.alleged_breach,
            Some(Citation::Guarantee("ru-us-elections-2026".into()))
        );
        let cited = json!({"subject": "s", "agenda": "a",
            "alleged_breach": {"pledge": "UN/no-first-use"}});
        let Body::ConsultationRequest(c) = round_trip(MessageKind::ConsultationRequest, cited)
        else {
            unreachable!("a consultation request")
        };
        assert_eq!(
            c.alleged_breach,
            Some(Citation::Pledge("UN/no-first-use".parse().expect("ref")))
        );
        assert_eq!(
            crate::canonical::to_canonical_bytes(&Body::ConsultationRequest(c.clone()).to_value()),
            br#"{"agenda":"a","alleged_breach":{"pledge":"UN/no-first-use"},"subject":"s"}"#
        );

        assert_eq!(
            refused(
                MessageKind::Notification,
                json!({"subject": "s", "summary": "x", "alleged_breach": {"guarantee": "No"}})
            ),
            "envelope.body.alleged_breach.guarantee: \"No\" is not a guarantee id; use 1 to 64 of a-z, 0-9 and '-', e.g. ru-us-elections-2026"
        );
        let error = refused(
            MessageKind::Notification,
            json!({"subject": "s", "summary": "x", "alleged_breach": {"pledge": "no-first-use"}}),
        );
        assert!(
            error.starts_with(
                "envelope.body.alleged_breach.pledge: \"no-first-use\" is not a pledge reference"
            ),
            "{error}"
        );
        let error = refused(
            MessageKind::ConsultationRequest,
            json!({"subject": "s", "agenda": "a", "alleged_breach": {"agreement": "x@1"}}),
        );
        assert!(
            error.starts_with("envelope.body.alleged_breach: unknown variant `agreement`, expected `guarantee` or `pledge`"),
            "{error}"
        );
    }

    #[test]
    fn guarantee_and_pledge_bodies_round_trip() {
        let signed = r#"{"guarantee":{"id":"ru-us-elections-2026"},"key_id":"0011223344556677","signature":"AA=="}"#;
        let propose = round_trip(MessageKind::GuaranteePropose, json!({"signed": signed}));
        assert_eq!(
            propose.headline(),
            "guarantee ru-us-elections-2026 proposed"
        );
        let sign = round_trip(MessageKind::GuaranteeSign, json!({"signed": signed}));
        assert_eq!(sign.headline(), "guarantee ru-us-elections-2026 signed");
        let odd = round_trip(MessageKind::GuaranteeSign, json!({"signed": "not json"}));
        assert_eq!(odd.headline(), "guarantee signed");
        let withdraw = round_trip(
            MessageKind::GuaranteeWithdraw,
            json!({"guarantee": "ru-us-elections-2026",
                "document_sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "reason": "Breach of the guarantee by the other party\nSee the annex."}),
        );
        assert_eq!(
            withdraw.headline(),
            "guarantee ru-us-elections-2026 withdrawn: Breach of the guarantee by the other party"
        );
        let pledge_sign = round_trip(
            MessageKind::PledgeSign,
            json!({"pledge": "UN/no-first-use", "signed": "{}"}),
        );
        assert_eq!(pledge_sign.headline(), "pledge UN/no-first-use signed");
        let pledge_withdraw = round_trip(
            MessageKind::PledgeWithdraw,
            json!({"pledge": "UN/no-first-use", "reason": "Circumstances changed"}),
        );
        assert_eq!(
            pledge_withdraw.headline(),
            "pledge UN/no-first-use withdrawn: Circumstances changed"
        );
    }

    #[test]
    fn guarantee_and_pledge_bodies_are_checked() {
        let sha = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        let cases = [
            (
                MessageKind::GuaranteePropose,
                json!({"signed": " "}),
                "envelope.body.signed: must not be empty",
            ),
            (
                MessageKind::GuaranteeSign,
                json!({"document_sha256": sha}),
                "envelope.body.document_sha256: unknown field `document_sha256`, expected `signed`",
            ),
            (
                MessageKind::GuaranteePropose,
                json!({"document": {}}),
                "envelope.body.document: unknown field `document`, expected `signed`",
            ),
            (
                MessageKind::GuaranteeWithdraw,
                json!({"guarantee": "ru-us-elections-2026", "document_sha256": sha, "reason": ""}),
                "envelope.body.reason: must not be empty",
            ),
            (
                MessageKind::GuaranteeWithdraw,
                json!({"guarantee": "RU US", "document_sha256": sha, "reason": "r"}),
                "envelope.body.guarantee: \"RU US\" is not a guarantee id",
            ),
            (
                MessageKind::GuaranteeWithdraw,
                json!({"guarantee": "g", "document_sha256": "AAAA", "reason": "r"}),
                "envelope.body.document_sha256: must be base64 of exactly 32 bytes",
            ),
            (
                MessageKind::GuaranteeWithdraw,
                json!({"guarantee": "g", "reason": "r"}),
                "envelope.body: missing field `document_sha256`",
            ),
            (
                MessageKind::PledgeSign,
                json!({"pledge": "UN/no-first-use", "signed": ""}),
                "envelope.body.signed: must not be empty",
            ),
            (
                MessageKind::PledgeSign,
                json!({"pledge": "no-first-use", "signed": "{}"}),
                "envelope.body.pledge: \"no-first-use\" is not a pledge reference; write <host>/<id>, e.g. UN/no-first-use",
            ),
            (
                MessageKind::PledgeWithdraw,
                json!({"pledge": "UN/no-first-use", "reason": "  "}),
                "envelope.body.reason: must not be empty",
            ),
            (
                MessageKind::PledgeWithdraw,
                json!({"pledge": "UN/no-first-use"}),
                "envelope.body: missing field `reason`",
            ),
        ];
        for (kind, body, says) in cases {
            let error = refused(kind, body);
            assert!(
                error.starts_with(says),
                "{kind}: wanted {says:?}, got: {error}"
            );
        }
    }
}
