//! Old addresses: the key a redirect is stored and looked up under.
//!
//! A site moved to masthead (from WordPress, most often) leaves behind addresses in search
//! engines, bookmarks and other sites' links: `/2024/01/02/board-meets/`, `/?p=123`,
//! `/category/news/`. Each should answer 301 with its new home. The same old address reaches
//! us in many spellings (a trailing slash or not, `%C3%A9` or `é`, `utm_source=…` appended by
//! a newsletter), so a redirect is stored under one normal form, [`redirect_key`], and every
//! request is reduced to the same form before the lookup.
//!
//! The key is the path, percent-decoded, with `//` collapsed and no trailing slash, then the
//! query reduced to the parameters that name content on a WordPress site ([`CONTENT_KEYS`]),
//! sorted. Anything longer than [`MAX_KEY_BYTES`] has no key: no stored redirect is that long,
//! and a lookup is refused before any work on a stranger's huge address.

use crate::InvalidInput;
use percent_encoding::percent_decode_str;
use std::fmt::Write as _;

/// The longest address (path and query as received, and the key made from it) that has a
/// key, in bytes.
pub const MAX_KEY_BYTES: usize = 2_000;

/// The query parameters that name content on a WordPress site, sorted: a post (`p`, `name`),
/// a page (`page_id`, `pagename`), an attachment, a category, a tag, an author, a date archive
/// (`m`, `year`, `monthnum`, `day`) and a feed. Every other parameter (`utm_source`,
/// `fbclid`, `replytocom`, …) is dropped from a key.
pub const CONTENT_KEYS: &[&str] = &[
    "attachment_id",
    "author",
    "cat",
    "day",
    "feed",
    "m",
    "monthnum",
    "name",
    "p",
    "page_id",
    "pagename",
    "tag",
    "year",
];

/// What is escaped again in a key's path, besides controls: the characters that would make
/// it ambiguous (a decoded `?` would start a query) and spaces, which an address cannot hold.
/// Letters beyond ASCII stay as they are: the key is readable UTF-8.
const PATH_ESCAPES: &[char] = &[' ', '%', '?', '#'];

/// What is escaped in a key's query values, besides controls: the separators, and what form
/// decoding changes.
const VALUE_ESCAPES: &[char] = &[' ', '%', '&', '=', '+', '#'];

/// The key of an old address: `path` (as sent, percent-encoded or not) and its `query`
/// (without the `?`), or `None` when it cannot have one (invalid UTF-8 once decoded, a
/// control character in the path, over [`MAX_KEY_BYTES`]).
///
/// `/2024/01/02/Board%20meets/` and `/2024//01/02/Board meets` both give
/// `/2024/01/02/Board meets`; `/?utm_source=x&p=123` gives `/?p=123`; `/?cat=4&p=` gives
/// `/?cat=4` (an empty value names nothing).
pub fn redirect_key(path: &str, query: Option<&str>) -> Option<String> {
    let query = query.unwrap_or("");
    if path.len() + query.len() > MAX_KEY_BYTES {
        return None;
    }
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    if decoded.chars().any(char::is_control) {
        return None;
    }
    let mut key = String::with_capacity(decoded.len() + 1);
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        key.push('/');
        escape_into(&mut key, segment, PATH_ESCAPES);
    }
    if key.is_empty() {
        key.push('/');
    }
    let mut kept: Vec<(&'static str, String)> = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = form_decode(name)?;
        let Some(&known) = CONTENT_KEYS.iter().find(|k| **k == name) else {
            continue;
        };
        let value = form_decode(value)?;
        // The first value of a name counts, as WordPress reads it; an empty one names nothing.
        if value.is_empty() || kept.iter().any(|(k, _)| *k == known) {
            continue;
        }
        kept.push((known, value));
    }
    kept.sort_by_key(|(k, _)| *k);
    let mut sep = '?';
    for (name, value) in kept {
        key.push(sep);
        key.push_str(name);
        key.push('=');
        escape_into(&mut key, &value, VALUE_ESCAPES);
        sep = '&';
    }
    (key.len() <= MAX_KEY_BYTES).then_some(key)
}

/// Whether `query` holds a parameter that names content on a WordPress site
/// ([`CONTENT_KEYS`]), with a value: then even a page this site answers (`/?p=123` is the
/// front page) is first looked up as an old address.
pub fn names_content(query: &str) -> bool {
    query.split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        !value.is_empty() && CONTENT_KEYS.contains(&name)
    })
}

