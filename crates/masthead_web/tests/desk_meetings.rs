//! The meeting desk through the real router, on both databases: bodies and meetings kept
//! with the desk's forms (an upcoming meeting on the events calendar, a cancelled one
//! marked there); minutes uploaded as text or PDF, pasted, or fetched over real HTTP on
//! loopback; a brief drafted from them, checked beside the record, refused publication
//! until an editor signs it off (audit-logged); the public body page, the original and its
//! anchored text; documents that cannot be read refused with the fix and nothing kept; and
//! many writers at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use masthead_core::{ArticleId, Clock, MeetingId, Role};
use masthead_desk::{Command, SaveOutcome};
use masthead_testkit::meetings::{MINUTES, meeting_desk};
use masthead_testkit::pdf::pdf;
use masthead_testkit::{
    Desk, StaffSession, TestApp, TestResponse, TestServer, app_tests, fixture_editor,
    multipart_body, t0,
};

fn body_form<'a>(name: &'a str, members: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("kind", "village board"),
        ("place", "Village Hall, 12 Main St."),
        ("about", "Five trustees and a president."),
        ("members", members),
    ]
}

/// The id at the end of a redirect's address (`/admin/meetings/7?done=…` → 7).
fn id_in(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn add_body(app: &TestApp, who: &StaffSession, name: &str) -> i64 {
    let r = app
        .post_as(
            who,
            "/admin/bodies",
            &body_form(name, "Dana Ortiz | President"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let bodies = app.store().public_bodies().await.unwrap();
    bodies
        .iter()
        .rev()
        .find(|b| b.fields.name == name)
        .unwrap()
        .id
        .0
}

async fn add_meeting(
    app: &TestApp,
    who: &StaffSession,
    body: i64,
    date: &str,
    status: &str,
) -> i64 {
    let body = body.to_string();
    let form = [
        ("body", body.as_str()),
        ("date", date),
        ("time", "19:00"),
        ("place", ""),
        ("status", status),
    ];
    let r = app.post_as(who, "/admin/meetings", &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id_in(r.header("location"))
}

/// Posts the document form as the page does: the CSRF token first, then the fields.
async fn upload(
    app: &TestApp,
    who: &StaffSession,
    meeting: i64,
    file: Option<(&str, &[u8])>,
    pasted: &str,
) -> TestResponse {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![
        ("csrf", None, who.csrf.as_bytes()),
        ("kind", None, b"minutes"),
        ("public", None, b"on"),
    ];
    if let Some((name, bytes)) = file {
        parts.push(("file", Some(name), bytes));
    }
    parts.push(("text", None, pasted.as_bytes()));
    let (content_type, body) = multipart_body(&parts);
    app.request(
        Request::post(format!("/admin/meetings/{meeting}/documents"))
            .header("cookie", &who.cookie)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

async fn documents(app: &TestApp, meeting: i64) -> usize {
    app.store()
        .meeting_documents(MeetingId(meeting))
        .await
        .unwrap()
        .len()
}

async fn bodies_and_meetings_are_kept_and_upcoming_ones_reach_the_calendar(app: TestApp) {
    Desk::create(app.store()).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let contributor = app.staff("co@example.org", Role::Contributor).await;
    let r = app.get_as(&contributor, "/admin/meetings").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_as(
            &contributor,
            "/admin/bodies",
            &body_form("School Board", ""),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A wrong line among the members: refused, everything typed kept, the fix named.
    let bad = body_form(
        "Cedar Hollow Village Board",
        "Dana Ortiz | President | May 2025",
    );
    let r = app.post_as(&author, "/admin/bodies", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("write a term&#x27;s dates as 2025-05-01"),
        "{}",
        r.body
    );
    assert!(r.body.contains("Dana Ortiz | President | May 2025"));
    assert!(app.store().public_bodies().await.unwrap().is_empty());

    let body = add_body(&app, &author, "Cedar Hollow Village Board").await;
    // The test clock stands at 27 November 2026.
    let meeting = add_meeting(&app, &author, body, "2026-12-09", "scheduled").await;
    app.refresh().await;
    let events = app.get("/events").await;
    assert!(
        events.body.contains("Cedar Hollow Village Board meeting"),
        "{}",
        events.body
    );
    let ics = app.get("/events.ics").await;
    assert!(
        ics.body
            .contains("SUMMARY:Cedar Hollow Village Board meeting"),
        "{}",
        ics.body
    );
    let page = app.get("/bodies/cedar-hollow-village-board").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Dana Ortiz, President"), "{}", page.body);
    assert!(
        page.body.contains("Wednesday, December 9, 2026, 7:00 PM"),
        "{}",
        page.body
    );
    let index = app.get("/bodies").await;
    assert!(
        index
            .body
            .contains("<a href=\"/bodies/cedar-hollow-village-board\">"),
        "{}",
        index.body
    );
    masthead_testkit::assert_valid_html(&[
        ("body.html", page.body.clone()),
        ("bodies.html", index.body.clone()),
    ]);

    // Called off: the calendar says so, and no second event appears.
    let body_id = body.to_string();
    let form = [
        ("body", body_id.as_str()),
        ("date", "2026-12-09"),
        ("time", "19:00"),
        ("place", "Fire Hall"),
        ("status", "cancelled"),
    ];
    let r = app
        .post_as(&author, &format!("/admin/meetings/{meeting}"), &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.refresh().await;
    let ics = app.get("/events.ics").await;
    assert_eq!(
        ics.body
            .matches("SUMMARY:Cedar Hollow Village Board meeting")
            .count(),
        1
    );
    assert!(ics.body.contains("STATUS:CANCELLED"), "{}", ics.body);
    assert!(ics.body.contains("LOCATION:Fire Hall"), "{}", ics.body);
    let audit = app.store().audit_log(20, 0).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "meeting.edit"));
    assert!(audit.iter().any(|e| e.action == "body.create"));
}

async fn minutes_become_a_brief_that_publishes_only_after_an_editor_signs_it_off(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let body = add_body(&app, &author, "Cedar Hollow Village Board").await;
    let meeting = add_meeting(&app, &author, body, "2026-11-04", "held").await;

    let r = upload(
        &app,
        &author,
        meeting,
        Some(("minutes.txt", MINUTES.as_bytes())),
        "",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let doc = app
        .store()
        .meeting_documents(MeetingId(meeting))
        .await
        .unwrap()[0]
        .clone();
    assert_eq!(doc.content_type, "text/plain; charset=utf-8");

    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/{}/brief", doc.id),
            &[("section", section.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let brief = id_in(r.header("location"));
    let story = app.store().desk_article(ArticleId(brief)).await.unwrap();
    assert_eq!(
        story.fields.title,
        "Cedar Hollow Village Board approves a $48,000 contract with Acme Painting to repaint the water tower"
    );
    assert!(
        story
            .fields
            .summary
            .starts_with("Motion by Trustee Ruiz, seconded by Trustee Hale")
    );
    assert!(
        MINUTES.replace('\n', " ").contains(&story.fields.summary),
        "{}",
        story.fields.summary
    );
    let decisions = &story.fields.parts.meeting().unwrap().decisions;
    let rows: Vec<(&str, &str)> = decisions
        .iter()
        .map(|d| (d.vote.as_str(), d.outcome.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("3-1", "passed"),
            ("1-3", "failed"),
            ("unanimously", "tabled")
        ]
    );
    assert!(
        story.fields.body_md.contains("Voting no: Lee."),
        "{}",
        story.fields.body_md
    );
    assert!(
        story.fields.body_md.contains("/text#at-"),
        "{}",
        story.fields.body_md
    );
    assert!(
        story.fields.body_md.starts_with(
            "The [Cedar Hollow Village Board](/bodies/cedar-hollow-village-board) met Wednesday, November 4, 2026"
        ),
        "{}",
        story.fields.body_md
    );

    // Beside the record: each fact marked, the passages anchored.
    let review = app.get_as(&author, &format!("/admin/briefs/{brief}")).await;
    assert_eq!(review.status, StatusCode::OK);
    assert!(
        review.body.contains("how-recorded\">recorded"),
        "{}",
        review.body
    );
    assert!(review.body.contains("<mark id=\"at-"), "{}", review.body);
    assert!(
        !review.body.contains("Sign off the facts"),
        "authors do not sign off"
    );

    // The editor links to the check, and says the brief cannot publish yet.
    let edit = app
        .get_as(&author, &format!("/admin/articles/{brief}"))
        .await;
    assert!(
        edit.body.contains(&format!(
            "<a href=\"/admin/briefs/{brief}\">Check against the record</a>"
        )),
        "{}",
        edit.body
    );
    assert!(edit.body.contains("facts not yet signed off"));

    // Publishing before sign-off is refused, on the desk's one path.
    let staff = fixture_editor(app.store()).await;
    let now = app.clock.now();
    let refused = masthead_desk::save(
        app.store(),
        &staff,
        ArticleId(brief),
        story.version,
        story.fields.clone(),
        Command::Publish,
        now,
    )
    .await;
    let message = refused.err().unwrap().to_string();
    assert!(message.contains("no editor has signed off"), "{message}");
    let r = app
        .post_as(&author, &format!("/admin/briefs/{brief}/sign-off"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = app
        .post_as(&editor, &format!("/admin/briefs/{brief}/sign-off"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let signed = app
        .store()
        .meeting_brief(ArticleId(brief))
        .await
        .unwrap()
        .unwrap();
    assert!(signed.signed_off_at.is_some());
    let audit = app.store().audit_log(20, 0).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "meeting.sign_off")
        .unwrap();
    assert_eq!(entry.target, format!("article {brief}"));
    let published = masthead_desk::save(
        app.store(),
        &staff,
        ArticleId(brief),
        story.version,
        story.fields.clone(),
        Command::Publish,
        now,
    )
    .await
    .unwrap();
    assert!(matches!(published, SaveOutcome::Saved { .. }));

    // Readers: the brief and the record on the body's page, the original, its text.
    app.refresh().await;
    let page = app.get("/bodies/cedar-hollow-village-board").await;
    assert!(
        page.body
            .contains(&format!("/stories/{}", story.fields.slug)),
        "{}",
        page.body
    );
    let original = app
        .get(&format!(
            "/bodies/cedar-hollow-village-board/documents/{}",
            doc.id
        ))
        .await;
    assert_eq!(original.status, StatusCode::OK);
    assert_eq!(original.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(original.header("x-content-type-options"), "nosniff");
    assert_eq!(original.body, MINUTES);
    let text = app
        .get(&format!(
            "/bodies/cedar-hollow-village-board/documents/{}/text",
            doc.id
        ))
        .await;
    let anchor = story
        .fields
        .body_md
        .split("/text#")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        text.body
            .contains(&format!("<mark id=\"{anchor}\">Motion by Trustee Ruiz")),
        "{}",
        text.body
    );
    masthead_testkit::assert_valid_html(&[
        ("text.html", text.body.clone()),
        ("body.html", page.body.clone()),
    ]);
    let article = app.get(&format!("/stories/{}", story.fields.slug)).await;
    assert!(article.body.contains("3-1"), "{}", article.body);
}

async fn a_pdf_pasted_text_and_a_fetched_file_are_all_read(app: TestApp) {
    let app = app.allowing_local_fetch();
    let desk = Desk::create(app.store()).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let body = add_body(&app, &author, "Cedar Hollow Village Board").await;
    let meeting = add_meeting(&app, &author, body, "2026-11-04", "held").await;
    let lines: Vec<(u32, u32, &str)> = vec![
        (72, 700, "Present: Trustees Ruiz, Hale and Lee."),
        (
            72,
            680,
            "Motion by Trustee Ruiz, seconded by Trustee Hale, to approve the claims of",
        ),
        (72, 666, "$12,400. Motion carried 3-0."),
    ];
    let file = pdf(&[lines], "", "");
    let r = upload(&app, &author, meeting, Some(("minutes.pdf", &file)), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = upload(&app, &author, meeting, None, MINUTES).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    let served =
        TestServer::start(Router::new().route("/minutes/nov-4.txt", get(|| async { MINUTES })))
            .await;
    let url = served.url("/minutes/nov-4.txt");
    let fetch = [("url", url.as_str()), ("kind", "minutes"), ("public", "on")];
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/fetch"),
            &fetch,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let docs = app
        .store()
        .meeting_documents(MeetingId(meeting))
        .await
        .unwrap();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0].content_type, "application/pdf");
    assert_eq!(docs[2].source_url, url);
    assert_eq!(docs[2].file_name, "nov-4.txt");
    let (_, text) = app
        .store()
        .meeting_document(docs[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!(text.contains("Motion carried 3-0"), "{text}");
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/{}/brief", docs[0].id),
            &[("section", section.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let story = app
        .store()
        .desk_article(ArticleId(id_in(r.header("location"))))
        .await
        .unwrap();
    assert_eq!(
        story.fields.parts.meeting().unwrap().decisions[0].vote,
        "3-0"
    );

    // A fetch that cannot be made says why and keeps nothing.
    let missing = served.url("/minutes/none.pdf");
    let fetch = [("url", missing.as_str()), ("kind", "minutes")];
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/fetch"),
            &fetch,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("404"), "{}", r.body);
    assert!(r.body.contains(&missing), "the address stays typed");
    assert_eq!(documents(&app, meeting).await, 3);
}

async fn a_local_address_is_not_fetched_unless_the_operator_allows_it(app: TestApp) {
    Desk::create(app.store()).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let body = add_body(&app, &author, "Cedar Hollow Village Board").await;
    let meeting = add_meeting(&app, &author, body, "2026-11-04", "held").await;
    let fetch = [
        ("url", "http://127.0.0.1:9/minutes.pdf"),
        ("kind", "minutes"),
    ];
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/fetch"),
            &fetch,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(documents(&app, meeting).await, 0);
}

async fn documents_that_cannot_be_read_are_refused_with_the_fix_and_nothing_kept(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let author = app.staff("au@example.org", Role::Author).await;
    let body = add_body(&app, &author, "Cedar Hollow Village Board").await;
    let meeting = add_meeting(&app, &author, body, "2026-11-04", "held").await;
    let encrypt = "/Encrypt << /Filter /Standard /V 1 /R 2 \
        /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >> \
        /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ";
    let nested = format!("/Junk {}{} ", "[".repeat(300_000), "]".repeat(300_000));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("scan.pdf", pdf(&[vec![]], "", ""), "no text"),
        (
            "locked.pdf",
            pdf(&[vec![(72, 700, "Roll call.")]], "", encrypt),
            "password",
        ),
        ("nested.pdf", pdf(&[], &nested, ""), "could not be read"),
        (
            "minutes.pdf",
            b"Motion by Ruiz to approve.".to_vec(),
            "is named as a PDF but is not one",
        ),
        (
            "minutes.docx",
            vec![0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0xfe],
            "neither a PDF nor plain text",
        ),
        ("empty.txt", b"  \n".to_vec(), "is empty"),
    ];
    for (name, bytes, says) in &cases {
        let r = upload(&app, &author, meeting, Some((name, bytes)), "").await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            r.body
        );
        assert!(r.body.contains(says), "{name}: {}", r.body);
    }
    assert_eq!(documents(&app, meeting).await, 0);
    // Pasted text survives a refusal.
    let r = upload(
        &app,
        &author,
        meeting,
        Some(("minutes.pdf", b"not a pdf")),
        "Our notes, kept",
    )
    .await;
    assert!(r.body.contains("Our notes, kept"), "{}", r.body);

    // Text in another language, or prose with no motions: kept as the record, but no brief
    // is drafted from it, and the editor is told what to do instead.
    let foreign = "Acta de la sesión. El concejo aprobó el presupuesto por unanimidad.";
    let r = upload(&app, &author, meeting, None, foreign).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let doc = app
        .store()
        .meeting_documents(MeetingId(meeting))
        .await
        .unwrap()[0]
        .id;
    let section = desk.news.0.to_string();
    let r = app
        .post_as(
            &author,
            &format!("/admin/meetings/{meeting}/documents/{doc}/brief"),
            &[("section", section.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Write the brief by hand"), "{}", r.body);
    assert!(
        app.store()
            .meeting_briefs(MeetingId(meeting))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn many_writers_at_once_all_succeed(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let made = meeting_desk(app.store(), desk.news, t0()).await;
    let staff = fixture_editor(app.store()).await;
    let now = t0();
    // Eight bodies of one name, eight documents and eight briefs of one meeting, at once.
    let bodies = (0..8).map(|_| {
        let (store, staff) = (app.store().clone(), staff.clone());
        tokio::spawn(async move {
            let fields = masthead_store::BodyFields {
                name: "Planning Commission".into(),
                kind: "planning commission".into(),
                place: String::new(),
                about: String::new(),
                members: Vec::new(),
            };
            masthead_desk::meetings::create_body(&store, &staff, fields, now).await
        })
    });
    let docs = (0..8).map(|i| {
        let (store, staff) = (app.store().clone(), staff.clone());
        tokio::spawn(async move {
            let upload = masthead_desk::meetings::DocumentUpload {
                kind: "minutes".into(),
                file_name: format!("copy-{i}.txt"),
                bytes: MINUTES.as_bytes().to_vec(),
                source_url: String::new(),
                public: true,
            };
            masthead_desk::meetings::add_document(
                &store,
                &staff,
                made.meeting,
                upload,
                MINUTES.into(),
                now,
            )
            .await
            .map(|_| ())
        })
    });
    let briefs = (0..8).map(|_| {
        let (store, staff) = (app.store().clone(), staff.clone());
        tokio::spawn(async move {
            let request = masthead_desk::meeting_brief::BriefRequest {
                meeting: made.meeting,
                document: made.document,
                section: desk.news,
                timezone: chrono_tz::America::Chicago,
                narrative: None,
            };
            masthead_desk::meeting_brief::draft_brief(&store, &staff, request, now)
                .await
                .map(|_| ())
        })
    });
    for done in futures_util::future::join_all(bodies).await {
        done.unwrap().unwrap();
    }
    let results = futures_util::future::join_all(docs.chain(briefs)).await;
    for done in results {
        done.unwrap().unwrap();
    }
    let slugs: std::collections::HashSet<String> = app
        .store()
        .public_bodies()
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.fields.name == "Planning Commission")
        .map(|b| b.slug)
        .collect();
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    assert_eq!(
        app.store()
            .meeting_documents(made.meeting)
            .await
            .unwrap()
            .len(),
        9
    );
    let briefs = app.store().meeting_briefs(made.meeting).await.unwrap();
    assert_eq!(briefs.len(), 9);

    // Eight upcoming meetings of one body added at once, each with its calendar event, and
    // eight editors signing one brief off at once: one row, signed, each sign-off logged.
    let meetings = (0..8).map(|i| {
        let (store, staff) = (app.store().clone(), staff.clone());
        tokio::spawn(async move {
            let draft = masthead_desk::meetings::MeetingDraft {
                body: made.body.0.to_string(),
                date: format!("2026-12-{:02}", 10 + i),
                time: "19:00".into(),
                place: String::new(),
                status: "scheduled".into(),
            };
            let calendar = masthead_testkit::meetings::calendar();
            masthead_desk::meetings::create_meeting(&store, &staff, &draft, &calendar, now)
                .await
                .map(|_| ())
        })
    });
    let sign_offs = (0..8).map(|_| {
        let (store, staff) = (app.store().clone(), staff.clone());
        tokio::spawn(async move {
            masthead_desk::meeting_brief::sign_off(&store, &staff, made.brief, now).await
        })
    });
    let results = futures_util::future::join_all(meetings.chain(sign_offs)).await;
    for done in results {
        done.unwrap().unwrap();
    }
    let upcoming = app.store().body_meetings(made.body).await.unwrap();
    let announced: std::collections::HashSet<_> =
        upcoming.iter().filter_map(|m| m.event_id).collect();
    assert_eq!(announced.len(), 8, "one event each: {upcoming:?}");
    assert!(
        app.store()
            .meeting_brief(made.brief)
            .await
            .unwrap()
            .unwrap()
            .signed_off_at
            .is_some()
    );
    let audit = app.store().audit_log(200, 0).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "meeting.sign_off")
            .count(),
        8
    );
}

app_tests!(
    bodies_and_meetings_are_kept_and_upcoming_ones_reach_the_calendar,
    minutes_become_a_brief_that_publishes_only_after_an_editor_signs_it_off,
    a_pdf_pasted_text_and_a_fetched_file_are_all_read,
    a_local_address_is_not_fetched_unless_the_operator_allows_it,
    documents_that_cannot_be_read_are_refused_with_the_fix_and_nothing_kept,
    many_writers_at_once_all_succeed,
);

/// What the stand-in model was sent: the `Authorization` header and the JSON body.
type Asked = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

/// An OpenAI-compatible chat endpoint on loopback answering `content` with `status`.
async fn model(status: u16, content: &'static str) -> (TestServer, Asked) {
    use axum::http::HeaderMap;
    let asked: Asked = Default::default();
    let kept = asked.clone();
    let app = Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default();
                kept.lock()
                    .unwrap()
                    .push((auth, serde_json::from_str(&body).unwrap()));
                let answer = serde_json::json!({
                    "choices": [{"message": {"role": "assistant", "content": content}}]
                });
                (StatusCode::from_u16(status).unwrap(), answer.to_string())
            }
        }),
    );
    (TestServer::start(app).await, asked)
}

/// Drafts a brief of the fixture's minutes with the prose helper asked for, through the
/// meeting page's form; the answer is the redirect.
async fn draft_with_prose(
    app: &TestApp,
    ed: &StaffSession,
    section: masthead_core::SectionId,
    made: masthead_testkit::meetings::MeetingDesk,
) -> TestResponse {
    let section = section.0.to_string();
    let uri = format!(
        "/admin/meetings/{}/documents/{}/brief",
        made.meeting, made.document
    );
    let r = app
        .post_as(ed, &uri, &[("section", section.as_str()), ("prose", "on")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r
}

async fn the_prose_helper_writes_from_the_facts_and_is_checked_and_disclosed(app: TestApp) {
    let (server, asked) = model(
        200,
        "The Cedar Hollow Village Board approved a $48,000 contract with Acme Painting on a \
         3-1 vote.\n\nMayor Smith called it a $50,000 bargain.",
    )
    .await;
    let key = "sk-test-4f1c9e-never-shown";
    let app = app.with_prose_helper(&server.url("/v1"), key);
    let desk = Desk::create(app.store()).await;
    let made = meeting_desk(app.store(), desk.news, t0()).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let page = app
        .get_as(&ed, &format!("/admin/meetings/{}", made.meeting))
        .await;
    assert!(
        page.body.contains("name=\"prose\""),
        "the choice is offered"
    );
    let r = draft_with_prose(&app, &ed, desk.news, made).await;
    let brief = id_in(r.header("location"));
    let story = app.store().desk_article(ArticleId(brief)).await.unwrap();
    let body = &story.fields.body_md;
    assert!(
        body.contains("The Cedar Hollow Village Board approved a $48,000 contract with Acme Painting on a 3-1 vote.\n"),
        "{body}"
    );
    assert!(
        body.contains("Mayor Smith called it a $50,000 bargain. **[Check: not in the record: $50,000, Smith]**"),
        "{body}"
    );
    assert!(
        body.contains(masthead_desk::meeting_brief::PROSE_DISCLOSURE),
        "{body}"
    );

    // The model was sent the facts, not the record, with the key in the header only.
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].0, format!("Bearer {key}"));
    let user = asked[0].1["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        user.contains("Motion 1: approve a $48,000 contract"),
        "{user}"
    );
    assert!(!user.contains("Ayes:"), "{user}");
    for path in [
        format!("/admin/briefs/{brief}"),
        format!("/admin/articles/{brief}"),
        format!("/admin/meetings/{}", made.meeting),
    ] {
        assert!(!app.get_as(&ed, &path).await.body.contains(key), "{path}");
    }
}

async fn a_prose_helper_that_fails_leaves_the_brief_drafted_from_the_facts(app: TestApp) {
    let (server, _) = model(500, "").await;
    let app = app.with_prose_helper(&server.url("/v1"), "sk-test");
    let desk = Desk::create(app.store()).await;
    let made = meeting_desk(app.store(), desk.news, t0()).await;
    let ed = app.staff("ed@example.org", Role::Editor).await;
    let r = draft_with_prose(&app, &ed, desk.news, made).await;
    assert!(r.header("location").ends_with("?prose=failed"));
    let review = app.get_as(&ed, r.header("location")).await;
    assert!(
        review.body.contains("The prose helper wrote nothing"),
        "{}",
        review.body
    );
    let story = app
        .store()
        .desk_article(ArticleId(id_in(r.header("location"))))
        .await
        .unwrap();
    assert!(!story.fields.body_md.contains("language model"));
}

app_tests!(
    the_prose_helper_writes_from_the_facts_and_is_checked_and_disclosed,
    a_prose_helper_that_fails_leaves_the_brief_drafted_from_the_facts,
);

async fn originals_are_sent_a_few_at_a_time_and_readers_told_when_all_are_busy(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let made = meeting_desk(app.store(), desk.news, t0()).await;
    let path = format!(
        "/bodies/cedar-hollow-village-board/documents/{}",
        made.document
    );
    let held = app.state.take_every_original_turn().await;
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("try again in a moment"), "{}", r.body);
    drop(held);
    let r = app.get(&path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-length"), MINUTES.len().to_string());
    assert_eq!(r.body, MINUTES);
}

app_tests!(originals_are_sent_a_few_at_a_time_and_readers_told_when_all_are_busy);
