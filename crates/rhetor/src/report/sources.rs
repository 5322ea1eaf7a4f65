//! The sources views: an article's "Sources" panel (badges with the
//! typology in words, owner and country, the list and its date in a
//! tooltip) and the corpus view "who cites whom".

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::escape;
use crate::document::{CitedKind, SourceUse, Typology};
use crate::output::{Analysis, CitedSourceOut};
use crate::store::{Citation, SourceSummary};

/// The badge of a typology: state-controlled and captured media in red,
/// state-funded or state-managed in amber, independent public in blue.
pub fn typology_badge(typology: Typology, tooltip: &str) -> String {
    let class = if typology.state_controls_editorial_line() {
        "b-state"
    } else if typology == Typology::IndependentPublic {
        "b-public"
    } else {
        "b-funded"
    };
    format!(
        "<span class=\"badge {class}\" title=\"{}\">{}</span>",
        escape(tooltip),
        escape(typology.label())
    )
}

fn not_listed() -> &'static str {
    "<span class=\"badge b-none\" title=\"not in the State Media Matrix nor in CRED-1: the lists say nothing about it (which does not make it independent)\">not in the lists</span>"
}

fn use_words(u: SourceUse) -> &'static str {
    match u {
        SourceUse::Linked => "linked",
        SourceUse::Quoted => "quoted",
        SourceUse::AttributedFigure => "attributed a figure",
        SourceUse::CitedAsAuthority => "cited as authority",
        SourceUse::Mentioned => "mentioned",
    }
}

/// Badges for one cited source.
pub fn source_badges(s: &CitedSourceOut) -> String {
    let mut out = String::new();
    if let Some(st) = &s.state {
        let tooltip = format!(
            "{} ({}): {} — {}{}; listed as {} ({}), matched by {}",
            st.list,
            st.list_date,
            st.typology_code,
            st.typology_label,
            if st.uncertain {
                " (marked uncertain)"
            } else {
                ""
            },
            st.asset,
            st.listed_host,
            st.matched_by
        );
        out.push_str(&typology_badge(st.typology, &tooltip));
        let _ = write!(
            out,
            " <span class=\"small\">{} · {}</span>",
            escape(&st.owner),
            escape(&st.country)
        );
    }
    if let Some(c) = &s.credibility {
        let low = !matches!(c.category, crate::document::CredCategory::Reliable);
        let _ = write!(
            out,
            " <span class=\"badge {}\" title=\"{} ({}): {} rated {}, score {:.2} (0 low – 1 high)\">CRED-1: {} ({:.2})</span>",
            if low { "b-lowcred" } else { "b-none" },
            escape(&c.list),
            escape(&c.list_date),
            escape(&c.domain),
            c.category.as_str(),
            c.score,
            c.category.as_str(),
            c.score
        );
    }
    if s.state.is_none() && s.credibility.is_none() && s.kind.publishes() {
        out.push_str(not_listed());
    }
    out
}

/// Badges for one source of the corpus list (the store's summary): the
/// typology with owner and country, or "not in the lists", and CRED-1's
/// rating.
pub fn summary_badges(s: &SourceSummary) -> String {
    let publishes = CitedKind::PUBLISHERS.iter().any(|k| k.as_str() == s.kind);
    let behind = match s.typology.as_deref().and_then(Typology::parse) {
        Some(t) => format!(
            "{} <span class=\"small\">{} · {}</span>",
            typology_badge(t, t.code()),
            escape(s.state_owner.as_deref().unwrap_or("")),
            escape(s.state_country.as_deref().unwrap_or(""))
        ),
        None if publishes && s.credibility_category.is_none() => not_listed().to_string(),
        None => String::new(),
    };
    let cred = s
        .credibility_category
        .as_deref()
        .map(|c| {
            format!(
                " <span class=\"badge b-lowcred\">CRED-1: {} ({:.2})</span>",
                escape(c),
                s.credibility_score.unwrap_or(0.0)
            )
        })
        .unwrap_or_default();
    behind + &cred
}

