//! Display names and subjects made safe for a mail header.
//!
//! lettre panics when a `Mailbox` display name holds a CR or LF ("a Display implementation
//! returned an error unexpectedly", checked in the research notes), and a reader's name comes
//! from a web form. Everything that goes into a display name or a subject passes through
//! [`clean_display_name`] first.

/// The longest display name or subject we write, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Drops control characters (CR, LF, tab and everything `char::is_control`), collapses runs of
/// whitespace to one space, trims, and cuts the result at [`MAX_NAME_CHARS`] characters (on a
/// character boundary, never inside one).
pub fn clean_display_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_NAME_CHARS * 4));
    let mut chars = 0;
    let mut pending_space = false;
    // Control characters become whitespace so that "a\r\nb" reads "a b", not "ab".
    for c in s.chars().map(|c| if c.is_control() { ' ' } else { c }) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if chars + needed > MAX_NAME_CHARS {
            break;
        }
        if pending_space {
            out.push(' ');
            chars += 1;
            pending_space = false;
        }
        out.push(c);
        chars += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_go_and_whitespace_collapses() {
        assert_eq!(
            clean_display_name("  Ann\r\nBcc: x@evil.test  "),
            "Ann Bcc: x@evil.test"
        );
        assert_eq!(clean_display_name("a\u{7}b\t\tc\u{85}d"), "a b c d");
        assert_eq!(clean_display_name("\r\n\t "), "");
    }

    #[test]
    fn capped_on_a_character_boundary() {
        let long = "é".repeat(150);
        let cut = clean_display_name(&long);
        assert_eq!(cut.chars().count(), MAX_NAME_CHARS);
        assert!(cut.chars().all(|c| c == 'é'));
        let words = "ab ".repeat(60);
        let cut = clean_display_name(&words);
        assert!(cut.chars().count() <= MAX_NAME_CHARS);
        assert!(!cut.ends_with(' '));
    }
}
