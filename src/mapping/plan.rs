//! A mapping compiled against one input: every column resolved to its index (or its JSON
//! path) once, so that mapping a row is a pure function from a record to a body.

use std::fmt;
use std::io::Write;

use serde_json::Value;

use super::convert::Typed;

mod key;
mod step;
use super::template::Piece;
use super::transform::Transform;
use super::{Mapping, MappingError, Origin, Slot, suggest};
use crate::input::{Columns, Fields};
use crate::schema::FieldType;
pub use key::KeyError;

/// A row turned into a body, ready to send.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The JSON body.
    pub body: Vec<u8>,
    /// The row's contact key: its contact.email, or the field `--key` named.
    pub key: String,
}

/// Why a row cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The row's contact.email, when it has one.
    pub key: String,
    pub problem: Problem,
}

/// What is wrong with a row, in parts, so that problems of one kind can be counted together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Problem {
    /// The webhook field, such as `company.employeesCount`.
    pub field: Option<String>,
    /// The input column.
    pub column: Option<String>,
    /// The value found, shortened.
    pub value: Option<String>,
    /// What is wrong, written to follow the value: "is not a whole number".
    pub reason: String,
}

impl Problem {
    /// The problem without its value, to group rows with the same kind of problem.
    pub fn kind(&self) -> Problem {
        Problem {
            value: None,
            ..self.clone()
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = self.column.as_deref();
        match (&self.field, column, &self.value) {
            (Some(field), Some(column), Some(value)) => {
                write!(
                    f,
                    "{field} from column `{column}`: `{value}` {}",
                    self.reason
                )
            }
            (Some(field), None, Some(value)) => write!(f, "{field}: `{value}` {}", self.reason),
            (Some(field), Some(column), None) => {
                write!(f, "{field} {} (column `{column}`)", self.reason)
            }
            (Some(field), None, None) => write!(f, "{field} {}", self.reason),
            (None, Some(column), _) => write!(f, "column `{column}` {}", self.reason),
            (None, None, Some(value)) => write!(f, "`{value}` {}", self.reason),
            (None, None, None) => f.write_str(&self.reason),
        }
    }
}

/// The compiled mapping.
#[derive(Debug, Clone)]
pub struct Plan {
    contact: Vec<Step>,
    employment: Vec<Step>,
    history: Vec<HistoryPlan>,
    company: Vec<Step>,
    /// The index in `contact` of contact.email.
    email: usize,
    /// The field `--key` named, when it is not contact.email.
    key: Option<key::KeyAt>,
    /// The header, to name the column of a broken cell.
    header: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct HistoryPlan {
    /// Make one entry per element of this array, at most `limit`.
    each: Option<(Vec<String>, usize)>,
    steps: Vec<Step>,
}

#[derive(Debug, Clone)]
struct Step {
    field: &'static str,
    /// `contact.email`, for messages.
    target: String,
    ty: FieldType,
    source: Source,
    split: Option<String>,
    transforms: Vec<Transform>,
    default: Option<String>,
    null_values: Vec<String>,
}

#[derive(Debug, Clone)]
enum Source {
    Cell(Cell),
    FirstOf(Vec<Cell>),
    Template(Template),
    Constant(Typed<'static>),
}

/// A template, its text cut once into the parts that go with each column (see [`gap`]).
#[derive(Debug, Clone)]
struct Template {
    cells: Vec<Cell>,
    /// The text before the first column, between each two, and after the last: one more
    /// than `cells`.
    texts: Vec<String>,
    /// Where each text's closing part and separator end.
    gaps: Vec<(usize, usize)>,
}

/// Where a value sits in a record.
#[derive(Debug, Clone)]
struct Cell {
    name: String,
    at: At,
}

#[derive(Debug, Clone)]
enum At {
    Index(usize),
    Path(Vec<String>),
}

/// What a step reads from: a CSV record, or a JSON object (a record, or an element of an
/// array that `each` walks).
#[derive(Clone, Copy)]
enum Scope<'a> {
    Csv(&'a csv::StringRecord),
    Json(&'a Value),
}

/// A value as found in a record.
enum Raw<'a> {
    Missing,
    Text(&'a str),
    Json(&'a Value),
}

/// A failure inside one step, before the step names itself in it.
struct Fault {
    value: Option<String>,
    reason: String,
}

impl Fault {
    fn new(value: &str, reason: impl Into<String>) -> Fault {
        Fault {
            value: Some(shorten(value, 60)),
            reason: reason.into(),
        }
    }

    fn bare(reason: impl Into<String>) -> Fault {
        Fault {
            value: None,
            reason: reason.into(),
        }
    }
}

impl Mapping {
    /// Resolve every column of the mapping against the input's columns.
    pub fn compile(&self, columns: &Columns, input: &str) -> Result<Plan, MappingError> {
        let header = match columns {
            Columns::Header(header) => header.clone(),
            Columns::Paths => Vec::new(),
        };
        let mut plan = Plan {
            contact: Vec::new(),
            employment: Vec::new(),
            history: Vec::new(),
            company: Vec::new(),
            email: 0,
            key: None,
            header,
        };
        for each in &self.each {
            if matches!(columns, Columns::Header(_)) {
                let message = "`each` walks a JSON array, and this input is CSV".to_owned();
                return Err(self.error(each.line, message, None));
            }
            let history = history_at(&mut plan.history, each.index);
            history.each = Some((split_path(&each.path), each.limit));
        }
        for entry in self.entries() {
            let resolve = |name: &str| self.cell(columns, name, entry.line, input);
            let source = match &entry.origin {
                Origin::Column(name) => Source::Cell(resolve(name)?),
                Origin::FirstOf(names) => {
                    Source::FirstOf(names.iter().map(|n| resolve(n)).collect::<Result<_, _>>()?)
                }
                Origin::Template(_, pieces) => {
                    let mut cells = Vec::new();
                    let mut texts = vec![String::new()];
                    for piece in pieces {
                        match piece {
                            Piece::Text(text) => {
                                *texts.last_mut().expect("never empty") = text.clone()
                            }
                            Piece::Column(name) => {
                                cells.push(resolve(name)?);
                                texts.push(String::new());
                            }
                        }
                    }
                    let gaps = texts.iter().map(|t| gap(t)).collect();
                    Source::Template(Template { cells, texts, gaps })
                }
                Origin::Constant(typed) => Source::Constant(typed.clone()),
            };
            let table = match entry.slot {
                Slot::History(_) => "employment.history",
                Slot::Contact => "contact",
                Slot::Employment => "employment",
                Slot::Company => "company",
            };
            let step = Step {
                field: entry.field,
                target: format!("{table}.{}", entry.field),
                ty: entry.ty,
                source,
                split: entry.split.clone(),
                transforms: entry.transforms.clone(),
                default: entry.default.clone(),
                null_values: entry.null_values.clone(),
            };
            match entry.slot {
                Slot::Contact => {
                    if step.field == "email" {
                        plan.email = plan.contact.len();
                    }
                    plan.contact.push(step);
                }
                Slot::Employment => plan.employment.push(step),
                Slot::Company => plan.company.push(step),
                Slot::History(i) => history_at(&mut plan.history, i).steps.push(step),
            }
        }
        Ok(plan)
    }

    fn cell(
        &self,
        columns: &Columns,
        name: &str,
        line: usize,
        input: &str,
    ) -> Result<Cell, MappingError> {
        let at = match columns {
            Columns::Paths => At::Path(split_path(name)),
            Columns::Header(header) => At::Index(self.column_index(header, name, line, input)?),
        };
        Ok(Cell {
            name: name.to_owned(),
            at,
        })
    }

    /// The index of a column by its name; `Email#2` is the second column named `Email`.
    fn column_index(
        &self,
        header: &[String],
        name: &str,
        line: usize,
        input: &str,
    ) -> Result<usize, MappingError> {
        let positions = |wanted: &str| -> Vec<usize> {
            header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.as_str() == wanted)
                .map(|(i, _)| i)
                .collect()
        };
        let found = positions(name);
        if let [index] = found.as_slice() {
            return Ok(*index);
        }
        if let Some((base, nth)) = name.rsplit_once('#')
            && let Ok(nth) = nth.parse::<usize>()
            && found.is_empty()
        {
            let same = positions(base);
            return match same.get(nth.wrapping_sub(1)) {
                Some(index) => Ok(*index),
                None => {
                    let message = format!(
                        "`{name}` asks for column `{base}` number {nth}, but the header of \
                         {input} has {} of them",
                        same.len()
                    );
                    Err(self.error(line, message, None))
                }
            };
        }
        match found.as_slice() {
            [] => {
                let message = format!("the column `{name}` is not in the header of {input}");
                let hint = suggest(name, header.iter().map(String::as_str))
                    .or_else(|| Some(list_columns(header)));
                Err(self.error(line, message, hint))
            }
            several => {
                let places: Vec<String> = several.iter().map(|i| (i + 1).to_string()).collect();
                let message = format!(
                    "the column `{name}` appears {} times in the header of {input} \
                     (columns {})",
                    several.len(),
                    places.join(", ")
                );
                let hint = format!("write `{name}#1`, `{name}#2`, … to say which one");
                Err(self.error(line, message, Some(hint)))
            }
        }
    }
}

fn history_at(history: &mut Vec<HistoryPlan>, index: usize) -> &mut HistoryPlan {
    if history.len() <= index {
        history.resize_with(index + 1, HistoryPlan::default);
    }
    &mut history[index]
}

fn split_path(path: &str) -> Vec<String> {
    path.split('.').map(|s| s.trim().to_owned()).collect()
}

/// Text for a message with its control and invisible characters written as `\u{…}`, so that
/// a file can neither hide a character nor send escapes to the terminal.
pub fn visible(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{200b}'..='\u{200f}') => {
                c.escape_unicode().to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

/// "the header's columns are `A`, `B`, …", for a hint.
fn list_columns(header: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = header
        .iter()
        .take(SHOWN)
        .map(|h| format!("`{}`", visible(h)))
        .collect();
    if header.len() > SHOWN {
        names.push(format!("and {} more", header.len() - SHOWN));
    }
    format!("the header's columns are {}", names.join(", "))
}

impl Plan {
    /// Map one record to a body, or say why it cannot be sent.
    pub fn apply(&self, fields: &Fields) -> Result<Mapped, Invalid> {
        let scope = match fields {
            Fields::Csv(record) => Scope::Csv(record),
            Fields::Json(value) => Scope::Json(value),
            Fields::Broken { column, reason, .. } => {
                let column = column.map(|i| {
                    self.header
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", i + 1))
                });
                let problem = Problem {
                    field: None,
                    column,
                    value: None,
                    reason: reason.clone(),
                };
                return Err(Invalid {
                    key: String::new(),
                    problem,
                });
            }
        };
        let email = &self.contact[self.email];
        let email = match email.value(scope) {
            Ok(Some(Typed::Text(email))) => email.into_owned(),
            Ok(_) => return Err(email.invalid(String::new(), Fault::bare("is empty"))),
            Err(fault) => return Err(email.invalid(String::new(), fault)),
        };
        let key = match &self.key {
            None => None,
            Some(at) => Some(self.key_of(at, scope, &email)?),
        };
        let mut body = Vec::with_capacity(512);
        self.write_body(scope, &email, &mut body)
            .map_err(|(step, fault)| {
                step.invalid(key.clone().unwrap_or_else(|| email.clone()), fault)
            })?;
        Ok(Mapped {
            body,
            key: key.unwrap_or(email),
        })
    }

    /// Every problem a record has, not only the first; empty when it maps. For `check`.
    pub fn problems(&self, fields: &Fields) -> Vec<Problem> {
        let scope = match fields {
            Fields::Csv(record) => Scope::Csv(record),
            Fields::Json(value) => Scope::Json(value),
            Fields::Broken { .. } => {
                return self
                    .apply(fields)
                    .err()
                    .map(|i| i.problem)
                    .into_iter()
                    .collect();
            }
        };
        let mut found = Vec::new();
        let email = &self.contact[self.email];
        match email.value(scope) {
            Ok(Some(_)) => {}
            Ok(None) => found.push(
                email
                    .invalid(String::new(), Fault::bare("is empty"))
                    .problem,
            ),
            Err(fault) => found.push(email.invalid(String::new(), fault).problem),
        }
        let others = self
            .contact
            .iter()
            .chain(&self.employment)
            .chain(&self.company);
        for step in others.filter(|s| !std::ptr::eq(*s, email)) {
            found.extend(step.problem(scope));
        }
        for history in &self.history {
            match (&history.each, scope) {
                (None, _) => history
                    .steps
                    .iter()
                    .for_each(|s| found.extend(s.problem(scope))),
                (Some((path, limit)), Scope::Json(root)) => {
                    for item in elements(root, path).take(*limit) {
                        let item = Scope::Json(item);
                        history
                            .steps
                            .iter()
                            .for_each(|s| found.extend(s.problem(item)));
                    }
                }
                (Some(_), Scope::Csv(_)) => {}
            }
        }
        found
    }

    /// Write the body; `email` is contact.email's value, found already.
    fn write_body<'p>(
        &'p self,
        scope: Scope<'_>,
        email: &str,
        out: &mut Vec<u8>,
    ) -> Result<(), (&'p Step, Fault)> {
        out.push(b'{');
        let mut first = true;
        let known = Some((&self.contact[self.email], email));
        write_table(out, &mut first, "contact", |out, first| {
            write_fields(&self.contact, scope, known, out, first).map(drop)
        })?;
        write_table(out, &mut first, "employment", |out, first| {
            write_fields(&self.employment, scope, None, out, first)?;
            self.write_history(scope, out, first)
        })?;
        write_table(out, &mut first, "company", |out, first| {
            write_fields(&self.company, scope, None, out, first).map(drop)
        })?;
        out.push(b'}');
        Ok(())
    }

    fn write_history<'p>(
        &'p self,
        scope: Scope<'_>,
        out: &mut Vec<u8>,
        first: &mut bool,
    ) -> Result<(), (&'p Step, Fault)> {
        if self.history.is_empty() {
            return Ok(());
        }
        let mark = out.len();
        let was_first = *first;
        write_key(out, first, "history");
        out.push(b'[');
        let mut any = false;
        for history in &self.history {
            match &history.each {
                None => any |= write_entry(&history.steps, scope, out, any)?,
                Some((path, limit)) => {
                    let Scope::Json(root) = scope else { continue };
                    for item in elements(root, path).take(*limit) {
                        any |= write_entry(&history.steps, Scope::Json(item), out, any)?;
                    }
                }
            }
        }
        if any {
            out.push(b']');
        } else {
            out.truncate(mark);
            *first = was_first;
        }
        Ok(())
    }
}

/// Write `"name":{…}` unless nothing is written inside it.
fn write_table<'p>(
    out: &mut Vec<u8>,
    first: &mut bool,
    name: &'static str,
    inner: impl FnOnce(&mut Vec<u8>, &mut bool) -> Result<(), (&'p Step, Fault)>,
) -> Result<(), (&'p Step, Fault)> {
    let mark = out.len();
    let was_first = *first;
    write_key(out, first, name);
    out.push(b'{');
    let mut inner_first = true;
    inner(out, &mut inner_first)?;
    if inner_first {
        out.truncate(mark);
        *first = was_first;
    } else {
        out.push(b'}');
    }
    Ok(())
}

/// Write one history entry; returns whether it had anything in it.
fn write_entry<'p>(
    steps: &'p [Step],
    scope: Scope<'_>,
    out: &mut Vec<u8>,
    after_another: bool,
) -> Result<bool, (&'p Step, Fault)> {
    let mark = out.len();
    if after_another {
        out.push(b',');
    }
    out.push(b'{');
    let mut first = true;
    if !write_fields(steps, scope, None, out, &mut first)? {
        out.truncate(mark);
        return Ok(false);
    }
    out.push(b'}');
    Ok(true)
}

/// Write the fields that have a value; returns whether one that is not a constant did.
/// `known` is a step whose text value was found already.
fn write_fields<'p>(
    steps: &'p [Step],
    scope: Scope<'_>,
    known: Option<(&Step, &str)>,
    out: &mut Vec<u8>,
    first: &mut bool,
) -> Result<bool, (&'p Step, Fault)> {
    let mut filled = false;
    for step in steps {
        if let Some((known, text)) = known
            && std::ptr::eq(known, step)
        {
            write_key(out, first, step.field);
            write_str(out, text);
            filled = true;
            continue;
        }
        if let Some(value) = step.value(scope).map_err(|fault| (step, fault))? {
            write_key(out, first, step.field);
            write_typed(out, &value);
            filled |= !matches!(step.source, Source::Constant(_));
        }
    }
    Ok(filled)
}

/// The text between two columns of a template: where its closing brackets or quotes end,
/// and where the separator after them ends; the rest is a label.
fn gap(text: &str) -> (usize, usize) {
    let closing = text
        .find(|c: char| !matches!(c, ')' | ']' | '}' | '"' | '\'' | '»'))
        .unwrap_or(text.len());
    let separator = text[closing..]
        .find(|c: char| !(c.is_whitespace() || ",;:|/-–—·".contains(c)))
        .map_or(text.len(), |n| closing + n);
    (closing, separator)
}

impl Cell {
    fn raw<'a>(&self, scope: Scope<'a>) -> Raw<'a> {
        match (&self.at, scope) {
            (At::Index(i), Scope::Csv(record)) => record.get(*i).map_or(Raw::Missing, Raw::Text),
            (At::Path(path), Scope::Json(value)) => walk(value, path),
            _ => Raw::Missing,
        }
    }
}

