//! Evaluating one step of a plan against a record: finding the value, converting it to the
//! field's type, applying transforms, filling templates. Text is borrowed from the record
//! wherever no transform changes it.

use std::borrow::Cow;

use serde_json::Value;

use super::{Fault, Invalid, Problem, Raw, Scope, Source, Step, Template};
use crate::mapping::convert::{self, Typed};
use crate::mapping::transform::Transform;
use crate::schema::FieldType;

impl Step {
    /// The typed value of this field for one record; `None` when it is empty.
    pub(super) fn value<'a>(&'a self, scope: Scope<'a>) -> Result<Option<Typed<'a>>, Fault> {
        let value = match &self.source {
            Source::Constant(typed) => return Ok(Some(typed.borrowed())),
            Source::Cell(cell) => self.typed(cell.raw(scope))?,
            Source::FirstOf(cells) => {
                let mut found = None;
                for cell in cells {
                    found = self.typed(cell.raw(scope))?;
                    if found.is_some() {
                        break;
                    }
                }
                found
            }
            Source::Template(template) => match self.render(template, scope)? {
                Some(text) => self.read_text(Cow::Owned(text))?,
                None => None,
            },
        };
        match (value, &self.default) {
            (None, Some(default)) => convert::from_text(self.ty, default)
                .map(Some)
                .map_err(|reason| Fault::new(default, reason)),
            (value, _) => Ok(value),
        }
    }

    pub(super) fn problem(&self, scope: Scope<'_>) -> Option<Problem> {
        let fault = self.value(scope).err()?;
        Some(self.invalid(String::new(), fault).problem)
    }

    pub(super) fn invalid(&self, key: String, fault: Fault) -> Invalid {
        let column = match &self.source {
            Source::Cell(cell) => Some(cell.name.clone()),
            Source::FirstOf(cells) => Some(
                cells
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join("`, `"),
            ),
            Source::Template(_) | Source::Constant(_) => None,
        };
        let problem = Problem {
            field: Some(self.target.clone()),
            column,
            value: fault.value,
            reason: fault.reason,
        };
        Invalid { key, problem }
    }

    fn is_null(&self, text: &str) -> bool {
        text.is_empty()
            || self
                .null_values
                .iter()
                .any(|n| n.eq_ignore_ascii_case(text))
    }

