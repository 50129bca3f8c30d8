//! Lead fingerprints: finding and checking a CDR by the consumer's email or phone without
//! storing either.
//!
//! Owns three rules:
//! - **Which fields hold a lead** ([`values_in`]): `<input>` elements of the snapshot with
//!   `type=email` or an `autocomplete` field name of `email` (an email), or `type=tel` or
//!   an `autocomplete` field name of `tel`, `tel-national` or `tel-local` (a phone). The
//!   value is the `value` attribute, where the SDK writes the field's live value. Fields
//!   the SDK never reads — under `data-ec-mask`, passwords, hidden inputs, payment cards —
//!   have no value in the snapshot, so **masked values cannot be fingerprinted**: a CDR
//!   whose email field was masked answers `null` for email, and search cannot find it by
//!   email. Fields inside iframes (kept in their `srcdoc`) are not read.
//! - **Normalization** ([`normalize_email`], [`normalize_phone`]): an email is trimmed and
//!   lower-cased and must be an address (`email_address`, no display name, no domain
//!   literal, a dot in the domain); a phone is parsed by `phonenumber` (Google's
//!   libphonenumber metadata, maintained, the standard for this job) in the configured
//!   default region (`EC_PHONE_REGION`, default `US`) unless it has a country code, must be
//!   a valid number, and is written in E.164 (`+15552018890`). So `(555) 201-8890`,
//!   `555.201.8890` and `+1 555 201 8890` are one number.
//! - **The fingerprint** ([`Matcher`]): hex HMAC-SHA256 under the server's match key of
//!   `email:<normalized>` or `phone:<e164>`. Only fingerprints are stored (`cdr_leads`).
//!   Phone numbers are few enough to try them all, so the key is what protects them: it
//!   lives outside the database, in `EC_MATCH_KEY` (hex or base64, at least 32 bytes) or
//!   else in `<data_dir>/match.key` (32 random bytes, hex, mode 0600, created once). Every
//!   process on the same data must use the same key — on PostgreSQL with several hosts,
//!   set `EC_MATCH_KEY` identically everywhere; a different key finds nothing (it never
//!   finds a wrong CDR). Changing the key makes existing fingerprints unfindable.

use std::io::Write as _;
use std::path::Path;

use base64::Engine as _;
use email_address::{EmailAddress, Options};
use expressconsent_protocol::LeadMatch;
use hmac::{Hmac, Mac as _};
use phonenumber::country::Id as Region;
use scraper::{Html, Selector};
use sha2::Sha256;

use crate::db::listing::lead_fingerprints;
use crate::db::Db;

/// The answer of [`match_cdr`]: per kind, `None` when not asked or when the CDR has no
/// value of that kind.
pub type MatchResult = LeadMatch;

/// Longest email accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest phone spelling accepted; real numbers with formatting are far shorter.
pub const MAX_PHONE_CHARS: usize = 64;
/// At most this many lead values are read from one snapshot.
pub const MAX_VALUES_PER_CDR: usize = 20;

/// The two kinds of lead value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LeadKind {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
}

impl LeadKind {
    /// The stored spelling (`cdr_leads.kind`) and the fingerprint's prefix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
        }
    }
}

/// A raw value found in a snapshot's form field; never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadValue {
    /// Which kind of field held it.
    pub kind: LeadKind,
    /// The value as the field held it.
    pub value: String,
}

/// A stored fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Lead {
    /// Its kind.
    pub kind: LeadKind,
    /// Hex HMAC-SHA256.
    pub fingerprint: String,
}

/// Why a value cannot be fingerprinted; the message is fit for a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeadError {
    /// Not an email address.
    #[error("email is not an email address (like name@example.com)")]
    InvalidEmail,
    /// Not a valid phone number: why, and the default region it was read in.
    #[error("phone is not a valid phone number ({0}); give it with its country code, like +1 555 201 8890, or as a number of the server's default region {1}")]
    InvalidPhone(&'static str, String),
}

