//! The desk's static pages and redirects through the real router, on both databases: an
//! editor makes, nests, renames and deletes pages with the forms; a refused save keeps what
//! was typed and says what to fix; authors and contributors are refused; forms need the
//! CSRF token; redirects are added by hand from full addresses, listed, searched and
//! deleted, and the site answers them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use masthead_core::Role;
use masthead_testkit::{StaffSession, TestApp, app_tests, form_body};

fn page_form<'a>(
    title: &'a str,
    slug: &'a str,
    parent: &'a str,
    version: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        ("parent", parent),
        ("menu_order", "1"),
        ("status", "published"),
        ("body_md", "We cover **Cedar Hollow**."),
        ("version", version),
    ]
}

/// The id in a form's redirect to the page's editor.
fn id_of(location: &str) -> String {
    location
        .trim_start_matches("/admin/pages/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

async fn create(app: &TestApp, ed: &StaffSession, form: &[(&str, &str)]) -> String {
    let r = app.post_as(ed, "/admin/pages/new", form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id_of(r.header("location"))
}

async fn editors_make_nest_rename_and_delete_pages(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let desk = app.get_as(&ed, "/admin").await;
    assert!(desk.body.contains("<a href=\"/admin/pages\">Pages</a>"));
    assert!(
        desk.body
            .contains("<a href=\"/admin/redirects\">Redirects</a>")
    );

    let about = create(&app, &ed, &page_form("About", "about", "", "")).await;
    let r = app
        .get_as(&ed, &format!("/admin/pages/{about}?saved=1"))
        .await;
    assert!(r.body.contains("role=\"status\">Saved.</p>"), "{}", r.body);
    let ethics = create(&app, &ed, &page_form("Ethics policy", "", &about, "")).await;
    let list = app.get_as(&ed, "/admin/pages").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body
            .contains("<a href=\"/about/ethics-policy\">/about/ethics-policy</a>")
    );
    assert!(
        list.body.contains("\u{2014} <a href=\"/admin/pages/"),
        "children indented"
    );
    app.refresh().await;
    let r = app.get("/about/ethics-policy").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<strong>Cedar Hollow</strong>"));

    // A refused save keeps every field as typed and names the fix.
    let typed = page_form("Search & find <us>", "search", "", "");
    let r = app.post_as(&ed, "/admin/pages/new", &typed).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("one of the site&#x27;s own addresses"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"Search &amp; find &lt;us&gt;\""));
    assert!(r.body.contains("value=\"search\""));
    assert!(r.body.contains("We cover **Cedar Hollow**.</textarea>"));
    let r = app
        .post_as(
            &ed,
            "/admin/pages/new",
            &page_form("About again", "about", "", ""),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("/about"), "{}", r.body);
    assert!(r.body.contains("value=\"About again\""));
    let mut bad_order = page_form("Order", "order", "", "");
    bad_order[3] = ("menu_order", "first");
    let r = app.post_as(&ed, "/admin/pages/new", &bad_order).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("whole number"));
    assert!(r.body.contains("value=\"first\""));

    // Rename: the child moves, both old addresses redirect.
    let r = app
        .post_as(
            &ed,
            &format!("/admin/pages/{about}"),
            &page_form("About us", "about-us", "", "1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.get_as(&ed, &format!("/admin/pages/{ethics}")).await;
    assert!(r.body.contains("/about-us/ethics-policy"));
    app.refresh().await;
    let r = app.get("/about/ethics-policy/").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/about-us/ethics-policy");
    // A stale form is a conflict that keeps the typing.
    let r = app
        .post_as(
            &ed,
            &format!("/admin/pages/{about}"),
            &page_form("Stale title", "about-us", "", "1"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("value=\"Stale title\""));

    // Delete: refused while a page sits under it, then the child, then it.
    let r = app
        .post_as(&ed, &format!("/admin/pages/{about}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("move or delete them first"));
    for id in [&ethics, &about] {
        let r = app
            .post_as(&ed, &format!("/admin/pages/{id}/delete"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    app.refresh().await;
    assert_eq!(app.get("/about-us").await.status, StatusCode::NOT_FOUND);
    assert!(
        app.get_as(&ed, "/admin/pages")
            .await
            .body
            .contains("No pages yet.")
    );
}

async fn only_editors_and_admins_manage_pages_and_redirects(app: TestApp) {
    for role in [Role::Contributor, Role::Author] {
        let who = app.staff(&format!("{role}@example.org"), role).await;
        for path in ["/admin/pages", "/admin/pages/new", "/admin/redirects"] {
            let r = app.get_as(&who, path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
        let r = app
            .post_as(
                &who,
                "/admin/pages/new",
                &page_form("About", "about", "", ""),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post_as(
                &who,
                "/admin/redirects",
                &[("old_address", "/old"), ("target", "/new")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let desk = app.get_as(&who, "/admin").await;
        assert!(!desk.body.contains("/admin/pages"));
        assert!(!desk.body.contains("/admin/redirects"));
    }
    assert!(app.store().pages().await.unwrap().is_empty());
    assert!(app.store().redirect_for("/old").await.unwrap().is_none());
    let admin = app.staff("root@example.org", Role::Admin).await;
    assert_eq!(
        app.get_as(&admin, "/admin/pages").await.status,
        StatusCode::OK
    );
    // Without the CSRF token nothing is written, for the right role too.
    let body = form_body(&page_form("About", "about", "", ""));
    let r = app.post_raw("/admin/pages/new", &admin.cookie, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let body = form_body(&[("old_address", "/old"), ("target", "/new")]);
    let r = app.post_raw("/admin/redirects", &admin.cookie, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.store().pages().await.unwrap().is_empty());
    assert!(app.store().redirect_for("/old").await.unwrap().is_none());
}

async fn editors_add_search_and_delete_redirects(app: TestApp) {
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let r = app
        .post_as(
            &ed,
            "/admin/redirects",
            &[
                (
                    "old_address",
                    "https://old.example.com/2024/01/02/board-meets/?utm_source=x",
                ),
                ("target", "/stories/board-meets"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app
        .post_as(
            &ed,
            "/admin/redirects",
            &[
                ("old_address", "/?p=123"),
                ("target", "https://partner.example.org/levy"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let r = app.get("/2024/01/02/board-meets").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/stories/board-meets");
    let r = app.get("/?p=123").await;
    assert_eq!(r.header("location"), "https://partner.example.org/levy");

    let list = app.get_as(&ed, "/admin/redirects?added=1").await;
    assert!(list.body.contains("Redirect added."));
    assert!(
        list.body.contains("<code>/2024/01/02/board-meets</code>"),
        "{}",
        list.body
    );
    assert!(list.body.contains("<code>/?p=123</code>"));
    let found = app.get_as(&ed, "/admin/redirects?q=board").await;
    assert!(found.body.contains("board-meets"));
    assert!(!found.body.contains("<code>/?p=123</code>"));
    let none = app.get_as(&ed, "/admin/redirects?q=nothing%25").await;
    assert!(none.body.contains("No redirect's old address contains"));

    // Refused: a target elsewhere that is not a web address, an old address that is not
    // one, a loop. The form comes back as typed.
    for (old, target, status, says) in [
        ("/old", "javascript:alert(1)", 422, "starting with /"),
        ("old.example.com/x", "/new", 422, "full address"),
        (
            "/stories/board-meets",
            "/2024/01/02/board-meets",
            409,
            "loop",
        ),
    ] {
        let r = app
            .post_as(
                &ed,
                "/admin/redirects",
                &[("old_address", old), ("target", target)],
            )
            .await;
        assert_eq!(r.status.as_u16(), status, "{old} → {target}: {}", r.body);
        assert!(r.body.contains(says), "{old}: {}", r.body);
        assert!(r.body.contains(&format!("value=\"{old}\"")));
    }

    // Delete.
    let (rows, _) = app.store().redirects("board", 0).await.unwrap();
    let r = app
        .post_as(&ed, &format!("/admin/redirects/{}/delete", rows[0].id), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/2024/01/02/board-meets").await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .post_as(&ed, &format!("/admin/redirects/{}/delete", rows[0].id), &[])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Eight editors post the same new page at once: one is made, the others are told the
/// address is taken (409, the form kept), none gets a 500.
async fn many_editors_posting_one_page_at_once_make_it_once(app: TestApp) {
    let mut editors = Vec::new();
    for i in 0..8 {
        editors.push(app.staff(&format!("ed{i}@example.org"), Role::Editor).await);
    }
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = editors
        .into_iter()
        .enumerate()
        .map(|(i, ed)| {
            let app = app.clone();
            tokio::spawn(async move {
                let title = format!("Contact {i}");
                let r = app
                    .post_as(
                        &ed,
                        "/admin/pages/new",
                        &page_form(&title, "contact", "", ""),
                    )
                    .await;
                (title, r)
            })
        })
        .collect();
    let mut made = 0;
    for task in tasks {
        let (title, r) = task.await.unwrap();
        match r.status {
            StatusCode::SEE_OTHER => made += 1,
            StatusCode::CONFLICT => {
                assert!(r.body.contains("/contact"), "{}", r.body);
                assert!(r.body.contains(&format!("value=\"{title}\"")));
            }
            other => panic!("{other}: {}", r.body),
        }
    }
    assert_eq!(made, 1);
    assert_eq!(app.store().pages().await.unwrap().len(), 1);
}

app_tests!(
    many_editors_posting_one_page_at_once_make_it_once,
    editors_make_nest_rename_and_delete_pages,
    only_editors_and_admins_manage_pages_and_redirects,
    editors_add_search_and_delete_redirects,
);
