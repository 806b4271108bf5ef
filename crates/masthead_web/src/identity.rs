//! The site's identity as admins set it in the desk's settings: the accent colour, the
//! favicon, the footer's text and links, and the newsroom's social profiles. Each setting is
//! checked here when saved (the error names the field and the fix) and read back from its
//! stored text with [`Identity::from_settings`]; a stored value that no longer parses is
//! left out rather than shown broken.

use masthead_core::WebUrl;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most footer links and most social profiles.
pub const MAX_LINKS: usize = 10;
/// Longest footer text, in characters.
pub const MAX_FOOTER_TEXT: usize = 300;
/// Longest link label, in characters.
const MAX_LABEL: usize = 60;
/// The contrast WCAG 2.1 AA asks of normal text: the accent colours links on white.
const MIN_CONTRAST: f64 = 4.5;

/// A link in the footer, or a social profile (its label is the site's host name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// What readers see.
    pub label: String,
    /// Where it goes: a full `http(s)://` address, or a path on this site.
    pub url: String,
}

/// The identity settings in effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// The accent colour as `#rrggbb`, or empty for the theme's own.
    pub accent: String,
    /// The favicon: an image of the media library by its address (`/media/…`), or empty
    /// for the one that ships in the binary.
    pub favicon: String,
    /// A line of text in the footer.
    pub footer_text: String,
    /// Links in the footer (an about page, contact, a tip line).
    pub footer_links: Vec<Link>,
    /// The newsroom's profiles elsewhere (footer, and `sameAs` in structured data).
    pub social: Vec<Link>,
}

impl Identity {
    /// The identity stored in the desk's settings.
    pub fn from_settings(settings: &BTreeMap<String, String>) -> Self {
        let get = |k: &str| settings.get(k).map(String::as_str).unwrap_or_default();
        Identity {
            accent: accent(get("accent")).unwrap_or_default(),
            favicon: get("favicon").to_owned(),
            footer_text: get("footer_text").to_owned(),
            footer_links: footer_links(get("footer_links")).unwrap_or_default(),
            social: social(get("social")).unwrap_or_default(),
        }
    }

    /// The address of the small stylesheet that sets the accent, versioned by the colour,
    /// or `None` for the theme's own colour.
    pub fn accent_css_url(&self) -> Option<String> {
        self.accent
            .strip_prefix('#')
            .map(|hex| format!("/static/accent.css?v={hex}"))
    }

    /// Where `<link rel="icon">` points: the chosen image, or `/favicon.ico`.
    pub fn favicon_url(&self) -> &str {
        if self.favicon.is_empty() {
            "/favicon.ico"
        } else {
            &self.favicon
        }
    }
}

/// The stylesheet that sets the accent colour (`:root { --accent: … }`).
pub fn accent_css(accent: &str) -> String {
    if accent.is_empty() {
        "/* The theme's own accent colour. */\n".to_owned()
    } else {
        format!(":root {{ --accent: {accent}; }}\n")
    }
}

/// A colour typed as `#rgb` or `#rrggbb` (the `#` optional), as `#rrggbb`; empty stays
/// empty. Refused: anything else, and colours too light to read as link text on white.
pub fn accent(typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(String::new());
    }
    let hex = typed.strip_prefix('#').unwrap_or(typed);
    let hex = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect(),
        _ => hex.to_owned(),
    };
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!(
            "Accent colour: \"{typed}\" is not a colour; write # and six hexadecimal digits, \
             e.g. #8a1c1c, or leave it empty for the theme's own."
        ));
    }
    let hex = hex.to_ascii_lowercase();
    let contrast = contrast_with_white(&hex);
    if contrast < MIN_CONTRAST {
        return Err(format!(
            "Accent colour: #{hex} is too light to read as link text on white (contrast \
             {contrast:.1}:1; readers need at least 4.5:1). Choose a darker shade."
        ));
    }
    Ok(format!("#{hex}"))
}

/// The WCAG contrast ratio of `rrggbb` against white.
fn contrast_with_white(hex: &str) -> f64 {
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    1.05 / (luminance + 0.05)
}

/// The footer's text: plain, one paragraph, at most [`MAX_FOOTER_TEXT`] characters.
pub fn footer_text(typed: &str) -> Result<String, String> {
    let text = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() > MAX_FOOTER_TEXT {
        return Err("Footer text: keep it under 300 characters.".into());
    }
    Ok(text)
}

