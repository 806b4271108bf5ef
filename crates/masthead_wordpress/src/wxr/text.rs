//! An element's text put back together. quick-xml hands it over in pieces: text runs,
//! CDATA sections, and each entity or character reference as its own event. WordPress
//! splits a `]]>` inside content into `]]]]><![CDATA[>`, so the pieces are joined as they
//! come, with nothing added or dropped between them. Line ends within each piece are
//! normalised to `\n` as XML requires (a CRLF saved from a Windows browser reads as LF).

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::BytesRef;

/// Why a piece of text could not be added.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TextFault {
    /// The text would pass the field's byte limit.
    TooLong,
    /// An entity reference that is neither predefined nor a character reference.
    UnknownEntity(String),
    /// A character reference to no character (`&#0;`, `&#xD800;`, `&#xZZ;`).
    BadCharRef(String),
}

/// Appends `piece` to `out` unless `out` would pass `max` bytes.
pub(crate) fn push_piece(out: &mut String, piece: &str, max: usize) -> Result<(), TextFault> {
    if out.len().saturating_add(piece.len()) > max {
        return Err(TextFault::TooLong);
    }
    out.push_str(piece);
    Ok(())
}

/// Resolves a reference (`amp`, `#8217`, `#x2019`) and appends it to `out`: the five
/// predefined entities and character references only, because an export has no DTD to
/// define others.
pub(crate) fn push_reference(
    out: &mut String,
    reference: &BytesRef<'_>,
    max: usize,
) -> Result<(), TextFault> {
    let name: &str = reference;
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(ch)) => {
                let mut utf8 = [0u8; 4];
                push_piece(out, ch.encode_utf8(&mut utf8), max)
            }
            _ => Err(TextFault::BadCharRef(name.to_owned())),
        };
    }
    match resolve_predefined_entity(name) {
        Some(text) => push_piece(out, text, max),
        None => Err(TextFault::UnknownEntity(name.to_owned())),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_and_unknown_ones_are_refused() {
        let mut out = String::from("Fish ");
        push_reference(&mut out, &BytesRef::new("amp"), 100).unwrap();
        push_reference(&mut out, &BytesRef::new("#x2019"), 100).unwrap();
        push_reference(&mut out, &BytesRef::new("#8212"), 100).unwrap();
        assert_eq!(out, "Fish &\u{2019}\u{2014}");
        assert_eq!(
            push_reference(&mut out, &BytesRef::new("nbsp"), 100),
            Err(TextFault::UnknownEntity("nbsp".into()))
        );
        assert_eq!(
            push_reference(&mut out, &BytesRef::new("#0"), 100),
            Err(TextFault::BadCharRef("#0".into()))
        );
        assert_eq!(
            push_reference(&mut out, &BytesRef::new("#xD800"), 100),
            Err(TextFault::BadCharRef("#xD800".into()))
        );
    }

    #[test]
    fn the_limit_counts_bytes_of_the_joined_text() {
        let mut out = String::new();
        push_piece(&mut out, "abc", 4).unwrap();
        assert_eq!(push_piece(&mut out, "de", 4), Err(TextFault::TooLong));
        push_piece(&mut out, "d", 4).unwrap();
        assert_eq!(out, "abcd");
    }
}
