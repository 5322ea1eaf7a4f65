//! `rhetor serve`: the web app and JSON API over a store (axum).
//!
//! Pages are rendered by the same functions as the HTML report. Reads open a
//! read-only connection per request (SQLite WAL: readers run while an ingest
//! writes); writes go through one connection behind a mutex, and only with
//! `--allow-writes` (and a bearer token when bound beyond loopback). No part
//! of a request is ever used as a file path.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rhetor::compare;
use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::output::Analysis;
use rhetor::report::{self, escape};
use rhetor::store::{DocumentFilter, Store};
use rhetor::{InputError, Pipeline};
use serde::Deserialize;

/// Largest request body accepted.
pub const BODY_LIMIT: usize = 10 * 1024 * 1024;
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[arg(long, env = "RHETOR_DB", default_value = "rhetor.db")]
    pub db: rhetor::store::StoreLocation,
    /// Address to listen on (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Allow storing analysed articles (POST with store=true).
    #[arg(long)]
    pub allow_writes: bool,
    /// Bearer token required for writes (also from RHETOR_TOKEN); required
    /// when writes are allowed on a non-loopback address.
    #[arg(long, env = "RHETOR_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Directory of model files (default: embedded).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Seconds a request may take before it is answered 408 (the accurate
    /// tier on a long article and a small machine may need more than 30).
    #[arg(long, default_value_t = REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    #[command(flatten)]
    pub tier: crate::models::TierArgs,
}

struct AppState {
    db: rhetor::store::StoreLocation,
    pipeline: Pipeline,
    /// The classifier tier analyses get ("fast" or "accurate").
    tier: &'static str,
    allow_writes: bool,
    token: Option<String>,
    writer: Mutex<Option<Store>>,
}

type Shared = Arc<AppState>;

/// An error answered as JSON (API) or a small page (HTML).
struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
    fn internal(e: impl std::fmt::Display) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
    /// A contained panic: logged on stderr, answered as a 500.
    fn panicked(message: &str) -> Self {
        eprintln!("rhetor serve: internal error: {message}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error: {message}, please report"),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({ "error": self.message, "status": self.status.as_u16() })),
        )
            .into_response()
    }
}

/// The same error as a page.
fn html_error(e: ApiError) -> Response {
    let body = format!(
        "<div class=\"card\"><h2>{}</h2><p>{}</p><p><a href=\"/\">back</a></p></div>",
        e.status,
        escape(&e.message)
    );
    (e.status, Html(report::page("rhetor", &nav(), &body))).into_response()
}

fn nav() -> Vec<(&'static str, &'static str)> {
    vec![
        ("/", "Corpus"),
        ("/claims", "Claims"),
        ("/sources", "Sources"),
        ("/entities", "Entities"),
        ("/compare", "Compare"),
        ("/analyze", "Analyse a text"),
        ("/api/openapi.json", "API"),
    ]
}

pub fn run(a: ServeArgs) -> anyhow::Result<bool> {
    if a.allow_writes && !a.addr.ip().is_loopback() && a.token.is_none() {
        anyhow::bail!(
            "--allow-writes on {} (not loopback) needs --token or RHETOR_TOKEN",
            a.addr
        );
    }
    // Create or migrate the store once, up front (and refuse foreign files).
    let store = Store::open(&a.db)?;
    let classify = crate::models::classifier(a.model.as_deref(), &a.tier)?;
    let state = Arc::new(AppState {
        db: a.db.clone(),
        tier: classify.tier(),
        pipeline: crate::models::pipeline(classify),
        allow_writes: a.allow_writes,
        token: a.token.clone(),
        writer: Mutex::new(a.allow_writes.then_some(store)),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(a.addr)
            .await
            .with_context(|| format!("cannot listen on {}", a.addr))?;
        let local = listener.local_addr()?;
        println!(
            "rhetor: serving {} on http://{local} ({})",
            a.db,
            if a.allow_writes {
                "writes allowed"
            } else {
                "read-only"
            }
        );
        use std::io::Write;
        std::io::stdout().flush()?;
        axum::serve(listener, app(state, Duration::from_secs(a.timeout)))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("server failed")
    })?;
    Ok(true)
}

