//! The report in a real browser (Debian's `chromium`, installed by
//! `.ci/run`): highlights, claims and charts are there once the page has
//! run its script. Skipped outside CI when no Chromium is installed.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        })
}

/// Flags for a headless Chromium on a machine with no network.
fn headless(profile: &Path) -> Vec<String> {
    vec![
        "--headless".into(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        format!("--user-data-dir={}", profile.display()),
    ]
}

#[test]
fn report_renders_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (.ci/run does)"
        );
        eprintln!("skipped: no chromium installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("rhetor-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let out = support::rhetor()
        .args([
            "analyze",
            examples.to_str().unwrap(),
            "--report",
            "report.html",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("file://{}", dir.join("report.html").display());
    let dom = Command::new(&browser)
        .args(headless(&dir.join("profile")))
        .args(["--virtual-time-budget=3000", "--dump-dom", &url])
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.matches("<mark ").count() >= 30,
        "highlights missing from the rendered page"
    );
    assert!(
        dom.contains("class=\"claims\"") && dom.contains("⚠"),
        "claims table"
    );
    assert!(dom.contains("<circle") && dom.contains("<rect"), "charts");
    // The compare script filled the two columns.
    let left = dom.split("id=\"cmp-left\"").nth(1).unwrap_or("");
    assert!(
        left[..left.len().min(400)].contains("<h3>"),
        "compare columns not filled by the script"
    );
    let shot = dir.join("report.png");
    let status = Command::new(&browser)
        .args(headless(&dir.join("profile2")))
        .args([
            "--window-size=1280,1600",
            &format!("--screenshot={}", shot.display()),
            &url,
        ])
        .output()
        .expect("chromium screenshot");
    assert!(status.status.success());
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 20_000);
    if let Some(keep) = std::env::var_os("RHETOR_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}
