//! Statuses of community calendar events and reader comments.

use crate::article::text_enum;

text_enum!(
    /// Where a calendar event is in moderation. Only `Approved` events are shown.
    EventStatus, "event status" {
        /// Submitted by a reader, waiting for an editor.
        Pending = "pending",
        /// Shown on the calendar.
        Approved = "approved",
        /// Refused by an editor.
        Rejected = "rejected",
        /// Called off; kept so links still answer.
        Cancelled = "cancelled",
    }
);

text_enum!(
    /// Where a reader comment is in moderation. Only `Approved` comments are shown.
    CommentStatus, "comment status" {
        /// Waiting for a moderator.
        Pending = "pending",
        /// Shown under the story.
        Approved = "approved",
        /// Marked as spam.
        Spam = "spam",
        /// Refused by a moderator.
        Rejected = "rejected",
    }
);
