//! "Claims to check first": the most check-worthy figures of the analyses,
//! with the reasons that raised them, opening the claims view.

use std::fmt::Write as _;

use super::escape;
use crate::output::Analysis;

/// The `limit` most check-worthy claims of `analyses`, as a table.
pub fn check_first(analyses: &[Analysis], limit: usize) -> String {
    let mut claims: Vec<(&Analysis, &crate::output::ClaimOut)> = analyses
        .iter()
        .flat_map(|a| a.claims.iter().map(move |c| (a, c)))
        .filter(|(_, c)| c.check_worthiness > 0.0)
        .collect();
    if claims.is_empty() {
        return String::new();
    }
    claims.sort_by(|x, y| y.1.check_worthiness.total_cmp(&x.1.check_worthiness));
    let mut s = String::from(
        "<h3>Claims to check first</h3><table class=\"check-first\"><tr><th>score</th><th>claim</th><th>source</th><th>why</th><th>article</th></tr>",
    );
    for (a, c) in claims.into_iter().take(limit) {
        let _ = write!(
            s,
            "<tr><td>{:.2}</td><td>{}</td><td>{}</td><td class=\"small\">{}</td><td class=\"small\"><a href=\"#{}-p{}\">{}</a></td></tr>",
            c.check_worthiness,
            escape(&c.text),
            escape(c.source.as_ref().map_or("no source", |x| x.text.as_str())),
            escape(&c.check_reasons.join(", ")),
            escape(&a.id),
            c.paragraph,
            escape(&crate::compare::document_label(a))
        );
    }
    s.push_str("</table>");
    s
}