/// Why the match key or region could not be set up (start-up errors).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// `EC_MATCH_KEY` is not hex or base64 of at least 32 bytes.
    #[error("EC_MATCH_KEY must be hex or base64 of at least 32 bytes")]
    BadKey,
    /// `<data_dir>/match.key` could not be read or created.
    #[error("cannot read or create the match key {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `EC_PHONE_REGION` is not a two-letter region code.
    #[error("EC_PHONE_REGION {0:?} is not a region code like US or GB")]
    BadRegion(String),
}

/// The match key and the default phone region: turns lead values into fingerprints.
#[derive(Clone)]
pub struct Matcher {
    key: Vec<u8>,
    region: Region,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Matcher")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Smallest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

impl Matcher {
    /// A matcher with this key (at least [`MIN_KEY_BYTES`]) and default region (`US`,
    /// `GB`…).
    pub fn new(key: &[u8], region: &str) -> Result<Self, KeyError> {
        if key.len() < MIN_KEY_BYTES {
            return Err(KeyError::BadKey);
        }
        let region = region
            .trim()
            .to_ascii_uppercase()
            .parse::<Region>()
            .map_err(|_| KeyError::BadRegion(region.to_owned()))?;
        Ok(Self {
            key: key.to_vec(),
            region,
        })
    }

    /// The server's matcher: the key from `env_key` (`EC_MATCH_KEY`) when given, else
    /// from `<data_dir>/match.key`, created with a random key the first time.
    pub fn load(env_key: Option<&str>, region: &str, data_dir: &Path) -> Result<Self, KeyError> {
        let key = match env_key.map(str::trim).filter(|k| !k.is_empty()) {
            Some(text) => decode_key(text).ok_or(KeyError::BadKey)?,
            None => key_file(&data_dir.join("match.key"))?,
        };
        Self::new(&key, region)
    }

    /// The default region's code, e.g. `US`.
    pub fn region(&self) -> &str {
        self.region.as_ref()
    }

