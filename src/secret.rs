//! The webhook URL, whose last path segment is a credential.
//!
//! `WebhookUrl` is the only place the full URL lives. Its `Display` and `Debug` print the hash
//! as `***`, so no log line, error or report can carry it by accident; only [`WebhookUrl::expose`]
//! hands the real URL to the HTTP client.

use std::fmt;

use anyhow::{Context, bail};
use reqwest::Url;
use url::Host;

/// The hashes of the URLs parsed so far, for [`scrub`].
static HASHES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// `text` with every webhook hash this process has seen replaced by `***`: for text whose
/// origin cannot be trusted not to hold one, such as a panic's message.
pub fn scrub(text: &str) -> String {
    let hashes = HASHES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    hashes
        .iter()
        .fold(text.to_owned(), |text, hash| scrub_hash(&text, hash))
}

/// `text` with the last segment of anything shaped like a webhook URL (`…/trigger/HASH`)
/// replaced by `***`: for text that may hold a URL that was never parsed.
pub fn scrub_url_hashes(text: &str) -> String {
    const MARK: &str = "/trigger/";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at + MARK.len()]);
        rest = &rest[at + MARK.len()..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '/' | '?' | '#'))
            .unwrap_or(rest.len());
        if end > 0 {
            out.push_str("***");
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `text` with every occurrence of `hash`, in any ASCII case, replaced by `***`.
fn replace_ignoring_case(text: &str, hash: &str) -> String {
    let (lower_text, lower_hash) = (text.to_ascii_lowercase(), hash.to_ascii_lowercase());
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(at) = lower_text[from..].find(&lower_hash).map(|at| from + at) {
        out.push_str(&text[from..at]);
        out.push_str("***");
        from = at + hash.len();
    }
    out.push_str(&text[from..]);
    out
}

/// Replace `hash` in `text` by `***`. A real hash is long and is replaced wherever it
/// appears; a short one (a test's) only where it stands alone, so that a hash `h` does not
/// eat every `h` of a message.
fn scrub_hash(text: &str, hash: &str) -> String {
    const LONG: usize = 12;
    if hash.len() >= LONG {
        return replace_ignoring_case(text, hash);
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(hash) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + hash.len()..].chars().next();
        out.push_str(&rest[..at]);
        match before.is_some_and(word) || after.is_some_and(word) {
            true => out.push_str(hash),
            false => out.push_str("***"),
        }
        rest = &rest[at + hash.len()..];
    }
    out.push_str(rest);
    out
}

const SHAPE: &str = "https://api.us.firstquadrant.ai/v5/imports/{importId}/trigger/{hash}";

/// A FirstQuadrant import webhook URL.
#[derive(Clone)]
pub struct WebhookUrl {
    url: Url,
    redacted: String,
}

