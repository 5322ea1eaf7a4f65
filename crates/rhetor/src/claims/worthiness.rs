//! Which claims to check first: a simple, explainable score in [0, 1] from
//! features a fact-checker names — a specific or large figure, a named
//! source to call, a superlative or comparison, a causal or predictive
//! statement, a hedge, a rate, an unattributed figure in an opinion piece —
//! minus small counts that nobody checks. Each feature adds its weight;
//! the reasons say which ones fired. No public check-worthiness data exists
//! for French, so the weights are set by hand, not learned; the seeds'
//! figures a fact-checker would check first rank at the top (tested).

use crate::document::{Claim, SourceKind};
use crate::numbers::{Approximation, NumberKind};
use crate::segment::lower_aligned;

/// A claim's check-worthiness and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Worthiness {
    pub score: f32,
    pub reasons: Vec<&'static str>,
}

const COMPARISONS: &[&str] = &[
    "plus que",
    "moins que",
    "fois plus",
    "fois moins",
    "record",
    "jamais",
    "le plus",
    "la plus",
    "les plus",
    "premier",
    "première",
    "pire",
    "meilleur",
    "more than ever",
    "times more",
    "record",
    "highest",
    "lowest",
    "largest",
    "biggest",
    "worst",
    "never",
    "mehr als je",
    "rekord",
    "più che mai",
    "najwięcej",
    "рекорд",
];

const CAUSAL: &[&str] = &[
    "à cause",
    "en raison",
    "provoqu",
    "caus",
    "entraîn",
    "conduit à",
    "d'ici",
    "d’ici",
    "sera ",
    "seront ",
    "va ",
    "vont ",
    "devrait",
    "devraient",
    "because",
    "due to",
    "caused",
    "led to",
    "will ",
    "would ",
    "expected to",
    "by the end",
    "wegen",
    "wird ",
    "werden ",
    "a causa",
    "sarà ",
    "z powodu",
    "из-за",
];

/// The score of `claim` in `text`; `opinion` when the article is an opinion
/// piece (its genre).
pub fn worthiness(text: &str, claim: &Claim, opinion: bool) -> Worthiness {
    let sentence = lower_aligned(
        text.get(claim.sentence.start..claim.sentence.end)
            .unwrap_or(""),
    );
    let v = claim.value.abs();
    let small_count = claim.kind == NumberKind::Number && v < 10.0 && claim.unit.is_none();
    let mut score = if small_count { -0.3f32 } else { 0.0 };
    let mut reasons = Vec::new();
    let mut add = |w: f32, why: &'static str| {
        score += w;
        reasons.push(why);
    };
    match claim.kind {
        NumberKind::Percent | NumberKind::Fraction => add(0.25, "a share of a whole"),
        NumberKind::Currency => add(0.2, "money"),
        _ if v >= 1000.0 => add(0.25, "a large number"),
        _ if v >= 100.0 => add(0.1, "a specific figure"),
        _ => {}
    }
    if v >= 1000.0 && (v % 1000.0 == 0.0) {
        add(0.05, "a round number");
    }
    match claim.source.as_ref().map(|s| s.kind) {
        Some(
            SourceKind::NewsAgency
            | SourceKind::Government
            | SourceKind::Person
            | SourceKind::MediaOutlet,
        ) => add(0.3, "attributed to a named source"),
        Some(SourceKind::Unspecified) => add(0.1, "attributed to a vague source"),
        None if opinion && !small_count => add(0.15, "unattributed in an opinion piece"),
        None => {}
    }
    if claim.per.is_some() {
        add(0.1, "a rate");
    }
    if claim.hedge.is_some() || !matches!(claim.approximation, Approximation::Exact) {
        add(0.05, "hedged or approximate");
    }
    if COMPARISONS.iter().any(|c| sentence.contains(c)) {
        add(0.1, "a superlative or comparison");
    }
    if CAUSAL.iter().any(|c| sentence.contains(c)) {
        add(0.1, "a causal or predictive claim");
    }
    if claim.subject.is_some() {
        add(0.05, "says what it counts");
    }
    if small_count {
        add(0.0, "a small count (less worth checking)");
    }
    Worthiness {
        score: (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
        reasons,
    }
}
