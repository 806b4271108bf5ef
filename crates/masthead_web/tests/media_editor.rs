//! The media routes the editor's script uses, through the real router on both databases:
//! an upload asked for as JSON answers with the image and the Markdown that places it (or
//! a JSON refusal, nothing stored); many at once are all kept; the caption is kept on the
//! image; the focal point, set with plain form fields, crops the social card again (the
//! old card is no longer served, the article page points at the new one, and cached pages
//! are made again).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use masthead_core::{ArticleStatus, Role};
use masthead_testkit::{ArticleBuilder, Desk, StaffSession, TestApp, TestResponse, app_tests};
use serde_json::Value;

app_tests!(
    json_uploads_answer_with_the_markdown_and_keep_the_caption,
    json_refusals_say_why_and_store_nothing,
    many_json_uploads_at_once_are_all_kept,
    the_focal_point_crops_the_card_again_and_pages_follow,
    focal_points_outside_the_picture_are_refused_with_the_fix,
);

const BOUNDARY: &str = "x-images-boundary";

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

async fn upload_json(
    app: &TestApp,
    who: &StaffSession,
    name: &str,
    bytes: &[u8],
    alt: &str,
    caption: &str,
) -> TestResponse {
    let mut body = Vec::new();
    let parts: [(&str, Option<&str>, &[u8]); 4] = [
        ("csrf", None, who.csrf.as_bytes()),
        ("file", Some(name), bytes),
        ("alt", None, alt.as_bytes()),
        ("caption", None, caption.as_bytes()),
    ];
    for (field, file, content) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\n\
                     Content-Type: image/jpeg\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{field}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    app.request(
        Request::post("/admin/media")
            .header("cookie", &who.cookie)
            .header("accept", "application/json")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn json(r: &TestResponse) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), status {}: {}",
            r.status,
            &r.body[r.body.len().saturating_sub(1500)..]
        )
    })
}

