//! Images served from object storage (a real Garage node on loopback, never a mock) through
//! the real router, on both backends: each is read whole into memory and held until it has
//! been sent, so only `MEDIA_READS_AT_ONCE` are read at a time; a reader who finds every
//! turn taken waits a moment, then is told to retry (503, `Retry-After`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use http_body_util::BodyExt;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageEncoder, Rgb, RgbImage};
use masthead_media::{MediaStorage, S3Storage, storage_name};
use masthead_testkit::{Garage, TestApp, app_tests, insert_image};
use masthead_web::{AppState, MEDIA_READS_AT_ONCE};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

app_tests!(image_reads_from_object_storage_are_a_few_at_a_time_each_held_until_sent);

/// A photo-like JPEG of about 100 KiB.
fn photo() -> Vec<u8> {
    let (width, height) = (800, 450);
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            (x ^ y) as u8,
        ])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// `GET path` through the real application; the response with its body not yet read (a
/// reader still being sent it).
async fn unread(state: &AppState, path: &str) -> Response {
    masthead_web::app(state.clone())
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_of(response: Response) -> Vec<u8> {
    response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec()
}

/// Review of issue 17: reading an image from object storage had no bound, so a stranger
/// asking for many large originals at once made the server hold that many in memory.
async fn image_reads_from_object_storage_are_a_few_at_a_time_each_held_until_sent(
    mut app: TestApp,
) {
    let garage = Garage::with_bucket("media").await;
    let storage = S3Storage::new(&garage.s3_settings("media", "site")).unwrap();
    let photo = photo();
    let name = storage_name("jpg");
    storage.put(&name, photo.clone()).await.unwrap();
    insert_image(app.store(), &name, "A field at dusk", (800, 450)).await;
    app.state = app.state.clone().with_media(Arc::new(storage));
    let path = format!("/media/{name}");

    // Readers not yet sent their image hold every turn.
    let mut held = Vec::new();
    for _ in 0..MEDIA_READS_AT_ONCE {
        let r = unread(&app.state, &path).await;
        assert_eq!(r.status(), StatusCode::OK);
        held.push(r);
    }
    let started = Instant::now();
    let busy = app.get(&path).await;
    assert_eq!(
        busy.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        busy.body
    );
    assert_eq!(busy.header("retry-after"), "30");
    assert!(busy.body.contains("try again in a moment"), "{}", busy.body);
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "the reader waited for a turn before being refused: {:?}",
        started.elapsed()
    );

    // A revalidation reads nothing from the store, so it needs no turn.
    let etag = held[0].headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .request(
            Request::get(&path)
                .header("if-none-match", &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // An image sent gives its turn back; the next reader gets it whole, with its length.
    let sent = held.pop().unwrap();
    assert_eq!(body_of(sent).await, photo);
    let next = app.get(&path).await;
    assert_eq!(next.status, StatusCode::OK);
    assert_eq!(next.bytes, photo);
    assert_eq!(next.header("content-length"), photo.len().to_string());
    assert_eq!(next.header("content-type"), "image/jpeg");
    // A reader who went away (its body dropped unsent) gives its turn back too.
    drop(held.pop());
    assert_eq!(app.get(&path).await.status, StatusCode::OK);
    for r in held {
        assert_eq!(
            body_of(r).await,
            photo,
            "every held reader is sent it whole"
        );
    }

    // Many readers at once, several times the turns: each waits its turn and is served.
    let readers: Vec<_> = (0..4 * MEDIA_READS_AT_ONCE)
        .map(|_| {
            let (state, path) = (app.state.clone(), path.clone());
            tokio::spawn(async move {
                let r = unread(&state, &path).await;
                (r.status(), body_of(r).await)
            })
        })
        .collect();
    for reader in readers {
        let (status, bytes) = reader.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, photo);
    }
    drop(garage);
}
