//! A raw HTTP/1.1 server on 127.0.0.1:0 that answers each request as a script says,
//! however badly, over plain TCP or TLS; and a CONNECT proxy that tunnels to loopback only.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// One request, as the script sees it.
pub struct Request {
    pub path: String,
    /// The body's contact.email; empty when the body has none.
    pub email: String,
    /// The server's own address, for answers that point back at it.
    pub local: SocketAddr,
}

/// What the server does with one request.
pub enum Reply {
    /// A whole answer, then the connection is closed.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// A head that promises `promised` body bytes, then `body`, then a wait of `then`,
    /// then the connection is closed.
    Partial {
        status: u16,
        promised: usize,
        body: Vec<u8>,
        then: Duration,
    },
    /// A 200 whose body is a JSON object `len` bytes long, with a row id in it, sent as
    /// fast as the client takes it.
    Huge(usize),
    /// Wait, then reply.
    Late(Duration, Box<Reply>),
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }
}

type Script = dyn Fn(&Request) -> Reply + Send + Sync;

#[derive(Default)]
struct Seen {
    /// Each request's path and contact.email.
    requests: Vec<(String, String)>,
    /// The contact.email of each request answered 200.
    accepted: Vec<String>,
    tls_failures: usize,
}

/// The scripted server; stopped on drop.
pub struct Server {
    runtime: Option<Runtime>,
    base: String,
    seen: Arc<Mutex<Seen>>,
}

impl Server {
    pub fn plain(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::start(Arc::new(script), None)
    }

    pub fn tls(script: impl Fn(&Request) -> Reply + Send + Sync + 'static, cert: &Cert) -> Server {
        Server::start(Arc::new(script), Some(cert.acceptor()))
    }

    fn start(script: Arc<Script>, tls: Option<TlsAcceptor>) -> Server {
        let runtime = runtime();
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let addr = listener.local_addr().unwrap();
        let scheme = if tls.is_some() { "https" } else { "http" };
        let seen = Arc::new(Mutex::new(Seen::default()));
        runtime.spawn(accept_loop(listener, tls, script, Arc::clone(&seen)));
        Server {
            runtime: Some(runtime),
            base: format!("{scheme}://{addr}"),
            seen,
        }
    }

    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        self.base.clone()
    }

    /// The contact.email of every request answered 200 so far.
    pub fn accepted(&self) -> BTreeSet<String> {
        self.seen.lock().unwrap().accepted.iter().cloned().collect()
    }

    /// Each request's path and contact.email, in the order they came.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.seen.lock().unwrap().requests.clone()
    }

    /// How many TLS handshakes failed.
    pub fn tls_failures(&self) -> usize {
        self.seen.lock().unwrap().tls_failures
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    script: Arc<Script>,
    seen: Arc<Mutex<Seen>>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let local = stream.local_addr().expect("a local address");
        let (tls, script, seen) = (tls.clone(), Arc::clone(&script), Arc::clone(&seen));
        tokio::spawn(async move {
            match tls {
                None => serve(stream, local, &*script, &seen).await,
                Some(acceptor) => match acceptor.accept(stream).await {
                    Ok(stream) => serve(stream, local, &*script, &seen).await,
                    Err(_) => seen.lock().unwrap().tls_failures += 1,
                },
            }
        });
    }
}

/// Read one request and answer it as the script says.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    local: SocketAddr,
    script: &Script,
    seen: &Mutex<Seen>,
) {
    let Some((path, body)) = read_request(&mut stream).await else {
        return;
    };
    let email = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["contact"]["email"].as_str().map(str::to_owned))
        .unwrap_or_default();
    seen.lock()
        .unwrap()
        .requests
        .push((path.clone(), email.clone()));
    let request = Request { path, email, local };
    let mut reply = script(&request);
    while let Reply::Late(wait, inner) = reply {
        tokio::time::sleep(wait).await;
        reply = *inner;
    }
    let _ = answer(&mut stream, reply, &request.email, seen).await;
}

