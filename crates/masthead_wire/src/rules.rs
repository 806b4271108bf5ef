//! Per-source settings: how a wire's items are credited, filed and licensed. Serializable,
//! so the store can keep them as one JSON document per source; every field has a default,
//! so a document written before a field existed still reads.

use masthead_core::Slug;
use serde::{Deserialize, Serialize};

/// The default byline template: the site's own byline reads "By {author} | {wire}".
pub const DEFAULT_BYLINE_TEMPLATE: &str = "By {author} | {wire}";

/// Everything an editor sets for one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SourceRules {
    /// The wire's name as credited, e.g. "Prairie State News Service". Becomes the story's
    /// `source_name`.
    pub wire_name: String,
    /// How the byline reads, with `{author}` and `{wire}`. See [`crate::Credit`] for how
    /// it maps onto the story's `byline` and `source_name` without doubling.
    pub byline_template: String,
    /// Category → section rules, tried in order.
    pub sections: Vec<SectionRule>,
    /// The section for items no rule matches; `None` leaves it to the worker's default.
    pub default_section: Option<Slug>,
    /// Keep only items that contain at least one of these (whole words or phrases,
    /// case-insensitive, in the headline, summary and body). Empty keeps every item.
    pub include_keywords: Vec<String>,
    /// Skip items that contain any of these (same matching).
    pub exclude_keywords: Vec<String>,
    /// Whether the item's categories become the story's tags.
    pub categories_as_tags: bool,
    /// The republication terms.
    pub licence: LicenceTerms,
}

impl Default for SourceRules {
    fn default() -> Self {
        Self {
            wire_name: String::new(),
            byline_template: DEFAULT_BYLINE_TEMPLATE.into(),
            sections: Vec::new(),
            default_section: None,
            include_keywords: Vec::new(),
            exclude_keywords: Vec::new(),
            categories_as_tags: true,
            licence: LicenceTerms::default(),
        }
    }
}

/// One category → section rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionRule {
    /// The feed's category name, compared case-insensitively after trimming.
    pub category: String,
    /// The section's slug.
    pub section: Slug,
}

/// A wire's republication terms, as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LicenceTerms {
    /// Text placed at the top of the body, e.g. "This story was first published by {wire}."
    /// `{wire}` is the wire's name and `{url}` a link to the original. Plain text, escaped.
    pub attribution: String,
    /// Whether the story's canonical link points at the original.
    pub canonical_to_original: bool,
    /// Whether an editor may change the headline.
    pub headline_editable: bool,
    /// No derivatives: the body may not be edited.
    pub no_derivatives: bool,
    /// Keep the source's own republication tracking pixel (a 1×1 image on the source's own
    /// host, found in the item's HTML). Every other 1×1 image is always removed.
    pub pass_tracking_pixel: bool,
    /// Unpublish this many days after publication; `None` keeps stories.
    pub expire_after_days: Option<u32>,
}

impl Default for LicenceTerms {
    fn default() -> Self {
        Self {
            attribution: String::new(),
            canonical_to_original: false,
            headline_editable: true,
            no_derivatives: false,
            pass_tracking_pixel: false,
            expire_after_days: None,
        }
    }
}

impl SourceRules {
    /// The section for an item with `categories`: the first rule (in rule order) whose
    /// category the item has, else the default.
    pub fn section_for(&self, categories: &[String]) -> Option<Slug> {
        self.sections
            .iter()
            .find(|rule| {
                let want = rule.category.trim();
                categories
                    .iter()
                    .any(|c| c.trim().to_lowercase() == want.to_lowercase())
            })
            .map(|rule| rule.section.clone())
            .or_else(|| self.default_section.clone())
    }

    /// Why an item with this text is skipped by the keyword filters, if it is.
    pub fn filter_out(&self, text: &str) -> Option<String> {
        let words = words(text);
        if let Some(k) = self
            .exclude_keywords
            .iter()
            .find(|k| contains_phrase(&words, k))
        {
            return Some(format!("excluded by the keyword {:?}", k.trim()));
        }
        let includes: Vec<&String> = self
            .include_keywords
            .iter()
            .filter(|k| !k.trim().is_empty())
            .collect();
        if !includes.is_empty() && !includes.iter().any(|k| contains_phrase(&words, k)) {
            return Some("none of the include keywords appear".into());
        }
        None
    }
}

/// Lowercased words: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Whether the words of `phrase` appear in `words` one after another.
fn contains_phrase(words: &[String], phrase: &str) -> bool {
    let want = self::words(phrase);
    !want.is_empty() && words.windows(want.len()).any(|w| w == want.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_match_whole_words_only() {
        let rules = SourceRules {
            exclude_keywords: vec!["sport".into()],
            include_keywords: vec!["school board".into()],
            ..SourceRules::default()
        };
        assert_eq!(
            rules.filter_out("The School  Board met; sports later."),
            None
        );
        assert!(rules.filter_out("The school met the board.").is_some());
        assert!(rules.filter_out("School board: SPORT cut").is_some());
    }

    #[test]
    fn rules_read_from_partial_json() -> Result<(), serde_json::Error> {
        let rules: SourceRules = serde_json::from_str(r#"{"wire_name":"PSN"}"#)?;
        assert_eq!(rules.byline_template, DEFAULT_BYLINE_TEMPLATE);
        assert!(rules.licence.headline_editable);
        let back: SourceRules = serde_json::from_str(&serde_json::to_string(&rules)?)?;
        assert_eq!(back, rules);
        Ok(())
    }
}