/// The routes, with body limit and timeout.
fn app(state: Shared, timeout: Duration) -> Router {
    Router::new()
        .route("/", get(corpus_page))
        .route("/doc/{id}", get(document_page))
        .route("/claims", get(claims_page))
        .route("/sources", get(sources_page))
        .route("/api/sources", get(api_sources))
        .route("/entities", get(entities_page))
        .route("/entities/{*id}", get(entity_page))
        .route("/api/entities", get(api_entities))
        .route("/api/entities/{*id}", get(api_entity))
        .route("/compare", get(compare_page))
        .route("/analyze", get(analyze_form).post(analyze_page))
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/analyze", post(api_analyze))
        .route("/api/documents", get(api_documents))
        .route("/api/documents/{id}", get(api_document))
        .route("/api/claims", get(api_claims))
        .route("/api/compare", get(api_compare))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .with_state(state)
}

/// Last safety net: a panic in any handler is a 500 with a JSON body.
fn panic_response(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string());
    ApiError::panicked(&message).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page or endpoint")
}

/// Runs blocking work (SQLite, analysis) off the async threads; a panic in
/// it is this request's 500, and the server goes on.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || {
        rhetor::contain::catch(f).unwrap_or_else(|message| Err(ApiError::panicked(&message)))
    })
    .await
    .map_err(ApiError::internal)?
}

fn reader(state: &AppState) -> Result<Store, ApiError> {
    Store::open_read_only(&state.db).map_err(ApiError::internal)
}

/// Content hashes are 32 hex digits; anything else is refused early.
fn valid_id(id: &str) -> Result<(), ApiError> {
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "a document id is 32 hexadecimal digits",
        ))
    }
}

fn load(state: &AppState, id: &str) -> Result<Analysis, ApiError> {
    valid_id(id)?;
    reader(state)?
        .analysis(id)
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, format!("no document {id}")))
}

// ---------- API ----------

async fn health(State(state): State<Shared>) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let store = reader(&state)?;
        Ok(Json(serde_json::json!({
            "status": "ok",
            "documents": store.count().map_err(ApiError::internal)?,
            "schema_version": store.schema_version().map_err(ApiError::internal)?,
            "writes": state.allow_writes,
            "tier": state.tier,
        })))
    })
    .await
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
}

#[derive(Debug, Default, Deserialize)]
struct DocumentQuery {
    source: Option<String>,
    language: Option<String>,
    technique: Option<String>,
    frame: Option<String>,
    since: Option<String>,
    until: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
}

impl DocumentQuery {
    fn filter(&self) -> DocumentFilter {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
        DocumentFilter {
            source: some(&self.source),
            language: some(&self.language),
            technique: some(&self.technique),
            frame: some(&self.frame),
            since: some(&self.since),
            until: some(&self.until),
            query: some(&self.q),
            limit: Some(self.limit.unwrap_or(200).min(1000)),
        }
    }
}

async fn api_documents(
    State(state): State<Shared>,
    Query(q): Query<DocumentQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let docs = reader(&state)?
            .documents(&q.filter())
            .map_err(ApiError::internal)?;
        Ok(Json(serde_json::json!({ "documents": docs })))
    })
    .await
}