/// The key of an old address given as a whole: a full `http(s)://` URL (its host is
/// ignored: the old site's name is not this one's) or a path starting with `/`; a fragment
/// (`#…`) is dropped. `None` for anything else, or an address that has no key.
pub fn address_key(address: &str) -> Option<String> {
    let address = address.trim();
    let lower = address.get(..8).unwrap_or(address).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &address[8..]
    } else if lower.starts_with("http://") {
        &address[7..]
    } else if address.starts_with('/') && !address.starts_with("//") {
        address
    } else {
        return None;
    };
    // After a scheme, the path starts at the first `/`, `?` or `#` after the host.
    let rest = if address.starts_with('/') {
        rest
    } else {
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        &rest[end..]
    };
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = match rest.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (rest, None),
    };
    redirect_key(if path.is_empty() { "/" } else { path }, query)
}

/// Appends `s` to `out` with controls and `escapes` percent-encoded.
fn escape_into(out: &mut String, s: &str, escapes: &[char]) {
    for c in s.chars() {
        if c.is_control() || escapes.contains(&c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
}

/// Checks where a redirect leads: a path on this site (`/about`, `/stories/board-meets`) or
/// an absolute `http(s)` address elsewhere, returned as stored. The error says which two
/// forms are accepted.
pub fn redirect_target(target: &str) -> Result<String, InvalidInput> {
    let target = target.trim();
    let refuse = |why: &str| {
        Err(InvalidInput::new(
            "target",
            format!(
                "{why}: give a path on this site starting with / (like /about), or a full \
                 address starting with https://"
            ),
        ))
    };
    if target.is_empty() {
        return refuse("the new address is empty");
    }
    if target.len() > MAX_KEY_BYTES {
        return refuse("the new address is over 2,000 characters");
    }
    if target.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return refuse("the new address holds a space or a control character");
    }
    if target.starts_with('/') && !target.starts_with("//") && !target.contains('\\') {
        return Ok(target.to_owned());
    }
    match url::Url::parse(target) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.host_str().is_some_and(|h| !h.is_empty())
                && url.username().is_empty()
                && url.password().is_none() =>
        {
            Ok(url.to_string())
        }
        _ => refuse(&format!("{target:?} is neither a path nor a web address")),
    }
}

