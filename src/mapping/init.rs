//! `fq-import mapping init`: a mapping suggested for an input it has never seen.
//!
//! Each column's name is read for the field it fills (`names`, with the tables of `words`),
//! and for what the export tool that wrote it is known to mean (`kinds`). Columns that fill
//! one field compete, and the best wins; first and last names, and cities, regions and
//! countries, are put together in templates. `write` then writes the TOML, with how sure
//! each match is and every column left out.

mod kinds;
mod names;
mod words;
mod write;

use std::cmp::Reverse;

use kinds::Kind;
use names::{Confidence, How, Match, Meaning, NamePart, Owner, PlacePart, Reading};

use super::convert;
use super::transform::{Lookup, Transform};
use crate::schema::{FieldType, Table};

/// A column of the input as `mapping init` sees it: its name (a CSV header, or a dotted
/// JSON path) and a few non-empty sample values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub samples: Vec<String>,
}

/// The suggested mapping as TOML text, ready to save and load without edits. `input` names
/// the file in the header comment.
///
/// When no column can be `contact.email`, the text still holds the company fields, but the
/// loader refuses it until an email is added; a comment at its top says so.
pub fn suggest(columns: &[Column], input: &str) -> String {
    let header = Header::read(columns);
    let names: Vec<&str> = header.cols.iter().map(|c| c.name.as_str()).collect();
    let kind = kinds::detect(&names);
    let suggestion = resolve(&header, kind);
    write::document(&suggestion, &header, input)
}

/// A named column, as the mapping refers to it.
struct Col<'a> {
    /// The name, trimmed.
    name: String,
    /// How the mapping names it: the name, or `Name#2` for the second column of that name.
    reference: String,
    samples: &'a [String],
    /// Why the mapping cannot name it, when it cannot.
    unusable: Option<String>,
}

/// The input's named columns, and how many had no name.
struct Header<'a> {
    cols: Vec<Col<'a>>,
    unnamed: usize,
}

impl<'a> Header<'a> {
    fn read(columns: &'a [Column]) -> Header<'a> {
        let names: Vec<String> = columns
            .iter()
            .map(|c| c.name.trim_start_matches('\u{feff}').trim().to_owned())
            .collect();
        let mut cols = Vec::with_capacity(columns.len());
        for (i, (column, name)) in columns.iter().zip(&names).enumerate() {
            if name.is_empty() {
                continue;
            }
            let total = names.iter().filter(|n| *n == name).count();
            let nth = names[..=i].iter().filter(|n| *n == name).count();
            let reference = match total {
                1 => name.clone(),
                _ => format!("{name}#{nth}"),
            };
            let unusable = (total > 1 && names.contains(&reference)).then(|| {
                format!(
                    "number {nth} of the columns so named; `{reference}` would name it, but \
                     another column has that name"
                )
            });
            cols.push(Col {
                name: name.clone(),
                reference,
                samples: &column.samples,
                unusable,
            });
        }
        let unnamed = names.len() - cols.len();
        Header { cols, unnamed }
    }

    /// How the comments name a column: as the mapping would, or by its name alone when the
    /// mapping cannot name it.
    fn label(&self, col: usize) -> &str {
        let col = &self.cols[col];
        match col.unusable {
            Some(_) => &col.name,
            None => &col.reference,
        }
    }

    /// Whether a template can name the column: a name with braces cannot be written inside
    /// `{…}`.
    fn fits_template(&self, col: usize) -> bool {
        !self.cols[col].reference.contains(['{', '}'])
    }
}

/// Where a suggested line goes, in the order the file writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Contact,
    Employment,
    History,
    Company,
}

impl Section {
    fn table(self) -> Table {
        match self {
            Section::Contact => Table::Contact,
            Section::Employment => Table::Employment,
            Section::History => Table::History,
            Section::Company => Table::Company,
        }
    }

    fn of(table: Table) -> Section {
        match table {
            Table::Contact => Section::Contact,
            Table::Employment => Section::Employment,
            Table::History => Section::History,
            Table::Company => Section::Company,
        }
    }
}

