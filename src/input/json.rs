//! JSON input: one object per line (JSONL), a top-level array of objects (streamed, one
//! element at a time), or one document holding an object or a list of them.
//!
//! A `.json` file is told apart by its content, not its name: mongoexport, for one, writes
//! JSON lines into `.json` files.

use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use anyhow::{Context, bail};
use serde::de::{DeserializeSeed, Deserializer, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::decode::REPLACEMENT;
use super::{Fields, Raw, Reader, Record, Text, broken_with};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Keys under which exports put their list of records.
const WRAPPER_KEYS: [&str; 10] = [
    "records", "data", "items", "results", "rows", "users", "contacts", "people", "members",
    "elements",
];

/// JSON lines: blank lines are skipped, each other line is one record.
pub(super) struct LineReader {
    text: Text,
    decoded: Option<&'static str>,
    /// Keep each line's text with its record.
    pub(super) keep_text: bool,
    /// The most bytes a line may take.
    pub(super) max_record: u64,
}

impl LineReader {
    pub(super) fn new(text: Text, decoded: Option<&'static str>) -> LineReader {
        LineReader {
            text,
            decoded,
            keep_text: false,
            max_record: u64::MAX,
        }
    }

    pub(super) fn for_each(
        mut self,
        label: &str,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> anyhow::Result<u64> {
        let mut buf = Vec::new();
        let mut line = 0;
        let mut row = 0;
        loop {
            buf.clear();
            let (n, whole) = read_line(&mut self.text, &mut buf, self.max_record)
                .with_context(|| format!("cannot read {label} after line {line}"))?;
            if n == 0 {
                return Ok(row);
            }
            line += 1;
            if !whole {
                row += 1;
                let reason = format!(
                    "line {line} is larger than --max-record-bytes ({}); it was skipped",
                    super::size_text(self.max_record)
                );
                let fields = Fields::Broken {
                    column: None,
                    reason,
                    raw: None,
                };
                let record = Record {
                    row,
                    line,
                    fields,
                    text: None,
                };
                if !each(record) {
                    return Ok(row);
                }
                continue;
            }
            if line == 1 && buf.starts_with(UTF8_BOM) {
                buf.drain(..UTF8_BOM.len());
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            row += 1;
            let fields = line_fields(&buf, self.decoded);
            let text = self.keep_text.then(|| buf.trim_ascii_end().to_vec());
            if !each(Record {
                row,
                line,
                fields,
                text,
            }) {
                return Ok(row);
            }
        }
    }
}

/// Refuse text that plainly is not JSON lines: its first character that is not a space is
/// not `{`.
pub(super) fn check_lines(text: &mut Text, label: &str) -> anyhow::Result<()> {
    let start = text
        .fill_buf()
        .with_context(|| format!("cannot read {label}"))?;
    let start = start
        .strip_prefix(UTF8_BOM)
        .unwrap_or(start)
        .trim_ascii_start();
    match start.first() {
        None | Some(b'{') => Ok(()),
        Some(b'[') => bail!("{label} holds a JSON array, not JSON lines: pass --format json"),
        Some(_) => bail!(
            "{label} does not look like JSON lines: its first line does not start with `{{` \
             (if it is CSV, pass --format csv)"
        ),
    }
}

/// Read one line into `buf`, keeping at most `max` bytes of it: returns the bytes the line
/// took, and whether it fit (the rest of a line too long is read past, not kept).
fn read_line(text: &mut Text, buf: &mut Vec<u8>, max: u64) -> io::Result<(usize, bool)> {
    let (mut taken, mut fits) = (0, true);
    loop {
        let chunk = text.fill_buf()?;
        if chunk.is_empty() {
            return Ok((taken, fits));
        }
        let (len, done) = match memchr::memchr(b'\n', chunk) {
            Some(end) => (end + 1, true),
            None => (chunk.len(), false),
        };
        fits &= (buf.len() + len) as u64 <= max.saturating_add(1);
        if fits {
            buf.extend_from_slice(&chunk[..len]);
        } else {
            buf.clear();
        }
        text.consume(len);
        taken += len;
        if done {
            return Ok((taken, fits));
        }
    }
}

fn line_fields(line: &[u8], decoded: Option<&'static str>) -> Fields {
    // A byte order mark inside the file (two exports joined) is no part of a line.
    let line = line.strip_prefix(UTF8_BOM).unwrap_or(line);
    let raw = || Raw::Line(line.to_vec());
    if let Err(e) = std::str::from_utf8(line) {
        let reason = format!(
            "holds bytes that are not valid UTF-8 at column {}; if the file is not UTF-8, \
             name its encoding with --encoding",
            e.valid_up_to() + 1
        );
        return broken_with(raw(), None, reason);
    }
    match serde_json::from_slice::<Value>(line) {
        Ok(value @ Value::Object(_)) => object_fields(value, decoded),
        Ok(_) => broken_with(raw(), None, "the line is not a JSON object".to_owned()),
        Err(e) => {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or_default();
            let reason = format!("is not valid JSON at column {}: {message}", e.column());
            broken_with(raw(), None, reason)
        }
    }
}

fn object_fields(value: Value, decoded: Option<&'static str>) -> Fields {
    if let Some(c) = control_character(&value) {
        let raw = serde_json::to_vec(&value).map(Raw::Line).ok();
        let reason = match c {
            '\0' => "holds a NUL character (\\u0000)".to_owned(),
            c => format!(
                "holds the control character U+{:04X}, which text does not",
                c as u32
            ),
        };
        return Fields::Broken {
            column: None,
            reason,
            raw,
        };
    }
    match decoded {
        Some(encoding) if holds_replacement(&value) => {
            let raw = serde_json::to_vec(&value).map(Raw::Line).ok();
            let reason = format!("holds bytes that are not valid {encoding}");
            Fields::Broken {
                column: None,
                reason,
                raw,
            }
        }
        _ => Fields::Json(value),
    }
}

/// The first control character, other than a tab or a line break, in a string or key.
fn control_character(value: &Value) -> Option<char> {
    let bad = |c: &char| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (*c as u32) < 0x80;
    let in_text = |s: &str| s.chars().find(bad);
    match value {
        Value::String(s) => in_text(s),
        Value::Array(items) => items.iter().find_map(control_character),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| in_text(k).or_else(|| control_character(v))),
        _ => None,
    }
}

fn holds_replacement(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains(REPLACEMENT),
        Value::Array(items) => items.iter().any(holds_replacement),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains(REPLACEMENT) || holds_replacement(v)),
        _ => false,
    }
}

