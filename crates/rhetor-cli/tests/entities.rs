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
