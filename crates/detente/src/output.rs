//! Text rendering of officer API answers for people.

use serde_json::Value;

/// The string at a JSON pointer, or "-".
pub fn str<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("-")
}

/// A table of messages, one per line.
pub fn message_table(list: &Value) -> String {
    let messages = list["messages"].as_array().cloned().unwrap_or_default();
    if messages.is_empty() {
        return "No messages.\n".into();
    }
    let mut out = format!(
        "{:<36}  {:<9}  {:<4}  {:<20}  {:<9}  {:<12}  {}\n",
        "ID", "STATE", "WITH", "KIND", "PRECED.", "TLP", "SUBJECT"
    );
    for m in &messages {
        let state = match (str(m, "/state"), m.pointer("/acknowledged_by").is_some()) {
            (state, true) => format!("{state}+ack"),
            (state, false) => state.to_owned(),
        };
        out.push_str(&format!(
            "{:<36}  {:<9}  {:<4}  {:<20}  {:<9}  {:<12}  {}{}\n",
            str(m, "/id"),
            state,
            str(m, "/counterparty"),
            str(m, "/kind"),
            str(m, "/precedence"),
            str(m, "/tlp"),
            if m["exercise"].as_bool() == Some(true) {
                "[EXERCISE] "
            } else {
                ""
            },
            str(m, "/headline"),
        ));
    }
    out
}

/// One message in detail.
pub fn message_detail(m: &Value) -> String {
    let mut out = String::new();
    let line =
        |out: &mut String, label: &str, text: String| out.push_str(&format!("{label:<14}{text}\n"));
    line(&mut out, "id", str(m, "/id").into());
    line(
        &mut out,
        "kind",
        format!(
            "{} ({}, TLP:{})",
            str(m, "/kind"),
            str(m, "/precedence"),
            str(m, "/tlp")
        ),
    );
    line(
        &mut out,
        "from",
        format!(
            "{} {} ({})",
            str(m, "/from/party"),
            str(m, "/from/tier"),
            str(m, "/from/officer")
        ),
    );
    line(
        &mut out,
        "to",
        format!("{} {}", str(m, "/to/party"), str(m, "/to/tier")),
    );
    if let Some(reply) = m["in_reply_to"].as_str() {
        line(&mut out, "in reply to", reply.into());
    }
    line(&mut out, "created", str(m, "/created_at").into());
    line(&mut out, "subject", str(m, "/headline").into());
    if m["exercise"].as_bool() == Some(true) {
        line(&mut out, "exercise", "yes — not real traffic".into());
    }
    line(
        &mut out,
        "envelope hash",
        format!("sha256:{}", str(m, "/envelope_sha256")),
    );
    if let Some(index) = m["log_index"].as_u64() {
        line(&mut out, "our log", format!("entry {index}"));
    }
    let state = str(m, "/state");
    match state {
        "queued" => line(
            &mut out,
            "state",
            format!(
                "QUEUED — not delivered: no verified receipt yet ({} attempts; last error: {}; next attempt {})",
                m.pointer("/delivery/attempts")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
                str(m, "/delivery/last_error"),
                str(m, "/delivery/next_attempt_at"),
            ),
        ),
        "delivered" => line(
            &mut out,
            "state",
            format!("DELIVERED at {}", str(m, "/receipt/received_at")),
        ),
        other => line(&mut out, "state", other.to_uppercase()),
    }
    if let Some(receipt) = m.get("receipt") {
        let verdict = if receipt["verified"].as_bool() == Some(true) {
            format!(
                "signed by {}, signature, envelope hash and log proof VERIFIED",
                str(receipt, "/signed_by")
            )
        } else {
            format!("DOES NOT VERIFY: {}", str(receipt, "/problem"))
        };
        line(&mut out, "receipt", verdict);
        if let Some(logged) = receipt.get("logged_at") {
            line(
                &mut out,
                "logged",
                format!(
                    "entry {} of {}, inclusion proven in its signed checkpoint of size {}",
                    logged["index"],
                    str(logged, "/origin"),
                    logged["checkpoint_size"]
                ),
            );
        }
    }
    match m.get("acknowledged_by") {
        Some(ack) => line(
            &mut out,
            "acknowledged",
            format!("by {} at {}", str(ack, "/id"), str(ack, "/at")),
        ),
        None => line(&mut out, "acknowledged", "not yet".into()),
    }
    out
}

