//! The entity views: an article's "Who is named" panel, an entity's page
//! (each source's portrayal side by side, techniques near its mentions,
//! mentions over time), the corpus list of entities, and "how each names
//! the same actors" for two articles.

use std::fmt::Write as _;

use super::{escape, human};
use crate::document::PortrayalKind;
use crate::entities::across::ActorComparison;
use crate::output::{Analysis, EntityOut};
use crate::store::{EntityProfile, EntitySummary, PortrayalCount};

/// Portrayal kinds in words.
fn kind_words(kind: &str) -> &str {
    match kind {
        "epithet" => "epithet",
        "apposition" => "apposition",
        "predicate" => "is / who…",
        "action" => "does",
        other => other,
    }
}

fn words_html(words: &[PortrayalCount], limit: usize) -> String {
    if words.is_empty() {
        return "<span class=\"muted\">—</span>".to_string();
    }
    words
        .iter()
        .take(limit)
        .map(|w| {
            let times = if w.count > 1 {
                format!(" ×{}", w.count)
            } else {
                String::new()
            };
            format!(
                "<span class=\"pill\" title=\"{}\">{}{times}</span>",
                escape(kind_words(&w.kind)),
                escape(&w.text)
            )
        })
        .collect()
}

fn techniques_html(t: &[(String, i64)]) -> String {
    t.iter()
        .take(6)
        .map(|(label, n)| {
            format!(
                "<span class=\"pill\" style=\"background:{}\" title=\"{}\">{} ×{n}</span>",
                super::colour(label),
                escape(super::definition(label)),
                escape(&human(label))
            )
        })
        .collect()
}

fn kind_line(kind: &str, wikidata: Option<&str>) -> String {
    match wikidata {
        Some(q) => format!("{} · Wikidata {}", escape(kind), escape(q)),
        None => escape(kind),
    }
}

fn entity_words(e: &EntityOut) -> Vec<PortrayalCount> {
    e.portrayal
        .iter()
        .filter(|p| !matches!(p.kind, PortrayalKind::Technique | PortrayalKind::Claim))
        .map(|p| PortrayalCount {
            kind: p.kind.as_str().to_string(),
            text: p.text.clone(),
            count: 1,
        })
        .collect()
}

/// An article's panel: its actors, how they are named and portrayed.
pub fn entities_panel(a: &Analysis) -> String {
    if a.entities.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h4>Who is named</h4><table class=\"entities\"><tr><th>actor</th><th>named as</th><th>mentions</th><th>what the article attaches to it</th><th>techniques nearby</th></tr>",
    );
    for e in a
        .entities
        .iter()
        .filter(|e| !e.portrayal.is_empty() || e.mentions.len() > 1)
    {
        let mut forms: Vec<&str> = e.mentions.iter().map(|m| m.text.as_str()).collect();
        forms.sort_unstable();
        forms.dedup();
        let t = crate::entities::across::technique_counts(e);
        let _ = write!(
            s,
            "<tr><td><b>{}</b><br><span class=\"small muted\">{}</span></td><td class=\"small\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.name),
            kind_line(e.kind.as_str(), e.wikidata.as_deref()),
            escape(&forms.join(", ")),
            e.mentions.len(),
            words_html(&entity_words(e), 12),
            techniques_html(&t)
        );
    }
    s.push_str("</table>");
    s
}

/// The corpus list of entities; `link` gives an entity's page address
/// (the web app) or `None` (the report).
pub fn entities_table(list: &[EntitySummary], link: Option<&dyn Fn(&str) -> String>) -> String {
    let mut s = String::from(
        "<table class=\"entities\"><tr><th>actor</th><th>kind</th><th>documents</th><th>sources</th><th>mentions</th></tr>",
    );
    for e in list {
        let name = match link {
            Some(f) => format!("<a href=\"{}\">{}</a>", escape(&f(&e.id)), escape(&e.name)),
            None => escape(&e.name),
        };
        let _ = write!(
            s,
            "<tr><td>{name}</td><td class=\"small\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            kind_line(&e.kind, e.wikidata.as_deref()),
            e.documents,
            e.sources,
            e.mentions
        );
    }
    s.push_str("</table>");
    s
}

/// One entity across the corpus: each source's portrayal side by side.
pub fn profile_html(p: &EntityProfile) -> String {
    let e = &p.entity;
    let mut s = format!(
        "<div class=\"card\" id=\"entity-{}\"><h3>{}</h3><div class=\"muted small\">{} · {} documents from {} sources · {} mentions</div><table class=\"entities\"><tr><th>source</th><th>documents</th><th>mentions</th><th>how it portrays {}</th><th>techniques near its mentions</th></tr>",
        escape(&e.id),
        escape(&e.name),
        kind_line(&e.kind, e.wikidata.as_deref()),
        e.documents,
        e.sources,
        e.mentions,
        escape(&e.name)
    );
    for src in &p.by_source {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&src.source),
            src.documents,
            src.mentions,
            words_html(&src.words, 15),
            techniques_html(&src.techniques)
        );
    }
    s.push_str("</table>");
    if p.over_time.iter().any(|m| m.month != "undated") {
        s.push_str("<h4>Mentions over time</h4><table><tr><th>month</th><th>source</th><th>mentions</th></tr>");
        for m in &p.over_time {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&m.month),
                escape(&m.source),
                m.mentions
            );
        }
        s.push_str("</table>");
    }
    s.push_str("</div>");
    s
}

/// "How each names the same actors": one row per shared actor.
pub fn actors_html(actors: &[ActorComparison], a_label: &str, b_label: &str) -> String {
    if actors.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<h4>How each names the same actors</h4><table class=\"entities\"><tr><th>actor</th><th>{}</th><th>{}</th></tr>",
        escape(a_label),
        escape(b_label)
    );
    for x in actors {
        let side = |n: usize, w: &[PortrayalCount], t: &[(String, i64)]| {
            format!(
                "<span class=\"small muted\">{n} mentions</span><br>{}<br>{}",
                words_html(w, 10),
                techniques_html(t)
            )
        };
        let _ = write!(
            s,
            "<tr><td><b>{}</b><br><span class=\"small muted\">{}</span></td><td>{}</td><td>{}</td></tr>",
            escape(&x.name),
            escape(&x.kind),
            side(x.a_mentions, &x.a_words, &x.a_techniques),
            side(x.b_mentions, &x.b_words, &x.b_techniques)
        );
    }
    s.push_str("</table>");
    s
}
