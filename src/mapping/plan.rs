//! A mapping compiled against one input: every column resolved to its index (or its JSON
//! path) once, so that mapping a row is a pure function from a record to a body.

use std::io::Write;

use serde_json::Value;

use super::convert::{self, Typed};
use super::template::Piece;
use super::{Mapping, MappingError, Origin, Slot, suggest};
use crate::input::{Columns, Fields};
use crate::schema::FieldType;

/// A row turned into a body, ready to send.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The JSON body.
    pub body: Vec<u8>,
    /// The row's contact.email.
    pub key: String,
}

/// Why a row cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The row's contact.email, when it has one.
    pub key: String,
    pub reason: String,
}

/// The compiled mapping.
#[derive(Debug, Clone)]
pub struct Plan {
    contact: Vec<Step>,
    employment: Vec<Step>,
    history: Vec<Vec<Step>>,
    company: Vec<Step>,
    /// The index in `contact` of contact.email.
    email: usize,
}

#[derive(Debug, Clone)]
struct Step {
    field: &'static str,
    /// `contact.email`, for messages.
    target: String,
    ty: FieldType,
    source: Source,
    split: Option<String>,
}

#[derive(Debug, Clone)]
enum Source {
    Cell(Cell),
    Template(Vec<Part>),
    Constant(Typed),
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Cell(Cell),
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

/// A value as found in a record.
enum Raw<'a> {
    Missing,
    Text(&'a str),
    Json(&'a Value),
}

impl Mapping {
    /// Resolve every column of the mapping against the input's columns.
    pub fn compile(&self, columns: &Columns, input: &str) -> Result<Plan, MappingError> {
        let mut plan = Plan {
            contact: Vec::new(),
            employment: Vec::new(),
            history: Vec::new(),
            company: Vec::new(),
            email: 0,
        };
        for entry in self.entries() {
            let resolve = |name: &str| self.cell(columns, name, entry.line, input);
            let source = match &entry.origin {
                Origin::Column(name) => Source::Cell(resolve(name)?),
                Origin::Template(_, pieces) => Source::Template(
                    pieces
                        .iter()
                        .map(|piece| match piece {
                            Piece::Text(text) => Ok(Part::Text(text.clone())),
                            Piece::Column(name) => resolve(name).map(Part::Cell),
                        })
                        .collect::<Result<_, _>>()?,
                ),
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
                Slot::History(i) => {
                    if plan.history.len() <= i {
                        plan.history.resize_with(i + 1, Vec::new);
                    }
                    plan.history[i].push(step);
                }
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
            Columns::Paths => At::Path(name.split('.').map(str::to_owned).collect()),
            Columns::Header(header) => At::Index(self.column_index(header, name, line, input)?),
        };
        Ok(Cell {
            name: name.to_owned(),
            at,
        })
    }

    fn column_index(
        &self,
        header: &[String],
        name: &str,
        line: usize,
        input: &str,
    ) -> Result<usize, MappingError> {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == name)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [index] => Ok(*index),
            [] => {
                let message = format!("the column `{name}` is not in the header of {input}");
                let hint = suggest(name, header.iter().map(String::as_str))
                    .or_else(|| Some(list_columns(header)));
                Err(self.error(line, message, hint))
            }
            [a, b, ..] => {
                let message = format!(
                    "the column `{name}` appears more than once in the header of {input} \
                     (columns {} and {})",
                    a + 1,
                    b + 1
                );
                Err(self.error(line, message, None))
            }
        }
    }
}

/// "the header's columns are `A`, `B`, …", for a hint.
fn list_columns(header: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = header
        .iter()
        .take(SHOWN)
        .map(|h| format!("`{h}`"))
        .collect();
    if header.len() > SHOWN {
        names.push(format!("and {} more", header.len() - SHOWN));
    }
    format!("the header's columns are {}", names.join(", "))
}

impl Plan {
    /// Map one record to a body, or say why it cannot be sent.
    pub fn apply(&self, fields: &Fields) -> Result<Mapped, Invalid> {
        if let Fields::Broken(reason) = fields {
            return Err(Invalid {
                key: String::new(),
                reason: reason.clone(),
            });
        }
        let key = match self.value(&self.contact[self.email], fields) {
            Ok(Some(Typed::Text(email))) => email,
            Ok(_) => {
                let reason = format!(
                    "contact.email is empty ({})",
                    self.contact[self.email].about()
                );
                return Err(invalid(String::new(), reason));
            }
            Err(reason) => return Err(invalid(String::new(), reason)),
        };
        let mut body = Vec::with_capacity(256);
        self.write_body(fields, &mut body)
            .map_err(|reason| invalid(key.clone(), reason))?;
        Ok(Mapped { body, key })
    }

