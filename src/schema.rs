//! The webhook's body: its tables, their fields and each field's type.
//!
//! The mapping uses this to check a mapping file and to convert cell values; the stand-in uses
//! it to check the bodies it receives. Both read the same table, so they cannot disagree about
//! what the webhook accepts.

use serde_json::Value;

/// The type of a value the webhook accepts for one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Any non-empty string.
    Text,
    /// An email address: `local@domain.tld`, no spaces.
    Email,
    /// One of JUNIOR, MID, SENIOR, EXECUTIVE.
    Seniority,
    /// A JSON integer, zero or more.
    Integer,
    /// A string made of digits only, such as an amount of money.
    Digits,
    /// An array of non-empty strings.
    TextList,
    /// true or false.
    Bool,
    /// A month written `YYYY-MM`.
    YearMonth,
}

impl FieldType {
    /// How the type is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Text => "a string",
            FieldType::Email => "an email address",
            FieldType::Seniority => "one of JUNIOR, MID, SENIOR, EXECUTIVE",
            FieldType::Integer => "a whole number",
            FieldType::Digits => "a string of digits",
            FieldType::TextList => "a list of strings",
            FieldType::Bool => "true or false",
            FieldType::YearMonth => "a month written YYYY-MM",
        }
    }
}

/// A table of the body (or an entry of `employment.history`) and the fields it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Contact,
    Employment,
    History,
    Company,
}

pub const SENIORITIES: [&str; 4] = ["JUNIOR", "MID", "SENIOR", "EXECUTIVE"];

const HANDLES: [&str; 5] = [
    "facebookHandle",
    "gitHubHandle",
    "instagramHandle",
    "linkedInHandle",
    "xHandle",
];

const CONTACT_TEXT: [&str; 10] = [
    "name",
    "nickname",
    "bio",
    "avatar",
    "website",
    "domain",
    "location",
    "timeZone",
    "externalIdApollo",
    "note",
];

const COMPANY_TEXT: [&str; 12] = [
    "name",
    "nickname",
    "bio",
    "subtitle",
    "avatar",
    "website",
    "domain",
    "location",
    "timeZone",
    "fundingStage",
    "ticker",
    "externalIdApollo",
];

const COMPANY_TYPED: [(&str, FieldType); 8] = [
    ("annualRevenue", FieldType::Digits),
    ("employeesCount", FieldType::Integer),
    ("foundedYear", FieldType::Integer),
    ("fundingTotal", FieldType::Digits),
    ("retailLocationsCount", FieldType::Integer),
    ("industries", FieldType::TextList),
    ("languages", FieldType::TextList),
    ("stack", FieldType::TextList),
];

const HISTORY: [(&str, FieldType); 5] = [
    ("current", FieldType::Bool),
    ("start", FieldType::YearMonth),
    ("end", FieldType::YearMonth),
    ("organization", FieldType::Text),
    ("title", FieldType::Text),
];

impl Table {
    /// The tables at the top of the body, in the order the body writes them.
    pub const TOP: [Table; 3] = [Table::Contact, Table::Employment, Table::Company];

    pub fn name(self) -> &'static str {
        match self {
            Table::Contact => "contact",
            Table::Employment => "employment",
            Table::History => "employment.history",
            Table::Company => "company",
        }
    }

    pub fn from_name(name: &str) -> Option<Table> {
        Table::TOP.into_iter().find(|t| t.name() == name)
    }

    /// The type of `field` in this table, or `None` when the table has no such field.
    /// `employment.history` is not a field of `employment` here: it is a table of its own.
    pub fn field(self, field: &str) -> Option<FieldType> {
        self.fields()
            .find(|(name, _)| *name == field)
            .map(|(_, ty)| ty)
    }

    /// Every field of this table with its type.
    pub fn fields(self) -> impl Iterator<Item = (&'static str, FieldType)> {
        let list: Vec<(&'static str, FieldType)> = match self {
            Table::Contact => std::iter::once(("email", FieldType::Email))
                .chain(CONTACT_TEXT.iter().map(|f| (*f, FieldType::Text)))
                .chain(HANDLES.iter().map(|f| (*f, FieldType::Text)))
                .collect(),
            Table::Employment => vec![
                ("title", FieldType::Text),
                ("seniority", FieldType::Seniority),
            ],
            Table::History => HISTORY.to_vec(),
            Table::Company => COMPANY_TEXT
                .iter()
                .map(|f| (*f, FieldType::Text))
                .chain(HANDLES.iter().map(|f| (*f, FieldType::Text)))
                .chain(COMPANY_TYPED)
                .chain(std::iter::once(("tags", FieldType::TextList)))
                .collect(),
        };
        list.into_iter()
    }
}

