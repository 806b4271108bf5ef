//! Prints the Markdown of a post's HTML read from standard input (for trying the converter).
#![allow(missing_docs)]

use masthead_wordpress::body::{ConvertOptions, convert};
use std::io::Read;

fn main() -> std::io::Result<()> {
    let mut html = String::new();
    std::io::stdin().read_to_string(&mut html)?;
    let converted = convert(&html, &ConvertOptions::default());
    print!("{}", converted.markdown);
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
