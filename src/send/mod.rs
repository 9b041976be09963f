//! Sending bodies to the webhook: the HTTP client, what each answer means, the retry policy,
//! and the dispatcher that keeps up to N requests in flight.
//!
//! Nothing else in the program talks to the network.

mod dispatch;
mod health;
mod pace;
mod stop;

pub use dispatch::{GRACE, dispatch};
pub use stop::{Halt, Stop};

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use anyhow::Context;
use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;

use health::{Health, Turn};
use pace::{Pace, Signal};

use crate::input::Raw;
use crate::report::{Counts, Outcome, RowResult};
use crate::secret::WebhookUrl;
use crate::settings::Delivery;
use crate::state::Tracked;

/// A row ready to go: its place in the input and its body.
#[derive(Debug)]
pub struct Job {
    pub row: u64,
    pub line: u64,
    pub key: String,
    pub body: Bytes,
    /// The row as it was read, for the rejects file.
    pub raw: Option<Raw>,
    /// With `--state`: what to record once the webhook accepted the row.
    pub tracked: Option<Tracked>,
}

/// The HTTP client for one webhook URL, with its retry policy.
pub struct Sender {
    client: reqwest::Client,
    url: WebhookUrl,
    delivery: Delivery,
    pace: Pace,
    health: Health,
    /// Whether the warning about answers without a row id was given.
    warned_odd_answer: AtomicBool,
}

/// What one attempt came to.
#[derive(Debug)]
enum Answer {
    Accepted {
        status: u16,
        row_id: String,
        row_status: String,
    },
    /// Worth another try: 429, some 5xx, a timeout, a connection error.
    Retry(Refusal),
    /// Will fail the same way again: this row fails.
    Refused(Refusal),
    /// 404: every row would fail.
    NotFound(Refusal),
    /// TLS failed (an untrusted certificate, a server that does not speak TLS): every row
    /// would fail the same way.
    Untrusted(Refusal),
}

#[derive(Debug, Clone)]
struct Refusal {
    status: Option<u16>,
    message: String,
    request_id: String,
    retry_after: Option<Duration>,
    /// A connection error, a timeout or a 5xx: what a dead endpoint gives.
    outage: bool,
}

impl Sender {
    /// A client for `url`; `ca_certs` are trusted besides the system's roots.
    pub fn new(
        url: WebhookUrl,
        delivery: Delivery,
        ca_certs: &[reqwest::Certificate],
    ) -> anyhow::Result<Sender> {
        // Several crates may enable a rustls provider; ring is the one this build uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder();
        if url.is_loopback() && url.scheme() == "http" {
            // This machine is reached directly: a proxy would read the hash in a plain http
            // request (through HTTPS it sees only the host and port).
            builder = builder.no_proxy();
        }
        let client = builder
            .tls_certs_merge(ca_certs.iter().cloned())
            .user_agent(concat!("fq-import/", env!("CARGO_PKG_VERSION")))
            .timeout(delivery.timeout)
            .connect_timeout(delivery.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(delivery.concurrency)
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Sender {
            client,
            url,
            pace: Pace::new(&delivery),
            health: Health::new(delivery.give_up_after),
            warned_odd_answer: AtomicBool::new(false),
            delivery,
        })
    }

