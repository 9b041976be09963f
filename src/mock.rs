//! A local stand-in of the import webhook, for rehearsals and tests.
//!
//! It serves `POST /v5/imports/{importId}/trigger/{hash}` as the documented endpoint does:
//! it checks each body against the schema, answers 200 with a fresh row id, or 400 with a JSON
//! error naming the field. Faults can be switched on: a share of 500s, a throttle that answers
//! 429 with `Retry-After`, and added latency. `GET /_mock/stats` tells what it has seen.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde_json::{Value, json};

use crate::schema;

/// How the stand-in behaves.
#[derive(Debug, Clone, Default)]
pub struct MockConfig {
    /// Append every accepted body to this file as a JSON line.
    pub record: Option<PathBuf>,
    /// The share of requests, 0 to 1, answered 500.
    pub fail_rate: f64,
    /// At most this many requests a second are served; the rest get 429.
    pub throttle: Option<u32>,
    /// Added before every answer.
    pub latency: Duration,
    /// Accept only this hash; any other gets 404.
    pub hash: Option<String>,
}

/// What the stand-in has seen, by answer.
#[derive(Debug, Default)]
struct Stats {
    received: AtomicU64,
    accepted: AtomicU64,
    invalid: AtomicU64,
    throttled: AtomicU64,
    failed: AtomicU64,
    not_found: AtomicU64,
}

struct Mock {
    config: MockConfig,
    record: Option<Mutex<BufWriter<File>>>,
    /// At most `--throttle` a second: a bucket of that many, refilled at that rate.
    throttle: Option<DefaultDirectRateLimiter>,
    stats: Stats,
}

/// A running stand-in.
pub struct RunningMock {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<()>,
}

impl RunningMock {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A webhook URL that this stand-in serves.
    pub fn webhook_url(&self, import_id: &str, hash: &str) -> String {
        format!("{}/v5/imports/{import_id}/trigger/{hash}", self.base_url())
    }
}

/// Bind `listen` and serve in the background.
pub async fn start(listen: &str, config: MockConfig) -> anyhow::Result<RunningMock> {
    let record = match &config.record {
        Some(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open the record file {}", path.display()))?;
            Some(Mutex::new(BufWriter::new(file)))
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let throttle = config
        .throttle
        .and_then(NonZeroU32::new)
        .map(|n| RateLimiter::direct(Quota::per_second(n).allow_burst(n)));
    let mock = Arc::new(Mock {
        config,
        record,
        throttle,
        stats: Stats::default(),
    });
    let app = Router::new()
        .route("/v5/imports/{import_id}/trigger/{hash}", post(trigger))
        .route("/_mock/stats", get(stats))
        .fallback(not_found)
        .with_state(mock);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(RunningMock { addr, task })
}

async fn trigger(
    State(mock): State<Arc<Mock>>,
    Path((_import_id, hash)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    mock.stats.received.fetch_add(1, Ordering::Relaxed);
    if !mock.config.latency.is_zero() {
        tokio::time::sleep(mock.config.latency).await;
    }
    if mock.config.hash.as_ref().is_some_and(|h| *h != hash) {
        mock.stats.not_found.fetch_add(1, Ordering::Relaxed);
        return not_found().await;
    }
    if let Some(wait) = mock.throttled() {
        mock.stats.throttled.fetch_add(1, Ordering::Relaxed);
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests",
            &[],
        );
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
        return response;
    }
    if mock.config.fail_rate > 0.0 && fastrand::f64() < mock.config.fail_rate {
        mock.stats.failed.fetch_add(1, Ordering::Relaxed);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal server error",
            &[],
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(e) => {
            mock.stats.invalid.fetch_add(1, Ordering::Relaxed);
            let message = format!("The body is not valid JSON: {e}");
            return error(StatusCode::BAD_REQUEST, "invalid_json", &message, &[]);
        }
    };
    let problems = schema::validate_body(&value);
    if !problems.is_empty() {
        mock.stats.invalid.fetch_add(1, Ordering::Relaxed);
        let details: Vec<Value> = problems
            .iter()
            .map(|p| json!({"field": p.field, "message": p.message}))
            .collect();
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_data",
            "Invalid data",
            &details,
        );
    }
    if let Err(e) = mock.record(&body, &value) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "record",
            &e.to_string(),
            &[],
        );
    }
    mock.stats.accepted.fetch_add(1, Ordering::Relaxed);
    accepted()
}

