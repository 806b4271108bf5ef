//! Prints the Markdown of a post's HTML read from standard input, or with `--html` the page
//! body masthead renders from it (for trying the converter on a real export's post).
#![allow(missing_docs)]

use masthead_wordpress::body::{ConvertOptions, convert};
use std::io::Read;

fn main() -> std::io::Result<()> {
    let mut html = String::new();
    std::io::stdin().read_to_string(&mut html)?;
    let converted = convert(&html, &ConvertOptions::default());
    if std::env::args().any(|a| a == "--html") {
        print!("{}", masthead_render::render_markdown(&converted.markdown));
    } else {
        print!("{}", converted.markdown);
    }
    eprintln!(
        "images {:?}\nvideos {:?}\nunknown {:?}\npages {} more_at {:?}",
        converted.images,
        converted.videos,
        converted.unknown_shortcodes,
        converted.pages,
        converted.more_at
    );
    Ok(())
}