/// The "Sources" panel of an article.
pub fn sources_panel(a: &Analysis) -> String {
    if a.sources.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h4>Sources</h4><table class=\"sources\"><tr><th>source</th><th>kind</th><th>who stands behind it</th><th>how it is used</th><th>mentions</th><th>figures</th></tr>",
    );
    for c in &a.sources {
        let uses: Vec<&str> = c.uses.iter().map(|u| use_words(*u)).collect();
        let name = match (&c.affiliation, &c.role) {
            (Some(aff), Some(role)) => format!(
                "{} <span class=\"small muted\">({role}, {aff})</span>",
                escape(&c.name)
            ),
            (Some(aff), None) => format!(
                "{} <span class=\"small muted\">({aff})</span>",
                escape(&c.name)
            ),
            _ => escape(&c.name),
        };
        let link = c
            .urls
            .first()
            .map(|u| {
                format!(
                    " <span class=\"small muted\">{}</span>",
                    escape(c.domain.as_deref().unwrap_or(u))
                )
            })
            .unwrap_or_default();
        let _ = write!(
            s,
            "<tr data-source=\"{}\"><td>{name}{link}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.id),
            c.kind.label(),
            source_badges(c),
            escape(&uses.join(", ")),
            c.mentions.len(),
            c.claims.len()
        );
    }
    s.push_str("</table>");
    s
}

/// Who cites whom from analyses (the report file, which has no store).
pub fn citations_of(analyses: &[Analysis]) -> Vec<Citation> {
    let mut counts: BTreeMap<(String, String), (String, i64, Option<String>)> = BTreeMap::new();
    for a in analyses {
        let citing = crate::compare::source_label(a);
        let mut seen = BTreeSet::new();
        for c in &a.sources {
            if !c.kind.publishes() || !seen.insert(c.id.clone()) {
                continue;
            }
            let e = counts
                .entry((citing.clone(), c.id.clone()))
                .or_insert_with(|| {
                    (
                        c.name.clone(),
                        0,
                        c.state.as_ref().map(|st| st.typology.as_str().to_string()),
                    )
                });
            e.1 += 1;
        }
    }
    counts
        .into_iter()
        .map(
            |((citing, cited_id), (cited_name, documents, typology))| Citation {
                citing,
                cited_id,
                cited_name,
                documents,
                typology,
            },
        )
        .collect()
}

/// A cited outlet's column: its name, documents citing it, typology.
type Column<'a> = (&'a str, i64, Option<&'a str>);

/// The corpus view "who cites whom": publishing sources × cited outlets,
/// with each publisher's count of citations of state-controlled or captured
/// media and of any state-affiliated (listed) media.
pub fn who_cites_whom(citations: &[Citation]) -> String {
    if citations.is_empty() {
        return "<p class=\"muted\">No outlet or agency cited.</p>".to_string();
    }
    let mut columns: BTreeMap<&str, Column> = BTreeMap::new();
    for c in citations {
        let e = columns.entry(c.cited_id.as_str()).or_insert((
            c.cited_name.as_str(),
            0,
            c.typology.as_deref(),
        ));
        e.1 += c.documents;
    }
    let mut cols: Vec<(&str, Column)> = columns.into_iter().collect();
    cols.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(b.0)));
    cols.truncate(24);
    let citing: BTreeSet<&str> = citations.iter().map(|c| c.citing.as_str()).collect();
    let mut s = String::from("<table class=\"who-cites\"><tr><th>source \\ cites</th>");
    for (_, (name, _, typology)) in &cols {
        let badge = typology
            .and_then(Typology::parse)
            .map(|t| format!("<br>{}", typology_badge(t, t.code())))
            .unwrap_or_default();
        let _ = write!(s, "<th>{}{badge}</th>", escape(name));
    }
    s.push_str("<th>state-controlled or captured</th><th>any state-affiliated</th></tr>");
    for who in citing {
        let _ = write!(s, "<tr><td>{}</td>", escape(who));
        let mine: Vec<&Citation> = citations.iter().filter(|c| c.citing == who).collect();
        for (id, _) in &cols {
            let n = mine
                .iter()
                .find(|c| c.cited_id == *id)
                .map_or(0, |c| c.documents);
            if n > 0 {
                let _ = write!(s, "<td>{n}</td>");
            } else {
                s.push_str("<td class=\"muted\">·</td>");
            }
        }
        let typed = |f: fn(Typology) -> bool| -> i64 {
            mine.iter()
                .filter(|c| {
                    c.typology
                        .as_deref()
                        .and_then(Typology::parse)
                        .is_some_and(f)
                })
                .map(|c| c.documents)
                .sum()
        };
        let _ = write!(
            s,
            "<td>{}</td><td>{}</td></tr>",
            typed(Typology::state_controls_editorial_line),
            typed(|_| true)
        );
    }
    s.push_str("</table><p class=\"small muted\">Cells count the documents of a source that cite an outlet. Typologies from the State Media Matrix (State Media Monitor via ASD, 2024-02); an outlet outside the lists is not thereby independent.</p>");
    s
}
