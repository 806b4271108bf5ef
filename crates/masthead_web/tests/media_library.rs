//! The media library on both backends: uploads through the desk's real router (sniffed,
//! pixel-flood guarded, re-encoded, stored under generated names with responsive sizes),
//! alt text and credit edits, the alt-text rule for publishing, and the public site serving
//! the sizes through `srcset`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use masthead_core::{MediaId, Role, SectionId, Slug};
use masthead_store::ArticleFields;
use masthead_testkit::{
    Desk, StaffSession, TestApp, TestResponse, app_tests, assert_valid_html, t0,
};
use masthead_web::WebError;
use masthead_web::desk::{self, Command, Staff};
use masthead_web::media_library;

app_tests!(
    an_upload_is_stored_with_its_sizes_under_a_generated_name,
    fakes_floods_and_empty_forms_are_refused_and_nothing_is_stored,
    alt_text_gates_publishing_and_pages_use_srcset,
    transparent_images_stay_png_and_are_served_as_png,
    alt_text_edits_are_checked_audited_and_reach_the_pages,
    only_library_files_and_their_listed_sizes_are_served,
    upload_csrf_token_stays_out_of_the_address,
);

/// A photo-like JPEG (a smooth gradient, so re-encoding is quick and sizes are real).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 80)
        .encode_image(&img)
        .unwrap();
    out
}

/// A PNG with real transparency.
fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(width, height, |x, _| Rgba([200, 30, 30, (x % 256) as u8]));
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
        .unwrap();
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A tiny real PNG whose header (with a correct CRC) claims 100000 × 100000 pixels.
fn pixel_flood_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(&[0, 0, 0, 255], 1, 1, image::ExtendedColorType::Rgba8)
        .unwrap();
    assert_eq!(&bytes[12..16], b"IHDR");
    bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

const BOUNDARY: &str = "masthead-test-7f3a9c";

