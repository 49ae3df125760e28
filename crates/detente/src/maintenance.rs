//! The administrator's upkeep of a node directory: `detente card
//! show|renew` and `detente keys rotate|revoke` (this party's card and keys, on a
//! directory no process is using; the node pushes a new card to its peers
//! when it next starts), `detente backup` (online), `detente restore`
//! (stopped) and `detente fsck`
//! (the log against everything signed over it).

use chrono::TimeDelta;
use detente_node::config::NodeConfig;
use detente_node::health::{Expiry, expiry};
use detente_node::keys::NodeKeys;
use detente_node::node::{CARD_FILE, open_store, read_card};
use detente_node::recovery_key::RecoveryKey;
use detente_node::rotation::{CardChange, Replace, change_card, revoke_keys};
use detente_proto::card::SignedCard;
use detente_proto::card_chain::SignedCardLink;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::time::{Timestamp, human_duration};

use crate::cli::{
    BackupArgs, DirArg, FsckArgs, RenewArgs, RestoreArgs, RevokeArgs, RotateArgs, Validity,
};

/// A renewal's validity when none is given.
const DEFAULT_RENEWAL: TimeDelta = TimeDelta::days(365);

/// The new card's `valid_until` for the flags given: `otherwise` when
/// none is.
fn valid_until(
    validity: &Validity,
    now: Timestamp,
    otherwise: Option<Timestamp>,
) -> anyhow::Result<Option<Timestamp>> {
    if validity.no_expiry {
        return Ok(None);
    }
    if let Some(until) = validity.valid_until {
        return Ok(Some(until));
    }
    if let Some(duration) = validity.valid_for {
        let delta = TimeDelta::from_std(duration)
            .map_err(|_| anyhow::anyhow!("--valid-for {duration:?} is too long"))?;
        return Ok(Some(now.plus(delta)));
    }
    Ok(otherwise)
}

fn current_card(dir: &std::path::Path) -> anyhow::Result<SignedCard> {
    Ok(read_card(&dir.join(CARD_FILE))?)
}

pub fn card_renew(args: RenewArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let until = valid_until(&args.validity, now, Some(now.plus(DEFAULT_RENEWAL)))?;
    let change = change_card(&args.dir.dir, Replace::default(), until, now)?;
    report(&change, &args.dir.dir);
    Ok(())
}

pub fn keys_rotate(args: RotateArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let mut replace = Replace {
        signing: args.signing,
        encryption: args.encryption,
        tls: args.tls,
    };
    if replace.nothing() {
        replace = Replace::ALL;
    }
    let current = current_card(&args.dir.dir)?;
    let until = valid_until(&args.validity, now, same_length(&current, now))?;
    let change = change_card(&args.dir.dir, replace, until, now)?;
    report(&change, &args.dir.dir);
    Ok(())
}

pub fn keys_revoke(args: RevokeArgs) -> anyhow::Result<()> {
    let now = SystemClock.now();
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let recovery = RecoveryKey::read(&args.recovery_key, &config.party)?;
    let current = current_card(dir)?;
    let until = valid_until(&args.validity, now, same_length(&current, now))?;
    let next_recovery = RecoveryKey::generate(&config.party);
    // Where the new recovery key goes is settled before anything changes.
    if let Some(path) = &args.new_recovery_key_to {
        save_recovery_key(path, &next_recovery)?;
    }
    let change = match revoke_keys(
        dir,
        &recovery,
        args.compromised_since,
        &next_recovery,
        until,
        now,
    ) {
        Ok(change) => change,
        Err(e) => {
            if let Some(path) = &args.new_recovery_key_to {
                let _ = std::fs::remove_file(path);
            }
            return Err(e.into());
        }
    };
    report(&change, dir);
    show_recovery_key(&next_recovery, args.new_recovery_key_to.as_deref());
    Ok(())
}

/// As long as `current`'s validity, counted from now.
fn same_length(current: &SignedCard, now: Timestamp) -> Option<Timestamp> {
    current
        .card()
        .valid_until
        .map(|until| now.plus(until.since(current.card().issued_at)))
}

/// Writes the recovery key line to a new file, owner-only.
pub fn save_recovery_key(path: &std::path::Path, key: &RecoveryKey) -> anyhow::Result<()> {
    let mut text = key.to_text();
    text.push('\n');
    detente_node::keys::write_secret(path, text.as_bytes())?;
    Ok(())
}

