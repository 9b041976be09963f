//! The completion scripts committed in `completions/` must match what the binary generates,
//! so that a changed flag cannot ship with stale completions.

mod common;

use std::path::Path;

use common::{fq, text};

/// Each shell and the file its script is committed as.
const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "fq-import.bash"),
    ("zsh", "_fq-import"),
    ("fish", "fq-import.fish"),
    ("powershell", "_fq-import.ps1"),
    ("elvish", "fq-import.elv"),
];

#[test]
fn committed_completions_match_the_generated_ones() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let output = fq().args(["completions", shell]).assert().success();
        let generated = text(&output.get_output().stdout);
        assert!(!generated.is_empty(), "no {shell} completions were printed");

        let path = folder.join(file);
        let committed = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        if generated != committed {
            stale.push(format!(
                "completions/{file} (regenerate: fq-import completions {shell} > completions/{file})"
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts:\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn completions_know_the_import_flags() {
    let output = fq().args(["completions", "bash"]).assert().success();
    let script = text(&output.get_output().stdout);

    for flag in [
        "--mapping",
        "--dry-run",
        "--sandbox",
        "--retry-delay",
        "--report",
    ] {
        assert!(script.contains(flag), "bash completions lack {flag}");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    fq().args(["completions", "tcsh"]).assert().code(2);
}
