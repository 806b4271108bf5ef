//! What [`super::extract::ApiJson`] checks in a JSON body beyond its shape: whole numbers
//! written with a fraction, and the NUL character.
//!
//! Both look at the body again only when they may apply (the typed parse failed on a data
//! error, or the text holds the escape `\u0000`), so an ordinary body is parsed once.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Floats up to this magnitude spell their integer exactly.
const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53

/// The body parsed as `T` after whole floats (`3.0`, `-1e2`) became integers, when there was
/// one to convert and the body then fits; `None` otherwise (the first error stands).
///
/// JSON Schema's `integer` is any number without a fraction, so `{"version": 3.0}` is valid
/// against the document; serde takes only `3` for an `i64`. No field of ours takes a float,
/// so converting every whole float in the body changes nothing a float field would mean.
pub(crate) fn with_whole_numbers<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let mut value: Value = serde_json::from_slice(body).ok()?;
    if !whole_floats_to_integers(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Replaces each whole float in `value` by its integer; whether there was one.
fn whole_floats_to_integers(value: &mut Value) -> bool {
    match value {
        Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                // Exact: |f| <= 2^53 and it has no fraction.
                *value = Value::from(f as i64);
                true
            }
            _ => false,
        },
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            whole_floats_to_integers(item) | changed
        }),
        Value::Object(fields) => fields.values_mut().fold(false, |changed, item| {
            whole_floats_to_integers(item) | changed
        }),
        _ => false,
    }
}

/// The path of the first text in the body (a value or a key) that holds the NUL character,
/// as `title` or `items[0].headline`. PostgreSQL cannot store NUL in text, and no text we
/// keep needs it, so it is refused on both databases alike.
pub(crate) fn field_with_nul(body: &[u8]) -> Option<String> {
    // JSON can only carry NUL escaped; without the escape there is none.
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    find_nul(&value, String::new())
}

fn find_nul(value: &Value, path: String) -> Option<String> {
    let label = |path: String| {
        if path.is_empty() {
            "Body".to_owned()
        } else {
            path
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(label(path)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| find_nul(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = if path.is_empty() {
                key.replace('\0', "\\u0000")
            } else {
                format!("{path}.{}", key.replace('\0', "\\u0000"))
            };
            if key.contains('\0') {
                Some(here)
            } else {
                find_nul(item, here)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Input {
        version: i64,
        #[serde(default)]
        ids: Vec<i64>,
        #[serde(default)]
        title: String,
    }

    #[test]
    fn whole_floats_become_integers_and_nothing_else_does() {
        let parsed: Option<Input> = with_whole_numbers(br#"{"version": 3.0, "ids": [1, -2e1]}"#);
        assert_eq!(
            parsed,
            Some(Input {
                version: 3,
                ids: vec![1, -20],
                title: String::new()
            })
        );
        for refused in [
            &br#"{"version": 3.5}"#[..],
            br#"{"version": 1e300}"#,
            br#"{"version": 3}"#,
            br#"{"version": "3"}"#,
            br#"{"version": 3.0, "title": 4.0}"#,
            b"{",
        ] {
            assert_eq!(
                with_whole_numbers::<Input>(refused),
                None,
                "{}",
                String::from_utf8_lossy(refused)
            );
        }
    }

    #[test]
    fn nul_is_found_in_values_and_keys_with_its_path() {
        assert_eq!(
            field_with_nul(br#"{"title": "a\u0000b"}"#),
            Some("title".into())
        );
        assert_eq!(
            field_with_nul(br#"{"items": [{"headline": "ok"}, {"headline": "\u0000"}]}"#),
            Some("items[1].headline".into())
        );
        assert_eq!(
            field_with_nul(br#"{"a\u0000": 1}"#),
            Some("a\\u0000".into())
        );
        assert_eq!(field_with_nul(br#""\u0000""#), Some("Body".into()));
        // An escaped backslash before `u0000` is text, not NUL.
        assert_eq!(field_with_nul(br#"{"title": "C:\\u0000"}"#), None);
        assert_eq!(field_with_nul(br#"{"title": "plain"}"#), None);
    }
}
