//! `--key FIELD`: a field other than contact.email that tells contacts apart, such as
//! contact.externalIdApollo. It becomes the row's key in the report, for `--dedupe` and for
//! `--state`.

use super::{Fault, Invalid, Plan, Scope, Step};
use crate::mapping::convert::Typed;
use crate::mapping::suggest;
use crate::schema::{FieldType, Table};

/// Where the key's step sits in the plan.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyAt {
    table: Table,
    index: usize,
}

/// Why `--key` cannot name that field.
#[derive(Debug, thiserror::Error)]
#[error("--key {field}: {reason}")]
pub struct KeyError {
    field: String,
    reason: String,
}

impl Plan {
    /// Make `field`, such as `contact.externalIdApollo`, the row's key. It must be a field
    /// of the body that holds one text or number, and the mapping must fill it.
    pub fn key_by(&mut self, field: &str) -> Result<(), KeyError> {
        let refuse = |reason: String| KeyError {
            field: field.to_owned(),
            reason,
        };
        let (table_name, name) = field.split_once('.').unwrap_or(("", field));
        let table = Table::from_name(table_name);
        let Some((table, ty)) = table.and_then(|t| Some((t, t.field(name)?))) else {
            let every: Vec<String> = Table::TOP
                .iter()
                .flat_map(|t| t.fields().map(move |(f, _)| format!("{}.{f}", t.name())))
                .collect();
            let hint = suggest(field, every.iter().map(String::as_str))
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            return Err(refuse(format!(
                "the webhook's body has no such field{hint}; name one as table.field, such as \
                 contact.externalIdApollo"
            )));
        };
        if matches!(ty, FieldType::TextList | FieldType::Bool) {
            return Err(refuse(format!(
                "the key must hold one text or number, and this field holds {}",
                ty.describe()
            )));
        }
        let steps = self.steps(table);
        let Some(index) = steps.iter().position(|s| s.field == name) else {
            return Err(refuse(format!(
                "the mapping does not fill it: add `{name} = \"<column>\"` under [{}]",
                table.name()
            )));
        };
        self.key = match (table, name) {
            (Table::Contact, "email") => None,
            _ => Some(KeyAt { table, index }),
        };
        Ok(())
    }

    /// Whether the key is an email address, which the state and `--dedupe` compare without
    /// regard to case.
    pub fn key_folds_case(&self) -> bool {
        self.key
            .is_none_or(|at| self.steps(at.table)[at.index].ty == FieldType::Email)
    }

    fn steps(&self, table: Table) -> &[Step] {
        match table {
            Table::Contact => &self.contact,
            Table::Employment => &self.employment,
            Table::Company => &self.company,
            Table::History => &[],
        }
    }

    /// The key's value for one record; a row without one cannot be told apart, so it is
    /// invalid. `email` names the row in the report meanwhile.
    pub(super) fn key_of(
        &self,
        at: &KeyAt,
        scope: Scope<'_>,
        email: &str,
    ) -> Result<String, Invalid> {
        let step = &self.steps(at.table)[at.index];
        match step.value(scope) {
            Ok(Some(Typed::Text(text))) if !text.trim().is_empty() => Ok(text.into_owned()),
            Ok(Some(Typed::Integer(n))) => Ok(n.to_string()),
            Ok(_) => Err(step.invalid(
                email.to_owned(),
                Fault::bare("is empty, and --key needs it to tell contacts apart"),
            )),
            Err(fault) => Err(step.invalid(email.to_owned(), fault)),
        }
    }
}