/// The log status for people.
pub fn log_status(s: &Value) -> String {
    let mut out = format!(
        "log          {}  size {}  {}\n",
        str(s, "/origin"),
        s["size"],
        if s["witnessed"] == true {
            "WITNESSED (policy met)"
        } else {
            "not yet witnessed"
        }
    );
    let cosignatures = s["cosignatures"].as_array().cloned().unwrap_or_default();
    if cosignatures.is_empty() {
        out.push_str("cosigned by  nobody yet\n");
    }
    for c in &cosignatures {
        out.push_str(&format!(
            "cosigned by  {} at size {}\n",
            str(c, "/witness"),
            c["size"]
        ));
    }
    for w in s["witnessing"].as_array().cloned().unwrap_or_default() {
        out.push_str(&format!(
            "witnessing   {} at size {}\n",
            str(&w, "/origin"),
            w["size"]
        ));
    }
    let alarms = s["alarms"].as_array().cloned().unwrap_or_default();
    if alarms.is_empty() {
        out.push_str("alarms       none\n");
    }
    for a in &alarms {
        out.push_str(&format!(
            "ALARM        {} {} at {}: {}\n",
            str(a, "/kind").to_uppercase(),
            str(a, "/subject"),
            str(a, "/at"),
            str(a, "/detail")
        ));
    }
    out
}

/// Writes `bytes` to `path` all or nothing: staged in a temporary file in
/// the same directory, then renamed over `path`.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8], what: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => std::path::PathBuf::from("."),
    };
    let mut staged = tempfile::NamedTempFile::new_in(&parent)
        .with_context(|| format!("cannot write {what} in {}", parent.display()))?;
    std::io::Write::write_all(&mut staged, bytes)
        .with_context(|| format!("cannot write {what} in {}", parent.display()))?;
    staged
        .persist(path)
        .with_context(|| format!("cannot write {what} {}", path.display()))?;
    Ok(())
}

/// One line per agreement version: reference, state, signers, title.
pub fn agreement_line(view: &Value) -> String {
    let state = if view["in_force"] == true {
        "IN FORCE"
    } else {
        "PROPOSED"
    };
    format!(
        "{:<32} {:<9} {}  {}\n",
        str(view, "/reference"),
        state,
        signers(view),
        str(view, "/title")
    )
}

fn signers(view: &Value) -> String {
    view["signed_by"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(party, signed)| format!("{party}{}", if signed == true { "✓" } else { "…" }))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

/// An agreement version: its state, signers and main rules.
pub fn agreement_detail(view: &Value) -> String {
    let mut out = agreement_line(view);
    out.push_str(&format!(
        "  document SHA-256 {}\n",
        str(view, "/document_sha256")
    ));
    let doc = &view["document"];
    for (tier, rules) in doc["tiers"].as_object().into_iter().flatten() {
        let kinds: Vec<&str> = rules["may_send"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        out.push_str(&format!("  {tier:<12} may send {}\n", kinds.join(", ")));
    }
    for d in doc["deadlines"].as_array().into_iter().flatten() {
        let ms = |v: &Value| {
            v.as_i64()
                .map(|ms| detente_proto::time::human_duration(chrono::TimeDelta::milliseconds(ms)))
                .unwrap_or_else(|| "—".into())
        };
        out.push_str(&format!(
            "  deadline     {} {}: acknowledge within {}, reply within {}\n",
            str(d, "/kind"),
            str(d, "/precedence"),
            ms(&d["acknowledge_ms"]),
            ms(&d["reply_ms"])
        ));
    }
    out
}
