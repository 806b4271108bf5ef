//! The story editor's writing aids (issue 10 item 2) in real headless Chromium over real
//! HTTP, on both databases: paste from Google Docs and Word as clean Markdown (plain text
//! left alone), the formatting toolbar and shortcuts, word count, the address previewed
//! from the headline, the fields of the chosen kind; autosave then a closed tab then the
//! story reopened with the text; text typed after the session ended kept in the browser and
//! offered back, and forgotten at logout; the unsaved-changes warning, gone after a save or
//! a submit; a summary suggested from the story's text, then saved (Enter in the headline
//! still saves).
//!
//! The browser's clipboard cannot be set over WebDriver: a paste is a synthetic
//! `ClipboardEvent` carrying a `DataTransfer`, dispatched in the page.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleId, Role};
use masthead_testkit::{Browser, Desk, TestApp, TestServer, app_tests};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

app_tests!(
    pasting_from_google_docs_and_word_gives_clean_markdown,
    the_toolbar_and_shortcuts_format_the_markdown,
    word_count_address_preview_and_the_fields_of_the_chosen_kind,
    an_autosaved_story_keeps_its_text_through_a_closed_tab,
    text_typed_after_the_session_ended_is_offered_back_by_the_browser,
    logging_out_forgets_the_text_kept_in_the_browser,
    the_unsaved_changes_warning_is_gone_after_a_save_or_a_submit,
    a_summary_suggested_from_the_story_fills_the_box_then_saves,
);

