//! The rejects file: the rows that ended `invalid` or `failed`, written in the input's own
//! format with its header, so that they can be fixed and imported again.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::input::Raw;

/// How the input was written, so that its rejects can be written alike.
#[derive(Debug, Clone)]
pub enum RejectsFormat {
    /// CSV with this header and delimiter.
    Table { header: Vec<String>, delimiter: u8 },
    /// One JSON object per line.
    Lines,
}

pub(super) struct Rejects {
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    Table(Box<csv::Writer<File>>),
    Lines(BufWriter<File>),
}

impl Rejects {
    pub(super) fn create(path: &Path, format: &RejectsFormat) -> anyhow::Result<Rejects> {
        let context = || format!("cannot write the rejects file {}", path.display());
        let file = super::writer::create_private(path).with_context(context)?;
        let sink = match format {
            RejectsFormat::Table { header, delimiter } => {
                let mut writer = csv::WriterBuilder::new()
                    .delimiter(*delimiter)
                    .flexible(true)
                    .from_writer(file);
                writer.write_record(header).with_context(context)?;
                Sink::Table(Box::new(writer))
            }
            RejectsFormat::Lines => Sink::Lines(BufWriter::new(file)),
        };
        Ok(Rejects {
            path: path.to_owned(),
            sink,
        })
    }

    pub(super) fn write(&mut self, raw: &Raw) -> anyhow::Result<()> {
        let written = match (&mut self.sink, raw) {
            (Sink::Table(writer), Raw::Fields(record)) => writer.write_byte_record(record),
            (Sink::Lines(writer), Raw::Line(line)) => writer
                .write_all(line.trim_ascii_end())
                .and_then(|()| writer.write_all(b"\n"))
                .map_err(csv::Error::from),
            // A record of the other kind cannot come from one input.
            _ => Ok(()),
        };
        written.with_context(|| format!("cannot write the rejects file {}", self.path.display()))
    }

    pub(super) fn finish(self) -> anyhow::Result<()> {
        let context = || format!("cannot write the rejects file {}", self.path.display());
        let file = match self.sink {
            Sink::Table(writer) => writer
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(context)?,
            Sink::Lines(writer) => writer
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(context)?,
        };
        file.sync_all().with_context(context)
    }
}
