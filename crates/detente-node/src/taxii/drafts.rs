//! Draft notifications (docs/taxii.md, "Drafts"): STIX objects from a SOC,
//! posted over TAXII or pulled by an officer, held until an officer sends
//! them as a notification or discards them. Nothing here sends anything on
//! its own.

use std::sync::Arc;

use detente_proto::ids::{MessageId, PartyCode, ResourceId, Tier};
use detente_proto::kind::{Precedence, Tlp};
use detente_proto::limits::Limits;
use detente_proto::stix::{self, Bundle, Tlp2};
use detente_proto::taxii::resources::{RequestStatus, Status, StatusDetails};
use detente_proto::taxii::time::format_micros;
use detente_proto::time::Timestamp;
use detente_store::{
    CollectionKind, Draft, DraftState, NewDraft, StixSource, StoredMessage, TaxiiStatusRecord,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use super::access::Account;
use super::response::TaxiiError;
use super::rows::{Audience, Placement, rows_of};
use crate::compose::{Address, ComposeRequest};
use crate::error::{Bug, Conflict, Mistake, NodeError, NodeResult};
use crate::node::Node;
use crate::officers::Officer;

/// Room an envelope needs around its STIX bundle (header, subject, summary,
/// signature), kept free so that any draft fits in one message.
const ENVELOPE_ROOM: usize = 64 * 1024;

/// What an officer sends a draft as: the notification around its bundle.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendDraft {
    /// The tier the officer speaks for; they must be cleared for it.
    #[schema(value_type = String, example = "technical")]
    pub from_tier: Tier,
    /// The tier addressed at the counterparty.
    #[schema(value_type = String, example = "technical")]
    pub to_tier: Tier,
    /// One line that says what happened.
    pub subject: String,
    /// What is known so far.
    pub summary: String,
    /// Urgency; `routine` if omitted.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "priority")]
    pub precedence: Option<Precedence>,
    /// TLP 2.0 marking; the draft's own if omitted (never lower than the
    /// markings it carries).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "AMBER")]
    pub tlp: Option<Tlp>,
    /// Exercise traffic; `false` if omitted.
    #[serde(default)]
    pub exercise: bool,
}

/// `POST /api/v1/drafts`: a draft an officer makes (e.g. `detente taxii pull`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDraftRequest {
    /// The party the notification would go to.
    #[schema(value_type = String, example = "US")]
    pub counterparty: PartyCode,
    /// A STIX 2.1 bundle.
    #[schema(value_type = Object)]
    pub bundle: Value,
    /// Where the objects came from, for the reviewing officer.
    pub source: String,
}

/// A draft as the officer API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DraftView {
    /// Its id.
    pub id: String,
    /// The party it is for.
    pub counterparty: String,
    /// `open`, `sent` or `discarded`.
    pub state: String,
    /// When it was made.
    pub created_at: String,
    /// `taxii:<account>` or `officer:<name>`.
    pub created_by: String,
    /// Where its objects came from.
    pub source: String,
    /// Its TLP: the most restrictive of its markings and the default.
    pub tlp: String,
    /// How many STIX objects it holds.
    pub objects: u32,
    /// The message it was sent as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Who sent or discarded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The STIX bundle (in the single-draft view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub bundle: Option<Value>,
}

impl DraftView {
    /// The view of `draft`, with its bundle if `with_bundle`.
    pub fn of(draft: &Draft, with_bundle: bool) -> Self {
        Self {
            id: draft.draft.id.to_string(),
            counterparty: draft.draft.counterparty.to_string(),
            state: draft.state.to_string(),
            created_at: draft.draft.created_at.to_string(),
            created_by: draft.draft.created_by.clone(),
            source: draft.draft.source.clone(),
            tlp: draft.draft.tlp.to_string(),
            objects: draft.draft.object_count,
            message_id: draft.message_id.map(|id| id.to_string()),
            decided_by: draft.decided_by.clone(),
            decided_at: draft.decided_at.map(|at| at.to_string()),
            bundle: with_bundle
                .then(|| serde_json::from_slice(&draft.draft.bundle).ok())
                .flatten(),
        }
    }
}