async fn api_document(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<Analysis>, ApiError> {
    blocking(move || load(&state, &id).map(Json)).await
}

#[derive(Debug, Deserialize)]
struct ClaimQuery {
    subject: Option<String>,
}

fn claim_groups(
    state: &AppState,
    subject: Option<&str>,
) -> Result<(Vec<compare::ClaimGroup>, Vec<Analysis>), ApiError> {
    let analyses = reader(state)?.analyses().map_err(ApiError::internal)?;
    let mut groups = compare::group_claims(&analyses);
    if let Some(s) = subject.map(str::trim).filter(|s| !s.is_empty()) {
        let needle = rhetor::claims::stem(&s.to_lowercase());
        groups.retain(|g| {
            g.key.contains(&needle)
                || g.entries.iter().any(|e| {
                    e.claim
                        .subject
                        .as_ref()
                        .is_some_and(|x| x.text.to_lowercase().contains(&s.to_lowercase()))
                })
        });
    }
    Ok((groups, analyses))
}

async fn api_claims(
    State(state): State<Shared>,
    Query(q): Query<ClaimQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let (groups, _) = claim_groups(&state, q.subject.as_deref())?;
        Ok(Json(serde_json::json!({ "groups": groups })))
    })
    .await
}

#[derive(Debug, Deserialize)]
struct CompareQuery {
    a: Option<String>,
    b: Option<String>,
}

async fn api_compare(
    State(state): State<Shared>,
    Query(q): Query<CompareQuery>,
) -> Result<Json<compare::Comparison>, ApiError> {
    let (Some(a), Some(b)) = (q.a, q.b) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "give two document ids: ?a=…&b=…",
        ));
    };
    blocking(move || {
        Ok(Json(compare::compare(
            &load(&state, &a)?,
            &load(&state, &b)?,
        )))
    })
    .await
}

/// What can be posted for analysis.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeRequest {
    text: Option<String>,
    html: Option<String>,
    title: Option<String>,
    url: Option<String>,
    source: Option<String>,
    #[serde(default)]
    store: bool,
}

/// Analyses a request; stores it when asked and allowed.
fn analyze(
    state: &AppState,
    req: AnalyzeRequest,
    name: &str,
    authorised: bool,
) -> Result<(Analysis, bool), ApiError> {
    let (body, format) = match (req.text, req.html) {
        (Some(t), _) if !t.trim().is_empty() => (Body::Text(t), Format::Text),
        (_, Some(h)) if !h.trim().is_empty() => (Body::Html(h), Format::Html),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing to analyse: give \"text\" or \"html\"",
            ))
        }
    };
    let raw = RawArticle {
        source: Source {
            path: name.to_string(),
            record: None,
            url: req.url,
            name: req.source,
        },
        format,
        encoding: "UTF-8".into(),
        body,
        declared: DeclaredMeta {
            title: req.title,
            ..Default::default()
        },
    };
    let doc = state.pipeline.run(raw).map_err(|e| match e {
        InputError::Internal(message) => ApiError::panicked(&message),
        InputError::Stage(rhetor::StageError::Panicked { stage, message }) => {
            ApiError::panicked(&format!("in {stage}: {message}"))
        }
        e => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
    })?;
    let analysis = Analysis::new(&doc, Default::default());
    let mut stored = false;
    if req.store {
        if !state.allow_writes {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this server is read-only (start it with --allow-writes)",
            ));
        }
        if !authorised {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "storing needs the server's bearer token",
            ));
        }
        // A panic while another request held the lock leaves the store
        // itself consistent (its transaction rolled back): keep using it.
        let mut guard = state
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(store) = guard.as_mut() {
            stored = store
                .insert(std::slice::from_ref(&analysis))
                .map_err(ApiError::internal)?
                > 0;
        }
    }
    Ok((analysis, stored))
}

fn authorised(state: &AppState, headers: &HeaderMap) -> bool {
    match &state.token {
        None => true,
        Some(token) => headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.as_bytes(), token.as_bytes())),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Decodes an uploaded file (txt, html, md) into a request.
