//! Why something an officer asked in the console was refused, in the
//! interface language. The refusal is the node's own typed error (the same
//! the officer API answers with); this only words it. The errors an
//! officer meets at the console's forms each have their own sentence; any
//! other is worded by a general sentence in the interface language, with
//! the node's own (English) explanation beside it, marked `lang="en"`.

use detente_proto::ProtoError;
use detente_proto::admission::Refusal;
use detente_proto::agreement::Refusal as AgreementRefusal;

use super::i18n::Tr;
use crate::error::{Forbidden, NodeError};

/// A refusal, worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// In the interface language.
    pub text: String,
    /// The node's own explanation, in English, where the sentence alone
    /// does not say everything.
    pub detail: Option<String>,
}

/// `error`, worded in `t`'s language.
pub fn explain(t: &Tr, error: &NodeError) -> Explained {
    let said = |text: String| Explained { text, detail: None };
    match error {
        NodeError::Forbidden(Forbidden::NotCleared { tier, .. }) => {
            said(t.t1("refused-not-cleared", "tier", &t.tier(*tier)))
        }
        NodeError::Forbidden(Forbidden::Csrf) => said(t.t("refused-csrf")),
        NodeError::UnknownParty(party) => {
            said(t.t1("refused-unknown-party", "party", party.as_str()))
        }
        NodeError::Refused(Refusal::ChannelSuspended { with, .. }) => {
            said(t.t1("refused-channel-suspended", "party", with.as_str()))
        }
        NodeError::Refused(Refusal::Agreement(refusal)) => match refusal {
            AgreementRefusal::NotAParty {
                agreement, party, ..
            } => said(t.ta(
                "refused-not-a-party",
                &[("agreement", agreement), ("party", party.as_str())],
            )),
            AgreementRefusal::TierNotInUse {
                agreement, tier, ..
            } => said(t.ta(
                "refused-tier-not-in-use",
                &[("agreement", agreement), ("tier", &t.tier(*tier))],
            )),
            AgreementRefusal::KindNotAllowed {
                agreement,
                tier,
                kind,
                ..
            } => said(t.ta(
                "refused-kind-not-allowed",
                &[
                    ("agreement", agreement),
                    ("tier", &t.tier(*tier)),
                    ("kind", &t.kind(*kind)),
                ],
            )),
            AgreementRefusal::ExercisesNotAllowed { agreement } => {
                said(t.t1("refused-exercises-not-allowed", "agreement", agreement))
            }
            other => general(t, &other.to_string()),
        },
        NodeError::Invalid(ProtoError::InvalidField { problem, .. }) => Explained {
            text: t.t("refused-invalid-field"),
            detail: Some(problem.clone()),
        },
        NodeError::Invalid(ProtoError::TooLarge { limit, .. }) => {
            said(t.t1("refused-too-large", "limit", &limit.to_string()))
        }
        NodeError::BodyTooLarge { limit } => {
            said(t.t1("refused-too-large", "limit", &limit.to_string()))
        }
        other => general(t, &other.to_string()),
    }
}

fn general(t: &Tr, detail: &str) -> Explained {
    Explained {
        text: t.t("refused-other"),
        detail: Some(detail.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use detente_proto::ids::{OfficerName, Tier};

    use super::*;
    use crate::console::i18n::Lang;

    #[test]
    fn a_clearance_refusal_is_worded_in_each_language_with_the_tier_in_it() {
        let error = NodeError::Forbidden(Forbidden::NotCleared {
            officer: "duty".parse::<OfficerName>().unwrap(),
            cleared: vec![Tier::Technical],
            tier: Tier::Leadership,
            action: "send for that tier",
        });
        let mut texts = Vec::new();
        for lang in Lang::ALL {
            let t = Tr { lang };
            let explained = explain(&t, &error);
            assert!(
                explained.text.contains(&t.tier(Tier::Leadership)),
                "{explained:?}"
            );
            assert_eq!(explained.detail, None);
            texts.push(explained.text);
        }
        texts.dedup();
        assert_eq!(texts.len(), 3, "one sentence per language: {texts:?}");
    }

    #[test]
    fn anything_else_is_worded_generally_with_the_nodes_own_explanation() {
        let error = NodeError::NotFound {
            what: "message",
            id: "x".into(),
        };
        let explained = explain(&Tr { lang: Lang::Ru }, &error);
        assert_eq!(explained.text, Tr { lang: Lang::Ru }.t("refused-other"));
        assert_eq!(explained.detail, Some(error.to_string()));
    }
}
