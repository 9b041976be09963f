//! From the source's bytes to UTF-8 text: gzip when the file is compressed, a BOM that says
//! UTF-8 or UTF-16, or the encoding the user named (any WHATWG label, through encoding_rs).
//!
//! UTF-8 is passed through as it is and checked cell by cell later, so that a bad byte is
//! reported with its row and column. Other encodings are decoded here; a byte sequence that
//! is not valid in them becomes U+FFFD, which the readers then refuse in that row.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::Text;
use crate::settings::Source;

/// A character encoding, by its WHATWG name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding(&'static encoding_rs::Encoding);

impl Encoding {
    /// Look up a label such as `windows-1252`, `latin1` or `utf-16le`.
    pub fn for_label(label: &str) -> Option<Encoding> {
        encoding_rs::Encoding::for_label(label.trim().as_bytes()).map(Encoding)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    fn is_utf8(self) -> bool {
        self.0 == encoding_rs::UTF_8
    }
}

/// The character that a decoder writes for bytes it cannot decode.
pub const REPLACEMENT: char = '\u{FFFD}';

pub(super) struct Opened {
    pub reader: Text,
    /// The encoding the text was decoded from, when it was not UTF-8.
    pub decoded: Option<&'static str>,
    pub size: Option<u64>,
    pub bytes_read: Arc<AtomicU64>,
    pub notes: Vec<String>,
}

/// Open the source and stack what its bytes need.
pub(super) fn open(
    source: &Source,
    encoding: Option<Encoding>,
    label: &str,
) -> anyhow::Result<Opened> {
    let (raw, size) = open_source(source, label)?;
    decode(raw, size, encoding, label)
}

/// The source's bytes as they are, and its size when it is a file.
fn open_source(
    source: &Source,
    label: &str,
) -> anyhow::Result<(Box<dyn Read + Send>, Option<u64>)> {
    Ok(match source {
        Source::Stdin => (Box::new(io::stdin()), None),
        Source::File(path) => {
            let file = File::open(path).with_context(|| format!("cannot open {label}"))?;
            let meta = file
                .metadata()
                .with_context(|| format!("cannot open {label}"))?;
            if meta.is_dir() {
                bail!("{label} is a folder, not a file");
            }
            (Box::new(file), Some(meta.len()))
        }
    })
}

/// Stack on `raw` what its bytes need: gzip, a BOM, a decoder.
pub(super) fn decode(
    raw: Box<dyn Read + Send>,
    size: Option<u64>,
    encoding: Option<Encoding>,
    label: &str,
) -> anyhow::Result<Opened> {
    let bytes_read = Arc::new(AtomicU64::new(0));
    let counting = Counting {
        inner: raw,
        count: Arc::clone(&bytes_read),
    };
    let mut notes = Vec::new();
    let mut buffered = BufReader::with_capacity(64 * 1024, counting);
    let start = buffered
        .fill_buf()
        .with_context(|| format!("cannot read {label}"))?;
    let plain: Box<dyn Read + Send> = if start.starts_with(&[0x1f, 0x8b]) {
        notes.push("reading it through gzip".to_owned());
        Box::new(flate2::read::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let mut plain = BufReader::with_capacity(64 * 1024, plain);
    let start = plain
        .fill_buf()
        .with_context(|| format!("cannot read {label}"))?;
    let bom = encoding_rs::Encoding::for_bom(start).map(|(e, _)| Encoding(e));
    let chosen = bom.or(encoding);
    let decoded = chosen.filter(|e| !e.is_utf8()).map(Encoding::name);
    let reader: Text = match chosen {
        Some(enc) if !enc.is_utf8() => {
            let how = if bom.is_some() {
                "as its BOM says"
            } else {
                "as asked"
            };
            notes.push(format!("decoding it from {} {how}", enc.name()));
            let decoder = DecodeReaderBytesBuilder::new()
                .encoding(Some(enc.0))
                .bom_override(true)
                .strip_bom(true)
                .build(plain);
            Box::new(BufReader::with_capacity(64 * 1024, decoder))
        }
        _ => {
            if bom.is_some() {
                plain.consume(3);
            }
            Box::new(plain)
        }
    };
    Ok(Opened {
        reader,
        decoded,
        size,
        bytes_read,
        notes,
    })
}

/// A reader that counts the bytes it has read.
struct Counting {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
