//! Transforms that reshape a cell's text before it is converted to the field's type: case,
//! domains and handles out of URLs, lookup tables, dates, and numbers written loosely.
//!
//! Each one takes trimmed, non-empty text and returns the new text, or a reason written to
//! follow the value in a message. A transform that cannot be sure of its answer refuses, so
//! the row is stopped rather than sent wrong.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

/// One step of a field's transform list.
#[derive(Debug, Clone, PartialEq)]
pub enum Transform {
    Lower,
    Upper,
    /// Each word with a capital first letter.
    Title,
    /// `https://www.acme.com/about` or `jane@acme.com` → `acme.com`.
    Domain,
    /// A profile URL → the handle in it; for a `*Handle` field, only a URL of that network.
    Handle(Option<Network>),
    /// A lookup table; keys compare case-insensitively.
    Map(Lookup),
    /// A date in the given format → `YYYY-MM`.
    Date(DateFormat),
    /// `1,200`, `1.2k`, `51-200`, `$10M` → digits.
    Number,
}

/// The transform names a mapping may use.
pub const NAMES: [&str; 8] = [
    "lower", "upper", "title", "domain", "handle", "map", "date", "number",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// Lower-cased source value → target value.
    pub table: BTreeMap<String, String>,
    /// The value for text the table lacks; without one, such text is refused.
    pub default: Option<String>,
    /// Pass text the table lacks through unchanged (for the built-in seniority table,
    /// so that `Senior` still reaches the seniority check).
    pub pass_through: bool,
}

/// How a date is written in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateFormat {
    /// `2024-03-05`, `2024-03`, or `2024-03-05T10:00:00Z` (the date part is taken as written,
    /// never moved to another timezone).
    Iso,
    /// Days since 1899-12-30, as Excel stores dates.
    Excel,
    /// A chrono format string such as `%m/%d/%Y`.
    Pattern(String),
}

impl Transform {
    /// Apply the transform to trimmed, non-empty text.
    pub fn apply(&self, text: &str) -> Result<String, String> {
        match self {
            Transform::Lower => Ok(text.to_lowercase()),
            Transform::Upper => Ok(text.to_uppercase()),
            Transform::Title => Ok(title_case(text)),
            Transform::Domain => domain(text),
            Transform::Handle(network) => handle(text, *network),
            Transform::Map(lookup) => lookup.apply(text),
            Transform::Date(format) => date(text, format),
            Transform::Number => number(text),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Transform::Lower => "lower",
            Transform::Upper => "upper",
            Transform::Title => "title",
            Transform::Domain => "domain",
            Transform::Handle(_) => "handle",
            Transform::Map(_) => "map",
            Transform::Date(_) => "date",
            Transform::Number => "number",
        }
    }
}

impl Lookup {
    fn apply(&self, text: &str) -> Result<String, String> {
        if let Some(found) = self.table.get(&text.to_lowercase()) {
            return Ok(found.clone());
        }
        match &self.default {
            Some(default) => Ok(default.clone()),
            None if self.pass_through => Ok(text.to_owned()),
            None => Err("is not in the `map` table, which has no `default`".into()),
        }
    }

    /// The built-in table from the seniority words of common exports.
    pub fn seniority() -> Lookup {
        let table = SENIORITY_WORDS
            .iter()
            .map(|(word, level)| (word.to_string(), level.to_string()))
            .collect();
        Lookup {
            table,
            default: None,
            pass_through: true,
        }
    }
}

/// Seniority words seen in Apollo, HubSpot, LinkedIn and Salesforce exports.
pub const SENIORITY_WORDS: [(&str, &str); 22] = [
    ("c_suite", "EXECUTIVE"),
    ("c-suite", "EXECUTIVE"),
    ("c suite", "EXECUTIVE"),
    ("cxo", "EXECUTIVE"),
    ("founder", "EXECUTIVE"),
    ("owner", "EXECUTIVE"),
    ("partner", "EXECUTIVE"),
    ("vp", "EXECUTIVE"),
    ("vice president", "EXECUTIVE"),
    ("president", "EXECUTIVE"),
    ("executive", "EXECUTIVE"),
    ("head", "SENIOR"),
    ("director", "SENIOR"),
    ("senior", "SENIOR"),
    ("lead", "SENIOR"),
    ("principal", "SENIOR"),
    ("manager", "MID"),
    ("mid", "MID"),
    ("entry", "JUNIOR"),
    ("intern", "JUNIOR"),
    ("junior", "JUNIOR"),
    ("training", "JUNIOR"),
];

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace() || c == '-' || c == '\'';
    }
    out
}

