//! Reading the mapping's TOML into entries, with the line of each, and checking every entry
//! against the webhook's schema.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::transform::{self, DateFormat, Lookup, Transform};
use super::{Each, Entry, MappingError, Origin, Slot, convert, suggest, template};
use crate::schema::{FieldType, Table};

const ENTRY_KEYS: [&str; 10] = [
    "column",
    "first_of",
    "template",
    "value",
    "split",
    "transform",
    "date",
    "map",
    "default",
    "null_values",
];

/// How many entries `each` makes at most, unless the mapping says otherwise.
const EACH_LIMIT: usize = 20;

type Key<'i> = Spanned<Cow<'i, str>>;
type Value<'i> = Spanned<DeValue<'i>>;

pub(super) struct Loader<'a> {
    file: &'a str,
    lines: LineIndex,
    /// The file-wide `null_values`, lower-cased.
    null_values: Vec<String>,
}

impl<'a> Loader<'a> {
    pub(super) fn new(file: &'a str, text: &str) -> Loader<'a> {
        Loader {
            file,
            lines: LineIndex::new(text),
            null_values: Vec::new(),
        }
    }

    pub(super) fn load(mut self, text: &str) -> Result<(Vec<Entry>, Vec<Each>), MappingError> {
        let doc = DeTable::parse(text).map_err(|e| MappingError {
            file: self.file.to_owned(),
            line: e.span().map(|s| self.lines.line(s.start)),
            message: format!("not valid TOML: {}", e.message().trim_end()),
            hint: None,
        })?;
        if let Some((_, value)) = doc
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref() == "null_values")
        {
            self.null_values = self.strings_or_none(value, "null_values")?;
            self.null_values
                .iter_mut()
                .for_each(|v| *v = v.to_lowercase());
        }
        let mut entries = Vec::new();
        let mut each = Vec::new();
        for (key, value) in doc.get_ref() {
            let name = key.get_ref().as_ref();
            if name == "null_values" {
                continue;
            }
            let Some(table) = Table::from_name(name) else {
                let mut names = Table::TOP.map(Table::name).to_vec();
                names.push("null_values");
                let hint = suggest(name, names).or_else(|| {
                    elsewhere(name).map(|place| format!("{place}: write it under that table"))
                });
                return Err(self.at(key.span(), format!("unknown table [{name}]"), hint));
            };
            let DeValue::Table(fields) = value.get_ref() else {
                let message = format!("`{name}` must be a table, like [{name}]");
                return Err(self.at(key.span(), message, None));
            };
            self.table(table, fields, &mut entries, &mut each)?;
        }
        Ok((entries, each))
    }

    fn table(
        &self,
        table: Table,
        fields: &DeTable<'_>,
        entries: &mut Vec<Entry>,
        each: &mut Vec<Each>,
    ) -> Result<(), MappingError> {
        let slot = match table {
            Table::Contact => Slot::Contact,
            Table::Employment => Slot::Employment,
            _ => Slot::Company,
        };
        for (key, value) in fields {
            if table == Table::Employment && key.get_ref() == "history" {
                self.history(key, value, entries, each)?;
            } else {
                entries.push(self.entry(table, slot, key, value)?);
            }
        }
        Ok(())
    }

    fn history(
        &self,
        key: &Key<'_>,
        value: &Value<'_>,
        entries: &mut Vec<Entry>,
        each: &mut Vec<Each>,
    ) -> Result<(), MappingError> {
        let DeValue::Array(items) = value.get_ref() else {
            let message = "`employment.history` must be a list of tables, \
                           written [[employment.history]]";
            return Err(self.at(key.span(), message.into(), None));
        };
        for (index, item) in items.iter().enumerate() {
            let DeValue::Table(fields) = item.get_ref() else {
                let message = "each entry of `employment.history` must be a table";
                return Err(self.at(item.span(), message.into(), None));
            };
            let mut spec = None;
            let mut limit = EACH_LIMIT;
            for (key, value) in fields {
                match key.get_ref().as_ref() {
                    "each" => {
                        let DeValue::String(path) = value.get_ref() else {
                            let message = "`each` must name an array, like \"experience\"";
                            return Err(self.at(value.span(), message.into(), None));
                        };
                        spec = Some((path.trim().to_owned(), self.lines.line(key.span().start)));
                    }
                    "limit" => limit = self.limit(value)?,
                    _ => entries.push(self.entry(
                        Table::History,
                        Slot::History(index),
                        key,
                        value,
                    )?),
                }
            }
            if let Some((path, line)) = spec {
                each.push(Each {
                    index,
                    path,
                    limit,
                    line,
                });
            }
        }
        Ok(())
    }

