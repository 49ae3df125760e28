//! Officers' console passwords: the rules a password keeps, and argon2id.
//!
//! A password is hashed with argon2id (RFC 9106) at the `argon2` crate's
//! defaults, the parameters OWASP recommends (19 MiB, 2 passes, 1 lane),
//! into a PHC string with its own random salt; only that string is stored.
//! Verifying reads the parameters back from the string, so raising them
//! later leaves stored passwords working.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2};

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The most characters a password may have (argon2 takes any length; a
/// bound keeps a sign-in form from hashing megabytes).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Why a password is not accepted.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum PasswordProblem {
    /// Too short to resist guessing.
    #[error(
        "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS}, for example four unrelated words"
    )]
    TooShort {
        /// How many it has.
        chars: usize,
    },
    /// Longer than any password needs.
    #[error("the password has {chars} characters; use at most {MAX_PASSWORD_CHARS}")]
    TooLong {
        /// How many it has.
        chars: usize,
    },
    /// Only spaces.
    #[error("the password is only white space")]
    Blank,
}

/// Refuses a password that breaks the rules.
pub fn check_password(password: &str) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if password.trim().is_empty() {
        return Err(PasswordProblem::Blank);
    }
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort { chars });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong { chars });
    }
    Ok(())
}

/// The argon2id PHC string of `password`, with a fresh salt. Slow on
/// purpose (tens of milliseconds): call it on a blocking thread.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` is the one `phc` was made from. A string that is
/// not argon2id, or does not parse, matches nothing. Slow on purpose.
pub fn verify_password(phc: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Spends the time a verification takes, for a name with no password,
/// so that the answer's timing does not tell which names exist.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash_password("a password nobody has").ok()) {
        let _ = verify_password(phc, password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let phc = hash_password("correct horse battery").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery"));
        assert!(!verify_password(&phc, "correct horse battery "));
        let again = hash_password("correct horse battery").expect("hash");
        assert_ne!(phc, again, "a fresh salt each time");
        assert!(!verify_password("not a phc string", "x"));
        let argon2i = phc.replace("$argon2id$", "$argon2i$");
        assert!(!verify_password(&argon2i, "correct horse battery"));
    }

    #[test]
    fn passwords_keep_the_rules() {
        assert_eq!(
            check_password("short"),
            Err(PasswordProblem::TooShort { chars: 5 })
        );
        assert_eq!(check_password("            "), Err(PasswordProblem::Blank));
        assert_eq!(
            check_password(&"я".repeat(257)),
            Err(PasswordProblem::TooLong { chars: 257 })
        );
        assert_eq!(check_password("пароль из слов"), Ok(()), "any script");
    }
}
