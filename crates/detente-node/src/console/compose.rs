//! The console's compose form, pure: which kinds an officer writes in it,
//! the fields each kind's form has, the body those fields make, what the
//! agreement in force and the officer's clearance let the form offer, and
//! which field a refusal concerns. The rules themselves stay where they
//! live ([`Agreement::allows`], [`Body::from_value`](detente_proto::body::Body::from_value),
//! [`crate::officers::Officer::require`]); this module only chooses what to offer and where to say
//! what was refused.

use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::agreement::{Agreement, Refusal as AgreementRefusal};
use detente_proto::ids::Tier;
use detente_proto::kind::{Composer, MessageKind};
use serde_json::{Map, Value};

use crate::error::{Forbidden, Mistake, NodeError};

/// The fields of one kind's form, each named by its body member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Whether it has a subject (`subject`).
    pub subject: bool,
    /// The body member the main text goes to (`summary`, `question`…).
    pub text: &'static str,
    /// Whether the main text may be left empty.
    pub text_optional: bool,
    /// A second text's member (`assistance`), if the kind has one.
    pub extra: Option<&'static str>,
    /// Whether a STIX 2.1 bundle may be attached (`stix`).
    pub stix: bool,
    /// Whether it has a stage, interim or final (`stage`).
    pub stage: bool,
}

impl Shape {
    const fn text(text: &'static str) -> Self {
        Self {
            subject: false,
            text,
            text_optional: false,
            extra: None,
            stix: false,
            stage: false,
        }
    }
}

/// The form of `kind`, if the console writes it. The others are written
/// by their own pages (acknowledgement), by their documents' operations,
/// by the agreement engine, or through the officer API and CLI
/// (structured bodies: contact updates, channel status, pongs).
pub fn shape(kind: MessageKind) -> Option<Shape> {
    use MessageKind::*;
    let with_subject = |text| Shape {
        subject: true,
        stix: true,
        ..Shape::text(text)
    };
    match kind {
        Notification => Some(with_subject("summary")),
        RequestInformation => Some(with_subject("question")),
        RequestAssistance => Some(Shape {
            extra: Some("assistance"),
            ..with_subject("description")
        }),
        ConsultationRequest => Some(Shape {
            subject: true,
            ..Shape::text("agenda")
        }),
        Reply => Some(Shape {
            stix: true,
            stage: true,
            ..Shape::text("text")
        }),
        Goodwill => Some(Shape::text("text")),
        Ping => Some(Shape {
            text_optional: true,
            ..Shape::text("note")
        }),
        Acknowledgement | Pong | ContactUpdate | ChannelStatus | GuaranteePropose
        | GuaranteeSign | GuaranteeWithdraw | PledgeSign | PledgeWithdraw | Escalation
        | AgreementPropose | AgreementSign => None,
    }
}

/// The kinds the compose page offers: those with a form, written by an
/// officer, and needing no message to answer (a reply is written from the
/// message it answers).
pub fn composable() -> impl Iterator<Item = MessageKind> {
    MessageKind::ALL.iter().copied().filter(|kind| {
        shape(*kind).is_some()
            && kind.composer() == Composer::Officer
            && !kind.requires_in_reply_to()
    })
}

/// What the officer wrote in a form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    /// The subject.
    pub subject: String,
    /// The main text.
    pub text: String,
    /// The second text.
    pub extra: String,
    /// `interim` or `final`.
    pub stage: String,
    /// The STIX bundle uploaded, parsed.
    pub stix: Option<Value>,
}

/// The body `written` makes in `shape`'s members. Empty optional texts
/// are left out; a required one is sent empty, for the body's own rule to
/// refuse.
pub fn body(shape: Shape, written: Written) -> Value {
    let mut body = Map::new();
    if shape.subject {
        body.insert("subject".into(), Value::String(written.subject));
    }
    if !(shape.text_optional && written.text.trim().is_empty()) {
        body.insert(shape.text.into(), Value::String(written.text));
    }
    if let Some(extra) = shape.extra {
        body.insert(extra.into(), Value::String(written.extra));
    }
    if shape.stage {
        body.insert("stage".into(), Value::String(written.stage));
    }
    if let (true, Some(stix)) = (shape.stix, written.stix) {
        body.insert("stix".into(), stix);
    }
    Value::Object(body)
}

/// A field of the compose form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The receiving party.
    To,
    /// The tier the officer speaks for.
    FromTier,
    /// The tier addressed.
    ToTier,
    /// The kind.
    Kind,
    /// Exercise traffic.
    Exercise,
    /// The subject.
    Subject,
    /// The main text.
    Text,
    /// The second text.
    Extra,
    /// The stage.
    Stage,
    /// The STIX upload.
    Stix,
    /// The whole message (the channel, a citation, the message answered).
    Form,
}

/// The field `error` (from composing in `shape` from `from_tier`)
/// concerns.
pub fn field_of(error: &NodeError, shape: Shape, from_tier: Tier) -> Field {
    match error {
        NodeError::Forbidden(Forbidden::NotCleared { .. }) => Field::FromTier,
        NodeError::UnknownParty(_) | NodeError::NoKey(_) => Field::To,
        NodeError::Mistake(Mistake::ComposedElsewhere { .. }) => Field::Kind,
        NodeError::Refused(Refusal::Agreement(refusal)) => match refusal {
            AgreementRefusal::NotAParty { .. } => Field::To,
            AgreementRefusal::TierNotInUse { tier, .. } if *tier == from_tier => Field::FromTier,
            AgreementRefusal::TierNotInUse { .. } => Field::ToTier,
            AgreementRefusal::KindNotAllowed { .. } => Field::Kind,
            AgreementRefusal::ExercisesNotAllowed { .. } => Field::Exercise,
            _ => Field::Form,
        },
        NodeError::Invalid(ProtoError::InvalidField { field, .. })
        | NodeError::Invalid(ProtoError::OutOfBounds { path: field, .. }) => {
            member_field(field, shape)
        }
        _ => Field::Form,
    }
}

