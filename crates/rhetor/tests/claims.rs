//! Claims on the seeds: the figures a careful analyst would list, with
//! their sources; no claim for names, ordinals or URL digits.

mod common;

use common::*;
use rhetor::claims::{Claim, SourceKind};
use rhetor::numbers::{find_numbers, Approximation, NumberKind, NumberOptions};
use rhetor::Document;

fn seed(name: &str) -> Document {
    analyse_file(&repo_root().join("examples").join(name))
}

fn find<'a>(doc: &'a Document, value: f64, subject: &str) -> &'a Claim {
    doc.claims
        .iter()
        .find(|c| c.value == value && c.subject.is_some_and(|s| doc.slice(s).starts_with(subject)))
        .unwrap_or_else(|| panic!("no claim {value} {subject}"))
}

fn source<'a>(doc: &'a Document, c: &Claim) -> (&'a str, SourceKind) {
    let s = c.source.as_ref().expect("a source");
    (doc.slice(s.span), s.kind)
}

#[test]
fn seed_000_claims() {
    let doc = seed("000_d76dd2dda02f8564.txt");
    let c = find(&doc, 8000.0, "soldats nord-coréens");
    assert_eq!(c.approximation, Approximation::Exact);
    let c = find(&doc, 6000.0, "pertes");
    assert_eq!(c.approximation, Approximation::MoreThan);
    assert_eq!(
        source(&doc, c),
        (
            "les services de renseignement britanniques",
            SourceKind::Government
        )
    );
    let c = find(&doc, 50.0, "obus d’artillerie");
    assert_eq!(
        (c.kind, c.approximation),
        (NumberKind::Percent, Approximation::MoreThan)
    );
    assert_eq!(source(&doc, c), ("Reuters", SourceKind::NewsAgency));
    let c = find(&doc, 6000.0, "soldats");
    assert_eq!(
        source(&doc, c),
        ("les services sud-coréens", SourceKind::Government)
    );
    // "d'ici la fin 2025" is the 30 000 total's, not the 6 000 contingent's.
    assert_eq!(c.time, None, "the contingent has no date of its own");
    let c = find(&doc, 30000.0, "hommes");
    assert_eq!(c.approximation, Approximation::MoreThan);
    assert_eq!(
        c.time.as_ref().and_then(|t| t.date.as_deref()),
        Some("2025-12")
    );
    assert_eq!(c.subject_key.as_deref(), Some("soldat"));
    let c = find(&doc, 2000.0, "soldats nord-coréens");
    assert_eq!(c.per.as_deref(), Some("month"));
    let money = doc
        .claims
        .iter()
        .find(|c| c.value == 114e9)
        .expect("114 milliards d'euros");
    assert_eq!(
        (money.kind, money.unit.as_deref()),
        (NumberKind::Currency, Some("EUR"))
    );
    // The named group comes from the clause: "Kim Jong Un expédie 30 000
    // soldats" is North Korea, not the "territoire russe" before it.
    let kim = doc
        .claims
        .iter()
        .find(|c| c.value == 30000.0 && doc.slice(c.sentence).contains("Kim Jong Un expédie"))
        .expect("Kim Jong Un's 30 000");
    assert_eq!(kim.group.as_deref(), Some("North Korea"));
    // "les deux principales puissances européennes" counts powers.
    let c = find(&doc, 2.0, "puissances européennes");
    assert_eq!(c.subject_key.as_deref(), Some("puissance européen"));
    // No claim without a counted thing ("par milliers"), unless a share,
    // money or a unit.
    for c in &doc.claims {
        assert!(
            c.subject.is_some()
                || c.unit.is_some()
                || matches!(
                    c.kind,
                    NumberKind::Percent | NumberKind::Fraction | NumberKind::Currency
                ),
            "bare figure {:?}",
            doc.slice(c.span)
        );
    }
    // Names are not counts.
    for c in &doc.claims {
        let number = doc.slice(c.number);
        assert!(
            !number.contains("23") && !number.contains("24"),
            "KN-23/24 taken as {number}"
        );
    }
}