/// Shows where the recovery key went, or prints it, once.
pub fn show_recovery_key(key: &RecoveryKey, written_to: Option<&std::path::Path>) {
    match written_to {
        Some(path) => println!(
            "Recovery key written to {} (mode 0600). Move it off this machine and keep it offline: it is the only way to replace a compromised signing key without meeting every peer again.",
            path.display()
        ),
        None => {
            println!();
            println!(
                "RECOVERY KEY — shown once, stored nowhere. Write it down or copy it to offline media now:"
            );
            println!();
            println!("  {}", *key.to_text());
            println!();
            println!(
                "It is the only way to replace a compromised signing key without meeting every peer again (detente keys revoke). Anyone holding it can replace this party's keys: keep it off the node."
            );
        }
    }
}

fn report(change: &CardChange, dir: &std::path::Path) {
    let (old, new) = (&change.previous, &change.card);
    let r = change.replaced;
    let mut what: Vec<&str> = Vec::new();
    if r.signing {
        what.push("signing");
    }
    if r.encryption {
        what.push("encryption");
    }
    if r.tls {
        what.push("TLS");
    }
    if let Some(since) = change.revoked_since {
        println!(
            "{} signing key {} revoked as compromised since {since}: every key replaced; new card issued {}, linked by the recovery key.",
            new.card().party,
            old.key_id(),
            new.card().issued_at
        );
    } else if what.is_empty() {
        println!(
            "{} card renewed (same keys), issued {}.",
            new.card().party,
            new.card().issued_at
        );
    } else {
        println!(
            "{} keys rotated: {} replaced; new card issued {}.",
            new.card().party,
            what.join(", "),
            new.card().issued_at
        );
    }
    println!("  valid until   {}", validity_text(new));
    println!(
        "  fingerprint   {}{}",
        new.fingerprint(),
        if r.signing {
            format!(" (was {})", old.fingerprint())
        } else {
            String::new()
        }
    );
    println!("  card          {}", dir.join(CARD_FILE).display());
    let retired = dir.join("keys/retired");
    if change.revoked_since.is_some() {
        println!(
            "  replaced keys {} (they may be in other hands: shred them now, and see [keys] overlap in docs/operations.md, \"A compromised key\")",
            retired.display()
        );
        println!(
            "Start the node (detente serve): before anything else it gives the new card to every peer, linked by the recovery key. Peers then refuse envelopes the old key signed since the compromise, and `detente verify` shows them as SUSPECT."
        );
        println!(
            "Telephone each peer's duty officer: the key was revoked, since when, and the new fingerprint; resend what still matters."
        );
        return;
    }
    if !what.is_empty() {
        println!(
            "  replaced keys {} (they still work for the overlap, [keys] overlap; delete them after it)",
            retired.display()
        );
    }
    println!(
        "Start the node (detente serve): before anything else it gives the new card to every peer, linked by the key they already trust."
    );
    if r.signing {
        println!(
            "Peers need not confirm the new fingerprint, but tell them it changed: they will see it in `detente peer list`."
        );
    }
}

fn validity_text(card: &SignedCard) -> String {
    card.card()
        .valid_until
        .map_or_else(|| "no limit".to_owned(), |until| until.to_string())
}

