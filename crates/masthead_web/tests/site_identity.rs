//! The site's identity in the desk's settings (issue 10 item 7), on both databases: the
//! favicon (a default one at `/favicon.ico`, the chosen image after a change, linked from
//! public and desk pages), the accent colour as a stylesheet (no inline style, the CSP
//! unchanged), footer text and links, social profiles (footer and JSON-LD `sameAs`), the
//! navigation order of sections, the time zone from a list, byline photos uploaded from the
//! byline page; bad input refused naming the fix with nothing saved; cached pages refreshed;
//! the pages pass the HTML checker.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::Request;
use image::ImageEncoder;
use image::codecs::png::PngEncoder;
use masthead_core::Role;
use masthead_testkit::{
    ArticleBuilder, Desk, StaffSession, TestApp, TestResponse, app_tests, assert_valid_html,
};

app_tests!(
    favicon_ships_by_default_and_the_chosen_image_replaces_it,
    accent_colour_reaches_pages_without_inline_style_and_the_csp_is_unchanged,
    footer_links_and_social_profiles_reach_the_footer_and_structured_data,
    sections_follow_the_navigation_order,
    bad_settings_are_refused_naming_the_fix_and_nothing_is_saved,
    time_zone_is_chosen_from_a_list,
    byline_photos_are_uploaded_from_the_byline_page,
    logo_and_favicon_are_uploaded_from_the_settings_page,
    identity_pages_pass_the_html_checker,
);

const BOUNDARY: &str = "masthead-identity-5d1e";

/// A real PNG of `w` × `h` pixels in one colour.
fn png(w: u32, h: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..w * h).flat_map(|_| [31, 78, 121, 255]).collect();
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(&pixels, w, h, image::ExtendedColorType::Rgba8)
        .unwrap();
    bytes
}