    /// Send one row, retrying as the policy allows, and say what became of it.
    ///
    /// A row may be retried `--max-retries` times within `--retry-for`; attempts made while
    /// the endpoint is down (see [`Health`]) do not count, so an outage fails no row.
    async fn deliver(&self, job: &Job, counts: &Counts, stop: &Stop) -> (RowResult, Option<Halt>) {
        let attempts = AtomicU32::new(0);
        let spent = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.delivery.retry_delay)
            .with_max_delay(Duration::from_secs(60).max(self.delivery.retry_delay))
            .without_max_times()
            .with_jitter();
        let budget = self.delivery.max_retries as u32;
        let retry_for = self.delivery.retry_for;
        // The last refusal that came from the endpoint, for the report.
        let last = std::sync::Mutex::new(None::<Refusal>);
        let outcome = (|| async {
            attempts.fetch_add(1, Ordering::Relaxed);
            if !self.health.is_down() {
                spent.fetch_add(1, Ordering::Relaxed);
            }
            match self.attempt(job.row, job.body.clone(), counts).await {
                Answer::Retry(refusal) if refusal.message.is_empty() => {
                    attempts.fetch_sub(1, Ordering::Relaxed);
                    let said = lock(&last).clone();
                    Err(said.unwrap_or(refusal))
                }
                Answer::Retry(refusal) => {
                    *lock(&last) = Some(refusal.clone());
                    Err(refusal)
                }
                other => Ok(other),
            }
        })
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(|refusal| {
            if stop.is_stopped() {
                return false;
            }
            if self.health.given_up() {
                stop.halt(Halt::EndpointDown(self.down_message()));
                return false;
            }
            let outage = refusal.outage && self.health.is_down();
            outage || (spent.load(Ordering::Relaxed) <= budget && started.elapsed() < retry_for)
        })
        .notify(|refusal, delay| {
            counts.retries.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                "row {} (line {}): retrying in {}: {}{}",
                job.row,
                job.line,
                humantime::format_duration(Duration::from_millis(delay.as_millis() as u64)),
                refusal.message,
                refusal.said_by()
            );
        })
        .adjust(|refusal, delay| {
            if refusal.outage && self.health.is_down() {
                // The probe's own pace applies.
                return Some(Duration::ZERO);
            }
            let delay = refusal.retry_after.or(delay)?;
            (started.elapsed() + delay < retry_for).then_some(delay)
        })
        .await;
        let attempts = attempts.load(Ordering::Relaxed);
        let mut result = RowResult::new(job.row, job.line, job.key.clone(), Outcome::Failed);
        result.attempts = attempts;
        let halt = match outcome {
            Ok(Answer::Accepted {
                status,
                row_id,
                row_status,
            }) => {
                result.outcome = Outcome::Imported;
                result.http_status = Some(status);
                result.row_id = row_id;
                result.row_status = row_status;
                None
            }
            Ok(Answer::NotFound(refusal)) => {
                let message = format!(
                    "the webhook answered 404 Not Found: the URL or its hash is wrong ({})",
                    self.url
                );
                refusal.fill(&mut result);
                Some(Halt::NotFound(message))
            }
            Ok(Answer::Untrusted(refusal)) => {
                let message = refusal.message.clone();
                refusal.fill(&mut result);
                Some(Halt::Untrusted(message))
            }
            Err(refusal) if stop.is_stopped() => {
                refusal.fill(&mut result);
                result.outcome = Outcome::Pending;
                result.error = format!("the run stopped before a retry: {}", result.error);
                None
            }
            Ok(Answer::Refused(refusal) | Answer::Retry(refusal)) | Err(refusal) => {
                refusal.fill(&mut result);
                if attempts > 1 {
                    result.error = format!("{} (after {attempts} attempts)", result.error);
                }
                None
            }
        };
        if result.outcome == Outcome::Failed {
            let id = match result.request_id.as_str() {
                "" => String::new(),
                id => format!(" (X-Request-Id {id})"),
            };
            tracing::debug!(
                "row {} (line {}): failed: {}{id}",
                job.row,
                job.line,
                result.error
            );
        }
        (result, halt)
    }

    fn down_message(&self) -> String {
        format!(
            "the webhook at {} has answered nothing but errors for {}: it looks down",
            self.url.authority(),
            humantime::format_duration(Duration::from_secs(self.health.failing_for().as_secs()))
        )
    }

    /// Whether the endpoint looks down; new rows wait while it does.
    pub fn is_down(&self) -> bool {
        self.health.is_down()
    }

    /// One request and what its answer means.
    async fn attempt(&self, row: u64, body: Bytes, counts: &Counts) -> Answer {
        let _probe = if self.health.is_down() {
            match self.health.probe_turn().await {
                Turn::Probe(guard) => Some(guard),
                Turn::Go => None,
                Turn::GiveUp => return Answer::Retry(Refusal::skipped()),
            }
        } else {
            None
        };
        self.pace.ready().await;
        let sent_at = tokio::time::Instant::now();
        let sent = self
            .client
            .post(self.url.expose().clone())
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) if tls_failure(&error).is_some() => {
                return Answer::Untrusted(self.tls_refusal(&error));
            }
            Err(error) => return Answer::Retry(self.transport_refusal(error, sent_at)),
        };
        let status = response.status();
        let request_id = one_line(&self.scrub(&header(response.headers(), "x-request-id")));
        let retry_after = retry_after(response.headers());
        let (body, whole) = match read_answer(response).await {
            Ok(read) => read,
            Err(error) => return Answer::Retry(self.transport_refusal(error, sent_at)),
        };
        let text = String::from_utf8_lossy(&body);
        let latency = sent_at.elapsed();
        tracing::trace!(
            "row {row}: POST {} answered {} in {} ms",
            self.url,
            status,
            latency.as_millis()
        );
        if status.is_success() {
            self.health.alive();
            self.pace.answered(Signal::Accepted, latency);
            let answer = match serde_json::from_str::<RowAnswer>(&text) {
                Ok(answer) if whole => answer,
                _ => {
                    self.warn_odd_answer(whole);
                    RowAnswer::default()
                }
            };
            return Answer::Accepted {
                status: status.as_u16(),
                row_id: one_line(&self.scrub(&answer.id.unwrap_or_default())),
                row_status: one_line(&self.scrub(&answer.status.unwrap_or_default())),
            };
        }
        let outage = status.is_server_error();
        let mut refusal = Refusal {
            status: Some(status.as_u16()),
            // Scrubbed before and after the answer is decoded: JSON may spell the hash
            // with escapes.
            message: self.scrub(&error_message(status, &self.scrub(&text))),
            request_id,
            retry_after,
            outage,
        };
        if outage {
            self.health.failed();
        } else {
            self.health.alive();
        }
        let pushback = matches!(status.as_u16(), 429 | 503);
        self.pace.answered(
            if pushback {
                Signal::Pushback
            } else {
                Signal::Answered
            },
            latency,
        );
        if status == StatusCode::TOO_MANY_REQUESTS {
            counts.throttled.fetch_add(1, Ordering::Relaxed);
            let wait = refusal.retry_after.unwrap_or(self.delivery.retry_delay);
            refusal.retry_after = Some(self.pace.pause(wait));
        }
        match status {
            StatusCode::NOT_FOUND => Answer::NotFound(refusal),
            s if is_retryable(s) => Answer::Retry(refusal),
            _ => Answer::Refused(refusal),
        }
    }

    fn tls_refusal(&self, error: &reqwest::Error) -> Refusal {
        let tls = tls_failure(error);
        let detail = tls.map(ToString::to_string).unwrap_or_default();
        let message = match tls {
            Some(rustls::Error::InvalidCertificate(_)) => format!(
                "cannot make a trusted TLS connection to {}: {detail}",
                self.url.authority()
            ),
            _ => format!(
                "cannot make a TLS connection to {}: {detail} (does the server speak \
                 https on that port?)",
                self.url.authority()
            ),
        };
        Refusal {
            status: None,
            message: one_line(&self.scrub(&message)),
            request_id: String::new(),
            retry_after: None,
            outage: false,
        }
    }

    fn transport_refusal(&self, error: reqwest::Error, sent_at: tokio::time::Instant) -> Refusal {
        let timeout = error.is_timeout();
        self.health.failed();
        let signal = if timeout {
            Signal::Pushback
        } else {
            Signal::Answered
        };
        self.pace.answered(signal, sent_at.elapsed());
        let connect = error.is_connect();
        let error = error.without_url();
        let detail = std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        let message = if timeout {
            format!(
                "no answer within {}",
                humantime::format_duration(self.delivery.timeout)
            )
        } else if connect {
            format!("cannot connect to {}: {detail}", self.url.authority())
        } else {
            format!("the request failed: {detail}")
        };
        Refusal {
            status: None,
            message: one_line(&self.scrub(&message)),
            request_id: String::new(),
            retry_after: None,
            outage: true,
        }
    }

    /// Say once per run that accepted rows came back without the answer they should have.
    fn warn_odd_answer(&self, whole: bool) {
        if self.warned_odd_answer.swap(true, Ordering::Relaxed) {
            return;
        }
        let what = if whole {
            "is not the JSON object it should be".to_owned()
        } else {
            format!("is larger than {} KiB", ANSWER_LIMIT / 1024)
        };
        tracing::warn!(
            "the webhook accepted a row, but its answer {what}: such rows \
             are imported with an empty row_id"
        );
    }

    /// Remove the hash, in every form a server may echo it, from text that came from
    /// elsewhere, such as an answer's body, before anything cuts it short.
    fn scrub(&self, text: &str) -> String {
        crate::secret::scrub(text)
    }
}