/// A draft ready to store: the row, and the objects for the drafts collection.
struct Prepared {
    draft: NewDraft,
    rows: Vec<detente_store::NewStixObject>,
}

impl Node {
    /// The largest TAXII POST body: what leaves room for the envelope
    /// around the bundle in one message.
    pub fn taxii_max_content_length(&self) -> usize {
        self.config
            .limits
            .max_envelope_bytes
            .saturating_sub(ENVELOPE_ROOM)
    }

    /// The TLP of an unmarked object in a draft for `counterparty`: the
    /// agreement's `default_tlp`, AMBER without one.
    async fn draft_default_tlp(&self, counterparty: &PartyCode) -> NodeResult<Tlp2> {
        Ok(self
            .agreement_in_force(counterparty)
            .await?
            .map_or(Tlp2::Amber, |agreement| agreement.default_tlp.into()))
    }

    /// `POST …/drafts/objects/`: validates each object of a TAXII envelope;
    /// those that pass become one draft, stored with their rows in the
    /// drafts collection and the status, in one transaction. The parsing,
    /// validation and canonicalisation run off the async workers.
    pub async fn taxii_post(
        self: &Arc<Self>,
        account: &Account,
        counterparty: &PartyCode,
        body: Vec<u8>,
    ) -> Result<Status, TaxiiError> {
        let default = self.draft_default_tlp(counterparty).await?;
        let post = Post {
            account: account.clone(),
            counterparty: counterparty.clone(),
            default,
            room: self.taxii_max_content_length(),
            limits: self.config.limits,
            now: self.now(),
        };
        let (status, record, prepared) = tokio::task::spawn_blocking(move || post.build(&body))
            .await
            .map_err(Bug::task("TAXII post"))??;
        let now = self.now();
        match prepared {
            None => {
                self.with_store(move |s| Ok(s.put_taxii_status(&record)?))
                    .await?;
            }
            Some(prepared) => {
                let draft_id = prepared.draft.id.clone();
                self.with_store(move |s| {
                    Ok(s.create_draft(&prepared.draft, &prepared.rows, Some(&record), now)?)
                })
                .await?;
                tracing::info!(draft = %draft_id, account = %account.name, %counterparty, "draft notification from TAXII");
            }
        }
        Ok(status)
    }

    /// An officer's draft (e.g. what `detente taxii pull` brought).
    pub async fn create_draft(
        self: &Arc<Self>,
        officer: &Officer,
        request: NewDraftRequest,
    ) -> NodeResult<Draft> {
        if self.peers.get(&request.counterparty).is_none() {
            return Err(NodeError::UnknownParty(request.counterparty));
        }
        let source = request.source.trim().to_owned();
        if source.is_empty() || source.len() > 1000 {
            return Err(detente_proto::ProtoError::field(
                "source",
                "say in 1 to 1000 characters where the objects came from",
            )
            .into());
        }
        let default = self.draft_default_tlp(&request.counterparty).await?;
        let limits = self.config.limits;
        let room = self.taxii_max_content_length();
        let now = self.now();
        let name = officer.name.to_string();
        let prepared = tokio::task::spawn_blocking(move || -> NodeResult<Prepared> {
            limits.check_tree("bundle", &request.bundle)?;
            let bundle = Bundle::from_value(request.bundle)
                .map_err(|e| detente_proto::ProtoError::field("bundle", e.to_string()))?;
            if bundle.objects().is_empty() {
                return Err(Mistake::EmptyDraft.into());
            }
            stix::validate(&bundle)
                .map_err(|e| detente_proto::ProtoError::field("bundle", e.to_string()))?;
            let audience = format!("officer:{name}");
            prepare(
                &request.counterparty,
                &bundle,
                Defaults {
                    tlp: default,
                    room,
                    now,
                },
                (format!("officer:{name}"), source),
                Audience::Account(&audience),
            )
        })
        .await
        .map_err(Bug::task("draft"))??;
        let id = prepared.draft.id.clone();
        self.with_store(move |s| {
            s.create_draft(&prepared.draft, &prepared.rows, None, now)?;
            s.draft(&prepared.draft.id)?.ok_or_else(|| {
                NodeError::from(Bug::Vanished {
                    what: "draft",
                    id: prepared.draft.id.to_string(),
                })
            })
        })
        .await
        .inspect(
            |_| tracing::info!(draft = %id, officer = %officer.name, "draft notification made"),
        )
    }

