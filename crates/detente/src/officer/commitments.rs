//! `detente guarantee …` and `detente pledge …`: the officer API's
//! `/api/v1/guarantees` and `/api/v1/pledges`. What can be checked without
//! the node (the file, its TOML, a reference, `--at`, a reason) is checked
//! first, so that a mistake is named before anything is asked of the node.

use std::path::Path;

use anyhow::Context;
use detente_proto::guarantee::{GuaranteeSpec, MAX_GUARANTEE_SPEC_BYTES};
use detente_proto::pledge::{MAX_PLEDGE_SPEC_BYTES, PledgeRef, PledgeSpec};
use detente_proto::time::Timestamp;
use serde_json::{Value, json};

use super::{connect, print};
use crate::cli::{
    CommitmentListArgs, GuaranteeCommand, GuaranteeProposeArgs, GuaranteeShowArgs,
    GuaranteeSignArgs, GuaranteeWithdrawArgs, PledgeCommand, PledgeCreateArgs, PledgeShowArgs,
    PledgeSignArgs, PledgeWithdrawArgs,
};
use crate::output;

pub async fn guarantee(command: GuaranteeCommand) -> anyhow::Result<()> {
    match command {
        GuaranteeCommand::Propose(args) => guarantee_propose(args).await,
        GuaranteeCommand::Sign(args) => guarantee_sign(args).await,
        GuaranteeCommand::Withdraw(args) => guarantee_withdraw(args).await,
        GuaranteeCommand::List(args) => guarantee_list(args).await,
        GuaranteeCommand::Show(args) => guarantee_show(args).await,
    }
}

pub async fn pledge(command: PledgeCommand) -> anyhow::Result<()> {
    match command {
        PledgeCommand::Create(args) => pledge_create(args).await,
        PledgeCommand::Sign(args) => pledge_sign(args).await,
        PledgeCommand::Withdraw(args) => pledge_withdraw(args).await,
        PledgeCommand::List(args) => pledge_list(args).await,
        PledgeCommand::Show(args) => pledge_show(args).await,
    }
}

/// The text of a document file, at most `max` bytes.
fn read_document(file: &Path, what: &str, max: usize) -> anyhow::Result<String> {
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read the {what} {}", file.display()))?
        .len();
    anyhow::ensure!(
        size <= max as u64,
        "{} is {size} bytes; a {what} is at most {max} bytes",
        file.display()
    );
    std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the {what} {}", file.display()))
}

/// `?at=…` for a status at `at`, or nothing for now. The node reads the
/// exact instant checked here.
fn at_query(at: Option<Timestamp>) -> String {
    at.map(|at| format!("?at={at}")).unwrap_or_default()
}

async fn guarantee_propose(args: GuaranteeProposeArgs) -> anyhow::Result<()> {
    let text = read_document(&args.file, "guarantee", MAX_GUARANTEE_SPEC_BYTES)?;
    let guarantee = GuaranteeSpec::parse(&text)
        .and_then(GuaranteeSpec::validate)
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}; fix the file and run again (`detente guarantee propose --help` shows an example)",
                args.file.display()
            )
        })?;
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            "/api/v1/guarantees",
            &json!({"guarantee": text, "from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, |v| {
        format!(
            "{}sent to {}; follow it with: detente guarantee show {}\n",
            output::guarantee_detail(v),
            guarantee.beneficiary,
            guarantee.id
        )
    });
    Ok(())
}

async fn guarantee_sign(args: GuaranteeSignArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            &format!("/api/v1/guarantees/{}/sign", args.id),
            &json!({"from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, output::guarantee_detail);
    Ok(())
}

async fn guarantee_withdraw(args: GuaranteeWithdrawArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            &format!("/api/v1/guarantees/{}/withdraw", args.id),
            &json!({"reason": args.reason, "from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, output::guarantee_detail);
    Ok(())
}

async fn guarantee_list(args: CommitmentListArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let list: Value = client.get("/api/v1/guarantees").await?;
    print(&args.connection, &list, output::guarantee_list);
    Ok(())
}

async fn guarantee_show(args: GuaranteeShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .get(&format!(
            "/api/v1/guarantees/{}{}",
            args.id,
            at_query(args.at)
        ))
        .await?;
    print(&args.connection, &view, output::guarantee_detail);
    Ok(())
}

async fn pledge_create(args: PledgeCreateArgs) -> anyhow::Result<()> {
    let text = read_document(&args.file, "pledge", MAX_PLEDGE_SPEC_BYTES)?;
    let pledge = PledgeSpec::parse(&text)
        .and_then(PledgeSpec::validate)
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}; fix the file and run again (`detente pledge create --help` shows an example)",
                args.file.display()
            )
        })?;
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            "/api/v1/pledges",
            &json!({"pledge": text, "from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, |v| {
        format!(
            "{}published; others join it with: detente pledge sign {}\n",
            output::pledge_detail(v),
            pledge.reference()
        )
    });
    Ok(())
}

/// `/api/v1/pledges/<host>/<id>`: a checked reference, so only a party
/// code and a document id go into the URL.
fn pledge_path(reference: &PledgeRef) -> String {
    format!("/api/v1/pledges/{}/{}", reference.host, reference.id)
}

async fn pledge_sign(args: PledgeSignArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            &format!("{}/sign", pledge_path(&args.reference)),
            &json!({"from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, output::pledge_detail);
    Ok(())
}

async fn pledge_withdraw(args: PledgeWithdrawArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .post(
            &format!("{}/withdraw", pledge_path(&args.reference)),
            &json!({"reason": args.reason, "from_tier": args.from_tier}),
        )
        .await?;
    print(&args.connection, &view, output::pledge_detail);
    Ok(())
}

async fn pledge_list(args: CommitmentListArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let list: Value = client.get("/api/v1/pledges").await?;
    print(&args.connection, &list, output::pledge_list);
    Ok(())
}

async fn pledge_show(args: PledgeShowArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client
        .get(&format!(
            "{}{}",
            pledge_path(&args.reference),
            at_query(args.at)
        ))
        .await?;
    print(&args.connection, &view, output::pledge_detail);
    Ok(())
}
