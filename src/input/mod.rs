//! Reading the input as a stream of records, each with its row and line number.
//!
//! The bytes pass through gzip and a decoder to UTF-8 when they need to ([`decode`]); a CSV
//! file's delimiter and any lines before its header are found from its first lines
//! ([`dialect`]); JSON comes as lines, a top-level array, or one document ([`json`]).
//!
//! A record that cannot be read (a row with the wrong number of fields, bytes that are not
//! valid in the input's encoding, a line that is not JSON) becomes a `Broken` record with the
//! reason and still flows on, so that it ends in the report. Only I/O errors stop the reader.

mod decode;
mod dialect;
mod json;
mod lines;
mod table;

use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use serde_json::Value;

use crate::cli::Format;
use crate::settings::Source;

pub use decode::Encoding;

/// One record of the input.
#[derive(Debug)]
pub struct Record {
    /// 1-based number of the record, not counting the header.
    pub row: u64,
    /// The line of the file where the record starts.
    pub line: u64,
    pub fields: Fields,
    /// The record's own text, kept for JSON lines when asked (see [`Input::keep_text`]).
    pub text: Option<Vec<u8>>,
}

#[derive(Debug)]
pub enum Fields {
    Csv(csv::StringRecord),
    Json(Value),
    /// The record could not be read: why, and in which column when one is to blame.
    Broken {
        column: Option<usize>,
        reason: String,
        /// What was read of it, for the rejects file.
        raw: Option<Raw>,
    },
}

/// A record as it was read, to be written back out in the input's own format.
#[derive(Debug, Clone)]
pub enum Raw {
    /// The cells of a CSV row.
    Fields(csv::ByteRecord),
    /// A JSON object, as one line.
    Line(Vec<u8>),
}

impl Record {
    /// The record as it was read.
    pub fn raw(&self) -> Option<Raw> {
        match &self.fields {
            Fields::Csv(record) => Some(Raw::Fields(record.as_byte_record().clone())),
            Fields::Json(_) if self.text.is_some() => self.text.clone().map(Raw::Line),
            Fields::Json(value) => serde_json::to_vec(value).ok().map(Raw::Line),
            Fields::Broken { raw, .. } => raw.clone(),
        }
    }
}

/// What the mapping may refer to.
#[derive(Debug, Clone)]
pub enum Columns {
    /// A CSV header: columns by name.
    Header(Vec<String>),
    /// JSON objects: columns are dotted paths.
    Paths,
}

/// How to read a CSV file, as far as the user said.
#[derive(Debug, Clone, Default)]
pub struct Dialect {
    /// The delimiter; found from the header line when not given.
    pub delimiter: Option<u8>,
    /// Lines to skip before the header; a preamble is found when not given.
    pub skip_lines: Option<usize>,
    /// The encoding; UTF-8 unless a BOM says otherwise.
    pub encoding: Option<Encoding>,
    /// The most bytes one record may take: a larger one (a runaway quote, a giant line)
    /// becomes a broken record, and memory stays bounded. No limit when `None`.
    pub max_record_bytes: Option<u64>,
}

/// An opened input, its header read, ready to stream its records.
pub struct Input {
    label: String,
    columns: Columns,
    size: Option<u64>,
    bytes_read: Arc<AtomicU64>,
    notes: Vec<String>,
    reader: Reader,
}

enum Reader {
    Table(Box<table::TableReader>),
    Lines(json::LineReader),
    Array(json::ArrayReader),
    Document(json::DocumentReader),
}

impl Input {
    /// Open the source and read what comes before the first record.
    pub fn open(source: &Source, format: Format, dialect: &Dialect) -> anyhow::Result<Input> {
        let label = source.label();
        let opened = decode::open(source, dialect.encoding, &label)?;
        Input::from_opened(opened, label, format, dialect)
    }

    /// Read records from bytes in memory, named `label` in messages.
    pub fn from_bytes(
        bytes: Vec<u8>,
        label: &str,
        format: Format,
        dialect: &Dialect,
    ) -> anyhow::Result<Input> {
        let size = bytes.len() as u64;
        let raw = Box::new(std::io::Cursor::new(bytes));
        let opened = decode::decode(raw, Some(size), dialect.encoding, label)?;
        Input::from_opened(opened, label.to_owned(), format, dialect)
    }

    fn from_opened(
        opened: decode::Opened,
        label: String,
        format: Format,
        dialect: &Dialect,
    ) -> anyhow::Result<Input> {
        let mut notes = opened.notes;
        let (columns, mut reader) = match format {
            Format::Csv | Format::Tsv => {
                let forced = match format {
                    Format::Tsv => Some(dialect.delimiter.unwrap_or(b'\t')),
                    _ => dialect.delimiter,
                };
                let dialect = Dialect {
                    delimiter: forced,
                    ..dialect.clone()
                };
                let reader = table::TableReader::open(
                    opened.reader,
                    opened.size.is_none(),
                    &dialect,
                    opened.decoded,
                    &label,
                    &mut notes,
                )?;
                (
                    Columns::Header(reader.header().to_vec()),
                    Reader::Table(Box::new(reader)),
                )
            }
            Format::Jsonl => {
                let mut text = opened.reader;
                json::check_lines(&mut text, &label)?;
                let reader = json::LineReader::new(text, opened.decoded);
                (Columns::Paths, Reader::Lines(reader))
            }
            Format::Json => {
                let reader = json::open(opened.reader, opened.decoded, &label, &mut notes)?;
                (Columns::Paths, reader)
            }
        };
        if let Some(max) = dialect.max_record_bytes {
            match &mut reader {
                Reader::Table(_) => {}
                Reader::Lines(lines) => lines.max_record = max,
                Reader::Array(array) => array.max_record = max,
                // A document is read whole when it is opened; its records are held to the
                // limit one by one.
                Reader::Document(document) => document.max_record = max,
            }
        }
        Ok(Input {
            label,
            columns,
            size: opened.size,
            bytes_read: opened.bytes_read,
            notes,
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

    /// Keep each JSON line's own text with its record, so that it can be written back as
    /// it was read.
    pub fn keep_text(&mut self) {
        if let Reader::Lines(lines) = &mut self.reader {
            lines.keep_text = true;
        }
    }

    /// The CSV delimiter in use; `None` for JSON.
    pub fn delimiter(&self) -> Option<u8> {
        match &self.reader {
            Reader::Table(table) => Some(table.delimiter()),
            _ => None,
        }
    }

    /// What the reader found out and did on its own, for the user: a delimiter it detected,
    /// lines it skipped, an encoding it read.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Call `each` with every record in order until the input ends or `each` returns false.
    /// Returns how many records were read.
    pub fn for_each(self, mut each: impl FnMut(Record) -> bool) -> anyhow::Result<u64> {
        let label = self.label;
        match self.reader {
            Reader::Table(reader) => reader.for_each(&label, &mut each),
            Reader::Lines(reader) => reader.for_each(&label, &mut each),
            Reader::Array(reader) => reader.for_each(&label, &mut each),
            Reader::Document(reader) => reader.for_each(&mut each),
        }
    }
}

/// The bytes of the input after gzip and decoding: always UTF-8, or bytes to be checked as
/// UTF-8.
pub(crate) type Text = Box<dyn BufRead + Send>;

/// A size in bytes, for messages: `1 MiB`, `64 KiB`, `1000 bytes`.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// A broken record, with what was read of it.
fn broken_with(raw: Raw, column: Option<usize>, reason: String) -> Fields {
    Fields::Broken {
        column,
        reason,
        raw: Some(raw),
    }
}
