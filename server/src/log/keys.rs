//! The log's signing key: Ed25519, as a signed-note key whose name is the log's origin.
//!
//! `EC_LOG_KEY` gives the private key string (`PRIVATE+KEY+<origin>+<hash>+<base64>`);
//! otherwise it is `<data_dir>/log.key`, created once (mode 0600) with the origin of that
//! moment and kept: the origin is part of every checkpoint, so it is fixed by the key and
//! not by the address a later process happens to listen on. The key strings, key ids and
//! signatures are `signed_note`'s (the Rust port of Go's `golang.org/x/mod/sumdb/note`,
//! maintained with Cloudflare's Azul logs); this file only loads and stores them.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use signed_note::{Signer as _, StandardSigner};

/// The file in the data folder that holds the private key when `EC_LOG_KEY` is not set.
pub const KEY_FILE: &str = "log.key";

/// The log's signer and its public (verifier) key string.
#[derive(Clone)]
pub struct LogKeys {
    signer: StandardSigner,
    verifier_key: String,
}

impl std::fmt::Debug for LogKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogKeys")
            .field("verifier_key", &self.verifier_key)
            .finish_non_exhaustive()
    }
}

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The private key string is not a signed-note Ed25519 key.
    #[error(
        "the log key is not a signed-note Ed25519 private key (PRIVATE+KEY+<name>+<id>+<base64>)"
    )]
    Malformed,
    /// The key was made for another origin.
    #[error("the log key is for origin {key:?} but EC_LOG_ORIGIN is {origin:?}")]
    Origin {
        /// The key's name.
        key: String,
        /// The configured origin.
        origin: String,
    },
    /// The origin cannot be a key name.
    #[error("the log origin {0:?} is empty or has spaces or '+'")]
    BadOrigin(String),
    /// Reading or writing the key file failed.
    #[error("cannot read or create the log key {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl LogKeys {
    /// Parses a signed-note private key string.
    pub fn from_private(skey: &str) -> Result<Self, KeyError> {
        let skey = skey.trim();
        let signer = StandardSigner::new(skey).map_err(|_| KeyError::Malformed)?;
        // The verifier key is derived from the seed: the string's last field is
        // base64(0x01 || 32-byte seed), which `StandardSigner::new` just validated.
        // (The base64 may itself contain '+': the fifth field is the rest of the string.)
        let encoded = skey.splitn(5, '+').nth(4).ok_or(KeyError::Malformed)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|_| KeyError::Malformed)?;
        let seed: [u8; 32] = bytes
            .get(1..)
            .and_then(|s| s.try_into().ok())
            .ok_or(KeyError::Malformed)?;
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key();
        let verifier_key = signed_note::new_ed25519_verifier_key(signer.name(), &public);
        Ok(Self {
            signer,
            verifier_key,
        })
    }

    /// A new random key named `origin`; returns the keys and the private key string.
    pub fn generate(origin: &str) -> Result<(Self, String), KeyError> {
        if !signed_note::is_key_name_valid(origin) {
            return Err(KeyError::BadOrigin(origin.into()));
        }
        let (skey, _) = signed_note::generate_key(&mut rand_core::OsRng, origin);
        Ok((Self::from_private(&skey)?, skey))
    }

    /// The key from `EC_LOG_KEY` (`configured`), else `<data_dir>/log.key`, created with
    /// `default_origin` (or `origin`, when set) if missing. `origin` (`EC_LOG_ORIGIN`), when
    /// set, must be the key's name.
    pub fn load(
        configured: Option<&str>,
        origin: Option<&str>,
        default_origin: &str,
        data_dir: &Path,
    ) -> Result<Self, KeyError> {
        let keys = match configured {
            Some(skey) => Self::from_private(skey)?,
            None => {
                Self::load_or_create(&data_dir.join(KEY_FILE), origin.unwrap_or(default_origin))?
            }
        };
        match origin {
            Some(origin) if origin != keys.origin() => Err(KeyError::Origin {
                key: keys.origin().into(),
                origin: origin.into(),
            }),
            _ => Ok(keys),
        }
    }

    /// Reads `path`, or creates it with a new key named `origin`. Several processes may
    /// start at once: the key is written to a file of its own and then linked into place,
    /// which fails if another process linked first (whose key is then read).
    fn load_or_create(path: &Path, origin: &str) -> Result<Self, KeyError> {
        let file_error = |source| KeyError::File {
            path: path.to_owned(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(skey) => return Self::from_private(&skey),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(file_error(err)),
        }
        let (keys, skey) = Self::generate(origin)?;
        let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
        let written = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(format!("{skey}\n").as_bytes())?;
            file.sync_all()
        })();
        let linked = written.and_then(|()| std::fs::hard_link(&tmp, path));
        std::fs::remove_file(&tmp).ok();
        match linked {
            Ok(()) => Ok(keys),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                let skey = std::fs::read_to_string(path).map_err(file_error)?;
                Self::from_private(&skey)
            }
            Err(err) => Err(file_error(err)),
        }
    }

    /// The log's origin: the key's name, the first line of every checkpoint.
    pub fn origin(&self) -> &str {
        self.signer.name()
    }

    /// The signed-note verifier key string (`<origin>+<id>+<base64>`), served at `/log/key`.
    pub fn verifier_key(&self) -> &str {
        &self.verifier_key
    }

    /// The signer, for `signed_note::Note::add_sigs`.
    pub fn signer(&self) -> &StandardSigner {
        &self.signer
    }
}

