//! The inputs the fuzzers found, replayed through the fuzz targets' own code
//! (`fuzz/harness.rs`), so that a bug they found stays fixed.

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;

/// Run `target` on every file in `fuzz/regressions/<name>/`; returns how many there were.
fn replay(name: &str, target: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(name);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    for file in &files {
        let data = std::fs::read(file).expect("read a regression input");
        let run = std::panic::catch_unwind(|| target(&data));
        assert!(run.is_ok(), "{} fails again", file.display());
    }
    assert!(!files.is_empty(), "{} holds no inputs", dir.display());
    files.len()
}

#[test]
fn readers_survive_what_the_fuzzer_found() {
    replay("read_input", harness::read_input);
}

#[test]
fn the_mapping_loader_survives_what_the_fuzzer_found() {
    replay("load_mapping", harness::load_mapping);
}

#[test]
fn rows_map_or_have_problems_on_what_the_fuzzer_found() {
    replay("map_row", harness::map_row);
}