/// A field of the body: its section and name.
type Target = (Section, &'static str);

/// Where a suggested line's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Column(usize),
    /// Columns joined by a separator, such as `"{City}, {Country}"`.
    Template(Vec<usize>, &'static str),
    /// The constant `true`.
    True,
}

impl Source {
    fn columns(&self) -> &[usize] {
        match self {
            Source::Column(col) => std::slice::from_ref(col),
            Source::Template(cols, _) => cols,
            Source::True => &[],
        }
    }
}

/// A source that could fill a field.
#[derive(Debug, Clone)]
struct Candidate {
    target: Target,
    source: Source,
    how: How,
    rank: u8,
    confidence: Confidence,
}

impl Candidate {
    /// Best first: surer, then better ranked, then further left in the header.
    fn order(&self) -> (Reverse<Confidence>, u8, usize) {
        let first = self.source.columns().iter().min().copied();
        (Reverse(self.confidence), self.rank, first.unwrap_or(0))
    }
}

/// One line of the suggested mapping.
struct Line {
    target: Target,
    source: Source,
    transform: Option<&'static str>,
    split: Option<String>,
    confidence: Confidence,
    /// Comment lines written under it.
    notes: Vec<String>,
}

/// Everything the suggested file says.
struct Suggestion {
    kind: Option<Kind>,
    lines: Vec<Line>,
    /// Columns no line reads, with why.
    left_out: Vec<(usize, String)>,
    unnamed: usize,
    has_email: bool,
}

/// What the file is about, which decides whose field a column of either kind fills.
struct File {
    /// It has an email or a person's name: its rows are people.
    people: bool,
    /// It names a company for each row.
    names_company: bool,
    /// Its columns are paths into JSON objects: a top-level site is the record's own.
    nested: bool,
}

/// Where a column's meaning lands in this file.
enum Placed {
    Field(Target),
    Name(NamePart),
    Place(Section, PlacePart),
    Out(String),
}

impl File {
    fn of(readings: &[Reading], nested: bool) -> File {
        let meanings = || {
            readings.iter().filter_map(|r| match r {
                Reading::Match(m) => Some(m.meaning),
                _ => None,
            })
        };
        File {
            people: meanings().any(|m| {
                matches!(
                    m,
                    Meaning::Name(_) | Meaning::Field(Table::Contact, "email")
                )
            }),
            names_company: meanings().any(|m| m == Meaning::Field(Table::Company, "name")),
            nested,
        }
    }

    fn place(&self, meaning: Meaning) -> Placed {
        let whose = |field: &str| {
            let contact = self.people && Table::Contact.field(field).is_some();
            if contact || Table::Company.field(field).is_none() {
                Section::Contact
            } else {
                Section::Company
            }
        };
        match meaning {
            Meaning::Field(table, field) => Placed::Field((Section::of(table), field)),
            Meaning::Either(field) => Placed::Field((whose(field), field)),
            Meaning::Site if (self.names_company && !self.nested) || !self.people => {
                Placed::Field((Section::Company, "website"))
            }
            Meaning::Site => Placed::Field((Section::Contact, "website")),
            Meaning::CompanyList(field) if !self.people => Placed::Field((Section::Company, field)),
            Meaning::CompanyList(field) => Placed::Out(format!(
                "in a file of people it describes the person, and the webhook has {field} \
                 for companies only"
            )),
            Meaning::Name(part) => Placed::Name(part),
            Meaning::Place(Owner::Contact, part) => Placed::Place(Section::Contact, part),
            Meaning::Place(Owner::Company, part) => Placed::Place(Section::Company, part),
            Meaning::Place(Owner::Either, part) => Placed::Place(whose("location"), part),
        }
    }
}

/// A column that is one part of a template, with its reading.
struct Part<'m, P> {
    section: Section,
    part: P,
    col: usize,
    found: &'m Match,
}

/// The rank of a spare part column (a second `City` in one group): below any template.
const SPARE_RANK: u8 = 20;

/// What the readings of the columns found, sorted by where it goes.
struct Found<'m> {
    candidates: Vec<Candidate>,
    names: Vec<Part<'m, NamePart>>,
    places: Vec<Part<'m, PlacePart>>,
    /// Why a column is left out, for the columns known to have no field.
    reasons: Vec<Option<String>>,
}

