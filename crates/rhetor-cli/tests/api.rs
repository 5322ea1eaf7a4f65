//! The JSON API and pages over HTTP, against the real server.

mod support;

use support::*;

#[test]
fn api_endpoints() {
    let s = start("api", &[]);
    let health = get(s.port, "/api/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["documents"], 2);
    assert_eq!(
        health.json()["tier"],
        "fast",
        "no encoder weights in these tests"
    );
    let spec = get(s.port, "/api/openapi.json");
    assert_eq!(spec.status, 200);
    assert_eq!(spec.json()["openapi"], "3.0.3");
    let docs = get(s.port, "/api/documents").json();
    let list = docs["documents"].as_array().expect("documents");
    assert_eq!(list.len(), 2);
    let id = list[0]["id"].as_str().unwrap().to_string();
    let other = list[1]["id"].as_str().unwrap().to_string();
    let doc = get(s.port, &format!("/api/documents/{id}"));
    assert_eq!(doc.status, 200);
    assert_eq!(doc.json()["schema"], "rhetor.analysis/1");
    let found = get(s.port, "/api/documents?q=Guillemain").json();
    assert_eq!(found["documents"].as_array().unwrap().len(), 1);
    let filtered = get(
        s.port,
        "/api/documents?technique=Loaded_Language&language=fr",
    )
    .json();
    assert_eq!(filtered["documents"].as_array().unwrap().len(), 2);
    let claims = get(s.port, "/api/claims?subject=soldats").json();
    assert!(!claims["groups"].as_array().unwrap().is_empty());
    let cmp = get(s.port, &format!("/api/compare?a={id}&b={other}"));
    assert_eq!(cmp.status, 200);
    assert!(cmp.json()["shared_frames"].as_array().is_some());
    // Analysis without storing.
    let text = "Zelensky perd chaque mois 20 000 soldats selon Reuters. C'est une honte absolue !";
    let r = post_json(s.port, "/api/analyze", &serde_json::json!({ "text": text }));
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["stored"], false);
    assert_eq!(v["claims"][0]["value"], 20000.0);
    assert_eq!(v["claims"][0]["source"]["text"], "Reuters");
    assert_eq!(get(s.port, "/api/health").json()["documents"], 2);
    // Pages.
    for page in [
        "/",
        "/claims",
        "/analyze",
        &format!("/doc/{id}"),
        &format!("/compare?a={id}&b={other}"),
    ] {
        let p = get(s.port, page);
        assert_eq!(p.status, 200, "{page}");
        assert!(p.text().starts_with("<!DOCTYPE html>"), "{page}");
    }
}

#[test]
fn bad_requests_get_clear_4xx_and_the_server_stays_up() {
    let s = start("bad", &[]);
    let malformed = request(
        s.port,
        "POST",
        "/api/analyze",
        &[("Content-Type", "application/json")],
        b"{\"text\": ",
    );
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    let empty = post_json(s.port, "/api/analyze", &serde_json::json!({ "text": "  " }));
    assert_eq!(empty.status, 422);
    let unknown_field = post_json(s.port, "/api/analyze", &serde_json::json!({ "txt": "x" }));
    assert_eq!(unknown_field.status, 400);
    let big = vec![b'a'; 50 * 1024 * 1024];
    let too_big = request(
        s.port,
        "POST",
        "/api/analyze",
        &[("Content-Type", "text/plain")],
        &big,
    );
    assert_eq!(too_big.status, 413);
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00";
    let binary = request(
        s.port,
        "POST",
        "/api/analyze",
        &[("Content-Type", "application/octet-stream")],
        png,
    );
    assert_eq!(binary.status, 415, "{}", binary.text());
    assert_eq!(get(s.port, "/api/documents/zzz").status, 400);
    assert_eq!(
        get(s.port, "/api/documents/0123456789abcdef0123456789abcdef").status,
        404
    );
    assert_eq!(get(s.port, "/api/compare?a=x").status, 400);
    assert_eq!(get(s.port, "/nope/../../etc/passwd").status, 404);
    // Storing is refused on a read-only server.
    let store = post_json(
        s.port,
        "/api/analyze",
        &serde_json::json!({ "text": "Un texte à garder.", "store": true }),
    );
    assert_eq!(store.status, 403);
    // A script in the text comes back escaped in pages.
    let form = "--X\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nAttention <script>alert('x')</script> et <img src=x onerror=alert(1)> ici.\r\n--X--\r\n";
    let page = request(
        s.port,
        "POST",
        "/analyze",
        &[("Content-Type", "multipart/form-data; boundary=X")],
        form.as_bytes(),
    );
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page
        .text()
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(!page.text().contains("<script>alert") && !page.text().contains("<img src=x"));
    // Still up.
    assert_eq!(get(s.port, "/api/health").status, 200);
}

#[test]
fn writes_need_the_flag_and_the_token() {
    let s = start("writes", &["--allow-writes", "--token", "s3cret"]);
    let body = serde_json::json!({ "text": "Un texte tout neuf, avec 3 000 mots et plus de 40 pays.", "store": true });
    let no_token = post_json(s.port, "/api/analyze", &body);
    assert_eq!(no_token.status, 401);
    let with_token = |token: &str| {
        request(
            s.port,
            "POST",
            "/api/analyze",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &format!("Bearer {token}")),
            ],
            body.to_string().as_bytes(),
        )
    };
    assert_eq!(with_token("nope").status, 401);
    let ok = with_token("s3cret");
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["stored"], true);
    assert_eq!(get(s.port, "/api/health").json()["documents"], 3);
}

#[test]
fn writes_beyond_loopback_need_a_token() {
    let out = support::rhetor()
        .args([
            "serve",
            "--addr",
            "0.0.0.0:0",
            "--allow-writes",
            "--db",
            "/nonexistent-dir/x.db",
        ])
        .env_remove("RHETOR_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --token"));
}
