//! What a valid story is, what a publishable one is, what its references must be, and what
//! a name and slug may be. Pure functions: the facts they need from the database come in
//! as [`References`].

use masthead_core::{ArticleKind, InvalidInput, RoundupItem, Slug, VideoUrl, WebUrl};
use masthead_render::{article_text, images_without_alt, render_markdown_under};
use masthead_store::{ArticleFields, KindParts, Meeting, References, RenderedText};

/// Longest headline, in characters.
pub const MAX_TITLE: usize = 300;
/// Longest body, in bytes.
pub const MAX_TEXT: usize = 200_000;
/// Longest summary, in bytes.
pub(crate) const MAX_SUMMARY: usize = 2_000;
/// Most tags on one story.
pub const MAX_TAGS: usize = 30;
/// Longest section or byline name, in characters.
const MAX_NAME: usize = 100;

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidInput {
    InvalidInput::new(field, message)
}

/// The same error, written as a sentence.
fn sentence(e: InvalidInput) -> InvalidInput {
    InvalidInput::new(e.field, format!("{}.", e.message))
}

/// Trims the fields and checks them, turning a video page's address into its
/// privacy-enhanced player's; the error names the field and the fix.
pub fn validate(fields: &mut ArticleFields) -> Result<(), InvalidInput> {
    // Text fields lose the spaces around them, except the body (Markdown gives leading
    // spaces a meaning).
    for (name, text) in fields.texts_mut() {
        if name != "body_md" && text.trim().len() != text.len() {
            *text = text.trim().to_owned();
        }
    }
    fields.tags.retain(|t| !t.trim().is_empty());
    fields.byline = byline_name(&fields.byline).to_owned();
    check_no_nul(fields)?;
    if fields.title.is_empty() {
        return Err(invalid("Headline", "write a headline before saving."));
    }
    if fields.title.chars().count() > MAX_TITLE {
        return Err(invalid("Headline", "keep it under 300 characters."));
    }
    if fields.body_md.len() > MAX_TEXT || fields.summary.len() > MAX_SUMMARY {
        return Err(invalid(
            "Body",
            "the story is too long to save (200,000 characters at most).",
        ));
    }
    if fields.tags.len() > MAX_TAGS {
        return Err(invalid("Tags", "use at most 30 tags."));
    }
    fields.source_url = WebUrl::parse_optional("Source address", &fields.source_url)
        .map_err(sentence)?
        .map(|u| u.to_string())
        .unwrap_or_default();
    match &mut fields.parts {
        KindParts::Video { video_url } => {
            let url = video_url.trim();
            if url.is_empty() {
                return Err(invalid(
                    "Video address",
                    "a video post needs the address of its player.",
                ));
            }
            *video_url = VideoUrl::parse(url).map_err(sentence)?.into_string();
        }
        KindParts::MeetingBrief { meeting } if meeting.body.trim().is_empty() => {
            return Err(invalid(
                "Meeting",
                "a meeting brief needs the public body and the date it met.",
            ));
        }
        KindParts::Roundup { items } if items.is_empty() => {
            return Err(invalid(
                "Roundup items",
                "add at least one item with a headline.",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// The writer's name in a free-text byline, without a leading "By " (any case, repeated):
/// the site prints "By " itself, so "By Jane Doe" typed into the field would read
/// "By By Jane Doe" on the page.
fn byline_name(byline: &str) -> &str {
    let mut name = byline.trim();
    while let Some(prefix) = name.get(..3)
        && prefix.eq_ignore_ascii_case("by ")
    {
        name = name[3..].trim_start();
    }
    name
}

/// Refuses text holding the NUL character, which PostgreSQL cannot store (and which no
/// one types): the message names the field.
fn check_no_nul(fields: &ArticleFields) -> Result<(), InvalidInput> {
    let meeting = fields.parts.meeting();
    let texts = fields.texts().map(|(_, label, text)| (label, text)).chain([
        ("Video address", fields.parts.video_url()),
        ("Meeting", meeting.map_or("", |m| m.body.as_str())),
    ]);
    let lists = fields
        .tags
        .iter()
        .map(|t| ("Tags", t.as_str()))
        .chain(fields.notes.iter().map(|n| ("Notes", n.text.as_str())))
        .chain(fields.parts.items().iter().flat_map(|i| {
            [
                ("Roundup items", i.headline.as_str()),
                ("Roundup items", &i.body_md),
            ]
        }))
        .chain(meeting.into_iter().flat_map(|m| {
            m.decisions
                .iter()
                .flat_map(|d| [("Decisions", d.motion.as_str()), ("Decisions", &d.vote)])
        }));
    for (field, text) in texts.chain(lists) {
        if text.contains('\0') {
            return Err(invalid(
                field,
                "remove the invisible NUL character (U+0000) pasted into it.",
            ));
        }
    }
    Ok(())
}

/// The typed parts of a story of `kind` from the flat fields the editor's form and the API
/// send. A player address on anything but a video post, or a meeting brief without its
/// meeting, is refused: dropping either quietly would lose what was typed. Meetings and
/// items sent with other kinds are left out, as the editor keeps them in hidden sections.
pub fn kind_parts(
    kind: ArticleKind,
    video_url: String,
    meeting: Option<Meeting>,
    items: Vec<RoundupItem>,
) -> Result<KindParts, InvalidInput> {
    if kind != ArticleKind::Video && !video_url.trim().is_empty() {
        return Err(invalid(
            "Video address",
            "only a video post has a player; clear the address, or choose the kind Video.",
        ));
    }
    Ok(match kind {
        ArticleKind::News => KindParts::News,
        ArticleKind::Opinion => KindParts::Opinion,
        ArticleKind::Video => KindParts::Video { video_url },
        ArticleKind::Roundup => KindParts::Roundup { items },
        ArticleKind::MeetingBrief => KindParts::MeetingBrief {
            meeting: meeting.ok_or_else(|| {
                invalid(
                    "Meeting",
                    "a meeting brief needs the public body and the date it met.",
                )
            })?,
        },
    })
}

/// Renders the fields' Markdown: the body (with its excerpt and the words search indexes)
/// and each roundup item.
pub fn render(fields: &mut ArticleFields) -> RenderedText {
    if let KindParts::Roundup { items } = &mut fields.parts {
        render_items(items);
    }
    let text = article_text(&fields.body_md);
    RenderedText {
        body_html: text.html,
        excerpt: text.excerpt,
        search_body: crate::search_body(fields),
    }
}

/// Renders roundup items' text, each under its item's `<h2>`.
fn render_items(items: &mut [masthead_core::RoundupItem]) {
    for item in items {
        item.body_html = render_markdown_under(&item.body_md, 2);
    }
}

/// A stored story's HTML rendered again from its Markdown, exactly as a save renders it
/// (for the upkeep that brings stories saved under an older rendering up to date).
pub fn rerender(text: &masthead_store::StoredText) -> masthead_store::Rerendered {
    let mut items = text.items.clone();
    render_items(&mut items);
    masthead_store::Rerendered {
        id: text.id,
        body_html: article_text(&text.body_md).html,
        items,
    }
}

/// Refuses a section, author or lead image that does not exist.
pub fn check_references(fields: &ArticleFields, refs: &References) -> Result<(), InvalidInput> {
    if !refs.section_exists {
        return Err(invalid(
            "Section",
            format!(
                "there is no section with id {}; choose one of the site's sections.",
                fields.section
            ),
        ));
    }
    if let Some(missing) = refs.missing_authors.first() {
        return Err(invalid(
            "Authors",
            format!(
                "there is no author with id {missing}; choose authors from the site's bylines."
            ),
        ));
    }
    if let (Some(image), Some(None)) = (fields.image, &refs.image_alt) {
        return Err(invalid(
            "Lead image",
            format!("there is no image with id {image}; choose one from the media library."),
        ));
    }
    Ok(())
}

/// Refuses to publish (or schedule) a story with an image that has no alt text: the lead
/// image, or any image in the body or a roundup item.
pub fn check_publishable(fields: &ArticleFields, refs: &References) -> Result<(), InvalidInput> {
    if let Some(Some(alt)) = &refs.image_alt
        && alt.trim().is_empty()
    {
        return Err(invalid(
            "Lead image",
            "the lead image has no alt text; describe it in the media library before publishing.",
        ));
    }
    let texts =
        std::iter::once(&fields.body_md).chain(fields.parts.items().iter().map(|i| &i.body_md));
    for md in texts {
        if let Some(url) = images_without_alt(md).first() {
            return Err(invalid(
                "Body",
                format!(
                    "the image {url} has no alt text; describe it between the brackets, \
                     as in ![Shoppers at the market]({url}), before publishing."
                ),
            ));
        }
    }
    Ok(())
}

/// The name and slug of a new section or byline profile: the name trimmed and at most 100
/// characters, the slug as given or made from the name. `field` names the name's field in
/// the error.
pub fn name_and_slug(
    name: &str,
    slug: Option<&str>,
    field: &'static str,
) -> Result<(String, Slug), InvalidInput> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid(field, "write a name."));
    }
    if name.chars().count() > MAX_NAME {
        return Err(invalid(field, "keep it under 100 characters."));
    }
    let slug = match slug.map(str::trim) {
        Some(s) if !s.is_empty() => {
            Slug::parse(s).map_err(|e| invalid("Slug", format!("{}.", e.message)))?
        }
        _ => Slug::from_title(name),
    };
    Ok((name.to_owned(), slug))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use masthead_core::{MediaId, RoundupItem, SectionId};

    fn story() -> ArticleFields {
        ArticleFields::news(
            "Budget passes",
            Slug::from_title("Budget passes"),
            SectionId(1),
        )
    }

    fn refs(image_alt: Option<Option<&str>>) -> References {
        References {
            section_exists: true,
            missing_authors: Vec::new(),
            image_alt: image_alt.map(|a| a.map(str::to_owned)),
        }
    }

    #[test]
    fn publishing_needs_alt_text_on_every_image() {
        let mut fields = story();
        assert!(check_publishable(&fields, &refs(None)).is_ok());
        fields.image = Some(MediaId(3));
        assert!(check_publishable(&fields, &refs(Some(Some("A dog")))).is_ok());
        let e = check_publishable(&fields, &refs(Some(Some("  ")))).unwrap_err();
        assert_eq!(e.field, "Lead image");
        fields.body_md = "Text ![](/media/a.jpg)".into();
        let e = check_publishable(&fields, &refs(Some(Some("A dog")))).unwrap_err();
        assert_eq!(e.field, "Body");
        assert!(e.message.contains("/media/a.jpg"), "{e}");
        fields.body_md.clear();
        fields.parts = KindParts::Roundup {
            items: vec![RoundupItem {
                headline: "One".into(),
                body_md: "![](/media/b.png)".into(),
                body_html: String::new(),
            }],
        };
        let e = check_publishable(&fields, &refs(None)).unwrap_err();
        assert!(e.message.contains("/media/b.png"), "{e}");
    }

    #[test]
    fn references_must_exist() {
        let mut fields = story();
        assert!(check_references(&fields, &refs(None)).is_ok());
        let mut gone = refs(None);
        gone.section_exists = false;
        assert_eq!(
            check_references(&fields, &gone).unwrap_err().field,
            "Section"
        );
        fields.image = Some(MediaId(9));
        let e = check_references(&fields, &refs(Some(None))).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Lead image: there is no image with id 9; choose one from the media library."
        );
    }

    #[test]
    fn each_kind_needs_its_parts() {
        let mut video = story();
        video.parts = KindParts::Video {
            video_url: " ".into(),
        };
        assert_eq!(validate(&mut video).unwrap_err().field, "Video address");
        video.parts = KindParts::Video {
            video_url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ".into(),
        };
        validate(&mut video).unwrap();
        assert!(
            video
                .parts
                .video_url()
                .starts_with("https://www.youtube-nocookie.com/")
        );
        let mut roundup = story();
        roundup.parts = KindParts::Roundup { items: Vec::new() };
        assert_eq!(validate(&mut roundup).unwrap_err().field, "Roundup items");
        let mut pasted = story();
        pasted.summary = "a\0b".into();
        assert_eq!(validate(&mut pasted).unwrap_err().field, "Summary");
        let mut untitled = story();
        untitled.title = "   ".into();
        assert_eq!(
            validate(&mut untitled).unwrap_err().to_string(),
            "Headline: write a headline before saving."
        );
    }

    #[test]
    fn byline_hint_said_by_and_the_page_printed_by_by() {
        for (typed, stored) in [
            ("By Jane Doe", "Jane Doe"),
            ("  by  Jane Doe ", "Jane Doe"),
            ("BY By Jane Doe", "Jane Doe"),
            ("Byron Lee", "Byron Lee"),
            ("Jane Doe", "Jane Doe"),
            ("By", "By"),
        ] {
            let mut fields = ArticleFields {
                byline: typed.into(),
                ..story()
            };
            validate(&mut fields).unwrap();
            assert_eq!(fields.byline, stored, "{typed:?}");
        }
    }
}