async fn run(browser: &Browser, script: &str, args: Vec<Value>) -> Value {
    browser
        .client()
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

async fn body_value(browser: &Browser) -> String {
    run(
        browser,
        "return document.getElementById('body_md').value;",
        vec![],
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

/// Waits (at most 10 s) until the body is `expected`.
async fn wait_for_body(browser: &Browser, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = body_value(browser).await;
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "body is {now:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sets the section as a person would (with the change event the page listens to).
async fn choose(browser: &Browser, id: &str, value: &str) {
    run(
        browser,
        "const el = document.getElementById(arguments[0]); el.value = arguments[1]; \
         el.dispatchEvent(new Event('change', { bubbles: true }));",
        vec![id.into(), value.into()],
    )
    .await;
}

/// Pastes into an empty body; whether the page let the browser paste (true) or took over.
async fn paste(browser: &Browser, html: Option<&str>, plain: &str) -> bool {
    let script = r"
        const [html, plain] = arguments;
        const area = document.getElementById('body_md');
        area.value = '';
        area.focus();
        area.setSelectionRange(0, 0);
        const data = new DataTransfer();
        if (html) data.setData('text/html', html);
        data.setData('text/plain', plain);
        const event = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
        return area.dispatchEvent(event);
    ";
    run(browser, script, vec![json!(html), json!(plain)])
        .await
        .as_bool()
        .unwrap()
}

const GOOGLE_DOCS: &str = r#"<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5c1e8a3b-7fff-1d2e-9a4b-0c6f2e1d7a90"><h1 dir="ltr" style="line-height:1.38;margin-top:20pt;margin-bottom:6pt;"><span style="font-size:20pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">Council votes</span></h1><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">The council </span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:700;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">approved</span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:italic;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;"> the levy</span><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">. See </span><a href="https://example.org/levy" style="text-decoration:none;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#1155cc;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:underline;-webkit-text-decoration-skip:none;text-decoration-skip-ink:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">the plan</span></a><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;font-style:normal;font-variant:normal;text-decoration:none;vertical-align:baseline;white-space:pre;white-space:pre-wrap;">.</span></p><h2 dir="ltr" style="line-height:1.38;margin-top:18pt;margin-bottom:6pt;"><span style="font-size:16pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">The vote</span></h2><ul style="margin-top:0;margin-bottom:0;padding-inline-start:48px;"><li dir="ltr" style="list-style-type:disc;font-size:11pt;font-family:Arial,sans-serif;color:#000000;" aria-level="1"><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;" role="presentation"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">Five for</span></p></li><li dir="ltr" style="list-style-type:disc;font-size:11pt;font-family:Arial,sans-serif;color:#000000;" aria-level="1"><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;" role="presentation"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;font-weight:400;">Two against</span></p></li></ul><img src=""><!-- a comment --><script>window.pwned = true;</script><style>p { color: red }</style></b><br class="Apple-interchange-newline">"#;

const GOOGLE_DOCS_MARKDOWN: &str = "## Council votes\n\nThe council **approved** _the levy_. See [the plan](https://example.org/levy).\n\n### The vote\n\n- Five for\n- Two against";

const WORD: &str = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head><meta name=ProgId content=Word.Document><style><!-- p.MsoNormal { margin:0in; } --></style></head><body lang=EN-US style='tab-interval:.5in'><!--StartFragment--><p class=MsoNormal><b>Road work</b> starts <span style='font-style:italic;mso-bidi-font-style:normal'>Monday</span>.<o:p></o:p></p><p class=MsoListParagraphCxSpFirst style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Main Street<o:p></o:p></p><p class=MsoListParagraphCxSpLast style='text-indent:-.25in;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>Elm Avenue<o:p></o:p></p><p class=MsoListParagraphCxSpFirst style='text-indent:-.25in;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]>Close the lanes<o:p></o:p></p><p class=MsoListParagraphCxSpLast style='text-indent:-.25in;mso-list:l1 level1 lfo2'><![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]>Repave<o:p></o:p></p><!--EndFragment--></body></html>"#;

const WORD_MARKDOWN: &str = "**Road work** starts _Monday_.\n\n- Main Street\n- Elm Avenue\n\n1. Close the lanes\n2. Repave";

async fn editor_page(app: &TestApp) -> (Desk, TestServer, Browser) {
    let desk = Desk::create(app.store()).await;
    app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    browser.goto(&server.url("/admin/articles/new")).await;
    browser.wait_for("[role='toolbar']").await;
    (desk, server, browser)
}

async fn pasting_from_google_docs_and_word_gives_clean_markdown(app: TestApp) {
    let (_desk, _server, browser) = editor_page(&app).await;
    for (from, html, markdown) in [
        ("Google Docs", GOOGLE_DOCS, GOOGLE_DOCS_MARKDOWN),
        ("Word", WORD, WORD_MARKDOWN),
    ] {
        let browser_pasted = paste(&browser, Some(html), "plain version").await;
        assert!(
            !browser_pasted,
            "{from}: the editor takes an HTML paste over"
        );
        wait_for_body(&browser, markdown).await;
    }
    let pwned = run(&browser, "return window.pwned === true;", vec![]).await;
    assert_eq!(pwned, json!(false), "a pasted script never runs");
    // A web page: headings and links, an image with an address kept, one without dropped.
    let web = r#"<h2>Schedule</h2><p>See <a href="https://example.org/a">the <strong>list</strong></a>.</p><img src="https://example.org/map.png" alt="Map of the route"><img alt="no source">"#;
    assert!(!paste(&browser, Some(web), "Schedule").await);
    wait_for_body(
        &browser,
        "## Schedule\n\nSee [the **list**](https://example.org/a).\n\n![Map of the route](https://example.org/map.png)",
    )
    .await;
    // Plain text: the browser's own paste, untouched.
    assert!(paste(&browser, None, "Just *words* as typed.").await);
    browser.close().await;
}

async fn the_toolbar_and_shortcuts_format_the_markdown(app: TestApp) {
    let (_desk, _server, browser) = editor_page(&app).await;
    let labels = run(
        &browser,
        "return [...document.querySelectorAll('[role=toolbar][aria-label=Formatting] button')]\
         .map(b => b.getAttribute('aria-label'));",
        vec![],
    )
    .await;
    assert_eq!(
        labels,
        json!([
            "Bold",
            "Italic",
            "H2 heading",
            "H3 heading",
            "H4 heading",
            "Link",
            "Quote",
            "Bulleted list",
            "Numbered list"
        ])
    );
    let select = |from: i64, to: i64| {
        run(
            &browser,
            "const a = document.getElementById('body_md'); a.focus(); a.setSelectionRange(arguments[0], arguments[1]);",
            vec![from.into(), to.into()],
        )
    };
    browser.fill("#body_md", "Council meets tonight").await;
    select(0, 7).await;
    browser.click("button[data-format='bold']").await;
    wait_for_body(&browser, "**Council** meets tonight").await;
    // Ctrl+I and Ctrl+K typed in the body.
    select(12, 17).await;
    browser
        .wait_for("#body_md")
        .await
        .send_keys("\u{E009}i\u{E009}")
        .await
        .unwrap();
    wait_for_body(&browser, "**Council** _meets_ tonight").await;
    select(20, 27).await;
    browser
        .wait_for("#body_md")
        .await
        .send_keys("\u{E009}k\u{E009}")
        .await
        .unwrap();
    wait_for_body(&browser, "**Council** _meets_ [tonight](https://)").await;
    browser.click("button[data-format='h2']").await;
    wait_for_body(&browser, "## **Council** _meets_ [tonight](https://)").await;
    browser.fill("#body_md", "One\nTwo").await;
    select(0, 7).await;
    browser.click("button[data-format='numbers']").await;
    wait_for_body(&browser, "1. One\n2. Two").await;
    browser.click("button[data-format='bullets']").await;
    wait_for_body(&browser, "- One\n- Two").await;
    // One tab stop; arrow keys move along the toolbar.
    let moved = run(
        &browser,
        "const bar = document.querySelector('[role=toolbar]'); const first = bar.querySelector('button'); \
         first.focus(); first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })); \
         return [document.activeElement.getAttribute('aria-label'), \
                 [...bar.querySelectorAll('button')].filter(b => b.tabIndex === 0).length];",
        vec![],
    )
    .await;
    assert_eq!(moved, json!(["Italic", 1]));
    browser.close().await;
}

async fn word_count_address_preview_and_the_fields_of_the_chosen_kind(app: TestApp) {
    let (_desk, _server, browser) = editor_page(&app).await;
    browser.fill("#title", "José’s Café & Bakery opens!").await;
    browser
        .wait_for_text("#slug-preview", "/stories/joses-cafe-and-bakery-opens.")
        .await;
    let placeholder = browser.wait_for("#slug").await.attr("placeholder").await;
    assert_eq!(
        placeholder.unwrap().as_deref(),
        Some("joses-cafe-and-bakery-opens")
    );
    browser.fill("#slug", "bakery-opens").await;
    browser
        .wait_for_text("#slug-preview", "/stories/bakery-opens.")
        .await;

    assert_eq!(browser.text("#body-count").await, "No words yet.");
    browser
        .fill(
            "#body_md",
            "The bakery opens at **7 a.m.** on [Main Street](https://example.org/map).",
        )
        .await;
    browser
        .wait_for_text("#body-count", "9 words · about 1 min to read")
        .await;
    let long = "word ".repeat(1150);
    run(
        &browser,
        "const a = document.getElementById('body_md'); a.value = arguments[0]; \
         a.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![long.into()],
    )
    .await;
    browser
        .wait_for_text("#body-count", "1,150 words · about 5 min to read")
        .await;

    let hidden = || {
        run(
            &browser,
            "return Object.fromEntries([...document.querySelectorAll('fieldset[data-kind]')]\
             .map(f => [f.dataset.kind, f.hidden]));",
            vec![],
        )
    };
    assert_eq!(
        hidden().await,
        json!({"video": true, "meeting_brief": true, "roundup": true})
    );
    choose(&browser, "kind", "video").await;
    assert_eq!(
        hidden().await,
        json!({"video": false, "meeting_brief": true, "roundup": true})
    );
    choose(&browser, "kind", "meeting_brief").await;
    assert_eq!(
        hidden().await,
        json!({"video": true, "meeting_brief": false, "roundup": true})
    );
    browser.close().await;
}

/// Waits (at most 15 s) until story `id`'s stored body contains `needle`.
async fn wait_for_stored(app: &TestApp, id: i64, needle: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
        if stored.fields.body_md.contains(needle) {
            return stored.version;
        }
        assert!(
            Instant::now() < deadline,
            "never autosaved {needle:?}: {:?}",
            stored.fields.body_md
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The id in the editor's current address, once it is a story's.
async fn story_id(browser: &Browser) -> i64 {
    let path = browser.wait_for_path_change("/admin/articles/new").await;
    path.trim_start_matches("/admin/articles/").parse().unwrap()
}

/// Closes the current tab, as a person closing it would, and goes on in a new one.
async fn close_tab(browser: &Browser) {
    let client = browser.client();
    let fresh = client.new_window(true).await.unwrap();
    client.close_window().await.unwrap();
    client.switch_to_window(fresh.handle).await.unwrap();
}

async fn an_autosaved_story_keeps_its_text_through_a_closed_tab(app: TestApp) {
    let (desk, server, browser) = editor_page(&app).await;
    browser.fill("#title", "Pool reopens").await;
    choose(&browser, "section", &desk.news.0.to_string()).await;
    browser
        .fill("#body_md", "The pool reopens on Friday.")
        .await;
    // The first autosave creates the draft; the page moves to its address.
    let id = story_id(&browser).await;
    browser.wait_for_text("#autosave-status", "Saved").await;
    let action = browser
        .wait_for("#editor")
        .await
        .attr("action")
        .await
        .unwrap();
    assert_eq!(action, Some(format!("/admin/articles/{id}")));
    wait_for_stored(&app, id, "Friday").await;

    browser
        .wait_for("#body_md")
        .await
        .send_keys(" Lifeguards are hired.")
        .await
        .unwrap();
    let version = wait_for_stored(&app, id, "Lifeguards are hired.").await;
    let shown = browser.wait_for("#editor input[name='version']").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while shown.prop("value").await.unwrap() != Some(version.to_string()) {
        assert!(
            Instant::now() < deadline,
            "the form learns the autosave's version"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    close_tab(&browser).await;

    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    assert_eq!(
        body_value(&browser).await,
        "The pool reopens on Friday. Lifeguards are hired."
    );
    // A save after the autosaves goes over them: no conflict with itself.
    browser.click("button[value='save']").await;
    browser.wait_for_text(".notice", "Saved.").await;
    assert_eq!(app.store().count_articles().await.unwrap(), 1);
    browser.close().await;
}

async fn text_typed_after_the_session_ended_is_offered_back_by_the_browser(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let user = app.create_staff("editor@example.org", Role::Editor).await;
    let server = TestServer::app(&app).await;
    let browser = Browser::start().await;
    browser.log_in(&server, "editor@example.org").await;
    browser.goto(&server.url("/admin/articles/new")).await;
    browser.fill("#title", "Budget hearing").await;
    choose(&browser, "section", &desk.news.0.to_string()).await;
    browser.fill("#body_md", "The hearing is at 6.").await;
    let id = story_id(&browser).await;
    wait_for_stored(&app, id, "hearing is at 6").await;

    // The session ends (a password change ends every session); the writer goes on typing.
    let hash = app
        .store()
        .credentials("editor@example.org")
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    app.store()
        .set_user_password(
            user,
            &hash,
            &masthead_store::Actor::system("test"),
            masthead_core::Clock::now(&*app.clock),
        )
        .await
        .unwrap();
    browser
        .wait_for("#body_md")
        .await
        .send_keys(" Bring questions.")
        .await
        .unwrap();
    browser
        .wait_for_text("#autosave-status", "session has ended")
        .await;
    close_tab(&browser).await;

    browser.log_in(&server, "editor@example.org").await;
    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    assert_eq!(body_value(&browser).await, "The hearing is at 6.");
    browser
        .wait_for_text("#local-copy-title", "Unsaved text in this browser")
        .await;
    browser.click("section.kept button:not(.secondary)").await;
    assert_eq!(
        body_value(&browser).await,
        "The hearing is at 6. Bring questions."
    );
    browser.click("button[value='save']").await;
    browser.wait_for_text(".notice", "Saved.").await;
    wait_for_stored(&app, id, "Bring questions.").await;
    // Saved: the copy in the browser is forgotten, and not offered again.
    browser
        .goto(&server.url(&format!("/admin/articles/{id}")))
        .await;
    browser.wait_for("[role='toolbar']").await;
    let offered = run(
        &browser,
        "return !!document.getElementById('local-copy-title');",
        vec![],
    )
    .await;
    assert_eq!(offered, json!(false));
    browser.close().await;
}

/// Dispatches `beforeunload` in the page: whether the editor asked to stay.
async fn warns_before_leaving(browser: &Browser) -> bool {
    run(
        browser,
        "const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); \
         return e.defaultPrevented;",
        vec![],
    )
    .await
    .as_bool()
    .unwrap()
}

async fn the_unsaved_changes_warning_is_gone_after_a_save_or_a_submit(app: TestApp) {
    let (desk, _server, browser) = editor_page(&app).await;
    assert!(!warns_before_leaving(&browser).await, "nothing typed yet");
    browser.fill("#title", "Snow days").await;
    assert!(
        warns_before_leaving(&browser).await,
        "a headline typed, not saved"
    );
    choose(&browser, "section", &desk.news.0.to_string()).await;
    browser.fill("#body_md", "Schools close.").await;
    let id = story_id(&browser).await;
    wait_for_stored(&app, id, "Schools close.").await;
    browser.wait_for_text("#autosave-status", "Saved").await;
    assert!(!warns_before_leaving(&browser).await, "autosaved");
    browser
        .wait_for("#body_md")
        .await
        .send_keys(" Buses stop.")
        .await
        .unwrap();
    assert!(
        warns_before_leaving(&browser).await,
        "typed since the autosave"
    );
    let previewed = run(
        &browser,
        "const form = document.getElementById('editor'); \
         form.dispatchEvent(new SubmitEvent('submit', { cancelable: true, submitter: form.querySelector(\"button[value='preview']\") })); \
         const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented;",
        vec![],
    )
    .await;
    assert_eq!(
        previewed,
        json!(true),
        "a preview in another tab leaves this page unsaved"
    );
    let submitted = run(
        &browser,
        "const form = document.getElementById('editor'); \
         form.dispatchEvent(new SubmitEvent('submit', { cancelable: true, submitter: form.querySelector(\"button[value='save']\") })); \
         const e = new Event('beforeunload', { cancelable: true }); window.dispatchEvent(e); return e.defaultPrevented;",
        vec![],
    )
    .await;
    assert_eq!(
        submitted,
        json!(false),
        "no warning once the form is submitted"
    );
    browser.close().await;
}

/// A shared newsroom computer: text kept in the browser does not outlive the session's
/// deliberate end (see `text_typed_after_the_session_ended_is_offered_back_by_the_browser`
/// for a session that ended by itself).
async fn logging_out_forgets_the_text_kept_in_the_browser(app: TestApp) {
    let (_desk, _server, browser) = editor_page(&app).await;
    browser.fill("#title", "Not yet saved").await;
    let kept = run(
        &browser,
        "return Object.keys(localStorage).filter(k => k.startsWith('masthead-editor:')).length;",
        vec![],
    )
    .await;
    assert_eq!(kept, json!(1));
    run(
        &browser,
        "window.addEventListener('beforeunload', e => e.stopImmediatePropagation(), true);",
        vec![],
    )
    .await;
    browser.submit("form.logout").await;
    browser.wait_for("#password").await;
    let kept = run(&browser, "return Object.keys(localStorage).length;", vec![]).await;
    assert_eq!(kept, json!(0));
    browser.close().await;
}

/// Issue 14, item 6: the summary box filled from the story's own sentences (before the
/// story has the headline and section a save needs), and kept by the save that follows.
async fn a_summary_suggested_from_the_story_fills_the_box_then_saves(app: TestApp) {
    let (desk, _server, browser) = editor_page(&app).await;
    browser
        .fill(
            "#body_md",
            "The pool on Elm Street reopens on Friday after a summer of repairs.\n\n## Hours\n\n\
             Lifeguards watch the pool every afternoon until Labor Day, the city said.",
        )
        .await;
    browser.click("button[value='suggest_summary']").await;
    browser
        .wait_for_text(".notice", "Suggested from the story's text")
        .await;
    let value = |css: &'static str| {
        let browser = &browser;
        async move {
            let field = browser.wait_for(css).await;
            field.prop("value").await.unwrap().unwrap_or_default()
        }
    };
    let summary = value("#summary").await;
    assert_eq!(
        summary,
        "The pool on Elm Street reopens on Friday after a summer of repairs. \
         Lifeguards watch the pool every afternoon until Labor Day, the city said."
    );
    assert!(value("#body_md").await.ends_with("the city said."));
    browser.fill("#title", "Pool reopens").await;
    choose(&browser, "section", &desk.news.0.to_string()).await;
    // Enter in the headline presses Save, as before the button was added.
    browser
        .wait_for("#title")
        .await
        .send_keys("\u{E007}")
        .await
        .unwrap();
    browser.wait_for_text(".notice", "Saved.").await;
    let id: i64 = browser
        .current_path()
        .await
        .trim_start_matches("/admin/articles/")
        .parse()
        .unwrap();
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(stored.fields.summary, summary);
    browser.close().await;
}
