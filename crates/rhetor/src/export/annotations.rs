//! Annotation-tool formats: Label Studio (tasks and labelling config),
//! doccano, Prodigy, W3C Web Annotation.

use serde_json::{json, Value};

use super::{model_version, spans, LabelledSpan};
use crate::output::Analysis;
use crate::semeval::{FRAMES, GENRES, TECHNIQUES};

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// Label Studio tasks: `data.text` is the normalised text; predictions hold
/// a `labels` result for every evidence span (`technique`) and for every
/// paragraph with techniques (`paragraph`), `choices` for genre and frames.
pub fn labelstudio_tasks(analyses: &[Analysis]) -> Value {
    let tasks: Vec<Value> = analyses
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut result = Vec::new();
            for (k, s) in spans(a).iter().enumerate() {
                let from_name = match s.what {
                    "evidence" => "technique",
                    "paragraph" => "paragraph",
                    _ => "claim",
                };
                result.push(json!({
                    "id": format!("{}-{k}", &a.id[..8.min(a.id.len())]),
                    "from_name": from_name,
                    "to_name": "text",
                    "type": "labels",
                    "score": s.score,
                    "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
                }));
            }
            if let Some(g) = &a.genre {
                result.push(json!({
                    "id": format!("{}-genre", &a.id[..8.min(a.id.len())]),
                    "from_name": "genre", "to_name": "text", "type": "choices",
                    "score": g.probability,
                    "value": {"choices": [g.label]},
                }));
            }
            if !a.frames.is_empty() {
                let frames: Vec<&str> = a.frames.iter().map(|f| f.label.as_str()).collect();
                result.push(json!({
                    "id": format!("{}-frames", &a.id[..8.min(a.id.len())]),
                    "from_name": "frames", "to_name": "text", "type": "choices",
                    "value": {"choices": frames},
                }));
            }
            json!({
                "id": i + 1,
                "data": {
                    "text": a.text,
                    "rhetor_id": a.id,
                    "title": a.title.as_ref().map(|t| t.text.clone()),
                    "source": a.source.path,
                    "url": a.source.url,
                },
                "predictions": [{"model_version": model_version(a), "result": result}],
            })
        })
        .collect();
    Value::Array(tasks)
}

/// The labelling config matching [`labelstudio_tasks`].
pub fn labelstudio_config() -> String {
    let labels = |name: &str, list: &[&str]| {
        let mut s = format!("  <Labels name=\"{name}\" toName=\"text\">\n");
        for l in list {
            s.push_str(&format!("    <Label value=\"{l}\"/>\n"));
        }
        s.push_str("  </Labels>\n");
        s
    };
    let choices = |name: &str, list: &[&str], choice: &str| {
        let mut s = format!("  <Choices name=\"{name}\" toName=\"text\" choice=\"{choice}\">\n");
        for l in list {
            s.push_str(&format!("    <Choice value=\"{l}\"/>\n"));
        }
        s.push_str("  </Choices>\n");
        s
    };
    format!(
        "<View>\n{}{}{}  <Text name=\"text\" value=\"$text\"/>\n{}{}</View>\n",
        labels("technique", &TECHNIQUES),
        labels("paragraph", &TECHNIQUES),
        labels("claim", &["CLAIM"]),
        choices("genre", &GENRES, "single"),
        choices("frames", &FRAMES, "multiple"),
    )
}

/// doccano sequence labelling JSONL: `{"text", "label": [[start, end, "L"]]}`.
pub fn doccano_line(a: &Analysis) -> Value {
    let label: Vec<Value> = spans(a)
        .iter()
        .filter(|s| s.what != "paragraph")
        .map(|s| json!([s.start, s.end, s.label]))
        .collect();
    json!({"text": a.text, "label": label, "rhetor_id": a.id, "source": a.source.path})
}

/// Prodigy JSONL: `{"text", "spans": [{"start", "end", "label"}], "meta"}`.
pub fn prodigy_line(a: &Analysis) -> Value {
    let spans: Vec<Value> = spans(a)
        .iter()
        .filter(|s| s.what != "paragraph")
        .map(|s| json!({"start": s.start, "end": s.end, "label": s.label, "text": s.text}))
        .collect();
    json!({
        "text": a.text,
        "spans": spans,
        "meta": {"rhetor_id": a.id, "source": a.source.path, "model_version": model_version(a)},
    })
}

