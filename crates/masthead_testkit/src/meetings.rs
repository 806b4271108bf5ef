//! The meeting desk's fixtures: a body with members, a meeting of it, minutes kept as text
//! and a brief drafted from them, all through `masthead_desk`'s own functions.

use crate::fixture_editor;
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, BodyId, DocumentId, MeetingId, SectionId};
use masthead_desk::meeting_brief::{BriefRequest, draft_brief};
use masthead_desk::meetings::{
    BodyDraft, Calendar, DocumentUpload, MeetingDraft, add_document, body_fields, create_body,
    create_meeting,
};
use masthead_store::Store;

/// Minutes in the conventional phrasing: attendance, a contract with a roll call, a
/// failed motion, a tabled one, public comment and adjournment.
pub const MINUTES: &str = "CEDAR HOLLOW VILLAGE BOARD\nRegular Meeting Minutes\n\n\
Present: President Dana Ortiz, Trustees Ruiz, Hale and Lee. Absent: Trustee Moss.\n\n\
Public comment: Maria Chen spoke about the sidewalk on Elm Street.\n\n\
Motion by Trustee Ruiz, seconded by Trustee Hale, to approve a $48,000 contract with Acme \
Painting to repaint the water tower. Ayes: Ortiz, Ruiz, Hale. Nays: Lee. Motion carried 3-1.\n\n\
Motion by Trustee Lee, seconded by Trustee Ortiz, to raise the pool fee to $5. Ayes: Lee. \
Nays: Ortiz, Ruiz, Hale. Motion failed 1-3.\n\n\
Motion by Trustee Hale, seconded by Trustee Ruiz, to table the sidewalk plan. Motion carried \
unanimously.\n\n\
The meeting adjourned at 8:42 p.m.\n";

/// What [`meeting_desk`] made.
#[derive(Debug, Clone, Copy)]
pub struct MeetingDesk {
    pub body: BodyId,
    pub meeting: MeetingId,
    pub document: DocumentId,
    pub brief: ArticleId,
}

/// The test site's calendar: its time zone and address.
pub fn calendar() -> Calendar {
    Calendar {
        timezone: chrono_tz::America::Chicago,
        base_url: "http://localhost".to_owned(),
    }
}

/// A body, a meeting held on 4 November 2026, its minutes ([`MINUTES`]) and a draft brief
/// in `section`.
pub async fn meeting_desk(store: &Store, section: SectionId, now: DateTime<Utc>) -> MeetingDesk {
    let staff = fixture_editor(store).await;
    let draft = BodyDraft {
        name: "Cedar Hollow Village Board".into(),
        kind: "village board".into(),
        place: "Village Hall, 12 Main St.".into(),
        about: "Five trustees and a president, elected for four years.".into(),
        members: "Dana Ortiz | President | 2025-05-01 | 2029-04-30\nAna Ruiz | Trustee".into(),
    };
    let fields = body_fields(&draft).expect("the fixture body's members");
    let body = create_body(store, &staff, fields, now)
        .await
        .expect("the fixture body");
    let meeting = create_meeting(
        store,
        &staff,
        &MeetingDraft {
            body: body.0.to_string(),
            date: "2026-11-04".into(),
            time: "19:00".into(),
            place: String::new(),
            status: "held".into(),
        },
        &calendar(),
        now,
    )
    .await
    .expect("the fixture meeting");
    let upload = DocumentUpload {
        kind: "minutes".into(),
        file_name: "minutes-2026-11-04.txt".into(),
        bytes: MINUTES.as_bytes().to_vec(),
        source_url: String::new(),
        public: true,
    };
    let document = add_document(store, &staff, meeting, upload, MINUTES.to_owned(), now)
        .await
        .expect("the fixture minutes");
    let request = BriefRequest {
        meeting,
        document,
        section,
        timezone: chrono_tz::America::Chicago,
        narrative: None,
    };
    let brief = draft_brief(store, &staff, request, now)
        .await
        .expect("the fixture brief");
    MeetingDesk {
        body,
        meeting,
        document,
        brief,
    }
}
