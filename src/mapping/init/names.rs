//! What a column's name says it holds: the names export tools write for each webhook field,
//! the prefixes that say whose field it is (`Company City`, `Contact: Email`,
//! `company.name`), the names known to have no field, and near misses of known names.

use super::kinds::{self, Kind, Object, Special};
use super::words::{
    GROUPS, KEYWORDS, META, NO_FIELD, PATH_SCOPES, SCOPES, SOCIAL, SOCIAL_SUFFIXES, SYNONYMS,
};
use crate::schema::{Table, is_email};

use How::Handle;
use Meaning::{CompanyList, Either, Field, Name, Place, Site};

const CONTACT: Table = Table::Contact;
const COMPANY: Table = Table::Company;

/// How sure a match is, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A near match of a known name, or a name with a keyword of a field in it.
    Medium,
    /// A name export tools write for the field.
    High,
}

/// Whose location a place column describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Contact,
    Company,
    /// The contact's in a file of people, the company's in a file of companies.
    Either,
}

/// A part of a person's name, in the order a full name is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NamePart {
    First,
    Middle,
    Last,
}

/// A part of a location, in the order a location is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlacePart {
    City,
    State,
    Country,
}

/// What a column holds, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// A field of one table.
    Field(Table, &'static str),
    /// A field both the contact and the company have; the file decides whose.
    Either(&'static str),
    /// A website: the company's in a file of people that names their company.
    Site,
    /// A list only companies have in the webhook (tags, languages): kept in a file of
    /// companies, left out of a file of people, where it describes the person.
    CompanyList(&'static str),
    Name(NamePart),
    Place(Owner, PlacePart),
}

/// How a column's text is reshaped on its way into the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    Plain,
    Handle,
    Domain,
    Number,
    /// The built-in table of seniority words.
    Seniority,
    /// A list: split on the separator the samples show, or on `,` when `always`.
    List {
        always: bool,
    },
}

/// A column's meaning, how to read it, and how good a source it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub meaning: Meaning,
    pub how: How,
    /// Among columns of one meaning, lower is better: `Email` before `Secondary Email`.
    pub rank: u8,
    pub confidence: Confidence,
    /// The prefix that groups place columns, such as `work` in `Work City`.
    pub group: String,
}

/// What a column is, once its name has been read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Match(Match),
    /// A column with no field, and why.
    LeftOut(String),
    Unknown,
}

/// Where a stem of a name was found, and whose field it names.
struct Stem {
    scope: Option<Table>,
    /// The group prefix taken off, such as `work`, with its digits.
    group: String,
    text: String,
    confidence: Confidence,
}

/// Read a column's name (and, for guesses, its samples) in an export of the given kind.
pub fn read(name: &str, samples: &[String], kind: Option<Kind>) -> Reading {
    let norm = normalize(name);
    match kind.and_then(|k| kinds::special(k, &norm)) {
        Some(Special::Means(meaning, how)) => return Reading::Match(Match::sure(meaning, how)),
        Some(Special::LeftOut(reason)) => return Reading::LeftOut(reason.to_owned()),
        None => {}
    }
    if let Some((object, _)) = name.split_once(": ")
        && kinds::salesforce_object(object) == Some(Object::Other)
    {
        return Reading::LeftOut("a field of another Salesforce object".to_owned());
    }
    stems(name, &norm)
        .into_iter()
        .find_map(reading_of)
        .or_else(|| near(name, &norm, samples).map(Reading::Match))
        .unwrap_or(Reading::Unknown)
}

impl Match {
    /// A match an export's own conventions make certain.
    fn sure(meaning: Meaning, how: How) -> Match {
        Match {
            meaning,
            how,
            rank: 0,
            confidence: Confidence::High,
            group: String::new(),
        }
    }
}

