//! The desk's view of imports (issue 13), on both backends: the imports page lists each
//! run with its counts and every thing it left out, with the old address; a story's editor
//! shows what the import kept beside it (old address, custom fields); contributors are
//! refused the page.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_testkit::{DeskPageFixture, TestApp, app_tests};

app_tests!(the_report_and_the_imported_fields_are_in_the_desk);

async fn the_report_and_the_imported_fields_are_in_the_desk(app: TestApp) {
    let fixture = DeskPageFixture::create(&app).await;
    let page = app.get_as(&fixture.admin, "/admin/imports").await;
    assert_eq!(page.status.as_u16(), 200, "{}", page.body);
    for shown in [
        "ledger.xml from ledger.example",
        "1 stories",
        "2 comments",
        "pingbacks and trackbacks left out: 3",
        "https://ledger.example/2024/03/18/pool/",
        "… and 2 more",
    ] {
        assert!(
            page.body.contains(shown),
            "{shown:?} missing: {}",
            page.body
        );
    }
    let editor = app
        .get_as(&fixture.admin, &format!("/admin/articles/{}", fixture.live))
        .await;
    assert!(editor.body.contains("From the old site"), "{}", editor.body);
    assert!(editor.body.contains("reporter_phone") && editor.body.contains("555-0100"));
    let draft = app
        .get_as(
            &fixture.admin,
            &format!("/admin/articles/{}", fixture.draft),
        )
        .await;
    assert!(
        !draft.body.contains("From the old site"),
        "only imported stories"
    );
    let refused = app.get_as(&fixture.contributor, "/admin/imports").await;
    assert_eq!(refused.status.as_u16(), 403);
}
