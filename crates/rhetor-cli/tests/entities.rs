//! Who the seeds name, as the user sees it: the analysis lines and the
//! report's panel, `rhetor compare` ("how each names the same actors"), the
//! entities CSV, and the web app's /entities pages and /api/entities.

mod support;

use std::path::PathBuf;

fn workdir(name: &str) -> PathBuf {
    support::workdir("entities", name)
}

#[test]
fn seeds_entities_in_report_compare_csv_and_app() {
    let dir = workdir("seeds");
    let examples = support::repo().join("examples");
    let out = support::run_ok(
        &dir,
        &[
            "analyze",
            examples.to_str().unwrap(),
            "--report",
            "report.html",
        ],
    );
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(human.contains("◆ Kim Jong-un [person]"), "{human}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<h4>Who is named</h4>"));
    assert!(html.contains("Who is named, and how each source portrays them"));
    assert!(html.contains("camarade"));

    let cmp = support::rhetor()
        .current_dir(&dir)
        .args([
            "compare",
            examples.join("000_d76dd2dda02f8564.txt").to_str().unwrap(),
            examples.join("004_b6a211a1276a3b4a.txt").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        cmp.status.success(),
        "{}",
        String::from_utf8_lossy(&cmp.stderr)
    );
    let text = String::from_utf8_lossy(&cmp.stdout);
    assert!(text.contains("how each names the same actors:"), "{text}");
    for actor in [
        "Kim Jong-un (person)",
        "NATO (organisation)",
        "United States (place)",
    ] {
        assert!(text.contains(actor), "{actor} in {text}");
    }
    assert!(text.contains("jouer les lâches") && text.contains("qui sème la mort"));

    let csv = support::rhetor()
        .current_dir(&dir)
        .args(["export", "--format", "entities-csv"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv
        .starts_with("doc_id,source,title,entity_id,name,kind,wikidata,linked,mentions,portrayal"));
    assert_eq!(
        csv.lines().filter(|l| l.contains(",kim-jong-un,")).count(),
        2
    );

    let server = support::serve(support::rhetor(), &[], dir.clone());
    let list = support::get(server.port, "/api/entities").json();
    let all = list["entities"].as_array().unwrap();
    let nato = all.iter().find(|e| e["id"] == "nato").expect("NATO");
    assert_eq!(nato["documents"], 2);
    let people = support::get(server.port, "/api/entities?kind=person").json();
    assert!(people["entities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["kind"] == "person"));
    let usa = support::get(server.port, "/api/entities/usa");
    assert_eq!(usa.status, 200);
    let usa = usa.json();
    assert_eq!(usa["by_source"].as_array().unwrap().len(), 2);
    let forces = support::get(server.port, "/api/entities/north-korea/forces");
    assert_eq!(forces.status, 200, "ids with a slash are addressable");
    assert_eq!(
        support::get(server.port, "/api/entities/nobody").status,
        404
    );
    let page = support::get(server.port, "/entities").text();
    assert!(page.contains("Kim Jong-un") && page.contains("href=\"/entities/north-korea/forces\""));
    let one = support::get(server.port, "/entities/kim-jong-un").text();
    assert!(one.contains("How each source portrays Kim Jong-un"));
    assert!(one.contains("dictateur"));
    let spec = support::get(server.port, "/api/openapi.json").json();
    assert!(spec["paths"]["/api/entities"].is_object());
    assert!(spec["paths"]["/api/entities/{id}"].is_object());
}

/// `rhetor ner`: the tagger over a token file, printed back with its tags
/// and scored with `--eval`; a missing file is named and the exit code
/// says so; a folder that names no language needs `--lang`.
#[test]
fn ner_tags_and_scores_token_files() {
    let dir = workdir("ner");
    std::fs::create_dir_all(dir.join("fr")).unwrap();
    let gold = "# doc demo:1\nEmmanuel\tB-PER\nMacron\tI-PER\na\tO\nrencontré\tO\nVladimir\tB-PER\nPoutine\tI-PER\nà\tO\nMoscou\tB-LOC\n.\tO\n\nLa\tO\nFrance\tB-LOC\net\tO\nl'\tO\nOTAN\tB-ORG\nsoutiennent\tO\nKiev\tB-LOC\n.\tO\n\n";
    std::fs::write(dir.join("fr/sample.tsv"), gold).unwrap();
    let out = support::run_ok(&dir, &["ner", "fr/sample.tsv"]);
    let tagged = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = tagged.lines().collect();
    let gold_lines: Vec<&str> = gold.lines().collect();
    assert_eq!(lines.len(), gold_lines.len(), "{tagged}");
    for (l, g) in lines.iter().zip(&gold_lines) {
        // Same tokens in the same places; every tag one of the nine.
        assert_eq!(l.split('\t').next(), g.split('\t').next());
        if let Some((_, tag)) = l.split_once('\t') {
            assert!(
                rhetor::entities::tagger::TAGS.contains(&tag),
                "{tag} in {tagged}"
            );
        }
    }
    assert!(tagged.contains("Macron\tI-PER"), "{tagged}");
    assert!(tagged.contains("Moscou\tB-LOC"), "{tagged}");

    let out = support::run_ok(&dir, &["ner", "fr/sample.tsv", "--eval"]);
    let report = String::from_utf8(out.stdout).unwrap();
    let all = report
        .lines()
        .find(|l| l.starts_with("| **all** | 6 |"))
        .unwrap_or_else(|| panic!("{report}"));
    let f1: f64 = all
        .trim_end_matches(" |")
        .rsplit("| ")
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(f1 >= 0.8, "{report}");

    let out = support::rhetor()
        .current_dir(&dir)
        .args(["ner", "fr/sample.tsv", "fr/missing.tsv", "--eval"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fr/missing.tsv"), "{err}");

    std::fs::copy(dir.join("fr/sample.tsv"), dir.join("sample.tsv")).unwrap();
    let out = support::rhetor()
        .current_dir(&dir)
        .args(["ner", "sample.tsv"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lang"));
    support::run_ok(&dir, &["ner", "sample.tsv", "--lang", "fr"]);
}