/// Footer links, one a line as `Label | address`: the address a full `http(s)://` one or a
/// path on this site (`/about`).
pub fn footer_links(typed: &str) -> Result<Vec<Link>, String> {
    let links = lines(typed, "Footer links")?
        .into_iter()
        .map(|line| {
            let Some((label, url)) = line.split_once('|') else {
                return Err(format!(
                    "Footer links: \"{line}\" has no address; write each link as \
                     Label | address, e.g. About us | /about or Tips | https://example.org/tips."
                ));
            };
            let label = label.trim();
            if label.is_empty() || label.chars().count() > MAX_LABEL {
                return Err(format!(
                    "Footer links: give \"{line}\" a label of up to 60 characters before the |."
                ));
            }
            Ok(Link {
                label: label.to_owned(),
                url: address(url.trim(), "Footer links")?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(links)
}

/// Social profiles, one full address a line; each is labelled with its site's name.
pub fn social(typed: &str) -> Result<Vec<Link>, String> {
    lines(typed, "Social profiles")?
        .into_iter()
        .map(|line| {
            let url = WebUrl::parse("Social profiles", line).map_err(|_| {
                format!(
                    "Social profiles: \"{line}\" is not a full address; give each profile's \
                     address on its own line, e.g. https://www.instagram.com/testtowntimes."
                )
            })?;
            let url = url.to_string();
            let host = url
                .split("://")
                .nth(1)
                .and_then(|rest| rest.split('/').next())
                .unwrap_or_default();
            let label = host.strip_prefix("www.").unwrap_or(host).to_owned();
            Ok(Link { label, url })
        })
        .collect()
}

/// The lines of a list setting, trimmed, blank ones dropped, at most [`MAX_LINKS`].
fn lines<'a>(typed: &'a str, field: &'static str) -> Result<Vec<&'a str>, String> {
    let lines: Vec<&str> = typed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > MAX_LINKS {
        return Err(format!(
            "{field}: give at most {MAX_LINKS}, one a line (there are {}).",
            lines.len()
        ));
    }
    Ok(lines)
}

/// A link's address: a path on this site or a full `http(s)://` address.
fn address(url: &str, field: &'static str) -> Result<String, String> {
    if url.starts_with('/')
        && !url.starts_with("//")
        && !url.contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Ok(url.to_owned());
    }
    WebUrl::parse(field, url)
        .map(|u| u.to_string())
        .map_err(|_| {
            format!(
                "{field}: \"{url}\" is not an address; use a path on this site such as /about, \
                 or a full address starting with https://."
            )
        })
}

/// The stored text of a list of links, one `Label | address` a line.
pub fn links_text(links: &[Link]) -> String {
    links
        .iter()
        .map(|l| format!("{} | {}", l.label, l.url))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accent_colours_are_hex_and_dark_enough_for_links() {
        assert_eq!(accent("#8A1C1C").unwrap(), "#8a1c1c");
        assert_eq!(accent("036").unwrap(), "#003366");
        assert_eq!(accent("").unwrap(), "");
        assert!(
            accent("red")
                .unwrap_err()
                .contains("six hexadecimal digits")
        );
        assert!(accent("#12345g").is_err());
        assert!(accent("#ffff00").unwrap_err().contains("too light"));
        assert!(accent("#767676").is_ok(), "4.54:1 passes");
        assert!(accent("#777777").is_err(), "4.48:1 does not");
    }

    #[test]
    fn links_need_a_label_and_an_address() {
        let links = footer_links("About us | /about\n\n Tips | https://example.org/tips ").unwrap();
        assert_eq!(links.len(), 2);
        assert_eq!(links[1].url, "https://example.org/tips");
        assert!(
            footer_links("About us")
                .unwrap_err()
                .contains("Label | address")
        );
        assert!(footer_links("x | javascript:alert(1)").is_err());
        assert!(footer_links("x | //evil.example").is_err());
        assert!(
            footer_links(&"a | /a\n".repeat(11))
                .unwrap_err()
                .contains("at most 10")
        );
        let social = social("https://www.instagram.com/ttt\nhttps://mastodon.social/@ttt").unwrap();
        assert_eq!(social[0].label, "instagram.com");
        assert_eq!(social[1].label, "mastodon.social");
        assert!(super::social("instagram").is_err());
    }
}
