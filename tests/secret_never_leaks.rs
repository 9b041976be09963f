//! The hash at the end of the webhook URL is a credential. This runs the whole tool through
//! every failure it can meet, against servers that repeat the hash back wherever they can,
//! with a hash made for this run, and looks for it in everything the tool printed and every
//! file it wrote. The import id may appear; the hash may not.
//!
//! The sweep runs once per test binary and three tests read it: one for leaks, one for the
//! files' modes, one that each case failed the way it meant to (else a leak test of it
//! proves nothing).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::scripted::{Cert, ConnectProxy, Reply, Request, Server, local_only_unresolvable_host};
use common::{MockProcess, read_report, read_report_jsonl, text, write};
use serde_json::json;

/// The import id every URL here carries; it is not a secret.
const IMPORT_ID: &str = "imp_leaktest";

const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A hash no other run, and no other test, uses.
fn unique_hash() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("leak-{}-{nanos}", std::process::id())
}

/// How the URL reaches the tool.
#[derive(Debug, Clone, Copy)]
enum Via {
    Flag,
    Env,
    /// `--url-file`, in a file left readable by others so that the warning is printed too.
    File,
}

/// What a case is meant to make of the three valid rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Every valid row imported.
    Imported,
    /// No row imported: each valid one failed or pending.
    NotImported,
    /// Refused before anything was read: exit 2.
    Refused,
}

/// One run of the tool.
struct Case {
    name: String,
    url: String,
    via: Via,
    flags: Vec<String>,
    env: Vec<(String, String)>,
    /// A command to run the tool under, such as `unshare -n`.
    wrap: Vec<String>,
    expect: Expect,
    /// The report's name: `report.csv` or `report.jsonl`.
    report: &'static str,
}

impl Case {
    fn new(name: &str, url: String, expect: Expect) -> Case {
        Case {
            name: name.to_owned(),
            url,
            via: Via::Flag,
            flags: Vec::new(),
            env: Vec::new(),
            wrap: Vec::new(),
            expect,
            report: "report.csv",
        }
    }

    fn via(mut self, via: Via) -> Case {
        self.via = via;
        self
    }

    fn flags(mut self, flags: &[&str]) -> Case {
        self.flags.extend(flags.iter().map(|f| (*f).to_owned()));
        self
    }

    fn env(mut self, name: &str, value: &str) -> Case {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    fn wrap(mut self, wrap: &[String]) -> Case {
        self.wrap = wrap.to_vec();
        self
    }

    fn jsonl(mut self) -> Case {
        self.report = "report.jsonl";
        self
    }
}

/// What one case left behind.
#[derive(Debug)]
struct Swept {
    name: String,
    code: Option<i32>,
    /// Where the hash was found: "stdout", "stderr", or a file's path, with the text.
    leaks: Vec<String>,
    /// The mode of each of the report, the rejects and the meta file that exists.
    modes: Vec<(PathBuf, u32)>,
    /// Each report line's key and outcome.
    outcomes: Vec<(String, String)>,
    expect: Expect,
    panicked: bool,
}

/// The folder the sweep runs in and the hash it uses.
struct Sweep {
    hash: String,
    root: tempfile::TempDir,
    done: Vec<Swept>,
}

/// The input of every case: three valid rows and one that is invalid, so that the rejects
/// file always has something to hold.
const INPUT: &str = "Email,Name\n\
    one@leak.example,One\n\
    not an address,Two\n\
    three@leak.example,Three\n\
    four@leak.example,Four\n";

const VALID: [&str; 3] = [
    "one@leak.example",
    "three@leak.example",
    "four@leak.example",
];

impl Sweep {
    fn new() -> Sweep {
        Sweep {
            hash: unique_hash(),
            root: tempfile::tempdir().unwrap(),
            done: Vec::new(),
        }
    }

    /// The webhook path, hash included.
    fn path(&self) -> String {
        format!("/v5/imports/{IMPORT_ID}/trigger/{}", self.hash)
    }

