//! Hand-written SVG charts: deterministic, testable, no library.

use std::fmt::Write as _;

use super::{colour, escape, format_value, human};
use crate::compare::{interval, ClaimGroup, TechniqueProfile};

/// Colours for sources (by position).
fn source_colour(i: usize) -> &'static str {
    const PALETTE: [&str; 8] = [
        "#3b6fd4", "#d4553b", "#2f9e6e", "#9b59b6", "#e0a100", "#17a2b8", "#7f8c8d", "#c0398a",
    ];
    PALETTE[i % PALETTE.len()]
}

/// Horizontal bars: each technique's rate per 1 000 words, one bar per source.
pub fn technique_chart(sources: &[TechniqueProfile]) -> String {
    let mut totals: Vec<(String, f64)> = Vec::new();
    for p in sources {
        for t in p.counts.keys() {
            if !totals.iter().any(|(x, _)| x == t) {
                totals.push((t.clone(), 0.0));
            }
        }
    }
    for (t, total) in &mut totals {
        *total = sources.iter().map(|p| p.rate(t)).sum();
    }
    totals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    totals.truncate(12);
    if totals.is_empty() || sources.is_empty() {
        return "<p class=\"muted\">No techniques found.</p>".into();
    }
    let max = sources
        .iter()
        .flat_map(|p| totals.iter().map(move |(t, _)| p.rate(t)))
        .fold(0.0f64, f64::max)
        .max(0.1);
    let bar_h = 12.0;
    let group_h = bar_h * sources.len() as f64 + 10.0;
    let (left, width) = (230.0, 520.0);
    let height =
        group_h * totals.len() as f64 + 30.0 + 18.0 * ((sources.len() as f64) / 3.0).ceil();
    let mut s = format!("<svg class=\"chart techniques\" role=\"img\" aria-label=\"techniques per source\" width=\"{}\" height=\"{height:.0}\" viewBox=\"0 0 {} {height:.0}\">", left + width + 60.0, left + width + 60.0);
    for (k, (t, _)) in totals.iter().enumerate() {
        let y0 = 10.0 + k as f64 * group_h;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left - 8.0,
            y0 + group_h / 2.0,
            escape(&human(t))
        );
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{y0:.1}\" width=\"6\" height=\"{:.1}\" fill=\"{}\"/>",
            left - 4.0,
            group_h - 10.0,
            colour(t)
        );
        for (i, p) in sources.iter().enumerate() {
            let r = p.rate(t);
            let w = r / max * width;
            let y = y0 + i as f64 * bar_h;
            let _ = write!(s, "<rect x=\"{}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {:.1} per 1 000 words</title></rect>", left + 4.0, bar_h - 2.0, source_colour(i), escape(&p.label), r);
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"small\">{r:.1}</text>",
                left + 8.0 + w,
                y + bar_h - 3.0
            );
        }
    }
    let ly = 10.0 + totals.len() as f64 * group_h + 8.0;
    for (i, p) in sources.iter().enumerate() {
        let x = left + (i % 3) as f64 * 180.0;
        let y = ly + (i / 3) as f64 * 18.0;
        let _ = write!(s, "<rect x=\"{x}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>", source_colour(i), x + 16.0, y + 10.0, escape(&p.label.chars().take(26).collect::<String>()));
    }
    s.push_str("</svg>");
    s
}

/// Dot plot of figures on the same thing (log scale), one row per group,
/// conflicting groups first; each figure's asserted range drawn as a line.
pub fn conflict_chart(groups: &[ClaimGroup]) -> String {
    let rows: Vec<&ClaimGroup> = groups
        .iter()
        .filter(|g| g.has_conflict() || g.documents >= 2)
        .take(10)
        .collect();
    if rows.is_empty() {
        return "<p class=\"muted\">No figures to line up yet.</p>".into();
    }
    let values: Vec<f64> = rows
        .iter()
        .flat_map(|g| g.entries.iter().map(|e| e.claim.value))
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .max(1e-3)
        .log10()
        .floor();
    let hi = values
        .iter()
        .copied()
        .fold(0.0f64, f64::max)
        .max(1.0)
        .log10()
        .ceil()
        .max(lo + 1.0);
    let (left, width, row_h) = (190.0, 560.0, 34.0);
    let x = |v: f64| left + (v.max(1e-3).log10().clamp(lo, hi) - lo) / (hi - lo) * width;
    let height = rows.len() as f64 * row_h + 40.0;
    let mut sources: Vec<String> = Vec::new();
    let mut s = format!("<svg class=\"chart conflicts\" role=\"img\" aria-label=\"figures on the same things\" width=\"{}\" height=\"{height:.0}\" viewBox=\"0 0 {} {height:.0}\">", left + width + 40.0, left + width + 40.0);
    let mut d = lo;
    while d <= hi {
        let px = x(10f64.powf(d));
        let _ = write!(s, "<line x1=\"{px:.1}\" y1=\"8\" x2=\"{px:.1}\" y2=\"{:.0}\" stroke=\"#e3e7ec\"/><text x=\"{px:.1}\" y=\"{:.0}\" text-anchor=\"middle\">{}</text>", height - 24.0, height - 10.0, axis_label(d));
        d += 1.0;
    }
    for (k, g) in rows.iter().enumerate() {
        let y = 20.0 + k as f64 * row_h;
        let label = format!(
            "{}{}{}",
            if g.has_conflict() { "⚠ " } else { "" },
            g.key,
            g.per.as_ref().map_or(String::new(), |p| format!(" / {p}"))
        );
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\"{}>{}</text>",
            left - 10.0,
            y + 4.0,
            if g.has_conflict() {
                " fill=\"#b3261e\""
            } else {
                ""
            },
            escape(&label)
        );
        for (j, e) in g.entries.iter().enumerate() {
            let si = match sources.iter().position(|x| *x == e.source) {
                Some(i) => i,
                None => {
                    sources.push(e.source.clone());
                    sources.len() - 1
                }
            };
            let (a, b) = interval(&e.claim);
            let (xa, xb) = (
                x(a.max(10f64.powf(lo))),
                x(if b.is_finite() { b } else { 10f64.powf(hi) }),
            );
            let dy = (j % 3) as f64 * 4.0 - 4.0;
            let _ = write!(s, "<line x1=\"{xa:.1}\" y1=\"{:.1}\" x2=\"{xb:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"2\" opacity=\"0.45\"/>", y + dy, y + dy, source_colour(si));
            let _ = write!(s, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{}\"><title>{}: {} {} ({})</title></circle>", x(e.claim.value), y + dy, source_colour(si), escape(&e.source), escape(&format_value(&e.claim)), escape(e.claim.subject.as_ref().map_or("", |x| x.text.as_str())), escape(e.claim.group.as_deref().unwrap_or("?")));
        }
    }
    s.push_str("</svg><div class=\"small\">");
    for (i, src) in sources.iter().enumerate() {
        let _ = write!(
            s,
            "<span style=\"color:{}\">●</span> {} &nbsp; ",
            source_colour(i),
            escape(src)
        );
    }
    s.push_str("</div>");
    s
}

fn axis_label(exp: f64) -> String {
    let v = 10f64.powf(exp);
    if v >= 1e9 {
        format!("{}G", v / 1e9)
    } else if v >= 1e6 {
        format!("{}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{}k", v / 1e3)
    } else {
        format!("{v}")
    }
}