    fn write_body(&self, fields: &Fields, out: &mut Vec<u8>) -> Result<(), String> {
        out.push(b'{');
        let mut first = true;
        self.write_table("contact", &self.contact, &[], fields, out, &mut first)?;
        self.write_table(
            "employment",
            &self.employment,
            &self.history,
            fields,
            out,
            &mut first,
        )?;
        self.write_table("company", &self.company, &[], fields, out, &mut first)?;
        out.push(b'}');
        Ok(())
    }

    /// Write `"name":{…}` unless every field of the table is empty.
    fn write_table(
        &self,
        name: &str,
        steps: &[Step],
        history: &[Vec<Step>],
        fields: &Fields,
        out: &mut Vec<u8>,
        first: &mut bool,
    ) -> Result<(), String> {
        let mark = out.len();
        let was_first = *first;
        write_key(out, first, name);
        out.push(b'{');
        let mut inner_first = true;
        let _ = self.write_fields(steps, fields, out, &mut inner_first)?;
        self.write_history(history, fields, out, &mut inner_first)?;
        if inner_first {
            out.truncate(mark);
            *first = was_first;
        } else {
            out.push(b'}');
        }
        Ok(())
    }

    /// Write the fields that have a value; returns whether one that is not a constant did.
    fn write_fields(
        &self,
        steps: &[Step],
        fields: &Fields,
        out: &mut Vec<u8>,
        first: &mut bool,
    ) -> Result<bool, String> {
        let mut filled = false;
        for step in steps {
            if let Some(value) = self.value(step, fields)? {
                write_key(out, first, step.field);
                write_typed(out, &value);
                filled |= !matches!(step.source, Source::Constant(_));
            }
        }
        Ok(filled)
    }

    fn write_history(
        &self,
        history: &[Vec<Step>],
        fields: &Fields,
        out: &mut Vec<u8>,
        first: &mut bool,
    ) -> Result<(), String> {
        let mark = out.len();
        let was_first = *first;
        write_key(out, first, "history");
        out.push(b'[');
        let mut any = false;
        for entry in history {
            let entry_mark = out.len();
            if any {
                out.push(b',');
            }
            out.push(b'{');
            let mut entry_first = true;
            let filled = self.write_fields(entry, fields, out, &mut entry_first)?;
            if !filled {
                out.truncate(entry_mark);
            } else {
                out.push(b'}');
                any = true;
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

    /// The typed value of one field for this record; `None` when it is empty.
    fn value(&self, step: &Step, fields: &Fields) -> Result<Option<Typed>, String> {
        let result = match &step.source {
            Source::Constant(typed) => return Ok(Some(typed.clone())),
            Source::Cell(cell) => typed(step, raw(cell, fields)),
            Source::Template(parts) => render(parts, fields).and_then(|text| match text {
                Some(text) => typed(step, Raw::Text(&text)),
                None => Ok(None),
            }),
        };
        result.map_err(|reason| format!("{}: {reason}", step.about()))
    }
}

impl Step {
    /// `contact.email (column `Email`)`, for messages.
    fn about(&self) -> String {
        match &self.source {
            Source::Cell(cell) => format!("{} from column `{}`", self.target, cell.name),
            Source::Template(_) => format!("{} from a template", self.target),
            Source::Constant(_) => self.target.clone(),
        }
    }
}

fn invalid(key: String, reason: String) -> Invalid {
    Invalid { key, reason }
}

fn raw<'a>(cell: &Cell, fields: &'a Fields) -> Raw<'a> {
    match (&cell.at, fields) {
        (At::Index(i), Fields::Csv(record)) => record.get(*i).map_or(Raw::Missing, Raw::Text),
        (At::Path(path), Fields::Json(value)) => path
            .iter()
            .try_fold(value, |v, segment| match v {
                Value::Object(map) => map.get(segment),
                Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            })
            .map_or(Raw::Missing, Raw::Json),
        _ => Raw::Missing,
    }
}

/// Convert what was found to the step's type.
fn typed(step: &Step, raw: Raw<'_>) -> Result<Option<Typed>, String> {
    match raw {
        Raw::Missing | Raw::Json(Value::Null) => Ok(None),
        Raw::Text(text) => from_text(step, text.trim()),
        Raw::Json(Value::String(text)) => from_text(step, text.trim()),
        Raw::Json(Value::Number(n)) => from_number(step.ty, n),
        Raw::Json(Value::Bool(b)) => match step.ty {
            FieldType::Bool => Ok(Some(Typed::Bool(*b))),
            _ => from_text(step, if *b { "true" } else { "false" }),
        },
        Raw::Json(Value::Array(items)) if step.ty == FieldType::TextList => {
            let list: Vec<String> = items
                .iter()
                .map(|item| scalar_text(item).map(|t| t.trim().to_owned()))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect();
            Ok((!list.is_empty()).then_some(Typed::List(list)))
        }
        Raw::Json(Value::Array(_)) => Err(format!("expected {}, found a list", step.ty.describe())),
        Raw::Json(Value::Object(_)) => {
            Err(format!("expected {}, found an object", step.ty.describe()))
        }
    }
}

fn from_text(step: &Step, text: &str) -> Result<Option<Typed>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    match (&step.split, step.ty) {
        (Some(separator), FieldType::TextList) => {
            let list: Vec<String> = text
                .split(separator.as_str())
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_owned)
                .collect();
            Ok((!list.is_empty()).then_some(Typed::List(list)))
        }
        _ => convert::from_text(step.ty, text).map(Some),
    }
}