/// What a stem names, if the tables know it.
fn reading_of(stem: Stem) -> Option<Reading> {
    let (meaning, how, rank) = lookup(&stem.text)?;
    let Some(meaning) = scoped(meaning, stem.scope) else {
        return Some(Reading::LeftOut(format!(
            "it belongs to the company, and the webhook has this field for people only ({})",
            describe(meaning)
        )));
    };
    // Place columns are ranked by their group as whole templates, later.
    let penalty = match meaning {
        Place(..) => 0,
        _ => 2 * group_rank(&stem.group),
    };
    Some(Reading::Match(Match {
        meaning,
        how,
        rank: rank.saturating_add(penalty),
        confidence: stem.confidence,
        group: stem.group,
    }))
}

/// Why a column the reading left unknown has no field.
pub fn why_left_out(name: &str) -> &'static str {
    let words = words(name);
    NO_FIELD
        .iter()
        .find(|(list, _)| words.iter().any(|w| list.contains(&w.as_str())))
        .map_or("no webhook field matches it", |(_, why)| why)
}

/// Lowercase alphanumerics only: `E-mail 1 - Value` → `email1value`.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every field the synonym table names, for the test that keeps it true to the schema.
#[cfg(test)]
pub fn named_fields() -> Vec<Meaning> {
    SYNONYMS.iter().map(|(_, meaning, _, _)| *meaning).collect()
}

/// `company.name`, for a message.
fn describe(meaning: Meaning) -> String {
    match meaning {
        Field(table, field) => format!("{}.{field}", table.name()),
        Either(field) | CompanyList(field) => field.to_owned(),
        Site => "website".to_owned(),
        Name(_) => "the contact's name".to_owned(),
        Place(..) => "location".to_owned(),
    }
}

/// The stems to look up, best first: the whole name, then the name without its prefixes.
fn stems(name: &str, norm: &str) -> Vec<Stem> {
    let mut out = Vec::new();
    with_prefixes(&mut out, None, norm, Confidence::High);
    if let Some((object, field)) = name.split_once(": ") {
        let scope = match kinds::salesforce_object(object) {
            Some(Object::Contact) => Some(CONTACT),
            Some(Object::Account) => Some(COMPANY),
            _ => None,
        };
        if scope.is_some() {
            with_prefixes(&mut out, scope, &normalize(field), Confidence::High);
        }
    }
    if name.contains('.') {
        path_stems(&mut out, name);
    }
    out
}

/// The stem as written, then without a scope prefix and a group prefix.
fn with_prefixes(out: &mut Vec<Stem>, scope: Option<Table>, norm: &str, confidence: Confidence) {
    out.push(Stem {
        scope,
        group: String::new(),
        text: norm.to_owned(),
        confidence,
    });
    let (found, rest) = strip_scope(norm);
    let (group, rest) = strip_group(rest);
    if rest != norm && !rest.is_empty() {
        out.push(Stem {
            scope: scope.or(found),
            group,
            text: rest.to_owned(),
            confidence,
        });
    }
}

/// The stems of a dotted JSON path: `company.address.city` is the company's city.
fn path_stems(out: &mut Vec<Stem>, name: &str) {
    let segments: Vec<String> = name
        .split('.')
        .map(normalize)
        .filter(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    let mut scope = None;
    let mut start = 0;
    while start + 1 < segments.len() {
        let Some((_, table)) = PATH_SCOPES.iter().find(|(s, _)| *s == segments[start]) else {
            break;
        };
        scope = Some(*table);
        start += 1;
    }
    let rest = &segments[start..];
    if rest.is_empty() {
        return;
    }
    with_prefixes(out, scope, &rest.concat(), Confidence::High);
    // The last two segments say what `linkedin.handle` holds; the last alone is too little:
    // `site.title` is no job title, and `twitter.bio` is not the person's bio.
    if rest.len() > 2 {
        let tail = rest[rest.len() - 2..].concat();
        with_prefixes(out, scope, &tail, Confidence::High);
    }
}

fn strip_scope(norm: &str) -> (Option<Table>, &str) {
    for (prefix, table) in SCOPES {
        if let Some(rest) = norm.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return (
                Some(table),
                rest.trim_start_matches(|c: char| c.is_ascii_digit()),
            );
        }
    }
    (None, norm)
}