/// The objects `each` walks: the elements of an array that are objects, or an object alone.
fn elements<'a>(root: &'a Value, path: &[String]) -> Box<dyn Iterator<Item = &'a Value> + 'a> {
    match walk(root, path) {
        Raw::Json(Value::Array(items)) => Box::new(items.iter().filter(|i| i.is_object())),
        Raw::Json(object @ Value::Object(_)) => Box::new(std::iter::once(object)),
        _ => Box::new(std::iter::empty()),
    }
}

fn walk<'a>(value: &'a Value, path: &[String]) -> Raw<'a> {
    path.iter()
        .try_fold(value, |v, segment| match v {
            Value::Object(map) => map.get(segment),
            Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
        .map_or(Raw::Missing, Raw::Json)
}

/// Text for a message: at most `max` characters, with `…` where it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Write `"key":`, after a comma unless it is the first. Keys are the schema's field names,
/// which need no escaping.
fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &'static str) {
    debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !*first {
        out.push(b',');
    }
    *first = false;
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
}

/// Write a JSON string. Most text needs no escape: it is copied at once.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // No early exit, so that the compiler can look at many bytes at a time.
    let needs_escape = bytes.iter().fold(false, |any, &b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if needs_escape {
        // Writing a str into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
    }
}

fn write_typed(out: &mut Vec<u8>, value: &Typed) {
    match value {
        Typed::Text(s) => write_str(out, s),
        Typed::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        Typed::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Typed::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, item);
            }
            out.push(b']');
        }
    }
}