async fn answer<S: AsyncWrite + Unpin>(
    stream: &mut S,
    reply: Reply,
    email: &str,
    seen: &Mutex<Seen>,
) -> std::io::Result<()> {
    let accepted = |status: u16| {
        if status == 200 {
            seen.lock().unwrap().accepted.push(email.to_owned());
        }
    };
    match reply {
        Reply::Answer {
            status,
            headers,
            body,
        } => {
            write_head(stream, status, body.len(), &headers).await?;
            accepted(status);
            stream.write_all(&body).await?;
            stream.flush().await?;
            stream.shutdown().await
        }
        Reply::Partial {
            status,
            promised,
            body,
            then,
        } => {
            write_head(stream, status, promised, &[]).await?;
            accepted(status);
            stream.write_all(&body).await?;
            stream.flush().await?;
            tokio::time::sleep(then).await;
            Ok(())
        }
        Reply::Huge(len) => {
            write_head(stream, 200, len, &[]).await?;
            accepted(200);
            let head = br#"{"id":"row_huge","status":"PENDING","pad":""#;
            let tail = br#""}"#;
            stream.write_all(head).await?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = len - head.len() - tail.len();
            while left > 0 {
                let n = left.min(chunk.len());
                stream.write_all(&chunk[..n]).await?;
                left -= n;
            }
            stream.write_all(tail).await?;
            stream.shutdown().await
        }
        Reply::Late(..) => unreachable!("waited for before answering"),
    }
}

async fn write_head<S: AsyncWrite + Unpin>(
    stream: &mut S,
    status: u16,
    len: usize,
    headers: &[(String, String)],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nconnection: close\r\n",
        reason(status)
    );
    head.push_str(&format!("content-length: {len}\r\n"));
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.flush().await
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        _ => "Whatever",
    }
}

/// The path and body of one request; `None` when the client hung up first.
async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(String, Vec<u8>)> {
    let (head, mut body) = read_head(stream).await?;
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_owned();
    let length = lines
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while body.len() < length {
        let mut buf = [0; 8192];
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some((path, body))
}

/// A request's head, and the bytes read past it.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A self-signed certificate for `localhost` and 127.0.0.1, and its key.
pub struct Cert {
    /// The certificate, PEM: what `--ca-cert` is given.
    pub pem: String,
    der: CertificateDer<'static>,
    key: Vec<u8>,
}

impl Cert {
    pub fn self_signed() -> Cert {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let made = rcgen::generate_simple_self_signed(names).expect("a certificate");
        Cert {
            pem: made.cert.pem(),
            der: made.cert.der().clone(),
            key: made.signing_key.serialize_der(),
        }
    }

    fn acceptor(&self) -> TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![self.der.clone()], key)
            .expect("a server certificate");
        TlsAcceptor::from(Arc::new(config))
    }
}

/// A CONNECT proxy on 127.0.0.1:0 that records each target and tunnels to it, when it is
/// on loopback; or refuses every tunnel. Stopped on drop.
pub struct ConnectProxy {
    runtime: Option<Runtime>,
    url: String,
    targets: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start(refuse: bool) -> ConnectProxy {
        let runtime = runtime();
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let targets = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&targets);
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(tunnel(stream, refuse, Arc::clone(&seen)));
            }
        });
        ConnectProxy {
            runtime: Some(runtime),
            url,
            targets,
        }
    }

    /// `http://127.0.0.1:PORT`, for HTTPS_PROXY.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The target of every CONNECT so far, as `host:port`.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn tunnel(mut client: TcpStream, refuse: bool, targets: Arc<Mutex<Vec<String>>>) {
    let Some((head, rest)) = read_head(&mut client).await else {
        return;
    };
    let mut words = head.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return;
    };
    if method != "CONNECT" {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    }
    targets.lock().unwrap().push(target.to_owned());
    // Never open a connection off loopback, whatever the client asked for.
    let port = target
        .rsplit_once(':')
        .filter(|(host, _)| matches!(*host, "127.0.0.1" | "localhost"))
        .and_then(|(_, port)| port.parse::<u16>().ok());
    let upstream = match port {
        Some(port) if !refuse => TcpStream::connect(("127.0.0.1", port)).await.ok(),
        _ => None,
    };
    let Some(mut upstream) = upstream else {
        let _ = client
            .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            .await;
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await
        .is_err()
        || upstream.write_all(&rest).await.is_err()
    {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

/// A name with a 64-character label. glibc refuses to build a DNS query for it, so with
/// hosts looked up in files and DNS only, it fails without a packet sent
/// (secret_never_leaks.rs checks that with strace). `None` where that is not known to hold.
pub fn local_only_unresolvable_host() -> Option<String> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    let nsswitch = std::fs::read_to_string("/etc/nsswitch.conf").ok()?;
    let hosts = nsswitch
        .lines()
        .find_map(|line| line.trim().strip_prefix("hosts:"))?;
    let only_files_and_dns = hosts
        .split_whitespace()
        .all(|source| source == "files" || source == "dns");
    only_files_and_dns.then(|| format!("{}.example", "a".repeat(64)))
}