impl WebhookUrl {
    /// Parse and check a webhook URL. The error never repeats the input, which may hold the
    /// hash.
    pub fn parse(raw: &str) -> anyhow::Result<WebhookUrl> {
        let url = Url::parse(raw.trim()).ok().context(format!(
            "the webhook URL is not a valid URL; it looks like {SHAPE}"
        ))?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("the webhook URL must start with https://; it looks like {SHAPE}");
        }
        if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
            bail!("the webhook URL must be a plain URL without query or fragment: {SHAPE}");
        }
        let mut segments: Vec<&str> = url
            .path_segments()
            .map(Iterator::collect)
            .unwrap_or_default();
        if segments.last() == Some(&"") {
            segments.pop();
        }
        let [prefix @ .., "imports", import_id, "trigger", hash] = segments.as_slice() else {
            bail!("the webhook URL must end in /imports/{{importId}}/trigger/{{hash}}: {SHAPE}");
        };
        if import_id.is_empty() || hash.is_empty() {
            bail!("the webhook URL has an empty import id or hash: {SHAPE}");
        }
        let mut base = url.clone();
        base.set_path(&prefix.join("/"));
        // A user name or password in the URL is a credential too.
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let base = base.as_str().trim_end_matches('/');
        let redacted = format!("{base}/imports/{import_id}/trigger/***");
        let mut hashes = HASHES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A server may echo the hash decoded from the URL's percent-escapes.
        let decoded = percent_encoding::percent_decode_str(hash).decode_utf8_lossy();
        for form in [(*hash).to_owned(), decoded.into_owned()] {
            if !hashes.contains(&form) {
                hashes.push(form);
            }
        }
        drop(hashes);
        Ok(WebhookUrl { url, redacted })
    }

    /// The real URL, hash included. Only the HTTP client should call this.
    pub fn expose(&self) -> &Url {
        &self.url
    }

    pub fn scheme(&self) -> &str {
        self.url.scheme()
    }

    /// Whether the URL points at this machine: `localhost`, 127.0.0.0/8 or ::1.
    pub fn is_loopback(&self) -> bool {
        match self.url.host() {
            Some(Host::Domain(name)) => {
                let name = name.trim_end_matches('.');
                name.eq_ignore_ascii_case("localhost")
                    || name.to_ascii_lowercase().ends_with(".localhost")
            }
            Some(Host::Ipv4(ip)) => ip.is_loopback(),
            Some(Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        }
    }

    /// The host the URL points at.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// `host:port`, as the URL names it, for messages.
    pub fn authority(&self) -> String {
        match self.url.port() {
            Some(port) => format!("{}:{port}", self.host()),
            None => self.host().to_owned(),
        }
    }

    /// The import's id, the segment before `/trigger/`: not a secret.
    pub fn import_id(&self) -> &str {
        let segments: Vec<&str> = self
            .url
            .path_segments()
            .map(|s| s.filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        segments.len().checked_sub(3).map_or("", |i| segments[i])
    }

    /// The hash, so that callers can scrub it from text that came from elsewhere.
    pub fn hash(&self) -> &str {
        let mut segments = self.url.path_segments().into_iter().flatten();
        segments.rfind(|s| !s.is_empty()).unwrap_or_default()
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebhookUrl({})", self.redacted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://api.us.firstquadrant.ai/v5/imports/imp_123/trigger/s3cr3t-h4sh";

    #[test]
    fn display_and_debug_hide_the_hash() {
        let url = WebhookUrl::parse(URL).unwrap();
        let shown = format!("{url} {url:?} {url:#?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("https://api.us.firstquadrant.ai/v5/imports/imp_123/trigger/***"));
        assert_eq!(url.hash(), "s3cr3t-h4sh");
        assert_eq!(url.expose().as_str(), URL);
    }

    #[test]
    fn errors_do_not_repeat_the_input() {
        for bad in [
            "not a url s3cr3t",
            "ftp://host/v5/imports/a/trigger/s3cr3t",
            "https://host/v5/imports/a/s3cr3t",
            "https://host/v5/imports/a/trigger/s3cr3t?x=1",
        ] {
            let err = format!("{:#}", WebhookUrl::parse(bad).unwrap_err());
            assert!(!err.contains("s3cr3t"), "{err}");
        }
    }

    #[test]
    fn a_hash_is_scrubbed_in_any_case_and_decoded_from_its_escapes() {
        let url = "https://host/v5/imports/imp_1/trigger/Leak%41Hash%E2%82%ACx9";
        WebhookUrl::parse(url).unwrap();
        let echoed =
            "at /trigger/LeakAHash€x9, or LEAK%41HASH%E2%82%ACX9, or leak%41hash%e2%82%acx9";
        let scrubbed = scrub(echoed);
        assert!(!scrubbed.to_lowercase().contains("leak"), "{scrubbed}");
    }

    #[test]
    fn a_short_hash_is_scrubbed_only_where_it_stands_alone() {
        assert_eq!(
            scrub_hash("HTTP 429 at /trigger/H: H", "H"),
            "HTTP 429 at /trigger/***: ***"
        );
        assert_eq!(
            scrub_hash("localhost:80/trigger/local", "local"),
            "localhost:80/trigger/***"
        );
    }

    #[test]
    fn a_url_never_parsed_loses_its_hash() {
        assert_eq!(
            scrub_url_hashes("unexpected argument 'https://h/v5/imports/i/trigger/s3cr3t' found"),
            "unexpected argument 'https://h/v5/imports/i/trigger/***' found"
        );
    }
}
