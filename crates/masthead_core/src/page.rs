//! Positions in paginated lists: page numbers (the `page` query parameter) for the first
//! pages, and cursors (`before`/`after`) naming a story's place, so a page deep in the
//! archive costs what the first one does.

use crate::InvalidInput;

/// The highest page number accepted; deeper pages are refused before touching the database.
pub const MAX_PAGE: u32 = 100_000;

/// A 1-based page number of a paginated list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageNumber(u32);

impl PageNumber {
    /// The first page.
    pub const FIRST: PageNumber = PageNumber(1);

    /// Parses the `page` parameter: a whole number from 1 to [`MAX_PAGE`].
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        match s.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => Ok(Self(n)),
            _ => Err(InvalidInput::new(
                "page",
                format!("the page number must be a whole number from 1 to {MAX_PAGE}"),
            )),
        }
    }

    /// The number, starting at 1.
    pub fn get(self) -> u32 {
        self.0
    }

    /// How many items of `per_page` come before this page.
    pub fn offset(self, per_page: u32) -> u64 {
        u64::from(self.0 - 1) * u64::from(per_page)
    }

    /// The previous (newer) page, if any.
    pub fn prev(self) -> Option<Self> {
        (self.0 > 1).then(|| Self(self.0 - 1))
    }

    /// The next (older) page.
    pub fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

/// A story's place in a newest-first list: its publication time (Unix microseconds) and id,
/// written `MICROS.ID` in addresses. Lists are ordered by both, so the place is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListCursor {
    /// Publication time in Unix microseconds.
    pub at: i64,
    /// The article's id, which breaks ties between stories published at the same time.
    pub id: i64,
}

impl ListCursor {
    /// Parses `MICROS.ID`, as [`ListCursor`]'s `Display` writes it.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let invalid = || {
            InvalidInput::new(
                "position",
                "this list position is not one masthead wrote; start again from the first page",
            )
        };
        let (at, id) = s.split_once('.').ok_or_else(invalid)?;
        Ok(Self {
            at: at.parse().map_err(|_| invalid())?,
            id: id.parse().map_err(|_| invalid())?,
        })
    }
}

impl std::fmt::Display for ListCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.at, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = ListCursor {
            at: 1_764_511_500_000_000,
            id: 42,
        };
        assert_eq!(ListCursor::parse(&c.to_string()), Ok(c));
        for bad in [
            "",
            "1",
            "1.",
            ".1",
            "a.1",
            "1.b",
            "1.2.3",
            "99999999999999999999.1",
        ] {
            assert!(ListCursor::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parses_only_positive_whole_numbers_in_range() {
        assert_eq!(PageNumber::parse("3").map(PageNumber::get), Ok(3));
        for bad in [
            "0",
            "-1",
            "abc",
            "1.5",
            "",
            "100001",
            "99999999999999999999",
        ] {
            assert!(PageNumber::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn offset_counts_earlier_items() {
        assert_eq!(PageNumber::parse("3").map(|p| p.offset(20)), Ok(40));
    }
}