pub fn card_show(args: DirArg) -> anyhow::Result<()> {
    let dir = &args.dir;
    let config = NodeConfig::load(dir)?;
    let current = current_card(dir)?;
    let now = SystemClock.now();
    let c = current.card();
    println!("{} ({}) at {}", c.party, c.name, c.endpoint);
    println!("  fingerprint   {}", current.fingerprint());
    println!("  key id        {}", current.key_id());
    println!("  issued        {}", c.issued_at);
    match &current.keys().recovery {
        Some(key) => println!("  recovery key  {} (kept offline)", key.key_id()),
        None => println!(
            "  recovery key  none: a compromised signing key cannot be revoked; peers must re-confirm a new card out of band (docs/operations.md, \"Lost or stolen keys\")"
        ),
    }
    let within = config.alerts.card_expiry_within;
    match c
        .valid_until
        .map(|until| (until, expiry(until, now, within)))
    {
        None => println!("  valid until   no limit"),
        Some((until, Some(Expiry::Expired))) => println!(
            "  valid until   {until}  EXPIRED: peers refuse it; renew it (detente card renew)"
        ),
        Some((until, Some(Expiry::Soon))) => println!(
            "  valid until   {until}  expires in {}: renew it (detente card renew)",
            human_duration(until.since(now))
        ),
        Some((until, None)) => println!("  valid until   {until}"),
    }
    let store = open_store(dir, &config)?;
    let history: Vec<_> = store
        .cards()?
        .into_iter()
        .filter(|record| record.party == c.party)
        .collect();
    if history.len() > 1 {
        println!("Cards, oldest first:");
        for record in &history {
            let card = SignedCard::parse(&record.card)?;
            println!(
                "  {}  {}  key {}{}",
                card.card().issued_at,
                card.fingerprint(),
                card.key_id(),
                match record.link.as_deref().map(SignedCardLink::parse) {
                    None => "  first card".to_owned(),
                    Some(Ok(link)) => match link.compromised_since() {
                        Some(since) => format!(
                            "  revoked the card before (compromised since {since}), linked by the recovery key"
                        ),
                        None => "  linked by the card before".to_owned(),
                    },
                    Some(Err(e)) => format!("  link unreadable: {e}"),
                }
            );
        }
    }
    let keys = NodeKeys::load(dir)?;
    for retired in &keys.retired {
        let ends = retired
            .retired_at
            .plus(TimeDelta::from_std(config.keys.overlap).unwrap_or(TimeDelta::MAX));
        println!(
            "  retired keys of {}: {} (overlap {} {ends})",
            retired.retired_at,
            dir.join("keys/retired")
                .join(retired.retired_at.unix_millis().to_string())
                .display(),
            if ends > now { "until" } else { "ended" },
        );
    }
    Ok(())
}

pub fn fsck(args: FsckArgs) -> anyhow::Result<()> {
    let dir = &args.dir.dir;
    let config = NodeConfig::load(dir)?;
    let store = open_store(dir, &config)?;
    let keyring = detente_node::fsck::keyring_for(store.clone(), dir)?;
    let report = detente_node::fsck::fsck(store.as_ref(), &config.party, &keyring)?;
    let code = report.exit_code();
    if args.json {
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| serde_json::json!({"kind": f.kind(), "class": f.class(), "detail": f.to_string()}))
            .collect();
        let json = serde_json::json!({
            "party": config.party,
            "size": report.size,
            "entries": report.entries,
            "messages": report.messages,
            "receipts": report.receipts,
            "cosignatures": report.cosignatures,
            "findings": findings,
            "exit_code": code,
        });
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!(
            "{}: {} log entries read (checkpoint at size {}), {} messages, {} receipts and {} cosignatures checked.",
            config.party,
            report.entries,
            report.size,
            report.messages,
            report.receipts,
            report.cosignatures
        );
        for finding in &report.findings {
            println!("  {:<18} {finding}", finding.kind());
        }
        if code == 0 {
            println!("Nothing is wrong.");
        } else {
            println!(
                "{} problems (exit {code}). Stop the node, keep this database for inspection, and see docs/operations.md, \"Checking the database\".",
                report.findings.len()
            );
        }
    }
    if code != 0 {
        std::process::exit(i32::from(code));
    }
    Ok(())
}

pub fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let manifest = detente_node::backup::backup(&args.dir.dir, &args.to, SystemClock.now())?;
    println!(
        "{} database copied to {} at {} (schema version {}).",
        manifest.party,
        args.to.display(),
        manifest.taken_at,
        manifest.schema_version
    );
    match &manifest.log_root {
        Some(root) => println!("  log size {}, root {root}", manifest.log_size),
        None => println!("  the log is empty"),
    }
    println!(
        "The keys are not in it: keep keys/, detente.toml and card.json backed up separately."
    );
    Ok(())
}

pub fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let restored = detente_node::backup::restore(&args.dir.dir, &args.file, SystemClock.now())?;
    let m = &restored.manifest;
    println!(
        "{} database restored from {} (taken {}, log size {}).",
        m.party,
        args.file.display(),
        m.taken_at,
        m.log_size
    );
    if let Some(kept) = &restored.kept {
        println!("  the database it replaced is kept as {}", kept.display());
    }
    println!(
        "When it starts, the node signs nothing until each of its witnesses has said which checkpoint of its log it holds; if one holds more than the backup, it says which entries are missing (detente log status)."
    );
    Ok(())
}
