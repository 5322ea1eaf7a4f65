//! Exports read back the way their tools read them, every span sliced with
//! Python's `str` (code points) and compared: Label Studio tasks and config,
//! doccano, Prodigy, brat standoff, W3C Web Annotation; `analyze --format`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workdir(name: &str) -> PathBuf {
    support::workdir("interop", name)
}

fn seeded_store(name: &str) -> PathBuf {
    let dir = workdir(name);
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "analyze",
            "--jsonl",
            support::repo().join("examples").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn export(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = support::rhetor()
        .current_dir(dir)
        .args(["export", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs a Python check over `file`; it prints the number of spans it
/// sliced and compared, and exits 1 on the first mismatch.
fn python(script: &str, file: &Path) -> usize {
    let out = Command::new("python3")
        .args(["-c", script, file.to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count")
}

const LABEL_STUDIO: &str = r#"
import json, sys
tasks = json.load(open(sys.argv[1], encoding="utf-8"))
n = 0
for t in tasks:
    text = t["data"]["text"]
    assert t["predictions"][0]["model_version"].startswith("rhetor-")
    for r in t["predictions"][0]["result"]:
        assert r["to_name"] == "text"
        if r["type"] == "labels":
            v = r["value"]
            assert text[v["start"]:v["end"]] == v["text"], (v, text[v["start"]:v["end"]])
            n += 1
        else:
            assert r["type"] == "choices" and r["value"]["choices"]
print(n)
"#;

const DOCCANO: &str = r#"
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    for s, e, label in d["label"]:
        piece = d["text"][s:e]
        assert 0 <= s < e <= len(d["text"]) and piece.strip() == piece and piece, (s, e, label)
        n += 1
print(n)
"#;

const PRODIGY: &str = r#"
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    for s in d["spans"]:
        assert d["text"][s["start"]:s["end"]] == s["text"], s
        n += 1
print(n)
"#;

const WEBANNO: &str = r#"
import json, sys
coll = json.load(open(sys.argv[1], encoding="utf-8"))
assert coll["@context"] == "http://www.w3.org/ns/anno.jsonld"
texts = {}
n = 0
for a in coll["first"]["items"]:
    quote = next(s for s in a["target"]["selector"] if s["type"] == "TextQuoteSelector")
    pos = next(s for s in a["target"]["selector"] if s["type"] == "TextPositionSelector")
    assert len(quote["exact"]) == pos["end"] - pos["start"]
    n += 1
print(n)
"#;

const BRAT: &str = r#"
import sys, pathlib
n = 0
for ann in pathlib.Path(sys.argv[1]).glob("*.ann"):
    text = ann.with_suffix(".txt").read_text(encoding="utf-8")
    for line in ann.read_text(encoding="utf-8").splitlines():
        if not line.startswith("T"):
            continue
        tid, middle, covered = line.split("\t")
        label, offsets = middle.split(" ", 1)
        pieces = [text[int(a):int(b)] for a, b in (f.split() for f in offsets.split(";"))]
        assert " ".join(pieces) == covered, (line, pieces)
        n += 1
print(n)
"#;

#[test]
fn exports_read_back_in_their_tools_terms() {
    let dir = seeded_store("exports");
    let ls = export(&dir, "labelstudio", &[]);
    std::fs::write(dir.join("ls.json"), &ls).unwrap();
    assert!(python(LABEL_STUDIO, &dir.join("ls.json")) > 20);
    let config = export(&dir, "labelstudio-config", &[]);
    assert!(
        config.starts_with("<View>")
            && config.contains("<Labels name=\"technique\" toName=\"text\">")
    );
    let tasks: serde_json::Value = serde_json::from_str(&ls).unwrap();
    for t in tasks.as_array().unwrap() {
        for r in t["predictions"][0]["result"].as_array().unwrap() {
            let labels = r["value"]["labels"]
                .as_array()
                .or(r["value"]["choices"].as_array())
                .unwrap();
            for l in labels {
                let l = l.as_str().unwrap();
                assert!(
                    config.contains(&format!("value=\"{l}\"")),
                    "{l} missing from the config"
                );
            }
        }
    }
    std::fs::write(dir.join("d.jsonl"), export(&dir, "doccano", &[])).unwrap();
    assert!(python(DOCCANO, &dir.join("d.jsonl")) > 20);
    std::fs::write(dir.join("p.jsonl"), export(&dir, "prodigy", &[])).unwrap();
    assert!(python(PRODIGY, &dir.join("p.jsonl")) > 20);
    std::fs::write(dir.join("w.json"), export(&dir, "webanno", &[])).unwrap();
    assert!(python(WEBANNO, &dir.join("w.json")) > 20);
    export(&dir, "brat", &["-o", "brat"]);
    assert!(dir.join("brat/annotation.conf").is_file());
    assert!(python(BRAT, &dir.join("brat")) > 20);
}

#[test]
fn analyze_takes_the_export_names() {
    let dir = workdir("format");
    let seed = support::repo().join("examples/004_b6a211a1276a3b4a.txt");
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "analyze",
            "--no-db",
            "--format",
            "prodigy",
            seed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(dir.join("p.jsonl"), &out.stdout).unwrap();
    assert!(python(PRODIGY, &dir.join("p.jsonl")) > 5);
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "analyze",
            "--no-db",
            "--format",
            "labelstudio",
            seed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(dir.join("ls.json"), &out.stdout).unwrap();
    assert!(python(LABEL_STUDIO, &dir.join("ls.json")) > 5);
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "analyze",
            "--no-db",
            "--format",
            "claims-csv",
            seed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rhetor export --format claims-csv"));
}

#[test]
fn inputs_from_neighbouring_tools() {
    let dir = workdir("inputs");
    let body = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain, selon le calendrier prévu.";
    std::fs::write(
        dir.join("newsplease.json"),
        serde_json::json!({"title": "Réforme", "maintext": body, "authors": ["Jean Dupont", "Ana Ruiz"], "date_publish": "2024-03-05 10:00:00", "source_domain": "lemonde.fr", "url": "https://www.lemonde.fr/a.html"}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("trafilatura.json"),
        serde_json::json!({"title": "Réforme", "text": body, "source": "https://www.lefigaro.fr/b.html", "source-hostname": "lefigaro.fr", "date": "2024-03-06", "author": "Marie Curie"}).to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("mediacloud.json"),
        serde_json::json!([
            {"stories_id": 11, "media_name": "Libération", "publish_date": "2024-03-07 08:00:00", "title": "Réforme", "url": "https://www.liberation.fr/c.html", "text": body},
            {"stories_id": 12, "media_name": "Le Parisien", "publish_date": "2024-03-08", "title": "Autre", "url": "https://www.leparisien.fr/d.html", "text": format!("{body} Encore.")},
        ])
        .to_string(),
    )
    .unwrap();
    let out = support::run_ok(
        &dir,
        &[
            "analyze",
            "--no-db",
            "--jsonl",
            "newsplease.json",
            "trafilatura.json",
            "mediacloud.json",
        ],
    );
    let docs: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 4);
    let by_source = |s: &str| {
        docs.iter()
            .find(|d| d["source"]["name"] == s)
            .unwrap_or_else(|| panic!("{s}"))
    };
    let np = by_source("lemonde.fr");
    assert_eq!(np["published"], "2024-03-05");
    assert_eq!(np["source"]["url"], "https://www.lemonde.fr/a.html");
    assert_eq!(np["declared_author"], "Jean Dupont, Ana Ruiz");
    let tf = by_source("lefigaro.fr");
    assert_eq!(tf["source"]["url"], "https://www.lefigaro.fr/b.html");
    assert_eq!(tf["published"], "2024-03-06");
    let mc = by_source("Libération");
    assert_eq!(mc["published"], "2024-03-07");
    assert_eq!(mc["input_id"], "11");
    assert!(docs.iter().any(|d| d["source"]["name"] == "Le Parisien"));
}

#[test]
fn cli_conventions() {
    let dir = workdir("conventions");
    let seed = support::repo().join("examples/004_b6a211a1276a3b4a.txt");
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "-q",
            "analyze",
            "--no-db",
            "--jsonl",
            seed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Errors still show under -q.
    let out = support::rhetor()
        .current_dir(&dir)
        .args(["--quiet", "analyze", "--no-db", "missing.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));
    // No ANSI escapes anywhere, NO_COLOR or not.
    let out = support::rhetor()
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .args(["analyze", "--no-db", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.stdout.contains(&0x1b) && !out.stderr.contains(&0x1b));
    for shell in ["bash", "zsh", "fish"] {
        let out = support::rhetor()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("analyze"),
            "{shell}"
        );
    }
    let man = support::rhetor().arg("man").output().unwrap();
    assert!(man.status.success());
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH rhetor 1"),
        "{man}"
    );
}

/// A tiny HTTP server on 127.0.0.1 for the fetch tests: `/article` (HTML),
/// `/plain` (text), `/missing` (404), `/loop` (redirects to itself),
/// `/moved` (one redirect to `/article`), `/huge` (a body over the limit).
/// Records each request's User-Agent.
fn http_server() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let agents = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = agents.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some(ua) = line
                    .strip_prefix("user-agent:")
                    .or_else(|| line.strip_prefix("User-Agent:"))
                {
                    seen.lock().unwrap().push(ua.trim().to_string());
                }
            }
            let body_text = "Le gouvernement a annoncé mardi une réforme importante des retraites, qui sera examinée par le Parlement au printemps prochain, selon Reuters.";
            let (status, headers, body): (&str, String, Vec<u8>) = match path.as_str() {
                "/article" => ("200 OK", "Content-Type: text/html; charset=utf-8\r\n".into(), format!("<html><head><title>Réforme</title></head><body><article><h1>Réforme</h1><p>{body_text}</p><p>{body_text} Encore.</p></article></body></html>").into_bytes()),
                "/plain" => ("200 OK", "Content-Type: text/plain; charset=utf-8\r\n".into(), format!("Titre\n\n{body_text}\n").into_bytes()),
                "/loop" => ("302 Found", "Location: /loop\r\n".into(), Vec::new()),
                "/moved" => ("301 Moved Permanently", "Location: /article\r\n".into(), Vec::new()),
                "/huge" => ("200 OK", "Content-Type: text/plain\r\n".into(), vec![b'a'; 3_000_000]),
                _ => ("404 Not Found", "Content-Type: text/plain\r\n".into(), b"no".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    (port, agents)
}

#[test]
fn urls_are_fetched_on_request_with_limits() {
    let dir = workdir("urls");
    let (port, agents) = http_server();
    let base = format!("http://127.0.0.1:{port}");
    std::fs::write(
        dir.join("urls.txt"),
        format!("# to read\n{base}/plain\n\n{base}/missing\n{base}/loop\n{base}/huge\n"),
    )
    .unwrap();
    let out = support::rhetor()
        .current_dir(&dir)
        .args([
            "analyze",
            "--no-db",
            "--jsonl",
            "--max-bytes",
            "1000000",
            "--urls",
            "urls.txt",
            &format!("{base}/article"),
            &format!("{base}/moved"),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let docs: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs.len(), 3, "{err}");
    assert!(docs
        .iter()
        .any(|d| d["format"] == "html" && d["title"]["text"] == "Réforme"));
    assert!(docs.iter().any(|d| d["format"] == "text"));
    assert!(docs
        .iter()
        .all(|d| d["source"]["url"].as_str().unwrap().starts_with(&base)));
    assert!(
        err.contains(&format!("{base}/missing: cannot fetch: HTTP status 404")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{base}/loop: cannot fetch: more than 5 redirects")),
        "{err}"
    );
    assert!(err.contains(&format!("{base}/huge: too large")), "{err}");
    let agents = agents.lock().unwrap();
    assert!(
        !agents.is_empty() && agents.iter().all(|a| a.starts_with("rhetor/")),
        "{agents:?}"
    );
}

#[test]
fn label_studio_round_trip() {
    let dir = seeded_store("roundtrip");
    let ls = export(&dir, "labelstudio", &[]);
    let mut tasks: serde_json::Value = serde_json::from_str(&ls).unwrap();
    // An annotator accepts the predictions of the first task, adds a label
    // and changes the genre; the second task is left alone.
    let first = &mut tasks.as_array_mut().unwrap()[0];
    let mut result = first["predictions"][0]["result"]
        .as_array()
        .unwrap()
        .clone();
    for r in &mut result {
        if r["from_name"] == "genre" {
            r["value"]["choices"] = serde_json::json!(["satire"]);
        }
    }
    let text = first["data"]["text"].as_str().unwrap().to_string();
    let word: String = text.chars().take(12).collect();
    result.push(serde_json::json!({"from_name": "technique", "to_name": "text", "type": "labels",
        "value": {"start": 0, "end": word.chars().count(), "text": word, "labels": ["Exaggeration-Minimisation"]}}));
    first["annotations"] = serde_json::json!([{
        "completed_by": {"email": "ana@newsroom.example"},
        "created_at": "2026-12-01T10:00:00Z",
        "result": result,
    }]);
    std::fs::write(
        dir.join("annotated.json"),
        serde_json::to_string(&tasks).unwrap(),
    )
    .unwrap();
    let import = |dir: &Path| {
        let out = support::rhetor()
            .current_dir(dir)
            .args(["import", "labelstudio", "annotated.json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let first_import = import(&dir);
    assert!(
        first_import.contains("of 1 documents imported"),
        "{first_import}"
    );
    assert_eq!(import(&dir), first_import, "re-importing is idempotent");
    let jsonl = export(&dir, "jsonl", &[]);
    let corrected: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|d| d["corrections"].is_array())
        .collect();
    assert_eq!(corrected.len(), 1);
    let c = corrected[0]["corrections"].as_array().unwrap();
    assert!(c.iter().any(|x| x["kind"] == "genre"
        && x["label"] == "satire"
        && x["annotator"] == "ana@newsroom.example"));
    assert!(c
        .iter()
        .any(|x| x["label"] == "Exaggeration-Minimisation"
            && x["created_at"] == "2026-12-01T10:00:00Z"));
    // The model's own labels are untouched beside them.
    assert_ne!(corrected[0]["genre"]["label"], "satire");
    let out = support::rhetor()
        .current_dir(&dir)
        .args(["report", "-o", "r.html"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = std::fs::read_to_string(dir.join("r.html")).unwrap();
    assert!(html.contains("Human corrections") && html.contains("ana@newsroom.example"));
    // A task of another store is refused by name; the rest goes on.
    let mut foreign = tasks.clone();
    foreign[1]["data"]["rhetor_id"] = serde_json::json!("0123456789abcdef0123456789abcdef");
    foreign[1]["annotations"] = foreign[0]["annotations"].clone();
    std::fs::write(
        dir.join("annotated.json"),
        serde_json::to_string(&foreign).unwrap(),
    )
    .unwrap();
    let out = support::rhetor()
        .current_dir(&dir)
        .args(["import", "labelstudio", "annotated.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("task 2: document 0123456789abcdef0123456789abcdef is not in"));
}

const PARQUET: &str = r#"
import sys
import pyarrow.parquet as pq
d = sys.argv[1]
text = {r["id"]: r["text"] for r in pq.read_table(f"{d}/documents.parquet").to_pylist()}
n = 0
for table in ["paragraphs", "evidence", "claims"]:
    for r in pq.read_table(f"{d}/{table}.parquet").to_pylist():
        assert text[r["doc_id"]][r["start"]:r["end"]] == r["text"], (table, r)
        n += 1
assert pq.read_table(f"{d}/techniques.parquet").num_rows > 0
src = pq.read_table(f"{d}/sources.parquet").to_pylist()
assert any(s["source_id"] == "outlet:sputnik" and s["typology"] == "state-controlled" for s in src)
print(n)
"#;

#[test]
fn parquet_tables_read_back_with_pyarrow() {
    let has_pyarrow = Command::new("python3")
        .args(["-c", "import pyarrow"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pyarrow {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install pyarrow (python3 -m pip install pyarrow)"
        );
        eprintln!("note: pyarrow not installed; skipping the Parquet read-back");
        return;
    }
    let dir = seeded_store("parquet");
    export(&dir, "parquet", &["-o", "tables"]);
    assert!(python(PARQUET, &dir.join("tables")) > 50);
}