async fn json_uploads_answer_with_the_markdown_and_keep_the_caption(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let r = upload_json(
        &app,
        &ana,
        "market.jpg",
        &jpeg(900, 600),
        " Stalls [left] ",
        "Saturday",
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/json"));
    let answer = json(&r);
    let item = app.store().list_media(1, 0).await.unwrap().remove(0);
    assert_eq!(item.alt, "Stalls [left]");
    assert_eq!(item.caption, "Saturday");
    let url = format!("/media/{}", item.storage_name);
    assert_eq!(answer["url"], url.as_str());
    assert_eq!(answer["id"], item.id.0);
    assert_eq!(
        answer["markdown"],
        format!("![Stalls \\[left\\]]({url})\n*Saturday*").as_str()
    );
    assert_eq!(
        answer["thumb"],
        format!(
            "/media/{}",
            masthead_media::variant_name(&item.storage_name, 320)
        )
        .as_str()
    );
    // The card was made with the upload, around the centre, and is served.
    assert_eq!(
        item.card_name,
        masthead_media::card_name(&item.storage_name, masthead_media::Focus::CENTER)
    );
    let card = app.get(&format!("/media/{}", item.card_name)).await;
    assert_eq!(card.status, StatusCode::OK);
    let size = image::load_from_memory(&card.bytes).unwrap();
    assert_eq!((size.width(), size.height()), (900, 472));
}

async fn json_refusals_say_why_and_store_nothing(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let r = upload_json(&app, &ana, "a.jpg", b"<svg onload=alert(1)>", "x", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = json(&r)["error"].as_str().unwrap().to_owned();
    assert!(error.contains("JPEG, PNG, WebP or GIF"), "{error}");

    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(21 * 1024 * 1024, 0);
    let r = upload_json(&app, &ana, "big.jpg", &big, "x", "").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let error = json(&r)["error"].as_str().unwrap().to_owned();
    assert!(error.contains("20"), "{error}");

    let r = upload_json(&app, &ana, "a.jpg", &jpeg(40, 40), "x", &"c".repeat(501)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(&r)["error"].as_str().unwrap().contains("Caption"));
    assert!(app.store().list_media(10, 0).await.unwrap().is_empty());

    // Without the token: refused before anything is read.
    let stranger = StaffSession {
        user: ana.user,
        email: ana.email.clone(),
        cookie: ana.cookie.clone(),
        csrf: "wrong".into(),
    };
    let r = upload_json(&app, &stranger, "a.jpg", &jpeg(40, 40), "x", "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.store().list_media(10, 0).await.unwrap().is_empty());
}

async fn many_json_uploads_at_once_are_all_kept(app: TestApp) {
    let ana = app.staff("ana@example.org", Role::Author).await;
    let photo = jpeg(700, 500);
    let uploads = (0..12).map(|i| {
        let (app, ana, photo) = (&app, &ana, &photo);
        async move {
            upload_json(
                app,
                ana,
                &format!("p{i}.jpg"),
                photo,
                &format!("Photo {i}"),
                "",
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(uploads).await;
    for r in &answers {
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let media = app.store().list_media(50, 0).await.unwrap();
    assert_eq!(media.len(), 12);
    let mut alts: Vec<&str> = media.iter().map(|m| m.alt.as_str()).collect();
    alts.sort_unstable();
    alts.dedup();
    assert_eq!(alts.len(), 12);
}

async fn the_focal_point_crops_the_card_again_and_pages_follow(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let r = upload_json(&app, &ed, "tall.jpg", &jpeg(600, 1200), "A tower", "").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let before = app.store().list_media(1, 0).await.unwrap().remove(0);
    ArticleBuilder::new("Tower reopens", desk.news)
        .status(ArticleStatus::Published)
        .image(before.id, "")
        .insert(app.store())
        .await;
    app.refresh().await;
    let page = app.get("/stories/tower-reopens").await;
    assert!(
        page.body
            .contains(&format!("/media/{}\"", before.card_name)),
        "og:image is the card"
    );
    let old_card = app.get(&format!("/media/{}", before.card_name)).await;

    // Plain form fields, as without JavaScript.
    let r = app
        .post_as(
            &ed,
            &format!("/admin/media/{}/focus", before.id.0),
            &[("x", "50"), ("y", "10")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.store().media_item(before.id).await.unwrap();
    assert_eq!((after.focus_x, after.focus_y), (50, 10));
    assert_eq!(
        after.card_name,
        masthead_media::card_name(&after.storage_name, masthead_media::Focus { x: 50, y: 10 })
    );
    let new_card = app.get(&format!("/media/{}", after.card_name)).await;
    assert_eq!(new_card.status, StatusCode::OK);
    assert_ne!(new_card.bytes, old_card.bytes, "cropped higher up");
    assert_eq!(
        app.get(&format!("/media/{}", before.card_name))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "the old card is gone"
    );
    app.refresh().await;
    let page = app.get("/stories/tower-reopens").await;
    assert!(
        page.body.contains(&format!("/media/{}\"", after.card_name)),
        "the page follows"
    );
    let log = app.store().audit_log(10, 0).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "media.focus" && e.detail == "focal point 50% 10%"),
        "audited: {log:?}"
    );
}

async fn focal_points_outside_the_picture_are_refused_with_the_fix(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    upload_json(&app, &ed, "a.jpg", &jpeg(400, 300), "A", "").await;
    let item = app.store().list_media(1, 0).await.unwrap().remove(0);
    for (x, y) in [("120", "5"), ("abc", "5"), ("", ""), ("NaN", "50")] {
        let r = app
            .post_as(
                &ed,
                &format!("/admin/media/{}/focus", item.id.0),
                &[("x", x), ("y", y)],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{x} {y}");
        assert!(r.body.contains("two numbers from 0 to 100"), "{}", r.body);
    }
    let same = app.store().media_item(item.id).await.unwrap();
    assert_eq!(
        (same.focus_x, same.focus_y, same.card_name),
        (50, 50, item.card_name)
    );
    // Another author may not move it.
    let bo = app.staff("bo@example.org", Role::Author).await;
    let r = app
        .post_as(
            &bo,
            &format!("/admin/media/{}/focus", item.id.0),
            &[("x", "1"), ("y", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
