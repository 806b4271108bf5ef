//! What the web layer needs to know about the site: set at start from configuration, then
//! overlaid with the settings admins save in the desk (see [`SiteConfig::with_settings`]).

use crate::cache::HttpCaching;
use crate::identity::Identity;
use chrono_tz::Tz;
use masthead_render::{Value, context};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The site's settings as the web layer uses them.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// The site's name, shown in the masthead and titles.
    pub name: String,
    /// One line under the name.
    pub tagline: String,
    /// The public URL without a trailing slash; every absolute link starts with it. It comes
    /// from configuration, never from request headers.
    pub base_url: String,
    /// The zone dates are shown in.
    pub timezone: Tz,
    /// The site's language as a BCP 47 tag ("en", "es", "en-us"): the pages' `lang`, the feeds'
    /// language and the Google News sitemap's publication language.
    pub language: String,
    /// Stories per page on section, author, tag and latest pages.
    pub page_size: u32,
    /// The newsroom's logo for search engines (the publisher in structured data): an image
    /// of the media library by its address (`/media/…`), or a full `https://` address;
    /// empty for none. Set in the desk's settings.
    pub logo: String,
    /// The accent colour, favicon, footer and social profiles (see [`Identity`]). Set in
    /// the desk's settings.
    pub identity: Identity,
    /// Whether whole pages are cached in memory.
    pub page_cache: bool,
    /// The `Cache-Control` of public pages (see [`HttpCaching`]).
    pub http_caching: HttpCaching,
    /// Whether the client's address is the last one in `X-Forwarded-For` (set only behind a
    /// reverse proxy that appends it); otherwise the connection's peer address.
    pub trust_forwarded_for: bool,
    /// Where uploaded and demo images are stored.
    pub media_dir: PathBuf,
}

impl SiteConfig {
    /// The `site` value every template sees: name, tagline and address, `css_url`, the
    /// address of the theme's stylesheet (which the theme knows, so the caller passes it),
    /// and the identity the desk's settings give it (accent stylesheet, favicon, logo,
    /// footer text and links, social profiles).
    pub(crate) fn site_value(&self, css_url: &str) -> Value {
        context! {
            name => &self.name,
            tagline => &self.tagline,
            base_url => &self.base_url,
            language => &self.language,
            css_url,
            accent_css_url => self.identity.accent_css_url(),
            favicon_url => self.identity.favicon_url(),
            logo => &self.logo,
            footer_text => &self.identity.footer_text,
            footer_links => masthead_render::ser(&self.identity.footer_links),
            social => masthead_render::ser(&self.identity.social),
        }
    }

    /// The logo's absolute address, if one is set.
    pub(crate) fn logo_url(&self) -> Option<String> {
        match self.logo.as_str() {
            "" => None,
            path if path.starts_with('/') => Some(format!("{}{path}", self.base_url)),
            url => Some(url.to_owned()),
        }
    }

    /// This configuration with the desk's stored settings laid over it. Values were checked
    /// when saved; one that no longer parses keeps the configured value.
    pub fn with_settings(&self, settings: &BTreeMap<String, String>) -> SiteConfig {
        let mut site = self.clone();
        let get = |k: &str| {
            settings
                .get(k)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("name") {
            site.name = v.to_owned();
        }
        if let Some(v) = settings.get("tagline") {
            site.tagline = v.clone();
        }
        if let Some(v) = get("base_url") {
            site.base_url = v.trim_end_matches('/').to_owned();
        }
        if let Some(tz) = get("timezone").and_then(|v| v.parse().ok()) {
            site.timezone = tz;
        }
        if let Some(n) = get("page_size").and_then(|v| v.parse().ok()) {
            site.page_size = n;
        }
        if let Some(v) = settings.get("logo") {
            site.logo = v.clone();
        }
        site.identity = Identity::from_settings(settings);
        site
    }
}
