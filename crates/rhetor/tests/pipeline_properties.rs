//! Property tests over the whole pipeline — normalisation, structure,
//! language, sentences, claims and the fast classifier — on generated texts
//! that mix six languages with the characters that break naive code: case
//! mappings that change byte length (ẞ, İ, ǅ, ﬁ), combining marks, RTL and
//! zero-width marks, emoji, digits of other scripts, numbers in every style,
//! HTML character references. Nothing may panic, and every span of the JSON
//! analysis (code points into its `text`) must slice to the text it carries.
//!
//! `pipeline_fuzz_for_a_while` is the long run (ignored by default; `.ci/run`
//! runs it for a bounded time, `RHETOR_FUZZ_SECS`, default 50).

mod common;

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rhetor::classify::{Classify, Models};
use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::output::Analysis;
use rhetor::{InputError, Pipeline};

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| {
    Pipeline::default().with(Box::new(Classify::new(
        Models::embedded().expect("embedded models"),
    )))
});

const PIECES: &[&str] = &[
    // Words of six languages, and capitals.
    "les soldats nord-coréens",
    "Selon Reuters,",
    "d'après le ministère",
    "THE WAR IN UKRAINE",
    "according to officials",
    "DIE GROẞE OFFENSIVE",
    "Soldaten starben",
    "la guerra in Ucraina",
    "żołnierzy zginęło",
    "Żółć",
    "солдат погибли",
    "ПУТИН заявил",
    // Case mappings that change length, ligatures, combining marks.
    "İstanbul",
    "ǅemal",
    "ﬁnancement",
    "ﬃ",
    "e\u{301}",
    "A\u{30a}",
    "Ⱥ",
    "ΐ",
    // RTL, zero-width and other invisible marks, emoji.
    "\u{200f}",
    "\u{202e}abc\u{202c}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{ad}",
    "👍🏽",
    "🇫🇷",
    "مرحبا",
    // Digits of other scripts and full-width forms.
    "٣٠٠",
    "४२",
    "１２３",
    // Numbers in every style.
    "8 000",
    "8\u{202f}000",
    "1,5 %",
    "-5 %",
    "−3,2 %",
    "2e9",
    "1,5 × 10^6",
    "un million et demi",
    "deux tiers",
    "3/4",
    "2 1/2",
    "vingt ou trente",
    "de dix à vingt",
    "400 000",
    "12.",
    "XIV",
    "1er",
    "20 000 par mois",
    "d'ici la fin 2025",
    "en 2024",
    "$20",
    "30 millions d'euros",
    "KN-23",
    // Markup and references.
    "&rsquo;",
    "&#233;",
    "&amp;",
    "https://fr.sputniknews.africa/x-",
    "«",
    "»",
    // Structure.
    " ",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "-\n",
    ". ",
    "? ",
    "\t",
    "\u{c}",
    "# ",
    "- ",
];

fn messy_article() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|v| v.concat())
}

fn article(text: String, html: bool) -> RawArticle {
    RawArticle {
        source: Source {
            path: "generated.txt".into(),
            ..Source::default()
        },
        format: if html { Format::Html } else { Format::Text },
        encoding: "UTF-8".into(),
        body: if html {
            Body::Html(format!(
                "<html><body><article><h1>{}</h1><p>{}</p></article></body></html>",
                text.lines().next().unwrap_or(""),
                text.replace("\n\n", "</p><p>")
            ))
        } else {
            Body::Text(text)
        },
        declared: DeclaredMeta::default(),
    }
}

/// Every `{start, end, text}` object in the analysis slices `text` (code
/// points) to its own `text`.
fn check_spans(value: &serde_json::Value, text: &[char], path: &str) -> Result<usize, String> {
    let mut checked = 0;
    match value {
        serde_json::Value::Object(map) => {
            if let (Some(s), Some(e), Some(t)) = (
                map.get("start").and_then(|v| v.as_u64()),
                map.get("end").and_then(|v| v.as_u64()),
                map.get("text").and_then(|v| v.as_str()),
            ) {
                let (s, e) = (s as usize, e as usize);
                if s > e || e > text.len() {
                    return Err(format!("{path}: span {s}..{e} outside {}", text.len()));
                }
                let sliced: String = text[s..e].iter().collect();
                if sliced != t {
                    return Err(format!("{path}: {s}..{e} slices {sliced:?}, says {t:?}"));
                }
                checked += 1;
            }
            for (k, v) in map {
                checked += check_spans(v, text, &format!("{path}.{k}"))?;
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                checked += check_spans(v, text, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(checked)
}

fn analyse_and_check(text: String, html: bool) -> Result<(), TestCaseError> {
    match PIPELINE.run(article(text, html)) {
        Ok(doc) => {
            let analysis = Analysis::new(&doc, Default::default());
            let value =
                serde_json::to_value(&analysis).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let chars: Vec<char> = analysis.text.chars().collect();
            // The top-level `text` is the text itself, not a span.
            let mut body = value.clone();
            if let Some(map) = body.as_object_mut() {
                map.remove("text");
            }
            check_spans(&body, &chars, "analysis").map_err(TestCaseError::fail)?;
            Ok(())
        }
        Err(InputError::Empty | InputError::NoContent) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("unexpected error: {e}"))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn whole_pipeline_never_panics_and_spans_slice(text in messy_article(), html in any::<bool>()) {
        analyse_and_check(text, html)?;
    }
}

#[test]
fn the_span_checker_catches_a_wrong_span() {
    let text: Vec<char> = "abc déf".chars().collect();
    let good = serde_json::json!({"a": [{"start": 4, "end": 7, "text": "déf"}]});
    assert_eq!(check_spans(&good, &text, "x"), Ok(1));
    let bad = serde_json::json!({"a": [{"start": 3, "end": 7, "text": "déf"}]});
    assert!(check_spans(&bad, &text, "x").is_err());
}

#[test]
fn the_seeds_spans_slice() {
    for name in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let path = common::repo_root().join("examples").join(name);
        let text = std::fs::read_to_string(&path).expect("seed");
        let doc = PIPELINE
            .run(common::text_article(name, text))
            .expect("seed analyses");
        let analysis = Analysis::new(&doc, Default::default());
        let mut value = serde_json::to_value(&analysis).expect("json");
        value.as_object_mut().map(|m| m.remove("text"));
        let chars: Vec<char> = analysis.text.chars().collect();
        let n = check_spans(&value, &chars, name).unwrap_or_else(|e| panic!("{e}"));
        assert!(n > 100, "{name}: only {n} spans checked");
    }
}

/// The long run: random articles until the time budget is spent.
#[test]
#[ignore = "long fuzz run; .ci/run runs it with a time budget"]
fn pipeline_fuzz_for_a_while() {
    let secs: u64 = std::env::var("RHETOR_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    let mut rounds = 0;
    while std::time::Instant::now() < deadline {
        let mut runner = TestRunner::new(Config {
            cases: 200,
            failure_persistence: None,
            ..Config::default()
        });
        let strategy = (
            prop::collection::vec(prop::sample::select(PIECES), 0..400).prop_map(|v| v.concat()),
            any::<bool>(),
        );
        if let Err(e) = runner.run(&strategy, |(text, html)| analyse_and_check(text, html)) {
            panic!("{e}");
        }
        rounds += 1;
    }
    eprintln!("pipeline fuzz: {} cases in {secs} s", rounds * 200);
}
