//! Page numbers for paginated lists, parsed from the `page` query parameter.

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

#[cfg(test)]
mod tests {
    use super::*;

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
