//! Exports in encodings other than plain UTF-8: Windows-1252 from older Excel, UTF-8 with a
//! BOM, UTF-16 with a BOM, and UTF-8 files with a few bad bytes in them. The bytes are built
//! here, since a committed file could be rewritten by an editor or by git.

mod common;

use common::{Imported, import_recorded, quirk, write_bytes};
use serde_json::{Value, json};

/// The body that `fixtures/quirks/people.toml` makes of one row.
fn person(email: &str, name: &str, company: &str) -> Value {
    json!({"contact": {"email": email, "name": name}, "company": {"name": company}})
}

/// Import `bytes`, saved as `name`, with `people.toml` and the extra flags.
fn import_bytes(name: &str, bytes: &[u8], flags: &[&str]) -> Imported {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(dir.path(), name, bytes);
    import_recorded(&input, &quirk("people.toml"), flags)
}

/// A Windows-1252 export: é, ü, ñ, ø, ß, curly quotes (0x93, 0x94) and the euro sign (0x80),
/// none of them valid UTF-8. The last row is plain ASCII.
const WINDOWS_1252: &[u8] = b"Email,First Name,Last Name,Company\r\n\
rene@cafe.example,Ren\xe9,M\xfcller,Caf\xe9 \x93Zum Gl\xfcck\x94\r\n\
ines@espana.example,In\xe9s,Nu\xf1ez,Fondo Euro \x80\r\n\
soren@nord.example,S\xf8ren,Stra\xdfer,Nord AS\r\n\
eve@fund.example,Eve,Stone,\x80 Capital\r\n\
plain@ascii.example,Plain,Ascii,Ascii Ltd\r\n";

#[test]
fn windows_1252_with_encoding_sends_the_right_unicode() {
    let run = import_bytes("excel.csv", WINDOWS_1252, &["--encoding", "windows-1252"]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            person("eve@fund.example", "Eve Stone", "\u{20ac} Capital"),
            person(
                "ines@espana.example",
                "In\u{e9}s Nu\u{f1}ez",
                "Fondo Euro \u{20ac}"
            ),
            person("plain@ascii.example", "Plain Ascii", "Ascii Ltd"),
            person(
                "rene@cafe.example",
                "Ren\u{e9} M\u{fc}ller",
                "Caf\u{e9} \u{201c}Zum Gl\u{fc}ck\u{201d}"
            ),
            person("soren@nord.example", "S\u{f8}ren Stra\u{df}er", "Nord AS"),
        ]
    );
    assert!(
        run.stderr.contains("windows-1252"),
        "stderr should say how the file was decoded:\n{}",
        run.stderr
    );
}

#[test]
fn windows_1252_without_encoding_is_invalid_and_names_the_column() {
    let run = import_bytes("excel.csv", WINDOWS_1252, &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [person("plain@ascii.example", "Plain Ascii", "Ascii Ltd")],
        "only the ASCII row may be sent, and nothing garbled"
    );
    assert_eq!(
        run.outcomes(),
        [
            (1, 2, "invalid"),
            (2, 3, "invalid"),
            (3, 4, "invalid"),
            (4, 5, "invalid"),
            (5, 6, "imported"),
        ]
    );
    let columns = [
        (1, "First Name"),
        (2, "First Name"),
        (3, "First Name"),
        (4, "Company"),
    ];
    for (row, column) in columns {
        let error = &run.row(row).error;
        assert!(
            error.contains(&format!("`{column}`")),
            "row {row}: the error should name the column {column}: {error:?}"
        );
        assert!(
            error.contains("--encoding"),
            "row {row}: the error should suggest --encoding: {error:?}"
        );
        assert_eq!(run.row(row).attempts, 0, "{:?}", run.row(row));
    }
}

#[test]
fn utf8_bom_does_not_glue_to_the_first_header() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(
        "Email,First Name,Last Name,Company\n\
         zoe@bom.example,Zo\u{eb},Quinn,Bom GmbH\n\
         yan@bom.example,Yan,Ruiz,Ruiz & Hijos\n"
            .as_bytes(),
    );

    let run = import_bytes("bom.csv", &bytes, &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            person("yan@bom.example", "Yan Ruiz", "Ruiz & Hijos"),
            person("zoe@bom.example", "Zo\u{eb} Quinn", "Bom GmbH"),
        ]
    );
    assert_eq!(run.outcomes(), [(1, 2, "imported"), (2, 3, "imported")]);
}

#[test]
fn invalid_utf8_bytes_make_their_row_invalid_and_name_the_column() {
    let bytes = b"Email,First Name,Last Name,Company\n\
ana@utf8.example,Ana,G\xc3\xb3mez,Caf\xc3\xa9 Central\n\
bjorn@utf8.example,Bj\xf6rn,Berg,Nord\n\
cy@utf8.example,Cy,Diaz,Half \xe2\x82 Sign\n\
dee@utf8.example,Dee,Evans,Globex\n";

    let run = import_bytes("mixed.csv", bytes, &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            person("ana@utf8.example", "Ana G\u{f3}mez", "Caf\u{e9} Central"),
            person("dee@utf8.example", "Dee Evans", "Globex"),
        ]
    );
    assert_eq!(
        run.outcomes(),
        [
            (1, 2, "imported"),
            (2, 3, "invalid"),
            (3, 4, "invalid"),
            (4, 5, "imported"),
        ]
    );
    for (row, column) in [(2, "First Name"), (3, "Company")] {
        let error = &run.row(row).error;
        assert!(
            error.contains(&format!("`{column}`")) && error.contains("UTF-8"),
            "row {row}: the error should name the column {column} and UTF-8: {error:?}"
        );
    }
}

/// The rows of the UTF-16 tests, with characters outside Latin-1 and outside the BMP.
const UTF16_TEXT: &str = "Email,First Name,Last Name,Company\r\n\
    mei@utf16.example,\u{7f8e},\u{674e},\u{5317}\u{4eac} Ltd\r\n\
    olga@utf16.example,\u{41e}\u{43b}\u{44c}\u{433}\u{430},Petrova,Rocket \u{1f680} Co\r\n";

fn utf16_bodies() -> Vec<Value> {
    vec![
        person(
            "mei@utf16.example",
            "\u{7f8e} \u{674e}",
            "\u{5317}\u{4eac} Ltd",
        ),
        person(
            "olga@utf16.example",
            "\u{41e}\u{43b}\u{44c}\u{433}\u{430} Petrova",
            "Rocket \u{1f680} Co",
        ),
    ]
}

#[test]
fn utf16_le_with_a_bom_imports() {
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(UTF16_TEXT.encode_utf16().flat_map(u16::to_le_bytes));

    let run = import_bytes("outlook.csv", &bytes, &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.bodies, utf16_bodies());
    assert_eq!(run.outcomes(), [(1, 2, "imported"), (2, 3, "imported")]);
}

#[test]
fn utf16_be_with_a_bom_imports() {
    let mut bytes = vec![0xfe, 0xff];
    bytes.extend(UTF16_TEXT.encode_utf16().flat_map(u16::to_be_bytes));

    let run = import_bytes("outlook.csv", &bytes, &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.bodies, utf16_bodies());
    assert_eq!(run.outcomes(), [(1, 2, "imported"), (2, 3, "imported")]);
}
