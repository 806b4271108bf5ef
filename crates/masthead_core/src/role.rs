//! Staff roles and what each may do: the one place the permission rules live.
//!
//! Handlers ask [`can`] (for an article) or [`can_site`] (for everything else) before they
//! act; the rules are a pure function so a test can walk every role × action × state.

use crate::article::{ArticleStatus, text_enum};

text_enum!(
    /// A staff member's role. Each role can do everything the one before it can.
    Role, "role" {
        /// Writes drafts and submits them for review.
        Contributor = "contributor",
        /// Also publishes, schedules and unpublishes their own stories.
        Author = "author",
        /// Edits and publishes anyone's stories and moderates comments.
        Editor = "editor",
        /// Also manages staff accounts, sections, bylines and site settings.
        Admin = "admin",
    }
);

impl Role {
    /// The role's rank: a higher rank can do everything a lower one can.
    pub fn rank(self) -> u8 {
        match self {
            Role::Contributor => 0,
            Role::Author => 1,
            Role::Editor => 2,
            Role::Admin => 3,
        }
    }

    /// The narrower of two roles (an API token is never wider than its owner).
    pub fn min(self, other: Role) -> Role {
        if self.rank() <= other.rank() {
            self
        } else {
            other
        }
    }

    /// Whether the role is at least `other`.
    pub fn at_least(self, other: Role) -> bool {
        self.rank() >= other.rank()
    }
}

/// Something a staff member may do to one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleAction {
    /// Open it in the editor and read its revisions.
    View,
    /// Change its words or fields, or restore a revision.
    Edit,
    /// Send it to the editors for review.
    Submit,
    /// Publish it now or schedule it.
    Publish,
    /// Take it down from the site.
    Unpublish,
    /// Send it back from review to its writer, with a note: an editor's call.
    SendBack,
}

impl ArticleAction {
    /// Every action, for tests and tables.
    pub const ALL: &'static [ArticleAction] = &[
        ArticleAction::View,
        ArticleAction::Edit,
        ArticleAction::Submit,
        ArticleAction::Publish,
        ArticleAction::Unpublish,
        ArticleAction::SendBack,
    ];
}

/// Something a staff member may do outside one article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SiteAction {
    /// Start a new story.
    CreateArticle,
    /// Upload images and edit their alt text and credit.
    UploadMedia,
    /// Approve, hide or delete reader comments.
    ModerateComments,
    /// Pin the top story, feature stories on the front page, put up the breaking-news banner.
    ArrangeFront,
    /// Add, edit, approve, reject and cancel calendar events.
    ModerateEvents,
    /// Add, edit, reorder and delete the site's static pages (About, Contact, …).
    ManagePages,
    /// Keep public bodies and their meetings, add a meeting's documents and draft briefs
    /// from them (signing a brief off is publishing's, an editor's).
    CoverMeetings,
    /// Add and delete redirects from old addresses.
    ManageRedirects,
    /// Keep the newsletter's readers (search, import, export, delete) and write, test,
    /// schedule and send its digests and breaking alerts: mail to the whole list is
    /// publishing, an editor's.
    SendNewsletter,
    /// Add, change and disable staff accounts; issue password-reset links.
    ManageUsers,
    /// Add and rename sections and byline profiles.
    ManageSections,
    /// Change the site's name, address, time zone and page sizes.
    ManageSettings,
    /// Read the audit log.
    ViewAudit,
}

impl SiteAction {
    /// Every action, for tests and tables.
    pub const ALL: &'static [SiteAction] = &[
        SiteAction::CreateArticle,
        SiteAction::UploadMedia,
        SiteAction::ModerateComments,
        SiteAction::ArrangeFront,
        SiteAction::ModerateEvents,
        SiteAction::ManagePages,
        SiteAction::CoverMeetings,
        SiteAction::ManageRedirects,
        SiteAction::SendNewsletter,
        SiteAction::ManageUsers,
        SiteAction::ManageSections,
        SiteAction::ManageSettings,
        SiteAction::ViewAudit,
    ];
}