impl Refusal {
    /// Who said it, for a message: the answer's status and X-Request-Id, if it had them.
    fn said_by(&self) -> String {
        match (self.status, self.request_id.as_str()) {
            (None, _) => String::new(),
            (Some(status), "") => format!(" (HTTP {status})"),
            (Some(status), id) => format!(" (HTTP {status}, X-Request-Id {id})"),
        }
    }

    /// An attempt not made, because the run gave up on the endpoint first.
    fn skipped() -> Refusal {
        Refusal {
            status: None,
            message: String::new(),
            request_id: String::new(),
            retry_after: None,
            outage: true,
        }
    }

    fn fill(self, result: &mut RowResult) {
        result.outcome = Outcome::Failed;
        result.http_status = self.status;
        result.error = self.message;
        result.request_id = self.request_id;
    }
}

/// The statuses worth retrying: the server may answer otherwise later.
pub fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 425 | 429 | 500 | 502 | 503 | 504)
}

/// The TLS error under a failed request, if TLS is what failed: looked for in `error` and
/// what it wraps, opening any `io::Error`, which hides the error it carries from `source()`.
fn tls_failure<'e>(error: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    let carried = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .and_then(|inner| tls_failure(inner));
    carried.or_else(|| error.source().and_then(tls_failure))
}