    /// One draft.
    pub async fn draft(&self, id: &str) -> NodeResult<Draft> {
        let not_found = || NodeError::NotFound {
            what: "draft",
            id: id.to_owned(),
        };
        let lookup: ResourceId = id.parse().map_err(|_| not_found())?;
        self.with_store(move |s| Ok(s.draft(&lookup)?))
            .await?
            .ok_or_else(not_found)
    }

    /// Sends an open draft as a notification: claims it (open → sent, with
    /// the new message's id), then composes the message as the officer
    /// would; if composing is refused, the draft is open again.
    pub async fn send_draft(
        self: &Arc<Self>,
        officer: &Officer,
        id: &str,
        request: SendDraft,
    ) -> NodeResult<StoredMessage> {
        let draft = self.draft(id).await?;
        refuse_unless_open(&draft)?;
        officer.require(request.from_tier, "send for that tier")?;
        let bundle: Value = serde_json::from_slice(&draft.draft.bundle)
            .map_err(NodeError::unreadable("draft", &id))?;
        // The draft's TLP counts its unmarked objects at the default; the
        // officer may raise it, never lower it.
        let tlp = request.tlp.unwrap_or(draft.draft.tlp);
        if Tlp2::from(tlp) < Tlp2::from(draft.draft.tlp) {
            return Err(detente_proto::ProtoError::field(
                "tlp",
                format!(
                    "{tlp} is below the draft's TLP:{}, which counts its unmarked objects; send it at {} or above, or mark the objects and make a new draft",
                    draft.draft.tlp, draft.draft.tlp
                ),
            )
            .into());
        }
        let compose = ComposeRequest {
            to: Address {
                party: draft.draft.counterparty.clone(),
                tier: request.to_tier,
            },
            from_tier: request.from_tier,
            kind: "notification".to_owned(),
            precedence: request.precedence.unwrap_or(Precedence::Routine),
            in_reply_to: None,
            exercise: request.exercise,
            tlp,
            body: json!({
                "subject": request.subject,
                "summary": request.summary,
                "stix": bundle,
            }),
        };
        let now = self.now();
        let message_id = MessageId::new_v7(now);
        let by = format!("officer:{}", officer.name);
        let claim_id = draft.draft.id.clone();
        let claimed = self
            .with_store(move |s| {
                Ok(s.decide_draft(&claim_id, DraftState::Sent, Some(&message_id), &by, now)?)
            })
            .await?;
        if !claimed {
            // Another officer sent or discarded it meanwhile: say what became of it.
            refuse_unless_open(&self.draft(id).await?)?;
            return Err(Conflict::DraftChanged {
                draft: id.to_owned(),
            }
            .into());
        }
        match self.compose_with_id(officer, compose, message_id).await {
            Ok(stored) => {
                tracing::info!(draft = %id, message = %message_id, officer = %officer.name, "draft sent");
                Ok(stored)
            }
            Err(error) => {
                // Open it again only if the message was not stored: a
                // failure after the message was queued leaves it sent.
                let reopen_id = draft.draft.id.clone();
                self.with_store(move |s| {
                    if s.message(&message_id)?.is_none() {
                        s.reopen_draft(&reopen_id, &message_id)?;
                    }
                    Ok(())
                })
                .await?;
                Err(error)
            }
        }
    }

