//! Signing in to the console with a name and a password, sessions, and
//! sign-out (docs/console.md, "Signing in").
//!
//! - A wrong password for a name is counted in the store (atomically, for
//!   names no officer has too). After `free_failures` of them each further
//!   one is answered more slowly (¼ s, doubling, at most 4 s); at
//!   `lock_after` the name is locked for `lock_for`, and the lockout is
//!   logged. A good sign-in clears the count.
//! - A session is two secrets: the session secret, the browser's cookie
//!   (`dts_…`), and a CSRF token derived from it, which every form
//!   carries. The store keeps only the SHA-256 of each. A session ends when
//!   unused for `session_idle`, `session_max` after sign-in, at sign-out,
//!   or when the officer's password changes.
//!
//! The judgements (how slow, whether locked, whether a session is still
//! good) are pure functions of the records and the node's clock; the
//! `Node` methods below apply them to the store.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use detente_proto::ids::OfficerName;
use detente_proto::time::Timestamp;
use detente_store::{ConsoleSession, SignInFailures};
use sha2::{Digest, Sha256};

use super::password::{verify_nothing, verify_password};
use crate::config::ConsoleConfig;
use crate::error::{Bug, Forbidden, NodeError, NodeResult, Unauthenticated};
use crate::node::Node;
use crate::officers::Officer;
use crate::secrets;

/// The prefix of a session secret.
const SESSION_PREFIX: &str = "dts_";

/// The longest a wrong password's answer is held back.
const MAX_DELAY: Duration = Duration::from_secs(4);

/// How long to hold back the answer to the `failures`-th wrong password.
pub fn failure_delay(policy: &ConsoleConfig, failures: u32) -> Duration {
    match failures.checked_sub(policy.free_failures + 1) {
        None => Duration::ZERO,
        Some(beyond) => Duration::from_millis(250)
            .saturating_mul(1_u32.checked_shl(beyond).unwrap_or(u32::MAX))
            .min(MAX_DELAY),
    }
}

/// When a name with these failures is locked out until, if it is at `now`.
pub fn locked_until(failures: Option<&SignInFailures>, now: Timestamp) -> Option<Timestamp> {
    failures
        .and_then(|f| f.locked_until)
        .filter(|until| *until > now)
}

/// Whether `session` has ended at `now`: past its limit, or idle too long.
pub fn session_ended(session: &ConsoleSession, policy: &ConsoleConfig, now: Timestamp) -> bool {
    let idle = TimeDelta::from_std(policy.session_idle).unwrap_or(TimeDelta::MAX);
    now >= session.expires_at || now >= session.seen_at.plus(idle)
}

/// The CSRF token of a session: derived from its secret, so every page
/// can carry it without the store keeping it. Another site can neither
/// read the cookie (HttpOnly) nor send it (SameSite=Strict), so it cannot
/// know the token.
pub fn csrf_token(session_secret: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"detente console csrf\0");
    hash.update(session_secret.as_bytes());
    format!("dtc_{}", URL_SAFE_NO_PAD.encode(hash.finalize()))
}

/// What a good sign-in hands the browser.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Who signed in.
    pub officer: Officer,
    /// The session secret: the cookie's value.
    pub session_secret: String,
    /// The CSRF token its forms carry.
    pub csrf: String,
    /// When the session ends at the latest.
    pub expires_at: Timestamp,
}

/// A request's console session, checked.
#[derive(Debug, Clone)]
pub struct Session {
    /// Whose it is.
    pub officer: Officer,
    /// The CSRF token its forms must carry.
    pub csrf: String,
    /// The interface language the officer chose, if any.
    pub language: Option<String>,
    /// The SHA-256 of the session secret.
    secret_sha256: [u8; 32],
    csrf_sha256: [u8; 32],
}

impl Session {
    /// Refuses a form that does not carry this session's CSRF token.
    pub fn check_csrf(&self, token: Option<&str>) -> NodeResult<()> {
        match token {
            Some(token) if secrets::hash(token) == self.csrf_sha256 => Ok(()),
            _ => Err(Forbidden::Csrf.into()),
        }
    }

    /// The SHA-256 of the session secret (for sign-out).
    pub fn secret_sha256(&self) -> [u8; 32] {
        self.secret_sha256
    }
}