    fn limit(&self, value: &Value<'_>) -> Result<usize, MappingError> {
        match value.get_ref() {
            DeValue::Integer(i) => convert::integer(i.as_str())
                .ok()
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n > 0),
            _ => None,
        }
        .ok_or_else(|| {
            self.at(
                value.span(),
                "`limit` must be a whole number above 0".into(),
                None,
            )
        })
    }

    fn entry(
        &self,
        table: Table,
        slot: Slot,
        key: &Key<'_>,
        value: &Value<'_>,
    ) -> Result<Entry, MappingError> {
        let name = key.get_ref().as_ref();
        let Some((field, ty)) = table.fields().find(|(f, _)| *f == name) else {
            let mut names: Vec<&str> = table.fields().map(|(f, _)| f).collect();
            match table {
                Table::Employment => names.push("history"),
                Table::History => names.extend(["each", "limit"]),
                _ => {}
            }
            let message = format!("unknown field `{}.{name}`", table.name());
            let hint = suggest(name, names).or_else(|| elsewhere(name));
            return Err(self.at(key.span(), message, hint));
        };
        let target = format!("{}.{field}", table.name());
        let mut entry = Entry {
            slot,
            field,
            ty,
            origin: Origin::Column(String::new()),
            split: None,
            transforms: Vec::new(),
            default: None,
            null_values: self.null_values.clone(),
            line: self.lines.line(key.span().start),
        };
        match value.get_ref() {
            DeValue::String(s) => entry.origin = self.column_or_template(s, value.span())?,
            DeValue::Table(options) => self.options(&target, &mut entry, options, value.span())?,
            _ => entry.origin = self.constant(&target, ty, value)?,
        }
        Ok(entry)
    }

    fn column(&self, value: &Value<'_>) -> Result<Origin, MappingError> {
        let name = self.string(value, "column")?;
        if name.trim().is_empty() {
            return Err(self.at(value.span(), "the column name is empty".into(), None));
        }
        Ok(Origin::Column(name.trim().to_owned()))
    }

    fn column_or_template(&self, s: &str, span: Range<usize>) -> Result<Origin, MappingError> {
        if template::is_template(s) {
            let pieces = template::parse(s).map_err(|e| self.at(span, e, None))?;
            Ok(Origin::Template(s.to_owned(), pieces))
        } else if s.trim().is_empty() {
            Err(self.at(span, "the column name is empty".into(), None))
        } else {
            Ok(Origin::Column(s.trim().to_owned()))
        }
    }

    /// An entry written as an inline table: `{ column = "Website", transform = "domain" }`.
    fn options(
        &self,
        target: &str,
        entry: &mut Entry,
        options: &DeTable<'_>,
        span: Range<usize>,
    ) -> Result<(), MappingError> {
        let mut origin = None;
        let mut names: Vec<(String, Range<usize>)> = Vec::new();
        let mut date = None;
        let mut map = None;
        for (key, value) in options {
            let found = match key.get_ref().as_ref() {
                "column" => self.column(value)?,
                "template" => {
                    self.column_or_template(&self.string(value, "template")?, value.span())?
                }
                "first_of" => {
                    let names = self.strings(value, "first_of")?;
                    if names.iter().any(String::is_empty) {
                        let message = "`first_of` names an empty column".into();
                        return Err(self.at(value.span(), message, None));
                    }
                    Origin::FirstOf(names)
                }
                "value" => self.constant(target, entry.ty, value)?,
                "split" => {
                    let split = self.string(value, "split")?;
                    if split.is_empty() {
                        return Err(self.at(value.span(), "`split` is empty".into(), None));
                    }
                    entry.split = Some(split);
                    continue;
                }
                "transform" => {
                    names = self.transform_names(value)?;
                    continue;
                }
                "date" => {
                    date = Some(self.date_format(value)?);
                    continue;
                }
                "map" => {
                    map = Some(self.lookup(value)?);
                    continue;
                }
                "default" => {
                    entry.default = Some(self.scalar_text(value, "default")?);
                    continue;
                }
                "null_values" => {
                    // The entry's own values add to the file's.
                    let own = self.strings_or_none(value, "null_values")?;
                    entry
                        .null_values
                        .extend(own.into_iter().map(|v| v.to_lowercase()));
                    continue;
                }
                other => {
                    let message = format!("unknown key `{other}` in the entry for `{target}`");
                    return Err(self.at(key.span(), message, suggest(other, ENTRY_KEYS)));
                }
            };
            if origin.replace(found).is_some() {
                let message =
                    format!("`{target}` has more than one of column, first_of, template, value");
                return Err(self.at(key.span(), message, None));
            }
        }
        let Some(origin) = origin else {
            let message = format!("the entry for `{target}` says nowhere its value comes from");
            let hint = "give it a `column`, `first_of`, `template` or `value`".to_owned();
            return Err(self.at(span, message, Some(hint)));
        };
        if target == "contact.email"
            && (entry.default.is_some() || matches!(origin, Origin::Constant(_)))
        {
            let message = "contact.email cannot have a `default` or a `value`: every row \
                           needs its own address, or rows would merge into one contact";
            return Err(self.at(span, message.into(), None));
        }
        entry.origin = origin;
        entry.transforms = self.transforms(target, entry.ty, names, date, map)?;
        if entry.split.is_some() && entry.ty != FieldType::TextList {
            let message = format!(
                "`split` makes a list, but `{target}` takes {}",
                entry.ty.describe()
            );
            return Err(self.at(span, message, None));
        }
        Ok(())
    }

    /// Build the transform list: the names given, in order, with `date` and `map` added at
    /// the end when their parameters are given without being named.
    fn transforms(
        &self,
        target: &str,
        ty: FieldType,
        names: Vec<(String, Range<usize>)>,
        date: Option<DateFormat>,
        map: Option<Lookup>,
    ) -> Result<Vec<Transform>, MappingError> {
        let mut list = Vec::new();
        let mut named_date = false;
        let mut named_map = false;
        for (name, span) in &names {
            let transform = match name.as_str() {
                "lower" => Transform::Lower,
                "upper" => Transform::Upper,
                "title" => Transform::Title,
                "domain" => Transform::Domain,
                "handle" => {
                    let (table, field) = target.rsplit_once('.').unwrap_or_default();
                    Transform::Handle(transform::Network::of_field(table, field))
                }
                "number" => Transform::Number,
                "date" => {
                    named_date = true;
                    Transform::Date(date.clone().unwrap_or(DateFormat::Iso))
                }
                "map" => {
                    named_map = true;
                    match (&map, ty) {
                        (Some(lookup), _) => Transform::Map(lookup.clone()),
                        (None, FieldType::Seniority) => Transform::Map(Lookup::seniority()),
                        (None, _) => {
                            let message =
                                format!("the `map` transform on `{target}` needs a table");
                            let hint = "add `map = { \"source value\" = \"target value\" }`";
                            return Err(self.at(span.clone(), message, Some(hint.into())));
                        }
                    }
                }
                other => {
                    let message = format!("unknown transform `{other}`");
                    return Err(self.at(span.clone(), message, suggest(other, transform::NAMES)));
                }
            };
            self.check_fit(target, ty, &transform, span.clone())?;
            list.push(transform);
        }
        if let (Some(format), false) = (date, named_date) {
            list.push(Transform::Date(format));
        }
        if let (Some(lookup), false) = (map, named_map) {
            list.push(Transform::Map(lookup));
        }
        Ok(list)
    }

    fn check_fit(
        &self,
        target: &str,
        ty: FieldType,
        transform: &Transform,
        span: Range<usize>,
    ) -> Result<(), MappingError> {
        use FieldType as F;
        let fits = match transform {
            Transform::Map(_) => true,
            Transform::Lower | Transform::Upper | Transform::Title => {
                matches!(ty, F::Text | F::Email | F::TextList | F::Seniority)
            }
            Transform::Domain | Transform::Handle(_) => matches!(ty, F::Text | F::TextList),
            Transform::Date(_) => matches!(ty, F::YearMonth | F::Text),
            Transform::Number => matches!(ty, F::Integer | F::Digits),
        };
        if fits {
            return Ok(());
        }
        let message = format!(
            "the `{}` transform does not fit `{target}`, which takes {}",
            transform.name(),
            ty.describe()
        );
        Err(self.at(span, message, None))
    }

    fn transform_names(
        &self,
        value: &Value<'_>,
    ) -> Result<Vec<(String, Range<usize>)>, MappingError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(vec![(s.trim().to_owned(), value.span())]),
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) => Ok((s.trim().to_owned(), item.span())),
                    _ => Err(self.at(item.span(), "a transform is named by a string".into(), None)),
                })
                .collect(),
            _ => {
                let message = "`transform` must be a name or a list of names".into();
                Err(self.at(value.span(), message, None))
            }
        }
    }

    fn date_format(&self, value: &Value<'_>) -> Result<DateFormat, MappingError> {
        let format = self.string(value, "date")?;
        match format.trim().to_lowercase().as_str() {
            "iso" => Ok(DateFormat::Iso),
            "excel" => Ok(DateFormat::Excel),
            _ if format.contains('%') => {
                let pattern = format.trim();
                let broken = chrono::format::StrftimeItems::new(pattern)
                    .any(|item| matches!(item, chrono::format::Item::Error));
                if broken {
                    let message = format!("`{pattern}` is not a date pattern chrono can read");
                    let hint = "use strftime fields such as %Y, %m, %d, %b: \"%m/%d/%Y\"";
                    return Err(self.at(value.span(), message, Some(hint.into())));
                }
                Ok(DateFormat::Pattern(pattern.to_owned()))
            }
            _ => {
                let message = format!("`{format}` is not a date format");
                let hint = "write \"iso\", \"excel\" or a pattern such as \"%m/%d/%Y\"";
                Err(self.at(value.span(), message, Some(hint.into())))
            }
        }
    }

    fn lookup(&self, value: &Value<'_>) -> Result<Lookup, MappingError> {
        let DeValue::Table(pairs) = value.get_ref() else {
            let message = "`map` must be a table, like { vp = \"EXECUTIVE\" }".into();
            return Err(self.at(value.span(), message, None));
        };
        let mut table = BTreeMap::new();
        let mut default = None;
        for (key, value) in pairs {
            let target = self.scalar_text(value, "a `map` value")?;
            if key.get_ref() == "default" {
                default = Some(target);
            } else {
                table.insert(key.get_ref().trim().to_lowercase(), target);
            }
        }
        Ok(Lookup {
            table,
            default,
            pass_through: false,
        })
    }

    fn constant(
        &self,
        target: &str,
        ty: FieldType,
        value: &Value<'_>,
    ) -> Result<Origin, MappingError> {
        let typed = match (ty, value.get_ref()) {
            (FieldType::TextList, DeValue::Array(items)) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned().into()),
                    _ => Err(format!("`{target}` takes a list of non-empty strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(convert::Typed::List),
            (_, DeValue::String(s)) if s.trim().is_empty() => {
                Err(format!("the value for `{target}` is empty"))
            }
            (_, DeValue::String(s)) => convert::from_text(ty, s.trim())
                .map(convert::Typed::into_owned)
                .map_err(|reason| format!("the value `{}` for `{target}` {reason}", s.trim())),
            (FieldType::Integer | FieldType::Digits, DeValue::Integer(i)) => {
                convert::integer(i.as_str())
                    .map(|n| match ty {
                        FieldType::Integer => convert::Typed::Integer(n),
                        _ => convert::Typed::Text(n.to_string().into()),
                    })
                    .map_err(|reason| format!("the value {} for `{target}` {reason}", i.as_str()))
            }
            (FieldType::Bool, DeValue::Boolean(b)) => Ok(convert::Typed::Bool(*b)),
            _ => Err(format!("`{target}` takes {}", ty.describe())),
        };
        typed
            .map(Origin::Constant)
            .map_err(|reason| self.at(value.span(), reason, None))
    }

    /// A list of strings that may be empty.
    fn strings_or_none(&self, value: &Value<'_>, what: &str) -> Result<Vec<String>, MappingError> {
        match value.get_ref() {
            DeValue::Array(items) if items.is_empty() => Ok(Vec::new()),
            _ => self.strings(value, what),
        }
    }

    fn string(&self, value: &Value<'_>, what: &str) -> Result<String, MappingError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            _ => Err(self.at(value.span(), format!("`{what}` must be a string"), None)),
        }
    }

    fn strings(&self, value: &Value<'_>, what: &str) -> Result<Vec<String>, MappingError> {
        let list = match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .map(|item| match item.get_ref() {
                    DeValue::String(s) => Some(s.trim().to_owned()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>(),
            _ => None,
        };
        list.filter(|l| !l.is_empty()).ok_or_else(|| {
            let message = format!("`{what}` must be a list of strings, like [\"A\", \"B\"]");
            self.at(value.span(), message, None)
        })
    }

    /// A string, number or boolean, as text.
    fn scalar_text(&self, value: &Value<'_>, what: &str) -> Result<String, MappingError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.trim().to_owned()),
            DeValue::Integer(i) => Ok(i.as_str().to_owned()),
            DeValue::Boolean(b) => Ok(b.to_string()),
            _ => Err(self.at(value.span(), format!("{what} must be a string"), None)),
        }
    }

    fn at(&self, span: Range<usize>, message: String, hint: Option<String>) -> MappingError {
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
