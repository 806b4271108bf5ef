//! The desk's scripts: our own files under `themes/default/static/desk/`, embedded in the
//! binary and served from `/admin/assets/NAME?v=HASH` (the admin CSP allows scripts from our
//! own origin only). Every desk page works without them; they only make it quicker.
//! Templates name a script with `{{ desk_asset("editor.js") }}`, which gives its versioned
//! address, so a browser may keep it for a year and still never runs an old copy.

use std::sync::LazyLock;

/// One embedded file: its name, content type and content.
#[derive(Debug)]
pub struct DeskAsset {
    /// The file's name, as in its address.
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static str,
    /// Its address with the content hash, as templates print it.
    pub url: String,
}

macro_rules! script {
    ($name:literal) => {
        script!("", $name)
    };
    ($dir:literal, $name:literal) => {
        (
            $name,
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../../themes/default/static/desk/", $dir, $name)),
        )
    };
}

/// Every desk asset, by name. Vendored libraries live in `desk/vendor/` with their licences
/// (rebuilt from npm by `scripts/desk-vendor.sh`) and are served by their file name.
const FILES: &[(&str, &str, &str)] = &[
    script!("desk.js"),
    script!("editor.js"),
    script!("images.js"),
    script!("vendor/", "turndown.js"),
];

static ASSETS: LazyLock<Vec<DeskAsset>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|&(name, content_type, body)| DeskAsset {
            name,
            content_type,
            body,
            url: format!(
                "/admin/assets/{name}?v={:016x}",
                crate::theme::fnv1a(body.as_bytes())
            ),
        })
        .collect()
});

/// The asset called `name`, if there is one.
pub fn desk_asset(name: &str) -> Option<&'static DeskAsset> {
    ASSETS.iter().find(|a| a.name == name)
}

/// Every asset (for tests that check each one is served).
pub fn desk_assets() -> &'static [DeskAsset] {
    &ASSETS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_versioned_address_under_the_desk() {
        for asset in desk_assets() {
            assert!(
                asset
                    .url
                    .starts_with(&format!("/admin/assets/{}?v=", asset.name))
            );
            assert!(!asset.body.is_empty());
        }
        assert!(desk_asset("desk.js").is_some());
        assert!(desk_asset("../admin.css").is_none());
    }
}