    fn mac(&self, kind: LeadKind, normalized: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes a key of any length");
        mac.update(kind.as_str().as_bytes());
        mac.update(b":");
        mac.update(normalized.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The fingerprint of an email address.
    pub fn fingerprint_email(&self, email: &str) -> Result<String, LeadError> {
        Ok(self.mac(LeadKind::Email, &normalize_email(email)?))
    }

    /// The fingerprint of a phone number, read in the default region unless it has a
    /// country code.
    pub fn fingerprint_phone(&self, phone: &str) -> Result<String, LeadError> {
        let e164 = normalize_phone(phone, self.region)
            .map_err(|why| LeadError::InvalidPhone(why, self.region().to_owned()))?;
        Ok(self.mac(LeadKind::Phone, &e164))
    }

    /// The fingerprint of a value of `kind`.
    pub fn fingerprint(&self, kind: LeadKind, value: &str) -> Result<String, LeadError> {
        match kind {
            LeadKind::Email => self.fingerprint_email(value),
            LeadKind::Phone => self.fingerprint_phone(value),
        }
    }

    /// The distinct fingerprints of the values found in a snapshot, sorted; values that
    /// are not an address or a valid number are left out.
    pub fn fingerprints(&self, values: &[LeadValue]) -> Vec<Lead> {
        let mut leads: Vec<Lead> = values
            .iter()
            .filter_map(|v| {
                let fingerprint = self.fingerprint(v.kind, &v.value).ok()?;
                Some(Lead {
                    kind: v.kind,
                    fingerprint,
                })
            })
            .collect();
        leads.sort();
        leads.dedup();
        leads
    }
}

/// Hex first (a 64-character hex string is also valid base64, and means hex), then
/// standard or URL-safe base64, padded or not.
fn decode_key(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let key = hex::decode(text).ok().or_else(|| {
        [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
    })?;
    (key.len() >= MIN_KEY_BYTES).then_some(key)
}

/// Reads the key file, or creates it with 32 random bytes (hex). Created with
/// `create_new`, so two processes starting at once keep the first one's key.
fn key_file(path: &Path) -> Result<Vec<u8>, KeyError> {
    let file_err = |source| KeyError::File {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            let key: [u8; 32] = rand::random();
            file.write_all(hex::encode(key).as_bytes())
                .and_then(|()| file.write_all(b"\n"))
                .and_then(|()| file.sync_all())
                .map_err(file_err)?;
            Ok(key.to_vec())
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(file_err)?;
            decode_key(text.trim()).ok_or(KeyError::BadKey)
        }
        Err(err) => Err(file_err(err)),
    }
}

/// An email as it is fingerprinted: trimmed, lower-cased, and an address.
pub fn normalize_email(raw: &str) -> Result<String, LeadError> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() || email.chars().count() > MAX_EMAIL_CHARS {
        return Err(LeadError::InvalidEmail);
    }
    let options = Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    EmailAddress::parse_with_options(&email, options).map_err(|_| LeadError::InvalidEmail)?;
    Ok(email)
}

/// A phone number in E.164, read in `region` unless it starts with `+` (or an
/// international prefix). Only the characters people write numbers with are accepted
/// (digits, spaces, `+ - . ( ) /`, and `x`/`ext` for an extension, which is dropped).
/// `Err` says why not, in words.
pub fn normalize_phone(raw: &str, region: Region) -> Result<String, &'static str> {
    let invalid = |why| why;
    let text = raw.trim();
    if text.is_empty() {
        return Err(invalid("it is empty"));
    }
    if text.chars().count() > MAX_PHONE_CHARS {
        return Err(invalid("it is too long"));
    }
    let allowed = |c: char| {
        c.is_ascii_digit()
            || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')' | '/' | 'x' | 'X')
            || "ext".contains(c.to_ascii_lowercase())
    };
    if !text.chars().all(allowed) {
        return Err(invalid(
            "it holds characters other than digits and + - . ( ) /",
        ));
    }
    let number =
        phonenumber::parse(Some(region), text).map_err(|_| invalid("it cannot be read"))?;
    if !phonenumber::is_valid(&number) {
        return Err(invalid("no such number exists"));
    }
    Ok(number.format().mode(phonenumber::Mode::E164).to_string())
}

/// The lead values of a snapshot's form fields (see the module doc for which), in
/// document order, at most [`MAX_VALUES_PER_CDR`].
pub fn values_in(dom: &Html) -> Vec<LeadValue> {
    static INPUTS: std::sync::LazyLock<Selector> =
        std::sync::LazyLock::new(|| Selector::parse("input[value]").expect("a valid selector"));
    dom.select(&INPUTS)
        .filter_map(|input| {
            let element = input.value();
            let kind = field_kind(element.attr("type"), element.attr("autocomplete"))?;
            let value = element.attr("value")?.trim();
            (!value.is_empty()).then(|| LeadValue {
                kind,
                value: value.to_owned(),
            })
        })
        .take(MAX_VALUES_PER_CDR)
        .collect()
}

/// The kind of lead an input holds, from its `type` and `autocomplete` attributes.
pub fn field_kind(input_type: Option<&str>, autocomplete: Option<&str>) -> Option<LeadKind> {
    match input_type.map(|t| t.trim().to_ascii_lowercase()).as_deref() {
        Some("email") => return Some(LeadKind::Email),
        Some("tel") => return Some(LeadKind::Phone),
        Some("password" | "hidden" | "checkbox" | "radio" | "submit" | "button" | "file") => {
            return None
        }
        _ => {}
    }
    // The field name is the last token, before an optional `webauthn`; section and
    // `home`/`work`/`mobile` tokens come before it.
    let tokens = autocomplete?.to_ascii_lowercase();
    let name = tokens
        .split_ascii_whitespace()
        .rev()
        .find(|token| *token != "webauthn")?
        .to_owned();
    match name.as_str() {
        "email" => Some(LeadKind::Email),
        "tel" | "tel-national" | "tel-local" => Some(LeadKind::Phone),
        _ => None,
    }
}