/// The host of a URL, or the domain of an email, without `www.`.
pub fn domain(text: &str) -> Result<String, String> {
    let host = match text.rsplit_once('@') {
        Some((_, domain)) if !text.contains('/') => domain,
        _ => host_of(text),
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let valid = host.contains('.')
        && !host.starts_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if valid {
        Ok(host)
    } else {
        Err("holds no domain".into())
    }
}

/// The host part of a URL written with or without a scheme.
fn host_of(text: &str) -> &str {
    let rest = after_scheme(text).unwrap_or(text);
    let rest = before_any(rest, b'/', b'?', b'#');
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split(':').next().unwrap_or_default()
}

/// The text before the first of three ASCII bytes, or all of it.
fn before_any(text: &str, a: u8, b: u8, c: u8) -> &str {
    memchr::memchr3(a, b, c, text.as_bytes()).map_or(text, |at| &text[..at])
}

/// What follows the `://` of a URL, if there is one.
fn after_scheme(text: &str) -> Option<&str> {
    memchr::memchr_iter(b':', text.as_bytes())
        .find(|&colon| text.as_bytes()[colon + 1..].starts_with(b"//"))
        .map(|colon| &text[colon + 3..])
}

/// The network a `*Handle` field belongs to, so that its handle comes from that network's
/// URLs only: a person's LinkedIn handle from `/in/`, a company's from `/company/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    LinkedInPerson,
    LinkedInCompany,
    X,
    GitHub,
    Facebook,
    Instagram,
}

impl Network {
    /// The network of a webhook field, when it is a handle field.
    pub fn of_field(table: &str, field: &str) -> Option<Network> {
        match field {
            "linkedInHandle" if table == "company" => Some(Network::LinkedInCompany),
            "linkedInHandle" => Some(Network::LinkedInPerson),
            "xHandle" => Some(Network::X),
            "gitHubHandle" => Some(Network::GitHub),
            "facebookHandle" => Some(Network::Facebook),
            "instagramHandle" => Some(Network::Instagram),
            _ => None,
        }
    }

    fn sites(self) -> &'static [&'static str] {
        match self {
            Network::LinkedInPerson | Network::LinkedInCompany => &["linkedin.com"],
            Network::X => &["x.com", "twitter.com"],
            Network::GitHub => &["github.com"],
            Network::Facebook => &["facebook.com"],
            Network::Instagram => &["instagram.com"],
        }
    }

    /// Whether a LinkedIn path prefix (`in`, `company`) fits.
    fn takes_prefix(self, prefix: Option<&str>) -> bool {
        match (self, prefix) {
            // `/pub/` addresses carry a name that is not unique, not the handle.
            (Network::LinkedInPerson, Some(p)) => p == "in",
            (Network::LinkedInCompany, Some(p)) => matches!(p, "company" | "school"),
            (Network::LinkedInPerson | Network::LinkedInCompany, None) => false,
            _ => true,
        }
    }
}

/// Path words that are pages of a site, not someone's handle.
const NOT_HANDLES: [&str; 40] = [
    "intent",
    "home",
    "i",
    "share",
    "search",
    "hashtag",
    "explore",
    "settings",
    "messages",
    "notifications",
    "login",
    "signup",
    "orgs",
    "topics",
    "marketplace",
    "sponsors",
    "apps",
    "features",
    "enterprise",
    "groups",
    "events",
    "watch",
    "profile.php",
    "p",
    "reel",
    "reels",
    "stories",
    "tv",
    "accounts",
    "pub",
    "feed",
    "jobs",
    "company",
    "school",
    "people",
    "pages",
    "sharer",
    "dialog",
    "about",
    "help",
];

