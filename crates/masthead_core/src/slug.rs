//! URL slugs: the stable, human-readable last part of a permalink.

use crate::InvalidInput;
use serde::{Deserialize, Serialize};

/// The longest slug accepted, in bytes.
pub const MAX_SLUG_LEN: usize = 120;

/// A slug: 1 to 120 characters of lowercase ASCII letters, digits and single hyphens,
/// neither starting nor ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// Checks `s` and wraps it. The error says what a slug may contain.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let valid = !s.is_empty()
            && s.len() <= MAX_SLUG_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-')
            && !s.contains("--");
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidInput::new(
                "slug",
                format!(
                    "{s:?} is not a valid slug; use 1 to {MAX_SLUG_LEN} lowercase letters, \
                     digits and single hyphens, like \"village-board-meeting\""
                ),
            ))
        }
    }

    /// Derives a slug from a title: ASCII-folds common accented letters, lowercases, and
    /// joins the words with hyphens, cutting at a word boundary. A title with no letters or
    /// digits gives `"untitled"`.
    pub fn from_title(title: &str) -> Self {
        let mut out = String::with_capacity(title.len());
        for c in title.chars().flat_map(fold_char) {
            if c.is_ascii_alphanumeric() {
                if out.len() >= MAX_SLUG_LEN {
                    break;
                }
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        if out.len() > MAX_SLUG_LEN {
            out.truncate(MAX_SLUG_LEN);
            if let Some(cut) = out.rfind('-') {
                out.truncate(cut);
            }
        }
        let trimmed = out.trim_end_matches('-');
        if trimmed.is_empty() {
            Self("untitled".into())
        } else {
            Self(trimmed.to_owned())
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Maps common Latin letters with diacritics to their ASCII base so "José" becomes "jose".
fn fold_char(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        '&' => " and ",
        '\'' | '’' => "",
        _ => "",
    };
    let single = if folded.is_empty() && !matches!(c, '\'' | '’') {
        Some(c)
    } else {
        None
    };
    folded.chars().chain(single)
}

impl TryFrom<String> for Slug {
    type Error = InvalidInput;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> Self {
        s.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_simple_slugs_and_rejects_the_rest() {
        assert!(Slug::parse("board-approves-budget-2026").is_ok());
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "Upper",
            "sp ace",
            "ü",
            &"a".repeat(121),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn from_title_folds_accents_and_punctuation() {
        assert_eq!(
            Slug::from_title("José’s Café & Bakery opens!").as_str(),
            "joses-cafe-and-bakery-opens"
        );
        assert_eq!(
            Slug::from_title("Budget gap < $1 million").as_str(),
            "budget-gap-1-million"
        );
        assert_eq!(Slug::from_title("¿?").as_str(), "untitled");
    }

    #[test]
    fn from_title_always_gives_a_valid_slug() {
        let long = "word ".repeat(100);
        for title in [
            long.as_str(),
            "--a--",
            "A",
            "日本語 title",
            "x".repeat(300).as_str(),
        ] {
            let slug = Slug::from_title(title);
            assert!(
                Slug::parse(slug.as_str()).is_ok(),
                "{title:?} gave {slug:?}"
            );
        }
    }
}
