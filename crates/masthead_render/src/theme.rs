//! The theme: minijinja templates embedded in the binary, each overridable by a file of the
//! same name in a theme directory, plus the stylesheet.
//!
//! `.html` templates autoescape. Values that are already HTML (sanitized bodies, shared page
//! parts rendered earlier) are marked safe by the caller with [`Theme::safe`], never by a
//! template's `|safe` on user text.

use crate::format;
use crate::page_sizes::PageSizes;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, Output, State, UndefinedBehavior, Value,
};
use std::path::{Path, PathBuf};

/// The built-in templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        include_str!("../../../themes/default/templates/base.html"),
    ),
    (
        "macros.html",
        include_str!("../../../themes/default/templates/macros.html"),
    ),
    (
        "event.html",
        include_str!("../../../themes/default/templates/event.html"),
    ),
    (
        "events_grid.html",
        include_str!("../../../themes/default/templates/events_grid.html"),
    ),
    (
        "event_submit.html",
        include_str!("../../../themes/default/templates/event_submit.html"),
    ),
    (
        "event_thanks.html",
        include_str!("../../../themes/default/templates/event_thanks.html"),
    ),
    (
        "page.html",
        include_str!("../../../themes/default/templates/page.html"),
    ),
    (
        "bodies.html",
        include_str!("../../../themes/default/templates/bodies.html"),
    ),
    (
        "body.html",
        include_str!("../../../themes/default/templates/body.html"),
    ),
    (
        "body_document.html",
        include_str!("../../../themes/default/templates/body_document.html"),
    ),
    (
        "parts/events_nav.html",
        include_str!("../../../themes/default/templates/parts/events_nav.html"),
    ),
    (
        "home.html",
        include_str!("../../../themes/default/templates/home.html"),
    ),
    (
        "article.html",
        include_str!("../../../themes/default/templates/article.html"),
    ),
    (
        "list.html",
        include_str!("../../../themes/default/templates/list.html"),
    ),
    (
        "comment.html",
        include_str!("../../../themes/default/templates/comment.html"),
    ),
    (
        "events.html",
        include_str!("../../../themes/default/templates/events.html"),
    ),
    (
        "search.html",
        include_str!("../../../themes/default/templates/search.html"),
    ),
    (
        "error.html",
        include_str!("../../../themes/default/templates/error.html"),
    ),
    (
        "parts/nav.html",
        include_str!("../../../themes/default/templates/parts/nav.html"),
    ),
    (
        "parts/footer.html",
        include_str!("../../../themes/default/templates/parts/footer.html"),
    ),
    (
        "parts/latest.html",
        include_str!("../../../themes/default/templates/parts/latest.html"),
    ),
    (
        "parts/events.html",
        include_str!("../../../themes/default/templates/parts/events.html"),
    ),
    (
        "parts/sections.html",
        include_str!("../../../themes/default/templates/parts/sections.html"),
    ),
    (
        "parts/teasers.html",
        include_str!("../../../themes/default/templates/parts/teasers.html"),
    ),
    (
        "parts/teaser.html",
        include_str!("../../../themes/default/templates/parts/teaser.html"),
    ),
    (
        "parts/banner.html",
        include_str!("../../../themes/default/templates/parts/banner.html"),
    ),
    (
        "parts/byline.html",
        include_str!("../../../themes/default/templates/parts/byline.html"),
    ),
    (
        "email/digest.html",
        include_str!("../../../themes/default/templates/email/digest.html"),
    ),
    (
        "email/digest.txt",
        include_str!("../../../themes/default/templates/email/digest.txt"),
    ),
    (
        "email/reader.html",
        include_str!("../../../themes/default/templates/email/reader.html"),
    ),
    (
        "email/reader.txt",
        include_str!("../../../themes/default/templates/email/reader.txt"),
    ),
    (
        "newsletter.html",
        include_str!("../../../themes/default/templates/newsletter.html"),
    ),
    (
        "feeds/entry.html",
        include_str!("../../../themes/default/templates/feeds/entry.html"),
    ),
];

