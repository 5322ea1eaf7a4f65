//! End-to-end tests driving the real `rhetor` binary.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary, run in a fresh working directory (its default store,
/// `rhetor.db`, lands there and not in the source tree).
fn rhetor() -> Command {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let cwd = std::env::temp_dir().join(format!("rhetor-cwd-{}-{n}", std::process::id()));
    // Emptied first: an earlier run with the same process id left its store
    // there (the seeds then print as "already in the store").
    let _ = std::fs::remove_dir_all(&cwd);
    std::fs::create_dir_all(&cwd).expect("temp cwd");
    let mut c = support::rhetor();
    c.current_dir(cwd);
    c
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    rhetor().args(args).output().expect("rhetor runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rhetor-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn analyze_seed_json() {
    let seed = repo().join("examples/004_b6a211a1276a3b4a.txt");
    let out = run(&["analyze", "--json", seed.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["schema"], "rhetor.analysis/1");
    assert_eq!(v["language"]["code"], "fr");
    assert_eq!(v["author"]["text"], "Jacques Guillemain");
    assert_eq!(v["id"].as_str().map(str::len), Some(32));
    let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
    for p in v["paragraphs"].as_array().unwrap() {
        let (s, e) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            text[s..e].iter().collect::<String>(),
            p["text"].as_str().unwrap()
        );
    }
    assert!(v["sentences"].as_array().unwrap().len() > 30);
}

#[test]
fn analyze_directory_gives_jsonl_and_human_summary() {
    let out = run(&[
        "analyze",
        "--json",
        repo().join("examples").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 2);
    for l in lines {
        serde_json::from_str::<serde_json::Value>(l).expect("JSONL");
    }
    let out = run(&["analyze", repo().join("examples").to_str().unwrap()]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("author:   Maxime Marquette"), "{s}");
    assert!(s.contains("author:   Jacques Guillemain"), "{s}");
}

#[test]
fn stdin_is_read() {
    let mut child = rhetor()
        .args(["analyze", "--json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            "Titre\n\nUn paragraphe en français, assez long pour être reconnu comme tel.\n"
                .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"]["text"], "Titre");
    assert_eq!(v["source"]["path"], "-");
}

/// Bad inputs: one clear line each, the good input still analysed, exit 1.
#[test]
fn bad_inputs_are_reported_and_the_batch_goes_on() {
    let dir = temp_dir("bad");
    std::fs::write(dir.join("empty.txt"), b"").unwrap();
    std::fs::write(
        dir.join("binary.txt"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x02\x00",
    )
    .unwrap();
    std::fs::write(
        dir.join("latin1.txt"),
        b"Le pr\xe9sident a d\xe9clar\xe9 que l'\xe9t\xe9 serait chaud et tr\xe8s long.",
    )
    .unwrap();
    // A truncated gzip.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&b"<html><body><p>texte</p></body></html>".repeat(200))
        .unwrap();
    let gz = gz.finish().unwrap();
    std::fs::write(dir.join("cut.html.gz"), &gz[..gz.len() / 2]).unwrap();
    // Deeply nested HTML.
    let deep = "<div>".repeat(50_000) + "texte" + &"</div>".repeat(50_000);
    std::fs::write(dir.join("deep.html"), deep).unwrap();
    // A WARC with no HTML.
    let payload = "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG";
    let warc = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x/a.png\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
        payload.len()
    );
    std::fs::write(dir.join("images.warc"), warc).unwrap();
    // JSONL with one bad line between two good ones.
    std::fs::write(
        dir.join("feed.jsonl"),
        "{\"text\":\"Premier article, avec assez de texte.\",\"source\":\"AFP\"}\n{oops\n{\"html\":\"<html><body><article><p>Second article en HTML, avec un paragraphe qui a assez de texte pour être gardé par l'extracteur de contenu principal.</p></article></body></html>\"}\n",
    )
    .unwrap();
    let missing = dir.join("missing.txt");
    let out = run(&[
        "analyze",
        "--jsonl",
        dir.to_str().unwrap(),
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expect = [
        ("empty.txt", "empty input"),
        ("binary.txt", "not text"),
        ("cut.html.gz", "gzip"),
        ("deep.html", "nested"),
        ("images.warc", "no HTML"),
        ("feed.jsonl", "line 2: invalid JSON"),
        ("missing.txt", "no such file"),
    ];
    for (file, reason) in expect {
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(file) && l.contains(reason)),
            "no line for {file} ({reason}) in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    let docs: Vec<serde_json::Value> = std::str::from_utf8(&out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3, "latin1.txt and the two good JSONL lines");
    let latin = docs
        .iter()
        .find(|d| d["encoding"] == "windows-1252")
        .expect("latin-1 decoded");
    assert!(latin["text"].as_str().unwrap().contains("président"));
    assert!(docs.iter().any(|d| d["source"]["name"] == "AFP"));
}

#[test]
fn oversized_file_is_refused() {
    let dir = temp_dir("big");
    let big = dir.join("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(3_000_000).unwrap();
    let out = run(&["analyze", "--max-bytes", "1000000", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("too large"));
}

#[test]
fn usage_error_exits_2() {
    let out = run(&["analyze"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn warc_gz_pages_become_articles() {
    let dir = temp_dir("warc");
    let html = "<html><head><title>Un titre</title></head><body><article><p>Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée au printemps.</p><p>Les syndicats ont réagi dans un communiqué publié dans la soirée, dénonçant une méthode brutale.</p></article></body></html>";
    let payload =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let record = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/a\r\nWARC-Date: 2024-03-05T10:00:00Z\r\nContent-Length: {}\r\n\r\n{payload}\r\n\r\n",
        payload.len()
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(record.as_bytes()).unwrap();
    std::fs::write(dir.join("crawl.warc.gz"), gz.finish().unwrap()).unwrap();
    let out = run(&[
        "analyze",
        "--json",
        dir.join("crawl.warc.gz").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["source"]["url"], "https://news.example/a");
    assert_eq!(v["published"], "2024-03-05");
    assert_eq!(v["title"]["text"], "Un titre");
    assert!(v["text"]
        .as_str()
        .unwrap()
        .contains("Les syndicats ont réagi"));
}

#[test]
fn numbers_reads_lines_and_survives_bad_ones() {
    let mut input: Vec<u8> = "Zelensky perd chaque mois 20 000 soldats.\n"
        .as_bytes()
        .to_vec();
    input.extend_from_slice(b"\xff\xfe broken\n");
    input.extend(std::iter::repeat_n(b'7', 1_100_000));
    input.push(b'\n');
    input.extend_from_slice("two hundred and five dollars\n".as_bytes());
    let mut child = rhetor()
        .args(["numbers", "--lang", "fr"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(first[0]["value"], 20000.0);
    assert_eq!(first[0]["text"], "20 000");
    assert_eq!(first[0]["start"], 26);
    assert_eq!(lines[1], "[]");
    assert_eq!(lines[2], "[]");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("UTF-8"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 3") && stderr.contains("1 MB"),
        "{stderr}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A one-page PDF with Helvetica text, offsets computed.
fn tiny_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 12 Tf 72 720 Td 14 TL\n");
    for l in lines {
        content.push_str(&format!(
            "({}) Tj T*\n",
            l.replace('(', "\\(").replace(')', "\\)")
        ));
    }
    content.push_str("ET\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
    ];
    support::pdf_from_objects(&objects)
}

#[test]
fn pdf_text_is_extracted_and_repaired() {
    let dir = temp_dir("pdf");
    let lines = [
        "Selon Reuters, Kiev a perdu plus de 400",
        "000 soldats depuis le debut de la guerre, et la contre-",
        "offensive se solde par un fiasco avec plus de 70 000 tues,",
        "ce que personne ne conteste plus aujourd'hui dans la region.",
    ];
    std::fs::write(dir.join("article.pdf"), tiny_pdf(&lines)).unwrap();
    std::fs::write(
        dir.join("broken.pdf"),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage",
    )
    .unwrap();
    let out = run(&["analyze", "--no-db", "--jsonl", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "broken.pdf fails, article.pdf does not"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("broken.pdf") && l.contains("PDF")),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .expect("one document"),
    )
    .unwrap();
    assert_eq!(v["format"], "pdf");
    let text = v["text"].as_str().unwrap();
    assert!(text.contains("plus de 400 000 soldats"), "{text}");
    assert!(text.contains("contre-offensive"), "{text}");
    let claim = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == 400000.0)
        .expect("400 000");
    assert_eq!(claim["source"]["text"], "Reuters");
}