fn from_upload(file_name: &str, bytes: &[u8]) -> Result<AnalyzeRequest, ApiError> {
    let decoded = rhetor::ingest::decode::decode(bytes).map_err(|e| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{file_name}: {e}"),
        )
    })?;
    let lower = file_name.to_lowercase();
    let looks_html = lower.ends_with(".html")
        || lower.ends_with(".htm")
        || decoded.text.trim_start().starts_with('<');
    Ok(if looks_html {
        AnalyzeRequest {
            html: Some(decoded.text),
            ..Default::default()
        }
    } else {
        AnalyzeRequest {
            text: Some(decoded.text),
            ..Default::default()
        }
    })
}

/// Reads a multipart form: `text`, `file`, `store`.
async fn read_form(mut form: Multipart) -> Result<(AnalyzeRequest, String), ApiError> {
    let mut req = AnalyzeRequest::default();
    let mut name = "pasted text".to_string();
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("bad form: {e}")))?
    {
        let field_name = field.name().unwrap_or("").to_string();
        match field_name.as_str() {
            "file" => {
                let file_name = field.file_name().unwrap_or("upload").to_string();
                let bytes = field.bytes().await.map_err(|e| {
                    ApiError::new(StatusCode::BAD_REQUEST, format!("bad upload: {e}"))
                })?;
                if !bytes.is_empty() {
                    let store = req.store;
                    req = from_upload(&file_name, &bytes)?;
                    req.store = store;
                    name = file_name;
                }
            }
            "text" => {
                let t = field.text().await.map_err(|e| {
                    ApiError::new(StatusCode::BAD_REQUEST, format!("bad text: {e}"))
                })?;
                if !t.trim().is_empty() && req.text.is_none() && req.html.is_none() {
                    req.text = Some(t);
                }
            }
            "store" => {
                req.store = field
                    .text()
                    .await
                    .is_ok_and(|v| v == "on" || v == "true" || v == "1")
            }
            _ => {}
        }
    }
    Ok((req, name))
}

async fn api_analyze(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let ok = authorised(&state, &headers);
    let (req, name) = if content_type.starts_with("application/json") || content_type.is_empty() {
        let req: AnalyzeRequest = serde_json::from_slice(&body)
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("malformed JSON: {e}")))?;
        (req, "api".to_string())
    } else if content_type.starts_with("text/plain") {
        let text = String::from_utf8(body.to_vec()).map_err(|_| {
            ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "text/plain body is not UTF-8",
            )
        })?;
        (
            AnalyzeRequest {
                text: Some(text),
                ..Default::default()
            },
            "api".to_string(),
        )
    } else if content_type.starts_with("multipart/form-data") {
        let form = Multipart::from_request(
            axum::http::Request::builder()
                .header(header::CONTENT_TYPE, &content_type)
                .body(axum::body::Body::from(body))
                .map_err(ApiError::internal)?,
            &(),
        )
        .await
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
        read_form(form).await?
    } else {
        let upload = from_upload("body", &body)?;
        (upload, "api".to_string())
    };
    blocking(move || {
        let (analysis, stored) = analyze(&state, req, &name, ok)?;
        let mut value = serde_json::to_value(&analysis).map_err(ApiError::internal)?;
        value["stored"] = serde_json::Value::Bool(stored);
        Ok(Json(value))
    })
    .await
}

// ---------- pages ----------

fn select(name: &str, label: &str, options: &[String], current: Option<&str>) -> String {
    let mut s = format!(
        "<label class=\"small\">{label} <select name=\"{name}\"><option value=\"\">all</option>"
    );
    for o in options {
        let sel = if Some(o.as_str()) == current {
            " selected"
        } else {
            ""
        };
        s.push_str(&format!(
            "<option value=\"{}\"{sel}>{}</option>",
            escape(o),
            escape(o)
        ));
    }
    s.push_str("</select></label> ");
    s
}

