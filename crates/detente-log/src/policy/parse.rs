//! The policy file parser (tlog-policy §Policy file syntax and structure).

use super::{Group, MAX_ENTRIES, Member, Policy, PolicyError, PolicyLog, PolicyWitness, lossy};
use crate::cosignature::CosignatureVerifier;
use crate::note::{Ed25519Verifier, NoteError, VerifierKey};
use crate::text::parse_decimal;

const NONE: &[u8] = b"none";

#[derive(Default)]
struct Builder {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    quorum: Option<Option<Member>>,
    /// Names already listed as a group member.
    listed: Vec<Member>,
}

pub(super) fn parse(policy: &[u8]) -> Result<Policy, PolicyError> {
    let mut b = Builder::default();
    for (i, raw) in policy.split(|&c| c == b'\n').enumerate() {
        let line = i + 1;
        if let Some(&byte) = raw.iter().find(|&&c| c != b'\t' && (c < 0x20 || c == 0x7f)) {
            return Err(PolicyError::InvalidCharacter { line, byte });
        }
        let items: Vec<&[u8]> = raw
            .split(|&c| c == b' ' || c == b'\t')
            .filter(|s| !s.is_empty())
            .collect();
        let Some((&keyword, args)) = items.split_first() else {
            continue;
        };
        if keyword.starts_with(b"#") {
            continue;
        }
        match keyword {
            b"log" => b.log(line, args)?,
            b"witness" => b.witness(line, args)?,
            b"group" => b.group(line, args)?,
            b"quorum" => b.quorum(line, args)?,
            _ => {
                return Err(PolicyError::UnknownKeyword {
                    line,
                    keyword: lossy(keyword),
                });
            }
        }
    }
    let quorum = b.quorum.ok_or(PolicyError::MissingQuorum)?;
    Ok(Policy {
        logs: b.logs,
        witnesses: b.witnesses,
        groups: b.groups,
        quorum,
    })
}

fn vkey(line: usize, item: &[u8]) -> Result<VerifierKey, PolicyError> {
    let text = std::str::from_utf8(item).map_err(|_| PolicyError::InvalidKey {
        line,
        error: NoteError::NotUtf8 { valid_up_to: 0 },
    })?;
    VerifierKey::parse(text).map_err(|error| PolicyError::InvalidKey { line, error })
}

impl Builder {
    fn log(&mut self, line: usize, args: &[&[u8]]) -> Result<(), PolicyError> {
        let (key, url) = match args {
            [key] => (key, None),
            [key, url] => (key, Some(url.to_vec())),
            _ => {
                return Err(PolicyError::WrongArguments {
                    line,
                    expected: "log <vkey> [<url>]",
                });
            }
        };
        let verifier = Ed25519Verifier::from_vkey(&vkey(line, key)?)
            .map_err(|error| PolicyError::InvalidKey { line, error })?;
        if self
            .logs
            .iter()
            .any(|l| l.verifier.public_key() == verifier.public_key())
        {
            return Err(PolicyError::DuplicateKey { line, what: "log" });
        }
        if self.logs.len() == MAX_ENTRIES {
            return Err(PolicyError::TooManyEntries { line, what: "logs" });
        }
        self.logs.push(PolicyLog { verifier, url });
        Ok(())
    }

    fn witness(&mut self, line: usize, args: &[&[u8]]) -> Result<(), PolicyError> {
        let (name, key, url) = match args {
            [name, key] => (name, key, None),
            [name, key, url] => (name, key, Some(url.to_vec())),
            _ => {
                return Err(PolicyError::WrongArguments {
                    line,
                    expected: "witness <name> <vkey> [<url>]",
                });
            }
        };
        self.check_new_name(line, name)?;
        let verifier = CosignatureVerifier::from_vkey_checked(&vkey(line, key)?)
            .map_err(|error| PolicyError::InvalidKey { line, error })?;
        if self
            .witnesses
            .iter()
            .any(|w| w.verifier.public_key() == verifier.public_key())
        {
            return Err(PolicyError::DuplicateKey {
                line,
                what: "witness",
            });
        }
        if self.witnesses.len() == MAX_ENTRIES {
            return Err(PolicyError::TooManyEntries {
                line,
                what: "witnesses",
            });
        }
        self.witnesses.push(PolicyWitness {
            name: name.to_vec(),
            verifier,
            url,
        });
        Ok(())
    }

    fn group(&mut self, line: usize, args: &[&[u8]]) -> Result<(), PolicyError> {
        let [name, threshold, members @ ..] = args else {
            return Err(PolicyError::WrongArguments {
                line,
                expected: "group <name> all|any|<k> <name>...",
            });
        };
        if members.is_empty() {
            return Err(PolicyError::WrongArguments {
                line,
                expected: "group <name> all|any|<k> <name>... with at least one member",
            });
        }
        if members.len() > MAX_ENTRIES {
            return Err(PolicyError::TooManyEntries {
                line,
                what: "group members",
            });
        }
        self.check_new_name(line, name)?;
        let n = members.len();
        let threshold = match *threshold {
            b"all" => n,
            b"any" => 1,
            k => std::str::from_utf8(k)
                .ok()
                .and_then(parse_decimal)
                .and_then(|k| usize::try_from(k).ok())
                .filter(|k| (1..=n).contains(k))
                .ok_or_else(|| PolicyError::InvalidThreshold {
                    line,
                    threshold: lossy(k),
                    members: n,
                })?,
        };
        let mut resolved = Vec::with_capacity(n);
        for &member in members {
            if member == NONE {
                return Err(PolicyError::ReservedName { line });
            }
            let m = self
                .lookup(member)
                .ok_or_else(|| PolicyError::UndefinedName {
                    line,
                    name: lossy(member),
                })?;
            if self.listed.contains(&m) {
                return Err(PolicyError::MemberListedTwice {
                    line,
                    name: lossy(member),
                });
            }
            self.listed.push(m);
            resolved.push(m);
        }
        if self.groups.len() == MAX_ENTRIES {
            return Err(PolicyError::TooManyEntries {
                line,
                what: "groups",
            });
        }
        self.groups.push(Group {
            name: name.to_vec(),
            threshold,
            members: resolved,
        });
        Ok(())
    }

    fn quorum(&mut self, line: usize, args: &[&[u8]]) -> Result<(), PolicyError> {
        let [name] = args else {
            return Err(PolicyError::WrongArguments {
                line,
                expected: "quorum <name>",
            });
        };
        if self.quorum.is_some() {
            return Err(PolicyError::DuplicateQuorum { line });
        }
        let quorum = if *name == NONE {
            None
        } else {
            Some(
                self.lookup(name)
                    .ok_or_else(|| PolicyError::UndefinedName {
                        line,
                        name: lossy(name),
                    })?,
            )
        };
        self.quorum = Some(quorum);
        Ok(())
    }

    fn lookup(&self, name: &[u8]) -> Option<Member> {
        if let Some(i) = self.witnesses.iter().position(|w| w.name == name) {
            return Some(Member::Witness(i));
        }
        self.groups
            .iter()
            .position(|g| g.name == name)
            .map(Member::Group)
    }

    fn check_new_name(&self, line: usize, name: &[u8]) -> Result<(), PolicyError> {
        if name == NONE {
            return Err(PolicyError::ReservedName { line });
        }
        if self.lookup(name).is_some() {
            return Err(PolicyError::DuplicateName {
                line,
                name: lossy(name),
            });
        }
        Ok(())
    }
}
