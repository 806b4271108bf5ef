//! `VideoUrl`: the player address of a video post, from the hosts we embed.
//!
//! An editor pastes whatever address the video host shows (a YouTube watch page, a
//! `youtu.be` short link, a Shorts or live link, a Vimeo page or its player address); we turn
//! it into the host's privacy-enhanced player address (`youtube-nocookie.com`, Vimeo with
//! `dnt=1`). Any other host is refused with the list of accepted ones, because the player is
//! framed on our pages: the Content-Security-Policy allows frames only from
//! [`PLAYER_ORIGINS`], and the frame is sandboxed.

use crate::InvalidInput;
use crate::web_url::WebUrl;

/// The origins our player addresses use; the public pages' `frame-src` lists exactly these.
pub const PLAYER_ORIGINS: &[&str] = &[
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
];

/// The hosts an editor may paste addresses from, for the refusal message.
pub const ACCEPTED_HOSTS: &str = "YouTube (youtube.com, youtu.be) and Vimeo (vimeo.com)";

/// A video player address on an accepted host, in its privacy-enhanced form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoUrl(String);

impl VideoUrl {
    /// Turns a YouTube or Vimeo page or player address into the player address we embed.
    ///
    /// # Errors
    ///
    /// `InvalidInput` naming the accepted hosts when the address is not a video on one of
    /// them.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let refuse = || {
            InvalidInput::new(
                "Video address",
                format!(
                    "paste the address of a video on {ACCEPTED_HOSTS}, e.g. \
                     https://www.youtube.com/watch?v=… or https://vimeo.com/…"
                ),
            )
        };
        let url = WebUrl::parse("Video address", text).map_err(|_| refuse())?;
        let url = url.url();
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let query = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let player = match host {
            "youtube.com" | "m.youtube.com" | "music.youtube.com" | "youtube-nocookie.com" => {
                let id = match segments.as_slice() {
                    ["watch"] => query("v"),
                    ["embed" | "shorts" | "live" | "v", id, ..] => Some((*id).to_owned()),
                    _ => None,
                };
                youtube(id.as_deref(), query("t").or_else(|| query("start")))
            }
            "youtu.be" => youtube(
                segments.first().copied(),
                query("t").or_else(|| query("start")),
            ),
            "vimeo.com" | "player.vimeo.com" => vimeo(&segments, query("h")),
            _ => None,
        };
        player.map(Self).ok_or_else(refuse)
    }

    /// Whether stored `text` is already a player address we would produce; pages embed
    /// only those (an address saved before this rule is shown as a plain link instead).
    pub fn is_player(text: &str) -> bool {
        Self::parse(text).is_ok_and(|v| v.0 == text)
    }

    /// The player address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The player address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn youtube(id: Option<&str>, start: Option<String>) -> Option<String> {
    let id = id.filter(|id| {
        id.len() == 11
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })?;
    let mut player = format!("https://www.youtube-nocookie.com/embed/{id}");
    if let Some(seconds) = start.as_deref().and_then(seconds) {
        player.push_str(&format!("?start={seconds}"));
    }
    Some(player)
}

/// `90`, `90s` or `1m30s` as seconds.
fn seconds(t: &str) -> Option<u32> {
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let mut total: u32 = 0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
        } else {
            let n: u32 = number.parse().ok()?;
            number.clear();
            let unit = match c {
                'h' => 3600,
                'm' => 60,
                's' => 1,
                _ => return None,
            };
            total = total.checked_add(n.checked_mul(unit)?)?;
        }
    }
    number.is_empty().then_some(total).filter(|t| *t > 0)
}

