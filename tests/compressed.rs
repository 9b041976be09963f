//! Gzipped exports: a `.gz` file imports like its plain version, and gzip bytes are found
//! from the bytes themselves when the name does not say so.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use common::{import_recorded, quirk, write_bytes};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;

/// Gzip the file at `plain` into `dir` under `name`.
fn gzip(plain: &Path, dir: &Path, name: &str) -> PathBuf {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&std::fs::read(plain).expect("read the plain fixture"))
        .expect("compress in memory");
    write_bytes(
        dir,
        name,
        &encoder.finish().expect("finish the gzip stream"),
    )
}

#[test]
fn a_csv_gz_file_imports_like_its_plain_version() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&quirk("plain.csv"), dir.path(), "plain.csv.gz");

    let plain = import_recorded(&quirk("plain.csv"), &quirk("people.toml"), &[]);
    let zipped = import_recorded(&gz, &quirk("people.toml"), &[]);

    assert_eq!(plain.code, Some(0), "{}", plain.stderr);
    assert_eq!(zipped.code, Some(0), "{}", zipped.stderr);
    assert_eq!(
        zipped.bodies,
        [
            json!({"contact": {"email": "ann.lee@plain.example", "name": "Ann Lee"},
                   "company": {"name": "Lee Labs, Ltd"}}),
            json!({"contact": {"email": "bo.chen@plain.example", "name": "Bo Chen"},
                   "company": {"name": "Chen & Co"}}),
            json!({"contact": {"email": "cy.diaz@plain.example", "name": "Cy Diaz"},
                   "company": {"name": "Diaz Partners"}}),
        ]
    );
    assert_eq!(zipped.bodies, plain.bodies);
    assert_eq!(zipped.outcomes(), plain.outcomes());
}

#[test]
fn gzip_bytes_in_a_file_named_csv_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let disguised = gzip(&quirk("plain.csv"), dir.path(), "export.csv");

    let plain = import_recorded(&quirk("plain.csv"), &quirk("people.toml"), &[]);
    let run = import_recorded(&disguised, &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.bodies.len(), 3, "{:?}", run.bodies);
    assert_eq!(run.bodies, plain.bodies);
    assert_eq!(
        run.outcomes(),
        [(1, 2, "imported"), (2, 3, "imported"), (3, 4, "imported")]
    );
    assert!(
        run.stderr.contains("gzip"),
        "stderr should say the file was read through gzip:\n{}",
        run.stderr
    );
}

#[test]
fn a_gzipped_semicolon_file_still_has_its_delimiter_found() {
    let dir = tempfile::tempdir().unwrap();
    let gz = gzip(&quirk("semicolon.csv"), dir.path(), "semicolon.csv.gz");

    let plain = import_recorded(&quirk("semicolon.csv"), &quirk("semicolon.toml"), &[]);
    let zipped = import_recorded(&gz, &quirk("semicolon.toml"), &[]);

    assert_eq!(zipped.code, Some(0), "{}", zipped.stderr);
    assert!(
        zipped.stderr.contains("the delimiter is a semicolon"),
        "{}",
        zipped.stderr
    );
    assert_eq!(zipped.bodies.len(), 3, "{:?}", zipped.bodies);
    assert_eq!(zipped.bodies, plain.bodies);
}

#[test]
fn a_jsonl_gz_file_imports_like_its_plain_version() {
    let dir = tempfile::tempdir().unwrap();
    let plain_path = quirk("experience.jsonl");
    let gz = gzip(&plain_path, dir.path(), "experience.jsonl.gz");

    let plain = import_recorded(&plain_path, &quirk("experience.toml"), &[]);
    let zipped = import_recorded(&gz, &quirk("experience.toml"), &[]);

    assert_eq!(zipped.code, Some(0), "{}", zipped.stderr);
    assert_eq!(zipped.bodies.len(), 4, "{:?}", zipped.bodies);
    assert_eq!(zipped.bodies, plain.bodies);
    assert_eq!(zipped.outcomes(), plain.outcomes());
}
