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
