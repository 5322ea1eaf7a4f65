//! HTML rendering shared by the report file and the web app: one
//! self-contained page (inline CSS, SVG and a little JS; no CDN, fonts or
//! external scripts). All article text is escaped.

mod charts;
pub mod check;
pub mod corrections;
pub mod entities;
pub mod sources;

use std::fmt::Write as _;

use crate::compare::{self, ClaimGroup, Comparison, TechniqueProfile};
use crate::numbers::Approximation;
use crate::output::{Analysis, ClaimOut, ParagraphOut};
use crate::semeval::TECHNIQUES;

pub use charts::{conflict_chart, technique_chart};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One-line definitions of the 23 techniques (shown on hover).
pub fn definition(technique: &str) -> &'static str {
    match technique {
        "Appeal_to_Authority" => {
            "Cites an authority or expert as if that alone made the claim true."
        }
        "Appeal_to_Popularity" => "Says something is right because many people believe or do it.",
        "Appeal_to_Values" => {
            "Ties an idea to values the audience holds dear (freedom, democracy, tradition…)."
        }
        "Appeal_to_Fear-Prejudice" => {
            "Promotes or rejects an idea by playing on fear, anxiety or prejudice."
        }
        "Flag_Waving" => "Appeals to patriotism or group identity to justify a position.",
        "Causal_Oversimplification" => "Reduces a complex issue to a single cause.",
        "False_Dilemma-No_Choice" => {
            "Presents two options as the only ones, or one option as the only choice."
        }
        "Consequential_Oversimplification" => {
            "Claims one step will inevitably set off a chain of (usually bad) consequences."
        }
        "Straw_Man" => "Distorts an opponent's position to make it easier to attack.",
        "Red_Herring" => "Diverts attention to an irrelevant topic.",
        "Whataboutism" => "Deflects criticism by pointing at the other side's own wrongdoing.",
        "Slogans" => "A brief, striking phrase used in place of an argument.",
        "Appeal_to_Time" => "Argues that now is the moment to act, or that it is already too late.",
        "Conversation_Killer" => "Words that discourage critical thought and close the discussion.",
        "Loaded_Language" => "Words with strong emotional connotations, used to sway the reader.",
        "Repetition" => "Repeats a word or idea so that it sticks.",
        "Exaggeration-Minimisation" => {
            "Makes something look much bigger or much smaller than it is."
        }
        "Obfuscation-Vagueness-Confusion" => {
            "Deliberately vague wording that lets the text be read many ways."
        }
        "Name_Calling-Labeling" => {
            "Labels a person or group with a loaded name the audience fears, hates or admires."
        }
        "Doubt" => "Questions the credibility of someone or something without evidence.",
        "Guilt_by_Association" => {
            "Discredits by association with a group or person seen negatively."
        }
        "Appeal_to_Hypocrisy" => {
            "Attacks the other side as hypocritical instead of answering the argument."
        }
        "Questioning_the_Reputation" => "Attacks the character or reputation of a person or group.",
        _ => "",
    }
}

/// Index of a technique in the taxonomy (for its colour).
fn technique_index(t: &str) -> usize {
    TECHNIQUES.iter().position(|x| *x == t).unwrap_or(0)
}

/// Background colour of a technique.
pub fn colour(t: &str) -> String {
    let i = technique_index(t);
    // Spread hues with a step co-prime with 23 so neighbours differ.
    format!("hsl({}, 75%, 78%)", (i * 7 % 23) * 360 / 23)
}

fn human(label: &str) -> String {
    label.replace('_', " ")
}

