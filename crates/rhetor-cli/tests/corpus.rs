//! The main job through the real binary: analyse into the store, report,
//! export, compare; a killed ingest completes on the next run.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn workdir(name: &str) -> PathBuf {
    support::workdir("corpus", name)
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    support::rhetor()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("rhetor runs")
}

fn examples() -> String {
    repo().join("examples").display().to_string()
}

#[test]
fn main_job_builds_store_and_report() {
    let dir = workdir("main");
    let out = run_in(&dir, &["analyze", &examples(), "--report", "report.html"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("rhetor.db").exists());
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report");
    assert!(html.matches("<mark ").count() >= 30, "highlights");
    // Confident labels shown, possible ones behind the toggle.
    assert!(
        html.contains("<span class=\"pill\" style="),
        "confident labels"
    );
    assert!(
        html.contains("<span class=\"pill possible\"") && html.contains("class=\"possible\""),
        "possible labels and their marks"
    );
    assert!(
        html.contains("onchange=\"showPossible(this)\""),
        "the toggle"
    );
    assert!(html.contains("class=\"claims\""));
    assert!(
        html.contains("<svg class=\"chart techniques\"")
            && html.contains("<svg class=\"chart conflicts\"")
    );
    assert!(html.contains("North Korea") && html.contains("Ukraine"));
    assert!(html.contains("Isabelle Lasserre"));
    assert!(html.contains("L’OTAN doit cesser de jouer les lâches"));
    // Re-ingesting the same content is a no-op.
    let again = run_in(&dir, &["analyze", &examples()]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("0 new") && stderr.contains("(2 in all)"),
        "{stderr}"
    );
    let check = run_in(&dir, &["check"]);
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("integrity ok"),
        "{check:?}"
    );
    // Report from the store.
    let out = run_in(&dir, &["report", "-o", "again.html"]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(dir.join("again.html"))
        .unwrap()
        .contains("<mark "));
}

#[test]
fn exports_from_the_store() {
    let dir = workdir("export");
    assert!(run_in(&dir, &["analyze", "--jsonl", &examples()])
        .status
        .success());
    let csv =
        String::from_utf8(run_in(&dir, &["export", "--format", "claims-csv"]).stdout).unwrap();
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .starts_with("doc_id,source,title,paragraph"));
    assert!(csv.contains("Isabelle Lasserre") && csv.contains("North Korea"));
    let jsonl = String::from_utf8(run_in(&dir, &["export", "--format", "jsonl"]).stdout).unwrap();
    assert_eq!(jsonl.lines().count(), 2);
    let tsv =
        String::from_utf8(run_in(&dir, &["export", "--format", "techniques-tsv"]).stdout).unwrap();
    assert!(tsv.lines().all(|l| l.split('\t').count() == 3));
    let genre =
        String::from_utf8(run_in(&dir, &["export", "--format", "genre-tsv"]).stdout).unwrap();
    assert_eq!(genre.lines().count(), 2);
}

#[test]
fn compare_the_seeds() {
    let dir = workdir("compare");
    let a = repo().join("examples/000_d76dd2dda02f8564.txt");
    let b = repo().join("examples/004_b6a211a1276a3b4a.txt");
    let out = run_in(&dir, &["compare", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("shared frames:") && s.contains("Security_and_defense"),
        "{s}"
    );
    assert!(s.contains("perte") && s.contains("soldat"), "{s}");
    assert!(s.contains("North Korea") && s.contains("Ukraine"), "{s}");
    assert!(
        s.contains("techniques in A") && s.contains("Loaded_Language"),
        "{s}"
    );
    let json = run_in(
        &dir,
        &[
            "compare",
            "--json",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(v["figures"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn foreign_db_is_refused() {
    let dir = workdir("foreign");
    std::fs::write(dir.join("notes.txt"), "my notes\n").unwrap();
    let out = run_in(&dir, &["analyze", "--db", "notes.txt", &examples()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("notes.txt: not a SQLite database"));
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "my notes\n"
    );
}

/// Kill -9 half way through an ingest; the rerun completes it: the store
/// passes the integrity check and holds every article exactly once.
#[test]
fn killed_ingest_completes_on_rerun() {
    let data = repo().join("../shared/data/semeval2023-task3/fr/train/articles");
    let dir = workdir("kill");
    // A clean run, for the expected count and timing.
    let start = Instant::now();
    let clean = run_in(
        &dir,
        &[
            "analyze",
            "--jsonl",
            "--db",
            "clean.db",
            data.to_str().unwrap(),
        ],
    );
    assert!(clean.status.success());
    let elapsed = start.elapsed();
    let expected =
        String::from_utf8_lossy(&run_in(&dir, &["check", "--db", "clean.db"]).stdout).to_string();
    let expected_count: String = expected.rsplit(", ").next().unwrap_or("").to_string();
    assert!(expected_count.contains("documents"));
    let mut child = support::rhetor()
        .args([
            "analyze",
            "--jsonl",
            "--db",
            "killed.db",
            data.to_str().unwrap(),
        ])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(elapsed.mul_f64(0.5).max(Duration::from_millis(200)));
    child.kill().expect("kill -9"); // SIGKILL on Unix
    let _ = child.wait();
    let rerun = run_in(
        &dir,
        &[
            "analyze",
            "--jsonl",
            "--db",
            "killed.db",
            data.to_str().unwrap(),
        ],
    );
    assert!(rerun.status.success());
    let check =
        String::from_utf8_lossy(&run_in(&dir, &["check", "--db", "killed.db"]).stdout).to_string();
    assert!(check.contains("integrity ok"), "{check}");
    assert!(
        check.ends_with(&format!("{expected_count}\n"))
            || check.trim_end().ends_with(expected_count.trim_end()),
        "{check} vs {expected}"
    );
}