impl Mock {
    /// Count this request against the throttle; `Some(wait)` when it is over the limit.
    fn throttled(&self) -> Option<Duration> {
        let limiter = self.throttle.as_ref()?;
        let refused = limiter.check().err()?;
        Some(refused.wait_time_from(DefaultClock::default().now()))
    }

    /// Append the body as it was sent; one that spans lines is written compact.
    fn record(&self, raw: &[u8], body: &Value) -> std::io::Result<()> {
        let Some(record) = &self.record else {
            return Ok(());
        };
        let raw = raw.trim_ascii();
        let mut out = record.lock().unwrap_or_else(|e| e.into_inner());
        if raw.contains(&b'\n') {
            serde_json::to_writer(&mut *out, body)?;
        } else {
            out.write_all(raw)?;
        }
        out.write_all(b"\n")?;
        out.flush()
    }
}

fn accepted() -> Response {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let body = json!({
        "id": format!("row_{:016x}", fastrand::u64(..)),
        "object": "row",
        "status": "PENDING",
        "createdAt": now,
        "updatedAt": now,
    });
    with_request_id((StatusCode::OK, axum::Json(body)).into_response())
}

fn error(status: StatusCode, code: &str, message: &str, details: &[Value]) -> Response {
    let body = json!({
        "code": code,
        "status": status.as_u16(),
        "message": message,
        "description": status.canonical_reason().unwrap_or_default(),
        "details": details,
    });
    with_request_id((status, axum::Json(body)).into_response())
}

async fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "No import webhook at this URL",
        &[],
    )
}

fn with_request_id(mut response: Response) -> Response {
    let id = format!("req_{:016x}", fastrand::u64(..));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

async fn stats(State(mock): State<Arc<Mock>>, _headers: HeaderMap) -> Response {
    let s = &mock.stats;
    let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
    axum::Json(json!({
        "received": load(&s.received),
        "accepted": load(&s.accepted),
        "invalid": load(&s.invalid),
        "throttled": load(&s.throttled),
        "failed": load(&s.failed),
        "not_found": load(&s.not_found),
    }))
    .into_response()
}

/// Run `fq-import mock` until Ctrl-C.
pub fn run(args: crate::cli::MockArgs) -> Result<crate::exit::Exit, crate::exit::Fatal> {
    use crate::exit::{Exit, OrExit};

    if !(0.0..=1.0).contains(&args.fail_rate) {
        return Err(anyhow::anyhow!("--fail-rate must be between 0 and 1")).or_usage();
    }
    if args.throttle == Some(0) {
        return Err(anyhow::anyhow!("--throttle must be at least 1")).or_usage();
    }
    let hash = args.hash.clone();
    let config = MockConfig {
        record: args.record,
        fail_rate: args.fail_rate,
        throttle: args.throttle,
        latency: Duration::from_millis(args.latency),
        hash: args.hash,
    };
    let runtime = tokio::runtime::Runtime::new().or_abort()?;
    runtime.block_on(async {
        let running = start(&args.listen, config).await.or_usage()?;
        println!("{}", running.base_url());
        let _ = std::io::stdout().flush();
        tracing::info!(
            "mock: listening; import into {}",
            running.webhook_url("imp_local", hash.as_deref().unwrap_or("local"))
        );
        tokio::signal::ctrl_c().await.or_abort()?;
        Ok(Exit::Success)
    })
}
