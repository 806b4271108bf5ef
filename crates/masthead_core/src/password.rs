//! Passwords: the rules a new password must meet, Argon2id hashing to a PHC string, and
//! verification that costs the same whether or not the account exists.
//!
//! A [`Password`] can only be made by [`Password::parse`], so holding one proves the rules
//! were checked. Verification takes any `&str`, because a login form must be able to try
//! a password that predates today's rules.

use std::fmt;
use std::sync::OnceLock;

use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher, PasswordVerifier, Version};
use zxcvbn::Score;

/// The fewest characters a new password may have.
pub const MIN_CHARS: usize = 12;
/// The most characters a password may have. The cap bounds the cost of strength
/// estimation and hashing for input an attacker controls.
pub const MAX_CHARS: usize = 256;
/// The most bytes (UTF-8) a password may have, checked alongside [`MAX_CHARS`].
pub const MAX_BYTES: usize = 1024;

/// The lowest zxcvbn score (0 to 4) a new password must reach: 3 means "safely
/// unguessable", about 10^10 guesses.
const MIN_SCORE: Score = Score::Three;

/// Stored hashes that ask for more than this are refused rather than verified: a damaged or
/// planted hash must not make one login allocate gigabytes. Far above the defaults
/// (19 MiB, 2 passes, 1 lane).
const MAX_VERIFY_M_COST_KIB: u32 = 256 * 1024;
const MAX_VERIFY_T_COST: u32 = 16;
const MAX_VERIFY_P_COST: u32 = 8;

/// Why a password was refused or could not be hashed. The messages are written for the
/// person choosing the password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Fewer than [`MIN_CHARS`] characters.
    #[error("Choose a password of at least {min} characters; this one has {actual}.")]
    TooShort {
        /// The minimum, [`MIN_CHARS`].
        min: usize,
        /// How many characters were given.
        actual: usize,
    },
    /// More than [`MAX_CHARS`] characters or [`MAX_BYTES`] bytes.
    #[error("Choose a password of at most {max} characters; a few uncommon words are plenty.")]
    TooLong {
        /// The maximum, [`MAX_CHARS`].
        max: usize,
    },
    /// Too easy to guess: a common password, a pattern, or built from the user's own details.
    #[error("This password is too easy to guess. {feedback}")]
    TooGuessable {
        /// What made it guessable and how to choose a better one.
        feedback: String,
    },
    /// Hashing failed (the operating system's random source, most likely). Not the user's
    /// fault.
    #[error("The password could not be stored; try again, and report the problem if it persists.")]
    Hash(#[source] argon2::password_hash::Error),
}

/// A password that meets masthead's rules: [`MIN_CHARS`]..=[`MAX_CHARS`] characters and
/// hard to guess. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks a new password from user input.
    ///
    /// `context` holds what an attacker would try first: the user's email, name, the site's
    /// name. A password built from them scores lower. The password is taken as typed (no
    /// trimming), since the user will type it the same way at login.
    pub fn parse(s: &str, context: &[&str]) -> Result<Password, PasswordError> {
        // Bytes first, so a megabyte pasted into the form is refused without a scan.
        if s.len() > MAX_BYTES {
            return Err(PasswordError::TooLong { max: MAX_CHARS });
        }
        let chars = s.chars().count();
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong { max: MAX_CHARS });
        }
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort {
                min: MIN_CHARS,
                actual: chars,
            });
        }
        let inputs = user_inputs(context);
        if made_of_user_details(s, &inputs) {
            return Err(PasswordError::TooGuessable {
                feedback: "It is made from your name, email address or the site's name, which \
                           is what an attacker tries first. Use a few uncommon words instead."
                    .to_owned(),
            });
        }
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let entropy = zxcvbn::zxcvbn(s, &inputs);
        if entropy.score() < MIN_SCORE {
            return Err(PasswordError::TooGuessable {
                feedback: feedback_text(entropy.feedback()),
            });
        }
        Ok(Password(s.to_owned()))
    }

    /// The password itself, for hashing. Never log or display it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The context strings and their parts: "jane.doe@example.org" also yields "jane", "doe",
/// "example", so "JaneDoe2024!" is recognised as built from the user's own details.
fn user_inputs(context: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for item in context {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        out.push(item.to_owned());
        let local = item.split('@').next().unwrap_or(item);
        if local != item {
            out.push(local.to_owned());
        }
        out.extend(
            item.split(|c: char| !c.is_alphanumeric())
                .filter(|part| part.chars().count() >= 3 && *part != item)
                .map(str::to_owned),
        );
    }
    out
}

