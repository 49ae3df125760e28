//! The duty officers' console (docs/console.md): signing in with a name
//! and a password, sessions and CSRF tokens. The pages build on these and
//! call the same node operations as the officer API; no rule lives here
//! that the API does not share.

mod alert_link;
mod alerts;
mod chart;
mod commitments;
mod compose;
mod composing;
mod deadlines;
mod drafts;
pub mod i18n;
mod live;
mod pages;
mod password;
mod refusal;
mod responsiveness;
mod sign_in;
mod transparency;
pub mod web;

pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordProblem, check_password, hash_password,
    verify_password,
};
pub use sign_in::{Session, SignedIn, csrf_token, failure_delay, locked_until, session_ended};
