//! The duty officers' console (docs/console.md): signing in with a name
//! and a password, sessions and CSRF tokens. The pages build on these and
//! call the same node operations as the officer API; no rule lives here
//! that the API does not share.

pub mod i18n;
mod pages;
mod password;
mod sign_in;
pub mod web;

pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordProblem, check_password, hash_password,
    verify_password,
};
pub use sign_in::{Session, SignedIn, csrf_token, failure_delay, locked_until, session_ended};