    /// Discards an open draft: it stays in the record, marked discarded.
    pub async fn discard_draft(self: &Arc<Self>, officer: &Officer, id: &str) -> NodeResult<Draft> {
        let draft = self.draft(id).await?;
        refuse_unless_open(&draft)?;
        let now = self.now();
        let by = format!("officer:{}", officer.name);
        let claim_id = draft.draft.id.clone();
        let discarded = self
            .with_store(move |s| {
                Ok(s.decide_draft(&claim_id, DraftState::Discarded, None, &by, now)?)
            })
            .await?;
        let draft = self.draft(id).await?;
        if !discarded {
            refuse_unless_open(&draft)?;
        }
        Ok(draft)
    }
}

/// What every draft of one request is made with.
#[derive(Debug, Clone, Copy)]
struct Defaults {
    /// The TLP of an unmarked object (the agreement's default, or AMBER).
    tlp: Tlp2,
    /// The largest bundle a message carries.
    room: usize,
    /// Now.
    now: Timestamp,
}

/// Builds a draft of `bundle` (validated) for `counterparty`; `origin` is
/// who made it and where its objects came from.
fn prepare(
    counterparty: &PartyCode,
    bundle: &Bundle,
    defaults: Defaults,
    (created_by, source): (String, String),
    audience: Audience<'_>,
) -> NodeResult<Prepared> {
    let tlp = stix::bundle_tlp(bundle, Some(defaults.tlp))
        .unwrap_or(defaults.tlp)
        .max(defaults.tlp);
    let bytes = detente_proto::canonical::to_canonical_bytes(&bundle.to_value());
    if bytes.len() > defaults.room {
        return Err(NodeError::BodyTooLarge {
            limit: defaults.room,
        });
    }
    let id = ResourceId::from(uuid::Uuid::now_v7());
    let rows = rows_of(
        bundle,
        &Placement {
            counterparty,
            collection: CollectionKind::Drafts,
            unmarked: tlp,
            audience,
            source: StixSource::Draft(id.clone()),
        },
    );
    let draft = NewDraft {
        id,
        counterparty: counterparty.clone(),
        created_at: defaults.now,
        created_by,
        source,
        tlp: tlp.into(),
        object_count: u32::try_from(bundle.objects().len()).unwrap_or(u32::MAX),
        bundle: bytes,
    };
    Ok(Prepared { draft, rows })
}

/// One TAXII POST, processed off the async workers.
struct Post {
    account: Account,
    counterparty: PartyCode,
    default: Tlp2,
    room: usize,
    limits: Limits,
    now: Timestamp,
}

impl Post {
    /// The status, its record, and the draft of the objects that passed
    /// (none if none did).
    fn build(
        self,
        body: &[u8],
    ) -> Result<(Status, TaxiiStatusRecord, Option<Prepared>), TaxiiError> {
        let objects = read_envelope(body, &self.limits)?;
        let total = objects.len();
        let mut valid = Vec::with_capacity(total);
        let mut successes = Vec::with_capacity(total);
        let mut failures = Vec::new();
        let request_timestamp = format_micros(self.now.unix_millis().saturating_mul(1000));
        for (index, object) in objects.into_iter().enumerate() {
            // An object without modified or created (an SCO) is versioned
            // by when it was added (TAXII 2.1 §3.4.3): this request.
            let details = |message: Option<String>| StatusDetails {
                id: object
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                version: stix::version_of(&object)
                    .map(str::to_owned)
                    .or_else(|| request_timestamp.clone())
                    .unwrap_or_default(),
                message,
            };
            match check_object(&object) {
                Ok(()) => {
                    successes.push(details(None));
                    valid.push(Value::Object(object));
                }
                Err(problem) => {
                    failures.push(details(Some(format!("objects[{index}]: {problem}"))))
                }
            }
        }
        let status_id = ResourceId::from(uuid::Uuid::new_v4());
        let status = Status {
            id: status_id.to_string(),
            status: RequestStatus::Complete,
            request_timestamp,
            total_count: total as u64,
            success_count: successes.len() as u64,
            successes,
            failure_count: failures.len() as u64,
            failures,
            pending_count: 0,
            pendings: Vec::new(),
        };
        let record = TaxiiStatusRecord {
            id: status_id,
            account: self.account.name.clone(),
            counterparty: self.counterparty.clone(),
            collection: CollectionKind::Drafts,
            created_at: self.now,
            document: serde_json::to_vec(&status)
                .map_err(Bug::construction("TAXII status resource"))?,
        };
        if valid.is_empty() {
            return Ok((status, record, None));
        }
        let bundle = Bundle::from_value(json!({
            "type": "bundle",
            "id": format!("bundle--{}", uuid::Uuid::new_v4()),
            "objects": valid,
        }))
        .map_err(Bug::construction("draft bundle"))?;
        let red_key = self.account.red_key();
        let prepared = prepare(
            &self.counterparty,
            &bundle,
            Defaults {
                tlp: self.default,
                room: self.room,
                now: self.now,
            },
            (
                format!("taxii:{}", self.account.name),
                format!("posted over TAXII by account {}", self.account.name),
            ),
            Audience::Account(&red_key),
        )
        .map_err(|error| match error {
            NodeError::BodyTooLarge { limit } => TaxiiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "Too large",
                format!(
                    "the objects make a bundle over {limit} bytes, more than one message carries; post them in several requests"
                ),
            ),
            other => other.into(),
        })?;
        Ok((status, record, Some(prepared)))
    }
}

