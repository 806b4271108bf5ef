//! A wire item's body: sanitized with addresses made absolute, tracking pixels taken out
//! (and the source's own one put back if its licence asks), the attribution placed first,
//! and the lead image chosen.

use crate::html::{self, ImgTag};
use crate::parse::{RawEntry, RawMedia};
use crate::rules::LicenceTerms;
use ammonia::Url;
use serde::{Deserialize, Serialize};

/// The picture a story leads with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadImage {
    /// Its absolute address, to fetch through the guarded client into the media library.
    pub url: String,
    /// Alt text from the feed (`media:description`, `media:title`, or the body image's
    /// `alt`); empty when the feed gave none.
    pub alt: String,
    /// No alt text came with it: an editor must describe it before it is published.
    pub needs_alt: bool,
    /// The photo credit (`media:credit`), for the caption.
    pub credit: String,
}

/// The sanitized body before this site's additions.
pub(crate) struct Body {
    /// Sanitized HTML without tracking pixels.
    pub html: String,
    /// Its plain text, whitespace collapsed.
    pub text: String,
    /// The first picture in it.
    pub first_image: Option<ImgTag>,
    /// Addresses of pictures in it with no alt text.
    pub images_without_alt: Vec<String>,
    /// The source's own tracking pixel's address, if one was found.
    pub own_pixel: Option<String>,
}

/// Sanitizes `raw` against `base`, removing every 1×1 image and remembering the first one
/// served from `own_hosts`.
pub(crate) fn clean(raw: &str, base: Option<&Url>, own_hosts: &[String]) -> Body {
    let mut sanitized = html::sanitize(raw, base).trim().to_owned();
    let imgs = html::images(&sanitized);
    let mut own_pixel = None;
    for img in imgs.iter().rev().filter(|i| i.is_pixel()) {
        if is_own(&img.src, own_hosts) {
            own_pixel = Some(img.src.clone());
        }
        sanitized.replace_range(img.span.clone(), "");
    }
    let pictures: Vec<ImgTag> = imgs.into_iter().filter(|i| !i.is_pixel()).collect();
    Body {
        text: html::collapse(&html::plain_text(&sanitized)),
        html: sanitized,
        images_without_alt: pictures
            .iter()
            .filter(|i| i.alt.as_deref().is_none_or(|a| a.trim().is_empty()))
            .map(|i| i.src.clone())
            .collect(),
        first_image: pictures.into_iter().next(),
        own_pixel,
    }
}

/// Whether `src` is on one of the source's hosts (its domain, "www." aside, or a subdomain
/// of it: ProPublica's pixel is on `pixel.propublica.org` for `www.propublica.org`).
fn is_own(src: &str, own_hosts: &[String]) -> bool {
    let Ok(url) = Url::parse(src) else {
        return false;
    };
    let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    matches!(url.scheme(), "http" | "https")
        && own_hosts.iter().any(|own| {
            let domain = own.strip_prefix("www.").unwrap_or(own);
            host == domain || host.ends_with(&format!(".{domain}"))
        })
}

/// The body as stored: attribution first, then the story, then the source's own pixel when
/// the licence passes it through (rebuilt from its address alone, nothing else kept).
pub(crate) fn compose(body: &Body, terms: &LicenceTerms, wire: &str, link: Option<&str>) -> String {
    let mut out = String::with_capacity(body.html.len() + 256);
    let attribution = terms.attribution.trim();
    if !attribution.is_empty() {
        let link_html = link.map_or_else(String::new, |l| {
            let l = html::escape(l);
            format!("<a href=\"{l}\">{l}</a>")
        });
        let text = html::escape(attribution)
            .replace("{wire}", &html::escape(wire))
            .replace("{url}", &link_html);
        out.push_str("<p><em>");
        out.push_str(&text);
        out.push_str("</em></p>");
    }
    out.push_str(&body.html);
    if terms.pass_tracking_pixel
        && let Some(src) = &body.own_pixel
    {
        out.push_str(&format!(
            "<img src=\"{}\" alt=\"\" width=\"1\" height=\"1\">",
            html::escape(src)
        ));
    }
    out
}

/// The lead image: the first attached image (media:content, then enclosure-type images,
/// then media:thumbnail, in feed order within each), else the body's first picture.
pub(crate) fn lead_image(entry: &RawEntry, base: Option<&Url>, body: &Body) -> Option<LeadImage> {
    let attached = entry
        .media
        .iter()
        .filter(|m| !m.thumbnail && is_image(m))
        .chain(entry.media.iter().filter(|m| m.thumbnail))
        .find_map(|m| absolute(&m.url, base).map(|url| (url, m)));
    if let Some((url, m)) = attached {
        let alt = m
            .description
            .as_deref()
            .or(m.title.as_deref())
            .map(html::to_plain)
            .unwrap_or_default();
        return Some(LeadImage {
            url,
            needs_alt: alt.is_empty(),
            alt,
            credit: m.credit.as_deref().map(html::to_plain).unwrap_or_default(),
        });
    }
    body.first_image.as_ref().map(|img| {
        let alt = html::collapse(img.alt.as_deref().unwrap_or_default());
        LeadImage {
            url: img.src.clone(),
            needs_alt: alt.is_empty(),
            alt,
            credit: String::new(),
        }
    })
}

fn is_image(m: &RawMedia) -> bool {
    match &m.content_type {
        Some(t) => t.to_ascii_lowercase().starts_with("image/"),
        None => {
            let path = m.url.split(['?', '#']).next().unwrap_or_default();
            let lower = path.to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
                .iter()
                .any(|ext| lower.ends_with(ext))
        }
    }
}

/// `href` as an absolute http(s) address, resolved against `base`.
pub(crate) fn absolute(href: &str, base: Option<&Url>) -> Option<String> {
    let href = href.trim();
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}