#[test]
fn seed_004_claims() {
    let doc = seed("004_b6a211a1276a3b4a.txt");
    find(&doc, 400000.0, "soldats");
    let c = find(&doc, 20000.0, "soldats");
    assert_eq!(c.per.as_deref(), Some("month"));
    let c = find(&doc, 1e6, "obus");
    assert_eq!(c.per.as_deref(), Some("month"));
    assert!(c.hedge.is_some(), "« sans doute »");
    let c = find(&doc, 50.0, "pays");
    assert_eq!(c.approximation, Approximation::About);
    let s = c.source.as_ref().expect("source");
    assert_eq!(doc.slice(s.span), "Isabelle Lasserre");
    assert_eq!(s.outlet.map(|o| doc.slice(o)), Some("Le Figaro"));
    assert_eq!(
        c.time.as_ref().and_then(|t| t.date.as_deref()),
        Some("2022")
    );
    find(&doc, 70000.0, "tués");
    // "six ou dix mois": two alternatives, both in months.
    for value in [6.0, 10.0] {
        let c = doc
            .claims
            .iter()
            .find(|c| c.value == value && c.unit.as_deref() == Some("month"))
            .unwrap_or_else(|| panic!("{value} of six ou dix mois"));
        assert_eq!(c.value_max, None);
    }
    for c in &doc.claims {
        let number = doc.slice(c.number);
        assert!(
            !["20", "38", "1062087010", "20230913"].contains(&number),
            "{number} is not a claim"
        );
        assert!(c.kind != NumberKind::Ordinal && c.kind != NumberKind::Date);
    }
    // G20 and the 38e parallèle are seen, not counted.
    let para = doc
        .blocks
        .iter()
        .find(|b| doc.slice(b.span).contains("38e parallèle"))
        .expect("38e");
    let found = find_numbers(doc.slice(para.span), "fr", NumberOptions::default());
    assert!(found
        .iter()
        .any(|m| m.kind == NumberKind::Ordinal && m.value == 38.0));
}

#[test]
fn claim_offsets_slice_the_text() {
    for name in ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"] {
        let doc = seed(name);
        let a = rhetor::output::Analysis::new(&doc, Default::default());
        let chars: Vec<char> = a.text.chars().collect();
        let slice = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
        assert!(a.claims.len() >= 10);
        for c in &a.claims {
            assert_eq!(slice(c.start, c.end), c.text);
            assert_eq!(slice(c.number.start, c.number.end), c.number.text);
            if let Some(s) = &c.subject {
                assert_eq!(slice(s.start, s.end), s.text);
            }
            if let Some(s) = &c.source {
                assert_eq!(slice(s.start, s.end), s.text);
            }
            if let Some(t) = &c.time {
                assert_eq!(slice(t.start, t.end), t.text);
            }
        }
    }
}

fn analysis_of(path: &str, text: &str) -> rhetor::output::Analysis {
    let doc = rhetor::Pipeline::default()
        .run(text_article(path, text.to_string()))
        .expect("document loads");
    rhetor::output::Analysis::new(&doc, Default::default())
}

#[test]
fn identical_negative_figures_do_not_conflict() {
    let text = "Économie\n\nSelon l'Insee, la production industrielle a varié de -5 % en 2023 dans le pays.\n";
    let a = analysis_of("a.txt", text);
    let b = analysis_of("b.txt", &text.replace("Économie", "Industrie"));
    let claims: Vec<_> = a.claims.iter().filter(|c| c.value < 0.0).collect();
    assert!(!claims.is_empty(), "{:?}", a.claims);
    for c in &claims {
        let (low, high) = rhetor::compare::interval(c);
        assert!(low <= c.value && c.value <= high, "{low} {high}");
    }
    let groups = rhetor::compare::group_claims(&[a, b]);
    assert!(groups.iter().all(|g| !g.has_conflict()), "{groups:?}");
}

#[test]
fn capitalised_german_headline_does_not_panic() {
    // "ẞ" lower-cases to the shorter "ß": offsets of a lower-cased copy
    // used to slice the original here.
    let text = "DIE GROẞE OFFENSIVE: 300 Soldaten starben 2024.\n\nLaut dem Ministerium starben bis ENDE 2024 in der GROẞEN OFFENSIVE mehr als 300 Soldaten, sagte der Sprecher.\n";
    let doc = rhetor::Pipeline::default()
        .run(text_article("de.txt", text.to_string()))
        .expect("analysed");
    assert!(
        doc.claims.iter().any(|c| c.value == 300.0),
        "{:?}",
        doc.claims
    );
    for c in &doc.claims {
        assert!(doc.text.get(c.span.start..c.span.end).is_some());
    }
}

fn top(doc: &Document, n: usize) -> Vec<(f64, String)> {
    let a = rhetor::output::Analysis::new(doc, Default::default());
    let mut claims: Vec<&rhetor::output::ClaimOut> = a.claims.iter().collect();
    claims.sort_by(|x, y| y.check_worthiness.total_cmp(&x.check_worthiness));
    claims
        .iter()
        .take(n)
        .map(|c| (c.value, c.text.clone()))
        .collect()
}