/// The default origin: the public URL without its scheme and trailing slash, plus `/log`.
pub fn default_origin(public_url: &str) -> String {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest);
    format!("{}/log", rest.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use signed_note::{Note, StandardVerifier, VerifierList};

    use super::*;

    #[test]
    fn a_created_key_is_kept_and_its_verifier_checks_its_notes() {
        let dir = tempfile::tempdir().unwrap();
        let first = LogKeys::load(None, None, "example.com/log", dir.path()).unwrap();
        let again = LogKeys::load(None, None, "other.example/log", dir.path()).unwrap();
        assert_eq!(first.verifier_key(), again.verifier_key());
        assert_eq!(again.origin(), "example.com/log");
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );

        let mut note = Note::new(b"example.com/log\n1\nAAAA\n", &[]).unwrap();
        note.add_sigs(&[again.signer()]).unwrap();
        let verifier = StandardVerifier::new(first.verifier_key()).unwrap();
        note.verify(&VerifierList::new(vec![Box::new(verifier)]))
            .unwrap();

        let clash = LogKeys::load(None, Some("elsewhere/log"), "x/log", dir.path());
        assert!(matches!(clash, Err(KeyError::Origin { .. })));
    }

    #[test]
    fn a_configured_key_is_used_as_given() {
        // Keys whose base64 has '+' in it too (most of them, over 64 draws).
        for _ in 0..64 {
            let (keys, skey) = LogKeys::generate("log.example").unwrap();
            assert_eq!(
                LogKeys::from_private(&skey).unwrap().verifier_key(),
                keys.verifier_key()
            );
        }
        let (keys, skey) = LogKeys::generate("log.example").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let loaded = LogKeys::load(Some(&skey), None, "ignored/log", dir.path()).unwrap();
        assert_eq!(loaded.verifier_key(), keys.verifier_key());
        assert!(!dir.path().join(KEY_FILE).exists());
        assert!(LogKeys::from_private("PRIVATE+KEY+x+00000000+AAAA").is_err());
    }

    #[test]
    fn the_default_origin_is_the_public_url_without_scheme() {
        assert_eq!(
            default_origin("http://127.0.0.1:8080/"),
            "127.0.0.1:8080/log"
        );
        assert_eq!(default_origin("https://ec.example"), "ec.example/log");
    }
}