    /// The webhook URL under `base`.
    fn url(&self, base: &str) -> String {
        format!("{base}{}", self.path())
    }

    /// A fresh folder for the next case, with the input and the mapping in it.
    fn folder(&self, name: &str) -> PathBuf {
        let slug: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = self
            .root
            .path()
            .join(format!("{:02}-{slug}", self.done.len()));
        std::fs::create_dir(&dir).unwrap();
        write(&dir, "rows.csv", INPUT);
        write(
            &dir,
            "rows.toml",
            "[contact]\nemail = \"Email\"\nname = \"Name\"\n",
        );
        dir
    }

    /// The command for `case` in `dir`, with the URL passed as the case says.
    fn command(&self, case: &Case, dir: &Path) -> Command {
        let bin = env!("CARGO_BIN_EXE_fq-import");
        let mut cmd = match case.wrap.split_first() {
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg(bin);
                cmd
            }
            None => Command::new(bin),
        };
        for name in PROXY_VARIABLES {
            cmd.env_remove(name);
        }
        cmd.env_remove("FQ_WEBHOOK_URL")
            .env("NO_COLOR", "1")
            .envs(case.env.iter().map(|(k, v)| (k, v)))
            .current_dir(dir)
            .args(["import", "rows.csv", "--mapping", "rows.toml"])
            .args(["--report", case.report, "--rejects", "rejects.csv"])
            .args(["--retry-delay", "10ms", "--max-retries", "1"])
            .args(["--give-up-after", "1s"])
            .args(&case.flags)
            .stdin(Stdio::null());
        match case.via {
            Via::Flag => {
                cmd.args(["--url", &case.url]);
            }
            Via::Env => {
                cmd.env("FQ_WEBHOOK_URL", &case.url);
            }
            Via::File => {
                let file = write(dir, "url.txt", &format!("# the webhook\n{}\n", case.url));
                set_mode(&file, 0o644);
                cmd.arg("--url-file").arg(file);
            }
        }
        cmd
    }

    /// Run `case` and look at what it left.
    fn run(&mut self, case: Case) {
        let dir = self.folder(&case.name);
        let cmd = self.command(&case, &dir);
        let output = assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run fq-import");
        self.look(
            case,
            &dir,
            &output.stdout,
            &output.stderr,
            output.status.code(),
        );
    }

    /// Run `case`, interrupt it once `server` has seen a request, then run it again with
    /// `--resume` into `then`.
    fn interrupt_then_resume(&mut self, case: Case, server: &Server, then: &str) {
        let dir = self.folder(&case.name);
        let out = self.root.path().join(format!("{:02}.out", self.done.len()));
        let err = self.root.path().join(format!("{:02}.err", self.done.len()));
        let mut cmd = self.command(&case, &dir);
        cmd.stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        let mut child = cmd.spawn().expect("start fq-import");
        let deadline = Instant::now() + Duration::from_secs(20);
        while server.requests().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = Command::new("kill")
            .args(["-s", "INT", &child.id().to_string()])
            .status();
        let code = wait_or_kill(&mut child, Duration::from_secs(30));
        let stdout = std::fs::read(&out).unwrap_or_default();
        let stderr = std::fs::read(&err).unwrap_or_default();
        let name = case.name.clone();
        self.look(case, &dir, &stdout, &stderr, code);

        // Resume in the same folder: the report, its .part and meta are there.
        let resumed = Case::new(
            &format!("{name}, resumed"),
            self.url(then),
            Expect::Imported,
        )
        .flags(&["--resume"]);
        let cmd = {
            let mut cmd = self.command(&resumed, &dir);
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd
        };
        let output = assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run fq-import --resume");
        self.look(
            resumed,
            &dir,
            &output.stdout,
            &output.stderr,
            output.status.code(),
        );
    }