/// Sites whose profile URLs hold a handle, and the path prefixes before it.
const PROFILE_SITES: [(&str, &[&str]); 6] = [
    ("linkedin.com", &["in", "company", "school"]),
    ("x.com", &[]),
    ("twitter.com", &[]),
    ("github.com", &[]),
    ("facebook.com", &[]),
    ("instagram.com", &[]),
];

/// The handle in a profile URL: `https://www.linkedin.com/in/jane-doe/` → `jane-doe`.
/// Text that is not a URL is taken as a handle already, without a leading `@`. With a
/// network, a URL of another network (or a company page for a person) is refused.
pub fn handle(text: &str, network: Option<Network>) -> Result<String, String> {
    let rest = after_scheme(text);
    let looks_like_url = rest.is_some() || text.contains(".com/") || text.starts_with("www.");
    // A LinkedIn path without its host, as some enrichment exports write it.
    if !looks_like_url && let Some((prefix, rest)) = text.trim_start_matches('/').split_once('/') {
        let handle = rest.split('/').next().unwrap_or_default();
        let linkedin = matches!(prefix, "in" | "company" | "school");
        let fits =
            network.is_none_or(|n| n.sites() == ["linkedin.com"] && n.takes_prefix(Some(prefix)));
        if linkedin && !handle.is_empty() {
            return if fits {
                Ok(handle.to_owned())
            } else {
                Err("is a LinkedIn path of another kind".into())
            };
        }
    }
    if !looks_like_url {
        let bare = text.trim_start_matches('@');
        if bare.is_empty() || bare.contains(char::is_whitespace) || bare.contains('/') {
            return Err("is neither a profile URL nor a handle".into());
        }
        return Ok(bare.to_owned());
    }
    let host = host_of(text);
    let host = match host.bytes().any(|b| b.is_ascii_uppercase()) || !host.is_ascii() {
        true => std::borrow::Cow::Owned(host.to_lowercase()),
        false => std::borrow::Cow::Borrowed(host),
    };
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let host = host.strip_prefix("m.").unwrap_or(host);
    // The site is the host's last two labels: `uk.linkedin.com` is `linkedin.com`.
    let site = match host.rmatch_indices('.').nth(1) {
        Some((dot, _)) => &host[dot + 1..],
        None => host,
    };
    let Some((_, prefixes)) = PROFILE_SITES.iter().find(|(s, _)| *s == site) else {
        return Err("is not a LinkedIn, X, GitHub, Facebook or Instagram URL".into());
    };
    if let Some(network) = network
        && !network.sites().contains(&site)
    {
        return Err(format!("is a URL of {site}, not of {}", network.sites()[0]));
    }
    let path = rest.unwrap_or(text);
    let path = before_any(path, b'?', b'#', b'#');
    let mut segments = path.split('/').skip(1).filter(|s| !s.is_empty());
    let mut first = segments.next();
    let prefix = first.filter(|s| prefixes.contains(s));
    if prefix.is_some() {
        first = segments.next();
    }
    if let Some(network) = network
        && !network.takes_prefix(prefix)
    {
        return Err(match network {
            Network::LinkedInPerson => "is not a LinkedIn profile URL (/in/…)".into(),
            _ => "is not a LinkedIn company page URL (/company/…)".into(),
        });
    }
    match first {
        Some(handle)
            if !NOT_HANDLES
                .iter()
                .any(|word| word.eq_ignore_ascii_case(handle)) =>
        {
            Ok(handle.trim_start_matches('@').to_owned())
        }
        _ => Err("is not a profile URL: it holds no handle".into()),
    }
}