const STYLE: &str = r#"
:root{--ink:#1d232b;--muted:#5b6573;--line:#d9dee5;--bg:#f7f8fa;--card:#fff;--warn:#b3261e}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
header{background:#1d232b;color:#fff;padding:14px 24px;position:sticky;top:0;z-index:5}header h1{margin:0;font-size:19px;display:inline-block;margin-right:24px}
header nav a{color:#cfd6df;margin-right:16px;text-decoration:none}header nav a:hover{color:#fff}
main{max-width:1200px;margin:0 auto;padding:16px 24px 64px}section{margin:28px 0}h2{font-size:20px;border-bottom:2px solid var(--line);padding-bottom:4px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:12px 0}
table{border-collapse:collapse;width:100%;background:var(--card)}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top;font-size:14px}th{background:#eef1f5}
.pill.possible{display:none;opacity:.75;border-style:dashed}body.show-possible .pill.possible{display:inline-block}
body:not(.show-possible) mark.possible{background:transparent!important}
body.only-flagged p.para:not(.flagged){display:none}body.only-flagged.show-possible p.para.flagged-possible{display:block}
.muted{color:var(--muted)}.small{font-size:13px}.pill{display:inline-block;border-radius:10px;padding:0 8px;margin:1px 2px;font-size:12px;border:1px solid rgba(0,0,0,.12)}
.frame{background:#e8eefc}.genre{background:#fdf0d5}.conflict{color:var(--warn);font-weight:600}
p.para{margin:8px 0;padding-left:10px;border-left:3px solid transparent}p.para.flagged{border-left-color:#e0a100}
.badges{margin:2px 0 0 10px}mark{border-radius:3px;padding:0 1px;cursor:help;color:inherit}
.claim{text-decoration:underline dotted 2px #0b57d0;text-underline-offset:3px}
.heading{font-weight:700;font-size:17px;margin-top:18px}.title{font-weight:800;font-size:21px}.byline{font-style:italic;color:var(--muted)}
.legend span{display:inline-block;margin:2px 6px 2px 0;padding:0 6px;border-radius:3px;font-size:12px}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:800px){.cols{grid-template-columns:1fr}}
.bar{display:inline-block;height:9px;background:#6b8fd6;border-radius:2px;vertical-align:middle}
svg text{font:12px system-ui,sans-serif;fill:#1d232b}
.hidden{display:none}select{font-size:14px;padding:3px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600;cursor:help}
.b-state{background:#fbe3e1;color:#8c1d18;border:1px solid #e8a49e}.b-funded{background:#fff1d6;color:#6d4c00;border:1px solid #ecc979}
.b-public{background:#e3eefc;color:#123d7a;border:1px solid #a9c4ee}.b-none{background:#eef1f5;color:#5b6573;border:1px solid #d9dee5}
.b-lowcred{background:#f6e2f4;color:#6a1b63;border:1px solid #d9a4d2}
"#;

const SCRIPT: &str = r#"
function showPair(){var a=document.getElementById('cmp-a').value,b=document.getElementById('cmp-b').value;
document.querySelectorAll('[data-card]').forEach(function(e){e.classList.add('hidden')});
var ca=document.querySelector('[data-card="'+a+'"]'),cb=document.querySelector('[data-card="'+b+'"]');
var l=document.getElementById('cmp-left'),r=document.getElementById('cmp-right');
if(ca&&cb){l.innerHTML=ca.innerHTML;r.innerHTML=cb.innerHTML;}
document.querySelectorAll('[data-pair]').forEach(function(e){e.classList.add('hidden')});
var p=document.querySelector('[data-pair="'+a+'|'+b+'"]')||document.querySelector('[data-pair="'+b+'|'+a+'"]');if(p)p.classList.remove('hidden');}
function onlyFlagged(cb){document.body.classList.toggle('only-flagged',cb.checked)}
function showPossible(cb){document.body.classList.toggle('show-possible',cb.checked);document.querySelectorAll('.possible-toggle').forEach(function(e){e.checked=cb.checked})}
document.addEventListener('DOMContentLoaded',function(){if(document.getElementById('cmp-a'))showPair()});
"#;

/// The sign of an approximation: "", "≈ ", "> ", "< ", "≥ ", "≤ ".
pub fn approx_symbol(a: Approximation) -> &'static str {
    match a {
        Approximation::Exact => "",
        Approximation::About => "≈ ",
        Approximation::MoreThan => "> ",
        Approximation::LessThan => "< ",
        Approximation::AtLeast => "≥ ",
        Approximation::AtMost => "≤ ",
    }
}

/// A number as people write it: 30 000 (narrow no-break spaces), 1.5 bn, 0.33.
pub fn number_text(x: f64) -> String {
    if x.abs() >= 1e9 && (x / 1e9).fract().abs() < 1e-9 {
        format!("{} bn", x / 1e9)
    } else if x.abs() >= 1e9 {
        format!("{:.1} bn", x / 1e9)
    } else if x.fract() == 0.0 {
        let digits = format!("{}", x.abs() as i64);
        let mut g = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                g.push('\u{202f}');
            }
            g.push(ch);
        }
        if x < 0.0 {
            format!("-{g}")
        } else {
            g
        }
    } else {
        format!("{x:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// A value as people write it: 30 000, 1.5 bn, 50 %, ≥ 1 000 / month.
pub fn format_value(c: &ClaimOut) -> String {
    let v = number_text;
    let mut s = format!("{}{}", approx_symbol(c.approximation), v(c.value));
    if let Some(m) = c.value_max {
        s.push_str(&format!("–{}", v(m)));
    }
    match c.unit.as_deref() {
        Some("%") => s.push_str(" %"),
        Some(u) => {
            s.push(' ');
            s.push_str(u);
        }
        None => {}
    }
    if let Some(p) = &c.per {
        s.push_str(&format!(" / {p}"));
    }
    s
}

fn claim_source(c: &ClaimOut) -> String {
    match &c.source {
        Some(s) => {
            let mut out = format!(
                "{} <span class=\"muted small\">({})</span>",
                escape(&s.text),
                escape(&format!("{:?}", s.kind)).to_lowercase()
            );
            if let Some(o) = &s.outlet {
                out.push_str(&format!(
                    " <span class=\"small\">in {}</span>",
                    escape(&o.text)
                ));
            }
            if s.inherited {
                out.push_str(" <span class=\"muted small\">(same report)</span>");
            }
            out
        }
        None => "<span class=\"muted\">—</span>".to_string(),
    }
}

/// The legend of technique colours with their definitions.
pub fn legend(techniques: &[&str]) -> String {
    let mut s = String::from("<div class=\"legend\">");
    for t in techniques {
        let _ = write!(
            s,
            "<span style=\"background:{}\" title=\"{}\">{}</span>",
            colour(t),
            escape(definition(t)),
            escape(&human(t))
        );
    }
    s.push_str("</div>");
    s
}

/// A paragraph with its technique evidence highlighted and claims underlined.
/// A highlighted range of a paragraph: start, end, and the technique with
/// whether it is confident (None: a numeric claim).
type Mark<'a> = (usize, usize, Option<(&'a str, bool)>);

pub fn paragraph_html(a: &Analysis, p: &ParagraphOut, claims: &[&ClaimOut]) -> String {
    let chars: Vec<char> = a.text.chars().collect();
    let (ps, pe) = (p.start.min(chars.len()), p.end.min(chars.len()));
    // Boundaries of every span inside the paragraph.
    // (start, end, technique and whether it is confident; None: a claim)
    let mut marks: Vec<Mark> = Vec::new();
    for t in &p.techniques {
        for e in &t.evidence {
            marks.push((
                e.start.max(ps),
                e.end.min(pe),
                Some((t.technique.as_str(), t.confident)),
            ));
        }
    }
    for c in claims {
        marks.push((c.start.max(ps), c.end.min(pe), None));
    }
    let mut cuts: Vec<usize> = vec![ps, pe];
    for m in &marks {
        if m.0 < m.1 {
            cuts.push(m.0);
            cuts.push(m.1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut body = String::new();
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let text: String = chars[s..e].iter().collect();
        let covering: Vec<&Mark> = marks
            .iter()
            .filter(|m| m.0 <= s && e <= m.1 && m.0 < m.1)
            .collect();
        // Confident techniques first: a piece is marked as possible only
        // when no confident technique covers it.
        let mut covered: Vec<(&str, bool)> = covering.iter().filter_map(|m| m.2).collect();
        covered.sort_by_key(|t| !t.1);
        let possible = covered.first().is_some_and(|t| !t.1);
        let techniques: Vec<&str> = covered.iter().map(|t| t.0).collect();
        let is_claim = covering.iter().any(|m| m.2.is_none());
        let mut piece = escape(&text);
        if is_claim {
            piece = format!("<span class=\"claim\" title=\"numeric claim\">{piece}</span>");
        }
        if let Some(first) = techniques.first() {
            let mut names: Vec<&str> = techniques.clone();
            names.dedup();
            let title: Vec<String> = names
                .iter()
                .map(|t| format!("{}: {}", human(t), definition(t)))
                .collect();
            piece = format!(
                "<mark data-technique=\"{}\"{} style=\"background:{}\" title=\"{}\">{piece}</mark>",
                escape(first),
                if possible { " class=\"possible\"" } else { "" },
                colour(first),
                escape(&title.join("\n"))
            );
        }
        body.push_str(&piece);
    }
    let class = match p.kind {
        crate::document::BlockKind::Title => "para title",
        crate::document::BlockKind::Heading => "para heading",
        crate::document::BlockKind::Byline => "para byline",
        _ => "para",
    };
    let flagged = if p.techniques.iter().any(|t| t.confident) {
        " flagged"
    } else if p.techniques.is_empty() {
        ""
    } else {
        " flagged-possible"
    };
    let mut s = format!(
        "<p class=\"{class}{flagged}\" id=\"{}-p{}\">{body}</p>",
        escape(&a.id),
        p.index
    );
    if !p.techniques.is_empty() {
        s.push_str("<div class=\"badges\">");
        for t in &p.techniques {
            let _ =
                write!(
                s,
                "<span class=\"pill{}\" style=\"background:{}\" title=\"{}{}\">{}{} {:.0}%</span>",
                if t.confident { "" } else { " possible" },
                colour(&t.technique),
                escape(definition(&t.technique)),
                if t.confident { "" } else { "\n(possible: below the precision ≥ 0.6 threshold)" },
                if t.confident { "" } else { "possible: " },
                escape(&human(&t.technique)),
                t.probability * 100.0
            );
        }
        s.push_str("</div>");
    }
    s
}

fn frames_html(a: &Analysis) -> String {
    let mut s = String::new();
    if let Some(g) = &a.genre {
        let _ = write!(
            s,
            "<span class=\"pill genre\" title=\"genre\">{} {:.0}%</span>",
            escape(&g.label),
            g.probability * 100.0
        );
    }
    for f in &a.frames {
        let _ = write!(
            s,
            "<span class=\"pill frame\" title=\"frame\">{} {:.0}%</span>",
            escape(&human(&f.label)),
            f.probability * 100.0
        );
    }
    s
}

/// "1 article", "3 articles".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The full view of one article: header, legend, highlighted text, claims.
pub fn article_html(a: &Analysis) -> String {
    let mut s = String::new();
    let profile = compare::document_profile(a);
    let _ = write!(
        s,
        "<article class=\"card\" id=\"doc-{}\"><h3>{}</h3><div class=\"muted small\">{} · {} · {} words · {}{}</div><div>{}</div>",
        escape(&a.id),
        escape(&compare::document_label(a)),
        escape(&compare::source_label(a)),
        escape(a.language.as_ref().map_or("?", |l| l.code.as_str())),
        a.word_count,
        escape(&a.source.path),
        match a.tier.as_deref() {
            Some("accurate") => " · labelled by the accurate tier (multilingual encoder)",
            Some("fast") => " · labelled by the fast tier (n-gram models)",
            _ => "",
        },
        frames_html(a)
    );
    let used: Vec<&str> = profile
        .dominant()
        .iter()
        .map(|(t, _)| TECHNIQUES.iter().find(|x| *x == t).copied().unwrap_or(""))
        .filter(|t| !t.is_empty())
        .collect();
    if !used.is_empty() {
        s.push_str(&legend(&used));
    }
    s.push_str("<label class=\"small\"><input type=\"checkbox\" onchange=\"onlyFlagged(this)\"> only paragraphs with techniques</label> <label class=\"small\" title=\"labels below the confident threshold (cross-validated precision ≥ 0.6)\"><input type=\"checkbox\" class=\"possible-toggle\" onchange=\"showPossible(this)\"> show possible labels</label>");
    for p in &a.paragraphs {
        let claims: Vec<&ClaimOut> = a.claims.iter().filter(|c| c.paragraph == p.index).collect();
        s.push_str(&paragraph_html(a, p, &claims));
    }
    if !a.claims.is_empty() {
        s.push_str("<h4>Numeric claims</h4><table><tr><th>figure</th><th>what</th><th>when</th><th>hedge</th><th>source</th><th>statement</th></tr>");
        for c in &a.claims {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"small\"><a href=\"#{}-p{}\">{}</a></td></tr>",
                escape(&format_value(c)),
                escape(c.subject.as_ref().map_or("", |x| x.text.as_str())),
                escape(c.time.as_ref().map_or("", |t| t.text.as_str())),
                escape(c.hedge.as_ref().map_or("", |h| h.text.as_str())),
                claim_source(c),
                escape(&a.id),
                c.paragraph,
                escape(&c.sentence.text)
            );
        }
        s.push_str("</table>");
    }
    s.push_str(&entities::entities_panel(a));
    s.push_str(&sources::sources_panel(a));
    s.push_str(&corrections::corrections_panel(a));
    s.push_str("</article>");
    s
}

/// The claims table: groups by counted thing, conflicts flagged.
pub fn claims_table(groups: &[ClaimGroup], analyses: &[Analysis]) -> String {
    let label = |id: &str| {
        analyses
            .iter()
            .find(|a| a.id == id)
            .map(compare::document_label)
            .unwrap_or_default()
    };
    let mut s = String::from("<table class=\"claims\"><tr><th>counted thing</th><th>about</th><th>source (document)</th><th>figure</th><th>subject</th><th>when</th><th>attributed to</th><th>check</th></tr>");
    for g in groups {
        let conflicted: std::collections::BTreeSet<usize> =
            g.conflicts.iter().flat_map(|&(i, j)| [i, j]).collect();
        for (k, e) in g.entries.iter().enumerate() {
            let head =
                if k == 0 {
                    format!(
                    "<td rowspan=\"{}\"><b>{}</b>{}<br><span class=\"muted small\">{}</span></td>",
                    g.entries.len(),
                    escape(&g.key),
                    g.per.as_ref().map_or(String::new(), |p| format!(" / {}", escape(p))),
                    count(g.documents, "document", "documents")
                )
                } else {
                    String::new()
                };
            let check = if conflicted.contains(&k) {
                let others: Vec<String> = g
                    .conflicts
                    .iter()
                    .filter_map(|&(i, j)| {
                        if i == k {
                            Some(j)
                        } else if j == k {
                            Some(i)
                        } else {
                            None
                        }
                    })
                    .map(|o| format_value(&g.entries[o].claim))
                    .collect();
                format!("<span class=\"conflict\" title=\"cannot both hold\">⚠ conflicts with {}</span>", escape(&others.join(", ")))
            } else {
                String::new()
            };
            let _ = write!(
                s,
                "<tr>{head}<td>{}</td><td>{} <span class=\"muted small\">({})</span></td><td><b>{}</b></td><td>{}</td><td>{}</td><td>{}</td><td>{check}</td></tr>",
                escape(e.claim.group.as_deref().unwrap_or("?")),
                escape(&e.source),
                escape(&label(&e.doc_id)),
                escape(&format_value(&e.claim)),
                escape(e.claim.subject.as_ref().map_or("", |x| x.text.as_str())),
                escape(e.claim.time.as_ref().map_or("", |t| t.text.as_str())),
                claim_source(&e.claim)
            );
        }
    }
    s.push_str("</table>");
    s
}

fn profile_html(p: &TechniqueProfile) -> String {
    let mut s = format!("<div class=\"small muted\">{} words, {} paragraphs</div><table><tr><th>technique</th><th>count</th><th>per 1 000 words</th><th>share of paragraphs</th></tr>", p.words, p.paragraphs);
    for (t, n) in p.dominant().into_iter().take(8) {
        let share = p.share(&t);
        let _ = write!(
            s,
            "<tr><td><span class=\"pill\" style=\"background:{}\" title=\"{}\">{}</span></td><td>{n}</td><td>{:.1}</td><td><span class=\"bar\" style=\"width:{:.0}px\"></span> {:.0}%</td></tr>",
            colour(&t),
            escape(definition(&t)),
            escape(&human(&t)),
            p.rate(&t),
            share * 120.0,
            share * 100.0
        );
    }
    s.push_str("</table>");
    s
}

/// A summary card of one document (for side-by-side comparison).
pub fn summary_card(a: &Analysis) -> String {
    let profile = compare::document_profile(a);
    let mut s = format!(
        "<h3>{}</h3><div class=\"muted small\">{}</div><div>{}</div>",
        escape(&compare::document_label(a)),
        escape(&compare::source_label(a)),
        frames_html(a)
    );
    s.push_str("<h4>Dominant techniques</h4>");
    s.push_str(&profile_html(&profile));
    s.push_str("<h4>Figures</h4><ul class=\"small\">");
    for c in a.claims.iter().filter(|c| c.subject.is_some()).take(15) {
        let _ = write!(
            s,
            "<li><b>{}</b> {} — {}</li>",
            escape(&format_value(c)),
            escape(c.subject.as_ref().map_or("", |x| x.text.as_str())),
            claim_source(c)
        );
    }
    s.push_str("</ul>");
    s
}

/// The comparison of two articles: shared topics and diverging figures.
pub fn comparison_html(c: &Comparison) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            "<span class=\"muted\">none</span>".to_string()
        } else {
            v.iter()
                .map(|x| format!("<span class=\"pill\">{}</span>", escape(&human(x))))
                .collect::<String>()
        }
    };
    let mut s = format!(
        "<div class=\"card\"><b>{}</b> vs <b>{}</b><br>genres: {} / {}<br>shared frames: {}<br>frames only in the first: {}<br>frames only in the second: {}<br>shared terms: {}<br>names both mention: {}</div>",
        escape(&c.a_label),
        escape(&c.b_label),
        escape(c.a_genre.as_deref().unwrap_or("?")),
        escape(c.b_genre.as_deref().unwrap_or("?")),
        list(&c.shared_frames),
        list(&c.only_a_frames),
        list(&c.only_b_frames),
        list(&c.shared_terms),
        list(&c.shared_names)
    );
    s.push_str(&entities::actors_html(&c.actors, &c.a_label, &c.b_label));
    if !c.figures.is_empty() {
        s.push_str("<h4>Figures on the same things</h4>");
        s.push_str(&claims_table(&c.figures, &[]));
    }
    s.push_str("<div class=\"cols\"><div>");
    s.push_str(&profile_html(&c.a_profile));
    s.push_str("</div><div>");
    s.push_str(&profile_html(&c.b_profile));
    s.push_str("</div></div>");
    s
}

/// A complete page: the report's style and script, a header with `nav`
/// links (href, label), and `body` (already HTML).
pub fn page(title: &str, nav: &[(&str, &str)], body: &str) -> String {
    let links: String = nav
        .iter()
        .map(|(href, label)| format!("<a href=\"{}\">{}</a>", escape(href), escape(label)))
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{STYLE}</style><script>{SCRIPT}</script></head><body><header><h1>{}</h1><nav>{links}</nav></header><main>{body}</main></body></html>\n",
        escape(title),
        escape(title)
    )
}

/// The whole report.
pub fn render_report(analyses: &[Analysis], title: &str) -> String {
    let groups = compare::group_claims(analyses);
    let sources = compare::source_profiles(analyses);
    let mut s = String::with_capacity(64 * 1024);
    // Overview.
    let words: usize = analyses.iter().map(|a| a.word_count).sum();
    let conflicts: usize = groups.iter().map(|g| g.conflicts.len()).sum();
    let _ = write!(
        s,
        "<section id=\"overview\"><h2>Overview</h2><div class=\"card\">{} from {}, {} words; {}; {} of figures on the same thing, {}.</div><table><tr><th>article</th><th>source</th><th>language</th><th>genre · frames</th><th>dominant techniques</th><th>claims</th></tr>",
        count(analyses.len(), "article", "articles"),
        count(sources.len(), "source", "sources"),
        words,
        count(
            analyses.iter().map(|a| a.claims.len()).sum::<usize>(),
            "numeric claim",
            "numeric claims"
        ),
        count(groups.len(), "group", "groups"),
        count(conflicts, "conflicting pair", "conflicting pairs")
    );
    for a in analyses {
        let p = compare::document_profile(a);
        let top: String = p
            .dominant()
            .into_iter()
            .take(4)
            .map(|(t, n)| {
                format!(
                    "<span class=\"pill\" style=\"background:{}\" title=\"{}\">{} ×{n}</span>",
                    colour(&t),
                    escape(definition(&t)),
                    escape(&human(&t))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<tr><td><a href=\"#doc-{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{top}</td><td>{}</td></tr>",
            escape(&a.id),
            escape(&compare::document_label(a)),
            escape(&compare::source_label(a)),
            escape(a.language.as_ref().map_or("?", |l| l.code.as_str())),
            frames_html(a),
            a.claims.len()
        );
    }
    s.push_str("</table><h3>Techniques per source (per 1 000 words)</h3>");
    s.push_str(&technique_chart(&sources));
    s.push_str("</section>");
    // Claims.
    s.push_str("<section id=\"claims\"><h2>Claims across sources</h2><p class=\"muted small\">Figures grouped by what they count (the head of the subject, synonyms folded: soldiers, troops and men; losses, dead and killed). ⚠ marks pairs with the same subject whose ranges cannot both hold.</p>");
    s.push_str(&check::check_first(analyses, 12));
    s.push_str(&conflict_chart(&groups));
    s.push_str(&claims_table(&groups, analyses));
    s.push_str("</section>");
    // Entities.
    let actors = crate::entities::across::profiles(analyses);
    if !actors.is_empty() {
        s.push_str("<section id=\"entities\"><h2>Who is named, and how each source portrays them</h2><p class=\"muted small\">Names linked across articles and languages (\"Poutine\" = \"Putin\", \"Washington\" for the US government); the words each source attaches to them, and the techniques whose evidence lies next to their mentions.</p>");
        let summaries: Vec<crate::store::EntitySummary> =
            actors.iter().map(|p| p.entity.clone()).collect();
        s.push_str(&entities::entities_table(
            &summaries[..summaries.len().min(40)],
            None,
        ));
        for p in actors
            .iter()
            .filter(|p| p.entity.documents > 1 || p.entity.mentions > 2)
            .take(15)
        {
            s.push_str(&entities::profile_html(p));
        }
        s.push_str("</section>");
    }
    // Compare.
    s.push_str("<section id=\"compare\"><h2>Compare two articles</h2>");
    if analyses.len() >= 2 {
        let options: String = analyses
            .iter()
            .map(|a| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    escape(&a.id),
                    escape(&compare::document_label(a))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<div class=\"card\"><select id=\"cmp-a\" onchange=\"showPair()\">{options}</select> vs <select id=\"cmp-b\" onchange=\"showPair()\">{}</select></div>",
            analyses.iter().enumerate().map(|(i, a)| format!("<option value=\"{}\"{}>{}</option>", escape(&a.id), if i == 1 { " selected" } else { "" }, escape(&compare::document_label(a)))).collect::<String>()
        );
        // Pairwise details for small corpora; cards for any size.
        if analyses.len() <= 12 {
            for (i, a) in analyses.iter().enumerate() {
                for b in &analyses[i + 1..] {
                    let hidden = if i == 0 && b.id == analyses[1].id {
                        ""
                    } else {
                        " hidden"
                    };
                    let _ = write!(
                        s,
                        "<div class=\"pair{hidden}\" data-pair=\"{}|{}\">{}</div>",
                        escape(&a.id),
                        escape(&b.id),
                        comparison_html(&compare::compare(a, b))
                    );
                }
            }
        }
        s.push_str("<div class=\"cols\"><div class=\"card\" id=\"cmp-left\"></div><div class=\"card\" id=\"cmp-right\"></div></div>");
        for a in analyses {
            let _ = write!(
                s,
                "<div class=\"hidden\" data-card=\"{}\">{}</div>",
                escape(&a.id),
                summary_card(a)
            );
        }
    } else {
        s.push_str("<p class=\"muted\">Add a second article to compare.</p>");
    }
    s.push_str("</section>");
    // Who cites whom.
    s.push_str("<section id=\"sources\"><h2>Who cites whom</h2>");
    s.push_str(&sources::who_cites_whom(&sources::citations_of(analyses)));
    s.push_str("</section>");
    // Articles.
    s.push_str("<section id=\"articles\"><h2>Articles</h2>");
    for a in analyses {
        s.push_str(&article_html(a));
    }
    s.push_str("</section>");
    page(
        title,
        &[
            ("#overview", "Overview"),
            ("#claims", "Claims"),
            ("#compare", "Compare"),
            ("#sources", "Sources"),
            ("#articles", "Articles"),
        ],
        &s,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        for t in TECHNIQUES {
            assert!(!definition(t).is_empty(), "{t}");
        }
    }
}
