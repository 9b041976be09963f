//! What the fuzz targets run, shared with the regression test that replays the inputs the
//! fuzzers once found (tests/fuzz_regressions.rs). Each function must return normally for
//! any bytes: a panic or a failed check is a bug.

use fq_import::cli::Format;
use fq_import::input::{Columns, Dialect, Input};
use fq_import::mapping::Mapping;

const FORMATS: [Format; 4] = [Format::Csv, Format::Tsv, Format::Jsonl, Format::Json];

/// The first byte picks the format and a record limit; the rest is the file.
pub fn read_input(data: &[u8]) {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let format = FORMATS[usize::from(pick % 4)];
    let max_record = 64 + u64::from(pick / 4) * 64;
    let dialect = Dialect {
        max_record_bytes: Some(max_record),
        ..Dialect::default()
    };
    let Ok(input) = Input::from_bytes(file.to_vec(), "fuzz", format, &dialect) else {
        return;
    };
    let mut rows = 0;
    let mut last_line = 0;
    let _ = input.for_each(|record| {
        rows += 1;
        assert_eq!(record.row, rows, "rows are numbered one by one");
        assert!(record.line >= last_line, "lines only go forward");
        last_line = record.line;
        true
    });
}

/// The bytes are a mapping file, compiled against a CSV header and against JSON.
pub fn load_mapping(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1);
    let mapping = match Mapping::parse(&text, "fuzz.toml") {
        Ok(mapping) => mapping,
        Err(error) => {
            check_line(&error.to_string(), lines);
            return;
        }
    };
    let header = ["Email", "Name", "Company", "Tags", "Employees"].map(String::from);
    for columns in [Columns::Header(header.to_vec()), Columns::Paths] {
        if let Err(error) = mapping.compile(&columns, "fuzz.csv") {
            check_line(&error.to_string(), lines);
        }
    }
}

/// A message that names a line of the mapping names one the file has.
fn check_line(message: &str, lines: usize) {
    if let Some(rest) = message.strip_prefix("fuzz.toml:") {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if let Ok(line) = digits.parse::<usize>() {
            assert!(
                line >= 1 && line <= lines + 1,
                "line {line} of {lines}: {message}"
            );
        }
    }
}

/// A mapping, a line `%%`, then a CSV or JSON lines file: every row either maps to a body
/// the webhook would take, or has problems; never both, never neither.
pub fn map_row(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Some((mapping, file)) = text.split_once("\n%%\n") else {
        return;
    };
    let Ok(mapping) = Mapping::parse(mapping, "fuzz.toml") else {
        return;
    };
    let format = if file.trim_start().starts_with('{') {
        Format::Jsonl
    } else {
        Format::Csv
    };
    let bytes = file.as_bytes().to_vec();
    let dialect = Dialect {
        max_record_bytes: Some(4096),
        ..Dialect::default()
    };
    let Ok(input) = Input::from_bytes(bytes, "fuzz", format, &dialect) else {
        return;
    };
    let Ok(plan) = mapping.compile(input.columns(), "fuzz") else {
        return;
    };
    let _ = input.for_each(|record| {
        let problems = plan.problems(&record.fields);
        match plan.apply(&record.fields) {
            Ok(mapped) => {
                assert!(
                    problems.is_empty(),
                    "mapped, yet `check` finds {problems:?}"
                );
                let body: serde_json::Value =
                    serde_json::from_slice(&mapped.body).expect("a body is JSON");
                let errors = fq_import::schema::validate_body(&body);
                assert!(errors.is_empty(), "{errors:?} in {body}");
                assert_eq!(body["contact"]["email"].as_str(), Some(mapped.key.as_str()));
            }
            Err(invalid) => {
                assert!(
                    !problems.is_empty(),
                    "invalid ({invalid:?}), yet `check` finds nothing"
                );
            }
        }
        true
    });
}