/// The desk's templates: embedded, and never taken from a theme override, so a theme
/// cannot change the forms that carry CSRF tokens.
const ADMIN_TEMPLATES: &[(&str, &str)] = &[
    (
        "admin/base.html",
        include_str!("../../../themes/default/templates/admin/base.html"),
    ),
    (
        "admin/error.html",
        include_str!("../../../themes/default/templates/admin/error.html"),
    ),
    (
        "admin/events.html",
        include_str!("../../../themes/default/templates/admin/events.html"),
    ),
    (
        "admin/event_edit.html",
        include_str!("../../../themes/default/templates/admin/event_edit.html"),
    ),
    (
        "admin/login.html",
        include_str!("../../../themes/default/templates/admin/login.html"),
    ),
    (
        "admin/code.html",
        include_str!("../../../themes/default/templates/admin/code.html"),
    ),
    (
        "admin/reset.html",
        include_str!("../../../themes/default/templates/admin/reset.html"),
    ),
    (
        "admin/_rows.html",
        include_str!("../../../themes/default/templates/admin/_rows.html"),
    ),
    (
        "admin/_outline.html",
        include_str!("../../../themes/default/templates/admin/_outline.html"),
    ),
    (
        "admin/_notes.html",
        include_str!("../../../themes/default/templates/admin/_notes.html"),
    ),
    (
        "admin/_waiting.html",
        include_str!("../../../themes/default/templates/admin/_waiting.html"),
    ),
    (
        "admin/note.html",
        include_str!("../../../themes/default/templates/admin/note.html"),
    ),
    (
        "admin/dashboard.html",
        include_str!("../../../themes/default/templates/admin/dashboard.html"),
    ),
    (
        "admin/front.html",
        include_str!("../../../themes/default/templates/admin/front.html"),
    ),
    (
        "admin/articles.html",
        include_str!("../../../themes/default/templates/admin/articles.html"),
    ),
    (
        "admin/edit.html",
        include_str!("../../../themes/default/templates/admin/edit.html"),
    ),
    (
        "admin/preview.html",
        include_str!("../../../themes/default/templates/admin/preview.html"),
    ),
    (
        "admin/share.html",
        include_str!("../../../themes/default/templates/admin/share.html"),
    ),
    (
        "admin/revisions.html",
        include_str!("../../../themes/default/templates/admin/revisions.html"),
    ),
    (
        "admin/revision.html",
        include_str!("../../../themes/default/templates/admin/revision.html"),
    ),
    (
        "admin/account.html",
        include_str!("../../../themes/default/templates/admin/account.html"),
    ),
    (
        "admin/users.html",
        include_str!("../../../themes/default/templates/admin/users.html"),
    ),
    (
        "admin/pages.html",
        include_str!("../../../themes/default/templates/admin/pages.html"),
    ),
    (
        "admin/page_edit.html",
        include_str!("../../../themes/default/templates/admin/page_edit.html"),
    ),
    (
        "admin/redirects.html",
        include_str!("../../../themes/default/templates/admin/redirects.html"),
    ),
    (
        "admin/meetings.html",
        include_str!("../../../themes/default/templates/admin/meetings.html"),
    ),
    (
        "admin/_body_form.html",
        include_str!("../../../themes/default/templates/admin/_body_form.html"),
    ),
    (
        "admin/body_edit.html",
        include_str!("../../../themes/default/templates/admin/body_edit.html"),
    ),
    (
        "admin/meeting.html",
        include_str!("../../../themes/default/templates/admin/meeting.html"),
    ),
    (
        "admin/brief_review.html",
        include_str!("../../../themes/default/templates/admin/brief_review.html"),
    ),
    (
        "admin/sections.html",
        include_str!("../../../themes/default/templates/admin/sections.html"),
    ),
    (
        "admin/wire.html",
        include_str!("../../../themes/default/templates/admin/wire.html"),
    ),
    (
        "admin/imports.html",
        include_str!("../../../themes/default/templates/admin/imports.html"),
    ),
    (
        "admin/_wire_form.html",
        include_str!("../../../themes/default/templates/admin/_wire_form.html"),
    ),
    (
        "admin/wire_source.html",
        include_str!("../../../themes/default/templates/admin/wire_source.html"),
    ),
    (
        "admin/wire_remove.html",
        include_str!("../../../themes/default/templates/admin/wire_remove.html"),
    ),
    (
        "admin/wire_inbox.html",
        include_str!("../../../themes/default/templates/admin/wire_inbox.html"),
    ),
    (
        "admin/settings.html",
        include_str!("../../../themes/default/templates/admin/settings.html"),
    ),
    (
        "admin/comments.html",
        include_str!("../../../themes/default/templates/admin/comments.html"),
    ),
    (
        "admin/comment_settings.html",
        include_str!("../../../themes/default/templates/admin/comment_settings.html"),
    ),
    (
        "admin/audit.html",
        include_str!("../../../themes/default/templates/admin/audit.html"),
    ),
    (
        "admin/newsletter.html",
        include_str!("../../../themes/default/templates/admin/newsletter.html"),
    ),
    (
        "admin/newsletter_readers.html",
        include_str!("../../../themes/default/templates/admin/newsletter_readers.html"),
    ),
    (
        "admin/newsletter_send.html",
        include_str!("../../../themes/default/templates/admin/newsletter_send.html"),
    ),
    (
        "admin/media.html",
        include_str!("../../../themes/default/templates/admin/media.html"),
    ),
];