/// A query name or value as a browser sends it in a form: `+` for a space, percent-encoded
/// bytes that must be UTF-8.
fn form_decode(s: &str) -> Option<String> {
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_are_decoded_collapsed_and_lose_their_trailing_slash() {
        assert_eq!(
            redirect_key("/2024/01/02/slug/", None).as_deref(),
            Some("/2024/01/02/slug")
        );
        assert_eq!(redirect_key("/", None).as_deref(), Some("/"));
        assert_eq!(redirect_key("", None).as_deref(), Some("/"));
        assert_eq!(redirect_key("//a//b//", None).as_deref(), Some("/a/b"));
        assert_eq!(
            redirect_key("/caf%C3%A9/", None).as_deref(),
            Some("/café"),
            "percent-encoded UTF-8 is decoded"
        );
        assert_eq!(redirect_key("/café", None).as_deref(), Some("/café"));
        assert_eq!(
            redirect_key("/a%20b", None).as_deref(),
            Some("/a%20b"),
            "a space stays escaped, as an address holds it"
        );
        assert_eq!(redirect_key("/bad%FF", None), None, "not UTF-8");
        assert_eq!(redirect_key("/nul%00", None), None, "a control character");
        assert_eq!(
            redirect_key("/what%3Fp=1", None).as_deref(),
            Some("/what%3Fp=1"),
            "a decoded ? is escaped again, so it cannot start a query"
        );
    }

    #[test]
    fn queries_keep_only_content_keys_sorted() {
        assert_eq!(redirect_key("/", Some("p=123")).as_deref(), Some("/?p=123"));
        assert_eq!(
            redirect_key("/", Some("utm_source=news&p=123&fbclid=x")).as_deref(),
            Some("/?p=123")
        );
        assert_eq!(
            redirect_key("/", Some("year=2024&monthnum=01&cat=4")).as_deref(),
            Some("/?cat=4&monthnum=01&year=2024")
        );
        assert_eq!(
            redirect_key("/", Some("utm_source=x")).as_deref(),
            Some("/")
        );
        assert_eq!(
            redirect_key("/", Some("p=&cat=4")).as_deref(),
            Some("/?cat=4")
        );
        assert_eq!(redirect_key("/", Some("p=1&p=2")).as_deref(), Some("/?p=1"));
        assert_eq!(
            redirect_key("/", Some("name=board+meets")).as_deref(),
            Some("/?name=board%20meets")
        );
        assert_eq!(redirect_key("/", Some("name=%FF")), None);
    }

    #[test]
    fn long_addresses_have_no_key() {
        let long = format!("/{}", "a".repeat(MAX_KEY_BYTES));
        assert_eq!(redirect_key(&long, None), None);
        assert!(redirect_key(&long[..MAX_KEY_BYTES], None).is_some());
    }

    #[test]
    fn whole_addresses() {
        assert_eq!(
            address_key("https://old.example.com/2024/01/02/slug/?utm_source=x#top").as_deref(),
            Some("/2024/01/02/slug")
        );
        assert_eq!(
            address_key("HTTP://old.example.com?p=123").as_deref(),
            Some("/?p=123")
        );
        assert_eq!(address_key("http://old.example.com").as_deref(), Some("/"));
        assert_eq!(
            address_key(" /category/news/ ").as_deref(),
            Some("/category/news")
        );
        assert_eq!(address_key("category/news"), None);
        assert_eq!(address_key("//old.example.com/x"), None);
        assert_eq!(address_key("ftp://old.example.com/x"), None);
        assert_eq!(address_key("https://"), None);
    }

    #[test]
    fn targets_are_local_paths_or_web_addresses() {
        assert_eq!(redirect_target(" /about ").as_deref(), Ok("/about"));
        assert_eq!(
            redirect_target("https://example.org/x?y=1").as_deref(),
            Ok("https://example.org/x?y=1")
        );
        for bad in [
            "",
            "about",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "ftp://example.org/",
            "https://user:pw@example.org/",
            "/a b",
        ] {
            let e = redirect_target(bad).unwrap_err();
            assert!(e.message.contains("starting with /"), "{bad}: {e}");
        }
    }

    #[test]
    fn content_keys_are_sorted() {
        let mut sorted = CONTENT_KEYS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, CONTENT_KEYS);
        assert!(names_content("utm_source=x&p=3"));
        assert!(!names_content("p=&utm_source=x"));
        assert!(!names_content("page=2"));
    }

    fn path_part() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                "[a-z0-9-]{1,8}",
                "%[0-9A-F]{2}",
                Just("/".to_owned()),
                Just("é".to_owned()),
                Just("%C3%A9".to_owned()),
                Just("?".to_owned()),
                Just("+".to_owned()),
            ],
            0..12,
        )
        .prop_map(|parts| format!("/{}", parts.concat()))
    }

    fn query_part() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (
                prop_oneof![
                    prop::sample::select(CONTENT_KEYS.to_vec()).prop_map(str::to_owned),
                    "utm_[a-z]{1,6}",
                    "[a-z]{1,4}",
                ],
                "[a-zA-Z0-9+%-]{0,6}",
            ),
            0..6,
        )
        .prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        })
    }

    proptest! {
        #[test]
        fn never_panics_and_stays_bounded(path in ".{0,300}", query in proptest::option::of(".{0,300}")) {
            if let Some(key) = redirect_key(&path, query.as_deref()) {
                prop_assert!(key.len() <= MAX_KEY_BYTES);
                prop_assert!(key.starts_with('/'));
            }
            let _ = address_key(&path);
        }

        #[test]
        fn a_key_is_its_own_key(path in path_part(), query in query_part()) {
            if let Some(key) = redirect_key(&path, Some(&query)) {
                let (p, q) = match key.split_once('?') {
                    Some((p, q)) => (p, Some(q)),
                    None => (key.as_str(), None),
                };
                prop_assert_eq!(redirect_key(p, q), Some(key.clone()));
                prop_assert_eq!(address_key(&key), Some(key.clone()));
            }
        }

        #[test]
        fn slashes_and_noise_do_not_change_a_key(path in path_part(), query in query_part(), noise in "[a-z0-9]{0,8}") {
            let plain = redirect_key(&path, Some(&query));
            let slashed = redirect_key(&format!("{}/", path.replace('/', "//")), Some(&format!("{query}&utm_source={noise}&fbclid={noise}")));
            prop_assert_eq!(plain, slashed);
        }

        #[test]
        fn encoding_a_path_does_not_change_its_key(segments in prop::collection::vec("[a-zé ü-]{1,6}", 1..5)) {
            let plain = format!("/{}", segments.join("/"));
            let encoded: String = plain
                .bytes()
                .map(|b| if b == b'/' { "/".to_owned() } else { format!("%{b:02X}") })
                .collect();
            prop_assert_eq!(redirect_key(&plain, None), redirect_key(&encoded, None));
        }

        #[test]
        fn order_of_content_keys_does_not_matter(query in query_part()) {
            let mut pairs: Vec<&str> = query.split('&').collect();
            let forward = redirect_key("/", Some(&query));
            pairs.reverse();
            // Reversing changes which duplicate comes first; compare only without duplicates.
            let names: Vec<&str> = pairs.iter().map(|p| p.split('=').next().unwrap_or("")).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            prop_assume!(unique.len() == names.len());
            prop_assert_eq!(forward, redirect_key("/", Some(&pairs.join("&"))));
        }
    }
}
