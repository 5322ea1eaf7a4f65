//! Bounded loopback load test of `rhetor serve`: N concurrent clients POST
//! an article to /api/analyze for S seconds over keep-alive connections;
//! prints throughput, latency percentiles and errors.
//!
//! cargo run --release --example loadtest -- PORT FILE [CONCURRENCY] [SECONDS]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: loadtest PORT FILE [CONCURRENCY] [SECONDS]";
    let port: u16 = args.get(1).and_then(|p| p.parse().ok()).expect(usage);
    let text = std::fs::read_to_string(args.get(2).expect(usage)).expect("article file");
    let concurrency: usize = args.get(3).and_then(|c| c.parse().ok()).unwrap_or(200);
    let seconds: u64 = args
        .get(4)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
        .min(120);
    let body = serde_json::json!({ "text": text }).to_string();
    let request = format!(
        "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                let mut stream: Option<TcpStream> = None;
                while Instant::now() < deadline {
                    let start = Instant::now();
                    let conn = match stream.take() {
                        Some(s) => s,
                        // Loopback only: this tool never targets another host.
                        None => match TcpStream::connect(("127.0.0.1", port)) {
                            Ok(s) => s,
                            Err(_) => {
                                errors += 1;
                                std::thread::sleep(Duration::from_millis(50));
                                continue;
                            }
                        },
                    };
                    match exchange(conn, &request) {
                        Some((200, s)) => {
                            latencies.push(start.elapsed());
                            stream = Some(s);
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let started = Instant::now();
    let mut all = Vec::new();
    let mut errors = 0;
    for w in workers {
        let (l, e) = w.join().expect("worker");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64().max(seconds as f64);
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} requests in {elapsed:.1} s with {concurrency} clients: {:.1} req/s, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, {errors} errors",
        all.len(),
        all.len() as f64 / elapsed,
        pct(0.5),
        pct(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    );
}

/// Sends one request on a keep-alive connection and reads the response.
fn exchange(mut s: TcpStream, request: &str) -> Option<(u16, TcpStream)> {
    s.set_read_timeout(Some(Duration::from_secs(60))).ok()?;
    s.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        let n = s.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())?;
            if raw.len() >= split + 4 + length {
                let status = head.split_whitespace().nth(1)?.parse().ok()?;
                return Some((status, s));
            }
        }
    }
}
