//! A staff member acting on the desk: the account and the role the request acts with.

use crate::DeskError;
use masthead_core::{ArticleAction, ArticleStatus, Role, SiteAction};
use masthead_store::{Actor, DeskArticle, MediaItem, User};

/// A logged-in staff member (or an API token's owner) and the role the request acts with.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The account.
    pub user: User,
    /// The role in effect: the account's, or narrower for a scoped API token.
    pub role: Role,
}

impl Staff {
    /// The actor recorded in the audit log.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id, &self.user.name)
    }

    /// Whether this staff member may do `action` to `article`.
    pub fn can(&self, action: ArticleAction, article: &DeskArticle) -> bool {
        let own = article.owner == Some(self.user.id);
        masthead_core::can(self.role, action, own, article.status)
    }

    /// Whether this staff member may save `article` and do `action` to it in the same save,
    /// or, for `None`, do `action` to a new story of their own (a draft until then). The one
    /// check behind `create`, `save` and the editor's buttons, so the form never offers what
    /// the rules refuse.
    pub fn may(&self, action: ArticleAction, article: Option<&DeskArticle>) -> bool {
        match article {
            Some(article) => self.can(ArticleAction::Edit, article) && self.can(action, article),
            None => masthead_core::can(self.role, action, true, ArticleStatus::Draft),
        }
    }

    /// Whether this staff member may change `item`'s alt text and credit.
    pub fn can_edit_media(&self, item: &MediaItem) -> bool {
        let own = item.uploaded_by == Some(self.user.id);
        masthead_core::can_edit_media(self.role, own)
    }

    /// Refuses unless the role allows the site-wide `action`.
    pub fn require(&self, action: SiteAction) -> Result<(), DeskError> {
        if masthead_core::can_site(self.role, action) {
            Ok(())
        } else {
            Err(DeskError::Forbidden(format!(
                "Your role ({}) does not allow this. Ask an admin if you need it.",
                self.role
            )))
        }
    }
}
