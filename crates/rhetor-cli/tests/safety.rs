//! No input stops a batch: a panicking article costs only itself (in
//! `analyze` and in `serve`), hostile inputs are refused by name, concurrent
//! writers on one store both finish with every article stored once.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rhetor-safety-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn rhetor_in(dir: &Path) -> Command {
    let mut c = support::rhetor();
    c.current_dir(dir);
    c
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn article(i: usize) -> String {
    format!(
        "Article numéro {i}\n\nSelon le ministère, {i} 000 soldats ont été déployés dans la région depuis le printemps, a déclaré le porte-parole mardi.\n\nLes habitants de la ville numéro {i} disent leur inquiétude face à cette escalade.\n"
    )
}

fn stored_count(dir: &Path, db: &Path) -> u64 {
    let out = rhetor_in(dir)
        .args(["check", "--db", db.to_str().unwrap()])
        .output()
        .expect("check");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // "PATH: integrity ok, schema version N, K documents"
    text.rsplit(", ")
        .next()
        .and_then(|t| t.trim().strip_suffix(" documents"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no document count in {text}"))
}

#[test]
fn a_panicking_article_costs_only_itself() {
    let dir = temp_dir("panic");
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for i in 0..6 {
        std::fs::write(input.join(format!("a{i}.txt")), article(i)).unwrap();
    }
    std::fs::write(
        input.join("boom.txt"),
        "Un article piégé\n\nCe texte contient le marqueur PANIC-HERE qui fait paniquer une étape de test.\n",
    )
    .unwrap();
    let db = dir.join("store.db");
    let out = rhetor_in(&dir)
        .env("RHETOR_TEST_PANIC", "PANIC-HERE")
        .env_remove("RUST_BACKTRACE")
        .args([
            "analyze",
            "--jsonl",
            "--db",
            db.to_str().unwrap(),
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains("boom.txt"))
        .unwrap_or_else(|| panic!("no line for the bad article: {err}"));
    assert!(line.contains("internal error"), "{line}");
    assert!(line.contains("please report"), "{line}");
    assert_eq!(err.matches("internal error").count(), 1, "{err}");
    assert!(!err.contains("stack backtrace"), "{err}");
    let printed = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(printed, 6);
    assert_eq!(stored_count(&dir, &db), 6);
}

#[test]
fn capitalised_german_headline_does_not_stop_the_batch() {
    let dir = temp_dir("german");
    std::fs::write(
        dir.join("de.txt"),
        "DIE GROẞE OFFENSIVE: 300 Soldaten starben 2024.\n\nLaut dem Ministerium starben bis ENDE 2024 mehr als 300 Soldaten, sagte der Sprecher am Montag.\n",
    )
    .unwrap();
    std::fs::write(dir.join("fr.txt"), article(1)).unwrap();
    let out = rhetor_in(&dir)
        .args(["analyze", "--jsonl", "--no-db", "de.txt", "fr.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn a_panicking_request_is_a_500_and_the_server_goes_on() {
    let dir = temp_dir("serve-panic");
    let mut cmd = support::rhetor();
    cmd.env("RHETOR_TEST_PANIC", "PANIC-HERE")
        .env_remove("RUST_BACKTRACE");
    let server = support::serve(cmd, &["--db", "s.db", "--allow-writes"], dir);
    let bad = support::post_json(
        server.port,
        "/api/analyze",
        &serde_json::json!({"text": "Un texte avec PANIC-HERE dedans, assez long pour être analysé.", "store": true}),
    );
    assert_eq!(bad.status, 500, "{}", bad.text());
    let body = bad.json();
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("internal error"),
        "{body}"
    );
    let good = support::post_json(
        server.port,
        "/api/analyze",
        &serde_json::json!({"text": article(3), "store": true}),
    );
    assert_eq!(good.status, 200, "{}", good.text());
    assert_eq!(good.json()["stored"], true);
    let health = support::get(server.port, "/api/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["documents"], 1);
}

#[test]
fn concurrent_writers_on_a_new_store_both_finish() {
    let dir = temp_dir("writers");
    let inputs: Vec<PathBuf> = (0..3)
        .map(|w| {
            let d = dir.join(format!("in{w}"));
            std::fs::create_dir_all(&d).unwrap();
            for i in 0..8 {
                std::fs::write(d.join(format!("a{i}.txt")), article(w * 100 + i)).unwrap();
            }
            d
        })
        .collect();
    // Shared articles too: both runs analyse them, the store keeps one copy.
    let shared = dir.join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    for i in 0..4 {
        std::fs::write(shared.join(format!("s{i}.txt")), article(1000 + i)).unwrap();
    }
    for round in 0..8 {
        let db = dir.join(format!("store{round}.db"));
        let children: Vec<_> = inputs
            .iter()
            .map(|input| {
                rhetor_in(&dir)
                    .args([
                        "analyze",
                        "--jsonl",
                        "-j",
                        "1",
                        "--db",
                        db.to_str().unwrap(),
                        input.to_str().unwrap(),
                        shared.to_str().unwrap(),
                    ])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert_eq!(stored_count(&dir, &db), 3 * 8 + 4, "round {round}");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".creating"))
            .collect();
        assert!(leftovers.is_empty(), "temporary stores left: {leftovers:?}");
    }
}

#[test]
fn gzip_bomb_in_a_warc_is_refused_by_name() {
    let dir = temp_dir("bomb");
    // 200 MB of zeros inflate from about 200 kB; the limit is 1 MB.
    let mut inner = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![b'<'; 1 << 20];
    for _ in 0..200 {
        inner.write_all(&zeros).unwrap();
    }
    let bomb = inner.finish().unwrap();
    let mut payload =
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
    payload.extend_from_slice(&bomb);
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://bomb.example/\r\nContent-Length: {}\r\n\r\n",
        payload.len()
    )
    .into_bytes();
    record.extend_from_slice(&payload);
    record.extend_from_slice(b"\r\n\r\n");
    std::fs::write(dir.join("bomb.warc"), &record).unwrap();
    let out = rhetor_in(&dir)
        .args(["analyze", "--no-db", "--max-bytes", "1000000", "bomb.warc"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bomb.warc"), "{err}");
    assert!(
        err.contains("bomb.warc: record 1: gzip body inflates past 1000000 bytes"),
        "{err}"
    );
    assert!(err.contains("gzip bomb"), "{err}");
}

#[test]
fn oversized_jsonl_line_is_refused_while_reading() {
    let dir = temp_dir("jsonl");
    let mut f = std::fs::File::create(dir.join("big.jsonl")).unwrap();
    writeln!(f, "{}", serde_json::json!({"text": article(1)})).unwrap();
    let huge = "x".repeat(3_000_000);
    writeln!(f, "{{\"text\": \"{huge}\"}}").unwrap();
    writeln!(f, "{}", serde_json::json!({"text": article(2)})).unwrap();
    drop(f);
    let out = rhetor_in(&dir)
        .args([
            "analyze",
            "--jsonl",
            "--no-db",
            "--max-bytes",
            "1000000",
            "big.jsonl",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("big.jsonl: line 2: over 1000000 bytes"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn deep_page_is_extracted_and_hostile_depth_refused() {
    let dir = temp_dir("deep");
    let body = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain selon le calendrier prévu.";
    let page = format!(
        "<html><head><title>Profond</title></head><body>{}<article><p>{body}</p><p>{body}</p></article>{}</body></html>",
        "<div>".repeat(3000),
        "</div>".repeat(3000)
    );
    std::fs::write(dir.join("deep.html"), page).unwrap();
    std::fs::write(dir.join("hostile.html"), "<div>".repeat(200_000)).unwrap();
    let out = rhetor_in(&dir)
        .args(["analyze", "--jsonl", "--no-db", "deep.html", "hostile.html"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("hostile.html: HTML nested 200000 levels deep"),
        "{err}"
    );
    let v: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(v["text"].as_str().unwrap().contains("réforme importante"));
}

#[test]
fn repeated_lines_and_empty_first_lines_are_articles() {
    let dir = temp_dir("repeat");
    std::fs::write(
        dir.join("same.txt"),
        "the same line again and again\n".repeat(50),
    )
    .unwrap();
    std::fs::write(
        dir.join("untitled.txt"),
        "\n\nLe monde d&rsquo;apr&egrave;s commence ici, avec une phrase assez longue pour un paragraphe.\n\nUne deuxième phrase suit, elle aussi assez longue pour compter.\n",
    )
    .unwrap();
    let out = rhetor_in(&dir)
        .args([
            "analyze",
            "--jsonl",
            "--db",
            "r.db",
            "same.txt",
            "untitled.txt",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[1]["text"]
        .as_str()
        .unwrap()
        .contains("Le monde d’après"));
    let server = support::serve(support::rhetor(), &["--db", "r.db"], dir.clone());
    let page = support::get(server.port, "/").text();
    assert!(
        !page.contains(dir.to_str().unwrap()),
        "a path shown as a title"
    );
}

/// A one-page PDF whose content stream shows `glyphs` characters.
fn pdf_with_glyphs(glyphs: usize) -> Vec<u8> {
    let run = format!("({}) Tj\n", "x".repeat(1000));
    let content = format!("BT /F1 1 Tf 0 0 Td\n{}ET\n", run.repeat(glyphs / 1000));
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    support::pdf_from_objects(&objects)
}

#[test]
fn a_pdf_with_millions_of_characters_is_refused_by_name() {
    let dir = temp_dir("pdf-glyphs");
    std::fs::write(dir.join("huge.pdf"), pdf_with_glyphs(3_000_000)).unwrap();
    std::fs::write(dir.join("ok.txt"), article(1)).unwrap();
    let out = rhetor_in(&dir)
        .args(["analyze", "--jsonl", "--no-db", "huge.pdf", "ok.txt"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("huge.pdf: PDF: more than 1 500 000 characters"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