fn from_number(ty: FieldType, n: &serde_json::Number) -> Result<Option<Typed>, String> {
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 2f64.powi(53))
            .map(|f| f as u64)
    });
    match (ty, whole) {
        (FieldType::Integer, Some(w)) => Ok(Some(Typed::Integer(w))),
        (FieldType::Digits, Some(w)) => Ok(Some(Typed::Text(w.to_string()))),
        (FieldType::Integer | FieldType::Digits, None) => {
            Err(format!("`{n}` is not a whole number"))
        }
        _ => convert::from_text(ty, &n.to_string()).map(Some),
    }
}

/// A JSON scalar as text, for templates and lists.
fn scalar_text(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Ok(String::new()),
        Value::Array(_) => Err("expected a single value, found a list".into()),
        Value::Object(_) => Err("expected a single value, found an object".into()),
    }
}

/// Fill a template; `None` when every column in it is empty.
///
/// Text around an empty column goes with it, so that `"{City}, {Country}"` gives `Chile`
/// rather than `, Chile`: the text before the first column and after the last belong to
/// them, and the text between two columns is kept only when something filled follows it
/// (but for a closing bracket or quote, which stays with the column before it).
fn render(parts: &[Part], fields: &Fields) -> Result<Option<String>, String> {
    let mut texts: Vec<&str> = vec![""];
    let mut values: Vec<String> = Vec::new();
    for part in parts {
        match part {
            Part::Text(text) => *texts.last_mut().unwrap_or(&mut "") = text,
            Part::Cell(cell) => {
                let value = match raw(cell, fields) {
                    Raw::Missing => String::new(),
                    Raw::Text(t) => t.trim().to_owned(),
                    Raw::Json(v) => scalar_text(v)
                        .map_err(|e| format!("column `{}`: {e}", cell.name))?
                        .trim()
                        .to_owned(),
                };
                values.push(value);
                texts.push("");
            }
        }
    }
    Ok(fill(&texts, &values))
}

/// `texts` has one more item than `values`: the text before, between and after them.
fn fill(texts: &[&str], values: &[String]) -> Option<String> {
    let filled: Vec<usize> = (0..values.len())
        .filter(|&i| !values[i].is_empty())
        .collect();
    let (&first, &last) = (filled.first()?, filled.last()?);
    let mut out = String::new();
    if first == 0 {
        out.push_str(texts[0]);
    }
    for (n, &i) in filled.iter().enumerate() {
        if n > 0 {
            // The text right after the previous filled column separates the two.
            out.push_str(texts[filled[n - 1] + 1]);
        }
        out.push_str(&values[i]);
    }
    if last == values.len() - 1 {
        out.push_str(texts[values.len()]);
    } else {
        // A closing bracket or quote right after the last filled column belongs to it.
        let after = texts[last + 1];
        let closing = after
            .find(|c: char| !matches!(c, ')' | ']' | '}' | '"' | '\'' | '»'))
            .unwrap_or(after.len());
        out.push_str(&after[..closing]);
    }
    let out = out.trim();
    (!out.is_empty()).then(|| out.to_owned())
}

fn write_key(out: &mut Vec<u8>, first: &mut bool, key: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, key);
    out.push(b':');
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    // Writing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
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
