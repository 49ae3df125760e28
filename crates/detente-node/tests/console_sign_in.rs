//! Signing in to the console: a real node with a real database, on a
//! manual clock. Passwords, sessions (idle and absolute ends, sign-out, a
//! new password), CSRF tokens, slowing down and locking out.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeDelta;
use detente_node::admin::{AdminError, set_officer_password};
use detente_node::console::PasswordProblem;
use detente_node::{Forbidden, Node, NodeError, Unauthenticated};
use detente_proto::clock::{Clock, ManualClock, SystemClock};

use common::Net;

const PASSWORD: &str = "четыре слова подряд";

/// RU with `Officer RU`'s password set, on a manual clock, with a small
/// lockout policy: one free failure, locked at the third for 15 minutes.
async fn node() -> (Net, Arc<ManualClock>, Arc<Node>) {
    let mut net = Net::new(&["RU"]);
    net.configure("RU", |config| {
        config.console.free_failures = 1;
        config.console.lock_after = 3;
    });
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    net.start_with_clock("RU", clock.clone()).await;
    let node = net.node("RU");
    set_officer_password(
        &**node.store(),
        &*clock,
        &"Officer RU".parse().expect("name"),
        PASSWORD,
    )
    .expect("password");
    (net, clock, node)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_works_until_sign_out_and_its_forms_need_its_csrf_token() {
    let (_net, _clock, node) = node().await;
    let signed_in = node
        .sign_in(" Officer RU ", PASSWORD)
        .await
        .expect("sign in");
    assert_eq!(signed_in.officer.name.as_str(), "Officer RU");
    assert!(signed_in.session_secret.starts_with("dts_"));
    let session = node
        .console_session(Some(&signed_in.session_secret))
        .await
        .expect("session");
    assert_eq!(session.officer.tiers, signed_in.officer.tiers);
    assert_eq!(session.csrf, signed_in.csrf);
    session
        .check_csrf(Some(&signed_in.csrf))
        .expect("its own token");
    assert!(matches!(
        session.check_csrf(Some("dtc_forged")),
        Err(NodeError::Forbidden(Forbidden::Csrf))
    ));
    assert!(matches!(
        session.check_csrf(None),
        Err(NodeError::Forbidden(Forbidden::Csrf))
    ));
    node.sign_out(&session).await.expect("sign out");
    assert!(matches!(
        node.console_session(Some(&signed_in.session_secret)).await,
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded))
    ));
    assert!(matches!(
        node.console_session(None).await,
        Err(NodeError::Unauthenticated(Unauthenticated::NoSession))
    ));
    assert!(matches!(
        node.console_session(Some("dts_made-up")).await,
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_when_idle_past_its_limit_or_at_a_new_password() {
    let (_net, clock, node) = node().await;
    let first = node.sign_in("Officer RU", PASSWORD).await.expect("sign in");
    // Used every 20 minutes, it stays alive past the idle limit of 30…
    for _ in 0..3 {
        clock.advance(TimeDelta::minutes(20));
        node.console_session(Some(&first.session_secret))
            .await
            .expect("still good");
    }
    // …and left for 30, it ends.
    clock.advance(TimeDelta::minutes(30));
    assert!(matches!(
        node.console_session(Some(&first.session_secret)).await,
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded))
    ));
    // However much it is used, a session ends 12 hours after sign-in.
    let second = node.sign_in("Officer RU", PASSWORD).await.expect("sign in");
    for _ in 0..47 {
        clock.advance(TimeDelta::minutes(15));
        node.console_session(Some(&second.session_secret))
            .await
            .expect("within the watch");
    }
    clock.advance(TimeDelta::minutes(15));
    assert!(matches!(
        node.console_session(Some(&second.session_secret)).await,
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded))
    ));
    // A new password ends every session of the officer.
    let third = node.sign_in("Officer RU", PASSWORD).await.expect("sign in");
    let name = "Officer RU".parse().expect("name");
    set_officer_password(&**node.store(), &*clock, &name, "a new password now").expect("set");
    assert!(matches!(
        node.console_session(Some(&third.session_secret)).await,
        Err(NodeError::Unauthenticated(Unauthenticated::SessionEnded))
    ));
    assert!(matches!(
        node.sign_in("Officer RU", PASSWORD).await,
        Err(NodeError::Unauthenticated(Unauthenticated::WrongPassword))
    ));
    node.sign_in("Officer RU", "a new password now")
        .await
        .expect("the new one");
    // A password that breaks the rules is refused, and the old one stays.
    assert!(matches!(
        set_officer_password(&**node.store(), &*clock, &name, "short"),
        Err(AdminError::Password(PasswordProblem::TooShort { chars: 5 }))
    ));
    node.sign_in("Officer RU", "a new password now")
        .await
        .expect("unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_are_slowed_then_locked_out_for_a_while() {
    let (_net, clock, node) = node().await;
    // One answer for a wrong name and a wrong password.
    for (name, password) in [("Nobody", PASSWORD), ("Officer RU", "not the password")] {
        assert!(matches!(
            node.sign_in(name, password).await,
            Err(NodeError::Unauthenticated(Unauthenticated::WrongPassword))
        ));
    }
    let failures = node
        .store()
        .sign_in_failures(&"Nobody".parse().expect("name"))
        .expect("read");
    assert_eq!(
        failures.map(|f| f.failures),
        Some(1),
        "a name nobody has is counted too"
    );
    // The second failure for the name is held back (one is free).
    let started = Instant::now();
    assert!(matches!(
        node.sign_in("Officer RU", "still not it").await,
        Err(NodeError::Unauthenticated(Unauthenticated::WrongPassword))
    ));
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "the second failure is answered slowly"
    );
    // The third locks the name for 15 minutes, even for the right password.
    let locked = node.sign_in("Officer RU", "wrong a third time").await;
    let until = match locked {
        Err(NodeError::Unauthenticated(Unauthenticated::LockedOut { until })) => until,
        other => panic!("expected a lockout, got {other:?}"),
    };
    assert_eq!(until, clock.now().plus(TimeDelta::minutes(15)));
    assert!(matches!(
        node.sign_in("Officer RU", PASSWORD).await,
        Err(NodeError::Unauthenticated(
            Unauthenticated::LockedOut { .. }
        ))
    ));
    clock.advance(TimeDelta::minutes(15));
    node.sign_in("Officer RU", PASSWORD)
        .await
        .expect("the lockout is over");
    assert_eq!(
        node.store()
            .sign_in_failures(&"Officer RU".parse().expect("name"))
            .expect("read"),
        None,
        "a good sign-in clears the count"
    );
}
