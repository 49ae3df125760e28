//! Text for `detente alerts`.

use serde_json::Value;

use super::drafts::printable;
use super::str;

/// The alerts of a listing, one line each.
pub fn alert_table(list: &Value, all: bool) -> String {
    let alerts = list["alerts"].as_array().cloned().unwrap_or_default();
    if alerts.is_empty() {
        return if all {
            "No alerts.\n".into()
        } else {
            "No open alerts.\n".into()
        };
    }
    let mut out = format!(
        "{:>5}  {:<9}  {:<12}  {:<24}  {:<16}  {}\n",
        "N", "PRECEDENC", "STATE", "RAISED", "ALERTED", "SUMMARY"
    );
    for a in &alerts {
        let alerted: Vec<&str> = a["notices"]
            .as_array()
            .map(|n| n.iter().map(|n| str(n, "/contact")).collect())
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>5}  {:<9}  {:<12}  {:<24}  {:<16}  {}\n",
            a["id"],
            str(a, "/precedence").to_uppercase(),
            str(a, "/state"),
            str(a, "/raised_at"),
            printable(&alerted.join(","), 16),
            printable(str(a, "/summary"), 120),
        ));
    }
    out
}

/// One alert, whole.
pub fn alert_detail(a: &Value) -> String {
    let mut out = String::new();
    let line =
        |out: &mut String, label: &str, text: String| out.push_str(&format!("{label:<13}{text}\n"));
    line(&mut out, "alert", format!("#{}", a["id"]));
    line(&mut out, "summary", printable(str(a, "/summary"), 500));
    line(
        &mut out,
        "cause",
        format!(
            "{} ({})",
            str(a, "/cause"),
            printable(str(a, "/cause_key"), 200)
        ),
    );
    line(&mut out, "precedence", str(a, "/precedence").to_uppercase());
    line(&mut out, "raised", str(a, "/raised_at").into());
    let state = match str(a, "/state") {
        "acknowledged" => format!(
            "ACKNOWLEDGED by {} ({}) at {}",
            printable(str(a, "/acknowledged_by"), 64),
            str(a, "/acknowledged_via"),
            str(a, "/acknowledged_at")
        ),
        "unanswered" => "UNANSWERED: everyone on the rota was alerted, nobody acknowledged".into(),
        _ => format!("OPEN: next contact at {}", str(a, "/next_step_at")),
    };
    line(&mut out, "state", state);
    let rota = match str(a, "/rota") {
        "" => "none configured: kept and shown, sent to nobody".to_owned(),
        rota => rota.to_owned(),
    };
    line(&mut out, "rota", rota);
    if let Some(message) = a["message_id"].as_str() {
        let acknowledged = match a["message_acknowledged"].as_bool() {
            Some(true) => "acknowledged",
            _ => "NOT acknowledged (detente ack)",
        };
        line(&mut out, "message", format!("{message}: {acknowledged}"));
    }
    for n in a["notices"].as_array().into_iter().flatten() {
        let how = match str(n, "/state") {
            "sent" => format!("sent at {}", str(n, "/sent_at")),
            "pending" => format!("to be sent at {}", str(n, "/next_attempt_at")),
            "failed" => "given up".to_owned(),
            other => other.to_owned(),
        };
        let error = n["last_error"]
            .as_str()
            .map(|e| format!(" (last error: {})", printable(e, 200)))
            .unwrap_or_default();
        line(
            &mut out,
            &format!("step {}", n["step"].as_u64().unwrap_or(0) + 1),
            format!(
                "{} by {}: {how}, {} attempt(s){error}",
                printable(str(n, "/contact"), 64),
                str(n, "/channel"),
                n["attempts"]
            ),
        );
    }
    out.push('\n');
    for text in str(a, "/detail").lines().take(50) {
        out.push_str(&printable(text, 400));
        out.push('\n');
    }
    out
}
