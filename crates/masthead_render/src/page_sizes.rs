//! How much room to give a page before rendering it. minijinja starts a page's text at twice
//! its own template's literal text, so an article (a short template that extends the base and
//! includes parts) grew its 12 KB by doubling: 21 reallocations, each copying the page so far,
//! were 5% of an uncached article's instructions. [`PageSizes`] remembers the size of the last
//! page each template rendered and starts the next one a little larger than that.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Slots for templates, chosen by a hash of the name. Two templates that share a slot share
/// a guess, which costs at most a reallocation: nothing is wrong, only slower.
const SLOTS: usize = 64;
/// The first guess, before a template has rendered anything.
const FIRST: usize = 16 * 1024;
/// No guess above this: one huge page must not make every later page reserve as much.
const MOST: usize = 1024 * 1024;

/// The last page size of each template (by slot); see the module's comment.
#[derive(Debug)]
pub(crate) struct PageSizes([PageSize; SLOTS]);

/// One slot: the size of the last page rendered by the templates that hash to it.
#[derive(Debug, Default)]
pub(crate) struct PageSize(AtomicUsize);

impl PageSizes {
    pub(crate) fn new() -> Self {
        Self(std::array::from_fn(|_| PageSize::default()))
    }

    /// Template `name`'s slot: a render finds it once, guesses from it and records in it.
    pub(crate) fn of(&self, name: &str) -> &PageSize {
        let hash = crate::theme::fnv1a(name.as_bytes());
        &self.0[(hash % SLOTS as u64) as usize]
    }
}

impl PageSize {
    /// The bytes to reserve for the next page: the last one's size and an eighth more (pages
    /// of one template differ by their text), or [`FIRST`].
    pub(crate) fn guess(&self) -> usize {
        match self.0.load(Ordering::Relaxed) {
            0 => FIRST,
            last => (last + last / 8).min(MOST),
        }
    }

    /// Remembers that a page of `len` bytes was rendered.
    pub(crate) fn rendered(&self, len: usize) {
        self.0.store(len, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_guessed_from_its_last_page_and_never_above_the_bound() {
        let sizes = PageSizes::new();
        let article = sizes.of("article.html");
        assert_eq!(article.guess(), FIRST);
        article.rendered(12_000);
        assert_eq!(sizes.of("article.html").guess(), 13_500);
        article.rendered(50 * 1024 * 1024);
        assert_eq!(article.guess(), MOST);
        article.rendered(8_000);
        assert_eq!(article.guess(), 9_000);
    }
}
