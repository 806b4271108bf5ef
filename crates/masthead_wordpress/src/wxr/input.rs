//! The byte source under the XML parser: counts what the parser consumed (the reader's
//! progress in the file) and caps what one event may consume.
//!
//! Why a cap here: quick-xml gathers a whole text run, CDATA section, comment or tag into
//! its buffer before it returns the event, so a file with a gigabyte between two `<` would
//! take a gigabyte of memory before any check of ours could run. Refusing to hand out more
//! bytes once an event has taken `cap` of them bounds that buffer.

use std::io::{self, BufRead, Read};

/// A [`BufRead`] that counts consumed bytes and fails once one event has taken more than
/// its cap.
#[derive(Debug)]
pub(crate) struct Input<R> {
    inner: R,
    /// Bytes consumed since the start of the file.
    consumed: u64,
    /// `consumed` when the current event started.
    event_start: u64,
    /// Bytes one event may take.
    cap: u64,
    /// Set when the cap refused a read, so the parser's I/O error can be told apart.
    over_cap: bool,
}

impl<R: BufRead> Input<R> {
    pub(crate) fn new(inner: R, cap: u64) -> Self {
        Self {
            inner,
            consumed: 0,
            event_start: 0,
            cap,
            over_cap: false,
        }
    }

    /// Bytes of the file consumed so far.
    pub(crate) fn consumed(&self) -> u64 {
        self.consumed
    }

    /// A new event starts here.
    pub(crate) fn mark(&mut self) {
        self.event_start = self.consumed;
    }

    /// Whether the last failed read was the cap's refusal.
    pub(crate) fn over_cap(&self) -> bool {
        self.over_cap
    }

    /// The first bytes of the file, without consuming them (fewer when the file or the
    /// underlying buffer is shorter).
    pub(crate) fn peek(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
}

impl<R: BufRead> BufRead for Input<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let used = self.consumed - self.event_start;
        if used > self.cap {
            self.over_cap = true;
            return Err(io::Error::other(
                "one XML event is larger than the field limit",
            ));
        }
        // Hand out no more than the event may still take (plus one byte, to notice when it
        // takes more): a slice or a large buffer would otherwise give everything at once.
        let room = usize::try_from(self.cap - used)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let available = self.inner.fill_buf()?;
        Ok(&available[..available.len().min(room)])
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.consumed += amount as u64;
    }
}

impl<R: BufRead> Read for Input<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}
