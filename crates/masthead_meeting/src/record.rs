//! The facts of the meeting outside its motions: who was present and absent (from the part
//! before the first motion: "Present: …", "Members absent: …", "Present were …"), who spoke
//! in public comment, and when it adjourned.

use crate::names;
use crate::sentences::sentence_end;
use crate::{Fact, Motion, Span};

pattern!(
    ATTENDANCE,
    r"(?im)(?:^|[.;]\s+)[ \t]*(?:roll\s+call\s*[:\-–—]?\s*)?(?P<also>also\s+)?(?:(?:board\s+|council\s+|commission\s+)?members?\s+|trustees\s+|commissioners\s+|directors\s+|supervisors\s+|those\s+)?(?P<which>absent\s+and\s+excused|present|absent|excused|in\s+attendance)(?:\s+were|\s+was)?\s*[:\-–—]?\s+"
);
// A roll call set out a member a line: "Commissioner Angela Fox — present".
pattern!(
    ATTENDANCE_A_LINE,
    &format!(
        r"(?m)^[ \t]*{}[ \t]*[,:\-–—][ \t]*(?P<which>(?i:present|absent|excused))[ \t.]*$",
        names::pattern("member")
    )
);
pattern!(
    PRESENT_AFTER,
    r"\b(?i:with)\s+(?P<list>[A-Z][^.\n]{2,200}?)\s+(?i:present)\b"
);
pattern!(
    ADJOURNED,
    r"(?i)\badjourn(?:ed|ment)?\b[^.\n\d]{0,60}?(?:\bat\s+)?(?P<time>\d{1,2}:\d{2}\s*(?:[ap]\.?\s?m\.?)?)"
);
pattern!(
    COMMENT_SECTION,
    r"(?im)^[ \t]*(?:[\dA-Z]{1,2}[.)][ \t]+)?(?:public\s+comments?|citizen\s+comments?|public\s+participation|audience\s+comments?|comments\s+from\s+the\s+public|public\s+forum|public\s+hearing)\b"
);
pattern!(
    SPEAKER,
    r"(?m)(?:^|[.;:]\s+|\n[ \t]*)(?:Residents?\s+)?(?P<speaker>[A-Z][a-z'’\-]+(?: [A-Z]\.| [A-Z][a-z'’\-]+)? [A-Z][A-Za-z'’\-]+)(?:,[^,\n]{1,60},)?\s+(?:of\s+[A-Z][^,\n]{1,40}\s+)?(?:spoke|addressed|asked|said|commented|expressed|requested|voiced|thanked|urged|raised|shared|questioned|objected|complained|praised)\b"
);

/// Members present and absent, from the text before `until` (the first motion).
pub(crate) fn attendance(text: &str, until: usize) -> (Vec<Fact<String>>, Vec<Fact<String>>) {
    let (mut present, mut absent) = (Vec::new(), Vec::new());
    let head = &text[..until];
    for caps in ATTENDANCE.captures_iter(head) {
        let (Some(whole), Some(which)) = (caps.get(0), caps.name("which")) else {
            continue;
        };
        // Staff and guests "also present" are not members.
        if caps.name("also").is_some() {
            continue;
        }
        let end = sentence_end(head, whole.end(), head.len());
        let end = head[whole.end()..end]
            .find('\n')
            .map_or(end, |i| whole.end() + i);
        let list = Span {
            start: whole.end(),
            end,
        };
        let which = which.as_str().to_lowercase();
        let into = if which == "present" || which.ends_with("attendance") {
            &mut present
        } else {
            &mut absent
        };
        for (name, span) in names::list(text, list) {
            into.push(Fact::recorded(name, span));
        }
    }
    for caps in ATTENDANCE_A_LINE.captures_iter(head) {
        let (Some(member), Some(which)) = (caps.name("member"), caps.name("which")) else {
            continue;
        };
        let Some((name, skip)) = names::clean(member.as_str()) else {
            continue;
        };
        let start = member.start() + skip;
        let span = Span {
            start,
            end: start + name.len(),
        };
        let into = if which.as_str().eq_ignore_ascii_case("present") {
            &mut present
        } else {
            &mut absent
        };
        into.push(Fact::recorded(name.to_owned(), span));
    }
    // "… with Supervisors Steger, Hartwig and Klaus present."
    if present.is_empty()
        && let Some(caps) = PRESENT_AFTER.captures(head)
        && let Some(list) = caps.name("list")
    {
        let list = Span {
            start: list.start(),
            end: list.end(),
        };
        for (name, span) in names::list(text, list) {
            present.push(Fact::recorded(name, span));
        }
    }
    (present, absent)
}

/// When the meeting adjourned: the last time the record gives for it.
pub(crate) fn adjourned(text: &str) -> Option<Fact<String>> {
    let caps = ADJOURNED.captures_iter(text).last()?;
    let time = caps.name("time")?;
    let value = time.as_str().trim();
    // "8:06 PM." ends a sentence; "8:06 p.m." keeps its stop.
    let value = match value.strip_suffix('.') {
        Some(bare) if !bare.contains('.') => bare,
        _ => value,
    };
    Some(Fact::recorded(
        value.to_owned(),
        Span {
            start: time.start(),
            end: time.start() + value.len(),
        },
    ))
}

/// People who spoke in public comment: names at the start of a sentence in a public
/// comment section, followed by what they did ("spoke", "asked", "urged" …), outside the
/// motions.
pub(crate) fn speakers(text: &str, motions: &[Motion]) -> Vec<Fact<String>> {
    let mut speakers: Vec<Fact<String>> = Vec::new();
    for section in COMMENT_SECTION.find_iter(text) {
        let end = section_end(text, section.end(), motions);
        for caps in SPEAKER.captures_iter(&text[section.end()..end]) {
            let Some(m) = caps.name("speaker") else {
                continue;
            };
            let Some((name, skip)) = names::clean(m.as_str()) else {
                continue;
            };
            if speakers.iter().any(|s| s.value == name) {
                continue;
            }
            let start = section.end() + m.start() + skip;
            speakers.push(Fact::recorded(
                name.to_owned(),
                Span {
                    start,
                    end: start + name.len(),
                },
            ));
        }
    }
    speakers
}

/// A public comment section ends at the next heading-like line, or motion.
fn section_end(text: &str, from: usize, motions: &[Motion]) -> usize {
    pattern!(
        NEXT_SECTION,
        r"(?m)^[ \t]*(?:(?:\d{1,2}|[A-Z]|[IVX]{1,4})[.)][ \t]+\S|[A-Z][A-Z &/,'\-]{3,}[ \t]*:?[ \t]*$)"
    );
    let next_motion = motions
        .iter()
        .map(|m| m.span.start)
        .find(|&start| start > from)
        .unwrap_or(text.len());
    NEXT_SECTION
        .find_at(&text[..next_motion], from)
        .map_or(next_motion, |m| m.start())
}