/// Why [`match_cdr`] could not answer.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// A value given is not an email or phone number; the message is fit for a client.
    #[error(transparent)]
    Invalid(#[from] LeadError),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Whether CDR `cdr_id`'s form held `email` and `phone`. The caller has already checked
/// that the asking org has a relation to the CDR (any relation, `saved` included).
pub async fn match_cdr(
    db: &Db,
    matcher: &Matcher,
    cdr_id: &str,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<MatchResult, MatchError> {
    // Check both values before reading anything, so a bad one is always a 400.
    let email = email.map(|e| matcher.fingerprint_email(e)).transpose()?;
    let phone = phone.map(|p| matcher.fingerprint_phone(p)).transpose()?;
    if email.is_none() && phone.is_none() {
        return Ok(MatchResult::default());
    }
    let stored = lead_fingerprints(db, cdr_id).await?;
    let answer = |kind: LeadKind, asked: Option<String>| {
        let asked = asked?;
        let mut of_kind = stored.iter().filter(|lead| lead.kind == kind).peekable();
        of_kind.peek()?;
        Some(of_kind.any(|lead| lead.fingerprint == asked))
    };
    Ok(MatchResult {
        email: answer(LeadKind::Email, email),
        phone: answer(LeadKind::Phone, phone),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn matcher() -> Matcher {
        Matcher::new(&[7; 32], "US").unwrap()
    }

    #[test]
    fn spellings_of_one_email_are_one_fingerprint() {
        let m = matcher();
        let a = m.fingerprint_email("Jane.Doe@Example.COM").unwrap();
        assert_eq!(a, m.fingerprint_email("  jane.doe@example.com\n").unwrap());
        assert_ne!(a, m.fingerprint_email("jane.doe@example.org").unwrap());
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "Jane <jane@example.com>",
            "a@[127.0.0.1]",
            "a@localhost",
        ] {
            assert_eq!(
                m.fingerprint_email(bad),
                Err(LeadError::InvalidEmail),
                "{bad}"
            );
        }
    }

    #[test]
    fn spellings_of_one_phone_are_one_e164_number() {
        let m = matcher();
        let e164 = "+12015550123";
        for spelling in [
            "(201) 555-0123",
            "201.555.0123",
            "+1 201 555 0123",
            "2015550123",
            "1-201-555-0123",
        ] {
            assert_eq!(
                normalize_phone(spelling, Region::US).unwrap(),
                e164,
                "{spelling}"
            );
        }
        assert_eq!(
            m.fingerprint_phone("(201) 555-0123").unwrap(),
            m.fingerprint_phone("+1 201-555-0123").unwrap()
        );
        // The same digits in another region are another number.
        let gb = Matcher::new(&[7; 32], "gb").unwrap();
        assert_eq!(
            normalize_phone("020 7946 0018", Region::GB).unwrap(),
            "+442079460018"
        );
        assert!(gb.fingerprint_phone("+44 20 7946 0018").is_ok());
        for bad in [
            "",
            "12",
            "call me",
            "555-0123-555-0123-555-0123",
            "+999 1234",
        ] {
            assert!(m.fingerprint_phone(bad).is_err(), "{bad}");
        }
        let message = m.fingerprint_phone("12").unwrap_err().to_string();
        assert!(message.contains("US"), "{message}");
    }

    #[test]
    fn the_key_makes_the_fingerprint() {
        let other = Matcher::new(&[8; 32], "US").unwrap();
        assert_ne!(
            matcher().fingerprint_email("a@example.com").unwrap(),
            other.fingerprint_email("a@example.com").unwrap()
        );
        // The kind is part of what is hashed.
        assert_ne!(
            matcher().mac(LeadKind::Email, "x"),
            matcher().mac(LeadKind::Phone, "x")
        );
        assert!(Matcher::new(&[1; 31], "US").is_err());
        assert!(Matcher::new(&[1; 32], "XX1").is_err());
    }

    #[test]
    fn keys_are_hex_or_base64_of_32_bytes_or_more() {
        let hex_key = "ab".repeat(32);
        assert_eq!(decode_key(&hex_key).unwrap(), vec![0xab; 32]);
        let b64 = base64::engine::general_purpose::STANDARD.encode([9u8; 40]);
        assert_eq!(decode_key(&b64).unwrap(), vec![9; 40]);
        assert!(decode_key("abcd").is_none());
        assert!(decode_key("not a key at all!").is_none());
    }

    #[test]
    fn the_key_file_is_created_once_private_and_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let first = Matcher::load(None, "US", dir.path()).unwrap();
        let again = Matcher::load(None, "US", dir.path()).unwrap();
        assert_eq!(first.key, again.key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("match.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let env = Matcher::load(Some(&"cd".repeat(32)), "US", dir.path()).unwrap();
        assert_eq!(env.key, vec![0xcd; 32]);
        assert!(Matcher::load(Some("short"), "US", dir.path()).is_err());
    }

    #[test]
    fn lead_fields_are_found_by_type_and_autocomplete() {
        let dom = Html::parse_document(
            r#"<form>
            <input type="email" value=" Jane@Example.com ">
            <input type="text" autocomplete="section-a shipping email" value="b@example.com">
            <input type="tel" value="(201) 555-0123">
            <input autocomplete="home tel-national" value="2015550124">
            <input autocomplete="tel-country-code" value="1">
            <input type="text" name="first" value="Jane">
            <input type="email">
            <input type="hidden" autocomplete="email" value="h@example.com">
            </form>"#,
        );
        let values = values_in(&dom);
        let pairs: Vec<(LeadKind, &str)> =
            values.iter().map(|v| (v.kind, v.value.as_str())).collect();
        assert_eq!(
            pairs,
            [
                (LeadKind::Email, "Jane@Example.com"),
                (LeadKind::Email, "b@example.com"),
                (LeadKind::Phone, "(201) 555-0123"),
                (LeadKind::Phone, "2015550124"),
            ]
        );
        let leads = matcher().fingerprints(&values);
        assert_eq!(leads.len(), 4);
    }

    proptest! {
        #[test]
        fn any_text_never_panics(text in "\\PC{0,80}") {
            let m = matcher();
            let _ = m.fingerprint_email(&text);
            let _ = m.fingerprint_phone(&text);
        }

        #[test]
        fn any_phone_shaped_text_never_panics(text in "[0-9 +()./xXet-]{0,70}") {
            let _ = matcher().fingerprint_phone(&text);
        }

        #[test]
        fn case_and_spaces_never_change_an_email(local in "[a-z0-9._%+-]{1,20}", domain in "[a-z0-9-]{1,20}", upper in any::<bool>(), pad in "[ \t\n]{0,3}") {
            let local = local.trim_matches('.').replace("..", ".");
            prop_assume!(!local.is_empty());
            let email = format!("{local}@{domain}.com");
            let m = matcher();
            let plain = m.fingerprint_email(&email);
            prop_assume!(plain.is_ok());
            let spelled = if upper { email.to_uppercase() } else { email.clone() };
            prop_assert_eq!(plain.unwrap(), m.fingerprint_email(&format!("{pad}{spelled}{pad}")).unwrap());
        }

        #[test]
        fn spellings_of_a_number_agree_and_numbers_differ(exchange in 200u32..999, line in 0u32..10_000, other in 0u32..10_000) {
            prop_assume!(line != other);
            let m = matcher();
            let digits = format!("201{exchange:03}{line:04}");
            let Ok(plain) = m.fingerprint_phone(&digits) else { return Ok(()) };
            let formatted = format!("(201) {exchange:03}-{line:04}");
            let international = format!("+1 201 {exchange:03} {line:04}");
            prop_assert_eq!(&plain, &m.fingerprint_phone(&formatted).unwrap());
            prop_assert_eq!(&plain, &m.fingerprint_phone(&international).unwrap());
            if let Ok(different) = m.fingerprint_phone(&format!("201{exchange:03}{other:04}")) {
                prop_assert_ne!(plain, different);
            }
        }
    }
}