fn strip_group(norm: &str) -> (String, &str) {
    for (prefix, _) in GROUPS {
        if let Some(rest) = norm.strip_prefix(prefix) {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let (number, rest) = rest.split_at(digits);
            if !rest.is_empty() {
                return (format!("{prefix}{number}"), rest);
            }
        }
    }
    (String::new(), norm)
}

/// How good a source a group is: 0 for the main address (or a first one), more for home
/// and other ones.
pub fn group_rank(group: &str) -> u8 {
    let base = group.trim_end_matches(|c: char| c.is_ascii_digit());
    let number: u8 = group[base.len()..].parse().unwrap_or(1);
    let rank = GROUPS
        .iter()
        .find(|(g, _)| *g == base)
        .map_or(0, |(_, rank)| *rank);
    rank.max(number.saturating_sub(1).min(2))
}

fn lookup(text: &str) -> Option<(Meaning, How, u8)> {
    SYNONYMS
        .iter()
        .find(|(keys, ..)| keys.contains(&text))
        .map(|(_, meaning, how, rank)| (*meaning, *how, *rank))
        .or_else(|| social(text).map(|field| (Either(field), Handle, 0)))
}

/// The handle field of a profile column: `linkedinurl`, `twitterhandle`, `xurl`.
fn social(text: &str) -> Option<&'static str> {
    SOCIAL.iter().find_map(|(site, field)| {
        let suffix = text.strip_prefix(site)?;
        let bare_x = *site == "x" && suffix.is_empty();
        (SOCIAL_SUFFIXES.contains(&suffix) && !bare_x).then_some(*field)
    })
}

/// The meaning under a scope prefix; `None` for a person's field under a company prefix.
fn scoped(meaning: Meaning, scope: Option<Table>) -> Option<Meaning> {
    let Some(table) = scope else {
        return Some(meaning);
    };
    let owner = if table == COMPANY {
        Owner::Company
    } else {
        Owner::Contact
    };
    match meaning {
        Either(field) => Some(Field(table, field)),
        Site => Some(Field(table, "website")),
        Place(_, part) => Some(Place(owner, part)),
        CompanyList(field) if table == COMPANY => Some(Field(COMPANY, field)),
        Name(_) | Field(Table::Contact, _) if table == COMPANY => None,
        other => Some(other),
    }
}

/// A guess for a name no table knows: a keyword in it, or one letter away from a known
/// name. An email guess also needs every sample to be an address.
fn near(name: &str, norm: &str, samples: &[String]) -> Option<Match> {
    let words = words(name);
    let guess = |meaning, how| Match {
        meaning,
        how,
        rank: 6,
        confidence: Confidence::Medium,
        group: String::new(),
    };
    if !words.iter().any(|w| META.contains(&w.as_str())) {
        let keyword = KEYWORDS.iter().find(|(k, ..)| norm.contains(k));
        if let Some((key, meaning, how)) = keyword {
            let is_email = *key != "email" || samples.iter().all(|s| is_email(s.trim()));
            return is_email.then(|| guess(*meaning, *how));
        }
    }
    SYNONYMS
        .iter()
        .flat_map(|(keys, meaning, how, _)| keys.iter().map(move |k| (k, meaning, how)))
        .find(|(key, ..)| key.len() >= 8 && strsim::damerau_levenshtein(key, norm) == 1)
        .map(|(_, meaning, how)| guess(*meaning, *how))
}

/// The lowercase words of a name, camelCase split: `emailVerified` → `email`, `verified`.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut last_lower = false;
    for c in name.chars() {
        let boundary = !c.is_alphanumeric() || (c.is_uppercase() && last_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        last_lower = c.is_lowercase();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}
