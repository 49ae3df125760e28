//! `detente card show|renew` and `detente keys rotate`: this party's card
//! and keys, on a node directory no process is using (the node pushes a
//! new card to its peers when it next starts).

use chrono::TimeDelta;
use detente_node::config::NodeConfig;
use detente_node::keys::NodeKeys;
use detente_node::node::{CARD_FILE, open_store};
use detente_node::rotation::{CardChange, Replace, change_card};
use detente_proto::card::SignedCard;
use detente_proto::clock::{Clock, SystemClock};
use detente_proto::time::{Timestamp, human_duration};

use crate::cli::{DirArg, RenewArgs, RotateArgs, Validity};

/// A renewal's validity when none is given.
const DEFAULT_RENEWAL: TimeDelta = TimeDelta::days(365);

/// A card close to its expiry is flagged this long before.
const EXPIRY_WARNING: TimeDelta = TimeDelta::days(30);

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
    let path = dir.join(CARD_FILE);
    let bytes =
        std::fs::read(&path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(SignedCard::parse(&bytes)?)
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
    // As long as the current card's validity, counted from now.
    let same_length = current
        .card()
        .valid_until
        .map(|until| now.plus(until.since(current.card().issued_at)));
    let until = valid_until(&args.validity, now, same_length)?;
    let change = change_card(&args.dir.dir, replace, until, now)?;
    report(&change, &args.dir.dir);
    Ok(())
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
    if what.is_empty() {
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
    if !what.is_empty() {
        println!(
            "  replaced keys {} (they still work for the overlap, [keys] overlap; delete them after it)",
            dir.join("keys/retired").display()
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
    match c.valid_until {
        None => println!("  valid until   no limit"),
        Some(until) if until <= now => println!(
            "  valid until   {until}  EXPIRED: peers refuse it; renew it (detente card renew)"
        ),
        Some(until) if until.since(now) < EXPIRY_WARNING => println!(
            "  valid until   {until}  expires in {}: renew it (detente card renew)",
            human_duration(until.since(now))
        ),
        Some(until) => println!("  valid until   {until}"),
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
                if record.link.is_some() {
                    "  linked by the card before"
                } else {
                    "  first card"
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
