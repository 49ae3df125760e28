//! `detente drafts …` and `detente taxii pull`: the officer API's
//! `/api/v1/drafts` (docs/taxii.md, "Drafts"). A draft holds STIX objects
//! a SOC tool posted over TAXII, or an officer pulled from a SOC's TAXII
//! server; only an officer sends it, as a notification, or discards it.

use anyhow::{Context, bail};
use detente_node::officer_client::ApiCallError;
use detente_proto::ids::PartyCode;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::{connect, party_of, print};
use crate::cli::{
    DraftListArgs, DraftSendArgs, DraftShowArgs, DraftsArgs, DraftsCommand, TaxiiPullArgs,
};
use crate::output;
use crate::taxii_pull::api_root::{RemoteApiRoot, api_root_url, check_collection, shorten};
use crate::taxii_pull::paging::End;
use crate::taxii_pull::{PullRequest, credentials, pull};

/// The longest `source` the node keeps, in bytes.
const MAX_SOURCE_BYTES: usize = 1000;

pub async fn drafts(args: DraftsArgs) -> anyhow::Result<()> {
    match args.command {
        DraftsCommand::List(args) => list(args).await,
        DraftsCommand::Show(args) => show(args).await,
        DraftsCommand::Send(args) => send(args).await,
        DraftsCommand::Discard(args) => discard(args).await,
    }
}

async fn list(args: DraftListArgs) -> anyhow::Result<()> {
    let party = args.with.as_deref().map(party_of).transpose()?;
    let mut query = vec![format!("limit={}", args.limit)];
    if args.state != "all" {
        query.push(format!("state={}", args.state));
    }
    if let Some(party) = &party {
        query.push(format!("counterparty={party}"));
    }
    let client = connect(&args.connection)?;
    let list: Value = client
        .get(&format!("/api/v1/drafts?{}", query.join("&")))
        .await?;
    print(&args.connection, &list, |l| {
        output::draft_table(l, &args.state)
    });
    Ok(())
}

async fn show(args: DraftShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client.get(&format!("/api/v1/drafts/{}", args.id)).await?;
    print(&args.connection, &view, output::draft_detail);
    Ok(())
}

async fn send(args: DraftSendArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let request = json!({
        "from_tier": args.from_tier,
        "to_tier": args.to_tier.unwrap_or(args.from_tier),
        "subject": args.subject,
        "summary": args.summary,
        "precedence": args.precedence,
        "tlp": args.tlp,
        "exercise": args.exercise,
    });
    let message: Value = client
        .post(&format!("/api/v1/drafts/{}/send", args.id), &request)
        .await?;
    print(&args.connection, &message, |m| {
        format!(
            "{} {} {} to {} — draft {} sent; signed and stored with its outbox entry, it is delivered once the recipient's receipt verifies\n  follow it with: detente show {}\n",
            output::str(m, "/state"),
            output::str(m, "/kind"),
            output::str(m, "/id"),
            output::str(m, "/counterparty"),
            args.id,
            output::str(m, "/id"),
        )
    });
    Ok(())
}

async fn discard(args: DraftShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(&format!("/api/v1/drafts/{}/discard", args.id), &json!({}))
        .await?;
    print(&args.connection, &view, |v| {
        format!(
            "discarded draft {} ({} objects for {}); it stays on record and is never sent\n",
            output::str(v, "/id"),
            v["objects"],
            output::str(v, "/counterparty"),
        )
    });
    Ok(())
}

/// `POST /api/v1/drafts`, the objects exactly as the TAXII server sent them.
#[derive(Debug, Serialize)]
struct NewDraft<'a> {
    counterparty: &'a PartyCode,
    bundle: StixBundle<'a>,
    source: String,
}

/// A STIX 2.1 bundle (STIX 2.1 §8) around objects kept as JSON text.
#[derive(Debug, Serialize)]
struct StixBundle<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    objects: &'a [Box<RawValue>],
}

