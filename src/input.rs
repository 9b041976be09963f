//! Reading the input as a stream of records, each with its row and line number.
//!
//! A record that cannot be read (a row with the wrong number of fields, bytes that are not
//! UTF-8, a line that is not JSON) becomes a `Broken` record with the reason and still flows
//! on, so that it ends in the report. Only I/O errors stop the reader.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use serde_json::Value;

use crate::cli::Format;
use crate::settings::Source;

/// One record of the input.
#[derive(Debug)]
pub struct Record {
    /// 1-based number of the record, not counting the header.
    pub row: u64,
    /// The line of the file where the record starts.
    pub line: u64,
    pub fields: Fields,
}

#[derive(Debug)]
pub enum Fields {
    Csv(csv::StringRecord),
    Json(Value),
    /// The record could not be read: why, and in which column when one is to blame.
    Broken {
        column: Option<usize>,
        reason: String,
    },
}

/// What the mapping may refer to.
#[derive(Debug, Clone)]
pub enum Columns {
    /// A CSV header: columns by name.
    Header(Vec<String>),
    /// JSON objects: columns are dotted paths.
    Paths,
}

/// An opened input, its header read, ready to stream its records.
pub struct Input {
    label: String,
    columns: Columns,
    size: Option<u64>,
    bytes_read: Arc<AtomicU64>,
    reader: Reader,
}

enum Reader {
    Csv {
        reader: csv::Reader<BufReader<Counting>>,
        /// Lines end in CRLF: the csv crate then places a record's start before the `\n` of
        /// the line above, one line too early.
        crlf: bool,
    },
    Jsonl(BufReader<Counting>),
}

impl Input {
    /// Open the source and read its header.
    pub fn open(source: &Source, format: Format) -> anyhow::Result<Input> {
        let label = source.label();
        let (raw, size): (Box<dyn Read + Send>, Option<u64>) = match source {
            Source::Stdin => (Box::new(io::stdin()), None),
            Source::File(path) => {
                let file = File::open(path).with_context(|| format!("cannot open {label}"))?;
                let size = file.metadata().ok().map(|m| m.len());
                (Box::new(file), size)
            }
        };
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: raw,
            count: Arc::clone(&bytes_read),
        };
        let (columns, reader) = match format {
            Format::Csv => open_csv(counting, b',', &label)?,
            Format::Tsv => open_csv(counting, b'\t', &label)?,
            Format::Jsonl => (Columns::Paths, Reader::Jsonl(BufReader::new(counting))),
        };
        Ok(Input {
            label,
            columns,
            size,
            bytes_read,
            reader,
        })
    }

    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// The input's size in bytes, when it is a file.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// A counter of the bytes read so far, for the progress display.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// Call `each` with every record in order until the input ends or `each` returns false.
    /// Returns how many records were read.
    pub fn for_each(self, mut each: impl FnMut(Record) -> bool) -> anyhow::Result<u64> {
        let label = self.label;
        match self.reader {
            Reader::Csv { reader, crlf } => read_csv(reader, crlf, &label, &mut each),
            Reader::Jsonl(reader) => read_jsonl(reader, &label, &mut each),
        }
    }
}

fn open_csv(input: Counting, delimiter: u8, label: &str) -> anyhow::Result<(Columns, Reader)> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let start = input
        .fill_buf()
        .with_context(|| format!("cannot read {label}"))?;
    let crlf = start
        .iter()
        .position(|&b| b == b'\n')
        .is_some_and(|i| i > 0 && start[i - 1] == b'\r');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(input);
    let header = reader
        .byte_headers()
        .with_context(|| format!("cannot read the header of {label}"))?
        .clone();
    if header.is_empty() || header.iter().all(<[u8]>::is_empty) {
        bail!("{label} is empty: a CSV file needs a header row naming its columns");
    }
    let mut names = Vec::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        let name = std::str::from_utf8(name).with_context(|| {
            format!(
                "{label}:1: column {} of the header is not valid UTF-8",
                i + 1
            )
        })?;
        names.push(name.trim().to_owned());
    }
    Ok((Columns::Header(names), Reader::Csv { reader, crlf }))
}

fn read_csv(
    mut reader: csv::Reader<BufReader<Counting>>,
    crlf: bool,
    label: &str,
    each: &mut dyn FnMut(Record) -> bool,
) -> anyhow::Result<u64> {
    let width = reader.byte_headers().map(|h| h.len()).unwrap_or(0);
    let mut raw = csv::ByteRecord::new();
    let mut row = 0;
    loop {
        let more = reader
            .read_byte_record(&mut raw)
            .map_err(|e| csv_error(e, label))?;
        if !more {
            return Ok(row);
        }
        row += 1;
        let line = raw.position().map_or(0, |p| p.line()) + u64::from(crlf);
        let fields = csv_fields(&raw, width);
        if !each(Record { row, line, fields }) {
            return Ok(row);
        }
    }
}

fn csv_fields(raw: &csv::ByteRecord, width: usize) -> Fields {
    if raw.iter().all(|field| field.trim_ascii().is_empty()) {
        return broken(None, "the row is empty: every field is blank".to_owned());
    }
    if raw.len() != width {
        return broken(
            None,
            format!(
                "the row has {} fields, but the header has {width}",
                raw.len()
            ),
        );
    }
    match csv::StringRecord::from_byte_record(raw.clone()) {
        Ok(record) => Fields::Csv(record),
        Err(e) => {
            let (field, offset) = (e.utf8_error().field(), e.utf8_error().valid_up_to());
            let reason = format!(
                "holds bytes that are not valid UTF-8 (byte {} of the cell); \
                 if the file is not UTF-8, say its encoding with --encoding",
                offset + 1
            );
            broken(Some(field), reason)
        }
    }
}

fn csv_error(error: csv::Error, label: &str) -> anyhow::Error {
    let line = error.position().map(|p| p.line());
    match line {
        Some(line) => anyhow::anyhow!("{label}:{line}: {error}"),
        None => anyhow::anyhow!("cannot read {label}: {error}"),
    }
}

fn read_jsonl(
    mut reader: BufReader<Counting>,
    label: &str,
    each: &mut dyn FnMut(Record) -> bool,
) -> anyhow::Result<u64> {
    let mut buf = Vec::new();
    let mut line = 0;
    let mut row = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("cannot read {label} after line {line}"))?;
        if n == 0 {
            return Ok(row);
        }
        line += 1;
        if line == 1 && buf.starts_with(UTF8_BOM) {
            buf.drain(..UTF8_BOM.len());
        }
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        row += 1;
        let fields = json_fields(&buf);
        if !each(Record { row, line, fields }) {
            return Ok(row);
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn json_fields(line: &[u8]) -> Fields {
    match serde_json::from_slice::<Value>(line) {
        Ok(value @ Value::Object(_)) => Fields::Json(value),
        Ok(_) => broken(None, "the line is not a JSON object".to_owned()),
        Err(e) => {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            broken(
                None,
                format!("is not valid JSON at column {}: {message}", e.column()),
            )
        }
    }
}

fn broken(column: Option<usize>, reason: String) -> Fields {
    Fields::Broken { column, reason }
}

/// A reader that counts the bytes it has read.
struct Counting {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
