//! A team's PostgreSQL store, driven through the real binary against a real
//! server: every store command with `--db postgres://…`, queued ingest with
//! several workers (one killed mid-batch), two writers at once, and the web
//! app reading while workers write. Skipped with a note without a server
//! (`RHETOR_TEST_PG`), a failure under CI.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn workdir(name: &str) -> PathBuf {
    support::workdir("pg", name)
}

fn rhetor(dir: &Path) -> Command {
    let mut c = support::rhetor();
    c.current_dir(dir);
    c
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn article(i: usize) -> String {
    format!(
        "Article numéro {i}\n\nSelon le ministère, {i} 000 soldats ont été déployés dans la région numéro {i} depuis le printemps, a déclaré le porte-parole mardi.\n\nLes habitants de la ville {i} disent leur inquiétude face à cette escalade militaire.\n"
    )
}

fn count(dir: &Path, url: &str) -> u64 {
    let text = ok(rhetor(dir).args(["check", "--db", url]).output().unwrap());
    text.rsplit(", ")
        .next()
        .and_then(|t| t.trim().strip_suffix(" documents"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {text}"))
}

#[test]
fn every_store_command_works_on_postgres() {
    let Some(url) = support::pg_database("commands") else {
        return;
    };
    let dir = workdir("commands");
    let examples = support::repo().join("examples");
    let out = rhetor(&dir)
        .args([
            "analyze",
            examples.to_str().unwrap(),
            "--db",
            &url,
            "--report",
            "r.html",
        ])
        .output()
        .unwrap();
    ok(out);
    assert!(std::fs::read_to_string(dir.join("r.html"))
        .unwrap()
        .contains("Sputnik"));
    // Again: nothing new, nothing twice.
    let out = rhetor(&dir)
        .args([
            "analyze",
            examples.to_str().unwrap(),
            "--db",
            &url,
            "--jsonl",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    ok(out);
    assert!(err.contains("0 new"), "{err}");
    assert_eq!(count(&dir, &url), 2);
    // RHETOR_DB works like --db.
    let text = ok(rhetor(&dir)
        .env("RHETOR_DB", &url)
        .args(["export", "--format", "jsonl"])
        .output()
        .unwrap());
    assert_eq!(text.lines().count(), 2);
    let csv = ok(rhetor(&dir)
        .args(["export", "--format", "claims-csv", "--db", &url])
        .output()
        .unwrap());
    assert!(csv.lines().count() > 20);
    ok(rhetor(&dir)
        .args(["report", "--db", &url, "-o", "all.html"])
        .output()
        .unwrap());
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let cmp = ok(rhetor(&dir)
        .args(["compare", &ids[0][..8], &ids[1][..8], "--db", &url])
        .output()
        .unwrap());
    assert!(!cmp.is_empty());
    // The web app over the same database, with its full-text search.
    let server = support::serve(support::rhetor(), &["--db", &url], dir.clone());
    let docs = support::get(server.port, "/api/documents?q=soldats").json();
    let found = docs["documents"].as_array().map_or(0, |a| a.len());
    assert!(found >= 1, "{docs}");
    assert_eq!(
        support::get(server.port, "/api/health").json()["documents"],
        2
    );
    assert_eq!(support::get(server.port, "/").status, 200);
    // The password never shows.
    let with_password = url.replacen("rhetor@", "rhetor:s3cret@", 1);
    let out = rhetor(&dir)
        .args(["check", "--db", &with_password])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "{all}");
}

#[test]
fn a_foreign_database_is_refused() {
    let Some(url) = support::pg_database("foreign") else {
        return;
    };
    let dir = workdir("foreign");
    let status = Command::new("psql")
        .args([url.as_str(), "-qc", "CREATE TABLE payroll (id int)"])
        .status()
        .unwrap();
    assert!(status.success());
    let examples = support::repo().join("examples");
    let out = rhetor(&dir)
        .args(["analyze", examples.to_str().unwrap(), "--db", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a rhetor store"));
}

fn queue_inputs(dir: &Path, n: usize) -> PathBuf {
    let input = dir.join("in");
    std::fs::create_dir_all(&input).unwrap();
    for i in 0..n {
        std::fs::write(input.join(format!("a{i:03}.txt")), article(i)).unwrap();
    }
    std::fs::write(input.join("broken.txt"), b"\x00\x01binary").unwrap();
    input
}

#[test]
fn workers_share_the_queue_and_survive_a_kill() {
    let Some(url) = support::pg_database("workers") else {
        return;
    };
    let dir = workdir("workers");
    let input = queue_inputs(&dir, 60);
    ok(rhetor(&dir)
        .args([
            "queue",
            "add",
            input.to_str().unwrap(),
            "--db",
            &url,
            "--batch",
            "4",
        ])
        .output()
        .unwrap());
    // The web app reads while the workers write.
    let server = support::serve(support::rhetor(), &["--db", &url], dir.clone());
    let worker = |lease: &str| {
        rhetor(&dir)
            .args([
                "worker",
                "--db",
                &url,
                "--until-empty",
                "--lease",
                lease,
                "-j",
                "1",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut victim = worker("2");
    let a = worker("30");
    let b = worker("30");
    std::thread::sleep(Duration::from_millis(300));
    let _ = victim.kill(); // -9: its batch stays "running" until its lease ends
    let _ = victim.wait();
    let started = Instant::now();
    let mut health_checks = 0;
    while started.elapsed() < Duration::from_secs(1) {
        assert_eq!(support::get(server.port, "/api/health").status, 200);
        health_checks += 1;
    }
    assert!(health_checks > 0);
    for w in [a, b] {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(count(&dir, &url), 60, "every article stored exactly once");
    let status = ok(rhetor(&dir)
        .args(["queue", "status", "--db", &url, "--json"])
        .output()
        .unwrap());
    let s: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(s["items_done"], 60, "{s}");
    assert_eq!(s["items_failed"], 1, "{s}");
    assert_eq!(s["batches_pending"], 0);
    assert_eq!(s["batches_running"], 0);
    assert!(
        status.contains("broken.txt"),
        "the failure is named: {status}"
    );
}

#[test]
fn three_workers_and_two_writers_at_once() {
    let Some(url) = support::pg_database("writers") else {
        return;
    };
    let dir = workdir("writers");
    let input = queue_inputs(&dir, 30);
    ok(rhetor(&dir)
        .args([
            "queue",
            "add",
            input.to_str().unwrap(),
            "--db",
            &url,
            "--batch",
            "3",
        ])
        .output()
        .unwrap());
    let others = dir.join("others");
    std::fs::create_dir_all(&others).unwrap();
    for i in 100..120 {
        std::fs::write(others.join(format!("b{i}.txt")), article(i)).unwrap();
    }
    let mut children: Vec<_> = (0..3)
        .map(|_| {
            rhetor(&dir)
                .args(["worker", "--db", &url, "--until-empty", "-j", "1"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for _ in 0..2 {
        children.push(
            rhetor(&dir)
                .args([
                    "analyze",
                    others.to_str().unwrap(),
                    "--db",
                    &url,
                    "--jsonl",
                    "-j",
                    "1",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(count(&dir, &url), 50);
}
