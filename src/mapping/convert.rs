//! Turning a cell's text into the value a webhook field takes.
//!
//! Each function takes trimmed, non-empty text and returns the typed value, or a reason
//! written to follow the value in a message ("`abc` is not a whole number"). None of them
//! guesses: text that could mean two things is refused.

use std::borrow::Cow;

use crate::schema::{self, FieldType, SENIORITIES};

/// A value ready to be written into a body. Text borrows from the record it was read from
/// where it can, so that mapping a row copies only what a transform changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed<'a> {
    Text(Cow<'a, str>),
    Integer(u64),
    Bool(bool),
    List(Vec<Cow<'a, str>>),
}

impl Typed<'_> {
    /// The same value, owning its text.
    pub fn into_owned(self) -> Typed<'static> {
        match self {
            Typed::Text(text) => Typed::Text(Cow::Owned(text.into_owned())),
            Typed::Integer(n) => Typed::Integer(n),
            Typed::Bool(b) => Typed::Bool(b),
            Typed::List(items) => Typed::List(
                items
                    .into_iter()
                    .map(|item| Cow::Owned(item.into_owned()))
                    .collect(),
            ),
        }
    }

    /// The same value, borrowing its text from this one.
    pub fn borrowed(&self) -> Typed<'_> {
        match self {
            Typed::Text(text) => Typed::Text(Cow::Borrowed(text)),
            Typed::Integer(n) => Typed::Integer(*n),
            Typed::Bool(b) => Typed::Bool(*b),
            Typed::List(items) => Typed::List(items.iter().map(|i| Cow::Borrowed(&**i)).collect()),
        }
    }
}

/// Convert trimmed, non-empty text to a field's type. Lists are built by the caller, which
/// knows the separator; here a list is the one item.
pub fn from_text(ty: FieldType, text: &str) -> Result<Typed<'_>, String> {
    convert(ty, Cow::Borrowed(text)).map_err(|(_, reason)| reason)
}

/// [`from_text`] for text that may be owned already: it is moved, not copied. A failure
/// gives the text back with the reason, for the message.
pub fn convert(ty: FieldType, text: Cow<'_, str>) -> Result<Typed<'_>, (Cow<'_, str>, String)> {
    let checked = match ty {
        FieldType::Text => return Ok(Typed::Text(text)),
        FieldType::Email if schema::is_email(&text) => return Ok(Typed::Text(text)),
        FieldType::YearMonth if schema::is_year_month(&text) => return Ok(Typed::Text(text)),
        FieldType::TextList => return Ok(Typed::List(vec![text])),
        FieldType::Email => Err(match schema::invisible_char(&text) {
            Some(c) => format!(
                "is not an email address: it holds the invisible character U+{:04X}",
                u32::from(c)
            ),
            None => "is not an email address".to_owned(),
        }),
        FieldType::YearMonth => Err("is not a month written YYYY-MM".to_owned()),
        FieldType::Seniority => seniority(&text).map(|s| Typed::Text(Cow::Borrowed(s))),
        FieldType::Integer => integer(&text).map(Typed::Integer),
        FieldType::Digits => integer(&text).map(|n| Typed::Text(Cow::Owned(n.to_string()))),
        FieldType::Bool => boolean(&text).map(Typed::Bool),
    };
    checked.map_err(|reason| (text, reason))
}

/// A whole number, zero or more, with optional thousands separators: `1200`, `1,200`,
/// `1 200`. Refuses decimals (`12.5`), signs and anything else.
pub fn integer(text: &str) -> Result<u64, String> {
    let not_a_number = || "is not a whole number".to_owned();
    let digits = if text.bytes().all(|b| b.is_ascii_digit()) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(ungroup(text).ok_or_else(not_a_number)?)
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
    let is = |word: &str| text.eq_ignore_ascii_case(word);
    if is("true") || is("yes") || text == "1" {
        Ok(true)
    } else if is("false") || is("no") || text == "0" {
        Ok(false)
    } else {
        Err("is not true/false, yes/no or 1/0".into())
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