/// Whether `s` has the shape of an email address. Deliberately plain: one `@`, something on
/// both sides, a dot in the domain, no whitespace. The webhook decides the rest.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if s.is_ascii() {
        return is_ascii_email(local.as_bytes(), domain.as_bytes());
    }
    is_email_by_chars(local, domain)
}

/// Whether a character does not show, or shows as a space: what an address may not hold.
fn invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{feff}'
        )
}

/// The first character of `s` that does not show, other than a plain space.
pub fn invisible_char(s: &str) -> Option<char> {
    s.chars().find(|&c| c != ' ' && invisible(c))
}

fn is_email_by_chars(local: &str, domain: &str) -> bool {
    let forbidden = |c: char| invisible(c) || "<>()[],;:\\\"@".contains(c);
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(forbidden);
    let domain_ok = domain.contains('.')
        && domain.len() <= 253
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && !domain.chars().any(|c| forbidden(c) || c == '_');
    local_ok && domain_ok
}

/// The ASCII bytes no part of an address may hold: spaces, controls and `<>()[],;:\"@`.
const FORBIDDEN_IN_EMAIL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b <= b' ' {
        table[b as usize] = true;
        b += 1;
    }
    table[0x7f] = true;
    let specials = b"<>()[],;:\\\"@";
    let mut i = 0;
    while i < specials.len() {
        table[specials[i] as usize] = true;
        i += 1;
    }
    table
};

/// [`is_email`] for ASCII text, byte by byte: the same rules, without decoding characters.
fn is_ascii_email(local: &[u8], domain: &[u8]) -> bool {
    let forbidden = |b: u8| FORBIDDEN_IN_EMAIL[usize::from(b)];
    let local_ok = (1..=64).contains(&local.len())
        && local[0] != b'.'
        && local[local.len() - 1] != b'.'
        && !local.windows(2).any(|pair| pair == b"..")
        && !local.iter().any(|&b| forbidden(b));
    let domain_ok = domain.contains(&b'.')
        && domain.len() <= 253
        && domain
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label[0] != b'-' && label[label.len() - 1] != b'-')
        && !domain.iter().any(|&b| forbidden(b) || b == b'_');
    local_ok && domain_ok
}

/// Whether `s` is a month written `YYYY-MM`.
pub fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && matches!((b[5], b[6]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
}

/// One problem the webhook would report about a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is, as a dotted path: `contact.email`, `employment.history.0.start`.
    pub field: String,
    pub message: String,
}

/// Check a body the way the webhook does: known tables and fields only, each of its type,
/// and a `contact.email`. Returns every problem found.
pub fn validate_body(body: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let Some(top) = body.as_object() else {
        errors.push(error("", "the body must be a JSON object"));
        return errors;
    };
    for (key, value) in top {
        match Table::from_name(key) {
            Some(table) => validate_table(table, key, value, &mut errors),
            None => errors.push(error(key, "unknown key")),
        }
    }
    if top.get("contact").and_then(|c| c.get("email")).is_none() {
        errors.push(error("contact.email", "is required"));
    }
    errors
}

fn validate_table(table: Table, path: &str, value: &Value, errors: &mut Vec<FieldError>) {
    let Some(object) = value.as_object() else {
        errors.push(error(path, "must be an object"));
        return;
    };
    for (key, value) in object {
        let field_path = format!("{path}.{key}");
        if table == Table::Employment && key == "history" {
            validate_history(&field_path, value, errors);
            continue;
        }
        match table.field(key) {
            Some(ty) => {
                if !value_fits(ty, value) {
                    errors.push(error(&field_path, &format!("must be {}", ty.describe())));
                }
            }
            None => errors.push(error(&field_path, "unknown key")),
        }
    }
}