async fn corpus_page(State(state): State<Shared>, Query(q): Query<DocumentQuery>) -> Response {
    let r = blocking(move || {
        let store = reader(&state)?;
        let docs = store.documents(&q.filter()).map_err(ApiError::internal)?;
        let opts = |what| store.distinct(what).map_err(ApiError::internal);
        let mut body = String::from("<section><h2>Corpus</h2><form class=\"card\" method=\"get\" action=\"/\">");
        body.push_str(&format!("<input type=\"search\" name=\"q\" placeholder=\"search the text\" value=\"{}\"> ", escape(q.q.as_deref().unwrap_or(""))));
        body.push_str(&select("source", "source", &opts("source")?, q.source.as_deref()));
        body.push_str(&select("language", "language", &opts("language")?, q.language.as_deref()));
        body.push_str(&select("technique", "technique", &opts("technique")?, q.technique.as_deref()));
        body.push_str(&select("frame", "frame", &opts("frame")?, q.frame.as_deref()));
        body.push_str(&format!(
            "<label class=\"small\">from <input type=\"date\" name=\"since\" value=\"{}\"></label> <label class=\"small\">to <input type=\"date\" name=\"until\" value=\"{}\"></label> <button>filter</button></form>",
            escape(q.since.as_deref().unwrap_or("")),
            escape(q.until.as_deref().unwrap_or(""))
        ));
        body.push_str(&format!("<p class=\"muted small\">{} documents</p><table><tr><th>title</th><th>source</th><th>date</th><th>language</th><th>genre</th><th>words</th></tr>", docs.len()));
        for d in &docs {
            body.push_str(&format!(
                "<tr><td><a href=\"/doc/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&d.id),
                escape(&d.label),
                escape(&d.source),
                escape(d.published.as_deref().unwrap_or("")),
                escape(d.language.as_deref().unwrap_or("")),
                escape(d.genre.as_deref().unwrap_or("")),
                d.word_count
            ));
        }
        body.push_str("</table>");
        // Technique profile of the documents shown, per source.
        let analyses: Vec<Analysis> = docs.iter().take(300).filter_map(|d| store.analysis(&d.id).ok().flatten()).collect();
        if !analyses.is_empty() {
            body.push_str("<h3>Techniques per source (per 1 000 words)</h3>");
            body.push_str(&report::technique_chart(&compare::source_profiles(&analyses)));
        }
        body.push_str("</section>");
        Ok(report::page("rhetor", &nav(), &body))
    })
    .await;
    page_or_error(r)
}

fn page_or_error(r: Result<String, ApiError>) -> Response {
    match r {
        Ok(html) => Html(html).into_response(),
        Err(e) => html_error(e),
    }
}

async fn document_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let r = blocking(move || {
        let a = load(&state, &id)?;
        Ok(report::page(
            &compare::document_label(&a),
            &nav(),
            &report::article_html(&a),
        ))
    })
    .await;
    page_or_error(r)
}

#[derive(Debug, Deserialize, Default)]
struct SourceQuery {
    /// Only sources of this kind ("media_outlet", "government"…).
    kind: Option<String>,
}

async fn api_sources(
    State(state): State<Shared>,
    Query(q): Query<SourceQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let store = reader(&state)?;
        let sources = store
            .cited_sources(q.kind.as_deref())
            .map_err(ApiError::internal)?;
        let citations = store.citations().map_err(ApiError::internal)?;
        Ok(Json(serde_json::json!({
            "sources": sources,
            "citations": citations,
            "lists": lists_json(),
        })))
    })
    .await
}

/// The outlet lists behind the typologies and ratings, with their dates.
fn lists_json() -> serde_json::Value {
    let reg = &*rhetor::sources::registry::EMBEDDED;
    serde_json::json!([
        {"id": reg.state_list.id, "name": reg.state_list.name, "date": reg.state_list.date, "licence": reg.state_list.licence},
        {"id": reg.credibility_list.id, "name": reg.credibility_list.name, "date": reg.credibility_list.date, "licence": reg.credibility_list.licence},
    ])
}