fn quote_selector(text: &[char], s: &LabelledSpan) -> Value {
    let prefix: String = text[s.start.saturating_sub(32).min(s.start)..s.start.min(text.len())]
        .iter()
        .collect();
    let suffix: String = text[s.end.min(text.len())..(s.end + 32).min(text.len())]
        .iter()
        .collect();
    json!({"type": "TextQuoteSelector", "exact": s.text, "prefix": prefix, "suffix": suffix})
}

/// W3C Web Annotation JSON-LD: one `AnnotationCollection` whose items
/// annotate every evidence span, paragraph label and claim with a
/// TextQuoteSelector and a TextPositionSelector.
pub fn web_annotations(analyses: &[Analysis]) -> Value {
    let mut items = Vec::new();
    for a in analyses {
        let text = chars(&a.text);
        let source = a
            .source
            .url
            .clone()
            .unwrap_or_else(|| format!("urn:rhetor:document:{}", a.id));
        for (k, s) in spans(a).iter().enumerate() {
            items.push(json!({
                "id": format!("urn:rhetor:annotation:{}:{k}", a.id),
                "type": "Annotation",
                "motivation": if s.what == "claim" { "highlighting" } else { "classifying" },
                "generator": {"type": "Software", "name": model_version(a)},
                "body": {"type": "TextualBody", "purpose": "tagging", "value": s.label},
                "target": {
                    "source": source,
                    "selector": [
                        quote_selector(&text, s),
                        {"type": "TextPositionSelector", "start": s.start, "end": s.end},
                    ],
                },
            }));
        }
    }
    json!({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "label": "rhetor analyses",
        "total": items.len(),
        "first": {"type": "AnnotationPage", "items": items},
    })
}

/// The human annotations of one Label Studio task, read back for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTask {
    /// The task's position in the file (1-based) and its rhetor document.
    pub task: usize,
    pub doc_id: Option<String>,
    pub corrections: Vec<crate::output::Correction>,
}

fn annotator_of(annotation: &Value) -> String {
    match &annotation["completed_by"] {
        Value::Object(o) => o
            .get("email")
            .or_else(|| o.get("username"))
            .or_else(|| o.get("id"))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .unwrap_or_else(|| "unknown".into()),
        Value::Null => "unknown".into(),
        v => v.as_str().map_or_else(|| v.to_string(), str::to_string),
    }
}

/// Reads a Label Studio export (a JSON array of tasks with `annotations`,
/// as its "JSON" export writes them): every non-cancelled annotation's
/// results become corrections — `labels` on `technique`, `paragraph` and
/// `claim`, `choices` on `genre` and `frames` — with the annotator and date.
pub fn labelstudio_import(value: &Value) -> Result<Vec<ImportedTask>, String> {
    let tasks = value
        .as_array()
        .ok_or("a Label Studio export is a JSON array of tasks")?;
    let mut out = Vec::new();
    for (i, task) in tasks.iter().enumerate() {
        let doc_id = task["data"]["rhetor_id"].as_str().map(str::to_string);
        let mut corrections = Vec::new();
        for annotation in task["annotations"].as_array().into_iter().flatten() {
            if annotation["was_cancelled"].as_bool() == Some(true) {
                continue;
            }
            let annotator = annotator_of(annotation);
            let created_at = annotation["updated_at"]
                .as_str()
                .or(annotation["created_at"].as_str())
                .map(str::to_string);
            for r in annotation["result"].as_array().into_iter().flatten() {
                let v = &r["value"];
                let from = r["from_name"].as_str().unwrap_or("");
                let (kind, labels): (&str, Vec<&str>) = match (r["type"].as_str(), from) {
                    (Some("labels"), "paragraph") => ("paragraph", strings(&v["labels"])),
                    (Some("labels"), "claim") => ("claim", strings(&v["labels"])),
                    (Some("labels"), _) => ("technique_span", strings(&v["labels"])),
                    (Some("choices"), "genre") => ("genre", strings(&v["choices"])),
                    (Some("choices"), _) => ("frame", strings(&v["choices"])),
                    _ => continue,
                };
                for label in labels {
                    corrections.push(crate::output::Correction {
                        kind: kind.to_string(),
                        start: v["start"].as_u64().map(|x| x as usize),
                        end: v["end"].as_u64().map(|x| x as usize),
                        text: v["text"].as_str().map(str::to_string),
                        label: label.to_string(),
                        annotator: annotator.clone(),
                        created_at: created_at.clone(),
                        origin: "labelstudio".into(),
                    });
                }
            }
        }
        out.push(ImportedTask {
            task: i + 1,
            doc_id,
            corrections,
        });
    }
    Ok(out)
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default()
}