/// Look at the start of a `.json` file and pick the reader for it.
pub(super) fn open(
    mut text: Text,
    decoded: Option<&'static str>,
    label: &str,
    notes: &mut Vec<String>,
) -> anyhow::Result<Reader> {
    let start = text
        .fill_buf()
        .with_context(|| format!("cannot read {label}"))?;
    let first = start.iter().copied().find(|b| !b.is_ascii_whitespace());
    match first {
        Some(b'[') => {
            notes.push("reading a JSON array of objects".to_owned());
            Ok(Reader::Array(ArrayReader {
                text,
                decoded,
                max_record: u64::MAX,
            }))
        }
        Some(b'{') if first_line_is_an_object(start) => {
            notes.push("reading JSON lines".to_owned());
            Ok(Reader::Lines(LineReader::new(text, decoded)))
        }
        Some(b'{') => Ok(Reader::Document(DocumentReader::read(
            text, decoded, label, notes,
        )?)),
        None => bail!("{label} is empty"),
        Some(_) => bail!("{label} does not start with a JSON object or array"),
    }
}

/// Whether the file is JSON lines: its first line is a whole object, and either more lines
/// follow or that object is not a wrapper of records (a minified `{"records": [...]}`).
fn first_line_is_an_object(start: &[u8]) -> bool {
    let trimmed = start.trim_ascii_start();
    let mut lines = trimmed.splitn(2, |&b| b == b'\n');
    let line = lines.next().unwrap_or_default();
    let more = lines
        .next()
        .is_some_and(|rest| !rest.trim_ascii().is_empty());
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(object)) => more || wrapped_list(&object).is_none(),
        _ => false,
    }
}