    /// Convert what was found to the field's type.
    fn typed<'a>(&self, raw: Raw<'a>) -> Result<Option<Typed<'a>>, Fault> {
        let keeps_json_type = self.transforms.is_empty();
        match raw {
            Raw::Missing | Raw::Json(Value::Null) => Ok(None),
            Raw::Text(text) => self.read_text(Cow::Borrowed(text.trim())),
            Raw::Json(Value::String(text)) => self.read_text(Cow::Borrowed(text.trim())),
            Raw::Json(Value::Number(n)) if keeps_json_type => from_number(self.ty, n),
            Raw::Json(Value::Bool(b)) if keeps_json_type && self.ty == FieldType::Bool => {
                Ok(Some(Typed::Bool(*b)))
            }
            Raw::Json(Value::Number(n)) => self.read_text(Cow::Owned(n.to_string())),
            Raw::Json(Value::Bool(b)) => {
                self.read_text(Cow::Borrowed(if *b { "true" } else { "false" }))
            }
            Raw::Json(Value::Array(items)) if self.ty == FieldType::TextList => {
                let mut list = Vec::new();
                for item in items {
                    let text = trimmed(scalar_text(item).map_err(Fault::bare)?);
                    if let Some(item) = self.item(text)? {
                        list.push(item);
                    }
                }
                Ok((!list.is_empty()).then_some(Typed::List(list)))
            }
            Raw::Json(Value::Array(_)) => Err(Fault::bare(format!(
                "is a list, but the field takes {}",
                self.ty.describe()
            ))),
            Raw::Json(Value::Object(_)) => Err(Fault::bare(format!(
                "is an object, but the field takes {}",
                self.ty.describe()
            ))),
        }
    }

    fn read_text<'a>(&self, text: Cow<'a, str>) -> Result<Option<Typed<'a>>, Fault> {
        if self.is_null(&text) {
            return Ok(None);
        }
        match (&self.split, self.ty) {
            (Some(separator), FieldType::TextList) => {
                let list = match text {
                    Cow::Borrowed(text) => self.split(text, separator)?,
                    Cow::Owned(text) => self
                        .split(&text, separator)?
                        .into_iter()
                        .map(|item| Cow::Owned(item.into_owned()))
                        .collect(),
                };
                Ok((!list.is_empty()).then_some(Typed::List(list)))
            }
            _ => {
                let text = self.transform(text)?;
                if text.is_empty() {
                    return Ok(None);
                }
                match convert::convert(self.ty, text) {
                    Ok(typed) => Ok(Some(typed)),
                    Err((text, reason)) => Err(Fault::new(&text, reason)),
                }
            }
        }
    }

    /// The items of a list field held in one cell.
    fn split<'a>(&self, text: &'a str, separator: &str) -> Result<Vec<Cow<'a, str>>, Fault> {
        let mut list = Vec::new();
        let mut each = |part: &'a str| {
            if let Some(item) = self.item(Cow::Borrowed(part.trim()))? {
                list.push(item);
            }
            Ok(())
        };
        // A separator of one character, the common case, is found faster as a `char`.
        let mut chars = separator.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => text.split(c).try_for_each(&mut each)?,
            _ => text.split(separator).try_for_each(&mut each)?,
        }
        Ok(list)
    }

    /// One item of a list field.
    fn item<'a>(&self, text: Cow<'a, str>) -> Result<Option<Cow<'a, str>>, Fault> {
        if self.is_null(&text) {
            return Ok(None);
        }
        let text = self.transform(text)?;
        Ok((!text.is_empty()).then_some(text))
    }

    /// Apply the transforms in order; text that no transform touches is not copied.
    fn transform<'a>(&self, text: Cow<'a, str>) -> Result<Cow<'a, str>, Fault> {
        let mut text = text;
        for transform in &self.transforms {
            let unchanged = matches!(transform, Transform::Lower)
                && text
                    .bytes()
                    .all(|b| b.is_ascii() && !b.is_ascii_uppercase());
            if unchanged {
                continue;
            }
            let changed = transform
                .apply(&text)
                .map_err(|reason| Fault::new(&text, reason))?;
            text = Cow::Owned(match changed.trim() {
                trimmed if trimmed.len() == changed.len() => changed,
                trimmed => trimmed.to_owned(),
            });
        }
        Ok(text)
    }

    /// Fill a template; `None` when every column in it is empty.
    ///
    /// Text around an empty column goes with it. The text between two columns is read as
    /// three parts: closing brackets or quotes, which stay with the column before
    /// (`({Code}) {Name}`); a separator of spaces and punctuation, written only between two
    /// filled columns (`{City}, {Country}`); and a label, which stays with the column after
    /// (`{Id}; phone {Phone}`). The text before the first column and after the last belong
    /// to them.
    fn render(&self, template: &Template, scope: Scope<'_>) -> Result<Option<String>, Fault> {
        let Some(last) = template.cells.len().checked_sub(1) else {
            return Ok(None);
        };
        let mut out = String::with_capacity(64);
        let mut previous: Option<usize> = None;
        for (i, cell) in template.cells.iter().enumerate() {
            let value = match cell.raw(scope) {
                Raw::Missing => continue,
                Raw::Text(t) => Cow::Borrowed(t.trim()),
                Raw::Json(v) => trimmed(
                    scalar_text(v)
                        .map_err(|e| Fault::bare(format!("column `{}` {e}", cell.name)))?,
                ),
            };
            if self.is_null(&value) {
                continue;
            }
            if let Some(p) = previous {
                out.push_str(template.separator(p + 1));
            }
            out.push_str(match i {
                0 => &template.texts[0],
                _ => template.label(i),
            });
            out.push_str(&value);
            out.push_str(match i == last {
                true => &template.texts[last + 1],
                false => template.closing(i + 1),
            });
            previous = Some(i);
        }
        let trimmed = out.trim();
        Ok(match (previous, trimmed.len()) {
            (None, _) | (_, 0) => None,
            (_, n) if n == out.len() => Some(out),
            _ => Some(trimmed.to_owned()),
        })
    }
}

impl Template {
    fn closing(&self, i: usize) -> &str {
        &self.texts[i][..self.gaps[i].0]
    }

    fn separator(&self, i: usize) -> &str {
        &self.texts[i][self.gaps[i].0..self.gaps[i].1]
    }

    fn label(&self, i: usize) -> &str {
        &self.texts[i][self.gaps[i].1..]
    }
}

/// Text without the spaces around it, copied only when it is owned and had some.
fn trimmed(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.trim()),
        Cow::Owned(text) if text.trim().len() == text.len() => Cow::Owned(text),
        Cow::Owned(text) => Cow::Owned(text.trim().to_owned()),
    }
}

fn from_number(ty: FieldType, n: &serde_json::Number) -> Result<Option<Typed<'static>>, Fault> {
    let digits = n.as_str().bytes().all(|b| b.is_ascii_digit());
    if digits && n.as_u64().is_none() && matches!(ty, FieldType::Integer | FieldType::Digits) {
        return Err(Fault::new(n.as_str(), "is too large for a whole number"));
    }
    let whole = n.as_u64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 2f64.powi(53))
            .map(|f| f as u64)
    });
    let text = n.to_string();
    match (ty, whole) {
        (FieldType::Integer, Some(w)) => Ok(Some(Typed::Integer(w))),
        (FieldType::Digits, Some(w)) => Ok(Some(Typed::Text(Cow::Owned(w.to_string())))),
        (FieldType::Integer | FieldType::Digits, None) => {
            Err(Fault::new(&text, "is not a whole number"))
        }
        _ => match convert::from_text(ty, &text) {
            Ok(typed) => Ok(Some(typed.into_owned())),
            Err(reason) => Err(Fault::new(&text, reason)),
        },
    }
}

/// A JSON scalar as text, for templates and lists.
fn scalar_text(value: &Value) -> Result<Cow<'_, str>, String> {
    match value {
        Value::String(s) => Ok(Cow::Borrowed(s)),
        Value::Number(n) => Ok(Cow::Owned(n.to_string())),
        Value::Bool(b) => Ok(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Null => Ok(Cow::Borrowed("")),
        Value::Array(_) => Err("is a list where a single value was expected".into()),
        Value::Object(_) => Err("is an object where a single value was expected".into()),
    }
}
