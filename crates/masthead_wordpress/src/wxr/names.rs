//! Which vocabulary an element belongs to. WordPress binds `wp:` to
//! `http://wordpress.org/export/1.0/`, `/1.1/` or `/1.2/` depending on the WXR version, and
//! `excerpt:` to that address plus `excerpt/`; elements are matched by the namespace their
//! prefix resolves to, so a file that binds other prefixes still reads. A prefix the file
//! never binds falls back to the prefix WordPress writes.

use quick_xml::name::{Namespace, ResolveResult};

/// The vocabularies of a WordPress export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No prefix: RSS 2.0's own elements (`rss`, `channel`, `item`, `title`, …).
    Rss,
    /// `wp:`: `http://wordpress.org/export/1.x/`.
    Wp,
    /// `excerpt:`: `http://wordpress.org/export/1.x/excerpt/`.
    Excerpt,
    /// `content:`: `http://purl.org/rss/1.0/modules/content/`.
    Content,
    /// `dc:`: `http://purl.org/dc/elements/1.1/`.
    Dc,
    /// Anything else (`wfw:`, `atom:`, a plugin's own).
    Other,
}

const WP_EXPORT: &str = "http://wordpress.org/export/";
const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
const DC: &str = "http://purl.org/dc/elements/1.1/";

/// The vocabulary of an element named `qualified` (`wp:post_id`), whose prefix resolved
/// to `resolved`.
pub(crate) fn classify(qualified: &str, resolved: &ResolveResult<'_>) -> Ns {
    let Some((prefix, _)) = qualified.split_once(':') else {
        // RSS 2.0 has no namespace; a default namespace someone declared changes nothing.
        return Ns::Rss;
    };
    match resolved {
        ResolveResult::Bound(Namespace(uri)) => by_uri(uri),
        _ => by_prefix(prefix),
    }
}

fn by_uri(uri: &str) -> Ns {
    if let Some(rest) = uri.strip_prefix(WP_EXPORT) {
        // `1.2/` or `1.2/excerpt/`.
        if rest.ends_with("/excerpt/") || rest.ends_with("/excerpt") {
            Ns::Excerpt
        } else {
            Ns::Wp
        }
    } else if uri == CONTENT {
        Ns::Content
    } else if uri == DC {
        Ns::Dc
    } else {
        Ns::Other
    }
}

fn by_prefix(prefix: &str) -> Ns {
    match prefix {
        "wp" => Ns::Wp,
        "excerpt" => Ns::Excerpt,
        "content" => Ns::Content,
        "dc" => Ns::Dc,
        _ => Ns::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wxr_version_and_the_excerpt_namespace() {
        for v in ["1.0", "1.1", "1.2"] {
            let wp = format!("http://wordpress.org/export/{v}/");
            let excerpt = format!("{wp}excerpt/");
            let bound = |uri: &str| classify("x:y", &ResolveResult::Bound(Namespace(uri)));
            assert_eq!(bound(&wp), Ns::Wp);
            assert_eq!(bound(&excerpt), Ns::Excerpt);
        }
        assert_eq!(classify("post_id", &ResolveResult::Unbound), Ns::Rss);
        assert_eq!(
            classify("wp:post_id", &ResolveResult::Unknown("wp".into())),
            Ns::Wp
        );
        let wfw = ResolveResult::Bound(Namespace("http://wellformedweb.org/CommentAPI/"));
        assert_eq!(classify("wfw:commentRss", &wfw), Ns::Other);
    }
}
