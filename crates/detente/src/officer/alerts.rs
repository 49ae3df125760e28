//! `detente alerts …`: the officer API's `/api/v1/alerts`
//! (docs/operations.md, "Alerting").

use serde_json::{Value, json};

use super::{connect, print};
use crate::cli::{AlertIdArgs, AlertListArgs, AlertsCommand};
use crate::output;

pub async fn alerts(command: AlertsCommand) -> anyhow::Result<()> {
    match command {
        AlertsCommand::List(args) => list(args).await,
        AlertsCommand::Show(args) => show(args).await,
        AlertsCommand::Ack(args) => acknowledge(args).await,
    }
}

async fn list(args: AlertListArgs) -> anyhow::Result<()> {
    let state = if args.all { "all" } else { "open" };
    let client = connect(&args.connection)?;
    let list: Value = client
        .get(&format!(
            "/api/v1/alerts?state={state}&limit={}",
            args.limit
        ))
        .await?;
    print(&args.connection, &list, |l| {
        output::alert_table(l, args.all)
    });
    Ok(())
}

async fn show(args: AlertIdArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let view: Value = client.get(&format!("/api/v1/alerts/{}", args.id)).await?;
    print(&args.connection, &view, output::alert_detail);
    Ok(())
}

async fn acknowledge(args: AlertIdArgs) -> anyhow::Result<()> {
    let client = connect(&args.connection)?;
    let done: Value = client
        .post(&format!("/api/v1/alerts/{}/ack", args.id), &json!({}))
        .await?;
    print(&args.connection, &done, |d| {
        let alert = &d["alert"];
        let first = if d["acknowledged_now"] == true {
            format!(
                "alert #{} acknowledged; nobody else on the rota will be alerted about it",
                args.id
            )
        } else {
            format!(
                "alert #{} was already acknowledged by {} ({}) at {}; nothing changed",
                args.id,
                output::str(alert, "/acknowledged_by"),
                output::str(alert, "/acknowledged_via"),
                output::str(alert, "/acknowledged_at"),
            )
        };
        let message = match alert["message_acknowledged"].as_bool() {
            Some(false) => format!(
                "\n  the message is NOT acknowledged: detente ack {}",
                output::str(alert, "/message_id")
            ),
            _ => String::new(),
        };
        format!("{first}{message}\n")
    });
    Ok(())
}