    fn look(&mut self, case: Case, dir: &Path, stdout: &[u8], stderr: &[u8], code: Option<i32>) {
        let mut leaks = Vec::new();
        for (what, bytes) in [("stdout", stdout), ("stderr", stderr)] {
            if contains(bytes, &self.hash) {
                leaks.push(format!("{what}:\n{}", text(bytes)));
            }
        }
        for file in files_under(dir) {
            let ours = ["rows.csv", "rows.toml", "url.txt", "the-ca.pem"];
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if file.parent() == Some(dir) && ours.contains(&name.as_str()) {
                continue;
            }
            let bytes = std::fs::read(&file).unwrap_or_default();
            if contains(&bytes, &self.hash) || file.to_string_lossy().contains(&self.hash) {
                leaks.push(format!("{}:\n{}", file.display(), text(&bytes)));
            }
        }
        let private = [
            dir.join(case.report),
            dir.join("rejects.csv"),
            dir.join(format!("{}.meta.json", case.report)),
        ];
        let modes = private
            .into_iter()
            .filter(|p| p.exists())
            .map(|p| {
                let mode = mode_of(&p);
                (p, mode)
            })
            .collect();
        let report = dir.join(case.report);
        let outcomes = if !report.exists() {
            Vec::new()
        } else if case.report.ends_with(".jsonl") {
            read_report_jsonl(&report)
        } else {
            read_report(&report)
        };
        self.done.push(Swept {
            name: case.name,
            code,
            leaks,
            modes,
            outcomes: outcomes.into_iter().map(|r| (r.key, r.outcome)).collect(),
            expect: case.expect,
            panicked: text(stderr).contains("panicked"),
        });
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// Every file under `dir`, at any depth.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn mode_of(_: &Path) -> u32 {
    0o600
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

/// Wait at most `timeout` for `child`, then kill it; its exit code, `None` if killed.
fn wait_or_kill(child: &mut std::process::Child, timeout: Duration) -> Option<i32> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// An answer that repeats the path it was asked for, hash included, everywhere a server
/// could: the message, the description, the details, the `error` field, the request id.
fn echo(status: u16, request: &Request) -> Reply {
    let path = &request.path;
    let body = json!({
        "message": format!("nothing to do at {path}"),
        "error": format!("unknown trigger {path}"),
        "description": format!("see https://api.example{path}"),
        "details": [{"field": path, "message": format!("{path} was not found")}],
    });
    with_request_id(Reply::json(status, body), path)
}

fn with_request_id(reply: Reply, path: &str) -> Reply {
    match reply {
        Reply::Answer {
            status,
            mut headers,
            body,
        } => {
            headers.push((
                "x-request-id".into(),
                format!("req{}", path.replace('/', "-")),
            ));
            Reply::Answer {
                status,
                headers,
                body,
            }
        }
        other => other,
    }
}

/// A 200 whose row id and status repeat the hash.
fn accept_echoing(request: &Request) -> Reply {
    let hash = request.path.rsplit('/').next().unwrap_or_default();
    let body = json!({"id": format!("row_{hash}"), "object": "row", "status": hash});
    with_request_id(Reply::json(200, body), &request.path)
}

/// The answer of an error body that spells the path in JSON `\u` escapes, so that the hash
/// only appears once the JSON is decoded.
fn echo_escaped(request: &Request) -> Reply {
    let escaped: String = request
        .path
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    Reply::Answer {
        status: 400,
        headers: vec![("content-type".into(), "application/json".into())],
        body: format!(r#"{{"message": "nothing to do at {escaped}"}}"#).into_bytes(),
    }
}

/// A loopback port that was free a moment ago and has nothing listening on it now.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `unshare -n`, when this process may make a network namespace: whatever runs under it
/// can send nothing off the machine.
fn isolated() -> Vec<String> {
    let works = Command::new("unshare")
        .args(["-n", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if works {
        vec!["unshare".into(), "-n".into()]
    } else {
        Vec::new()
    }
}

/// Run every case once for this test binary.
fn swept() -> &'static [Swept] {
    static SWEPT: OnceLock<Vec<Swept>> = OnceLock::new();
    SWEPT.get_or_init(sweep)
}

fn sweep() -> Vec<Swept> {
    use Expect::{Imported, NotImported, Refused};
    let mut s = Sweep::new();
    let hash = s.hash.clone();

    // The baseline, then every way of passing the URL.
    let server = Server::plain(accept_echoing);
    let url = s.url(&server.base());
    s.run(Case::new(
        "accepted, the answer echoing the hash",
        url.clone(),
        Imported,
    ));
    s.run(Case::new("the URL from FQ_WEBHOOK_URL", url.clone(), Imported).via(Via::Env));
    s.run(Case::new("the URL from --url-file", url.clone(), Imported).via(Via::File));
    s.run(Case::new("a JSON-lines report", url.clone(), Imported).jsonl());
    s.run(Case::new("--dedupe and --limit", url, Imported).flags(&["--dedupe", "--limit", "9"]));

    // (a)–(e): answers cut short, garbage, late, huge, redirects.
    let server = Server::plain(|r| Reply::Partial {
        status: 200,
        promised: 4096,
        body: format!(r#"{{"id":"row_{}"#, r.path).into_bytes(),
        then: Duration::ZERO,
    });
    s.run(Case::new(
        "an answer cut short",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| Reply::Answer {
        status: 200,
        headers: vec![("x-request-id".into(), r.path.replace('/', "-"))],
        body: format!("<html>accepted at {}</html>", r.path).into_bytes(),
    });
    s.run(Case::new(
        "a 200 of garbage echoing the path",
        s.url(&server.base()),
        Imported,
    ));
    let server =
        Server::plain(|r| Reply::Late(Duration::from_secs(3), Box::new(accept_echoing(r))));
    let url = s.url(&server.base());
    s.run(
        Case::new("an answer after the timeout", url, NotImported).flags(&["--timeout", "300ms"]),
    );
    let server = Server::plain(|r| Reply::Partial {
        status: 200,
        promised: 1000,
        body: format!(r#"{{"id":"{}","#, r.path).into_bytes(),
        then: Duration::from_secs(30),
    });
    let url = s.url(&server.base());
    s.run(Case::new("a body that stalls", url, NotImported).flags(&["--timeout", "300ms"]));
    let server = Server::plain(|_| Reply::Huge(10 * 1000 * 1000));
    s.run(Case::new("a 10 MB answer", s.url(&server.base()), Imported));
    let server = Server::plain(|r| {
        let mut body = r.path.repeat(100_000 / r.path.len()).into_bytes();
        body.truncate(100_000);
        Reply::Answer {
            status: 400,
            headers: Vec::new(),
            body,
        }
    });
    s.run(Case::new(
        "a 100 KB error made of the path",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| {
        let location = format!("http://127.0.0.2:1{}", r.path);
        match echo(302, r) {
            Reply::Answer {
                status,
                mut headers,
                body,
            } => {
                headers.push(("location".into(), location));
                Reply::Answer {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    });
    s.run(Case::new(
        "a 302 to a Location holding the hash",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| Reply::Answer {
        status: 307,
        headers: vec![("location".into(), format!("http://{}{}", r.local, r.path))],
        body: Vec::new(),
    });
    s.run(Case::new(
        "a 307 back to the same URL",
        s.url(&server.base()),
        NotImported,
    ));

    // (f): plain http.
    let far = format!("http://192.0.2.1/v5/imports/{IMPORT_ID}/trigger/{hash}");
    s.run(Case::new(
        "plain http to another machine",
        far.clone(),
        Refused,
    ));
    s.run(Case::new("plain http from FQ_WEBHOOK_URL", far.clone(), Refused).via(Via::Env));
    s.run(Case::new("plain http from --url-file", far, Refused).via(Via::File));
    let server = Server::plain(accept_echoing);
    let url = s.url(&server.base());
    s.run(
        Case::new("plain http to loopback, --allow-http", url, Imported).flags(&["--allow-http"]),
    );

    // DNS failures, with no query sent.
    if let Some(host) = local_only_unresolvable_host() {
        let wrap = isolated();
        let http = s.url(&format!("http://{host}"));
        let https = s.url(&format!("https://{host}"));
        s.run(
            Case::new(
                "--allow-http to a name that does not resolve",
                http,
                NotImported,
            )
            .flags(&["--allow-http"])
            .wrap(&wrap),
        );
        s.run(
            Case::new(
                "https to a name TLS refuses, a 64-character label",
                https,
                NotImported,
            )
            .wrap(&wrap),
        );
    } else {
        eprintln!("the DNS cases are skipped: this resolver might send a query for any name");
    }

    // (g): TLS.
    let cert = Cert::self_signed();
    let server = Server::tls(accept_echoing, &cert);
    let url = s.url(&server.base());
    s.run(Case::new(
        "a certificate nobody trusts",
        url.clone(),
        NotImported,
    ));
    let other = Cert::self_signed();
    let other_ca = s.root.path().join("other-ca.pem");
    std::fs::write(&other_ca, &other.pem).unwrap();
    let flags = ["--ca-cert", other_ca.to_str().unwrap()];
    s.run(Case::new("--ca-cert of another authority", url.clone(), NotImported).flags(&flags));
    let ca = s.root.path().join("the-ca.pem");
    std::fs::write(&ca, &cert.pem).unwrap();
    let ca_flags = ["--ca-cert", ca.to_str().unwrap()];
    s.run(Case::new("--ca-cert that trusts it", url.clone(), Imported).flags(&ca_flags));
    let server_500 = Server::tls(|r| echo(500, r), &cert);
    let url_500 = s.url(&server_500.base());

    // (h): a proxy.
    let proxy = ConnectProxy::start(false);
    s.run(
        Case::new("through an HTTPS proxy", url.clone(), Imported)
            .flags(&ca_flags)
            .env("HTTPS_PROXY", &proxy.url()),
    );
    s.run(
        Case::new(
            "through an HTTPS proxy, a 500 echoing",
            url_500,
            NotImported,
        )
        .flags(&ca_flags)
        .env("HTTPS_PROXY", &proxy.url()),
    );
    s.run(
        Case::new("around the proxy with NO_PROXY", url.clone(), Imported)
            .flags(&ca_flags)
            .env("HTTPS_PROXY", &proxy.url())
            .env("NO_PROXY", "127.0.0.1"),
    );
    let refusing = ConnectProxy::start(true);
    s.run(
        Case::new("a proxy that refuses the tunnel", url.clone(), NotImported)
            .flags(&ca_flags)
            .env("HTTPS_PROXY", &refusing.url()),
    );
    let nowhere = format!("http://127.0.0.1:{}", closed_port());
    s.run(
        Case::new("a proxy that is not there", url, NotImported)
            .flags(&ca_flags)
            .env("HTTPS_PROXY", &nowhere),
    );

    // Connection refused, and the answers a webhook gives.
    let refused = s.url(&format!("http://127.0.0.1:{}", closed_port()));
    s.run(Case::new("connection refused", refused, NotImported));
    let server = Server::plain(|r| echo(404, r));
    s.run(Case::new(
        "a 404 echoing the path",
        s.url(&server.base()),
        NotImported,
    ));
    let mock = MockProcess::start(&["--hash", "the-right-hash"]);
    s.run(Case::new(
        "the stand-in refusing the hash",
        s.url(mock.base()),
        NotImported,
    ));
    let server = Server::plain(|r| echo(500, r));
    s.run(Case::new(
        "a 500 echoing, retried, then failed",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| match echo(429, r) {
        Reply::Answer {
            status,
            mut headers,
            body,
        } => {
            headers.push(("retry-after".into(), "1".into()));
            Reply::Answer {
                status,
                headers,
                body,
            }
        }
        other => other,
    });
    s.run(Case::new(
        "a 429 with Retry-After, echoing",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| echo(400, r));
    let url = s.url(&server.base());
    s.run(Case::new(
        "a 400 echoing everywhere",
        url.clone(),
        NotImported,
    ));
    s.run(Case::new("a 400 echoing, JSON-lines report", url.clone(), NotImported).jsonl());
    s.run(
        Case::new("a 400 echoing, --max-errors 0", url, NotImported).flags(&["--max-errors", "0"]),
    );
    let server = Server::plain(echo_escaped);
    s.run(Case::new(
        "a 400 spelling the hash in JSON escapes",
        s.url(&server.base()),
        NotImported,
    ));
    let server = Server::plain(|r| Reply::Answer {
        status: 502,
        headers: vec![("x-request-id".into(), format!("req-{}", r.path))],
        body: format!("<html><body>Bad gateway for {}</body></html>", r.path).into_bytes(),
    });
    s.run(Case::new(
        "a 502 page echoing the path",
        s.url(&server.base()),
        NotImported,
    ));

    // URLs the tool refuses to use.
    for (name, url) in [
        (
            "a URL without /trigger/",
            format!("https://127.0.0.1/v5/imports/{IMPORT_ID}/{hash}"),
        ),
        (
            "a URL with a query",
            format!("{}?page=2", s.url("https://127.0.0.1")),
        ),
        ("not a URL at all", format!("not a url {hash}")),
        ("an ftp URL", s.url("ftp://127.0.0.1")),
    ] {
        s.run(Case::new(name, url, Refused));
    }

    // Interrupted while a request is in flight, then resumed.
    let slow = Server::plain(|r| Reply::Late(Duration::from_secs(20), Box::new(accept_echoing(r))));
    let fine = Server::plain(accept_echoing);
    let case = Case::new(
        "interrupted with requests in flight",
        s.url(&slow.base()),
        NotImported,
    );
    s.interrupt_then_resume(case, &slow, &fine.base());

    s.done
}

#[test]
fn the_hash_is_in_no_output_and_no_file_whatever_fails() {
    let leaks: Vec<String> = swept()
        .iter()
        .flat_map(|case| {
            case.leaks
                .iter()
                .map(move |leak| format!("[{}] {leak}", case.name))
        })
        .collect();

    assert!(
        leaks.is_empty(),
        "the hash leaked in {} places:\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn every_case_fails_the_way_it_means_to() {
    let mut wrong = Vec::new();
    for case in swept() {
        let valid: Vec<&str> = case
            .outcomes
            .iter()
            .filter(|(key, _)| VALID.contains(&key.as_str()))
            .map(|(_, outcome)| outcome.as_str())
            .collect();
        let fits = match case.expect {
            Expect::Imported => valid.len() == 3 && valid.iter().all(|o| *o == "imported"),
            Expect::NotImported => !valid.is_empty() && valid.iter().all(|o| *o != "imported"),
            Expect::Refused => case.code == Some(2) && case.outcomes.is_empty(),
        };
        if !fits || case.code.is_none() || case.panicked {
            wrong.push(format!(
                "[{}] expected {:?}, exit {:?}, panicked {}: {:?}",
                case.name, case.expect, case.code, case.panicked, case.outcomes
            ));
        }
    }

    assert!(
        wrong.is_empty(),
        "cases that did not do what they meant:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_report_rejects_and_meta_are_readable_by_their_owner_only() {
    let cases = swept();
    let mut loose = Vec::new();
    let mut seen = [false; 3];
    for case in cases {
        for (path, mode) in &case.modes {
            let name = path.file_name().unwrap().to_string_lossy();
            seen[0] |= name.starts_with("report") && !name.ends_with(".meta.json");
            seen[1] |= name == "rejects.csv";
            seen[2] |= name.ends_with(".meta.json");
            if *mode != 0o600 {
                loose.push(format!("[{}] {} is {mode:o}", case.name, path.display()));
            }
        }
    }

    assert_eq!(
        seen, [true; 3],
        "a report, a rejects file and a meta file were written"
    );
    assert!(
        loose.is_empty(),
        "files others can read:\n{}",
        loose.join("\n")
    );
}

#[test]
fn a_dns_failure_sends_no_packet() {
    let Some(host) = local_only_unresolvable_host() else {
        eprintln!("skipped: this resolver might send a query for any name");
        return;
    };
    let strace_works = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !strace_works {
        // CI installs strace and says so: there, a missing strace is a failure, not a skip.
        assert!(
            std::env::var_os("FQ_IMPORT_NEEDS_STRACE").is_none(),
            "strace is needed here and does not work"
        );
        eprintln!("skipped: strace is not there, or may not trace");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rows.csv", INPUT);
    write(dir.path(), "rows.toml", "[contact]\nemail = \"Email\"\n");
    let hash = unique_hash();

    for (scheme, flags) in [("http", &["--allow-http"][..]), ("https", &[][..])] {
        let trace = dir.path().join(format!("{scheme}.trace"));
        let url = format!("{scheme}://{host}/v5/imports/{IMPORT_ID}/trigger/{hash}");
        // Under `unshare -n` when it may: should a query be tried, it cannot leave.
        let mut wrap = isolated();
        wrap.extend(["strace", "-f", "-e", "trace=network", "-o"].map(String::from));
        wrap.push(trace.to_string_lossy().into_owned());
        let mut cmd = Command::new(&wrap[0]);
        cmd.args(&wrap[1..])
            .arg(env!("CARGO_BIN_EXE_fq-import"))
            .current_dir(dir.path())
            .env_remove("FQ_WEBHOOK_URL")
            .args(["import", "rows.csv", "-m", "rows.toml", "--url", &url])
            .args([
                "--retry-delay",
                "10ms",
                "--max-retries",
                "1",
                "--give-up-after",
                "1s",
            ])
            .args(flags);
        for name in PROXY_VARIABLES {
            cmd.env_remove(name);
        }
        let output = assert_cmd::Command::from_std(cmd)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let traced = std::fs::read_to_string(&trace).unwrap();
        assert!(
            traced.contains("exited"),
            "{scheme}: strace traced the run:\n{traced}"
        );
        let report = std::fs::read_to_string(dir.path().join("rows.csv.report.csv")).unwrap();

        assert!(
            report.contains(if scheme == "http" {
                "dns error"
            } else {
                "invalid dns name"
            }),
            "{scheme}: the rows failed on the name:\n{report}\n{}",
            text(&output.stderr)
        );
        let network: Vec<&str> = traced
            .lines()
            .filter(|line| line.contains("AF_INET") || line.contains("htons(53)"))
            .collect();
        assert!(
            network.is_empty(),
            "{scheme}: the tool used the network to look the name up:\n{}",
            network.join("\n")
        );
    }
}

#[test]
fn a_hash_echoed_decoded_from_its_escapes_stays_out_of_the_report() {
    let hash = format!("{}%41x", unique_hash());
    let decoded = hash.replace("%41", "A");
    // The server repeats the path as it decoded it, as many frameworks do.
    let server = Server::plain(|r| {
        let path = r.path.replace("%41", "A");
        Reply::json(400, json!({"message": format!("nothing to do at {path}")}))
    });
    let dir = tempfile::tempdir().unwrap();
    let rows = write(dir.path(), "rows.csv", INPUT);
    let mapping = write(dir.path(), "rows.toml", "[contact]\nemail = \"Email\"\n");
    let report = dir.path().join("report.csv");
    let url = format!("{}/v5/imports/imp_leaktest/trigger/{hash}", server.base());
    let output = common::fq()
        .arg("import")
        .arg(&rows)
        .arg("--mapping")
        .arg(&mapping)
        .args(["--url", &url, "--max-retries", "0", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    let written = std::fs::read_to_string(&report).unwrap();
    assert!(
        written.contains("nothing to do at"),
        "the answer was reported: {written}"
    );
    for shown in [text(&output.stdout), text(&output.stderr), written] {
        assert!(
            !shown.contains(&decoded) && !shown.contains(&hash),
            "{shown}"
        );
    }
}