/// A `multipart/form-data` body: `(name, file name, content)` for each part.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: image/jpeg\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Posts a multipart body as `who` to `uri`.
async fn post_multipart(
    app: &TestApp,
    who: &StaffSession,
    uri: &str,
    body: Vec<u8>,
) -> TestResponse {
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

/// Posts the upload form as `who`, with the CSRF token as its first part, as the page's
/// form does.
async fn upload_as(
    app: &TestApp,
    who: &StaffSession,
    file_name: &str,
    bytes: &[u8],
    alt: &str,
    credit: &str,
) -> TestResponse {
    let body = multipart(&[
        ("csrf", None, who.csrf.as_bytes()),
        ("file", Some(file_name), bytes),
        ("alt", None, alt.as_bytes()),
        ("credit", None, credit.as_bytes()),
    ]);
    post_multipart(app, who, "/admin/media", body).await
}

/// The id in a redirect to `/admin/media?uploaded=ID#media-ID`.
fn uploaded_id(r: &TestResponse) -> MediaId {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.header("location");
    let id = location
        .strip_prefix("/admin/media?uploaded=")
        .and_then(|rest| rest.split('#').next())
        .unwrap_or_else(|| panic!("unexpected redirect {location}"));
    MediaId(id.parse().unwrap())
}

/// The names of the files in the media directory, sorted.
fn stored_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&app.state.config().media_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The staff member as the desk's service functions take it.
async fn staff(app: &TestApp, who: &StaffSession, role: Role) -> Staff {
    Staff {
        user: app.store().user(who.user).await.unwrap(),
        role,
    }
}

fn story(title: &str, section: SectionId, image: Option<MediaId>) -> ArticleFields {
    ArticleFields {
        body_md: "The board met on Tuesday.".into(),
        image,
        image_caption: "Trustees on Tuesday.".into(),
        ..ArticleFields::news(title, Slug::from_title(title), section)
    }
}

async fn an_upload_is_stored_with_its_sizes_under_a_generated_name(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Contributor).await;
    let page = app.get_as(&ana, "/admin/media").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(
        r#"action="/admin/media" enctype="multipart/form-data" class="stack narrow">
    <input type="hidden" name="csrf" value="{}">"#,
        ana.csrf
    )));
    assert!(page.body.contains("No images yet"));

    let r = upload_as(
        &app,
        &ana,
        "C:\\fakepath\\IMG_0001.JPG",
        &jpeg(1100, 700),
        "",
        "Ana Reyes / Times",
    )
    .await;
    let id = uploaded_id(&r);
    let item = app.store().media_item(id).await.unwrap();
    assert_eq!(item.original_name, "IMG_0001.JPG", "path parts dropped");
    assert_eq!(item.content_type, "image/jpeg");
    assert_eq!((item.width, item.height), (1100, 700));
    assert_eq!(item.variants, [320, 640, 1024]);
    assert_eq!(item.uploaded_by, Some(ana.user));
    assert_eq!(item.uploader.as_deref(), Some("ana"));
    assert_eq!(item.credit, "Ana Reyes / Times");
    assert!(masthead_media::is_valid_name(&item.storage_name));
    assert!(
        !item.storage_name.contains("IMG"),
        "the original name is metadata only"
    );

    let stem = item.storage_name.trim_end_matches(".jpg");
    let mut expected = vec![
        item.storage_name.clone(),
        format!("{stem}-1024w.jpg"),
        format!("{stem}-320w.jpg"),
        format!("{stem}-640w.jpg"),
        // The social card, cropped around the centre.
        format!("{stem}-c50-50.jpg"),
    ];
    expected.sort();
    assert_eq!(stored_files(&app), expected);
    let stored = std::fs::read(app.state.config().media_dir.join(&item.storage_name)).unwrap();
    assert_eq!(stored.len() as i64, item.byte_size);
    let small = image::load_from_memory(
        &std::fs::read(
            app.state
                .config()
                .media_dir
                .join(format!("{stem}-320w.jpg")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!((small.width(), small.height()), (320, 204));

    // The library after the redirect: the notice, the flag, the thumbnail, the edit form.
    let page = app.get_as(&ana, r.header("location")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Image uploaded. Write its alt text"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Needs alt text"));
    assert!(page.body.contains(&format!(
        r#"<img src="/media/{stem}-320w.jpg" alt="" width="320" height="204""#
    )));
    assert!(
        page.body
            .contains(&format!(r#"action="/admin/media/{}""#, id.0))
    );
    assert!(page.body.contains("IMG_0001.JPG"));
    assert_valid_html(&[("media_library", page.body)]);
}

async fn fakes_floods_and_empty_forms_are_refused_and_nothing_is_stored(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let html = b"<!doctype html><script>alert(document.cookie)</script>";
    let r = upload_as(
        &app,
        &ana,
        "photo.jpg",
        html,
        "A <b>dog</b> on a porch",
        "Ana",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("not a supported image"), "{}", r.body);
    assert!(
        r.body
            .contains("A &lt;b&gt;dog&lt;/b&gt; on a porch</textarea>"),
        "what was typed is kept, escaped"
    );
    assert!(
        r.body
            .contains(r#"name="credit" maxlength="200" value="Ana""#)
    );
    assert_valid_html(&[("media_refused", r.body)]);

    let r = upload_as(&app, &ana, "flood.png", &pixel_flood_png(), "", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("too large"), "{}", r.body);

    let r = upload_as(&app, &ana, "", b"", "", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("choose an image"), "{}", r.body);

    let r = upload_as(&app, &ana, "a.jpg", &jpeg(40, 30), &"x".repeat(1001), "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Alt text: keep it under 1000 characters"));

    // The service answers the same way, and the message is the pipeline's.
    let staff = staff(&app, &ana, Role::Author).await;
    let refused =
        media_library::upload(&app.state, &staff, "photo.jpg", html.to_vec(), &words("x")).await;
    assert!(
        matches!(&refused, Err(WebError::Unprocessable(m)) if m.contains("JPEG, PNG, WebP or GIF")),
        "{refused:?}"
    );

    // Without the CSRF token, nothing is read.
    let forged = app
        .request(
            Request::post("/admin/media")
                .header("cookie", &ana.cookie)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(Body::from(multipart(&[(
                    "file",
                    Some("a.jpg"),
                    &jpeg(40, 30),
                )])))
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    assert!(
        app.store().list_media(10, 0).await.unwrap().is_empty(),
        "no rows"
    );
    assert!(stored_files(&app).is_empty(), "no files");
}

async fn alt_text_gates_publishing_and_pages_use_srcset(app: TestApp) {
    let desk_fixture = Desk::create(app.store()).await;
    let ana = app.staff("ana@example.org", Role::Author).await;
    let staff = staff(&app, &ana, Role::Author).await;
    let image = media_library::upload(
        &app.state,
        &staff,
        "hall.jpg",
        jpeg(1100, 700),
        &words("  "),
    )
    .await
    .unwrap();
    let fields = story("Board approves levy", desk_fixture.news, Some(image));
    let id = desk::create(&app.state, &staff, fields.clone(), Command::Save)
        .await
        .unwrap();
    let version = app.store().desk_article(id).await.unwrap().version;
    let refused = desk::save(
        &app.state,
        &staff,
        id,
        version,
        fields.clone(),
        Command::Publish,
    )
    .await;
    assert!(
        matches!(&refused, Err(WebError::Unprocessable(m)) if m.contains("alt text")),
        "{refused:?}"
    );
    assert_eq!(app.store().desk_article(id).await.unwrap().version, version);

    // Describe it in the library, then publishing works.
    let r = app
        .post_as(
            &ana,
            &format!("/admin/media/{}", image.0),
            &[
                ("alt", "The village hall at dusk"),
                ("credit", "Times photo"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.header("location"),
        format!("/admin/media?saved={0}#media-{0}", image.0)
    );
    desk::save(&app.state, &staff, id, version, fields, Command::Publish)
        .await
        .unwrap();
    app.refresh().await;

    let item = app.store().media_item(image).await.unwrap();
    let stem = item.storage_name.trim_end_matches(".jpg");
    let page = app.get("/stories/board-approves-levy").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!(
            r#"srcset="/media/{stem}-320w.jpg 320w, /media/{stem}-640w.jpg 640w, /media/{stem}-1024w.jpg 1024w, /media/{stem}.jpg 1100w" sizes=""#
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains(r#"alt="The village hall at dusk""#));
    let home = app.get("/").await;
    assert!(
        home.body.contains(&format!("/media/{stem}-640w.jpg 640w")),
        "teasers too"
    );
    assert_valid_html(&[
        ("article_with_srcset", page.body),
        ("home_with_srcset", home.body),
    ]);

    for width in [320, 640, 1024] {
        let name = format!("{stem}-{width}w.jpg");
        let r = app.get(&format!("/media/{name}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.header("content-type"), "image/jpeg");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert_eq!(
            r.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        let file = std::fs::read(app.state.config().media_dir.join(&name)).unwrap();
        assert_eq!(
            r.body,
            String::from_utf8_lossy(&file),
            "{name} served whole"
        );
    }
}

async fn transparent_images_stay_png_and_are_served_as_png(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let id = uploaded_id(
        &upload_as(
            &app,
            &ana,
            "logo.png",
            &transparent_png(400, 100),
            "Logo",
            "",
        )
        .await,
    );
    let item = app.store().media_item(id).await.unwrap();
    assert_eq!(item.content_type, "image/png");
    assert!(item.storage_name.ends_with(".png"));
    assert_eq!(item.variants, [320]);
    for name in [
        item.storage_name.clone(),
        masthead_media::variant_name(&item.storage_name, 320),
    ] {
        let r = app.get(&format!("/media/{name}")).await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert_eq!(r.header("content-type"), "image/png");
    }
}

async fn alt_text_edits_are_checked_audited_and_reach_the_pages(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let id = uploaded_id(&upload_as(&app, &ana, "a.jpg", &jpeg(64, 48), "Old words", "").await);
    let before = app.store().content_state(t0()).await.unwrap().version;

    let long = "y".repeat(1001);
    let r = app
        .post_as(
            &ana,
            &format!("/admin/media/{}", id.0),
            &[("alt", &long), ("credit", "Ana")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Alt text: keep it under 1000 characters"));
    assert!(
        r.body.contains(&format!("{long}</textarea>")),
        "typed text kept"
    );
    assert_eq!(app.store().media_item(id).await.unwrap().alt, "Old words");

    let r = app
        .post_as(
            &ana,
            &format!("/admin/media/{}", id.0),
            &[("alt", "  New words "), ("credit", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let item = app.store().media_item(id).await.unwrap();
    assert_eq!((item.alt.as_str(), item.credit.as_str()), ("New words", ""));
    let after = app.store().content_state(t0()).await.unwrap().version;
    assert!(after > before, "pages showing the image are invalidated");
    let log = app.store().audit_log(10, 0).await.unwrap();
    assert!(
        log.iter().any(|e| e.action == "media.update"
            && e.target == format!("media {}", id.0)
            && e.actor == "ana"),
        "{log:?}"
    );
    let page = app.get_as(&ana, r.header("location")).await;
    assert!(page.body.contains("Alt text, credit and caption saved."));
    assert!(!page.body.contains("Needs alt text"));

    assert_eq!(
        app.post_as(&ana, "/admin/media/999999", &[("alt", "x")])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let staff = staff(&app, &ana, Role::Author).await;
    assert!(matches!(
        media_library::update_text(&app.state, &staff, MediaId(999_999), &words("x")).await,
        Err(WebError::NotFound)
    ));
}

async fn only_library_files_and_their_listed_sizes_are_served(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let id = uploaded_id(&upload_as(&app, &ana, "a.jpg", &jpeg(700, 400), "A field", "").await);
    let item = app.store().media_item(id).await.unwrap();
    assert_eq!(item.variants, [320, 640]);
    let stem = item.storage_name.trim_end_matches(".jpg");
    let dir = &app.state.config().media_dir;
    // A size the library does not list, even with a file behind it, and a stray file.
    std::fs::write(dir.join(format!("{stem}-1024w.jpg")), b"\xff\xd8\xff").unwrap();
    std::fs::write(dir.join("0123456789abcdef.jpg"), b"\xff\xd8\xff").unwrap();
    for path in [
        format!("/media/{stem}-1024w.jpg"),
        "/media/0123456789abcdef.jpg".to_owned(),
        format!("/media/{stem}.png"),
        format!("/media/{stem}.JPG"),
        "/media/..%2Fetc%2Fpasswd".to_owned(),
        "/media/.tmp-abc".to_owned(),
    ] {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        app.get(&format!("/media/{stem}-640w.jpg")).await.status,
        StatusCode::OK
    );
}

async fn upload_csrf_token_stays_out_of_the_address(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let page = app.get_as(&ana, "/admin/media").await;
    assert!(!page.body.contains("?csrf="), "no token in any address");
    let file = jpeg(40, 30);
    let csrf = ana.csrf.as_bytes();
    // The old way, the token in the address: refused.
    let body = multipart(&[("file", Some("a.jpg"), &file)]);
    let uri = format!("/admin/media?csrf={}", ana.csrf);
    assert_eq!(
        post_multipart(&app, &ana, &uri, body).await.status,
        StatusCode::FORBIDDEN
    );
    // The token after the file (the guard would have to read the file to find it), as a
    // file part, or wrong: refused.
    for parts in [
        vec![
            ("file", Some("a.jpg"), file.as_slice()),
            ("csrf", None, csrf),
        ],
        vec![
            ("csrf", Some("token.txt"), csrf),
            ("file", Some("a.jpg"), &file),
        ],
        vec![
            ("csrf", None, b"forged".as_slice()),
            ("file", Some("a.jpg"), &file),
        ],
    ] {
        let r = post_multipart(&app, &ana, "/admin/media", multipart(&parts)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    // A first part far larger than any token is refused after the guard's small prefix,
    // without reading the rest.
    let huge = vec![b'x'; 2 * 1024 * 1024];
    let r = post_multipart(
        &app,
        &ana,
        "/admin/media",
        multipart(&[("csrf", None, &huge), ("file", Some("a.jpg"), &file)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.store().list_media(10, 0).await.unwrap().is_empty());
    // The body limit still holds after the guard replays what it read.
    let big = vec![0u8; 26 * 1024 * 1024];
    let r = post_multipart(
        &app,
        &ana,
        "/admin/media",
        multipart(&[("csrf", None, csrf), ("file", Some("big.jpg"), &big)]),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    // The token first, as the page's form sends it: stored.
    let r = upload_as(&app, &ana, "a.jpg", &file, "A field", "").await;
    uploaded_id(&r);
}

/// Alt text alone, as the library's words.
fn words(alt: &str) -> masthead_store::MediaText {
    masthead_store::MediaText {
        alt: alt.to_owned(),
        ..Default::default()
    }
}