#[test]
fn seed_figures_to_check_first_rank_at_the_top() {
    let doc = seed("000_d76dd2dda02f8564.txt");
    let first = top(&doc, 6);
    for (value, what) in [(6000.0, "losses"), (30000.0, "total"), (50.0, "shells")] {
        assert!(
            first.iter().any(|(v, _)| *v == value),
            "{what} ({value}) not in {first:?}"
        );
    }
    let doc = seed("004_b6a211a1276a3b4a.txt");
    let first = top(&doc, 7);
    for value in [400000.0, 20000.0, 70000.0, 1e6] {
        assert!(
            first.iter().any(|(v, _)| *v == value),
            "{value} not in {first:?}"
        );
    }
    // Every claim has a score and its reasons.
    let a = rhetor::output::Analysis::new(&doc, Default::default());
    assert!(a
        .claims
        .iter()
        .all(|c| (0.0..=1.0).contains(&c.check_worthiness)));
    assert!(a
        .claims
        .iter()
        .filter(|c| c.check_worthiness > 0.0)
        .all(|c| !c.check_reasons.is_empty()));
}

#[test]
fn seeds_conflict_only_like_with_like() {
    let analyses: Vec<rhetor::output::Analysis> =
        ["000_d76dd2dda02f8564.txt", "004_b6a211a1276a3b4a.txt"]
            .iter()
            .map(|s| rhetor::output::Analysis::new(&seed(s), Default::default()))
            .collect();
    let roles: Vec<_> = analyses[0]
        .claims
        .iter()
        .filter(|c| c.value == 6000.0 || c.value == 30000.0)
        .map(|c| (c.value, c.role))
        .collect();
    assert!(
        roles.contains(&(6000.0, rhetor::claims::role::ClaimRole::Increment)),
        "{roles:?}"
    );
    // "portant le total … à plus de 30 000 hommes": a total, which no count
    // contradicts.
    assert!(
        roles.contains(&(30000.0, rhetor::claims::role::ClaimRole::Total)),
        "{roles:?}"
    );
    let head = |k: &Option<String>| {
        k.as_deref()
            .and_then(|k| k.split_whitespace().next())
            .map(str::to_string)
    };
    let groups = rhetor::compare::group_claims(&analyses);
    let mut pairs = Vec::new();
    for g in &groups {
        for (i, j) in &g.conflicts {
            let (a, b) = (&g.entries[*i].claim, &g.entries[*j].claim);
            assert_eq!(a.role, b.role);
            assert_eq!(head(&a.subject_key), head(&b.subject_key));
            assert_eq!(a.group, b.group);
            // Unequal keys only inside one article.
            assert!(a.subject_key == b.subject_key || g.entries[*i].doc_id == g.entries[*j].doc_id);
            let why = rhetor::compare::conflict_reason(g, *i, *j);
            assert!(
                why.contains("same group") && why.contains("same role"),
                "{why}"
            );
            pairs.push((a.value, b.value));
        }
    }
    // Seed 000's own inconsistency, issue 12's example: 8 000 fighting (§3)
    // against 11 000 deployed (§39).
    assert!(
        pairs.contains(&(8000.0, 11000.0)) || pairs.contains(&(11000.0, 8000.0)),
        "{pairs:?}"
    );
    assert!(
        pairs.len() <= 5,
        "{} conflicts on the seeds: {pairs:?}",
        pairs.len()
    );
}

#[test]
fn roles_read_their_own_clause() {
    use rhetor::claims::role::ClaimRole;
    let role = |text: &str, value: f64| {
        let a = analysis_of("roles.txt", text);
        a.claims
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.role)
            .unwrap_or_else(|| panic!("no {value} in {text}"))
    };
    // The clause starts after a dash, three bytes long.
    assert_eq!(
        role("Le bilan est lourd — 300 morts selon l'ONU.", 300.0),
        ClaimRole::Loss
    );
    // The words before a figure are the figure before's.
    assert_eq!(
        role(
            "Ces troupes ont eu 6 000 pertes sur 11 000 déployés.",
            11000.0
        ),
        ClaimRole::Count
    );
    assert_eq!(
        role(
            "portant le total des forces nord-coréennes en Russie à plus de 30 000 hommes.",
            30000.0
        ),
        ClaimRole::Total
    );
}

#[test]
fn dotted_abbreviations_do_not_end_the_counted_thing() {
    let a = analysis_of(
        "us.txt",
        "The Pentagon sent over 800 U.S. troops to the border, officials said on Monday.",
    );
    let c = a.claims.iter().find(|c| c.value == 800.0).expect("800");
    assert_eq!(
        c.subject.as_ref().map(|s| s.text.as_str()),
        Some("U.S. troops")
    );
    assert_eq!(c.subject_key.as_deref(), Some("soldat"));
}
