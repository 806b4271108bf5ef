//! Teaser excerpts: plain text cut at a word boundary with an ellipsis.

/// Returns `text` with whitespace collapsed, cut to at most `max_chars` characters at a word
/// boundary and ended with "…" when anything was cut.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let mut words = text.split_whitespace();
    let mut out = String::new();
    let mut count = 0;
    let mut cut = false;
    for word in words.by_ref() {
        let len = word.chars().count();
        let needed = if out.is_empty() { len } else { len + 1 };
        if count + needed > max_chars {
            cut = true;
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        count += needed;
    }
    if out.is_empty() && cut {
        // One word longer than the limit: cut inside it rather than show nothing.
        out = text
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .chars()
            .take(max_chars)
            .collect();
    }
    if cut {
        let trimmed =
            out.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '?' && c != '!');
        let mut s = trimmed.to_owned();
        s.push('…');
        s
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("  The board met.\n ", 40), "The board met.");
    }

    #[test]
    fn long_text_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(
            excerpt("The village board met on Tuesday, voting late.", 30),
            "The village board met on…"
        );
        assert_eq!(
            excerpt("Mayor Zoë Brandt said, then left", 22),
            "Mayor Zoë Brandt said…"
        );
    }

    #[test]
    fn one_huge_word_is_cut_inside() {
        assert_eq!(excerpt("abcdefghij", 4), "abcd…");
    }

    #[test]
    fn never_longer_than_the_limit_plus_ellipsis() {
        let text = "lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod";
        for max in 1..80 {
            assert!(excerpt(text, max).chars().count() <= max + 1, "max {max}");
        }
    }
}
