//! Turning a cell's text into the value a webhook field takes.
//!
//! Each function takes trimmed, non-empty text and returns the typed value, or a reason
//! written to follow the value in a message ("`abc` is not a whole number"). None of them
//! guesses: text that could mean two things is refused.

use crate::schema::{self, FieldType, SENIORITIES};

/// A value ready to be written into a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    Text(String),
    Integer(u64),
    Bool(bool),
    List(Vec<String>),
}

/// Convert trimmed, non-empty text to a field's type. Lists are built by the caller, which
/// knows the separator; here a list is the one item.
pub fn from_text(ty: FieldType, text: &str) -> Result<Typed, String> {
    match ty {
        FieldType::Text => Ok(Typed::Text(text.to_owned())),
        FieldType::Email if schema::is_email(text) => Ok(Typed::Text(text.to_owned())),
        FieldType::Email => Err("is not an email address".into()),
        FieldType::Seniority => seniority(text).map(|s| Typed::Text(s.to_owned())),
        FieldType::Integer => integer(text).map(Typed::Integer),
        FieldType::Digits => integer(text).map(|n| Typed::Text(n.to_string())),
        FieldType::TextList => Ok(Typed::List(vec![text.to_owned()])),
        FieldType::Bool => boolean(text).map(Typed::Bool),
        FieldType::YearMonth if schema::is_year_month(text) => Ok(Typed::Text(text.to_owned())),
        FieldType::YearMonth => Err("is not a month written YYYY-MM".into()),
    }
}

/// A whole number, zero or more, with optional thousands separators: `1200`, `1,200`,
/// `1 200`. Refuses decimals (`12.5`), signs and anything else.
pub fn integer(text: &str) -> Result<u64, String> {
    let not_a_number = || "is not a whole number".to_owned();
    let digits = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.to_owned()
    } else {
        ungroup(text).ok_or_else(not_a_number)?
    };
    digits
        .parse::<u64>()
        .map_err(|_| "is too large for a whole number".to_owned())
}

/// `1,200,000` → `1200000`, when every group after the first has three digits and one
/// separator (comma or a kind of space) is used throughout.
fn ungroup(text: &str) -> Option<String> {
    let separator = text.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(separator, ',' | ' ' | '\u{a0}' | '\u{202f}') {
        return None;
    }
    let mut groups = text.split(separator);
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push_str(group);
    }
    Some(digits)
}

/// true/false, yes/no, 1/0, in any case.
pub fn boolean(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err("is not true/false, yes/no or 1/0".into()),
    }
}

/// One of the four seniorities, in any case.
pub fn seniority(text: &str) -> Result<&'static str, String> {
    SENIORITIES
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(text))
        .ok_or_else(|| "is not a seniority: JUNIOR, MID, SENIOR or EXECUTIVE".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        for (text, n) in [
            ("0", 0),
            ("1200", 1200),
            ("1,200", 1200),
            ("1 200", 1200),
            ("1\u{a0}200", 1200),
            ("12,345,678", 12_345_678),
            ("007", 7),
        ] {
            assert_eq!(integer(text), Ok(n), "{text}");
        }
        for text in [
            "abc",
            "12.5",
            "-3",
            "+3",
            "1,20",
            "1,2000",
            ",200",
            "1,200 300",
            "1.200",
            "12e3",
            "99999999999999999999",
        ] {
            assert!(integer(text).is_err(), "{text}");
        }
    }

    #[test]
    fn booleans() {
        for text in ["true", "TRUE", "Yes", "1"] {
            assert_eq!(boolean(text), Ok(true), "{text}");
        }
        for text in ["false", "No", "0"] {
            assert_eq!(boolean(text), Ok(false), "{text}");
        }
        for text in ["y", "2", "truth", "on"] {
            assert!(boolean(text).is_err(), "{text}");
        }
    }

    #[test]
    fn seniorities() {
        assert_eq!(seniority("senior"), Ok("SENIOR"));
        assert_eq!(seniority("Executive"), Ok("EXECUTIVE"));
        assert_eq!(seniority("mid"), Ok("MID"));
        assert!(seniority("boss").is_err());
        assert!(seniority("vp").is_err());
    }

    #[test]
    fn typed_fields() {
        assert_eq!(
            from_text(FieldType::Digits, "1,000,000"),
            Ok(Typed::Text("1000000".into()))
        );
        assert!(from_text(FieldType::Email, "not-an-email").is_err());
        assert!(from_text(FieldType::YearMonth, "2024-1").is_err());
        assert_eq!(from_text(FieldType::Integer, "12"), Ok(Typed::Integer(12)));
    }
}