impl Node {
    /// Signs `name` in with `password`. A wrong name or password is one
    /// answer ([`Unauthenticated::WrongPassword`]), given slowly after
    /// repeated failures; a locked name is [`Unauthenticated::LockedOut`]
    /// whatever the password.
    pub async fn sign_in(&self, name: &str, password: &str) -> NodeResult<SignedIn> {
        let policy = self.config.console;
        let now = self.now();
        let Ok(name) = name.trim().parse::<OfficerName>() else {
            let typed = password.to_owned();
            tokio::task::spawn_blocking(move || verify_nothing(&typed))
                .await
                .map_err(Bug::task("verify password"))?;
            return Err(Unauthenticated::WrongPassword.into());
        };
        let lookup = name.clone();
        let (failures, officer, phc) = self
            .with_store(move |s| {
                Ok((
                    s.sign_in_failures(&lookup)?,
                    s.officer(&lookup)?,
                    s.officer_password(&lookup)?,
                ))
            })
            .await?;
        if let Some(until) = locked_until(failures.as_ref(), now) {
            return Err(Unauthenticated::LockedOut { until }.into());
        }
        let typed = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || match &phc {
            Some(phc) => verify_password(phc, &typed),
            None => {
                verify_nothing(&typed);
                false
            }
        })
        .await
        .map_err(Bug::task("verify password"))?;
        let officer = match (matched, officer) {
            (true, Some(officer)) => officer,
            _ => return Err(self.count_failure(name, now).await),
        };
        let (session_secret, secret_sha256) = secrets::issue(SESSION_PREFIX);
        let csrf = csrf_token(&session_secret);
        let max = TimeDelta::from_std(policy.session_max).unwrap_or(TimeDelta::MAX);
        let session = ConsoleSession {
            secret_sha256,
            officer: officer.name.clone(),
            csrf_sha256: secrets::hash(&csrf),
            created_at: now,
            seen_at: now,
            expires_at: now.plus(max),
        };
        let cleared = name.clone();
        let stored = session.clone();
        self.with_store(move |s| {
            s.clear_sign_in_failures(&cleared)?;
            Ok(s.add_console_session(&stored)?)
        })
        .await?;
        tracing::info!(officer = %officer.name, "console sign-in");
        Ok(SignedIn {
            officer: officer.into(),
            session_secret,
            csrf,
            expires_at: session.expires_at,
        })
    }

    /// Counts a wrong password for `name`, locks the name when it has had
    /// too many, holds the answer back, and gives the error to answer.
    async fn count_failure(&self, name: OfficerName, now: Timestamp) -> NodeError {
        let policy = self.config.console;
        let lock_for = TimeDelta::from_std(policy.lock_for).unwrap_or(TimeDelta::MAX);
        let counted = name.clone();
        let result = self
            .with_store(move |s| {
                let failures = s.record_sign_in_failure(&counted, now)?;
                let lock = (failures.failures >= policy.lock_after).then(|| now.plus(lock_for));
                if let Some(until) = lock {
                    s.lock_sign_in(&counted, until)?;
                }
                Ok((failures.failures, lock))
            })
            .await;
        let (failures, lock) = match result {
            Ok(counted) => counted,
            Err(error) => return error,
        };
        if let Some(until) = lock {
            tracing::warn!(name = %name, failures, %until, "console sign-in locked out after repeated wrong passwords");
            return Unauthenticated::LockedOut { until }.into();
        }
        tokio::time::sleep(failure_delay(&policy, failures)).await;
        Unauthenticated::WrongPassword.into()
    }

    /// The console session whose secret is `session_secret`, if it is
    /// still good; using it keeps it alive. An ended one is removed.
    pub async fn console_session(&self, session_secret: Option<&str>) -> NodeResult<Session> {
        let Some(secret) = session_secret else {
            return Err(Unauthenticated::NoSession.into());
        };
        let policy = self.config.console;
        let now = self.now();
        let secret_sha256 = secrets::hash(secret);
        let csrf = csrf_token(secret);
        self.with_store(move |s| {
            let Some(session) = s.console_session(&secret_sha256)? else {
                return Err(Unauthenticated::SessionEnded.into());
            };
            if session_ended(&session, &policy, now) {
                s.remove_console_session(&secret_sha256)?;
                return Err(Unauthenticated::SessionEnded.into());
            }
            let officer = s
                .officer(&session.officer)?
                .ok_or(Unauthenticated::SessionEnded)?;
            s.touch_console_session(&secret_sha256, now)?;
            let language = s.officer_language(&officer.name)?;
            Ok(Session {
                officer: officer.into(),
                csrf,
                language,
                secret_sha256,
                csrf_sha256: session.csrf_sha256,
            })
        })
        .await
    }

    /// Ends a console session (sign-out).
    pub async fn sign_out(&self, session: &Session) -> NodeResult<()> {
        let secret_sha256 = session.secret_sha256;
        self.with_store(move |s| Ok(s.remove_console_session(&secret_sha256)?))
            .await?;
        tracing::info!(officer = %session.officer.name, "console sign-out");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn failures_are_free_then_slower_then_capped() {
        let policy = ConsoleConfig::default();
        let delays: Vec<u128> = (1..=10)
            .map(|n| failure_delay(&policy, n).as_millis())
            .collect();
        assert_eq!(
            delays,
            [0, 0, 0, 250, 500, 1000, 2000, 4000, 4000, 4000],
            "free, then doubling, then capped"
        );
        assert_eq!(failure_delay(&policy, u32::MAX), MAX_DELAY);
    }

    #[test]
    fn a_lockout_holds_until_its_time() {
        let failures = SignInFailures {
            name: "x".parse().expect("name"),
            failures: 10,
            last_failure_at: ts("2026-11-28T10:00:00.000Z"),
            locked_until: Some(ts("2026-11-28T10:15:00.000Z")),
        };
        let before = ts("2026-11-28T10:14:59.999Z");
        assert_eq!(locked_until(Some(&failures), before), failures.locked_until);
        assert_eq!(
            locked_until(Some(&failures), ts("2026-11-28T10:15:00.000Z")),
            None
        );
        assert_eq!(locked_until(None, before), None);
    }

    #[test]
    fn a_session_ends_when_idle_or_past_its_limit() {
        let policy = ConsoleConfig::default();
        let session = ConsoleSession {
            secret_sha256: [1; 32],
            officer: "x".parse().expect("name"),
            csrf_sha256: [2; 32],
            created_at: ts("2026-11-28T08:00:00.000Z"),
            seen_at: ts("2026-11-28T19:45:00.000Z"),
            expires_at: ts("2026-11-28T20:00:00.000Z"),
        };
        assert!(!session_ended(
            &session,
            &policy,
            ts("2026-11-28T19:59:59.999Z")
        ));
        assert!(
            session_ended(&session, &policy, ts("2026-11-28T20:00:00.000Z")),
            "absolute"
        );
        let idle = ConsoleSession {
            seen_at: ts("2026-11-28T09:00:00.000Z"),
            ..session
        };
        assert!(!session_ended(
            &idle,
            &policy,
            ts("2026-11-28T09:29:59.999Z")
        ));
        assert!(
            session_ended(&idle, &policy, ts("2026-11-28T09:30:00.000Z")),
            "idle"
        );
    }

    #[test]
    fn the_csrf_token_is_the_sessions_own() {
        let (a, _) = secrets::issue(SESSION_PREFIX);
        let (b, _) = secrets::issue(SESSION_PREFIX);
        assert_eq!(csrf_token(&a), csrf_token(&a));
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert!(csrf_token(&a).starts_with("dtc_"));
        let session = Session {
            officer: Officer {
                name: "x".parse().expect("name"),
                tiers: vec![],
            },
            csrf: csrf_token(&a),
            language: None,
            secret_sha256: secrets::hash(&a),
            csrf_sha256: secrets::hash(&csrf_token(&a)),
        };
        assert!(session.check_csrf(Some(&csrf_token(&a))).is_ok());
        for wrong in [None, Some(""), Some(csrf_token(&b).as_str())] {
            assert!(matches!(
                session.check_csrf(wrong),
                Err(NodeError::Forbidden(Forbidden::Csrf))
            ));
        }
    }
}