impl<'m> Found<'m> {
    fn sort(file: &File, readings: &'m [Reading]) -> Found<'m> {
        let mut found = Found {
            candidates: Vec::new(),
            names: Vec::new(),
            places: Vec::new(),
            reasons: vec![None; readings.len()],
        };
        for (col, reading) in readings.iter().enumerate() {
            match reading {
                Reading::Match(m) => found.add(file, col, m),
                Reading::LeftOut(why) => found.reasons[col] = Some(why.clone()),
                Reading::Unknown => {}
            }
        }
        found
    }

    fn add(&mut self, file: &File, col: usize, found: &'m Match) {
        match file.place(found.meaning) {
            Placed::Field(target) => self.candidates.push(Candidate {
                target,
                source: Source::Column(col),
                how: found.how,
                rank: found.rank,
                confidence: found.confidence,
            }),
            Placed::Name(part) => self.names.push(Part {
                section: Section::Contact,
                part,
                col,
                found,
            }),
            Placed::Place(section, part) => self.places.push(Part {
                section,
                part,
                col,
                found,
            }),
            Placed::Out(why) => self.reasons[col] = Some(why),
        }
    }
}

/// Read every column, let the columns of each field compete, and gather what is left out.
fn resolve(header: &Header<'_>, kind: Option<Kind>) -> Suggestion {
    let readings: Vec<Reading> = header
        .cols
        .iter()
        .map(|c| match &c.unusable {
            Some(why) => Reading::LeftOut(why.clone()),
            None => names::read(&c.name, c.samples, kind),
        })
        .collect();
    let nested = header.cols.iter().any(|c| c.name.contains('.'));
    let file = File::of(&readings, nested);
    let mut found = Found::sort(&file, &readings);

    let names: Vec<&Part<'_, NamePart>> = found.names.iter().collect();
    let mut candidates = templates(header, &names, "name", &mut found.reasons);
    for section in [Section::Contact, Section::Company] {
        let parts: Vec<&Part<'_, PlacePart>> = found
            .places
            .iter()
            .filter(|p| p.section == section)
            .collect();
        for group in groups(&parts) {
            candidates.extend(templates(header, &group, "location", &mut found.reasons));
        }
    }
    candidates.append(&mut found.candidates);
    finish(header, kind, candidates, found.reasons)
}

/// The place parts of one section, split by their group (`Work City` from `Home City`).
fn groups<'p, 'm>(parts: &[&'p Part<'m, PlacePart>]) -> Vec<Vec<&'p Part<'m, PlacePart>>> {
    let mut groups: Vec<Vec<&Part<'_, PlacePart>>> = Vec::new();
    for part in parts {
        match groups
            .iter_mut()
            .find(|g| g[0].found.group == part.found.group)
        {
            Some(group) => group.push(part),
            None => groups.push(vec![part]),
        }
    }
    groups
}

/// The `name` or `location` a set of part columns makes: a template of the best column
/// for each part, and the spare columns as poorer candidates, so that they are named as
/// alternatives.
fn templates<P: Copy + Ord>(
    header: &Header<'_>,
    parts: &[&Part<'_, P>],
    field: &'static str,
    reasons: &mut [Option<String>],
) -> Vec<Candidate> {
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    let (section, group) = (first.section, first.found.group.as_str());
    let (chosen, spare) = choose_parts(header, parts, reasons);
    let candidate = |source, rank, confidence| Candidate {
        target: (section, field),
        source,
        how: How::Plain,
        rank,
        confidence,
    };
    let mut out: Vec<Candidate> = spare
        .iter()
        .map(|p| candidate(Source::Column(p.col), SPARE_RANK, Confidence::Medium))
        .collect();
    let Some(confidence) = chosen.iter().map(|p| p.found.confidence).min() else {
        return out;
    };
    let cols: Vec<usize> = chosen.iter().map(|p| p.col).collect();
    out.push(match (field, cols.as_slice()) {
        // A full name before a template of its parts; one part alone is a poor name.
        ("name", [col]) => candidate(Source::Column(*col), 4, Confidence::Medium),
        ("name", _) => candidate(Source::Template(cols, " "), 2, confidence),
        // Location templates rank by group, fuller ones first; a `Location` column ranks 12.
        (_, [col]) => candidate(
            Source::Column(*col),
            names::group_rank(group) * 4 + 2,
            confidence,
        ),
        (_, _) => {
            let rank = names::group_rank(group) * 4 + (3 - cols.len().min(3)) as u8;
            candidate(Source::Template(cols, ", "), rank, confidence)
        }
    });
    out
}

/// The best column for each part, in the parts' order, and the spare ones. A column whose
/// name a template cannot write is neither, and gets its reason.
fn choose_parts<'p, 'm, P: Copy + Ord>(
    header: &Header<'_>,
    parts: &[&'p Part<'m, P>],
    reasons: &mut [Option<String>],
) -> (Vec<&'p Part<'m, P>>, Vec<&'p Part<'m, P>>) {
    let mut parts = parts.to_vec();
    parts.sort_by_key(|p| (p.part, Reverse(p.found.confidence), p.found.rank, p.col));
    let mut chosen: Vec<&Part<'_, P>> = Vec::new();
    let mut spare = Vec::new();
    for part in parts {
        if chosen.last().is_some_and(|c| c.part == part.part) {
            spare.push(part);
        } else if header.fits_template(part.col) {
            chosen.push(part);
        } else {
            reasons[part.col] = Some("its name holds a brace, which a template cannot name".into());
        }
    }
    (chosen, spare)
}

/// Pick the best candidate of each field, add the current job, and list the rest.
fn finish(
    header: &Header<'_>,
    kind: Option<Kind>,
    mut candidates: Vec<Candidate>,
    reasons: Vec<Option<String>>,
) -> Suggestion {
    candidates.sort_by_key(|c| (c.target.0, field_index(c.target), c.order()));
    let mut lines = Vec::new();
    let mut rivals = Vec::new();
    for field in candidates.chunk_by(|a, b| a.target == b.target) {
        let (best, others) = (&field[0], &field[1..]);
        lines.push(line(header, best, others));
        rivals.extend(others.iter().flat_map(|other| {
            other.source.columns().iter().map(|col| Rival {
                col: *col,
                target: best.target,
                winner: best.source.clone(),
            })
        }));
    }
    if let Some(history) = history_of(&candidates, &lines) {
        lines.extend(history);
    }
    lines.sort_by_key(|l| (l.target.0, field_index(l.target)));

    let left_out = left_out(header, &lines, &rivals, reasons);
    let has_email = lines
        .iter()
        .any(|l| l.target == (Section::Contact, "email"));
    Suggestion {
        kind,
        lines,
        left_out,
        unnamed: header.unnamed,
        has_email,
    }
}

/// The position of a field in its table, so that lines are written in the schema's order.
fn field_index(target: Target) -> usize {
    target
        .0
        .table()
        .fields()
        .position(|(f, _)| f == target.1)
        .unwrap_or(usize::MAX)
}

/// The line for the winning candidate of a field, with the others named under it.
fn line(header: &Header<'_>, best: &Candidate, others: &[Candidate]) -> Line {
    let ty = best
        .target
        .0
        .table()
        .field(best.target.1)
        .unwrap_or(FieldType::Text);
    let samples: &[String] = match best.source {
        Source::Column(col) => header.cols[col].samples,
        _ => &[],
    };
    let split = match best.how {
        How::List { always } => separator(samples, always),
        _ => None,
    };
    let mut notes = Vec::new();
    if let Some(note) = refused(samples, best.how, ty, split.as_deref()) {
        notes.push(note);
    }
    if !others.is_empty() {
        notes.extend(alternatives(header, best, others));
    }
    Line {
        target: best.target,
        source: best.source.clone(),
        transform: transform_name(best.how),
        split,
        confidence: best.confidence,
        notes,
    }
}

fn transform_name(how: How) -> Option<&'static str> {
    match how {
        How::Handle => Some("handle"),
        How::Domain => Some("domain"),
        How::Number => Some("number"),
        How::Seniority => Some("map"),
        How::Plain | How::List { .. } => None,
    }
}

/// The separator the samples of a list column use; `,` when `always` and they show none.
fn separator(samples: &[String], always: bool) -> Option<String> {
    [";", "|", ","]
        .into_iter()
        .find(|sep| samples.iter().any(|s| s.contains(sep)))
        .or(always.then_some(","))
        .map(str::to_owned)
}

/// A note naming the samples the line would refuse, when some would be.
fn refused(samples: &[String], how: How, ty: FieldType, split: Option<&str>) -> Option<String> {
    let step = match how {
        How::Handle => Some(Transform::Handle(None)),
        How::Domain => Some(Transform::Domain),
        How::Number => Some(Transform::Number),
        How::Seniority => Some(Transform::Map(Lookup::seniority())),
        How::Plain | How::List { .. } => None,
    };
    let fits = |text: &str| {
        let parts: Vec<&str> = match split {
            Some(sep) => text.split(sep).map(str::trim).collect(),
            None => vec![text],
        };
        parts.into_iter().filter(|p| !p.is_empty()).all(|part| {
            let text = match &step {
                Some(step) => step.apply(part),
                None => Ok(part.to_owned()),
            };
            text.is_ok_and(|t| convert::from_text(ty, &t).is_ok())
        })
    };
    let bad: Vec<String> = samples
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty() && !fits(s))
        .take(3)
        .map(write::quote)
        .collect();
    if bad.is_empty() {
        return None;
    }
    let fix = match how {
        How::Seniority => "; give the entry a `map` table for such words",
        _ => "; check the column",
    };
    let noun = if bad.len() == 1 { "sample" } else { "samples" };
    Some(format!(
        "the {noun} {} would be refused{fix}",
        bad.join(", ")
    ))
}

