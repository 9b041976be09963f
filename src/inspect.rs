//! The commands that read an input without sending anything: `check`, which maps every row
//! and lists every problem at once, and `mapping init`, which suggests a mapping.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::{Context, anyhow};
use serde_json::Value;

use crate::cli::{CheckArgs, InputArgs};
use crate::exit::{Exit, Fatal, OrExit};
use crate::input::{Columns, Fields, Input, Record};
use crate::mapping::init::{self, Column};
use crate::mapping::{Mapping, Problem, shorten};
use crate::settings::InputSettings;

/// How many records `mapping init` looks at for sample values.
const SAMPLED: usize = 50;

/// Run `fq-import check`.
pub fn check(args: CheckArgs) -> Result<Exit, Fatal> {
    let settings = InputSettings::from_args(args.input).or_usage()?;
    let mapping = args
        .mapping
        .context(
            "no mapping file: pass --mapping FILE \
             (`fq-import mapping init INPUT > mapping.toml` suggests one)",
        )
        .or_usage()?;
    let mapping = Mapping::load(&mapping).or_usage()?;
    let input = open(&settings)?;
    let plan = mapping.compile(input.columns(), input.label()).or_usage()?;
    let label = input.label().to_owned();

    let mut findings = Findings::new(args.examples);
    let mut out = std::io::stdout().lock();
    let preview = args.preview.unwrap_or(0);
    let mut seen: HashMap<String, u64> = HashMap::new();
    let read = input
        .for_each(|record| {
            let mapped = plan.apply(&record.fields);
            if record.row <= preview as u64 {
                let _ = show(&mut out, &record, &mapped.as_ref().map(|m| &m.body[..]));
            }
            let mut problems = match &mapped {
                Ok(_) => Vec::new(),
                Err(_) => plan.problems(&record.fields),
            };
            if let Ok(mapped) = &mapped {
                let key = mapped.key.trim().to_lowercase();
                match seen.get(&key) {
                    Some(first) => problems.push(repeated(&mapped.key, *first)),
                    None => {
                        seen.insert(key, record.row);
                    }
                }
            }
            findings.add(&record, problems);
            true
        })
        .or_abort()?;

    match findings.print(&mut out, &label, read) {
        // A reader that has seen enough, as `| head`, is no error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(Exit::Success),
        printed => printed.or_abort()?,
    }
    if read == 0 {
        return Err(anyhow!("{label} holds no rows")).or_usage();
    }
    Ok(if findings.total == 0 {
        Exit::Success
    } else {
        Exit::RowsFailed
    })
}

fn open(settings: &InputSettings) -> Result<Input, Fatal> {
    let input = Input::open(&settings.source, settings.format, &settings.dialect).or_usage()?;
    for note in input.notes() {
        tracing::info!("{}: {note}", input.label());
    }
    Ok(input)
}

/// One kind of problem: how many rows have it, and the first few of them.
struct Kind {
    count: u64,
    examples: Vec<(u64, u64, Option<String>)>,
}

/// The problems found so far, grouped by kind.
struct Findings {
    kinds: BTreeMap<Problem, Kind>,
    shown: usize,
    total: u64,
}

impl Findings {
    fn new(shown: usize) -> Findings {
        Findings {
            kinds: BTreeMap::new(),
            shown,
            total: 0,
        }
    }

    /// Count a row's problems: the row once in the total, each problem under its kind.
    fn add(&mut self, record: &Record, problems: Vec<Problem>) {
        if problems.is_empty() {
            return;
        }
        self.total += 1;
        for problem in problems {
            let value = problem.value.clone();
            let kind = self.kinds.entry(problem.kind()).or_insert(Kind {
                count: 0,
                examples: Vec::new(),
            });
            kind.count += 1;
            if kind.examples.len() < self.shown {
                kind.examples.push((record.row, record.line, value));
            }
        }
    }

    fn print(&self, out: &mut impl Write, label: &str, read: u64) -> std::io::Result<()> {
        let good = read - self.total;
        let rows = |n: u64| if n == 1 { "row" } else { "rows" };
        writeln!(
            out,
            "{label}: {read} {}: {good} map to a valid body, {} {} a problem",
            rows(read),
            self.total,
            if self.total == 1 { "has" } else { "have" }
        )?;
        let mut kinds: Vec<(&Problem, &Kind)> = self.kinds.iter().collect();
        kinds.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        for (problem, kind) in kinds {
            writeln!(out, "\n{} {}: {problem}", kind.count, rows(kind.count))?;
            for (row, line, value) in &kind.examples {
                let place = if *line > 0 {
                    format!("line {line} (row {row})")
                } else {
                    format!("row {row}")
                };
                match value {
                    Some(value) => writeln!(out, "  {place}: `{value}`")?,
                    None => writeln!(out, "  {place}")?,
                }
            }
            if kind.count > kind.examples.len() as u64 {
                writeln!(
                    out,
                    "  … and {} more",
                    kind.count - kind.examples.len() as u64
                )?;
            }
        }
        Ok(())
    }
}

