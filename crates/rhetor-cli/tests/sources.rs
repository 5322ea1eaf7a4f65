//! What the seeds cite, as the user sees it: the report's Sources panel and
//! who-cites-whom view, the web app's /sources page and /api/sources, and
//! the sources CSV export.

mod support;

use std::path::PathBuf;

fn workdir(name: &str) -> PathBuf {
    support::workdir("sources", name)
}

#[test]
fn seeds_sources_in_report_api_and_csv() {
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
    assert!(
        human.contains("@ Sputnik [media outlet] linked — state-controlled media (Rossiya Segodnya, Russia; SC)"),
        "{human}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("<h4>Sources</h4>"));
    assert!(html.contains("state-controlled media"));
    assert!(
        html.contains("State Media Monitor via ASD"),
        "tooltip names the list"
    );
    assert!(
        html.contains("not in the lists"),
        "Reuters, Le Figaro are in no list"
    );
    assert!(html.contains("Who cites whom"));
    assert!(
        html.contains("Claims to check first"),
        "the claims view opens with them"
    );

    let csv = support::rhetor()
        .current_dir(&dir)
        .args(["export", "--format", "sources-csv"])
        .output()
        .unwrap();
    assert!(csv.status.success());
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("doc_id,source,title,cited_id"));
    let sputnik = csv
        .lines()
        .find(|l| l.contains("outlet:sputnik"))
        .expect("a Sputnik row");
    assert!(sputnik.contains("state-controlled") && sputnik.contains("Rossiya Segodnya"));

    let server = support::serve(support::rhetor(), &[], dir.clone());
    let api = support::get(server.port, "/api/sources");
    assert_eq!(api.status, 200);
    let v = api.json();
    let sources = v["sources"].as_array().unwrap();
    let reuters = sources
        .iter()
        .find(|s| s["id"] == "outlet:reuters")
        .unwrap();
    assert_eq!(reuters["kind"], "news_agency");
    assert!(reuters["typology"].is_null());
    assert!(v["lists"][0]["date"].as_str().unwrap().starts_with("2024"));
    let gov = support::get(server.port, "/api/sources?kind=government").json();
    assert!(gov["sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["kind"] == "government"));
    let page = support::get(server.port, "/sources").text();
    assert!(page.contains("Who cites whom") && page.contains("Sputnik"));
    let doc = support::get(server.port, "/").text();
    assert!(doc.contains("/sources"), "the nav links the sources page");
    let spec = support::get(server.port, "/api/openapi.json").json();
    assert!(spec["paths"]["/api/sources"].is_object());
}