pub async fn taxii_pull(args: TaxiiPullArgs) -> anyhow::Result<()> {
    // Everything that can be checked here is, before anyone is asked.
    let url = api_root_url(&args.url).map_err(anyhow::Error::msg)?;
    check_collection(&args.collection).map_err(anyhow::Error::msg)?;
    let to: PartyCode = args
        .to
        .parse()
        .map_err(|e| anyhow::anyhow!("--to {:?}: {e}", args.to))?;
    let credentials = credentials(args.user.as_deref(), &args.password_env)?;
    let ca_pem = args
        .ca_cert
        .as_ref()
        .map(|path| {
            std::fs::read(path)
                .with_context(|| format!("--ca-cert: cannot read {}", path.display()))
        })
        .transpose()?;
    let client = connect(&args.connection)?;
    // The node is asked first, so that a wrong token, a stopped node or a
    // party that is not a peer is found before the SOC's server is read.
    let channels: Value = client.get("/api/v1/channels").await?;
    let peers: Vec<&str> = channels["channels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["party"].as_str())
        .collect();
    if !peers.contains(&to.as_str()) {
        bail!(
            "--to {to}: {to} is not a peer of this node, and a draft is for a peer (peers: {}); add its card with `detente peer add`",
            if peers.is_empty() {
                "none".to_owned()
            } else {
                peers.join(", ")
            }
        );
    }
    let types = args.types.map(|t| t.0).unwrap_or_default();
    let request = PullRequest {
        api_root: RemoteApiRoot::new(url.clone(), credentials, ca_pem.as_deref())?,
        collection: args.collection.clone(),
        added_after: args.added_after.clone(),
        types: types.clone(),
        max_objects: args.max_objects as usize,
        page_size: args.page_size as usize,
    };
    let (collection, pulled) = pull(&request).await?;
    let from = format!("{url}collections/{}/", args.collection);
    let mut filters = Vec::new();
    if let Some(after) = &args.added_after {
        filters.push(format!("added after {after}"));
    }
    if !types.is_empty() {
        filters.push(format!("of type {}", types.join(", ")));
    }
    let filters = if filters.is_empty() {
        String::new()
    } else {
        format!(" ({})", filters.join(", "))
    };
    if pulled.objects.is_empty() {
        let nothing = json!({"pulled": {"from": from, "objects": 0, "pages": pulled.pages, "complete": true}});
        print(&args.connection, &nothing, |_| {
            format!(
                "Nothing to pull: {from} has no objects{filters} this account may read. No draft was made.\n"
            )
        });
        return Ok(());
    }
    let account = args
        .user
        .as_deref()
        .map(|user| format!(" as {user}"))
        .unwrap_or_default();
    let mut source = format!(
        "pulled over TAXII from {from}{account}{filters}: {} objects in {} pages",
        pulled.objects.len(),
        pulled.pages
    );
    while source.len() > MAX_SOURCE_BYTES {
        source.pop();
    }
    let draft = NewDraft {
        counterparty: &to,
        bundle: StixBundle {
            kind: "bundle",
            id: format!("bundle--{}", uuid::Uuid::new_v4()),
            objects: &pulled.objects,
        },
        source,
    };
    let mut view: Value = match client.post("/api/v1/drafts", &draft).await {
        Ok(view) => view,
        Err(ApiCallError::Problem(problem)) if problem.status.as_u16() == 413 => {
            let bytes: usize = pulled.objects.iter().map(|o| o.get().len() + 1).sum();
            bail!(
                "the node refused the draft: {} objects make a bundle of about {bytes} bytes, more than one message carries ({}); pull fewer with --type, --added-after or --max-objects",
                pulled.objects.len(),
                problem.detail
            )
        }
        Err(ApiCallError::Problem(problem))
            if problem.status.as_u16() == 422
                && problem.problem["type"] != "urn:detente:problem:unknown-party" =>
        {
            bail!(
                "the node refused the objects {from} served: {}; no draft was made. Leave the objects out with --type or --added-after, or have the SOC correct them",
                problem.detail
            )
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(members) = view.as_object_mut() {
        members.remove("bundle");
        members.insert(
            "pulled".into(),
            json!({
                "from": from,
                "collection": {"id": collection.id, "title": collection.title},
                "objects": pulled.objects.len(),
                "pages": pulled.pages,
                "complete": pulled.end == End::Complete,
                "resume_added_after": match &pulled.end {
                    End::LimitReached { resume_after } => resume_after.clone(),
                    End::Complete => None,
                },
            }),
        );
    }
    print(&args.connection, &view, |v| {
        let id = output::str(v, "/id");
        format!(
            "Draft {id} for {}: {} objects, TLP:{}, from collection {:?} ({}) of {url}, {} pages.\n\
             Nothing is sent until an officer sends it:\n  \
             review:  detente drafts show {id}\n  \
             send:    detente drafts send {id} --from-tier technical --subject \"…\" --summary \"…\"\n  \
             discard: detente drafts discard {id}\n",
            output::str(v, "/counterparty"),
            v["objects"],
            output::str(v, "/tlp"),
            shorten(&collection.title),
            shorten(&collection.id),
            pulled.pages,
        )
    });
    if let End::LimitReached { resume_after } = &pulled.end {
        match resume_after {
            Some(after) => eprintln!(
                "warning: stopped at --max-objects {}; the collection has more. Pull the rest into another draft with --added-after {after}",
                args.max_objects
            ),
            None => eprintln!(
                "warning: stopped at --max-objects {}; the collection has more. Pull again with a larger --max-objects, or narrow the pull with --type or --added-after",
                args.max_objects
            ),
        }
    }
    Ok(())
}
