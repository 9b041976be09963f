//! Line numbers for CSV records, counted from the bytes themselves.
//!
//! The csv crate places a record at the end of the record before it, so blank lines between
//! them, a CRLF, or a lone CR would throw its count off. [`Lines`] watches the bytes the
//! parser reads and remembers where each line starts and whether it is blank; [`LineMap`]
//! then turns a record's position into the line its first field is on.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Mutex, PoisonError};

/// Where the lines seen so far start, and which are blank.
#[derive(Debug, Default)]
struct Seen {
    /// Lines not yet passed: (start byte, line number, blank).
    lines: VecDeque<(u64, u64, bool)>,
    /// The byte where the current line starts, and its number.
    start: u64,
    number: u64,
    /// Whether the current line has held anything yet.
    filled: bool,
    /// The byte just read was a CR; a LF now belongs to it.
    after_cr: bool,
    /// Bytes read so far.
    at: u64,
    /// The last byte read that was not a space or a line break.
    last: Option<u8>,
    /// The source has no more bytes.
    ended: bool,
    /// Where the record being read starts, and how many bytes it may take.
    record_start: u64,
    max_record: u64,
}

impl Seen {
    fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            self.ended = true;
        }
        let base = self.at;
        let mut from = 0;
        loop {
            let next = memchr::memchr2(b'\n', b'\r', &bytes[from..]).map(|n| from + n);
            let segment = &bytes[from..next.unwrap_or(bytes.len())];
            if !segment.is_empty() {
                if self.after_cr {
                    self.after_cr = false;
                    self.start = base + from as u64;
                }
                self.filled = true;
                if let Some(&b) = segment.iter().rev().find(|b| !b.is_ascii_whitespace()) {
                    self.last = Some(b);
                }
            }
            let Some(at) = next else { break };
            let after = base + at as u64 + 1;
            if bytes[at] == b'\n' && self.after_cr {
                self.after_cr = false;
                self.start = after;
            } else {
                self.lines
                    .push_back((self.start, self.number, !self.filled));
                self.number += 1;
                self.start = after;
                self.filled = false;
                self.after_cr = bytes[at] == b'\r';
            }
            from = at + 1;
        }
        self.at = base + bytes.len() as u64;
    }

    /// The number of the first line that is not blank, starting at or after `byte`. The
    /// bytes asked about only grow, so the lines before the answer are dropped.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(start, number, blank)) = self.lines.front() {
            // A line that starts before `byte` holds it in its line break (after a CRLF, the
            // csv crate places the next record at the LF).
            if start < byte || blank {
                self.lines.pop_front();
                continue;
            }
            return number;
        }
        self.number
    }
}

/// Counts the lines of what passes through it, and stops a record that grows past its
/// limit (see [`LineMap::record_starts`]).
pub(super) struct Lines<R> {
    inner: R,
    seen: Arc<Mutex<Seen>>,
    /// Bytes read and counted, not yet handed on.
    pending: Vec<u8>,
}

/// The error [`Lines`] gives when a record grows past its limit.
#[derive(Debug)]
pub(super) struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the record is larger than its limit")
    }
}

impl std::error::Error for TooLarge {}

/// Asks [`Lines`] for the line of a byte.
#[derive(Debug, Clone)]
pub(super) struct LineMap {
    seen: Arc<Mutex<Seen>>,
}

/// Wrap `inner`, whose first byte is on line `first`.
pub(super) fn watch<R: Read>(inner: R, first: u64) -> (Lines<R>, LineMap) {
    let seen = Seen {
        number: first,
        max_record: u64::MAX,
        ..Seen::default()
    };
    let seen = Arc::new(Mutex::new(seen));
    let map = LineMap {
        seen: Arc::clone(&seen),
    };
    let lines = Lines {
        inner,
        seen,
        pending: Vec::new(),
    };
    (lines, map)
}

impl LineMap {
    fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Let no record take more than `max` bytes: reading one further fails with
    /// [`TooLarge`].
    pub(super) fn limit_records(&self, max: u64) {
        self.seen().max_record = max;
    }

    /// The next record starts at `byte`.
    pub(super) fn record_starts(&self, byte: u64) {
        self.seen().record_start = byte;
    }

    /// Where the record being read starts.
    pub(super) fn record_start(&self) -> u64 {
        self.seen().record_start
    }

    /// The line where a record starts that the csv crate places at `byte`.
    pub(super) fn line(&self, byte: u64) -> u64 {
        self.seen().line_at(byte)
    }

    /// Whether `byte` is the end of the source, and the last byte before it that was not a
    /// space or a line break.
    pub(super) fn end(&self, byte: u64) -> Option<Option<u8>> {
        let seen = self.seen();
        (seen.ended && seen.at == byte).then_some(seen.last)
    }
}

impl<R: Read> Lines<R> {
    /// Read past the rest of the current line, counting it, after a record that was too
    /// large; the record after it starts at the returned byte.
    pub(super) fn skip_line(&mut self) -> io::Result<u64> {
        let mut chunk = vec![0; 64 * 1024];
        loop {
            let n = self.inner.read(&mut chunk)?;
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            match memchr::memchr(b'\n', &chunk[..n]) {
                _ if n == 0 => {
                    seen.feed(&[]);
                    seen.record_start = seen.at;
                    return Ok(seen.at);
                }
                Some(end) => {
                    seen.feed(&chunk[..n]);
                    self.pending = chunk[end + 1..n].to_vec();
                    let next = seen.at - self.pending.len() as u64;
                    seen.record_start = next;
                    return Ok(next);
                }
                None => seen.feed(&chunk[..n]),
            }
        }
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let n = self.pending.len().min(buf.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(n);
        }
        // Hand on no byte past the limit of the record being read: the parser stops right
        // where a record passes it, and the bytes after are still there to read on from.
        let room = {
            let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            let taken = seen.at.saturating_sub(seen.record_start);
            if taken > seen.max_record {
                return Err(io::Error::other(TooLarge));
            }
            (seen.max_record - taken).saturating_add(1)
        };
        let len = usize::try_from(room).map_or(buf.len(), |room| room.min(buf.len()));
        let n = self.inner.read(&mut buf[..len])?;
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .feed(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines csv records start on, for a CSV text.
    fn lines_of(text: &str) -> Vec<u64> {
        let (lines, map) = watch(text.as_bytes(), 1);
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(lines);
        let mut record = csv::ByteRecord::new();
        let _ = reader.byte_headers();
        let mut found = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            found.push(map.line(record.position().unwrap().byte()));
        }
        found
    }

    #[test]
    fn lines_after_blank_lines_and_any_line_ending() {
        assert_eq!(lines_of("a,b\n1,2\n3,4\n"), [2, 3]);
        assert_eq!(lines_of("a,b\n1,2\n\n3,4\n\n\n5,6\n"), [2, 4, 7]);
        assert_eq!(lines_of("a,b\r\n1,2\r\n\r\n3,4\r\n"), [2, 4]);
        assert_eq!(lines_of("a,b\r1,2\r3,4\r"), [2, 3]);
        assert_eq!(lines_of("a,b\n1,2\r\n3,4\n5,6"), [2, 3, 4]);
        assert_eq!(lines_of("a,b\n\"x\ny\",2\n3,4\n"), [2, 4]);
        assert_eq!(lines_of("a,b\r\n\"x\r\n\r\ny\",2\r\n3,4\r\n"), [2, 5]);
        assert_eq!(lines_of("a,b\n  ,2\n"), [2]);
    }
}
