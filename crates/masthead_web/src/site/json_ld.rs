//! The writer of the pages' JSON-LD (see [`crate::site::structured`]): objects, arrays and
//! fields written in order into one string, then made safe for a `<script>` element.
//!
//! Why not `#[derive(Serialize)]` and serde_json, as before: on the article page that was a
//! tenth of a request's instructions (1.5 KB of JSON: serde_json tests every byte of every
//! key and value against its escape table, about ten instructions a byte, through a call per
//! key). Here the keys are our own constants, written as they are, and a value is copied
//! whole when one vectorised pass finds nothing in it to escape; any value that holds a
//! quote, a backslash, a control character, `<`, `>`, `&` or the first byte of U+2028/U+2029
//! is escaped by serde_json, so the escaping rules stay the well-kept crate's.

use std::fmt::Write as _;

/// JSON being written. Each value is placed after a comma unless it opens its object or array
/// or follows its key.
pub(crate) struct Ld {
    out: String,
    /// Nothing written yet in the current object or array, or a key just written.
    fresh: bool,
}

impl Ld {
    /// An empty writer with room for a typical article's graph.
    pub(crate) fn new() -> Self {
        Ld {
            out: String::with_capacity(2048),
            fresh: true,
        }
    }

    fn separate(&mut self) {
        if !self.fresh {
            self.out.push(',');
        }
        self.fresh = false;
    }

    /// `"key":`; `key` is one of ours and needs no escaping.
    fn key(&mut self, key: &'static str) {
        debug_assert!(!needs_escape(key), "{key}");
        self.separate();
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.fresh = true;
    }

    /// A string value: an element of the array being written, or the value of the key just
    /// written.
    pub(crate) fn string(&mut self, value: &str) {
        self.separate();
        if needs_escape(value) {
            // Serialising a string cannot fail; an empty string is the safe fallback.
            let quoted = serde_json::to_string(value).unwrap_or_else(|_| "\"\"".to_owned());
            self.out.push_str(&quoted);
        } else {
            self.out.push('"');
            self.out.push_str(value);
            self.out.push('"');
        }
    }

    /// `"key":"value"`.
    pub(crate) fn field(&mut self, key: &'static str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `"key":"value"` when there is a value; nothing otherwise.
    pub(crate) fn some(&mut self, key: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.field(key, value);
        }
    }

    /// `"key":n`.
    pub(crate) fn number(&mut self, key: &'static str, value: u32) {
        self.key(key);
        self.separate();
        // Writing to a `String` cannot fail.
        let _ = write!(self.out, "{value}");
    }

    /// `"key":true` or `false`.
    pub(crate) fn boolean(&mut self, key: &'static str, value: bool) {
        self.key(key);
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
    }

    /// Opens an object, under `key` or as the next element of an array, with its `@type`
    /// first when it has one.
    pub(crate) fn open(&mut self, key: Option<&'static str>, kind: Option<&'static str>) {
        if let Some(key) = key {
            self.key(key);
        }
        self.separate();
        self.out.push('{');
        self.fresh = true;
        if let Some(kind) = kind {
            self.field("@type", kind);
        }
    }

    /// Closes the object opened last.
    pub(crate) fn close(&mut self) {
        self.out.push('}');
        self.fresh = false;
    }

    /// Opens an array under `key`.
    pub(crate) fn open_array(&mut self, key: &'static str) {
        self.key(key);
        self.separate();
        self.out.push('[');
        self.fresh = true;
    }

    /// Closes the array opened last.
    pub(crate) fn close_array(&mut self) {
        self.out.push(']');
        self.fresh = false;
    }

    /// `"key":[…]` of strings, left out when there are none.
    pub(crate) fn strings<'s>(
        &mut self,
        key: &'static str,
        values: impl ExactSizeIterator<Item = &'s str>,
    ) {
        if values.len() == 0 {
            return;
        }
        self.open_array(key);
        for value in values {
            self.string(value);
        }
        self.close_array();
    }

    /// The JSON written, safe to place inside a `<script>` element (see [`script_safe`]).
    pub(crate) fn finish(self) -> String {
        script_safe(self.out)
    }
}