/// The form field a body member's path (`envelope.body.summary`,
/// `envelope.body.stix.objects[0]`) belongs to.
fn member_field(path: &str, shape: Shape) -> Field {
    let member = path
        .strip_prefix("envelope.body.")
        .unwrap_or(path)
        .split(['.', '['])
        .next()
        .unwrap_or("");
    match member {
        "subject" => Field::Subject,
        "stix" => Field::Stix,
        "stage" => Field::Stage,
        m if m == shape.text => Field::Text,
        m if Some(m) == shape.extra => Field::Extra,
        _ => Field::Form,
    }
}

/// What the form offers for a channel: the tiers the officer may speak
/// for, the tiers they may address, and the kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// Tiers to speak for: the officer's, in use by the agreement.
    pub from_tiers: Vec<Tier>,
    /// Tiers to address: those in use by the agreement (all without one).
    pub to_tiers: Vec<Tier>,
    /// Kinds that at least one of `from_tiers` may send.
    pub kinds: Vec<MessageKind>,
    /// Whether exercise traffic may be sent.
    pub exercises: bool,
}

/// What the form offers an officer cleared for `cleared` on a channel
/// under `agreement` (the one in force, if any).
pub fn offer(cleared: &[Tier], agreement: Option<&Agreement>) -> Offer {
    let in_use = |tier: &Tier| agreement.is_none_or(|a| a.tiers.contains_key(tier));
    let from_tiers: Vec<Tier> = cleared.iter().copied().filter(in_use).collect();
    let to_tiers: Vec<Tier> = Tier::ALL.into_iter().filter(in_use).collect();
    let kinds = composable()
        .filter(|kind| match agreement {
            // Judged by the agreement: some tier of the officer's may send it.
            Some(agreement) if kind.judged_by_agreement() => from_tiers.iter().any(|tier| {
                !kind.needs_tier_permission() || agreement.tiers[tier].may_send.contains(kind)
            }),
            _ => true,
        })
        .collect();
    Offer {
        exercises: agreement.is_none_or(|a| a.exercises.allowed),
        from_tiers,
        to_tiers,
        kinds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_composable_kind_makes_a_body_its_own_rules_accept() {
        for kind in composable() {
            let shape = shape(kind).unwrap();
            let written = Written {
                subject: "Скан портов".into(),
                text: "نص".into(),
                extra: "help".into(),
                stage: "final".into(),
                stix: None,
            };
            let body = body(shape, written);
            assert!(
                detente_proto::body::Body::from_value(kind, body.clone()).is_ok(),
                "{kind}: {body}"
            );
        }
    }

    #[test]
    fn an_optional_empty_text_is_left_out_and_a_required_one_is_refused_by_the_body() {
        let ping = body(shape(MessageKind::Ping).unwrap(), Written::default());
        assert_eq!(ping, serde_json::json!({}));
        let notification = body(
            shape(MessageKind::Notification).unwrap(),
            Written {
                subject: "s".into(),
                ..Written::default()
            },
        );
        let error = detente_proto::body::Body::from_value(MessageKind::Notification, notification)
            .unwrap_err();
        let shape = shape(MessageKind::Notification).unwrap();
        assert_eq!(field_of(&error.into(), shape, Tier::Technical), Field::Text);
    }

    #[test]
    fn the_compose_page_offers_no_answer_and_no_document_step() {
        let kinds: Vec<MessageKind> = composable().collect();
        assert!(kinds.contains(&MessageKind::Notification));
        for kind in [
            MessageKind::Reply,
            MessageKind::Acknowledgement,
            MessageKind::Escalation,
            MessageKind::GuaranteePropose,
        ] {
            assert!(!kinds.contains(&kind), "{kind}");
        }
    }

    #[test]
    fn the_form_offers_only_what_the_agreement_and_the_clearance_allow() {
        let agreement = detente_proto::agreement::AgreementSpec::parse(include_str!(
            "../../testdata/agreement-example.toml"
        ))
        .and_then(|spec| spec.validate())
        .unwrap();
        let technical = offer(&[Tier::Technical], Some(&agreement));
        assert_eq!(technical.from_tiers, vec![Tier::Technical]);
        assert!(technical.kinds.contains(&MessageKind::Notification));
        // Only operational and above may ask for consultation, or send goodwill.
        assert!(!technical.kinds.contains(&MessageKind::ConsultationRequest));
        assert!(!technical.kinds.contains(&MessageKind::Goodwill));
        let both = offer(&[Tier::Technical, Tier::Operational], Some(&agreement));
        assert!(both.kinds.contains(&MessageKind::ConsultationRequest));
        // Without an agreement, the clearance alone decides.
        let none = offer(&[Tier::Policy], None);
        assert_eq!(none.from_tiers, vec![Tier::Policy]);
        assert_eq!(none.to_tiers, Tier::ALL.to_vec());
        assert!(none.exercises);
    }

    #[test]
    fn a_stix_problem_concerns_the_upload() {
        let shape = shape(MessageKind::Notification).unwrap();
        assert_eq!(
            member_field("envelope.body.stix.objects[0].type", shape),
            Field::Stix
        );
        assert_eq!(member_field("envelope.body.summary", shape), Field::Text);
        assert_eq!(member_field("envelope.body.other", shape), Field::Form);
    }
}
