//! Writes a generated WordPress export for the import's benchmark (docs/PERFORMANCE.md):
//! `--posts N` posts (Gutenberg and classic bodies of about 3 KB, categories, tags, two
//! authors), `--comments M` comments spread over them (a third of them replies), and
//! `--images K` featured images whose files are written to `OUT/uploads`, as a copy of
//! `wp-content/uploads` would be. The export is `OUT/export.xml`, written item by item.
//!
//! `cargo run --release -p masthead_wordpress --example wordpress_export -- \
//!    --posts 100000 --comments 30000 --images 1000 --out /tmp/wp`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../tests/import_common/mod.rs"]
mod import_common;

use import_common::{C, P, SITE, export, jpeg};
use std::io::Write;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map_or_else(
            || std::path::PathBuf::from("wp-bench"),
            std::path::PathBuf::from,
        );
    let (posts, comments, images) = (
        arg("--posts", 1000),
        arg("--comments", 300),
        arg("--images", 20),
    );
    std::fs::create_dir_all(out.join("uploads/2024/03")).unwrap();
    let photos = [
        "village-hall",
        "river-bridge",
        "school",
        "library",
        "stadium",
        "main-street",
    ];
    for n in 0..images {
        let bytes = jpeg(photos[n as usize % photos.len()]);
        std::fs::write(out.join(format!("uploads/2024/03/photo-{n}.jpg")), bytes).unwrap();
    }
    let mut sample = P::post(1, "Sample", "");
    sample.terms = vec![
        ("category".into(), "news".into(), "News".into()),
        ("category".into(), "sports".into(), "Sports".into()),
        ("category".into(), "city-hall".into(), "City Hall".into()),
        ("post_tag".into(), "budget".into(), "budget".into()),
        ("post_tag".into(), "schools".into(), "schools".into()),
    ];
    let shell = export(&[sample]);
    let (head, _) = shell.split_once("\t<item>").unwrap();
    let mut file = std::io::BufWriter::new(std::fs::File::create(out.join("export.xml")).unwrap());
    file.write_all(head.as_bytes()).unwrap();
    let paragraph = "The village board met on Tuesday night and heard from residents about the \
        plan to repave Main Street, the new budget for the library, and the schedule for the \
        summer festival, which organisers expect to draw more visitors than last year. ";
    let mut comment_id = 1;
    let mut buffer = String::new();
    for n in 1..=posts {
        let gutenberg = n % 2 == 0;
        let body: String = (0..8)
            .map(|p| {
                if gutenberg {
                    format!("<!-- wp:paragraph -->\n<p>{paragraph}({n}.{p})</p>\n<!-- /wp:paragraph -->\n\n")
                } else {
                    format!("{paragraph}({n}.{p})\n\n")
                }
            })
            .collect();
        let mut post = P::post(images + n, &format!("Village board story {n}"), &body);
        post.slug = format!("village-board-story-{n}");
        post.creator = if n % 3 == 0 {
            "mhaddad".into()
        } else {
            "jdoe".into()
        };
        post.terms = vec![
            (
                "category".into(),
                ["news", "sports", "city-hall"][n as usize % 3].into(),
                "x".into(),
            ),
            ("post_tag".into(), "budget".into(), "budget".into()),
        ];
        if images > 0 && n % 10 == 0 {
            post.meta
                .push(("_thumbnail_id".into(), ((n / 10) % images + 1).to_string()));
        }
        let share = comments / posts.max(1) + u64::from(n <= comments % posts.max(1));
        for c in 0..share {
            let parent = if c % 3 == 2 { comment_id - 1 } else { 0 };
            post.comments.push(C::new(
                comment_id,
                parent,
                &format!("Reader comment {comment_id} on story {n}."),
            ));
            comment_id += 1;
        }
        buffer.clear();
        post.write(&mut buffer);
        file.write_all(buffer.as_bytes()).unwrap();
    }
    for n in 0..images {
        buffer.clear();
        P::image(
            n + 1,
            &format!("{SITE}/wp-content/uploads/2024/03/photo-{n}.jpg"),
            "A photo",
            0,
        )
        .write(&mut buffer);
        file.write_all(buffer.as_bytes()).unwrap();
    }
    file.write_all(b"</channel>\n</rss>\n").unwrap();
    file.flush().unwrap();
    eprintln!(
        "wrote {} with {posts} posts, {} comments, {images} images",
        out.display(),
        comment_id - 1
    );
}
