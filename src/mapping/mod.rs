//! The mapping file: which column feeds which webhook field.
//!
//! [`Mapping::load`] reads and checks the TOML file, keeping the line of every entry so that
//! each mistake is reported where it was made. [`Mapping::compile`] then resolves the columns
//! against the input's header into a [`Plan`], which maps rows.

mod convert;
mod plan;
mod template;

use std::fmt;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::schema::{FieldType, Table};

pub use convert::Typed;
pub use plan::{Invalid, Mapped, Plan};
use template::Piece;

/// A mistake in the mapping file, with its place.
#[derive(Debug, thiserror::Error)]
pub struct MappingError {
    /// The mapping file, as named on the command line.
    pub file: String,
    /// The line of the mapping file, when the mistake has one.
    pub line: Option<usize>,
    pub message: String,
    /// What to try instead, such as the closest valid name.
    pub hint: Option<String>,
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Where in the body an entry writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Contact,
    Employment,
    Company,
    /// The n-th entry of `employment.history`, from 0.
    History(usize),
}

/// Where an entry's value comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    Column(String),
    Template(String, Vec<Piece>),
    Constant(Typed),
}

/// One line of the mapping: a target field and its origin.
#[derive(Debug, Clone)]
pub struct Entry {
    pub slot: Slot,
    pub field: &'static str,
    pub ty: FieldType,
    pub origin: Origin,
    /// Split the text on this separator into a list.
    pub split: Option<String>,
    /// The line of the mapping file.
    pub line: usize,
}

/// A loaded, checked mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    file: String,
    entries: Vec<Entry>,
}

const ENTRY_KEYS: [&str; 4] = ["column", "template", "value", "split"];

impl Mapping {
    /// Read and check a mapping file.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| MappingError {
            file: file.clone(),
            line: None,
            message: format!("cannot read the mapping file: {e}"),
            hint: None,
        })?;
        Mapping::parse(&text, &file)
    }

    /// Check a mapping given as text; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Mapping, MappingError> {
        let loader = Loader {
            file,
            lines: LineIndex::new(text),
        };
        let doc = DeTable::parse(text).map_err(|e| MappingError {
            file: file.to_owned(),
            line: e.span().map(|s| loader.lines.line(s.start)),
            message: format!("not valid TOML: {}", e.message().trim_end()),
            hint: None,
        })?;
        let entries = loader.entries(doc.get_ref())?;
        if !entries
            .iter()
            .any(|e| e.slot == Slot::Contact && e.field == "email")
        {
            return Err(MappingError {
                file: file.to_owned(),
                line: None,
                message: "the mapping has no contact.email, and every body needs one".into(),
                hint: Some(
                    "add `email = \"Email\"` under [contact], naming your email column".into(),
                ),
            });
        }
        Ok(Mapping {
            file: file.to_owned(),
            entries,
        })
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// The error for a mistake at `line` of this mapping.
    pub(crate) fn error(&self, line: usize, message: String, hint: Option<String>) -> MappingError {
        MappingError {
            file: self.file.clone(),
            line: Some(line),
            message,
            hint,
        }
    }
}

struct Loader<'a> {
    file: &'a str,
    lines: LineIndex,
}

type Key<'i> = Spanned<std::borrow::Cow<'i, str>>;

