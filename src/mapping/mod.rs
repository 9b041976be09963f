//! The mapping file: which column feeds which webhook field, and how its text is reshaped.
//!
//! [`Mapping::load`] reads and checks the TOML file, keeping the line of every entry so that
//! each mistake is reported where it was made. [`Mapping::compile`] then resolves the columns
//! against the input's header into a [`Plan`], which maps rows. [`init`] suggests a mapping
//! for a header it has never seen.

mod convert;
pub mod init;

mod load;
mod plan;
mod template;
pub mod transform;

use std::fmt;
use std::path::Path;

use crate::schema::FieldType;

pub use convert::Typed;
pub use plan::{Invalid, KeyError, Mapped, Plan, Problem, shorten};
use template::Piece;
use transform::Transform;

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
    /// The n-th `[[employment.history]]` table of the mapping, from 0.
    History(usize),
}

/// Where an entry's value comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    Column(String),
    /// The first of these columns that is not empty.
    FirstOf(Vec<String>),
    Template(String, Vec<Piece>),
    Constant(Typed<'static>),
}

/// One line of the mapping: a target field, its origin and what to do with the text.
#[derive(Debug, Clone)]
pub struct Entry {
    pub slot: Slot,
    pub field: &'static str,
    pub ty: FieldType,
    pub origin: Origin,
    /// Split the text on this separator into a list.
    pub split: Option<String>,
    /// Applied in order to the text (to each part, after a split).
    pub transforms: Vec<Transform>,
    /// Used when the value is empty.
    pub default: Option<String>,
    /// Cell values that mean "empty", lower-cased.
    pub null_values: Vec<String>,
    /// The line of the mapping file.
    pub line: usize,
}

/// A `[[employment.history]]` table that makes one entry per element of a JSON array.
#[derive(Debug, Clone)]
pub struct Each {
    /// The table's index among the `[[employment.history]]` tables.
    pub index: usize,
    /// The dotted path of the array.
    pub path: String,
    /// At most this many entries are made.
    pub limit: usize,
    pub line: usize,
}

/// A loaded, checked mapping file.
#[derive(Debug, Clone)]
pub struct Mapping {
    file: String,
    entries: Vec<Entry>,
    each: Vec<Each>,
}

impl Mapping {
    /// Read and check a mapping file.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| MappingError {
            file: file.clone(),
            line: None,
            message: format!("cannot read the mapping file: {e}"),
            hint: None,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            MappingError {
                file: file.clone(),
                line: Some(line),
                message: "holds bytes that are not valid UTF-8".to_owned(),
                hint: Some("save the mapping file as UTF-8".to_owned()),
            }
        })?;
        Mapping::parse(&text, &file)
    }

    /// Check a mapping given as text; `file` names it in messages.
    pub fn parse(text: &str, file: &str) -> Result<Mapping, MappingError> {
        let (entries, each) = load::Loader::new(file, text).load(text)?;
        if !entries
            .iter()
            .any(|e| e.slot == Slot::Contact && e.field == "email")
        {
            return Err(MappingError {
                file: file.to_owned(),
                line: None,
                message: "the mapping has no contact.email, and the webhook needs one in \
                          every body"
                    .into(),
                hint: Some(
                    "add `email = \"Email\"` under [contact], naming your email column; \
                     a file with no email column cannot be imported"
                        .into(),
                ),
            });
        }
        Ok(Mapping {
            file: file.to_owned(),
            entries,
            each,
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

/// "did you mean `x`?" for the closest of `names`, when one is close enough.
pub(crate) fn suggest<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lower = name.to_lowercase();
    names
        .into_iter()
        .map(|candidate| {
            let score = strsim::jaro_winkler(&lower, &candidate.to_lowercase());
            (score, candidate)
        })
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!("did you mean `{}`?", plan::visible(candidate)))
}

#[cfg(test)]
mod tests;
