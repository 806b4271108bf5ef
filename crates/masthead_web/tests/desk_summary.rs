//! The editor's "Suggest a summary" button (issue 14, item 6) through the real router, on
//! both backends: the form comes back with everything typed kept and the summary box filled
//! with sentences of the story's own body, saving nothing (no version, revision or audit
//! entry), for a stored story and a new one, for a contributor too; a body with no usable
//! sentence gets a message and the summary as typed. The click in a browser is in
//! `browser_editor.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_core::{ArticleId, Role};
use masthead_testkit::{Desk, StaffSession, TestApp, app_tests, assert_valid_html};

app_tests!(
    a_suggested_summary_fills_the_box_keeps_the_form_and_saves_nothing,
    a_new_story_gets_a_suggestion_without_being_created,
    a_body_without_sentences_gets_a_message_and_the_summary_as_typed,
);

/// The body of the stories below: a lead, a heading, a list, a quotation and more prose.
const BODY: &str = "The village board approved a new library budget on Monday night, \
raising the tax levy by three percent.\n\n## What it pays for\n\n- A new roof for the library \
building this summer\n- Longer hours on weekends\n\n> The library is the heart of this town.\n\n\
The library budget pays for a new roof and longer weekend hours.\n\nThe board meets again in \
two weeks.";

/// What the button suggests for [`BODY`]: its sentences, not its heading, list or quotation.
const SUGGESTED: &str = "The village board approved a new library budget on Monday night, \
raising the tax levy by three percent. The library budget pays for a new roof and longer \
weekend hours. The board meets again in two weeks.";

/// The summary box as the editor page prints it.
fn summary_box(html: &str) -> &str {
    let start = html
        .find("<textarea id=\"summary\"")
        .expect("the summary box");
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let close = open_end + html[open_end..].find("</textarea>").unwrap();
    &html[open_end..close]
}

/// Creates a draft through the editor's form as `who`; returns its id.
async fn draft(app: &TestApp, who: &StaffSession, desk: &Desk) -> i64 {
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Board passes library budget"),
                ("summary", "The saved summary."),
                ("section", &section),
                ("body_md", "The saved body."),
                ("version", "0"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    r.header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn a_suggested_summary_fills_the_box_keeps_the_form_and_saves_nothing(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, &desk).await;
    let before = app.store().desk_article(ArticleId(id)).await.unwrap();
    let revisions = app.store().revisions(ArticleId(id)).await.unwrap().len();
    let audit = app.store().audit_log(100, 0).await.unwrap().len();

    let section = desk.news.0.to_string();
    let author = desk.reporter.0.to_string();
    let version = before.version.to_string();
    let form = [
        ("version", version.as_str()),
        ("kind", "news"),
        ("title", "Unsaved headline"),
        ("summary", "A summary typed over"),
        ("section", &section),
        ("authors", &author),
        ("body_md", BODY),
        ("tags", "Library, Budget"),
        ("note_kind", "update"),
        ("note_text", "An unsaved note."),
        ("action", "suggest_summary"),
    ];
    let r = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &form)
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(summary_box(&r.body), SUGGESTED);
    assert!(
        r.body.contains("data-suggested"),
        "the page says it is unsaved"
    );
    assert!(
        r.body
            .contains("Suggested from the story&#x27;s text; edit it, then save."),
        "{}",
        r.body
    );
    // Everything else as typed, and the form still saves over the same version.
    assert!(r.body.contains("value=\"Unsaved headline\""));
    assert!(r.body.contains("## What it pays for\n\n- A new roof"));
    assert!(r.body.contains("value=\"Library, Budget\""));
    assert!(r.body.contains("An unsaved note."));
    assert!(
        r.body
            .contains(&format!("name=\"version\" value=\"{version}\""))
    );
    assert!(r.body.contains(&format!("value=\"{author}\" selected")));

    // Nothing was written: the same version, summary, revisions and audit log.
    let after = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(after.version, before.version);
    assert_eq!(after.fields.summary, "The saved summary.");
    assert_eq!(after.fields.title, "Board passes library budget");
    assert!(after.fields.notes.is_empty());
    assert_eq!(
        app.store().revisions(ArticleId(id)).await.unwrap().len(),
        revisions
    );
    assert_eq!(app.store().audit_log(100, 0).await.unwrap().len(), audit);

    // Saving the form as it came back keeps the suggestion.
    let mut save: Vec<(&str, &str)> = form
        .iter()
        .copied()
        .filter(|(k, _)| !matches!(*k, "action" | "summary"))
        .collect();
    save.push(("summary", SUGGESTED));
    save.push(("action", "save"));
    let saved = app
        .post_as(&editor, &format!("/admin/articles/{id}"), &save)
        .await;
    assert_eq!(saved.status.as_u16(), 303, "{}", saved.body);
    let stored = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(stored.fields.summary, SUGGESTED);

    assert_valid_html(&[("suggested-summary", r.body)]);
}

async fn a_new_story_gets_a_suggestion_without_being_created(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    // A contributor may ask: it takes no more than writing a story does.
    let contributor = app.staff("writer@example.org", Role::Contributor).await;
    let section = desk.news.0.to_string();
    let stories = app.store().count_articles().await.unwrap();
    let r = app
        .post_as(
            &contributor,
            "/admin/articles/new",
            &[
                ("version", "0"),
                ("kind", "roundup"),
                ("title", "Around town"),
                ("section", &section),
                ("body_md", ""),
                (
                    "items",
                    "## Library\r\nThe library opens a new reading room for children on Saturday morning.",
                ),
                ("action", "suggest_summary"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    assert_eq!(
        summary_box(&r.body),
        "The library opens a new reading room for children on Saturday morning."
    );
    assert!(r.body.contains("action=\"/admin/articles/new\""));
    assert!(r.body.contains("value=\"Around town\""));
    assert_eq!(app.store().count_articles().await.unwrap(), stories);
}

async fn a_body_without_sentences_gets_a_message_and_the_summary_as_typed(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let id = draft(&app, &editor, &desk).await;
    let before = app.store().desk_article(ArticleId(id)).await.unwrap();
    let section = desk.news.0.to_string();
    let version = before.version.to_string();
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{id}"),
            &[
                ("version", &version),
                ("kind", "news"),
                ("title", "Board passes library budget"),
                ("summary", "My own summary"),
                ("section", &section),
                ("body_md", "## Notes\n\n- roof\n- hours\n\nTo come"),
                ("action", "suggest_summary"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert!(r.body.contains("No summary to suggest"), "{}", r.body);
    assert_eq!(summary_box(&r.body), "My own summary");
    assert!(!r.body.contains("data-suggested"));
    let after = app.store().desk_article(ArticleId(id)).await.unwrap();
    assert_eq!(after.version, before.version);
    assert_eq!(after.fields.summary, "The saved summary.");
}
