//! CSV and TSV: the header, then one record per row, each checked for its width and its
//! bytes before it goes on.

use std::io::{BufRead, Cursor, Read};

use anyhow::{Context, bail};

use super::decode::REPLACEMENT;
use super::lines::{self, LineMap, Lines};
use super::{Dialect, Fields, Raw, Record, Text, broken_with, dialect};

/// How much of the file is looked at to find its dialect.
const SAMPLE: u64 = 64 * 1024;

type Source = Lines<std::io::Chain<Cursor<Vec<u8>>, Text>>;

pub(super) struct TableReader {
    /// Always there but while it is rebuilt after a record too large (see
    /// [`TableReader::skip_record`]).
    reader: Option<csv::Reader<Source>>,
    /// Where the reader's byte 0 is in the source: it starts over after a record too large.
    offset: u64,
    /// The most bytes a record may take.
    max_record: Option<u64>,
    header: Vec<String>,
    delimiter: u8,
    lines: LineMap,
    /// The encoding the text was decoded from, if not UTF-8.
    decoded: Option<&'static str>,
}

impl TableReader {
    /// Open the table. A `stream` (a pipe) is not waited on for a whole sample: its dialect
    /// is found from what has arrived once its first line has.
    pub(super) fn open(
        mut text: Text,
        stream: bool,
        dialect: &Dialect,
        decoded: Option<&'static str>,
        label: &str,
        notes: &mut Vec<String>,
    ) -> anyhow::Result<TableReader> {
        let context = || format!("cannot read {label}");
        let mut offset: u64 = 0;
        for _ in 0..dialect.skip_lines.unwrap_or(0) {
            if !skip_line(&mut text).with_context(context)? {
                break;
            }
            offset += 1;
        }
        let (sample, complete) = match stream {
            true => first_lines(&mut text).with_context(context)?,
            false => {
                let mut sample = Vec::new();
                (&mut text)
                    .take(SAMPLE)
                    .read_to_end(&mut sample)
                    .with_context(context)?;
                let complete = (sample.len() as u64) < SAMPLE;
                (sample, complete)
            }
        };
        let mut sample = sample;
        check_text(&sample, label)?;
        let found = dialect::detect(
            &sample,
            complete,
            dialect.delimiter,
            dialect.skip_lines.is_none(),
        );
        if dialect.delimiter.is_none() && found.delimiter != b',' {
            notes.push(format!("the delimiter is {}", name(found.delimiter)));
        }
        if found.preamble > 0 {
            let lines = if found.preamble == 1 {
                "line 1".to_owned()
            } else {
                format!("lines 1-{}", found.preamble)
            };
            notes.push(format!("skipped {lines}, before the header"));
        }
        let start = after_lines(&sample, found.preamble);
        offset += found.preamble as u64;
        sample.drain(..start);
        let (source, lines) = lines::watch(Cursor::new(sample).chain(text), offset + 1);
        // The limit holds from the header on, so that no read goes past it.
        if let Some(max) = dialect.max_record_bytes {
            lines.limit_records(max);
        }
        let mut reader = csv_reader(found.delimiter, source);
        let header = read_header(&mut reader, label, offset + 1)?;
        Ok(TableReader {
            reader: Some(reader),
            offset: 0,
            max_record: dialect.max_record_bytes,
            header,
            delimiter: found.delimiter,
            lines,
            decoded,
        })
    }

    pub(super) fn delimiter(&self) -> u8 {
        self.delimiter
    }

    pub(super) fn header(&self) -> &[String] {
        &self.header
    }

    fn csv(&mut self) -> &mut csv::Reader<Source> {
        self.reader
            .as_mut()
            .expect("the reader is only taken to rebuild it")
    }

    /// Where the reader is, in the source's bytes.
    fn position(&mut self) -> u64 {
        self.offset + self.csv().position().byte()
    }

