//! The state file on its own, without a run around it.

use super::*;

fn tracked(key: &str, body: &str) -> Tracked {
    Tracked::new(key, true, body.as_bytes())
}

#[test]
fn an_email_key_is_trimmed_and_folded_and_an_id_keeps_its_case() {
    assert_eq!(fold("  Ann@Example.COM ", true), "ann@example.com");
    assert_eq!(fold(" AbC-12 ", false), "AbC-12");
    assert!(folds_case("contact.email"));
    assert!(!folds_case("contact.externalIdApollo"));
}

#[test]
fn a_row_is_unchanged_only_once_recorded_with_the_same_body() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let state = State::open(&path, DEFAULT_KEY, Some("imp_1"), None).unwrap();
    let mut reader = state.reader().unwrap();
    let mut recorder = state.recorder().unwrap().unwrap();
    let (a, b) = (tracked("a@x.io", "{\"a\":1}"), tracked("b@x.io", "{}"));
    assert_eq!(reader.unchanged(&[&a, &b]).unwrap(), [None, None]);
    recorder.stage(1, a.clone(), "row_a");
    recorder.commit().unwrap();
    let edited = tracked("A@X.io ", "{\"a\":2}");
    assert_eq!(
        reader.unchanged(&[&a, &b, &edited]).unwrap(),
        [Some("row_a".to_owned()), None, None]
    );
}

#[test]
fn a_state_file_keeps_to_one_key_and_one_import() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    // A file that recorded nothing yet is bound to no key and no import.
    State::open(&path, DEFAULT_KEY, Some("imp_0"), None).unwrap();
    let state = State::open(&path, DEFAULT_KEY, Some("imp_1"), None).unwrap();
    let mut recorder = state.recorder().unwrap().unwrap();
    recorder.stage(1, tracked("a@x.io", "{}"), "row_a");
    recorder.commit().unwrap();
    drop((state, recorder));
    let other_key = State::open(&path, "contact.externalIdApollo", Some("imp_1"), None);
    assert!(
        other_key
            .unwrap_err()
            .to_string()
            .contains("tracks contacts by contact.email")
    );
    let other_import = State::open(&path, DEFAULT_KEY, Some("imp_2"), None);
    assert!(
        other_import
            .unwrap_err()
            .to_string()
            .contains("sent to import imp_1")
    );
    assert!(State::open(&path, DEFAULT_KEY, None, None).is_ok());
}

#[test]
fn a_dry_run_creates_no_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let state = State::open(&path, DEFAULT_KEY, None, None).unwrap();
    assert!(state.recorder().unwrap().is_none());
    let row = tracked("a@x.io", "{}");
    assert_eq!(state.reader().unwrap().unchanged(&[&row]).unwrap(), [None]);
    assert!(!path.exists());
}

#[test]
fn a_file_of_another_kind_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("contacts.csv");
    std::fs::write(&text, "email\na@x.io\n").unwrap();
    let error = State::open(&text, DEFAULT_KEY, Some("imp_1"), None).unwrap_err();
    assert!(
        format!("{error:#}").contains("not an SQLite database"),
        "{error:#}"
    );
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let error = State::open(&other, DEFAULT_KEY, None, None).unwrap_err();
    assert!(error.to_string().contains("of another kind"), "{error:#}");
}