/// Whether the password's letters, ignoring case, digits and symbols, are nothing but
/// words from the context ("JaneDoe2024!" for Jane Doe). zxcvbn scores such a password
/// by its length and lets some through at score 3, but a targeted attacker tries these
/// combinations before anything else.
fn made_of_user_details(password: &str, inputs: &[String]) -> bool {
    let letters: Vec<char> = password
        .chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect();
    if letters.is_empty() {
        return false;
    }
    let words: Vec<Vec<char>> = inputs
        .iter()
        .flat_map(|input| input.split(|c: char| !c.is_alphabetic()))
        .filter(|word| word.chars().count() >= 3)
        .map(|word| word.chars().flat_map(char::to_lowercase).collect())
        .collect();
    // reachable[i]: letters[..i] splits into context words.
    let mut reachable = vec![false; letters.len() + 1];
    reachable[0] = true;
    for i in 0..letters.len() {
        if !reachable[i] {
            continue;
        }
        for word in &words {
            if letters[i..].starts_with(word) {
                reachable[i + word.len()] = true;
            }
        }
    }
    reachable[letters.len()]
}

fn feedback_text(feedback: Option<&zxcvbn::feedback::Feedback>) -> String {
    let mut parts = Vec::new();
    if let Some(feedback) = feedback {
        if let Some(warning) = feedback.warning() {
            parts.push(warning.to_string());
        }
        parts.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    if parts.is_empty() {
        // zxcvbn gives no advice for some guessable inputs (long repeats of user details).
        parts.push("Use a few uncommon words, not details about you or this site.".to_owned());
    }
    parts.join(" ")
}

/// Hashes a password with Argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane) and a
/// fresh random salt, returning the PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) to
/// store.
pub fn hash_password(password: &Password) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(password.expose().as_bytes())
        .map(|hash| hash.to_string())
        .map_err(PasswordError::Hash)
}

/// Whether `candidate` matches the stored PHC string `phc`.
///
/// Any problem is a `false`, never a panic: a malformed or unsupported hash, a hash asking
/// for unreasonable cost, or a candidate longer than [`MAX_BYTES`]. The cost parameters
/// come from the stored hash, so hashes made with older parameters keep verifying.
pub fn verify_password(candidate: &str, phc: &str) -> bool {
    if candidate.len() > MAX_BYTES {
        return false;
    }
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_VERIFY_M_COST_KIB
        || params.t_cost() > MAX_VERIFY_T_COST
        || params.p_cost() > MAX_VERIFY_P_COST
    {
        return false;
    }
    Argon2::default()
        .verify_password(candidate.as_bytes(), &hash)
        .is_ok()
}

/// Working memory for one Argon2 computation with the default parameters (19 MiB), made once
/// and reused by [`verify_password_in`].
///
/// Why: each check otherwise allocates and frees 19 MiB, and glibc's allocator keeps freed
/// blocks resident in its per-thread arenas. A flood of 400 logins, two checks at a time,
/// left a server at 1.1 GB resident; with memory reused per slot it stays at the slots' size.
pub struct HashMemory(Vec<Block>);

impl HashMemory {
    /// Allocates the blocks for the default parameters.
    pub fn new() -> Self {
        Self(vec![Block::new(); Params::DEFAULT_M_COST as usize])
    }
}

impl Default for HashMemory {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for HashMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashMemory({} KiB)", self.0.len())
    }
}

/// [`verify_password`] computing in `memory` (when the stored hash's parameters fit in it;
/// a hash asking for more allocates for that check alone).
pub fn verify_password_in(candidate: &str, phc: &str, memory: &mut HashMemory) -> bool {
    if candidate.len() > MAX_BYTES {
        return false;
    }
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    if params.m_cost() > MAX_VERIFY_M_COST_KIB
        || params.t_cost() > MAX_VERIFY_T_COST
        || params.p_cost() > MAX_VERIFY_P_COST
    {
        return false;
    }
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let computed = match memory.0.get_mut(..blocks) {
        Some(memory) => {
            argon2.hash_password_into_with_memory(candidate.as_bytes(), salt, &mut out, memory)
        }
        None => argon2.hash_password_into(candidate.as_bytes(), salt, &mut out),
    };
    // `Output`'s comparison is constant-time.
    computed.is_ok() && Output::new(&out).is_ok_and(|out| &out == expected)
}

