//! The shipped models through the real binary: techniques with evidence,
//! frames and genre on the seeds; damaged model files; the task formats.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs rhetor in the temp directory; `analyze` gets `--no-db` (these tests
/// look at models, not the store).
fn run(args: &[&str]) -> Output {
    let (cmd, rest) = args.split_first().expect("a command");
    let mut c = support::rhetor();
    c.arg(cmd);
    if *cmd == "analyze" {
        c.arg("--no-db");
    }
    c.args(rest).current_dir(std::env::temp_dir());
    c.output().expect("rhetor runs")
}

fn analyse(seed: &str) -> serde_json::Value {
    let path = repo().join("examples").join(seed);
    let out = run(&["analyze", "--json", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

const TECHNIQUES: &str = include_str!("../../../../shared/data/semeval2023-task3/techniques.txt");

#[test]
fn seeds_get_techniques_with_evidence_frames_and_genre() {
    for seed in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let v = analyse(seed);
        let text: Vec<char> = v["text"].as_str().unwrap().chars().collect();
        let mut with_techniques = 0;
        let mut loaded = 0;
        for p in v["paragraphs"].as_array().unwrap() {
            let techniques = p["techniques"].as_array().unwrap();
            with_techniques += usize::from(!techniques.is_empty());
            for t in techniques {
                let name = t["technique"].as_str().unwrap();
                assert!(
                    TECHNIQUES.lines().any(|l| l == name),
                    "unknown technique {name}"
                );
                loaded += usize::from(name == "Loaded_Language");
                let evidence = t["evidence"].as_array().unwrap();
                assert!(!evidence.is_empty(), "{name} without evidence");
                for e in evidence {
                    let (s, en) = (
                        e["start"].as_u64().unwrap() as usize,
                        e["end"].as_u64().unwrap() as usize,
                    );
                    assert!(
                        p["start"].as_u64().unwrap() as usize <= s
                            && en <= p["end"].as_u64().unwrap() as usize
                    );
                    assert_eq!(
                        text[s..en].iter().collect::<String>(),
                        e["text"].as_str().unwrap()
                    );
                }
            }
        }
        // Both seeds are polemics, dense with loaded language.
        assert!(
            with_techniques >= 10,
            "{seed}: {with_techniques} paragraphs with techniques"
        );
        assert!(loaded >= 8, "{seed}: {loaded} Loaded_Language");
        assert_eq!(v["genre"]["label"], "opinion", "{seed}");
        let frames: Vec<&str> = v["frames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["label"].as_str().unwrap())
            .collect();
        assert!(
            frames.contains(&"Security_and_defense"),
            "{seed}: {frames:?}"
        );
    }
}

#[test]
fn human_summary_shows_evidence_words() {
    let out = run(&[
        "analyze",
        repo()
            .join("examples/004_b6a211a1276a3b4a.txt")
            .to_str()
            .unwrap(),
    ]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("genre:    opinion"), "{s}");
    assert!(s.contains("▸ Loaded_Language") && s.contains('«'), "{s}");
    // Possible labels are marked apart, with the legend.
    assert!(s.contains("       ? ") && s.contains("? possible"), "{s}");
}

/// Stderr of `analyze --model DIR SEED`.
fn analyse_with(dir: &Path, seed: &Path) -> String {
    let out = run(&[
        "analyze",
        "--model",
        dir.to_str().unwrap(),
        seed.to_str().unwrap(),
    ]);
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn damaged_or_missing_model_files_are_named() {
    let dir = std::env::temp_dir().join(format!("rhetor-models-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["techniques.bin", "frames.bin", "genre.bin", "evidence.bin"] {
        std::fs::copy(repo().join("models").join(f), dir.join(f)).unwrap();
    }
    let seed = repo().join("examples/004_b6a211a1276a3b4a.txt");
    let ok = run(&[
        "analyze",
        "--model",
        dir.to_str().unwrap(),
        seed.to_str().unwrap(),
    ]);
    assert!(ok.status.success());
    // Truncated.
    let bytes = std::fs::read(dir.join("frames.bin")).unwrap();
    std::fs::write(dir.join("frames.bin"), &bytes[..bytes.len() / 3]).unwrap();
    let out = run(&[
        "analyze",
        "--model",
        dir.to_str().unwrap(),
        seed.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("frames.bin") && err.contains("truncated"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    // Wrong version.
    let mut b = bytes.clone();
    b[8] = 99;
    std::fs::write(dir.join("frames.bin"), &b).unwrap();
    let err = analyse_with(&dir, &seed);
    assert!(
        err.contains("frames.bin") && err.contains("version 99"),
        "{err}"
    );
    // Missing.
    std::fs::remove_file(dir.join("genre.bin")).unwrap();
    let err = analyse_with(&dir, &seed);
    assert!(err.contains("genre.bin"), "{err}");
}

#[test]
fn semeval_task_formats() {
    let src = repo().join("../shared/data/semeval2023-task3/fr/train/articles");
    let dir = std::env::temp_dir().join(format!("rhetor-semeval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut expected_rows = 0;
    for p in names.iter().take(4) {
        std::fs::copy(p, dir.join(p.file_name().unwrap())).unwrap();
        let text = std::fs::read_to_string(p).unwrap();
        expected_rows += text.split('\n').filter(|l| !l.trim().is_empty()).count();
    }
    let out = run(&["semeval", "techniques", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let rows: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(rows.len(), expected_rows);
    for r in &rows {
        let f: Vec<&str> = r.split('\t').collect();
        assert_eq!(f.len(), 3, "{r:?}");
        assert!(f[1].parse::<usize>().unwrap() >= 1);
        for l in f[2].split(',').filter(|l| !l.is_empty()) {
            assert!(TECHNIQUES.lines().any(|t| t == l), "{l}");
        }
    }
    // --confident: the same rows, each with a subset of the labels, and
    // fewer labels in all (the possible ones left out).
    let out = run(&[
        "semeval",
        "techniques",
        "--confident",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let sure: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(sure.len(), rows.len());
    let labels = |r: &str| -> Vec<String> {
        r.split('\t')
            .nth(2)
            .unwrap_or("")
            .split(',')
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (mut all_n, mut sure_n) = (0, 0);
    for (a, b) in rows.iter().zip(&sure) {
        let (la, lb) = (labels(a), labels(b));
        assert!(lb.iter().all(|l| la.contains(l)), "{b:?} not within {a:?}");
        all_n += la.len();
        sure_n += lb.len();
    }
    assert!(sure_n < all_n, "{sure_n} confident of {all_n}");

    // spans: character offsets into the file as shipped (CRLF included),
    // each inside one line that carries the span's technique.
    let line_labels: std::collections::HashMap<(String, usize), Vec<String>> = rows
        .iter()
        .map(|r| {
            let f: Vec<&str> = r.split('\t').collect();
            ((f[0].to_string(), f[1].parse().unwrap()), labels(r))
        })
        .collect();
    let out = run(&["semeval", "spans", dir.to_str().unwrap()]);
    assert!(out.status.success());
    let spans = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(spans.lines().count() > 0);
    for r in spans.lines() {
        let f: Vec<&str> = r.split('\t').collect();
        assert_eq!(f.len(), 4, "{r:?}");
        let (start, end): (usize, usize) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        assert!(start < end, "{r:?}");
        let text = std::fs::read_to_string(dir.join(format!("article{}.txt", f[0]))).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let piece: String = chars[start..end].iter().collect();
        assert!(!piece.contains('\n'), "{r:?}: {piece:?}");
        assert_eq!(piece.trim(), piece, "{r:?}");
        let line = chars[..start].iter().filter(|&&c| c == '\n').count() + 1;
        let on_line = &line_labels[&(f[0].to_string(), line)];
        assert!(
            on_line.iter().any(|l| l == f[1]),
            "{r:?} on line {line}: {on_line:?}"
        );
    }
    let out = run(&["semeval", "spans", "--confident", dir.to_str().unwrap()]);
    let sure_spans = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(sure_spans.lines().all(|l| spans.lines().any(|a| a == l)));
    assert!(sure_spans.lines().count() <= spans.lines().count());
    // --gold: the character-overlap scores against the task's spans.tsv,
    // counted over the articles of the folder only.
    let gold = repo().join("../shared/data/semeval2023-task3/fr/train/spans.tsv");
    let out = run(&[
        "semeval",
        "spans",
        dir.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    let total = table
        .lines()
        .find(|l| l.starts_with("| **all (micro)** |"))
        .unwrap_or_else(|| panic!("{table}"));
    let f: Vec<&str> = total.split('|').map(str::trim).collect();
    let predicted: usize = f[3].parse().unwrap();
    let covered: usize = spans
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            f[3].parse::<usize>().unwrap() - f[2].parse::<usize>().unwrap()
        })
        .sum();
    assert!(predicted > 0 && predicted <= covered, "{table}");
    // --predicted: any system's spans scored against the same gold; the
    // gold itself scores 1 (rows of other articles do not count).
    let as_predicted = dir.join("gold-as-predicted.tsv");
    std::fs::copy(&gold, &as_predicted).unwrap();
    let out = run(&[
        "semeval",
        "spans",
        dir.to_str().unwrap(),
        "--gold",
        gold.to_str().unwrap(),
        "--predicted",
        as_predicted.to_str().unwrap(),
    ]);
    let perfect = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        perfect.contains("| 1.000 | 1.000 | **1.000** |"),
        "{perfect}"
    );
    let out = run(&[
        "semeval",
        "spans",
        dir.to_str().unwrap(),
        "--predicted",
        as_predicted.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "--predicted needs --gold");

    let out = run(&["semeval", "genre", dir.to_str().unwrap()]);
    let genre = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(genre.lines().count(), 4);
    assert!(genre
        .lines()
        .all(|l| ["opinion", "reporting", "satire"].contains(&l.split('\t').nth(1).unwrap())));
    let out = run(&["semeval", "frames", dir.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}