/// Who decided a draft's fate, as stored.
fn decided_by(draft: &Draft) -> String {
    draft.decided_by.clone().unwrap_or_else(|| "?".to_owned())
}

/// Refuses a draft that is no longer open, saying what became of it.
fn refuse_unless_open(draft: &Draft) -> NodeResult<()> {
    match draft.state {
        DraftState::Open => Ok(()),
        DraftState::Sent => Err(Conflict::DraftSent {
            draft: draft.draft.id.to_string(),
            message: draft.message_id,
            by: decided_by(draft),
            at: draft.decided_at,
        }
        .into()),
        DraftState::Discarded => Err(Conflict::DraftDiscarded {
            draft: draft.draft.id.to_string(),
            by: decided_by(draft),
            at: draft.decided_at,
        }
        .into()),
    }
}

/// The objects of a TAXII envelope (§3.7) posted to a collection: a JSON
/// object with a non-empty `objects` list of JSON objects.
fn read_envelope(body: &[u8], limits: &Limits) -> Result<Vec<Map<String, Value>>, TaxiiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        TaxiiError::bad_request(format!(
            "the body is not JSON ({e}); post a TAXII envelope: {{\"objects\": [ … ]}}"
        ))
    })?;
    limits
        .check_tree("envelope", &value)
        .map_err(|e| TaxiiError::bad_request(e.to_string()))?;
    let Value::Object(mut members) = value else {
        return Err(TaxiiError::bad_request(
            "the body is not a TAXII envelope; post a JSON object: {\"objects\": [ … ]}",
        ));
    };
    if let Some(other) = members
        .keys()
        .find(|key| !matches!(key.as_str(), "objects" | "more" | "next"))
    {
        return Err(TaxiiError::bad_request(format!(
            "the envelope has {other:?}; a TAXII envelope has objects (and, when paged, more and next) only (TAXII 2.1 §3.7)"
        )));
    }
    let Some(Value::Array(items)) = members.remove("objects") else {
        return Err(TaxiiError::bad_request(
            "the envelope has no objects list; post {\"objects\": [ … ]} with one or more STIX objects",
        ));
    };
    if items.is_empty() {
        return Err(TaxiiError::bad_request(
            "the envelope's objects list is empty; post one or more STIX objects",
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Object(object) => Ok(object),
            _ => Err(TaxiiError::bad_request(format!(
                "objects[{index}] is not a STIX object (a JSON object)"
            ))),
        })
        .collect()
}

/// Checks one object as a message's bundle would check it.
fn check_object(object: &Map<String, Value>) -> Result<(), String> {
    let bundle = Bundle::from_value(json!({
        "type": "bundle",
        "id": "bundle--6f2c5c8e-7d1a-4b4e-9f3a-2c1d0e9b8a7f",
        "objects": [object],
    }))
    .map_err(|e| e.to_string())?;
    stix::validate(&bundle).map_err(|e| e.to_string())
}
