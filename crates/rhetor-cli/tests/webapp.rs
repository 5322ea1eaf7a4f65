//! The web app in a real browser, driven over WebDriver (Debian's
//! `chromium` and `chromium-driver`, installed by `.ci/run`): paste seed 004,
//! submit, see highlighted techniques and the claim "400 000 soldats".
//! Skipped outside CI when they are not installed.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::*;

fn which(name: &str) -> Option<String> {
    let out = Command::new("which").arg(name).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Driver {
    child: std::process::Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wd(port: u16, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
    let bytes = if method == "GET" {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let r = request(
        port,
        method,
        path,
        &[("Content-Type", "application/json")],
        &bytes,
    );
    let v = r.json();
    assert!(r.status < 400, "WebDriver {method} {path}: {}", r.text());
    v["value"].clone()
}

#[test]
fn paste_seed_and_see_techniques_and_claims() {
    let (Some(browser), Some(driver)) = (which("chromium"), which("chromedriver")) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium and chromium-driver (.ci/run does)"
        );
        eprintln!("skipped: chromium or chromedriver missing");
        return;
    };
    let server = start("webapp", &[]);
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver");
    let d = Driver { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", d.port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let profile = server.dir.join("profile");
    let caps = serde_json::json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": browser,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1280,1600", format!("--user-data-dir={}", profile.display())]
    }}}});
    let session = wd(d.port, "POST", "/session", caps);
    let sid = session["sessionId"]
        .as_str()
        .expect("session id")
        .to_string();
    let base = format!("/session/{sid}");
    wd(
        d.port,
        "POST",
        &format!("{base}/url"),
        serde_json::json!({"url": format!("http://127.0.0.1:{}/analyze", server.port)}),
    );
    let seed = std::fs::read_to_string(repo().join("examples/004_b6a211a1276a3b4a.txt")).unwrap();
    // Paste (typing 7 000 characters key by key takes minutes).
    wd(
        d.port,
        "POST",
        &format!("{base}/execute/sync"),
        serde_json::json!({"script": "document.getElementById('text').value = arguments[0]; return document.getElementById('text').value.length;", "args": [seed]}),
    );
    let button = wd(
        d.port,
        "POST",
        &format!("{base}/element"),
        serde_json::json!({"using": "css selector", "value": "#submit"}),
    );
    let button_id = button
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(|v| v.as_str())
        .expect("button")
        .to_string();
    wd(
        d.port,
        "POST",
        &format!("{base}/element/{button_id}/click"),
        serde_json::json!({}),
    );
    // Wait for the analysis page.
    let deadline = Instant::now() + Duration::from_secs(30);
    let source = loop {
        let src = wd(
            d.port,
            "GET",
            &format!("{base}/source"),
            serde_json::json!({}),
        );
        let s = src.as_str().unwrap_or("").to_string();
        if s.contains("claim-item") || Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        source.matches("<mark ").count() >= 10,
        "no highlighted techniques"
    );
    assert!(source.contains("Loaded Language"));
    assert!(
        source.contains("400 000 soldats"),
        "the claim 400 000 soldats"
    );
    let shot = wd(
        d.port,
        "GET",
        &format!("{base}/screenshot"),
        serde_json::json!({}),
    );
    let png = shot.as_str().expect("base64 screenshot");
    assert!(png.len() > 10_000);
    if let Some(path) = std::env::var_os("RHETOR_WEBAPP_SCREENSHOT") {
        std::fs::write(path, base64_decode(png)).unwrap();
    }
    let _ = request(d.port, "DELETE", &base, &[], b"");
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = s
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let v: Vec<u32> = chunk.iter().map(|&c| u32::from(val(c))).collect();
        let n = v
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, x)| acc | (x << (18 - 6 * i)));
        out.push((n >> 16) as u8);
        if v.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if v.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}