fn vimeo(segments: &[&str], hash: Option<String>) -> Option<String> {
    let numeric =
        |s: &&str| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit());
    // vimeo.com/ID, vimeo.com/ID/HASH (unlisted), player.vimeo.com/video/ID,
    // vimeo.com/channels/NAME/ID, vimeo.com/groups/NAME/videos/ID,
    // vimeo.com/showcase/N/video/ID, vimeo.com/album/N/video/ID.
    let (id, hash) = match segments {
        [id] if numeric(id) => (*id, hash),
        [id, h] if numeric(id) => (*id, Some((*h).to_owned())),
        ["video", id] if numeric(id) => (*id, hash),
        ["channels", _, id] if numeric(id) => (*id, hash),
        ["groups", _, "videos", id] if numeric(id) => (*id, hash),
        ["showcase" | "album", _, "video", id] if numeric(id) => (*id, hash),
        _ => return None,
    };
    let mut player = format!("https://player.vimeo.com/video/{id}?dnt=1");
    if let Some(h) = hash.filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        player.push_str(&format!("&h={h}"));
    }
    Some(player)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const YT: &str = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ";

    #[test]
    fn youtube_addresses_in_their_usual_forms_become_the_nocookie_player() {
        for page in [
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&index=2",
            "http://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ",
            "https://youtu.be/dQw4w9WgXcQ?si=abc",
            "https://www.youtube.com/embed/dQw4w9WgXcQ",
            "https://www.youtube.com/shorts/dQw4w9WgXcQ",
            "https://www.youtube.com/live/dQw4w9WgXcQ?feature=share",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            "  https://YOUTU.BE/dQw4w9WgXcQ  ",
        ] {
            assert_eq!(VideoUrl::parse(page).unwrap().as_str(), YT, "{page}");
        }
    }

    #[test]
    fn youtube_start_times_are_kept() {
        assert_eq!(
            VideoUrl::parse("https://youtu.be/dQw4w9WgXcQ?t=90")
                .unwrap()
                .as_str(),
            format!("{YT}?start=90")
        );
        assert_eq!(
            VideoUrl::parse("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s")
                .unwrap()
                .as_str(),
            format!("{YT}?start=90")
        );
    }

    #[test]
    fn vimeo_addresses_become_the_player_without_tracking() {
        for (page, player) in [
            (
                "https://vimeo.com/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://vimeo.com/channels/staffpicks/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://vimeo.com/groups/shortfilms/videos/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://vimeo.com/showcase/123/video/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://player.vimeo.com/video/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://vimeo.com/76979871/abc123def",
                "https://player.vimeo.com/video/76979871?dnt=1&h=abc123def",
            ),
        ] {
            assert_eq!(VideoUrl::parse(page).unwrap().as_str(), player, "{page}");
        }
    }

    #[test]
    fn other_hosts_and_malformed_ids_are_refused_with_the_accepted_hosts() {
        for bad in [
            "https://evil.example/embed/dQw4w9WgXcQ",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=short",
            "https://www.youtube.com/watch?v=dQw4w9WgXc%22",
            "https://www.youtube.com/playlist?list=PL123",
            "https://vimeo.com/about",
            "https://vimeo.com/12345/evil%22hash",
            "javascript:alert(1)",
            "ftp://youtube.com/watch?v=dQw4w9WgXcQ",
            "",
        ] {
            let err = VideoUrl::parse(bad);
            match err {
                Ok(v) if bad == "https://vimeo.com/12345/evil%22hash" => {
                    // The hash is dropped when it is not plain letters and digits.
                    assert_eq!(v.as_str(), "https://player.vimeo.com/video/12345?dnt=1");
                }
                Ok(v) => panic!("{bad:?} was accepted as {v:?}"),
                Err(e) => assert!(e.message.contains("YouTube"), "{e}"),
            }
        }
    }

    #[test]
    fn only_our_own_player_addresses_count_as_players() {
        assert!(VideoUrl::is_player(YT));
        assert!(VideoUrl::is_player(
            "https://player.vimeo.com/video/1?dnt=1"
        ));
        assert!(!VideoUrl::is_player(
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        ));
        assert!(!VideoUrl::is_player("https://evil.example/player"));
        for player in [YT, "https://player.vimeo.com/video/1?dnt=1"] {
            assert!(
                PLAYER_ORIGINS
                    .iter()
                    .any(|o| player.starts_with(&format!("{o}/")))
            );
        }
    }
}
