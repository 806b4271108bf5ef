//! The byte source under the XML parser: counts the bytes taken from the file (the
//! reader's progress), caps what one event may take, and transcodes an export declared in
//! another encoding (an old blog in ISO-8859-1) to the UTF-8 the parser reads.
//!
//! Why a cap here: quick-xml gathers a whole text run, CDATA section, comment or tag into
//! its buffer before it returns the event, so a file with a gigabyte between two `<` would
//! take a gigabyte of memory before any check of ours could run. Handing out no more bytes
//! once an event has taken `cap` of them bounds that buffer.

use std::io::{self, BufRead, Read};

use encoding_rs::{DecoderResult, Encoding};

/// Decoded bytes held at once when transcoding.
const DECODED_CHUNK: usize = 8 * 1024;
/// Bytes read ahead at the start, to look at before parsing (an XML declaration is ~40).
const HEAD_BYTES: usize = 1024;

/// A [`BufRead`] that counts bytes, fails once one event has taken more than its cap, and
/// may transcode.
pub(crate) struct Input<R> {
    inner: Prefixed<R>,
    /// Bytes taken from `inner`: the position in the file.
    taken: u64,
    /// Bytes the parser consumed (UTF-8 bytes, when transcoding).
    consumed: u64,
    /// `consumed` when the current event started.
    event_start: u64,
    /// Bytes one event may take.
    cap: u64,
    /// Set when the cap refused a read, so the parser's I/O error can be told apart.
    over_cap: bool,
    transcoder: Option<Box<Transcoder>>,
}

/// The file with its first bytes read ahead, so they can be looked at (a zip's magic
/// number, the XML declaration) before the parser starts.
struct Prefixed<R> {
    head: Vec<u8>,
    /// How much of `head` was consumed.
    at: usize,
    inner: R,
}

impl<R: BufRead> Prefixed<R> {
    fn head(&mut self) -> io::Result<&[u8]> {
        while self.head.len() < HEAD_BYTES {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let n = available.len().min(HEAD_BYTES - self.head.len());
            self.head.extend_from_slice(&available[..n]);
            self.inner.consume(n);
        }
        Ok(&self.head[self.at..])
    }
}

impl<R: BufRead> Read for Prefixed<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Prefixed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.at < self.head.len() {
            return Ok(&self.head[self.at..]);
        }
        if !self.head.is_empty() {
            // Read past the head: let its memory go.
            self.head = Vec::new();
            self.at = 0;
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.at < self.head.len() {
            self.at += amount;
        } else {
            self.inner.consume(amount);
        }
    }
}

/// Decodes the file from its declared encoding into UTF-8, a chunk at a time.
struct Transcoder {
    encoding: &'static Encoding,
    decoder: encoding_rs::Decoder,
    out: Box<[u8]>,
    start: usize,
    end: usize,
    finished: bool,
    /// Where the file has bytes that are not valid in its encoding: found while decoding
    /// ahead, reported once the parser has consumed the text before them.
    invalid_at: Option<u64>,
    /// Set when the last read failed on those bytes.
    undecodable: bool,
}

impl<R: BufRead> Input<R> {
    pub(crate) fn new(inner: R, cap: u64) -> Self {
        Self {
            inner: Prefixed {
                head: Vec::new(),
                at: 0,
                inner,
            },
            taken: 0,
            consumed: 0,
            event_start: 0,
            cap,
            over_cap: false,
            transcoder: None,
        }
    }

    /// Bytes of the file read so far.
    pub(crate) fn bytes_read(&self) -> u64 {
        self.taken
    }

    /// A new event starts here.
    pub(crate) fn mark(&mut self) {
        self.event_start = self.consumed;
    }

    /// Whether the last failed read was the cap's refusal.
    pub(crate) fn over_cap(&self) -> bool {
        self.over_cap
    }

    /// If the last read failed on bytes not valid in the file's encoding: the encoding, and
    /// where the bytes are.
    pub(crate) fn undecodable(&self) -> Option<(&'static Encoding, u64)> {
        let transcoder = self.transcoder.as_ref().filter(|t| t.undecodable)?;
        Some((transcoder.encoding, transcoder.invalid_at?))
    }

    /// Whether the file is read through a transcoder.
    pub(crate) fn transcoding(&self) -> bool {
        self.transcoder.is_some()
    }

    /// The first bytes of the file (up to 1 KiB), without consuming them, however small
    /// the chunks `R` hands out. Only before anything is read.
    pub(crate) fn peek(&mut self) -> io::Result<&[u8]> {
        self.inner.head()
    }

    /// Reads the rest of the file as `encoding`, transcoded to UTF-8. Only before anything
    /// is read.
    pub(crate) fn transcode_from(&mut self, encoding: &'static Encoding) {
        self.transcoder = Some(Box::new(Transcoder {
            encoding,
            decoder: encoding.new_decoder_without_bom_handling(),
            out: vec![0; DECODED_CHUNK].into_boxed_slice(),
            start: 0,
            end: 0,
            finished: false,
            invalid_at: None,
            undecodable: false,
        }));
    }
}

impl Transcoder {
    /// Decodes more of `inner` when everything decoded so far was consumed.
    fn fill(&mut self, inner: &mut impl BufRead, taken: &mut u64) -> io::Result<&[u8]> {
        while self.start == self.end && !self.finished {
            if self.invalid_at.is_some() {
                self.undecodable = true;
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "bytes that are not valid in the declared encoding",
                ));
            }
            let src = inner.fill_buf()?;
            let last = src.is_empty();
            let (result, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut self.out, last);
            inner.consume(read);
            *taken += read as u64;
            self.start = 0;
            self.end = written;
            match result {
                DecoderResult::Malformed(bad, after) => {
                    // `read` counts the bad bytes and `after` bytes past them.
                    let back = u64::from(bad) + u64::from(after);
                    self.invalid_at = Some(taken.saturating_sub(back));
                }
                DecoderResult::InputEmpty if last => self.finished = true,
                DecoderResult::InputEmpty | DecoderResult::OutputFull => {}
            }
        }
        Ok(&self.out[self.start..self.end])
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
        let available = match &mut self.transcoder {
            Some(transcoder) => transcoder.fill(&mut self.inner, &mut self.taken)?,
            None => self.inner.fill_buf()?,
        };
        Ok(&available[..available.len().min(room)])
    }

    fn consume(&mut self, amount: usize) {
        match &mut self.transcoder {
            Some(transcoder) => transcoder.start += amount,
            None => {
                self.inner.consume(amount);
                self.taken += amount as u64;
            }
        }
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