fn validate_history(path: &str, value: &Value, errors: &mut Vec<FieldError>) {
    let Some(entries) = value.as_array() else {
        errors.push(error(path, "must be an array of objects"));
        return;
    };
    for (i, entry) in entries.iter().enumerate() {
        validate_table(Table::History, &format!("{path}.{i}"), entry, errors);
    }
}

/// Whether a JSON value is of the given type.
pub fn value_fits(ty: FieldType, value: &Value) -> bool {
    match (ty, value) {
        (FieldType::Text, Value::String(_)) => true,
        (FieldType::Email, Value::String(s)) => is_email(s),
        (FieldType::Seniority, Value::String(s)) => SENIORITIES.contains(&s.as_str()),
        (FieldType::Integer, Value::Number(n)) => n.is_u64(),
        (FieldType::Digits, Value::String(s)) => {
            !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
        }
        (FieldType::TextList, Value::Array(items)) => items.iter().all(Value::is_string),
        (FieldType::Bool, Value::Bool(_)) => true,
        (FieldType::YearMonth, Value::String(s)) => is_year_month(s),
        _ => false,
    }
}

fn error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_documented_field_is_known() {
        for field in [
            "email",
            "linkedInHandle",
            "externalIdApollo",
            "note",
            "timeZone",
        ] {
            assert!(Table::Contact.field(field).is_some(), "{field}");
        }
        for field in [
            "employeesCount",
            "tags",
            "ticker",
            "xHandle",
            "fundingTotal",
        ] {
            assert!(Table::Company.field(field).is_some(), "{field}");
        }
        assert_eq!(
            Table::Company.field("foundedYear"),
            Some(FieldType::Integer)
        );
        assert_eq!(Table::Contact.field("employeesCount"), None);
    }

    #[test]
    fn ascii_emails_are_judged_as_by_characters() {
        let alphabet = b"ab.-_@ <>\"\\,;:()[]\t0";
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..50_000 {
            let len = rng.usize(1..12);
            let s: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())] as char)
                .collect();
            if let Some((local, domain)) = s.split_once('@') {
                assert_eq!(
                    is_ascii_email(local.as_bytes(), domain.as_bytes()),
                    is_email_by_chars(local, domain),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn emails() {
        for good in ["jane@acme.com", "a.b+c@x.co.uk"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "jane",
            "jane@",
            "@acme.com",
            "jane@acme",
            "ja ne@acme.com",
            "a@b@c.d",
            "<a@b.co>",
            "a@b..co",
            "a@.b.co",
            "a,b@c.co",
            "a@x.com\u{200b}",
            "\u{feff}b@x.com",
            "jane@-acme.com",
            ".jane@acme.com",
            "jane..doe@acme.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn year_months() {
        assert!(is_year_month("2024-01"));
        assert!(is_year_month("1999-12"));
        for bad in [
            "2024-13",
            "2024-00",
            "2024-1",
            "24-01",
            "2024/01",
            "2024-01-02",
        ] {
            assert!(!is_year_month(bad), "{bad}");
        }
    }

    #[test]
    fn a_good_body_passes() {
        let body = json!({
            "contact": {"email": "jane@acme.com", "name": "Jane"},
            "employment": {"seniority": "MID", "history": [{"current": true, "start": "2020-02"}]},
            "company": {"employeesCount": 12, "industries": ["Software"], "annualRevenue": "100"}
        });
        assert_eq!(validate_body(&body), vec![]);
    }

    #[test]
    fn a_bad_body_names_each_field() {
        let body = json!({
            "contact": {"name": "Jane", "mail": "x"},
            "employment": {"seniority": "boss", "history": [{"start": "2020"}]},
            "company": {"employeesCount": "12"},
            "extra": 1
        });
        let mut fields: Vec<String> = validate_body(&body).into_iter().map(|e| e.field).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                "company.employeesCount",
                "contact.email",
                "contact.mail",
                "employment.history.0.start",
                "employment.seniority",
                "extra",
            ]
        );
    }
}
