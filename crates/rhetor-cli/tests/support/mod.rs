//! Test support: start the real server and talk HTTP/1.1 to it (loopback
//! only, bounded), without an HTTP client dependency.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A fresh, empty directory for one test: `rhetor-PREFIX-NAME-PID` under
/// the temporary directory.
pub fn workdir(prefix: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rhetor-{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The real binary with no encoder weights to find: the fast tier, which
/// every test but `accurate.rs` expects.
pub fn rhetor() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rhetor"));
    c.env(
        "RHETOR_MODELS",
        std::env::temp_dir().join("rhetor-no-models"),
    );
    c
}

/// Runs the binary in `dir` with `args` and returns what it printed; a
/// failure panics with its stderr.
pub fn run_ok(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = rhetor()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run rhetor");
    assert!(
        out.status.success(),
        "rhetor {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A running `rhetor serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Analyses the seeds into a fresh store and serves it on a free port.
pub fn start(name: &str, extra: &[&str]) -> Server {
    let dir = std::env::temp_dir().join(format!("rhetor-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let examples = repo().join("examples");
    run_ok(&dir, &["analyze", "--jsonl", examples.to_str().unwrap()]);
    serve(rhetor(), extra, dir)
}

/// Runs `rhetor serve` (from `cmd`, a `rhetor()` or one with its own
/// environment) in `dir` on a free loopback port; killed when dropped.
pub fn serve(mut cmd: Command, extra: &[&str], dir: PathBuf) -> Server {
    let mut child = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server says where it listens");
    let port = line
        .rsplit("http://127.0.0.1:")
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Server { child, port, dir }
}

/// A response: status, headers (lower-case names), body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One request, `Connection: close`; the whole response is read.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before reading a large body: ignore write errors.
    let _ = stream.write_all(body);
    // Read until the body is complete: some servers keep the connection
    // open despite `Connection: close`.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let body = raw.len() - split - 4;
            if length.is_some_and(|n| body >= n)
                || (head.contains("transfer-encoding: chunked") && raw.ends_with(b"0\r\n\r\n"))
            {
                break;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    }
    parse(&raw)
}

fn parse(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..eol]).trim(), 16).unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || size > data.len() {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

pub fn get(port: u16, path: &str) -> Response {
    request(port, "GET", path, &[], b"")
}

pub fn post_json(port: u16, path: &str, json: &serde_json::Value) -> Response {
    request(
        port,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        json.to_string().as_bytes(),
    )
}

/// A fresh PostgreSQL database for one test on the `RHETOR_TEST_PG` server;
/// `None` with a note when none is configured, a failure under CI.
pub fn pg_database(name: &str) -> Option<String> {
    let Some(url) = std::env::var("RHETOR_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must start a PostgreSQL server (tools/pg-test-cluster) and set RHETOR_TEST_PG"
        );
        eprintln!("note: RHETOR_TEST_PG not set (tools/pg-test-cluster starts a server); skipping");
        return None;
    };
    let db = format!("rhetor_cli_{name}_{}", std::process::id());
    let psql = |sql: &str| {
        let out = Command::new("psql")
            .args([url.as_str(), "-qc", sql])
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    psql(&format!("DROP DATABASE IF EXISTS {db}"));
    psql(&format!("CREATE DATABASE {db}"));
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{db}"))
}

/// A PDF file of `objects` (numbered from 1; object 1 is the catalog), with
/// its cross-reference table and trailer.
pub fn pdf_from_objects(objects: &[String]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}