/// A date → `YYYY-MM`.
pub fn date(text: &str, format: &DateFormat) -> Result<String, String> {
    let parsed = match format {
        DateFormat::Iso => iso_date(text),
        DateFormat::Excel => excel_date(text),
        DateFormat::Pattern(pattern) => pattern_date(text, pattern),
    };
    if let Some(d) = parsed
        && !(1900..=2100).contains(&d.year())
    {
        return Err(format!(
            "gives the year {}, which looks wrong (for two-digit years, write %y)",
            d.year()
        ));
    }
    parsed
        .map(|d| format!("{:04}-{:02}", d.year(), d.month()))
        .ok_or_else(|| match format {
            DateFormat::Iso => "is not an ISO date (YYYY-MM-DD or YYYY-MM)".to_owned(),
            DateFormat::Excel => "is not an Excel day number".to_owned(),
            DateFormat::Pattern(p) => format!("is not a date written `{p}`"),
        })
}

fn iso_date(text: &str) -> Option<NaiveDate> {
    let day = text.get(..10).unwrap_or(text);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .filter(|_| {
            text.get(10..)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['T', ' ']))
        })
        .or_else(|| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok())
}

fn excel_date(text: &str) -> Option<NaiveDate> {
    let days: f64 = text.parse().ok()?;
    if !(1.0..=2_958_465.0).contains(&days) {
        return None;
    }
    let days = days.floor() as u64;
    // Excel counts a 29 February 1900 that never was: day 60. Before it, days count from
    // 31 December 1899; from day 61 on, from 30 December 1899.
    if days == 60 {
        return NaiveDate::from_ymd_opt(1900, 2, 28);
    }
    let epoch = if days < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    epoch.checked_add_days(chrono::Days::new(days))
}

fn pattern_date(text: &str, pattern: &str) -> Option<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(text, pattern) {
        return Some(d);
    }
    // A format without a day, such as `%m/%Y`: read it as the first of the month.
    if !pattern.contains("%d") && !pattern.contains("%e") && !pattern.contains("%j") {
        return NaiveDate::parse_from_str(&format!("1 {text}"), &format!("%d {pattern}")).ok();
    }
    None
}

/// A loosely written number → digits. `51-200` gives its lower bound, `1.2k` 1200, `$10M`
/// 10000000. Refuses what it cannot read exactly (`1.23456k` is not a whole number).
pub fn number(text: &str) -> Result<String, String> {
    let fail = || "is not a number fq-import can read".to_owned();
    let lower = text
        .split_once(['-', '–', '—'])
        .filter(|(a, _)| !a.trim().is_empty())
        .map_or(text, |(a, _)| a)
        .trim();
    let lower = lower.trim_end_matches('+').trim();
    let unsigned = lower.trim_start_matches(['$', '€', '£', '¥']).trim();
    let (digits, multiplier) = match unsigned.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let multiplier: u64 = match c.to_ascii_lowercase() {
                'k' => 1_000,
                'm' => 1_000_000,
                'b' => 1_000_000_000,
                't' => 1_000_000_000_000,
                _ => return Err(fail()),
            };
            (unsigned[..i].trim(), multiplier)
        }
        _ => (unsigned, 1),
    };
    let (grouped, _) = digits.split_once('.').unwrap_or((digits, ""));
    if grouped.contains([',', ' ', '_', '\u{a0}']) && !well_grouped(grouped) {
        return Err("has separators that are not thousands separators".into());
    }
    let plain: String = digits
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_' | '\u{a0}'))
        .collect();
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    if multiplier == 1 && fraction.len() == 3 {
        return Err("could be a decimal or use `.` between thousands".into());
    }
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(fail());
    }
    let scale = 10u64.checked_pow(fraction.len() as u32).ok_or_else(fail)?;
    if multiplier % scale != 0 {
        return Err("is not a whole number".into());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| fail())?
    };
    let fraction: u64 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| fail())?
    };
    let value = whole
        .checked_mul(multiplier)
        .and_then(|w| w.checked_add(fraction * (multiplier / scale)))
        .ok_or_else(|| "is too large".to_owned())?;
    Ok(value.to_string())
}