#[derive(Debug, Deserialize, Default)]
struct EntityQuery {
    /// Only entities of this kind ("person", "organisation", "place", "group").
    kind: Option<String>,
}

async fn api_entities(
    State(state): State<Shared>,
    Query(q): Query<EntityQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    blocking(move || {
        let store = reader(&state)?;
        let entities = store
            .entities(q.kind.as_deref())
            .map_err(ApiError::internal)?;
        Ok(Json(serde_json::json!({ "entities": entities })))
    })
    .await
}

/// The address of an entity's page ("usa/people" keeps its slash).
fn entity_href(id: &str) -> String {
    let encoded: String = id
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/entities/{encoded}")
}

async fn api_entity(
    State(state): State<Shared>,
    Path(id): Path<String>,
) -> Result<Json<rhetor::store::EntityProfile>, ApiError> {
    blocking(move || {
        let store = reader(&state)?;
        store
            .entity_profile(&id)
            .map_err(ApiError::internal)?
            .map(Json)
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no document names entity {id}"),
                )
            })
    })
    .await
}

async fn entities_page(State(state): State<Shared>, Query(q): Query<EntityQuery>) -> Response {
    let r = blocking(move || {
        let store = reader(&state)?;
        let entities = store.entities(q.kind.as_deref()).map_err(ApiError::internal)?;
        let kinds: String = rhetor::document::EntityKind::ALL
            .iter()
            .map(|k| format!(" <a href=\"/entities?kind={0}\">{0}</a>", k.as_str()))
            .collect();
        let mut body = format!(
            "<section><h2>Who is named</h2><p class=\"small\">kinds:{kinds} · <a href=\"/entities\">all</a></p>"
        );
        body.push_str(&report::entities::entities_table(&entities, Some(&entity_href)));
        body.push_str("</section>");
        Ok(report::page("rhetor — entities", &nav(), &body))
    })
    .await;
    page_or_error(r)
}

async fn entity_page(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let r = blocking(move || {
        let store = reader(&state)?;
        let profile = store
            .entity_profile(&id)
            .map_err(ApiError::internal)?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    format!("no document names entity {id}"),
                )
            })?;
        let body = format!(
            "<section><h2>How each source portrays {}</h2>{}</section>",
            escape(&profile.entity.name),
            report::entities::profile_html(&profile)
        );
        Ok(report::page(
            &format!("rhetor — {}", profile.entity.name),
            &nav(),
            &body,
        ))
    })
    .await;
    page_or_error(r)
}

async fn sources_page(State(state): State<Shared>) -> Response {
    let r = blocking(move || {
        let store = reader(&state)?;
        let sources = store.cited_sources(None).map_err(ApiError::internal)?;
        let citations = store.citations().map_err(ApiError::internal)?;
        let mut body = String::from(
            "<section><h2>Cited sources</h2><table><tr><th>source</th><th>kind</th><th>who stands behind it</th><th>documents</th><th>mentions</th><th>figures</th></tr>",
        );
        for src in &sources {
            let badges = report::sources::summary_badges(src);
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{badges}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&src.name),
                escape(&src.kind.replace('_', " ")),
                src.documents,
                src.mentions,
                src.claims
            ));
        }
        body.push_str("</table></section><section><h2>Who cites whom</h2>");
        body.push_str(&report::sources::who_cites_whom(&citations));
        body.push_str("</section>");
        Ok(report::page("rhetor — sources", &nav(), &body))
    })
    .await;
    page_or_error(r)
}

async fn claims_page(State(state): State<Shared>, Query(q): Query<ClaimQuery>) -> Response {
    let r = blocking(move || {
        let (groups, analyses) = claim_groups(&state, q.subject.as_deref())?;
        let mut body = format!(
            "<section><h2>Claims by counted thing</h2><form class=\"card\" method=\"get\"><input type=\"search\" name=\"subject\" placeholder=\"soldats, obus, pertes…\" value=\"{}\"> <button>find</button></form>",
            escape(q.subject.as_deref().unwrap_or(""))
        );
        body.push_str(&report::check::check_first(&analyses, 15));
        body.push_str(&report::conflict_chart(&groups));
        body.push_str(&report::claims_table(&groups, &analyses));
        body.push_str("</section>");
        Ok(report::page("rhetor — claims", &nav(), &body))
    })
    .await;
    page_or_error(r)
}