    pub(super) fn for_each(
        mut self,
        label: &str,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> anyhow::Result<u64> {
        let mut raw = csv::ByteRecord::new();
        let mut row = 0;
        let start = self.position();
        self.lines.record_starts(start);
        loop {
            let read = self.csv().read_byte_record(&mut raw);
            let fields = match read {
                Ok(false) => return Ok(row),
                Ok(true) => None,
                Err(e) if is_too_large(&e) => {
                    let line = self.lines.line(self.lines.record_start());
                    raw = csv::ByteRecord::new();
                    self.skip_record()
                        .with_context(|| format!("cannot read {label} after line {line}"))?;
                    Some((line, self.too_large(line)))
                }
                Err(e) => {
                    let line = e
                        .position()
                        .map(|p| self.lines.line(self.offset + p.byte()));
                    return Err(csv_error(e, label, line));
                }
            };
            row += 1;
            let (line, fields) = match fields {
                Some(broken) => broken,
                None => {
                    let at = self.offset + raw.position().map_or(0, |p| p.byte());
                    let line = self.lines.line(at);
                    let began = self.lines.record_start();
                    let next = self.position();
                    self.lines.record_starts(next);
                    // A record that came whole from what was read ahead is held to the limit
                    // here.
                    let over = self.max_record.is_some_and(|max| next - began > max);
                    match over {
                        true => (line, self.too_large(line)),
                        false => (line, self.checked(&raw, line)),
                    }
                }
            };
            if !each(Record {
                row,
                line,
                fields,
                text: None,
            }) {
                return Ok(row);
            }
        }
    }

    /// The fields of a record read whole, or why it is broken.
    fn checked(&mut self, raw: &csv::ByteRecord, line: u64) -> Fields {
        if self.runs_off_the_end(raw) {
            let reason = "opens a quote that is never closed: the rest of the file was \
                          read into one cell, so no row after this one was read";
            broken_with(
                Raw::Fields(raw.clone()),
                None,
                format!("line {line} {reason}"),
            )
        } else {
            self.fields(raw)
        }
    }

    /// Drop the record that grew too large, and start reading again after the line where
    /// it passed the limit.
    fn skip_record(&mut self) -> std::io::Result<()> {
        let reader = self.reader.take().expect("the reader is there");
        let mut source = reader.into_inner();
        self.offset = source.skip_line()?;
        self.reader = Some(csv_reader(self.delimiter, source));
        Ok(())
    }

    fn too_large(&self, line: u64) -> Fields {
        let max = self.max_record.unwrap_or(u64::MAX);
        Fields::Broken {
            column: None,
            reason: format!(
                "the record that starts on line {line} is larger than --max-record-bytes \
                 ({}): a quote that never closes, or a cell far too large; reading went on \
                 after the line where it passed the limit",
                crate::input::size_text(max)
            ),
            raw: None,
        }
    }

    /// Whether the record ended at the end of the file inside a quoted cell: its last bytes
    /// are not a closing quote, yet one of its cells spans lines.
    fn runs_off_the_end(&mut self, raw: &csv::ByteRecord) -> bool {
        let at = self.position();
        let end = self.lines.end(at);
        end.is_some_and(|last| last != Some(b'"'))
            && memchr::memchr2(b'\n', b'\r', raw.as_slice()).is_some()
    }

    /// A cell whose quoting looks broken: a backslash before a quote (CSV doubles quotes
    /// instead, so the cell was cut in the wrong place), or a cell that spans lines which
    /// look like whole rows (a quote that should have closed did not).
    fn broken_quoting(&self, raw: &csv::ByteRecord) -> Option<(usize, String)> {
        // Most rows hold neither a backslash nor a line break: one look at all their bytes.
        let bytes = raw.as_slice();
        let backslash = memchr::memchr(b'\\', bytes).is_some();
        let line_break = memchr::memchr(b'\n', bytes).is_some();
        if !backslash && !line_break {
            return None;
        }
        let width = self.header.len();
        for (column, cell) in raw.iter().enumerate() {
            if backslash && memchr::memmem::find(cell, b"\\\"").is_some() {
                let reason = "holds a quote escaped with a backslash (\\\"); CSV writes a quote \
                              inside quotes as two (\"\"), so the cell was not read as meant";
                return Some((column, reason.to_owned()));
            }
            let spans_rows = line_break
                && width > 1
                && cell
                    .split(|&b| b == b'\n')
                    .skip(1)
                    .any(|line| line.iter().filter(|&&b| b == self.delimiter).count() + 1 >= width);
            if spans_rows {
                let reason = "spans lines that look like whole rows: a quote in it seems never \
                              to close where it should";
                return Some((column, reason.to_owned()));
            }
        }
        None
    }

    fn fields(&self, raw: &csv::ByteRecord) -> Fields {
        let width = self.header.len();
        if raw.iter().all(|field| field.trim_ascii().is_empty()) {
            return broken_with(
                Raw::Fields(raw.clone()),
                None,
                "the row is empty: every field is blank".to_owned(),
            );
        }
        if raw.len() != width {
            return broken_with(
                Raw::Fields(raw.clone()),
                None,
                format!(
                    "the row has {} {}, but the header has {width}",
                    raw.len(),
                    if raw.len() == 1 { "field" } else { "fields" }
                ),
            );
        }
        if let Some((column, reason)) = self.broken_quoting(raw) {
            return broken_with(Raw::Fields(raw.clone()), Some(column), reason);
        }
        if let Some((column, reason)) = control_character(raw) {
            return broken_with(Raw::Fields(raw.clone()), Some(column), reason);
        }
        let record = match csv::StringRecord::from_byte_record(raw.clone()) {
            Ok(record) => record,
            Err(e) => {
                let field = e.utf8_error().field();
                let reason = "holds bytes that are not valid UTF-8; if the file is not \
                              UTF-8, name its encoding with --encoding"
                    .to_owned();
                return broken_with(Raw::Fields(raw.clone()), Some(field), reason);
            }
        };
        if let Some(encoding) = self.decoded
            && let Some(field) = record.iter().position(|f| f.contains(REPLACEMENT))
        {
            let reason = format!("holds bytes that are not valid {encoding}");
            return broken_with(Raw::Fields(raw.clone()), Some(field), reason);
        }
        Fields::Csv(record)
    }
}

/// Refuse a file that is plainly not CSV, before its first line is read as a header.
fn check_text(sample: &[u8], label: &str) -> anyhow::Result<()> {
    // A NUL in a row makes that row invalid; one in the header line, or a few near the start,
    // mean binary or UTF-16.
    let first_line = sample.split(|&b| b == b'\n').next().unwrap_or_default();
    let near_start = sample.iter().take(1024).filter(|&&b| b == 0).count();
    if first_line.contains(&0) || near_start > 1 {
        bail!(
            "{label} does not look like a text file: it holds NUL bytes (if it is UTF-16 \
             text, pass --encoding utf-16le or utf-16be)"
        );
    }
    let start = sample.trim_ascii_start();
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    if matches!(start.first(), Some(b'{' | b'[')) {
        bail!("{label} looks like JSON, not CSV: pass --format jsonl or --format json");
    }
    Ok(())
}

/// A cell holding a NUL byte or another control character than a tab or a line break:
/// text exports do not, binary files and broken encodings do.
fn control_character(raw: &csv::ByteRecord) -> Option<(usize, String)> {
    let bad = |b: u8| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
    // No early exit over the whole record, so that the compiler can look at many bytes at a
    // time; the cell is found only when there is one.
    if !raw.as_slice().iter().fold(false, |any, &b| any | bad(b)) {
        return None;
    }
    raw.iter().enumerate().find_map(|(column, cell)| {
        let b = *cell.iter().find(|&&b| bad(b))?;
        let reason = match b {
            0 => "holds a NUL byte: is the file really text in this encoding?".to_owned(),
            b => format!("holds the control character U+{b:04X}, which text does not"),
        };
        Some((column, reason))
    })
}

fn csv_reader(delimiter: u8, source: Source) -> csv::Reader<Source> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(source)
}

