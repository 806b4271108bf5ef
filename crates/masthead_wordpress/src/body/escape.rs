//! Markdown's escaping: text that must stay text, addresses that must stay one destination,
//! code that must stay code. Used by the writer ([`super::markdown`]) and by
//! [`super::rewrite_images`] for the addresses it writes.

/// Stands for a hard line break inside a paragraph until the paragraph is laid out.
pub(super) const BREAK: char = '\u{E004}';

pub(super) fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Inline code, its fence longer than any run of backticks inside.
pub(super) fn code_span(text: &str, in_table: bool) -> String {
    if text.trim().is_empty() {
        return text.to_owned();
    }
    let text = if in_table {
        text.replace('|', "\\|")
    } else {
        text.to_owned()
    };
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' '));
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A link or image address as a Markdown destination.
pub(super) fn destination(url: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            '|' if in_table => out.push_str("%7C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    if out.contains(['(', ')']) {
        format!("<{out}>")
    } else {
        out
    }
}

/// Leading and trailing spaces apart from what they surround.
pub(super) fn split_spaces(text: &str) -> (&str, &str, &str) {
    let body = text.trim_matches([' ', BREAK]);
    let start = text.len() - text.trim_start_matches([' ', BREAK]).len();
    (&text[..start], body, &text[start + body.len()..])
}

/// HTML's white space collapsed to single spaces (no-break spaces kept).
pub(super) fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// Spaces collapsed and trimmed.
pub(super) fn collapse(text: &str) -> String {
    collapse_spaces(text).trim_matches(' ').to_owned()
}

/// Text escaped so Markdown reads it as text.
pub(super) fn push_escaped(out: &mut String, text: &str) {
    let text = collapse_spaces(text);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' | '|' => out.push('\\'),
            '_' => {
                let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
                let prev = if i == 0 { None } else { chars.get(i - 1) };
                if !(word(prev) && word(chars.get(i + 1))) {
                    out.push('\\');
                }
            }
            '&' if looks_like_reference(&chars[i + 1..]) => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
}

/// `&name;` or `&#123;` ahead: CommonMark would read it as a character.
fn looks_like_reference(rest: &[char]) -> bool {
    let body: Vec<&char> = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .take(32)
        .collect();
    !body.is_empty() && rest.get(body.len()) == Some(&';')
}

/// A line of text that would start a block (`#`, `>`, a list marker, a setext underline)
/// escaped so it stays text.
pub(super) fn escape_line_start(line: &str) -> String {
    let first = line.chars().next();
    match first {
        Some('#' | '>' | '-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].chars().next() {
                Some('.' | ')') if digits <= 9 => {
                    format!("{}\\{}", &line[..digits], &line[digits..])
                }
                _ => line.to_owned(),
            }
        }
        _ => line.to_owned(),
    }
}