/// Notes naming the other candidates of a field; for an email, how to fall back on them.
fn alternatives(header: &Header<'_>, best: &Candidate, others: &[Candidate]) -> Vec<String> {
    let named: Vec<String> = others
        .iter()
        .map(|o| write::sources(header, &o.source))
        .collect();
    let mut notes = vec![format!("also fits: {}", named.join(", "))];
    let columns: Vec<usize> = std::iter::once(&best.source)
        .chain(others.iter().map(|o| &o.source))
        .filter_map(|s| match s {
            Source::Column(col) => Some(*col),
            _ => None,
        })
        .collect();
    if best.target == (Section::Contact, "email") && columns.len() > 1 {
        let list: Vec<String> = columns
            .iter()
            .map(|c| write::quote(&header.cols[*c].reference))
            .collect();
        notes.push(format!(
            "to fall back on them when the first is empty: email = {{ first_of = [{}] }}",
            list.join(", ")
        ));
    }
    notes
}

/// A column that lost its field to another.
struct Rival {
    col: usize,
    target: Target,
    winner: Source,
}

/// A current job from the company and title columns, when the file has both: the export
/// describes each person as they are now.
fn history_of(candidates: &[Candidate], lines: &[Line]) -> Option<Vec<Line>> {
    let column_of = |target: Target| {
        lines
            .iter()
            .find(|l| l.target == target)
            .and_then(|l| match l.source {
                Source::Column(col) => Some((col, l.confidence)),
                _ => None,
            })
    };
    let (title, title_confidence) = column_of((Section::Employment, "title"))?;
    column_of((Section::Company, "name"))?;
    // The export's own spelling of the name rather than one tidied for emails (rank 0).
    let organization = candidates
        .iter()
        .filter(|c| {
            c.target == (Section::Company, "name")
                && c.confidence == Confidence::High
                && matches!(c.source, Source::Column(_))
        })
        .min_by_key(|c| (c.rank == 0, c.rank, c.source.columns()[0]))?;
    let entry = |field, source: Source, confidence| Line {
        target: (Section::History, field),
        source,
        transform: None,
        split: None,
        confidence,
        notes: Vec::new(),
    };
    Some(vec![
        entry("current", Source::True, Confidence::High),
        entry(
            "organization",
            organization.source.clone(),
            Confidence::High,
        ),
        entry("title", Source::Column(title), title_confidence),
    ])
}

/// The columns no line reads, each with why.
fn left_out(
    header: &Header<'_>,
    lines: &[Line],
    rivals: &[Rival],
    reasons: Vec<Option<String>>,
) -> Vec<(usize, String)> {
    let used = |col: usize| lines.iter().any(|l| l.source.columns().contains(&col));
    reasons
        .into_iter()
        .enumerate()
        .filter(|(col, _)| !used(*col))
        .map(|(col, reason)| {
            let rival = rivals.iter().find(|r| r.col == col);
            let why = match (reason, rival) {
                (Some(reason), _) => reason,
                (None, Some(rival)) => format!(
                    "also fits {}.{}, which reads {}",
                    rival.target.0.table().name(),
                    rival.target.1,
                    write::sources(header, &rival.winner)
                ),
                (None, None) => names::why_left_out(&header.cols[col].name).to_owned(),
            };
            (col, why)
        })
        .collect()
}

#[cfg(test)]
mod tests;
