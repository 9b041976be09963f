//! Finding how a CSV file is written from its first lines: the delimiter, and the lines of
//! notes some exports put before the header (LinkedIn's Connections.csv, for one).
//!
//! A line is taken for a preamble only when it holds no delimiter at all, so a data line is
//! never skipped by mistake; anything less clear is left for `--skip-lines`.

/// The delimiters tried, in order of preference when the evidence is even.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records of the sample are looked at.
const LOOKED_AT: usize = 60;

/// What the first lines say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Detected {
    pub delimiter: u8,
    /// Lines before the header.
    pub preamble: usize,
}

/// Detect the delimiter (unless `delimiter` is given) and the preamble (when `preamble` is
/// asked for) from `sample`, the first bytes of the file; `complete` says whether the sample
/// is the whole file.
pub(super) fn detect(
    sample: &[u8],
    complete: bool,
    delimiter: Option<u8>,
    preamble: bool,
) -> Detected {
    let candidates: Vec<u8> = match delimiter {
        Some(d) => vec![d],
        None => CANDIDATES.to_vec(),
    };
    let best = candidates
        .iter()
        .enumerate()
        .filter_map(|(preference, &d)| {
            let shape = Shape::of(sample, complete, d, preamble)?;
            Some((shape.rank(preference), d, shape))
        })
        .min_by(|a, b| a.0.cmp(&b.0));
    match best {
        Some((_, delimiter, shape)) => Detected {
            delimiter,
            preamble: lines_before(sample, shape.header_start),
        },
        None => Detected {
            delimiter: delimiter.unwrap_or(b','),
            preamble: 0,
        },
    }
}

/// How the sample parses with one delimiter.
struct Shape {
    /// Index of the header among the sample's records.
    header: usize,
    /// Byte where the header starts.
    header_start: usize,
    /// Fields in the header.
    width: usize,
    /// Share of the records after the header, in percent, that have the header's width.
    consistency: usize,
}

impl Shape {
    fn of(sample: &[u8], complete: bool, delimiter: u8, preamble: bool) -> Option<Shape> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(sample);
        let mut records: Vec<(usize, usize)> = Vec::new();
        let mut record = csv::ByteRecord::new();
        while records.len() < LOOKED_AT {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {
                    let start = record.position().map_or(0, |p| p.byte() as usize);
                    records.push((record.len(), start));
                }
                _ => break,
            }
        }
        if !complete && records.len() > 1 {
            records.pop();
        }
        let header = if preamble {
            records.iter().position(|(width, _)| *width >= 2)?
        } else {
            0
        };
        let (width, header_start) = *records.get(header)?;
        if width < 2 {
            return None;
        }
        let after: Vec<usize> = records[header + 1..].iter().take(20).map(|r| r.0).collect();
        let consistency = if after.is_empty() {
            100
        } else {
            after.iter().filter(|&&w| w == width).count() * 100 / after.len()
        };
        Some(Shape {
            header,
            header_start,
            width,
            consistency,
        })
    }

    /// Lower is better: an earlier header, then rows that agree with it, then more columns.
    fn rank(&self, preference: usize) -> (usize, usize, usize, usize) {
        (
            self.header,
            100 - self.consistency,
            usize::MAX - self.width,
            preference,
        )
    }
}

/// How many lines lie wholly before byte `start`.
/// The blank lines right after them count too: the header is the next line with content.
fn lines_before(sample: &[u8], start: usize) -> usize {
    let ends = line_ends(sample);
    // After a CRLF, the csv crate places the next record at the `\n`: that line is over.
    let start = if sample.get(start) == Some(&b'\n') {
        start + 1
    } else {
        start
    };
    let mut lines = ends.iter().take_while(|&&end| end <= start).count();
    let mut from = match lines {
        0 => 0,
        n => ends[n - 1],
    };
    while let Some(&end) = ends.get(lines) {
        let line = &sample[from..end];
        if !line.iter().all(|&b| b == b'\r' || b == b'\n') {
            break;
        }
        lines += 1;
        from = end;
    }
    lines
}

/// Where each line of `sample` ends: the byte after its CRLF, LF or lone CR.
pub(super) fn line_ends(sample: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut i = 0;
    while i < sample.len() {
        match sample[i] {
            b'\r' if sample.get(i + 1) == Some(&b'\n') => {
                ends.push(i + 2);
                i += 2;
                continue;
            }
            b'\r' | b'\n' => ends.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(sample: &str) -> Detected {
        detect(sample.as_bytes(), true, None, true)
    }

    #[test]
    fn delimiters() {
        assert_eq!(found("a,b,c\n1,2,3\n").delimiter, b',');
        assert_eq!(found("a;b;c\n1;2;3\n").delimiter, b';');
        assert_eq!(found("a\tb\n1\t2\n").delimiter, b'\t');
        assert_eq!(found("a|b|c\n1|2|3\n").delimiter, b'|');
        // Commas inside values do not fool it.
        assert_eq!(
            found("Name;Email\nDoe, Jane;j@x.co\nRoe, Al;a@x.co\n").delimiter,
            b';'
        );
        assert_eq!(found("\"a,b\";c\n\"1,2\";3\n").delimiter, b';');
        // A one-column file is read as comma-separated.
        assert_eq!(
            found("Email\na@b.co\n"),
            Detected {
                delimiter: b',',
                preamble: 0
            }
        );
    }

    #[test]
    fn preambles() {
        let linkedin = "Notes:\n\"When exporting, some emails may be missing.\"\n\n\
                        First Name,Last Name,URL\nAnn,Lee,https://x\n";
        assert_eq!(
            found(linkedin),
            Detected {
                delimiter: b',',
                preamble: 3
            }
        );
        let crlf = "Notes:\r\n\"a note\"\r\nFirst,Last\r\nA,B\r\n";
        assert_eq!(
            found(crlf),
            Detected {
                delimiter: b',',
                preamble: 2
            }
        );
        assert_eq!(found("Email,Name\na@b.co,A\n").preamble, 0);
        // A line with a delimiter is never taken for a preamble.
        assert_eq!(
            found("Exported 2024, by Bob\nEmail,Name,Age\na,b,c\n").preamble,
            0
        );
    }

    #[test]
    fn preambles_with_blank_lines_and_lone_carriage_returns() {
        let crlf_blank = "Notes:\r\n\"a note\"\r\n\r\nFirst,Last\r\nA,B\r\n";
        assert_eq!(found(crlf_blank).preamble, 3);
        let cr_only = "Notes:\r\"a note\"\r\rFirst,Last\rA,B\r";
        assert_eq!(
            found(cr_only),
            Detected {
                delimiter: b',',
                preamble: 3
            }
        );
        assert_eq!(found("\n\nEmail,Name\na,b\n").preamble, 2);
        assert_eq!(found("Notes:\n\nEmail,Name\na,b\n").preamble, 2);
    }

    #[test]
    fn a_given_delimiter_is_kept() {
        let detected = detect(b"a;b,c\n1;2,3\n", true, Some(b','), true);
        assert_eq!(detected.delimiter, b',');
    }
}
