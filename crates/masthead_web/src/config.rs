//! What the web layer needs to know about the site, fixed at start.

use chrono_tz::Tz;
use std::path::PathBuf;

/// The site's settings as the web layer uses them.
#[derive(Debug, Clone)]
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
    /// Stories per page on section, author, tag and latest pages.
    pub page_size: u32,
    /// Whether whole pages are cached in memory.
    pub page_cache: bool,
    /// Where uploaded and demo images are stored.
    pub media_dir: PathBuf,
}