async fn compare_page(State(state): State<Shared>, Query(q): Query<CompareQuery>) -> Response {
    let r = blocking(move || {
        let store = reader(&state)?;
        let docs = store.documents(&DocumentFilter { limit: Some(500), ..Default::default() }).map_err(ApiError::internal)?;
        let choose = |name: &str, current: Option<&str>| {
            let mut s = format!("<select name=\"{name}\">");
            for d in &docs {
                let sel = if Some(d.id.as_str()) == current { " selected" } else { "" };
                s.push_str(&format!("<option value=\"{}\"{sel}>{}</option>", escape(&d.id), escape(&d.label)));
            }
            s.push_str("</select>");
            s
        };
        let mut body = format!("<section><h2>Compare two articles</h2><form class=\"card\" method=\"get\">{} vs {} <button>compare</button></form>", choose("a", q.a.as_deref()), choose("b", q.b.as_deref()));
        if let (Some(a), Some(b)) = (&q.a, &q.b) {
            let (a, b) = (load(&state, a)?, load(&state, b)?);
            body.push_str(&report::comparison_html(&compare::compare(&a, &b)));
            body.push_str(&format!("<div class=\"cols\"><div class=\"card\">{}</div><div class=\"card\">{}</div></div>", report::summary_card(&a), report::summary_card(&b)));
        }
        body.push_str("</section>");
        Ok(report::page("rhetor — compare", &nav(), &body))
    })
    .await;
    page_or_error(r)
}

fn form_html(state: &AppState) -> String {
    let store_box = if state.allow_writes {
        "<label><input type=\"checkbox\" name=\"store\"> store it in the corpus</label>"
    } else {
        "<span class=\"muted small\">(read-only server: nothing is stored)</span>"
    };
    format!(
        "<section><h2>Analyse a text</h2><form class=\"card\" method=\"post\" action=\"/analyze\" enctype=\"multipart/form-data\"><p><textarea id=\"text\" name=\"text\" rows=\"14\" style=\"width:100%\" placeholder=\"Paste an article here…\"></textarea></p><p>or upload a file (txt, html, md, pdf): <input type=\"file\" name=\"file\" accept=\".txt,.html,.htm,.md,.pdf\"></p><p>{store_box}</p><button id=\"submit\" type=\"submit\">Analyse</button></form></section>"
    )
}

async fn analyze_form(State(state): State<Shared>) -> Html<String> {
    Html(report::page("rhetor — analyse", &nav(), &form_html(&state)))
}

async fn analyze_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    form: Multipart,
) -> Response {
    let ok = authorised(&state, &headers);
    let (req, name) = match read_form(form).await {
        Ok(r) => r,
        Err(e) => return html_error(e),
    };
    let r = blocking(move || {
        let (a, stored) = analyze(&state, req, &name, ok)?;
        let note = if stored {
            "<p class=\"card\">Stored in the corpus.</p>"
        } else {
            ""
        };
        let mut claims = String::new();
        if !a.claims.is_empty() {
            claims.push_str("<h3>Claims</h3><ul>");
            for c in &a.claims {
                claims.push_str(&format!(
                    "<li class=\"claim-item\"><b>{}</b> {}</li>",
                    escape(&report::format_value(c)),
                    escape(&c.text)
                ));
            }
            claims.push_str("</ul>");
        }
        Ok(report::page(
            "rhetor — analysis",
            &nav(),
            &format!("{note}{}{claims}", report::article_html(&a)),
        ))
    })
    .await;
    page_or_error(r)
}