/// The desk's stylesheet.
pub const ADMIN_STYLESHEET: &str = include_str!("../../../themes/default/static/admin.css");

/// The built-in stylesheet.
pub const STYLESHEET: &str = include_str!("../../../themes/default/static/site.css");

/// A template could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
#[error("theme template {template}: {source:#}")]
pub struct ThemeError {
    template: String,
    #[source]
    source: Error,
}

impl ThemeError {
    /// Wraps minijinja's errors as template `name`'s.
    fn of(name: &str) -> impl Fn(Error) -> ThemeError + Copy + '_ {
        move |source| ThemeError {
            template: name.to_owned(),
            source,
        }
    }
}

/// The loaded theme.
#[derive(Debug)]
pub struct Theme {
    env: Environment<'static>,
    stylesheet: String,
    stylesheet_url: String,
    override_dir: Option<PathBuf>,
    sizes: PageSizes,
}

impl Theme {
    /// The built-in theme, with `override_dir`'s templates (`templates/NAME`) and stylesheet
    /// (`static/site.css`) taking precedence where present. Dates are shown in `tz`.
    pub fn load(override_dir: Option<&Path>, tz: Tz) -> Result<Self, std::io::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(html_formatter);
        // Block tags on their own lines leave no blank lines behind: smaller, tidier pages.
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build();
        env.set_syntax(syntax.map_err(|e| std::io::Error::other(format!("template syntax: {e}")))?);
        let dir: Option<PathBuf> = override_dir.map(|d| d.join("templates"));
        env.set_loader(move |name| {
            if name.starts_with("admin/") {
                return Ok(ADMIN_TEMPLATES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| (*s).to_owned()));
            }
            if let Some(dir) = &dir {
                // Names come from our own code and templates; refuse anything path-like anyway.
                if !name.contains("..") && !name.starts_with('/') {
                    match std::fs::read_to_string(dir.join(name)) {
                        Ok(source) => return Ok(Some(source)),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(Error::new(
                                ErrorKind::InvalidOperation,
                                "cannot read theme file",
                            )
                            .with_source(e));
                        }
                    }
                }
            }
            Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| (*s).to_owned()))
        });
        // Machine-readable times (`<time datetime>`, meta tags) to the second, in UTC.
        env.add_filter("iso", |v: String| {
            with_time(&v, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        });
        env.add_filter("date", move |v: String| {
            with_time(&v, |t| format::date(t, tz))
        });
        env.add_filter("datetime", move |v: String, zone: Option<String>| {
            with_time(&v, |t| format::datetime(t, zone_or(zone.as_deref(), tz)))
        });
        env.add_filter("time", move |v: String, zone: Option<String>| {
            with_time(&v, |t| format::time(t, zone_or(zone.as_deref(), tz)))
        });
        env.add_filter("day", move |v: String, zone: Option<String>| {
            with_time(&v, |t| format::day(t, zone_or(zone.as_deref(), tz)))
        });
        env.add_filter("excerpt", |v: String, max: usize| {
            masthead_core::excerpt(&v, max)
        });
        env.add_filter("meeting_date", |v: String| {
            chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map(format::long_date)
                .map_err(|e| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("not a date: {v:?}: {e}"),
                    )
                })
        });
        env.add_function("desk_asset", |name: String| {
            crate::desk_assets::desk_asset(&name)
                .map(|a| a.url.clone())
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidOperation,
                        format!("no desk asset {name:?}"),
                    )
                })
        });
        let stylesheet = match override_dir.map(|d| d.join("static/site.css")) {
            Some(path) if path.exists() => std::fs::read_to_string(path)?,
            _ => STYLESHEET.to_owned(),
        };
        let stylesheet_url = format!("/static/site.css?v={:016x}", fnv1a(stylesheet.as_bytes()));
        Ok(Self {
            env,
            stylesheet,
            stylesheet_url,
            override_dir: override_dir.map(Path::to_path_buf),
            sizes: PageSizes::new(),
        })
    }

    /// The same theme (re-read from its override directory) showing dates in `tz`.
    pub fn for_timezone(&self, tz: Tz) -> Result<Self, std::io::Error> {
        Self::load(self.override_dir.as_deref(), tz)
    }

    /// Renders template `name` with `ctx`.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, ThemeError> {
        let in_template = ThemeError::of(name);
        self.env
            .get_template(name)
            .map_err(in_template)?
            .render(ctx)
            .map_err(in_template)
    }

    /// Renders the page `name` with `ctx` as the bytes of a response body (UTF-8: minijinja
    /// writes only `str`s), into room sized by the template's last page (`page_sizes.rs`).
    /// Bytes, not a `String`: checking 12 KB of page for UTF-8 again cost more than half of
    /// what the room saves.
    pub fn render_page(&self, name: &str, ctx: Value) -> Result<Vec<u8>, ThemeError> {
        let in_template = ThemeError::of(name);
        let template = self.env.get_template(name).map_err(in_template)?;
        let size = self.sizes.of(name);
        let mut page = Vec::with_capacity(size.guess());
        template
            .render_captured_to(ctx, &mut page)
            .map_err(in_template)?;
        size.rendered(page.len());
        Ok(page)
    }

    /// Marks `html` as already safe (sanitized or rendered by us) so templates do not escape it.
    pub fn safe(html: String) -> Value {
        Value::from_safe_string(html)
    }

    /// The stylesheet in effect.
    pub fn stylesheet(&self) -> &str {
        &self.stylesheet
    }

    /// The stylesheet's URL, versioned by its content so browsers may cache it for a year.
    pub fn stylesheet_url(&self) -> &str {
        &self.stylesheet_url
    }
}

