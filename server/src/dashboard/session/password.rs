//! Passwords: the rules for choosing one, and hashing and checking with argon2id.
//!
//! The `argon2` crate (RustCrypto) is the maintained pure-Rust implementation, with PHC
//! strings so that a hash carries its own parameters and later parameter changes still
//! verify old hashes. The parameters are OWASP's (m = 19 MiB, t = 2, p = 1). Hashing takes
//! tens of milliseconds of CPU, so it runs on tokio's blocking threads, never on a worker
//! that serves requests. An unknown email is checked against a dummy hash so that it takes
//! as long as a known one, and timing does not tell which emails have accounts.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::SaltString;
use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
};

/// The shortest password accepted, in characters.
pub const MIN_CHARS: usize = 12;
/// The longest password accepted, in characters (hashing cost grows with length).
pub const MAX_CHARS: usize = 1024;

/// A password someone chose, within the length rules.
#[derive(Clone)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// Why a chosen password was refused; the message is shown to the person choosing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRule {
    /// Shorter than [`MIN_CHARS`].
    #[error("Choose a password of at least 12 characters.")]
    TooShort,
    /// Longer than [`MAX_CHARS`].
    #[error("Choose a password of at most 1,024 characters.")]
    TooLong,
    /// The confirmation differs.
    #[error("The two passwords differ; type the same password twice.")]
    Mismatch,
}

impl NewPassword {
    /// Checks the length rules and that `confirm` repeats `password`.
    pub fn parse(password: &str, confirm: &str) -> Result<Self, PasswordRule> {
        let chars = password.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordRule::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordRule::TooLong);
        }
        if password != confirm {
            return Err(PasswordRule::Mismatch);
        }
        Ok(Self(password.to_owned()))
    }
}

/// Hashing failed (the blocking task died, or argon2 refused its input).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

fn argon2id() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP's argon2id parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2id()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| HashError(err.to_string()))
}

/// The argon2id PHC string of `password`.
pub async fn hash(password: NewPassword) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_now(&password.0))
        .await
        .map_err(|err| HashError(err.to_string()))?
}

/// Whether `password` matches `stored` (a PHC string); with no stored hash (no such user)
/// a dummy hash is checked instead and the answer is `false`.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let checked = tokio::task::spawn_blocking(move || {
        let dummy = DUMMY.get_or_init(|| {
            hash_now("no user has this password").expect("hashing a constant works")
        });
        let (phc, real) = match &stored {
            Some(phc) => (phc.as_str(), true),
            None => (dummy.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            tracing::error!("a stored password hash is not a PHC string");
            return false;
        };
        argon2id()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && real
    })
    .await;
    checked.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_needs_twelve_to_1024_characters_typed_twice() {
        assert_eq!(
            NewPassword::parse("short", "short").err(),
            Some(PasswordRule::TooShort)
        );
        let eleven = "ééééééééééé";
        assert_eq!(
            NewPassword::parse(eleven, eleven).err(),
            Some(PasswordRule::TooShort)
        );
        let twelve = "éééééééééééé";
        assert!(
            NewPassword::parse(twelve, twelve).is_ok(),
            "characters, not bytes"
        );
        let long = "x".repeat(1025);
        assert_eq!(
            NewPassword::parse(&long, &long).err(),
            Some(PasswordRule::TooLong)
        );
        assert!(NewPassword::parse(&long[1..], &long[1..]).is_ok());
        assert_eq!(
            NewPassword::parse("correct horse battery", "correct horse batterx").err(),
            Some(PasswordRule::Mismatch)
        );
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let password =
            NewPassword::parse("correct horse battery", "correct horse battery").unwrap();
        let phc = hash(password).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify("correct horse battery".into(), Some(phc.clone())).await);
        assert!(!verify("correct horse batterY".into(), Some(phc)).await);
        assert!(
            !verify("no user has this password".into(), None).await,
            "the dummy never signs in"
        );
    }
}