/// Posts a `multipart/form-data` form as `who`: the CSRF token first, then `parts`
/// (`(name, file name, content)`).
async fn post_multipart(
    app: &TestApp,
    who: &StaffSession,
    uri: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> TestResponse {
    let mut body = Vec::new();
    let csrf = [("csrf", None, who.csrf.as_bytes())];
    for (name, file_name, content) in csrf.iter().chain(parts) {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                 Content-Type: image/png\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    app.request(
        Request::post(uri)
            .header("cookie", &who.cookie)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// Posts the byline photo form to `path`.
async fn send_photo(
    app: &TestApp,
    who: &StaffSession,
    path: &str,
    file: &[u8],
    alt: &str,
) -> TestResponse {
    let parts: [(&str, Option<&str>, &[u8]); 2] = [
        ("file", Some("ana.png"), file),
        ("alt", None, alt.as_bytes()),
    ];
    post_multipart(app, who, path, &parts).await
}

/// Uploads an image to the media library; its address (`/media/NAME`).
async fn upload(app: &TestApp, who: &StaffSession, alt: &str) -> String {
    let r = post_multipart(
        app,
        who,
        "/admin/media",
        &[
            ("file", Some("icon.png"), &png(64, 64)),
            ("alt", None, alt.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let items = app.store().list_media(1, 0).await.unwrap();
    format!("/media/{}", items[0].storage_name)
}

/// Posts the settings form with the test site's values and `changes` over them.
async fn save_settings(
    app: &TestApp,
    who: &StaffSession,
    changes: &[(&str, &str)],
) -> TestResponse {
    let mut form = vec![
        ("name", "The Test Town Times"),
        ("tagline", "News & notes from Test Town"),
        ("base_url", "https://news.example.org"),
        ("timezone", "America/Chicago"),
        ("page_size", "10"),
    ];
    form.retain(|(k, _)| !changes.iter().any(|(c, _)| c == k));
    form.extend_from_slice(changes);
    app.post_as(who, "/admin/settings", &form).await
}

async fn favicon_ships_by_default_and_the_chosen_image_replaces_it(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status.as_u16(), 200);
    assert_eq!(icon.header("content-type"), "image/x-icon");
    assert!(
        icon.body.as_bytes().starts_with(&[0, 0, 1, 0]),
        "an ICO file"
    );
    let home = app.get("/").await;
    assert!(
        home.body
            .contains("<link rel=\"icon\" href=\"/favicon.ico\">")
    );
    let desk = app.get_as(&root, "/admin").await;
    assert!(
        desk.body
            .contains("<link rel=\"icon\" href=\"/favicon.ico\">")
    );

    let chosen = upload(&app, &root, "The paper's icon").await;
    let r = save_settings(&app, &root, &[("favicon", &chosen)]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let icon = app.get("/favicon.ico").await;
    assert_eq!(icon.status.as_u16(), 200);
    let image = app.get(&chosen).await;
    assert!(icon.header("content-type").starts_with("image/"));
    assert_eq!(icon.header("content-type"), image.header("content-type"));
    assert_eq!(icon.body, image.body, "the chosen image");
    assert_eq!(icon.header("cache-control"), "public, max-age=86400");
    let link = format!("<link rel=\"icon\" href=\"{chosen}\">");
    assert!(
        app.get("/").await.body.contains(&link),
        "cached pages refreshed"
    );
    assert!(app.get_as(&root, "/admin").await.body.contains(&link));

    // Back to the default.
    save_settings(&app, &root, &[("favicon", "")]).await;
    app.refresh().await;
    assert_eq!(
        app.get("/favicon.ico").await.header("content-type"),
        "image/x-icon"
    );
}

async fn accent_colour_reaches_pages_without_inline_style_and_the_csp_is_unchanged(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Levy passes", desk.news)
        .slug("levy-passes")
        .insert(app.store())
        .await;
    app.refresh().await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let before = app.get("/stories/levy-passes").await;
    let csp = before.header("content-security-policy").to_owned();
    assert!(csp.contains("style-src 'self'"), "{csp}");
    assert!(!before.body.contains("accent.css"));

    let r = save_settings(&app, &root, &[("accent", " #1F4E79 ")]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    for path in ["/", "/stories/levy-passes", "/section/news"] {
        let page = app.get(path).await;
        assert!(
            page.body
                .contains("<link rel=\"stylesheet\" href=\"/static/accent.css?v=1f4e79\">"),
            "{path}: {}",
            page.body
        );
        assert!(!page.body.contains("style="), "{path} has an inline style");
        assert!(!page.body.contains("<style"), "{path} has a style element");
        assert_eq!(page.header("content-security-policy"), csp, "{path}");
    }
    let css = app.get("/static/accent.css?v=1f4e79").await;
    assert_eq!(css.status.as_u16(), 200);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    assert!(css.body.contains("--accent: #1f4e79;"), "{}", css.body);
    assert!(css.header("cache-control").contains("immutable"));
    let stale = app.get("/static/accent.css?v=8a1c1c").await;
    assert!(!stale.header("cache-control").contains("immutable"));
    assert_eq!(app.state.config().identity.accent, "#1f4e79");
}

async fn footer_links_and_social_profiles_reach_the_footer_and_structured_data(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Levy passes", desk.news)
        .slug("levy-passes")
        .insert(app.store())
        .await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let r = save_settings(
        &app,
        &root,
        &[
            ("footer_text", "  Independent local news   since 1887. "),
            (
                "footer_links",
                "About us | /about\r\n\r\nSend a tip | https://tips.example.org/ ",
            ),
            (
                "social",
                "https://www.instagram.com/testtowntimes\nhttps://mastodon.social/@ttt",
            ),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let page = app.get("/stories/levy-passes").await;
    let footer = &page.body[page.body.find("<footer").unwrap()..];
    assert!(footer.contains("Independent local news since 1887."));
    assert!(footer.contains("<a href=\"/about\">About us</a>"));
    assert!(footer.contains("<a href=\"https://tips.example.org/\">Send a tip</a>"));
    assert!(footer.contains(
        "<a href=\"https://www.instagram.com/testtowntimes\" rel=\"me\">instagram.com</a>"
    ));
    assert!(
        page.body.contains(
            "\"sameAs\":[\"https://www.instagram.com/testtowntimes\",\"https://mastodon.social/@ttt\"]"
        ),
        "{}",
        page.body
    );
    // The form shows what is stored, tidied.
    let form = app.get_as(&root, "/admin/settings").await;
    assert!(
        form.body
            .contains("About us | /about\nSend a tip | https://tips.example.org/")
    );
}

async fn sections_follow_the_navigation_order(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let nav = |body: &str| {
        let nav = &body[body.find("site-nav").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        (nav.find("Local News").unwrap(), nav.find("Sports").unwrap())
    };
    let (news, sports) = nav(&app.get("/").await.body);
    assert!(news < sports);
    let (n, s) = (
        format!("position_{}", desk.news.0),
        format!("position_{}", desk.sports.0),
    );
    let r = save_settings(&app, &root, &[(&n, "2"), (&s, "1")]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let home = app.get("/").await;
    let (news, sports) = nav(&home.body);
    assert!(sports < news, "Sports first now");
    let footer = &home.body[home.body.find("<footer").unwrap()..];
    assert!(footer.find("Sports").unwrap() < footer.find("Local News").unwrap());
    let names: Vec<String> = app
        .store()
        .sections()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Sports", "Local News"]);
    let log = app.store().audit_log(1, 0).await.unwrap();
    assert!(log[0].detail.contains("section order"), "{}", log[0].detail);
}

async fn bad_settings_are_refused_naming_the_fix_and_nothing_is_saved(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let position = format!("position_{}", desk.sports.0);
    let cases: [(&[(&str, &str)], &str); 9] = [
        (&[("accent", "red")], "six hexadecimal digits"),
        (&[("accent", "#12345")], "six hexadecimal digits"),
        (&[("accent", "#ffee00")], "too light to read"),
        (&[("timezone", "Mars/Olympus")], "choose one from the list"),
        (&[("footer_links", "About us")], "Label | address"),
        (
            &[("footer_links", "Home | javascript:alert(1)")],
            "not an address",
        ),
        (&[("social", "instagram.com/ttt")], "not a full address"),
        (
            &[("favicon", "/media/nothing-here.png")],
            "no image at /media/nothing-here.png",
        ),
        (&[(&position, "first")], "a number from 1 to 999"),
    ];
    for (changes, fix) in cases {
        let mut all = changes.to_vec();
        all.push(("name", "A New Name"));
        let r = save_settings(&app, &root, &all).await;
        assert_eq!(r.status.as_u16(), 422, "{changes:?}: {}", r.body);
        assert!(
            r.body.contains(fix),
            "{changes:?} should say {fix:?}: {}",
            r.body
        );
        assert!(
            r.body.contains("value=\"A New Name\""),
            "the form comes back as typed"
        );
        assert!(
            app.store().settings().await.unwrap().is_empty(),
            "{changes:?} saved something"
        );
    }
    let names: Vec<String> = app
        .store()
        .sections()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["Local News", "Sports"]);
    app.refresh().await;
    assert_eq!(app.state.config().name, "The Test Town Times");
}

async fn time_zone_is_chosen_from_a_list(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let page = app.get_as(&root, "/admin/settings").await;
    assert!(
        page.body
            .contains("<select id=\"timezone\" name=\"timezone\">")
    );
    assert!(
        page.body
            .contains("<option selected>America/Chicago</option>")
    );
    assert!(page.body.contains("<option>Europe/Berlin</option>"));
    assert!(page.body.contains("<option>Pacific/Auckland</option>"));
    let r = save_settings(&app, &root, &[("timezone", "Europe/Berlin")]).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.body.contains("<option selected>Europe/Berlin</option>"));
    app.refresh().await;
    assert_eq!(app.state.config().timezone.name(), "Europe/Berlin");
}

async fn byline_photos_are_uploaded_from_the_byline_page(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let path = format!("/admin/authors/{}/photo", desk.reporter.0);
    let photo = png(120, 160);
    let page = app.get_as(&root, "/admin/sections").await;
    assert!(page.body.contains(&format!("action=\"{path}\"")));

    // Editors do not manage bylines; no alt text, no file, not an image: refused, nothing kept.
    let r = send_photo(&app, &ed, &path, &photo[..], "Ana Reyes").await;
    assert_eq!(r.status.as_u16(), 403);
    let r = send_photo(&app, &root, &path, &photo[..], "  ").await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("alt text"), "{}", r.body);
    let r = send_photo(&app, &root, &path, &b"not an image"[..], "Ana").await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("The photo was not saved"), "{}", r.body);
    assert!(app.store().list_media(10, 0).await.unwrap().is_empty());

    let r = send_photo(&app, &root, &path, &photo[..], "Ana Reyes at her desk").await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    assert_eq!(
        r.header("location"),
        format!("/admin/sections#author-{}", desk.reporter.0)
    );
    app.refresh().await;
    let author = app.get("/author/ana-reyes").await;
    let media = app.store().list_media(1, 0).await.unwrap();
    assert!(
        author.body.contains(&media[0].storage_name),
        "{}",
        author.body
    );
    assert!(author.body.contains("alt=\"Ana Reyes at her desk\""));
    let log = app.store().audit_log(1, 0).await.unwrap();
    assert_eq!(log[0].action, "author.photo");
    let page = app.get_as(&root, "/admin/sections").await;
    assert!(page.body.contains(&format!(
        "class=\"byline-thumb\" src=\"/media/{}\"",
        media[0].storage_name
    )));
    // A byline that does not exist.
    let r = post_multipart(
        &app,
        &root,
        "/admin/authors/9999/photo",
        &[("file", Some("x.png"), &photo), ("alt", None, b"x")],
    )
    .await;
    assert_eq!(r.status.as_u16(), 404);
}

async fn identity_pages_pass_the_html_checker(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Levy passes", desk.news)
        .slug("levy-passes")
        .insert(app.store())
        .await;
    let root = app.staff("root@example.org", Role::Admin).await;
    let logo = upload(&app, &root, "The Test Town Times").await;
    let r = save_settings(
        &app,
        &root,
        &[
            ("logo", &logo),
            ("favicon", &logo),
            ("accent", "#1f4e79"),
            ("footer_text", "Independent since 1887."),
            (
                "footer_links",
                "About us | /about\nSend a tip | https://tips.example.org/",
            ),
            ("social", "https://www.instagram.com/testtowntimes"),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let refused = save_settings(&app, &root, &[("accent", "blue")]).await;
    let settings = app.get_as(&root, "/admin/settings").await;
    let sections = app.get_as(&root, "/admin/sections").await;
    let home = app.get("/").await;
    assert!(home.body.contains(&format!(
        "<img class=\"site-logo\" src=\"{logo}\" alt=\"\">"
    )));
    let story = app.get("/stories/levy-passes").await;
    assert_valid_html(&[
        ("identity_settings", settings.body),
        ("identity_settings_refused", refused.body),
        ("identity_sections", sections.body),
        ("identity_home", home.body),
        ("identity_story", story.body),
    ]);
}

async fn logo_and_favicon_are_uploaded_from_the_settings_page(app: TestApp) {
    let root = app.staff("root@example.org", Role::Admin).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let page = app.get_as(&root, "/admin/settings").await;
    assert!(page.body.contains("action=\"/admin/settings/logo\""));
    let image = png(96, 48);
    let parts: [(&str, Option<&str>, &[u8]); 2] =
        [("file", Some("logo.png"), &image), ("alt", None, b"")];
    let r = post_multipart(&app, &ed, "/admin/settings/logo", &parts).await;
    assert_eq!(r.status.as_u16(), 403);
    let empty: [(&str, Option<&str>, &[u8]); 2] =
        [("file", Some("logo.png"), b""), ("alt", None, b"")];
    let r = post_multipart(&app, &root, "/admin/settings/logo", &empty).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(
        r.body.contains("Logo: choose an image file to upload."),
        "{}",
        r.body
    );
    let junk: [(&str, Option<&str>, &[u8]); 2] = [
        ("file", Some("logo.png"), b"GIF89a nonsense"),
        ("alt", None, b""),
    ];
    let r = post_multipart(&app, &root, "/admin/settings/favicon", &junk).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("The favicon was not changed"), "{}", r.body);
    assert!(app.store().list_media(10, 0).await.unwrap().is_empty());
    assert!(app.store().settings().await.unwrap().is_empty());

    let r = post_multipart(&app, &root, "/admin/settings/logo", &parts).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert!(r.body.contains("Logo uploaded and in use"));
    let media = app.store().list_media(1, 0).await.unwrap();
    assert_eq!(media[0].alt, "The Test Town Times logo");
    let address = format!("/media/{}", media[0].storage_name);
    app.refresh().await;
    assert_eq!(app.state.config().logo, address);
    assert!(
        app.get("/")
            .await
            .body
            .contains(&format!("src=\"{address}\""))
    );
    let r = post_multipart(&app, &root, "/admin/settings/favicon", &parts).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let icon = app.get("/favicon.ico").await;
    assert!(icon.header("content-type").starts_with("image/"));
    assert_ne!(icon.header("content-type"), "image/x-icon");
    assert_eq!(app.state.config().logo, address, "the logo stays");
}