/// The most of an answer's body that is read; the rest is left unread.
pub const ANSWER_LIMIT: usize = 64 * 1024;

/// An answer's body, up to [`ANSWER_LIMIT`] bytes, and whether that was all of it.
async fn read_answer(mut response: reqwest::Response) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = ANSWER_LIMIT - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}

/// The webhook's answer to an accepted row; every field is optional.
#[derive(Debug, Default, Deserialize)]
struct RowAnswer {
    id: Option<String>,
    status: Option<String>,
}

/// The webhook's error body, read leniently.
#[derive(Debug, Default, Deserialize)]
struct ErrorAnswer {
    message: Option<String>,
    /// Some servers put their words under `error` instead.
    error: Option<serde_json::Value>,
    description: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetail>,
}

#[derive(Debug, Default, Deserialize)]
struct ErrorDetail {
    field: Option<String>,
    message: Option<String>,
}

/// The status and the server's own words, from a JSON error body when there is one.
fn error_message(status: StatusCode, text: &str) -> String {
    let mut message = format!("HTTP {status}");
    let reason = status.canonical_reason().unwrap_or_default();
    match serde_json::from_str::<ErrorAnswer>(text) {
        Ok(answer) => {
            // A description that only repeats the status or the message adds nothing.
            let description = answer.description.filter(|d| {
                let d = d.trim();
                !d.eq_ignore_ascii_case(reason)
                    && !answer
                        .message
                        .as_deref()
                        .is_some_and(|m| m.trim().eq_ignore_ascii_case(d))
            });
            let error = answer.error.map(|e| match e {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
            let said = answer.message.or(error);
            for part in [said, description].into_iter().flatten() {
                message.push_str(": ");
                message.push_str(&one_line(&part));
            }
            for detail in answer.details {
                let field = detail.field.unwrap_or_default();
                let words = detail.message.unwrap_or_default();
                message.push_str(&one_line(&format!("; {field}: {words}")));
            }
        }
        Err(_) if !text.trim().is_empty() => {
            let snippet: String = text.trim().chars().take(200).collect();
            message.push_str(": ");
            message.push_str(&one_line(&snippet));
        }
        Err(_) => {}
    }
    if status.is_redirection() {
        message.push_str(" (redirects are not followed)");
    }
    message
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(one_line)
        .unwrap_or_default()
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

/// A lock whose holder panicked is still usable: the data behind it stays consistent.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retried_statuses() {
        for code in [408, 425, 429, 500, 502, 503, 504] {
            assert!(is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [301, 400, 401, 403, 404, 409, 422, 501] {
            assert!(!is_retryable(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }

    #[test]
    fn error_bodies_are_read_leniently() {
        let body = r#"{"code":"invalid","status":400,"message":"Invalid data",
            "details":[{"field":"contact.email","message":"is required"}]}"#;
        assert_eq!(
            error_message(StatusCode::BAD_REQUEST, body),
            "HTTP 400 Bad Request: Invalid data; contact.email: is required"
        );
        assert_eq!(
            error_message(StatusCode::BAD_GATEWAY, "<html>bad\ngateway</html>"),
            "HTTP 502 Bad Gateway: <html>bad gateway</html>"
        );
        assert_eq!(
            error_message(StatusCode::BAD_REQUEST, r#"{"error":"no such field"}"#),
            "HTTP 400 Bad Request: no such field"
        );
        assert_eq!(
            error_message(StatusCode::INTERNAL_SERVER_ERROR, ""),
            "HTTP 500 Internal Server Error"
        );
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        headers.insert(RETRY_AFTER, httpdate::fmt_http_date(later).parse().unwrap());
        let wait = retry_after(&headers).unwrap();
        assert!(
            wait > Duration::from_secs(110) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }
}