/// Whether `text` holds a byte JSON must escape (a quote, a backslash, a control character) or
/// one [`script_safe`] would (`<`, `>`, `&`, the lead byte 0xE2 of U+2028 and U+2029). One pass
/// over every byte with no early exit, which the compiler turns into vector instructions.
fn needs_escape(text: &str) -> bool {
    text.bytes().fold(false, |found, b| {
        found | (b < 0x20) | matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&' | 0xE2)
    })
}

/// Makes JSON safe to sit inside a `<script>` element: `<`, `>` and `&` become `\u003c`,
/// `\u003e` and `\u0026` (still the same JSON string to every parser), so `</script>` or
/// `<!--` in any field cannot end the element, and the line separators U+2028 and U+2029 are
/// escaped for older JavaScript parsers.
pub(crate) fn script_safe(json: String) -> String {
    // Most pages hold none of them, and then the text is already safe: looked for with
    // memchr's vectorised searches. A test of every byte, which took the slow path below on
    // any dash (0xE2), was half the JSON-LD's cost.
    let bytes = json.as_bytes();
    let separator = |s: char| memchr::memmem::find(bytes, s.encode_utf8(&mut [0; 3]).as_bytes());
    if memchr::memchr3(b'<', b'>', b'&', bytes).is_none()
        && separator('\u{2028}').is_none()
        && separator('\u{2029}').is_none()
    {
        return json;
    }
    // Copy the safe runs whole, escaping between them.
    let mut out = String::with_capacity(json.len() + 16);
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let separator = |last: u8| b == 0xE2 && bytes.get(i + 1..i + 3) == Some(&[0x80, last]);
        let (escape, len) = match b {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            _ if separator(0xA8) => ("\\u2028", 3),
            _ if separator(0xA9) => ("\\u2029", 3),
            _ => continue,
        };
        // `i` and `i + len` are character boundaries: the escaped characters are whole.
        out.push_str(&json[copied..i]);
        out.push_str(escape);
        copied = i + len;
    }
    out.push_str(&json[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nothing_in_a_field_can_close_the_script_element() {
        let text = "</script><script>alert(1)</script><!-- & \u{2028} a \u{2029}\u{2028}— café ‘x’";
        let mut ld = Ld::new();
        ld.open(None, None);
        ld.field("headline", text);
        ld.close();
        let out = ld.finish();
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        assert!(!out.contains('\u{2028}') && !out.contains('\u{2029}'));
        // Other characters that start with the same byte as the separators are kept as they are.
        assert!(out.contains("— café ‘x’"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back["headline"], text);
    }

    #[test]
    fn objects_arrays_and_fields_are_separated_as_json_requires() {
        let mut ld = Ld::new();
        ld.open(None, Some("Thing"));
        ld.some("missing", None);
        ld.number("position", 3);
        ld.strings("none", [].into_iter());
        ld.strings("words", ["a", "b\"c"].into_iter());
        ld.open_array("items");
        for name in ["x", "y"] {
            ld.open(None, Some("Item"));
            ld.field("name", name);
            ld.close();
        }
        ld.close_array();
        ld.open(Some("inner"), None);
        ld.boolean("free", true);
        ld.close();
        ld.close();
        let out = ld.finish();
        let expected = serde_json::json!({
            "@type": "Thing",
            "position": 3,
            "words": ["a", "b\"c"],
            "items": [{"@type": "Item", "name": "x"}, {"@type": "Item", "name": "y"}],
            "inner": {"free": true},
        });
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).ok(),
            Some(expected),
            "{out}"
        );
    }

    proptest! {
        /// Whatever a writer typed, a value reads back as itself, and is written exactly as
        /// serde_json writes it, made script-safe.
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in "(\\PC|[\"\\\\<>&\u{2028}\u{2029}\u{0}-\u{1f}])*") {
            let mut ld = Ld::new();
            ld.string(&text);
            let out = ld.finish();
            let reference = script_safe(serde_json::to_string(&text).unwrap_or_default());
            prop_assert_eq!(&out, &reference);
            prop_assert_eq!(serde_json::from_str::<String>(&out).ok(), Some(text));
        }
    }
}
