//! The seeds' analyses, byte for byte: a speed-up must not change one
//! output byte. `tests/golden/seeds.jsonl` is what `rhetor analyze examples
//! --jsonl --fast --no-db` printed when it was last blessed; a change that
//! is meant to move the output re-blesses it with `RHETOR_BLESS=1 cargo
//! test -p rhetor-cli --test golden` (and says why in its commit).

mod support;

use std::path::PathBuf;

use support::repo;

fn golden() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/seeds.jsonl")
}

fn analyse_seeds(extra: &[&str]) -> String {
    let mut args = vec!["analyze", "examples", "--jsonl", "--fast"];
    args.extend_from_slice(extra);
    let out = support::run_ok(&repo(), &args);
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn seed_analyses_are_byte_identical_to_the_blessed_ones() {
    let now = analyse_seeds(&["--no-db"]);
    if std::env::var_os("RHETOR_BLESS").is_some() {
        std::fs::create_dir_all(golden().parent().unwrap()).unwrap();
        std::fs::write(golden(), &now).unwrap();
        return;
    }
    let blessed = std::fs::read_to_string(golden()).expect("tests/golden/seeds.jsonl");
    assert_eq!(now.lines().count(), 2, "two seeds");
    for (i, (a, b)) in now.lines().zip(blessed.lines()).enumerate() {
        if a != b {
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(80);
            panic!(
                "seed {i} differs at byte {at}:\n now:     …{}\n blessed: …{}",
                a.get(from..(at + 80).min(a.len())).unwrap_or(""),
                b.get(from..(at + 80).min(b.len())).unwrap_or("")
            );
        }
    }
    assert_eq!(now, blessed);
}

#[test]
fn storing_prints_the_same_bytes_as_not_storing() {
    // The JSON Lines of a run into a store are serialised once, on the
    // analysing threads, for the store and the output alike.
    let dir = support::workdir("golden", "store");
    let db = dir.join("seeds.db");
    let stored = analyse_seeds(&["--db", db.to_str().unwrap()]);
    assert_eq!(stored, analyse_seeds(&["--no-db"]));
    // And what the store hands back is the same analysis.
    let again = analyse_seeds(&["--db", db.to_str().unwrap()]);
    assert_eq!(again, stored);
    let _ = std::fs::remove_dir_all(dir);
}
