//! How this node's log stands (`GET /api/v1/log/status`, the console's
//! log page, `detente log status`): its latest checkpoint, the witness
//! policy and whether the checkpoint meets it, each witness's latest
//! cosignature, the peers' logs this node witnesses, and the alarms.

use std::sync::Arc;

use crate::error::{Bug, NodeResult};
use crate::node::Node;

/// One witness's latest cosignature of this node's log.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CosignatureView {
    /// The witness (a party code).
    pub witness: String,
    /// The size it last cosigned.
    pub size: u64,
}

/// A peer's log this node witnesses.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WitnessedLogView {
    /// The log's origin.
    pub origin: String,
    /// The size this node last cosigned.
    pub size: u64,
}

/// Why the log is held.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HeldView {
    /// `unconfirmed`, `behind` or `forked`.
    pub reason: &'static str,
    /// What it means and what to do.
    pub detail: String,
    /// When the stored log is behind: why its missing entries could not
    /// be recovered from the peers' copies, at the last attempt.
    pub recovery: Option<String>,
}

/// An alarm, with its evidence.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AlarmView {
    /// When it was raised.
    pub at: String,
    /// e.g. `equivocation`, `inconsistent-proof`.
    pub kind: String,
    /// The log or party concerned.
    pub subject: String,
    /// What was found.
    pub detail: String,
    /// The evidence, verbatim (signed checkpoints are text).
    pub evidence: String,
}

/// `GET /api/v1/log/status`.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LogStatus {
    /// This log's origin.
    pub origin: String,
    /// The latest signed checkpoint (without cosignatures), if any.
    pub checkpoint: Option<String>,
    /// Its size.
    pub size: u64,
    /// This node's witness policy (C2SP tlog-policy).
    pub policy: String,
    /// Whether the latest checkpoint satisfies the policy yet (never when
    /// the policy names no witnesses).
    pub witnessed: bool,
    /// Each witness's latest cosignature.
    pub cosignatures: Vec<CosignatureView>,
    /// The peers' logs this node witnesses.
    pub witnessing: Vec<WitnessedLogView>,
    /// Alarms raised, oldest first. Any alarm needs a person's attention.
    pub alarms: Vec<AlarmView>,
    /// Why the log signs nothing, if it is held (`log/guard.rs`): after a
    /// restore, until the witnesses confirm; or because the stored log is
    /// behind what it signed, naming the missing entries.
    pub held: Option<HeldView>,
    /// Cards, ours or the peers', that expire within `[alerts]
    /// card_expiry_within`, or have expired: renew ours (`detente card
    /// renew`), ask the peer for its new card.
    pub expiring_cards: Vec<crate::health::ExpiringCard>,
}

impl Node {
    /// The state of this node's log, its witnesses, and alarms.
    pub async fn log_status(self: &Arc<Self>) -> NodeResult<LogStatus> {
        let origin = crate::log::origin(self.party());
        let checkpoint = self.log().checkpoint();
        let size = checkpoint.as_ref().map_or(0, |c| c.size);
        let peers: Vec<String> = self
            .peers()
            .all()
            .iter()
            .map(|p| crate::log::origin(p.party()))
            .collect();
        let (cosignatures, witnessing, alarms) = self
            .with_store(move |s| {
                let witnessing = peers
                    .into_iter()
                    .filter_map(|origin| match s.witness_record(&origin) {
                        Ok(Some((size, _))) => Some(Ok(WitnessedLogView { origin, size })),
                        Ok(None) => None,
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok((s.cosignatures()?, witnessing, s.alarms()?))
            })
            .await?;
        let policy = self.witness_policy()?;
        let witnessed = match &checkpoint {
            Some(c) => {
                let note = c.cosigned(&cosignatures);
                let parsed = detente_log::policy::Policy::parse(policy.as_bytes())
                    .map_err(Bug::construction("witness policy"))?;
                // With no witnesses the policy is `quorum none`: met, but not witnessed.
                !parsed.requires_no_witnesses()
                    && detente_log::checkpoint::SignedCheckpoint::parse(note.as_bytes())
                        .ok()
                        .is_some_and(|signed| parsed.verify_checkpoint(&signed).is_ok())
            }
            None => false,
        };
        Ok(LogStatus {
            origin,
            checkpoint: checkpoint.map(|c| c.note),
            size,
            policy,
            witnessed,
            cosignatures: cosignatures
                .into_iter()
                .map(|(witness, size, _)| CosignatureView { witness, size })
                .collect(),
            witnessing,
            expiring_cards: self.expiring_cards(self.now()),
            held: match self.log().standing() {
                crate::log::guard::Standing::Open => None,
                crate::log::guard::Standing::Held(hold) => Some(HeldView {
                    reason: (&hold).into(),
                    detail: hold.to_string(),
                    recovery: self.log().recovery().map(|r| r.to_string()),
                }),
            },
            alarms: alarms
                .into_iter()
                .map(|a| AlarmView {
                    at: a.at.to_string(),
                    kind: a.kind,
                    subject: a.subject,
                    detail: a.detail,
                    evidence: String::from_utf8_lossy(&a.evidence).into_owned(),
                })
                .collect(),
        })
    }
}