/// Escapes text for HTML like minijinja's default, except that `/` is left alone: it is not
/// special in HTML text or quoted attributes, and `&#x2f;` in every URL makes pages bigger
/// and harder to read.
fn html_formatter(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(s)) if !value.is_safe() => {
            // The next of `&<>` and the next quote, found by memchr's vectorised searches (a
            // test of every byte was 4% of an article page's instructions).
            let bytes = s.as_bytes();
            let markup =
                |from: usize| memchr::memchr3(b'&', b'<', b'>', &bytes[from..]).map(|i| i + from);
            let quote =
                |from: usize| memchr::memchr2(b'"', b'\'', &bytes[from..]).map(|i| i + from);
            let (mut next_markup, mut next_quote) = (markup(0), quote(0));
            let mut last = 0;
            while let Some(i) = next_markup.into_iter().chain(next_quote).min() {
                let entity = match bytes[i] {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    _ => "&#x27;",
                };
                out.write_str(&s[last..i]).map_err(Error::from)?;
                out.write_str(entity).map_err(Error::from)?;
                last = i + 1;
                if next_markup == Some(i) {
                    next_markup = markup(last);
                } else {
                    next_quote = quote(last);
                }
            }
            out.write_str(&s[last..]).map_err(Error::from)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// A 64-bit FNV-1a hash: enough to tell stylesheet versions apart in a URL.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn zone_or(zone: Option<&str>, default: Tz) -> Tz {
    zone.and_then(|z| z.parse().ok()).unwrap_or(default)
}

