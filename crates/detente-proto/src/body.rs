//! Typed bodies, one per message kind.
//!
//! A body is decoded by its envelope's `kind`; members a kind does not
//! define are refused (`deny_unknown_fields`), so a peer cannot smuggle data
//! past validation. STIX 2.1 bundles ride in the `stix` member of the kinds
//! that carry incident data; they are checked here only for their outer
//! shape (full STIX validation is the threat-intelligence layer's job).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ProtoError;
use crate::ids::{MessageId, Tier};
use crate::kind::MessageKind;
use crate::time::Timestamp;

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

/// `guarantee-propose`: a guarantee document offered for signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteePropose {
    /// The guarantee document (its schema belongs to the guarantee registry).
    pub document: Value,
}

/// `guarantee-sign`: a signature on a proposed guarantee's exact bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeSign {
    /// Base64 SHA-256 of the guarantee document's canonical bytes.
    pub document_sha256: String,
}

/// `guarantee-withdraw`: notice of withdrawal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeWithdraw {
    /// Base64 SHA-256 of the guarantee document's canonical bytes.
    pub document_sha256: String,
    /// Why.
    pub reason: String,
}

/// `pledge-sign`: a signature on a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeSign {
    /// The pledge's id at its host.
    pub pledge: String,
    /// Base64 SHA-256 of the pledge document's canonical bytes.
    pub document_sha256: String,
}

/// `pledge-withdraw`: a withdrawal from a pledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PledgeWithdraw {
    /// The pledge's id at its host.
    pub pledge: String,
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
    GuaranteePropose(GuaranteePropose),
    GuaranteeSign(GuaranteeSign),
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
            Body::GuaranteePropose(b) => serde_json::to_value(b),
            Body::GuaranteeSign(b) => serde_json::to_value(b),
            Body::GuaranteeWithdraw(b) => serde_json::to_value(b),
            Body::PledgeSign(b) => serde_json::to_value(b),
            Body::PledgeWithdraw(b) => serde_json::to_value(b),
            Body::Escalation(b) => serde_json::to_value(b),
            Body::AgreementPropose(b) | Body::AgreementSign(b) => serde_json::to_value(b),
        };
        value.unwrap_or_else(|error| unreachable!("bodies always serialise: {error}"))
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
            Body::GuaranteePropose(_) => "guarantee proposed".into(),
            Body::AgreementPropose(_) => "agreement proposed".into(),
            Body::AgreementSign(_) => "agreement signed".into(),
            Body::GuaranteeSign(_) => "guarantee signed".into(),
            Body::GuaranteeWithdraw(b) => first_line(&b.reason),
            Body::PledgeSign(b) => format!("pledge {} signed", b.pledge),
            Body::PledgeWithdraw(b) => format!("pledge {} withdrawn", b.pledge),
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
            Some(bundle) => check_stix_bundle_shape(bundle),
            None => Ok(()),
        };
        match self {
            Body::Notification(b) => {
                required("subject", &b.subject)?;
                required("summary", &b.summary)?;
                stix(&b.stix)
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
                required("agenda", &b.agenda)
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
            Body::GuaranteePropose(b) if !b.document.is_object() => Err(ProtoError::field(
                "envelope.body.document",
                "must be a JSON object",
            )),
            Body::GuaranteeWithdraw(b) => required("reason", &b.reason),
            Body::AgreementPropose(b) | Body::AgreementSign(b) => required("signed", &b.signed),
            Body::PledgeSign(b) => required("pledge", &b.pledge),
            Body::PledgeWithdraw(b) => {
                required("pledge", &b.pledge)?;
                required("reason", &b.reason)
            }
            _ => Ok(()),
        }
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(80)
        .collect()
}

/// The outer shape of a STIX 2.1 bundle (STIX 2.1 §8.1): `type` is
/// `bundle`, `id` is `bundle--<uuid>`, `objects` (if present) is an array
/// of objects that each have a string `type` and `id`.
fn check_stix_bundle_shape(bundle: &Value) -> Result<(), ProtoError> {
    let field = |rest: &str| format!("envelope.body.stix{rest}");
    let object = bundle
        .as_object()
        .ok_or_else(|| ProtoError::field(field(""), "must be a STIX 2.1 bundle object"))?;
    if object.get("type").and_then(Value::as_str) != Some("bundle") {
        return Err(ProtoError::field(field(".type"), "must be \"bundle\""));
    }
    let id_ok = object
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.strip_prefix("bundle--"))
        .is_some_and(|uuid| uuid::Uuid::try_parse(uuid).is_ok());
    if !id_ok {
        return Err(ProtoError::field(
            field(".id"),
            "must be \"bundle--\" followed by a UUID",
        ));
    }
    match object.get("objects") {
        None => Ok(()),
        Some(Value::Array(objects)) => {
            for (i, item) in objects.iter().enumerate() {
                let typed = item.get("type").and_then(Value::as_str).is_some();
                let id = item.get("id").and_then(Value::as_str).is_some();
                if !(typed && id) {
                    return Err(ProtoError::field(
                        field(&format!(".objects[{i}]")),
                        "every STIX object needs a string \"type\" and \"id\"",
                    ));
                }
            }
            Ok(())
        }
        Some(_) => Err(ProtoError::field(field(".objects"), "must be an array")),
    }
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

    #[test]
    fn stix_bundle_shape_is_checked() {
        let ok = json!({"subject": "s", "summary": "s", "stix": {
            "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": [{"type": "indicator", "id": "indicator--x"}]}});
        Body::from_value(MessageKind::Notification, ok).expect("valid bundle");
        let bad = json!({"subject": "s", "summary": "s", "stix": {
            "type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": [{"id": "indicator--x"}]}});
        let err = Body::from_value(MessageKind::Notification, bad).unwrap_err();
        assert!(
            err.to_string().starts_with("envelope.body.stix.objects[0]"),
            "{err}"
        );
    }
}
