//! A source's category rules and keyword filters as an editor types them in the desk: one
//! per line. [`section_rules_from_text`] and [`keywords_from_text`] read the text back with
//! an error that names the line and says what to write; the `*_to_text` functions give the
//! text a form shows.

use crate::SectionRule;
use masthead_core::Slug;

/// At most this many category rules, and this many keywords in each filter.
pub const MAX_LINES: usize = 200;
/// At most this many characters in a category or keyword.
pub const MAX_LINE_CHARS: usize = 100;

/// The rules as lines "Category = section-slug".
pub fn section_rules_to_text(rules: &[SectionRule]) -> String {
    rules
        .iter()
        .map(|r| format!("{} = {}", r.category, r.section.as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads lines "Category = section-slug" (blank lines skipped). The category is everything
/// before the last `=`, so a category may hold one; `known` are the site's section slugs.
pub fn section_rules_from_text(text: &str, known: &[String]) -> Result<Vec<SectionRule>, String> {
    let mut rules = Vec::new();
    for (n, line) in lines(text)? {
        let Some((category, section)) = line.rsplit_once('=') else {
            return Err(format!(
                "line {n} ({line:?}) has no \"=\": write the feed's category, \"=\", and a \
                 section, e.g. \"Politics = government\""
            ));
        };
        let (category, section) = (category.trim(), section.trim());
        if category.is_empty() {
            return Err(format!(
                "line {n} ({line:?}) has no category before the \"=\""
            ));
        }
        if category.chars().count() > MAX_LINE_CHARS {
            return Err(format!(
                "line {n}: the category is longer than {MAX_LINE_CHARS} characters"
            ));
        }
        let slug = Slug::parse(section)
            .ok()
            .filter(|s| known.iter().any(|k| k == s.as_str()));
        let Some(section) = slug else {
            return Err(format!(
                "line {n}: there is no section {section:?}; the sections are: {}",
                known.join(", ")
            ));
        };
        rules.push(SectionRule {
            category: category.to_owned(),
            section,
        });
    }
    Ok(rules)
}

/// The keywords, one a line.
pub fn keywords_to_text(keywords: &[String]) -> String {
    keywords.join("\n")
}

/// Reads keywords or phrases, one a line (blank lines skipped, duplicates kept once).
pub fn keywords_from_text(text: &str) -> Result<Vec<String>, String> {
    let mut keywords: Vec<String> = Vec::new();
    for (n, line) in lines(text)? {
        if line.chars().count() > MAX_LINE_CHARS {
            return Err(format!(
                "line {n}: a keyword longer than {MAX_LINE_CHARS} characters; shorten it"
            ));
        }
        if !line.chars().any(char::is_alphanumeric) {
            return Err(format!(
                "line {n} ({line:?}) has no letters or digits; keywords match whole words"
            ));
        }
        if !keywords
            .iter()
            .any(|k| k.to_lowercase() == line.to_lowercase())
        {
            keywords.push(line.to_owned());
        }
    }
    Ok(keywords)
}

/// The text's non-blank lines, trimmed, numbered from 1; at most [`MAX_LINES`].
fn lines(text: &str) -> Result<Vec<(usize, &str)>, String> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    if lines.len() > MAX_LINES {
        return Err(format!(
            "{} lines is more than the {MAX_LINES} allowed",
            lines.len()
        ));
    }
    Ok(lines)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn known() -> Vec<String> {
        vec!["news".into(), "government".into()]
    }

    #[test]
    fn rules_read_back_what_they_show() {
        let rules = section_rules_from_text(
            "Politics = government\n\n  State & Local=news  \nA=B = news\n",
            &known(),
        )
        .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[1].category, "State & Local");
        assert_eq!(rules[2].category, "A=B", "the last = splits");
        let text = section_rules_to_text(&rules);
        assert_eq!(section_rules_from_text(&text, &known()).unwrap(), rules);
    }

    #[test]
    fn a_bad_rule_names_its_line_and_the_fix() {
        let e = section_rules_from_text("Politics = government\nSports", &known()).unwrap_err();
        assert!(e.starts_with("line 2") && e.contains("e.g."), "{e}");
        let e = section_rules_from_text("Sports = sport", &known()).unwrap_err();
        assert!(
            e.contains("no section \"sport\"") && e.contains("news, government"),
            "{e}"
        );
        let e = section_rules_from_text(" = news", &known()).unwrap_err();
        assert!(e.contains("no category"), "{e}");
        let many = "a = news\n".repeat(MAX_LINES + 1);
        assert!(section_rules_from_text(&many, &known()).is_err());
    }

    #[test]
    fn keywords_are_lines_kept_once() {
        let k = keywords_from_text("school board\n\nCouncil\ncouncil\n").unwrap();
        assert_eq!(k, vec!["school board".to_owned(), "Council".to_owned()]);
        assert_eq!(keywords_from_text(&keywords_to_text(&k)).unwrap(), k);
        assert!(keywords_from_text("--").unwrap_err().starts_with("line 1"));
        assert!(keywords_from_text(&"x".repeat(MAX_LINE_CHARS + 1)).is_err());
    }
}