/// The key of the list of records a wrapper object holds: its one key, or a key named like
/// a list of records, whose value is a list of objects. A profile with a list of jobs is not
/// a wrapper.
fn wrapped_list(object: &serde_json::Map<String, Value>) -> Option<String> {
    let wraps =
        |key: &str| object.len() == 1 || WRAPPER_KEYS.contains(&key.to_lowercase().as_str());
    object.iter().find_map(|(key, value)| match value {
        Value::Array(items)
            if wraps(key) && !items.is_empty() && items.iter().all(Value::is_object) =>
        {
            Some(key.clone())
        }
        _ => None,
    })
}

/// A top-level array, streamed: memory holds one element at a time.
pub(super) struct ArrayReader {
    text: Text,
    decoded: Option<&'static str>,
    /// The most bytes an element may take.
    pub(super) max_record: u64,
}

impl ArrayReader {
    pub(super) fn for_each(
        self,
        label: &str,
        each: &mut dyn FnMut(Record) -> bool,
    ) -> anyhow::Result<u64> {
        let lines = Lines::new(self.text, self.max_record);
        let position = lines.position.clone();
        let mut de = serde_json::Deserializer::from_reader(lines);
        let mut walk = Walk {
            each,
            decoded: self.decoded,
            position: position.clone(),
            row: 0,
            stopped: false,
        };
        let result = (&mut walk).deserialize(&mut de).and_then(|()| de.end());
        match result {
            Ok(()) => Ok(walk.row),
            Err(_) if walk.stopped => Ok(walk.row),
            Err(_) if position.too_large.get() => bail!(
                "{label}:{}: the element that starts on this line is larger than \
                 --max-record-bytes ({}); the file was read up to here",
                position.marked(),
                super::size_text(self.max_record)
            ),
            Err(e) => {
                let (line, column) = (e.line(), e.column());
                let message = e.to_string();
                let message = message.split(" at line ").next().unwrap_or_default();
                bail!(
                    "{label}:{line}:{column}: not valid JSON: {message}; \
                     the file was read up to here"
                )
            }
        }
    }
}

struct Walk<'a> {
    each: &'a mut dyn FnMut(Record) -> bool,
    decoded: Option<&'static str>,
    position: Rc<Position>,
    row: u64,
    stopped: bool,
}

impl<'de> DeserializeSeed<'de> for &mut Walk<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for &mut Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.position.mark();
            // Each element is taken as text first, so that one the parser refuses (nested
            // too deep, say) is that row's problem, not the end of the file.
            let Some(element) = seq.next_element::<Box<RawValue>>()? else {
                return Ok(());
            };
            self.row += 1;
            let line = self.position.marked();
            let raw = || Raw::Line(element.get().as_bytes().to_vec());
            let fields = match serde_json::from_str::<Value>(element.get()) {
                Ok(value @ Value::Object(_)) => object_fields(value, self.decoded),
                Ok(_) => broken_with(raw(), None, "the element is not a JSON object".to_owned()),
                Err(e) => {
                    let message = e.to_string();
                    let message = message.split(" at line ").next().unwrap_or_default();
                    broken_with(raw(), None, format!("is not valid JSON: {message}"))
                }
            };
            if !(self.each)(Record {
                text: None,
                row: self.row,
                line,
                fields,
            }) {
                self.stopped = true;
                return Err(serde::de::Error::custom("stopped"));
            }
        }
    }
}