fn with_time(v: &str, f: impl Fn(DateTime<Utc>) -> String) -> Result<String, Error> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| f(t.with_timezone(&Utc)))
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("not a time: {v:?}: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn a_theme_directory_overrides_templates_and_stylesheet() {
        let dir = std::env::temp_dir().join(format!("masthead-theme-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates/parts")).unwrap_or_default();
        std::fs::create_dir_all(dir.join("static")).unwrap_or_default();
        std::fs::write(
            dir.join("templates/parts/footer.html"),
            "<footer>{{ site.name }} custom</footer>",
        )
        .unwrap_or_default();
        std::fs::write(dir.join("static/site.css"), "body { color: red }").unwrap_or_default();
        let theme = Theme::load(Some(&dir), chrono_tz::UTC).unwrap_or_else(|e| panic!("{e}"));
        let ctx = context! { site => context! { name => "Courier" }, sections => Vec::<String>::new(), year => 2026 };
        let html = theme
            .render("parts/footer.html", ctx.clone())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(html, "<footer>Courier custom</footer>");
        assert_eq!(theme.stylesheet(), "body { color: red }");
        // Templates not in the directory fall back to the built-in ones.
        let nav = theme
            .render("parts/nav.html", ctx)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(nav.contains("aria-label=\"Sections\""));
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            Theme::load(None, chrono_tz::UTC)
                .map(|t| t.stylesheet() == STYLESHEET)
                .unwrap_or(false)
        );
    }

    /// Text is escaped as a byte-by-byte replacement would: every `&<>"'` in any place and
    /// run (next to each other, first, last, alone), nothing else, `/` left alone.
    #[test]
    fn text_is_escaped_like_a_replacement_of_every_special_byte() {
        let mut env = Environment::new();
        env.set_formatter(html_formatter);
        // An `.html` name turns HTML escaping on, as for the theme's templates.
        env.add_template("t.html", "{{ t }}")
            .unwrap_or_else(|e| panic!("{e}"));
        let template = env.get_template("t.html").unwrap_or_else(|e| panic!("{e}"));
        let reference = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#x27;")
        };
        let pieces = ["", "a", "&", "<", ">", "\"", "'", "/", "é — ü", "&amp;"];
        let mut cases = vec![String::from("Smith's \"quoted\" <b>&</b> a/b")];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    cases.push(format!("{a}{b}x{c}{a}"));
                }
            }
        }
        for text in cases {
            let html = template
                .render(context! { t => &text })
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(html, reference(&text), "{text:?}");
            let safe = template
                .render(context! { t => Value::from_safe_string(text.clone()) })
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(safe, text, "safe text is written as it is");
        }
    }
}