/// A row whose contact.email an earlier row has: the webhook asks for each contact once.
fn repeated(email: &str, first: u64) -> Problem {
    Problem {
        field: Some("contact.email".to_owned()),
        column: None,
        value: Some(format!("{email}, as on row {first}")),
        reason: "repeats an earlier row's address (import with --dedupe to send it once)"
            .to_owned(),
    }
}

/// A row and the body it maps to, for `--preview`.
fn show(
    out: &mut impl Write,
    record: &Record,
    body: &Result<&[u8], &crate::mapping::Invalid>,
) -> std::io::Result<()> {
    let place = if record.line > 0 {
        format!("row {}, line {}", record.row, record.line)
    } else {
        format!("row {}", record.row)
    };
    writeln!(out, "{place}:")?;
    match &record.fields {
        Fields::Csv(cells) => writeln!(
            out,
            "  source: {}",
            cells.iter().collect::<Vec<_>>().join(" | ")
        )?,
        Fields::Json(value) => writeln!(out, "  source: {}", shorten(&value.to_string(), 300))?,
        Fields::Broken { reason, .. } => writeln!(out, "  source: cannot be read: {reason}")?,
    }
    match body {
        Ok(body) => writeln!(out, "  body:   {}\n", String::from_utf8_lossy(body)),
        Err(invalid) => writeln!(out, "  body:   none: {}\n", invalid.problem),
    }
}

/// Run `fq-import mapping init`.
pub fn init(args: InputArgs) -> Result<Exit, Fatal> {
    let settings = InputSettings::from_args(args).or_usage()?;
    let input = open(&settings)?;
    let label = input.label().to_owned();
    let columns = match input.columns().clone() {
        Columns::Header(header) => sample_table(input, header)?,
        Columns::Paths => sample_json(input)?,
    };
    let suggested = init::suggest(&columns, &label);
    std::io::stdout()
        .write_all(suggested.as_bytes())
        .or_abort()?;
    Ok(Exit::Success)
}

fn sample_table(input: Input, header: Vec<String>) -> Result<Vec<Column>, Fatal> {
    let mut columns: Vec<Column> = header
        .into_iter()
        .map(|name| Column {
            name,
            samples: Vec::new(),
        })
        .collect();
    let mut seen = 0;
    input
        .for_each(|record| {
            if let Fields::Csv(cells) = &record.fields {
                for (column, cell) in columns.iter_mut().zip(cells.iter()) {
                    keep_sample(column, cell);
                }
            }
            seen += 1;
            seen < SAMPLED
        })
        .or_abort()?;
    Ok(columns)
}

fn sample_json(input: Input) -> Result<Vec<Column>, Fatal> {
    let mut columns: Vec<Column> = Vec::new();
    let mut seen = 0;
    input
        .for_each(|record| {
            if let Fields::Json(value) = &record.fields {
                flatten(value, String::new(), 0, &mut columns);
            }
            seen += 1;
            seen < SAMPLED
        })
        .or_abort()?;
    Ok(columns)
}

/// Every scalar of a JSON value as a dotted path, the first element of arrays included.
fn flatten(value: &Value, path: String, depth: usize, columns: &mut Vec<Column>) {
    const DEEPEST: usize = 6;
    match value {
        Value::Object(map) if depth < DEEPEST => {
            for (key, value) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(value, path, depth + 1, columns);
            }
        }
        Value::Array(items) if depth < DEEPEST && items.iter().any(|i| i.is_object()) => {
            if let Some(first) = items.first() {
                flatten(first, format!("{path}.0"), depth + 1, columns);
            }
        }
        _ if path.is_empty() => {}
        other => {
            let index = match columns.iter().position(|c| c.name == path) {
                Some(index) => index,
                None => {
                    columns.push(Column {
                        name: path,
                        samples: Vec::new(),
                    });
                    columns.len() - 1
                }
            };
            let text = match other {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or(i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            keep_sample(&mut columns[index], &text);
        }
    }
}

fn keep_sample(column: &mut Column, value: &str) {
    const SAMPLES: usize = 5;
    let value = value.trim();
    if !value.is_empty()
        && column.samples.len() < SAMPLES
        && !column.samples.iter().any(|s| s == value)
    {
        column.samples.push(value.to_owned());
    }
}
