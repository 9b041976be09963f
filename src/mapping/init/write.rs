//! Writing a suggestion as TOML: the header comment, one table per section with a comment
//! on each line, and the columns left out. Every name is written as an escaped TOML string,
//! in comments too, so that no column name can break the file.

use std::fmt::Write;

use super::names::Confidence;
use super::{Header, Line, Section, Source, Suggestion};

/// Trailing comments line up at this column, unless the line is longer.
const COMMENT_AT: usize = 44;

/// The whole file.
pub fn document(suggestion: &Suggestion, header: &Header<'_>, input: &str) -> String {
    let mut out = String::new();
    preamble(&mut out, suggestion, input);
    for section in [
        Section::Contact,
        Section::Employment,
        Section::History,
        Section::Company,
    ] {
        let lines: Vec<&Line> = suggestion
            .lines
            .iter()
            .filter(|l| l.target.0 == section)
            .collect();
        if !lines.is_empty() {
            table(&mut out, section, &lines, header);
        }
    }
    left_out(&mut out, suggestion, header);
    out
}

/// A string as TOML writes it: quoted, with quotes, backslashes and control characters
/// escaped.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A template naming `columns`, with `between` written between them. Braces in the text
/// are doubled, as templates write a literal brace.
pub fn template(columns: &[&str], between: &str) -> String {
    let text = between.replace('{', "{{").replace('}', "}}");
    let braced: Vec<String> = columns.iter().map(|c| format!("{{{c}}}")).collect();
    braced.join(&text)
}

/// The columns a source reads, for a comment: `"City", "Country"`.
pub fn sources(header: &Header<'_>, source: &Source) -> String {
    let names: Vec<String> = source
        .columns()
        .iter()
        .map(|c| quote(&header.cols[*c].reference))
        .collect();
    names.join(" + ")
}

fn preamble(out: &mut String, suggestion: &Suggestion, input: &str) {
    let input = comment_safe(input);
    if !suggestion.has_email {
        out.push_str(
            "# This file has no email column. The webhook needs a contact.email in every\n\
             # body, so fq-import refuses this mapping until [contact] has an `email` line\n\
             # naming a column that holds one. The other fields below are ready for it.\n\n",
        );
    }
    let _ = writeln!(
        out,
        "# A mapping for {input}, suggested by `fq-import mapping init`."
    );
    match suggestion.kind {
        Some(kind) => {
            let _ = writeln!(out, "# The header looks like {}.", kind.describe());
        }
        None => out.push_str(
            "# The header matches none of the exports fq-import knows, so every match below\n\
             # comes from the column names alone.\n",
        ),
    }
    out.push_str(
        "# Each line ends with how sure the match is (high: a name export tools write for\n\
         # that field; medium: a near match, worth a look) and the columns it reads. The\n\
         # columns left out are listed at the end.\n",
    );
}

fn table(out: &mut String, section: Section, lines: &[&Line], header: &Header<'_>) {
    let heading = match section {
        Section::History => "[[employment.history]]".to_owned(),
        other => format!("[{}]", other.table().name()),
    };
    let _ = write!(out, "\n{heading}\n");
    for line in lines {
        let code = format!("{} = {}", line.target.1, value(line, header));
        let pad = COMMENT_AT.saturating_sub(code.len()).max(2);
        let _ = writeln!(out, "{code}{:pad$}# {}", "", comment(line, header));
        for note in &line.notes {
            let _ = writeln!(out, "#   {}", comment_safe(note));
        }
    }
}

/// The right-hand side of a line.
fn value(line: &Line, header: &Header<'_>) -> String {
    match &line.source {
        Source::True => "{ value = true }".to_owned(),
        Source::Template(cols, between) => {
            let names: Vec<&str> = cols
                .iter()
                .map(|c| header.cols[*c].reference.as_str())
                .collect();
            quote(&template(&names, between))
        }
        Source::Column(col) => {
            let name = &header.cols[*col].reference;
            let plain = line.transform.is_none() && line.split.is_none();
            // A plain string with a brace would be read as a template.
            if plain && !name.contains(['{', '}']) {
                return quote(name);
            }
            let mut options = format!("{{ column = {}", quote(name));
            if let Some(split) = &line.split {
                let _ = write!(options, ", split = {}", quote(split));
            }
            if let Some(transform) = line.transform {
                let _ = write!(options, ", transform = {}", quote(transform));
            }
            options.push_str(" }");
            options
        }
    }
}

fn comment(line: &Line, header: &Header<'_>) -> String {
    if line.source == Source::True {
        return "the export lists each person's current job".to_owned();
    }
    let confidence = match line.confidence {
        Confidence::High => "high",
        Confidence::Medium => "medium",
    };
    format!("{confidence}: {}", sources(header, &line.source))
}

fn left_out(out: &mut String, suggestion: &Suggestion, header: &Header<'_>) {
    if suggestion.left_out.is_empty() && suggestion.unnamed == 0 {
        return;
    }
    out.push_str(
        "\n# Left out: no field takes these columns, or a better column took the field.\n",
    );
    for (col, why) in &suggestion.left_out {
        let name = quote(header.label(*col));
        let _ = writeln!(out, "#   {name}: {}", comment_safe(why));
    }
    match suggestion.unnamed {
        0 => {}
        1 => out.push_str("#   1 column without a name, which a mapping cannot refer to\n"),
        n => {
            let _ = writeln!(
                out,
                "#   {n} columns without a name, which a mapping cannot refer to"
            );
        }
    }
}

/// Text for a comment: control characters, which TOML forbids there, become `?`.
fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
