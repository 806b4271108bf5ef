//! The media library's rules: who may upload and describe images, the limits every upload
//! is held to, and what alt text, credits and kept file names may be. The work of decoding
//! and storing an image is `masthead_media`'s and the web layer's.

use crate::{DeskError, Staff};
use masthead_core::{InvalidInput, SiteAction};
use masthead_media::{MediaError, UploadLimits};
use masthead_store::{MediaItem, MediaText};

/// The limits every upload is held to.
pub const LIMITS: UploadLimits = UploadLimits {
    max_bytes: 20 * 1024 * 1024,
    max_side: 12_000,
    max_pixels: 40_000_000,
};

/// The largest request body an upload route should accept: the largest file plus room for
/// the form's other fields and the multipart framing.
pub const MAX_UPLOAD_BODY: usize = LIMITS.max_bytes + 1024 * 1024;

/// Longest alt text accepted, in characters. Alt text is a sentence or two; a longer
/// description belongs in the caption or the story.
pub const MAX_ALT: usize = 1_000;

/// Longest credit line accepted, in characters.
pub const MAX_CREDIT: usize = 200;

/// Longest caption accepted, in characters.
pub const MAX_CAPTION: usize = 500;

/// Longest original file name kept, in characters.
const MAX_ORIGINAL_NAME: usize = 200;

/// Refuses an upload this staff member may not make, or an empty file.
pub fn check_upload(staff: &Staff, byte_len: usize) -> Result<(), DeskError> {
    staff.require(SiteAction::UploadMedia)?;
    if byte_len == 0 {
        return Err(InvalidInput::new(
            "File",
            "choose an image to upload (JPEG, PNG, WebP or GIF).",
        )
        .into());
    }
    Ok(())
}

/// Refuses a change to `item`'s alt text and credit that this staff member may not make:
/// contributors and authors describe only their own uploads.
pub fn check_edit(staff: &Staff, item: &MediaItem) -> Result<(), DeskError> {
    staff.require(SiteAction::UploadMedia)?;
    if staff.can_edit_media(item) {
        Ok(())
    } else {
        Err(DeskError::Forbidden(
            "Only the person who uploaded this image, or an editor, can change its alt text \
             and credit. Ask an editor if it needs fixing."
                .into(),
        ))
    }
}

/// Alt text and credit, trimmed and checked (empty alt text is allowed: the image then
/// cannot lead a published story until someone describes it).
pub fn clean_text(alt: &str, credit: &str) -> Result<(String, String), InvalidInput> {
    let alt = alt.trim();
    let credit = credit.trim();
    // PostgreSQL cannot store NUL in text; refused on both databases alike.
    if alt.contains('\0') {
        return Err(InvalidInput::new(
            "Alt text",
            "remove the NUL character; text may not contain it.",
        ));
    }
    if credit.contains('\0') {
        return Err(InvalidInput::new(
            "Credit",
            "remove the NUL character; text may not contain it.",
        ));
    }
    if alt.chars().count() > MAX_ALT {
        return Err(InvalidInput::new(
            "Alt text",
            format!(
                "keep it under {MAX_ALT} characters; describe what the image shows \
                 and put longer explanations in the caption."
            ),
        ));
    }
    if credit.chars().count() > MAX_CREDIT {
        return Err(InvalidInput::new(
            "Credit",
            format!("keep it under {MAX_CREDIT} characters."),
        ));
    }
    Ok((alt.to_owned(), credit.to_owned()))
}

/// An image's alt text, credit and caption, trimmed and checked as [`clean_text`] does,
/// the caption held to [`MAX_CAPTION`] characters.
pub fn clean_media_text(text: &MediaText) -> Result<MediaText, InvalidInput> {
    let (alt, credit) = clean_text(&text.alt, &text.credit)?;
    let caption = text.caption.trim();
    if caption.contains('\0') {
        return Err(InvalidInput::new(
            "Caption",
            "remove the NUL character; text may not contain it.",
        ));
    }
    if caption.chars().count() > MAX_CAPTION {
        return Err(InvalidInput::new(
            "Caption",
            format!("keep it under {MAX_CAPTION} characters; the story can say more."),
        ));
    }
    Ok(MediaText {
        alt,
        credit,
        caption: caption.to_owned(),
    })
}

/// The Markdown that places an image in a story: `![alt](url)`, and the caption in
/// italics on the next line when there is one. Text that Markdown would read as markup
/// (brackets, stars, underscores, backslashes, `<`) is escaped, and line breaks become
/// spaces, so the words show exactly as typed.
pub fn image_markdown(alt: &str, url: &str, caption: &str) -> String {
    let escape = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        for c in text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
        {
            if matches!(c, '\\' | '[' | ']' | '*' | '_' | '<' | '>' | '`' | '!') {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    let mut md = format!("![{}]({url})", escape(alt));
    if !caption.trim().is_empty() {
        md.push_str(&format!("\n*{}*", escape(caption)));
    }
    md
}

/// The uploader's file name as kept for reference: the last path part (browsers on some
/// systems send a whole path), without control characters, trimmed, at most 200 characters.
/// It is never used to name or find a file.
pub fn clean_original_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_ORIGINAL_NAME)
        .collect()
}

/// The uploader's mistake in a media error (not an image, too large, damaged), if it is
/// one; other media errors are the server's.
pub fn upload_mistake(error: &MediaError) -> Option<InvalidInput> {
    match error {
        MediaError::UnsupportedType | MediaError::TooLarge { .. } | MediaError::Corrupt(_) => {
            Some(InvalidInput::new("File", format!("{error}.")))
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn original_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_original_name("C:\\Users\\ana\\IMG_0001.JPG"),
            "IMG_0001.JPG"
        );
        assert_eq!(clean_original_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_original_name("  board\u{0}\n meeting.png "),
            "board meeting.png"
        );
        assert_eq!(clean_original_name(&"a".repeat(500)).len(), 200);
        assert_eq!(clean_original_name("dir/"), "");
    }

    #[test]
    fn image_markdown_escapes_the_words() {
        assert_eq!(
            image_markdown("A [big] *dog*", "/media/a.jpg", ""),
            "![A \\[big\\] \\*dog\\*](/media/a.jpg)"
        );
        assert_eq!(
            image_markdown("Dog", "/media/a.jpg", " The dog,\n at noon "),
            "![Dog](/media/a.jpg)\n*The dog, at noon*"
        );
    }

    #[test]
    fn long_alt_text_and_credits_are_refused() {
        assert!(clean_text(&"a".repeat(MAX_ALT), "").is_ok());
        assert_eq!(
            clean_text(&"a".repeat(MAX_ALT + 1), "").unwrap_err().field,
            "Alt text"
        );
        assert_eq!(
            clean_text("", &"c".repeat(MAX_CREDIT + 1))
                .unwrap_err()
                .field,
            "Credit"
        );
        assert_eq!(
            clean_text("  A dog  ", " Ana ").ok(),
            Some(("A dog".into(), "Ana".into()))
        );
    }
}