/// [`dummy_verify`] computing in `memory`.
pub fn dummy_verify_in(candidate: &str, memory: &mut HashMemory) -> bool {
    if let Some(phc) = dummy_hash() {
        let _ = verify_password_in(candidate, phc, memory);
    }
    false
}

/// Spends the time of a real [`verify_password`] against a fixed hash with the default
/// parameters, and returns `false`.
///
/// Call it when a login names an unknown account, so that the answer takes as long as a
/// wrong password for a real one and timing does not reveal which accounts exist. The
/// fixed hash is computed on first use; call this once at startup so the first unknown
/// login is not slower than the rest.
pub fn dummy_verify(candidate: &str) -> bool {
    if let Some(phc) = dummy_hash() {
        let _ = verify_password(candidate, phc);
    }
    false
}

fn dummy_hash() -> Option<&'static str> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            // A fixed salt keeps this free of the random source, so it cannot fail for that
            // reason; the hash protects nothing, it only has to cost what a real one costs.
            Argon2::default()
                .hash_password_with_salt(b"masthead dummy password", b"masthead-dummy-salt")
                .ok()
                .map(|hash| hash.to_string())
        })
        .as_deref()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Instant;

    const GOOD: &str = "correct horse battery staple";

    #[test]
    fn accepts_a_long_uncommon_passphrase() {
        let p = Password::parse(GOOD, &["jane@example.org"]).unwrap();
        assert_eq!(p.expose(), GOOD);
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
    }

    #[test]
    fn refuses_short_passwords_counting_characters_not_bytes() {
        let err = Password::parse("éééééééééé", &[]).unwrap_err();
        assert!(matches!(
            err,
            PasswordError::TooShort {
                min: 12,
                actual: 10
            }
        ));
        assert!(err.to_string().contains("at least 12 characters"));
    }

    #[test]
    fn refuses_long_passwords_by_chars_and_by_bytes() {
        let chars = "a".repeat(MAX_CHARS + 1);
        assert!(matches!(
            Password::parse(&chars, &[]),
            Err(PasswordError::TooLong { .. })
        ));
        let bytes = "a".repeat(MAX_BYTES + 1);
        assert!(matches!(
            Password::parse(&bytes, &[]),
            Err(PasswordError::TooLong { .. })
        ));
        // Valid UTF-8 has at most 4 bytes a character, so the character cap is the one
        // that bites: 256 four-byte characters are exactly 1024 bytes, and allowed.
        let widest: String = "😀🎉🦀🌍".chars().cycle().take(MAX_CHARS).collect();
        assert_eq!(widest.len(), MAX_BYTES);
        assert!(!matches!(
            Password::parse(&widest, &[]),
            Err(PasswordError::TooLong { .. })
        ));
    }

    #[test]
    fn refuses_common_passwords_with_advice() {
        for common in [
            "password1234",
            "qwertyuiop123",
            "iloveyou2024",
            "aaaaaaaaaaaa",
        ] {
            let err = Password::parse(common, &[]).unwrap_err();
            let PasswordError::TooGuessable { feedback } = &err else {
                panic!("{common}: {err:?}");
            };
            assert!(!feedback.is_empty(), "{common}");
        }
        let msg = Password::parse("password1234", &[])
            .unwrap_err()
            .to_string();
        assert!(
            msg.starts_with("This password is too easy to guess."),
            "{msg}"
        );
    }

    #[test]
    fn refuses_passwords_built_from_the_users_details() {
        let context = [
            "margaret.okonkwo@riverdale-gazette.org",
            "Margaret Okonkwo",
            "Riverdale Gazette",
        ];
        for weak in [
            "MargaretOkonkwo1",
            "okonkwo.margaret",
            "RiverdaleGazette2024!",
            "margaret@riverdale",
        ] {
            assert!(
                Password::parse(weak, &[]).is_ok(),
                "{weak} is fine for someone else"
            );
            let err = Password::parse(weak, &context).unwrap_err();
            assert!(
                err.to_string().contains("your name, email address"),
                "{weak}: {err}"
            );
        }
        // A context word inside a longer phrase is fine.
        assert!(Password::parse("margaret likes quiet river mornings", &context).is_ok());
    }

    #[test]
    fn context_is_split_into_the_words_an_attacker_would_try() {
        let inputs = user_inputs(&["jane.doe@example.org", " ", "Jane Doe", "Riverdale Gazette"]);
        for expected in [
            "jane.doe@example.org",
            "jane.doe",
            "jane",
            "doe",
            "example",
            "Jane",
        ] {
            assert!(
                inputs.iter().any(|i| i == expected),
                "{expected}: {inputs:?}"
            );
        }
        // zxcvbn is given them too: this scores 3 alone and 1 with the context.
        let words: Vec<&str> = inputs.iter().map(String::as_str).collect();
        assert!(zxcvbn::zxcvbn("riverdalegazette", &[]).score() >= MIN_SCORE);
        assert!(zxcvbn::zxcvbn("riverdalegazette", &words).score() < MIN_SCORE);
    }

    #[test]
    fn strength_check_of_the_longest_password_is_quick() {
        let long: String = GOOD.chars().cycle().take(MAX_CHARS).collect();
        let start = Instant::now();
        let _ = Password::parse(
            &long,
            &["jane@example.org", "Jane Doe", "Riverdale Gazette"],
        );
        let elapsed = start.elapsed();
        eprintln!("zxcvbn on {MAX_CHARS} chars: {elapsed:?}");
        assert!(elapsed.as_secs() < 5, "{elapsed:?}");
    }

    #[test]
    fn hash_then_verify_round_trips() {
        let p = Password::parse(GOOD, &[]).unwrap();
        let start = Instant::now();
        let phc = hash_password(&p).unwrap();
        let hashed = start.elapsed();
        let start = Instant::now();
        assert!(verify_password(GOOD, &phc));
        let verified = start.elapsed();
        eprintln!("argon2id hash {hashed:?}, verify {verified:?}");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(!verify_password("correct horse battery stapler", &phc));
        // A fresh salt each time.
        assert_ne!(phc, hash_password(&p).unwrap());
    }

    #[test]
    fn malformed_or_hostile_hashes_are_false_not_panics() {
        for phc in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$!!!",
            "$bcrypt$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            // 4 GiB of memory asked for: refused before any allocation.
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(!verify_password(GOOD, phc), "{phc}");
        }
    }

    #[test]
    fn overlong_candidates_are_refused() {
        let p = Password::parse(GOOD, &[]).unwrap();
        let phc = hash_password(&p).unwrap();
        let long = format!("{GOOD}{}", "x".repeat(MAX_BYTES));
        assert!(!verify_password(&long, &phc));
    }

    #[test]
    fn verifying_in_reused_memory_agrees_with_the_library() {
        let phc = hash_password(&Password::parse(GOOD, &[]).unwrap()).unwrap();
        let mut memory = HashMemory::new();
        for _ in 0..2 {
            assert!(verify_password_in(GOOD, &phc, &mut memory));
            assert!(!verify_password_in(
                "wrong password here",
                &phc,
                &mut memory
            ));
        }
        assert!(!verify_password_in(GOOD, "not a hash", &mut memory));
        assert!(!dummy_verify_in(GOOD, &mut memory));
        // A hash with other parameters (more memory than the default) still verifies.
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(GOOD.as_bytes())
        .unwrap()
        .to_string();
        assert!(verify_password_in(GOOD, &bigger, &mut memory));
        assert!(verify_password(GOOD, &bigger));
        assert!(!verify_password_in(
            "wrong password here",
            &bigger,
            &mut memory
        ));
    }

    #[test]
    fn dummy_verify_is_false_and_costs_about_a_real_verify() {
        let phc = hash_password(&Password::parse(GOOD, &[]).unwrap()).unwrap();
        assert!(!dummy_verify(GOOD)); // warms up the fixed hash
        assert!(dummy_hash().is_some_and(|h| h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")));

        let runs = 3;
        let start = Instant::now();
        for _ in 0..runs {
            assert!(!verify_password("wrong password here", &phc));
        }
        let real = start.elapsed();
        let start = Instant::now();
        for _ in 0..runs {
            assert!(!dummy_verify("wrong password here"));
        }
        let dummy = start.elapsed();
        eprintln!("{runs} wrong-password verifies {real:?}, {runs} dummy verifies {dummy:?}");
        // Same work; allow generous noise from a busy test machine.
        let ratio = dummy.as_secs_f64() / real.as_secs_f64();
        assert!((0.25..4.0).contains(&ratio), "ratio {ratio}");
    }
}