/// `1,200,000`: every group after the first has three digits.
fn well_grouped(text: &str) -> bool {
    let mut groups = text.split([',', ' ', '_', '\u{a0}']);
    let first = groups.next().unwrap_or_default();
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases() {
        assert_eq!(
            Transform::Lower.apply("JaNe@Acme.COM"),
            Ok("jane@acme.com".into())
        );
        assert_eq!(Transform::Upper.apply("vp"), Ok("VP".into()));
        for (text, titled) in [
            ("jane doe", "Jane Doe"),
            ("JEAN-LUC PICARD", "Jean-Luc Picard"),
            ("o'brien", "O'Brien"),
            ("émile zola", "Émile Zola"),
        ] {
            assert_eq!(title_case(text), titled, "{text}");
        }
    }

    #[test]
    fn domains() {
        for (text, expected) in [
            ("https://www.acme.com/about", "acme.com"),
            ("http://acme.com", "acme.com"),
            ("acme.com", "acme.com"),
            ("www.Acme.com/", "acme.com"),
            ("jane@acme.com", "acme.com"),
            ("Jane.Doe@Mail.Acme.co.uk", "mail.acme.co.uk"),
            ("https://shop.acme.io:8443/x?y=1", "shop.acme.io"),
            ("https://user@acme.com/", "acme.com"),
        ] {
            assert_eq!(domain(text), Ok(expected.into()), "{text}");
        }
        for text in ["acme", "not a url", "https://", "@", "http://exa mple.com"] {
            assert!(domain(text).is_err(), "{text}");
        }
    }

    #[test]
    fn handles() {
        for (text, expected) in [
            ("https://www.linkedin.com/in/jane-doe/", "jane-doe"),
            ("http://linkedin.com/in/jane-doe?trk=x", "jane-doe"),
            ("linkedin.com/in/jane-doe", "jane-doe"),
            ("https://www.linkedin.com/company/acme-inc", "acme-inc"),
            ("https://x.com/janedoe", "janedoe"),
            ("https://twitter.com/@janedoe/", "janedoe"),
            ("https://github.com/jdoe", "jdoe"),
            ("https://www.facebook.com/jane.doe", "jane.doe"),
            ("https://m.facebook.com/jane.doe", "jane.doe"),
            ("https://instagram.com/jane_d/", "jane_d"),
            ("@janedoe", "janedoe"),
            ("in/jane-doe", "jane-doe"),
            ("janedoe", "janedoe"),
        ] {
            assert_eq!(handle(text, None), Ok(expected.into()), "{text}");
        }
        for text in [
            "https://www.linkedin.com/in/",
            "https://example.com/jane",
            "https://facebook.com/profile.php?id=1",
            "https://twitter.com/intent/user?screen_name=jane",
            "https://twitter.com/home",
            "https://github.com/orgs/acme",
            "https://www.facebook.com/groups/123",
            "https://www.instagram.com/p/ABC123/",
            "https://www.facebook.com/pages/Name/123",
            "https://www.linkedin.com/pub/jane-doe/78/929/ab5",
            "pub/jane-doe/78/929/ab5",
            "jane doe",
            "",
        ] {
            assert!(handle(text, None).is_err(), "{text}");
        }
    }

    #[test]
    fn handles_for_a_network() {
        let person = Some(Network::LinkedInPerson);
        assert_eq!(
            handle("https://linkedin.com/in/jane", person),
            Ok("jane".into())
        );
        assert_eq!(handle("in/jane", person), Ok("jane".into()));
        assert_eq!(handle("janedoe", person), Ok("janedoe".into()));
        for text in [
            "https://twitter.com/jane",
            "https://github.com/jane",
            "https://www.linkedin.com/company/acme",
            "company/acme",
        ] {
            assert!(handle(text, person).is_err(), "{text}");
        }
        let company = Some(Network::LinkedInCompany);
        assert_eq!(
            handle("https://linkedin.com/company/acme/", company),
            Ok("acme".into())
        );
        assert!(handle("https://linkedin.com/in/jane", company).is_err());
        assert_eq!(
            handle("https://twitter.com/acme", Some(Network::X)),
            Ok("acme".into())
        );
        assert!(handle("https://github.com/acme", Some(Network::X)).is_err());
    }

    #[test]
    fn lookups() {
        let mut table = BTreeMap::new();
        table.insert("vp".to_owned(), "EXECUTIVE".to_owned());
        let strict = Lookup {
            table: table.clone(),
            default: None,
            pass_through: false,
        };
        assert_eq!(strict.apply("VP"), Ok("EXECUTIVE".into()));
        assert!(strict.apply("boss").is_err());
        let with_default = Lookup {
            table,
            default: Some("MID".into()),
            pass_through: false,
        };
        assert_eq!(with_default.apply("boss"), Ok("MID".into()));
        let builtin = Lookup::seniority();
        for (word, level) in [
            ("c_suite", "EXECUTIVE"),
            ("Founder", "EXECUTIVE"),
            ("vp", "EXECUTIVE"),
            ("director", "SENIOR"),
            ("Head", "SENIOR"),
            ("manager", "MID"),
            ("entry", "JUNIOR"),
            ("Intern", "JUNIOR"),
            ("Senior", "SENIOR"),
            ("whatever", "whatever"),
        ] {
            assert_eq!(builtin.apply(word), Ok(level.into()), "{word}");
        }
    }

    #[test]
    fn dates() {
        let pattern = |p: &str| DateFormat::Pattern(p.to_owned());
        for (text, format, expected) in [
            ("2024-03-05", DateFormat::Iso, "2024-03"),
            ("2024-03", DateFormat::Iso, "2024-03"),
            ("2024-03-31T23:30:00-05:00", DateFormat::Iso, "2024-03"),
            ("2024-12-31 23:59:59", DateFormat::Iso, "2024-12"),
            ("10/26/1945", pattern("%m/%d/%Y"), "1945-10"),
            ("24.08.2020", pattern("%d.%m.%Y"), "2020-08"),
            ("24/8/20", pattern("%d/%m/%y"), "2020-08"),
            ("15 Feb 2026", pattern("%d %b %Y"), "2026-02"),
            ("03/2021", pattern("%m/%Y"), "2021-03"),
            ("45000", DateFormat::Excel, "2023-03"),
            ("1", DateFormat::Excel, "1900-01"),
            ("59", DateFormat::Excel, "1900-02"),
            ("61", DateFormat::Excel, "1900-03"),
            ("60", DateFormat::Excel, "1900-02"),
            ("44927.75", DateFormat::Excel, "2023-01"),
        ] {
            assert_eq!(
                date(text, &format),
                Ok(expected.into()),
                "{text} {format:?}"
            );
        }
        for (text, format) in [
            ("2024-13-01", DateFormat::Iso),
            ("2024-02-30", DateFormat::Iso),
            ("20240305", DateFormat::Iso),
            ("2024-03-05x", DateFormat::Iso),
            ("2021-7-2", DateFormat::Iso),
            ("0000-01-01", DateFormat::Iso),
            ("24/8/20", pattern("%d/%m/%Y")),
            ("13/26/1945", pattern("%m/%d/%Y")),
            ("26/10/1945", pattern("%m/%d/%Y")),
            ("abc", DateFormat::Excel),
            ("-5", DateFormat::Excel),
        ] {
            assert!(date(text, &format).is_err(), "{text} {format:?}");
        }
    }

    #[test]
    fn numbers() {
        for (text, expected) in [
            ("1200", "1200"),
            ("1,200", "1200"),
            ("1 200", "1200"),
            ("1.2k", "1200"),
            ("1.5K", "1500"),
            ("51-200", "51"),
            ("51 - 200", "51"),
            ("10,001+", "10001"),
            ("$10M", "10000000"),
            ("$2.5B", "2500000000"),
            ("€ 300k", "300000"),
            ("0", "0"),
            ("12.0", "12"),
            ("1500000000.0", "1500000000"),
            ("2.50k", "2500"),
        ] {
            assert_eq!(number(text), Ok(expected.into()), "{text}");
        }
        for text in [
            "abc", "12.5", "1.2345k", "-", "$", "10x", "1e6", "k", "1,2k", "$1,2M", "12,50",
            "10.000", "1.200",
        ] {
            assert!(number(text).is_err(), "{text}");
        }
    }
}
