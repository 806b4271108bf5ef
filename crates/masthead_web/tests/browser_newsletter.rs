//! The newsletter's digest editor in real headless Chromium over real HTTP, on both
//! databases, mailing a real SMTP server on loopback, as a newsroom editor meets it: from
//! the desk's nav to the newsletter page and "Write a Daily digest", which lists the day's
//! three stories; an empty subject stopped by the browser and a blank one by the server,
//! which says what to fix (once) and keeps the note typed; the third story, sports,
//! numbered 1 and saved goes first; the wire story left out and saved; that order on the
//! page and in the preview with the note; a test to the editor ("[Test] ...", the server's
//! reply shown); sent now, the worker run (over the served app's state), the two
//! readers' digests with sports first and no wire story, and the page saying "2 sent";
//! both desk pages free of serious accessibility problems.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod newsletter_common;

use masthead_core::Role;
use masthead_testkit::{Browser, SmtpSink, TestApp, TestServer, app_tests};
use newsletter_common::{confirmed_readers, list, stories};
use std::time::{Duration, Instant};

app_tests!(an_editor_writes_orders_tests_and_sends_the_daily_digest);

const SPORTS: &str = "Tigers win the regional final";
const LIBRARY: &str = "Village board approves the new library roof";
const WIRE: &str = "State budget adds money for rural roads";
const NOTE: &str = "Good morning from the newsroom.";
const READERS: [&str; 2] = ["ann@example.org", "bo@example.org"];
const WAIT: Duration = Duration::from_secs(10);

/// Where `needle` is in `haystack`, failing the test with `haystack` when it is not.
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{haystack}"))
}

/// Waits (at most 10 s, the saved page loading) until the send page lists `expected`.
async fn wait_for_order(browser: &Browser, expected: &[&str]) {
    let started = Instant::now();
    loop {
        let labels = browser
            .client()
            .execute(
                "return [...document.querySelectorAll('input[name^=position_]')]
                    .map(i => i.getAttribute('aria-label').replace('Position of ', ''))",
                vec![],
            )
            .await
            .unwrap();
        if labels == serde_json::json!(expected) {
            return;
        }
        assert!(started.elapsed() < WAIT, "{labels} is not {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts the sports story comes before the library one and the wire story is absent.
fn in_new_order(text: &str) {
    assert!(
        at(text, SPORTS) < at(text, LIBRARY),
        "sports first:\n{text}"
    );
    assert!(!text.contains(WIRE), "the wire story was left out:\n{text}");
}

async fn an_editor_writes_orders_tests_and_sends_the_daily_digest(app: TestApp) {
    let sink = SmtpSink::start(&[]);
    let app = app.with_mail(&sink.url());
    stories(&app).await;
    let daily = list(app.store(), "daily").await;
    confirmed_readers(app.store(), daily, &READERS).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;

    // From the nav to a new digest, which starts with the day's stories.
    browser.click("nav a[href='/admin/newsletter']").await;
    browser.wait_for_path("/admin/newsletter").await;
    assert!(browser.accessibility_violations().await.is_empty());
    browser
        .submit("form[action='/admin/newsletter/sends']:has(input[value='daily'])")
        .await;
    let send = browser.wait_for_path_change("/admin/newsletter").await;
    assert!(send.starts_with("/admin/newsletter/sends/"), "{send}");
    let listed = browser.text("main table").await;
    for title in [SPORTS, LIBRARY, WIRE] {
        assert!(listed.contains(title), "{title} in:\n{listed}");
    }

    // An empty subject: the browser stops it and says why.
    browser.fill("#send-intro", NOTE).await;
    browser
        .wait_for("#send-subject")
        .await
        .clear()
        .await
        .unwrap();
    browser.click("button[value='save']").await;
    let why = browser
        .client()
        .execute(
            "return document.getElementById('send-subject').validationMessage",
            vec![],
        )
        .await
        .unwrap();
    assert!(!why.as_str().unwrap().is_empty(), "{why}");
    assert_eq!(browser.current_path().await, send);
    // Spaces only get past the browser: the server says what to fix, and keeps the note.
    browser.fill("#send-subject", "   ").await;
    browser.click("button[value='save']").await;
    browser
        .wait_for_text("[role=alert]", "Subject: write one")
        .await;
    let alerts = browser
        .client()
        .execute(
            "return document.querySelectorAll('[role=alert]').length",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(alerts, 1, "said once, not twice");
    let kept = browser.wait_for("#send-intro").await.prop("value").await;
    assert_eq!(kept.unwrap().as_deref(), Some(NOTE));

    // A proper subject, and the sports story (third of three) numbered 1: it goes first.
    wait_for_order(&browser, &[WIRE, LIBRARY, SPORTS]).await;
    browser.fill("#send-subject", "Tigers head to state").await;
    browser
        .fill(&format!("input[aria-label='Position of {SPORTS}']"), "1")
        .await;
    browser.click("button[value='save']").await;
    browser.wait_for_text("main [role=status]", "Saved.").await;
    assert_eq!(browser.current_path().await, send);
    wait_for_order(&browser, &[SPORTS, WIRE, LIBRARY]).await;
    // Then the wire story left out.
    browser
        .click(&format!("input[aria-label='Leave out {WIRE}']"))
        .await;
    browser.click("button[value='save']").await;
    browser.wait_for_text("main [role=status]", "Saved.").await;
    wait_for_order(&browser, &[SPORTS, LIBRARY]).await;
    assert_eq!(browser.text("#send-intro").await, NOTE);
    assert!(browser.accessibility_violations().await.is_empty());

    // The preview, as readers will see it.
    browser.goto(&server.url(&format!("{send}/preview"))).await;
    let preview = browser.text("body").await;
    in_new_order(&preview);
    assert!(preview.contains(NOTE), "{preview}");

    // A test to the editor alone.
    browser.goto(&server.url(&send)).await;
    browser.click("button[value='test']").await;
    let said = browser
        .wait_for_text("[role=status]", "A test went to editor@example.org")
        .await;
    assert!(said.contains("The server said:"), "{said}");
    let test = sink.wait_for_messages(1, WAIT).await.remove(0);
    assert_eq!(test.rcpt_tos, ["editor@example.org"]);
    let subject = &test.headers["Subject"];
    assert!(subject.starts_with("[Test] "), "{subject}");

    // Sent now; the worker does the rest.
    browser.click("button[value='now']").await;
    browser
        .wait_for_text("main [role=status]", "on its way")
        .await;
    let started = Instant::now();
    while sink.messages().len() < 3 {
        assert!(started.elapsed() < WAIT, "the digests never went");
        app.newsletter_round("w1").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.newsletter_round("w1").await;
    let digests: Vec<_> = sink.messages().into_iter().skip(1).collect();
    let mut to: Vec<_> = digests.iter().flat_map(|m| m.rcpt_tos.clone()).collect();
    to.sort();
    assert_eq!(to, READERS);
    for digest in &digests {
        assert_eq!(digest.headers["Subject"], "Tigers head to state");
        let text = digest.text.as_deref().unwrap();
        in_new_order(text);
        assert!(text.contains(NOTE), "{text}");
        in_new_order(digest.html.as_deref().unwrap());
    }
    browser.goto(&server.url(&send)).await;
    let page = browser.text("main").await;
    assert!(page.contains("confirmed readers · done"), "{page}");
    assert!(page.contains("2 sent"), "{page}");
    browser.close().await;
}
