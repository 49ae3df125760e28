//! `detente verify`: checks an evidence bundle offline (no network, no
//! node) with `detente-evidence`, prints a verdict per claim, and exits 0
//! (all proven), 1 (something broken, or not a bundle), 4 (nothing broken,
//! something signed by a revoked key: SUSPECT) or 3 (nothing broken or
//! suspect, something unproven). A guarantee's status or a pledge's
//! signatories are judged when the bundle was exported, or at `--at`.

use std::io::Read;

use anyhow::Context;
use detente_evidence::{Bundle, Options, Report};
use detente_log::policy::Policy;

use crate::cli::VerifyArgs;

/// Reads and checks the bundle named by `args`; the process exit code.
pub fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let report = check(&args)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    match report.exit_code() {
        0 => Ok(()),
        code => {
            if code == 1 {
                for claim in report.broken() {
                    eprintln!(
                        "error: {} — {}: {}",
                        claim.subject, claim.claim, claim.detail
                    );
                }
            }
            std::process::exit(i32::from(code))
        }
    }
}

fn check(args: &VerifyArgs) -> anyhow::Result<Report> {
    let bytes = if args.bundle.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .take(detente_evidence::bundle::MAX_BUNDLE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .context("cannot read the bundle from standard input")?;
        bytes
    } else {
        let size = std::fs::metadata(&args.bundle)
            .with_context(|| format!("cannot read the bundle {}", args.bundle.display()))?
            .len();
        if size > detente_evidence::bundle::MAX_BUNDLE_BYTES as u64 {
            anyhow::bail!(
                "{} is {size} bytes; a bundle is at most {} bytes",
                args.bundle.display(),
                detente_evidence::bundle::MAX_BUNDLE_BYTES
            );
        }
        std::fs::read(&args.bundle)
            .with_context(|| format!("cannot read the bundle {}", args.bundle.display()))?
    };
    let bundle = Bundle::parse(&bytes).with_context(|| {
        format!(
            "{} is not a bundle `detente verify` can check; export one with `detente evidence`",
            args.bundle.display()
        )
    })?;
    let policy = match &args.policy {
        None => None,
        Some(path) => {
            let text = std::fs::read(path)
                .with_context(|| format!("cannot read the policy {}", path.display()))?;
            Some(Policy::parse(&text).with_context(|| {
                format!(
                    "--policy {}: not a C2SP tlog-policy; see docs/evidence.md",
                    path.display()
                )
            })?)
        }
    };
    let ack_within = args
        .ack_within
        .map(chrono::TimeDelta::from_std)
        .transpose()
        .context("--ack-within is too long")?;
    Ok(detente_evidence::verify(
        &bundle,
        &Options {
            policy,
            ack_within,
            at: args.at,
        },
    ))
}