/// A document read whole: an object is one record, or, when it holds a list of objects
/// (as `{"records": [...]}` does), each object of that list is.
pub(super) struct DocumentReader {
    records: Vec<Value>,
    decoded: Option<&'static str>,
    /// The most bytes a record may take, written as JSON.
    pub(super) max_record: u64,
}

impl DocumentReader {
    fn read(
        text: Text,
        decoded: Option<&'static str>,
        label: &str,
        notes: &mut Vec<String>,
    ) -> anyhow::Result<DocumentReader> {
        let value: Value = serde_json::from_reader(text).map_err(|e| {
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_owned();
            anyhow::anyhow!(
                "{label}:{}:{}: not valid JSON: {message}",
                e.line(),
                e.column()
            )
        })?;
        let Value::Object(mut object) = value else {
            bail!("{label} holds no JSON object");
        };
        let list = wrapped_list(&object);
        let records = match list.and_then(|key| object.remove(&key).map(|v| (key, v))) {
            Some((key, Value::Array(items))) => {
                notes.push(format!("reading the objects in its `{key}` list"));
                items
            }
            _ => {
                notes.push("reading it as one record".to_owned());
                vec![Value::Object(object)]
            }
        };
        Ok(DocumentReader {
            records,
            decoded,
            max_record: u64::MAX,
        })
    }

    pub(super) fn for_each(self, each: &mut dyn FnMut(Record) -> bool) -> anyhow::Result<u64> {
        let mut row = 0;
        for value in self.records {
            row += 1;
            // A document read whole has no line per record; the row number says which.
            let fields = match serde_json::to_vec(&value) {
                Ok(text) if text.len() as u64 > self.max_record => Fields::Broken {
                    column: None,
                    reason: format!(
                        "record {row} of the document is larger than --max-record-bytes ({})",
                        super::size_text(self.max_record)
                    ),
                    raw: None,
                },
                _ => object_fields(value, self.decoded),
            };
            if !each(Record {
                text: None,
                row,
                line: 0,
                fields,
            }) {
                break;
            }
        }
        Ok(row)
    }
}

/// Where the JSON parser is, in lines, and the line where the next element starts.
struct Position {
    line: Cell<u64>,
    marking: Cell<bool>,
    marked: Cell<u64>,
    /// Bytes read since the mark, the most an element may take, and whether one took more.
    since_mark: Cell<u64>,
    max: u64,
    too_large: Cell<bool>,
}

impl Position {
    /// Note the line of the next byte that starts a value.
    fn mark(&self) {
        self.marking.set(true);
        self.marked.set(self.line.get());
        self.since_mark.set(0);
    }

    fn marked(&self) -> u64 {
        self.marked.get()
    }
}

/// Counts lines as serde_json reads, byte by byte.
struct Lines {
    text: Text,
    position: Rc<Position>,
}

impl Lines {
    fn new(text: Text, max: u64) -> Lines {
        let position = Position {
            line: Cell::new(1),
            marking: Cell::new(false),
            marked: Cell::new(1),
            since_mark: Cell::new(0),
            max,
            too_large: Cell::new(false),
        };
        Lines {
            text,
            position: Rc::new(position),
        }
    }
}

impl Read for Lines {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let position = &self.position;
        if position.since_mark.get() > position.max {
            position.too_large.set(true);
            return Err(io::Error::other("an element is larger than its limit"));
        }
        let n = self.text.read(buf)?;
        position
            .since_mark
            .set(position.since_mark.get() + n as u64);
        for &b in &buf[..n] {
            if b == b'\n' {
                position.line.set(position.line.get() + 1);
            } else if position.marking.get()
                && !b.is_ascii_whitespace()
                && !matches!(b, b',' | b'[')
            {
                position.marked.set(position.line.get());
                position.marking.set(false);
            }
        }
        Ok(n)
    }
}