impl Loader<'_> {
    fn entries(&self, doc: &DeTable<'_>) -> Result<Vec<Entry>, MappingError> {
        let mut entries = Vec::new();
        for (key, value) in doc {
            let name = key.get_ref().as_ref();
            let Some(table) = Table::from_name(name) else {
                let names = Table::TOP.map(Table::name);
                return Err(self.error(
                    key,
                    format!("unknown table [{name}]"),
                    suggest(name, names),
                ));
            };
            let DeValue::Table(fields) = value.get_ref() else {
                return Err(self.error(
                    key,
                    format!("`{name}` must be a table, like [{name}]"),
                    None,
                ));
            };
            self.table(table, fields, &mut entries)?;
        }
        Ok(entries)
    }

    fn table(
        &self,
        table: Table,
        fields: &DeTable<'_>,
        entries: &mut Vec<Entry>,
    ) -> Result<(), MappingError> {
        let slot = match table {
            Table::Contact => Slot::Contact,
            Table::Employment => Slot::Employment,
            _ => Slot::Company,
        };
        for (key, value) in fields {
            if table == Table::Employment && key.get_ref() == "history" {
                self.history(key, value, entries)?;
            } else {
                entries.push(self.entry(table, slot, key, value)?);
            }
        }
        Ok(())
    }

    fn history(
        &self,
        key: &Key<'_>,
        value: &Spanned<DeValue<'_>>,
        entries: &mut Vec<Entry>,
    ) -> Result<(), MappingError> {
        let DeValue::Array(items) = value.get_ref() else {
            let message = "`employment.history` must be a list of tables, \
                           written [[employment.history]]";
            return Err(self.error(key, message.into(), None));
        };
        for (i, item) in items.iter().enumerate() {
            let DeValue::Table(fields) = item.get_ref() else {
                let message = "each entry of `employment.history` must be a table";
                return Err(self.at(item.span(), message.into(), None));
            };
            for (key, value) in fields {
                entries.push(self.entry(Table::History, Slot::History(i), key, value)?);
            }
        }
        Ok(())
    }

    fn entry(
        &self,
        table: Table,
        slot: Slot,
        key: &Key<'_>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Entry, MappingError> {
        let name = key.get_ref().as_ref();
        let Some((field, ty)) = table.fields().find(|(f, _)| *f == name) else {
            let mut names: Vec<&str> = table.fields().map(|(f, _)| f).collect();
            if table == Table::Employment {
                names.push("history");
            }
            let message = format!("unknown field `{}.{name}`", table.name());
            let hint = suggest(name, names).or_else(|| elsewhere(name));
            return Err(self.error(key, message, hint));
        };
        let target = format!("{}.{field}", table.name());
        let (origin, split) = self.origin(&target, ty, value)?;
        if split.is_some() && ty != FieldType::TextList {
            let message = format!(
                "`split` makes a list, but `{target}` takes {}",
                ty.describe()
            );
            return Err(self.at(value.span(), message, None));
        }
        Ok(Entry {
            slot,
            field,
            ty,
            origin,
            split,
            line: self.lines.line(key.span().start),
        })
    }

    fn origin(
        &self,
        target: &str,
        ty: FieldType,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<(Origin, Option<String>), MappingError> {
        match value.get_ref() {
            DeValue::String(s) => Ok((self.column_or_template(s, value.span())?, None)),
            DeValue::Table(options) => self.options(target, ty, options, value.span()),
            _ => Ok((self.constant(target, ty, value)?, None)),
        }
    }

    fn column_or_template(
        &self,
        s: &str,
        span: std::ops::Range<usize>,
    ) -> Result<Origin, MappingError> {
        if template::is_template(s) {
            let pieces = template::parse(s).map_err(|e| self.at(span, e, None))?;
            Ok(Origin::Template(s.to_owned(), pieces))
        } else if s.trim().is_empty() {
            Err(self.at(span, "the column name is empty".into(), None))
        } else {
            Ok(Origin::Column(s.trim().to_owned()))
        }
    }

    fn options(
        &self,
        target: &str,
        ty: FieldType,
        options: &DeTable<'_>,
        span: std::ops::Range<usize>,
    ) -> Result<(Origin, Option<String>), MappingError> {
        let mut origin = None;
        let mut split = None;
        for (key, value) in options {
            let found = match key.get_ref().as_ref() {
                "column" | "template" => {
                    let DeValue::String(s) = value.get_ref() else {
                        let message = format!("`{}` must be a string", key.get_ref());
                        return Err(self.at(value.span(), message, None));
                    };
                    if key.get_ref() == "column" {
                        Origin::Column(s.trim().to_owned())
                    } else {
                        self.column_or_template(s, value.span())?
                    }
                }
                "value" => self.constant(target, ty, value)?,
                "split" => {
                    let DeValue::String(s) = value.get_ref().clone() else {
                        return Err(self.at(value.span(), "`split` must be a string".into(), None));
                    };
                    if s.is_empty() {
                        return Err(self.at(value.span(), "`split` is empty".into(), None));
                    }
                    split = Some(s.into_owned());
                    continue;
                }
                other => {
                    let message = format!("unknown key `{other}` in the entry for `{target}`");
                    return Err(self.error(key, message, suggest(other, ENTRY_KEYS)));
                }
            };
            if origin.replace(found).is_some() {
                let message = format!("`{target}` has more than one of column, template, value");
                return Err(self.error(key, message, None));
            }
        }
        let Some(origin) = origin else {
            let message = format!("the entry for `{target}` says nowhere its value comes from");
            let hint = "give it a `column`, a `template` or a `value`".to_owned();
            return Err(self.at(span, message, Some(hint)));
        };
        Ok((origin, split))
    }

    fn constant(
        &self,
        target: &str,
        ty: FieldType,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Origin, MappingError> {
        let typed = match (ty, value.get_ref()) {
            (FieldType::TextList, DeValue::Array(items)) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
                    _ => Err(format!("`{target}` takes a list of non-empty strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Typed::List),
            (_, DeValue::String(s)) if s.trim().is_empty() => {
                Err(format!("the value for `{target}` is empty"))
            }
            (_, DeValue::String(s)) => convert::from_text(ty, s.trim()),
            (FieldType::Integer | FieldType::Digits, DeValue::Integer(i)) => {
                convert::integer(i.as_str()).map(|n| match ty {
                    FieldType::Integer => Typed::Integer(n),
                    _ => Typed::Text(n.to_string()),
                })
            }
            (FieldType::Bool, DeValue::Boolean(b)) => Ok(Typed::Bool(*b)),
            _ => Err(format!("`{target}` takes {}", ty.describe())),
        };
        typed
            .map(Origin::Constant)
            .map_err(|reason| self.at(value.span(), reason, None))
    }

    fn error(&self, key: &Key<'_>, message: String, hint: Option<String>) -> MappingError {
        self.at(key.span(), message, hint)
    }

    fn at(
        &self,
        span: std::ops::Range<usize>,
        message: String,
        hint: Option<String>,
    ) -> MappingError {
        MappingError {
            file: self.file.to_owned(),
            line: Some(self.lines.line(span.start)),
            message,
            hint,
        }
    }
}

/// "`title` is a field of [employment]", for a field put in the wrong table.
fn elsewhere(name: &str) -> Option<String> {
    let table = [
        Table::Contact,
        Table::Employment,
        Table::Company,
        Table::History,
    ]
    .into_iter()
    .find(|t| t.field(name).is_some())?;
    let written = match table {
        Table::History => "[[employment.history]]".to_owned(),
        other => format!("[{}]", other.name()),
    };
    Some(format!("`{name}` is a field of {written}"))
}

/// "did you mean `x`?" for the closest of `names`, when one is close enough.
pub(crate) fn suggest<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    names
        .into_iter()
        .map(|candidate| {
            (
                strsim::jaro_winkler(&lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!("did you mean `{candidate}`?"))
}

/// Byte offsets to line numbers.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

#[cfg(test)]
mod tests;