/// Whether `role` may do `action` to an article in `status`; `own` says whether the staff
/// member is the article's owner (who created it).
///
/// - Contributors work only on their own stories, and only until an editor publishes them:
///   they can edit drafts and stories in review, and submit drafts, never publish.
/// - Authors do anything to their own stories, including publishing, and nothing to others'.
/// - Editors and admins do anything to any story; only they send a story in review back to
///   its writer (an author reviews no one, not even themselves).
pub fn can(role: Role, action: ArticleAction, own: bool, status: ArticleStatus) -> bool {
    use ArticleAction::*;
    if role.at_least(Role::Editor) {
        return true;
    }
    if !own {
        return false;
    }
    let unpublished = matches!(status, ArticleStatus::Draft | ArticleStatus::Review);
    match (role, action) {
        (_, View) => true,
        (_, SendBack) => false,
        (Role::Contributor, Edit) => unpublished,
        (Role::Contributor, Submit) => status == ArticleStatus::Draft,
        (Role::Contributor, Publish | Unpublish) => false,
        (_, Edit | Publish) => true,
        (_, Submit) => status == ArticleStatus::Draft,
        (_, Unpublish) => matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled),
    }
}

/// Whether `role` may do a site-wide `action`.
pub fn can_site(role: Role, action: SiteAction) -> bool {
    use SiteAction::*;
    match action {
        CreateArticle | UploadMedia => true,
        CoverMeetings => role.at_least(Role::Author),
        ModerateComments | ArrangeFront | ModerateEvents | ManagePages | ManageRedirects
        | SendNewsletter => role.at_least(Role::Editor),
        ManageUsers | ManageSections | ManageSettings | ViewAudit => role == Role::Admin,
    }
}

/// Whether `role` may change an image's alt text and credit; `own` says whether the staff
/// member uploaded it. Contributors and authors describe their own uploads; editors and
/// admins any image, since they publish stories that lead with others' images.
pub fn can_edit_media(role: Role, own: bool) -> bool {
    own || role.at_least(Role::Editor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleAction::*;
    use ArticleStatus::*;

    #[test]
    fn contributors_never_publish_and_never_touch_others_work() {
        for &status in ArticleStatus::ALL {
            assert!(!can(Role::Contributor, Publish, true, status));
            assert!(!can(Role::Contributor, Unpublish, true, status));
            for &action in ArticleAction::ALL {
                assert!(!can(Role::Contributor, action, false, status));
                assert!(!can(Role::Author, action, false, status));
            }
        }
        assert!(can(Role::Contributor, Edit, true, Draft));
        assert!(can(Role::Contributor, Submit, true, Draft));
        assert!(!can(Role::Contributor, Edit, true, Published));
    }

    #[test]
    fn only_editors_send_stories_back() {
        for &status in ArticleStatus::ALL {
            for own in [true, false] {
                assert!(!can(Role::Contributor, SendBack, own, status));
                assert!(!can(Role::Author, SendBack, own, status));
                assert!(can(Role::Editor, SendBack, own, status));
                assert!(can(Role::Admin, SendBack, own, status));
            }
        }
    }

    #[test]
    fn only_editors_describe_images_they_did_not_upload() {
        for (role, others) in [
            (Role::Contributor, false),
            (Role::Author, false),
            (Role::Editor, true),
            (Role::Admin, true),
        ] {
            assert!(can_edit_media(role, true), "{role} own");
            assert_eq!(can_edit_media(role, false), others, "{role} others'");
        }
    }

    #[test]
    fn roles_are_ordered_and_tokens_take_the_narrower() {
        assert!(Role::Admin.at_least(Role::Editor));
        assert!(!Role::Author.at_least(Role::Editor));
        assert_eq!(Role::Admin.min(Role::Author), Role::Author);
        assert_eq!(Role::Contributor.min(Role::Admin), Role::Contributor);
    }
}
