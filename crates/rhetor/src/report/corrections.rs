//! The human corrections of an article (imported from Label Studio), shown
//! beside — never merged into — the model's labels.

use std::fmt::Write as _;

use super::escape;
use crate::output::Analysis;

/// The "Human corrections" panel of an article; empty when there are none.
pub fn corrections_panel(a: &Analysis) -> String {
    if a.corrections.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h4>Human corrections</h4><p class=\"small muted\">Labels given by annotators (imported from Label Studio), kept apart from the model's labels above.</p><table class=\"corrections\"><tr><th>annotator</th><th>when</th><th>what</th><th>label</th><th>words</th></tr>",
    );
    for c in &a.corrections {
        let words: String = c.text.as_deref().unwrap_or("").chars().take(120).collect();
        let _ = write!(
            s,
            "<tr class=\"corrected\"><td>{}</td><td>{}</td><td>{}</td><td><strong>{}</strong> <span class=\"badge b-public\">corrected</span></td><td class=\"small\">{}</td></tr>",
            escape(&c.annotator),
            escape(c.created_at.as_deref().unwrap_or("")),
            escape(&c.kind.replace('_', " ")),
            escape(&c.label),
            escape(&words)
        );
    }
    s.push_str("</table>");
    s
}