/// Whether a read failed because the record grew past its limit.
fn is_too_large(error: &csv::Error) -> bool {
    match error.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().is_some_and(|e| e.is::<lines::TooLarge>()),
        _ => false,
    }
}

fn read_header(
    reader: &mut csv::Reader<Source>,
    label: &str,
    line: u64,
) -> anyhow::Result<Vec<String>> {
    let mut header = csv::ByteRecord::new();
    reader
        .read_byte_record(&mut header)
        .with_context(|| format!("cannot read the header of {label}"))?;
    if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
        bail!("{label} is empty: a CSV file needs a header row naming its columns");
    }
    let mut names = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let name = std::str::from_utf8(name).with_context(|| {
            format!(
                "{label}:{line}: column {} of the header is not valid UTF-8; \
                 if the file is not UTF-8, name its encoding with --encoding",
                i + 1
            )
        })?;
        // A byte order mark inside the file (two exports joined) is no part of a name.
        names.push(name.trim().trim_start_matches('\u{feff}').trim().to_owned());
    }
    Ok(names)
}

/// The byte after the first `lines` lines of `sample`.
fn after_lines(sample: &[u8], lines: usize) -> usize {
    match lines.checked_sub(1) {
        None => 0,
        Some(last) => dialect::line_ends(sample)
            .get(last)
            .copied()
            .unwrap_or(sample.len()),
    }
}

/// What a pipe has sent so far, once it holds a whole line (or has ended): the sample a
/// stream's dialect is found from, and whether the stream ended within it.
fn first_lines(text: &mut Text) -> std::io::Result<(Vec<u8>, bool)> {
    let mut sample = Vec::new();
    loop {
        let chunk = text.fill_buf()?;
        if chunk.is_empty() {
            return Ok((sample, true));
        }
        let len = chunk.len();
        sample.extend_from_slice(chunk);
        text.consume(len);
        if memchr::memchr2(b'\n', b'\r', &sample).is_some() || sample.len() as u64 >= SAMPLE {
            return Ok((sample, false));
        }
    }
}

/// Read past one line, whatever ends it: LF, CRLF or a lone CR. False at the end.
fn skip_line(text: &mut Text) -> std::io::Result<bool> {
    let mut any = false;
    loop {
        let Some(&b) = text.fill_buf()?.first() else {
            return Ok(any);
        };
        any = true;
        text.consume(1);
        match b {
            b'\n' => return Ok(true),
            b'\r' => {
                if text.fill_buf()?.first() == Some(&b'\n') {
                    text.consume(1);
                }
                return Ok(true);
            }
            _ => {}
        }
    }
}

fn name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "a tab".to_owned(),
        b';' => "a semicolon".to_owned(),
        b'|' => "a pipe".to_owned(),
        other => format!("`{}`", other as char),
    }
}

fn csv_error(error: csv::Error, label: &str, line: Option<u64>) -> anyhow::Error {
    match line {
        Some(line) => anyhow::anyhow!("{label}:{line}: {error}"),
        None => anyhow::anyhow!("cannot read {label}: {error}"),
    }
}
