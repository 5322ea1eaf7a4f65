//! What kind of quantity a figure is, so that only like is compared with
//! like: a total (stock), a change or increment, a rate, a share, a loss, a
//! comparison, or a plain count.

use serde::{Deserialize, Serialize};

use crate::document::Claim;
use crate::numbers::NumberKind;
use crate::segment::lower_aligned;

/// A claim's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClaimRole {
    /// "portant le total à 30 000", "a total of", "en tout".
    Total,
    /// "un troisième contingent de 6 000", "20 000 de plus", "additional".
    Increment,
    /// "a doublé", "hausse de 5 %", "rose by".
    Change,
    /// "par mois", "chaque jour".
    Rate,
    /// "50 % des obus", "un tiers".
    Share,
    /// Casualties and losses: "pertes", "tués", "killed".
    Loss,
    /// "deux fois plus que", "three times as many".
    Comparison,
    #[default]
    Count,
}

impl ClaimRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimRole::Total => "total",
            ClaimRole::Increment => "increment",
            ClaimRole::Change => "change",
            ClaimRole::Rate => "rate",
            ClaimRole::Share => "share",
            ClaimRole::Loss => "loss",
            ClaimRole::Comparison => "comparison",
            ClaimRole::Count => "count",
        }
    }
}

const TOTAL: &[&str] = &[
    "total",
    "au total",
    "en tout",
    "in total",
    "insgesamt",
    "in totale",
    "łącznie",
    "всего",
];
const INCREMENT: &[&str] = &[
    "de plus",
    "supplémentaire",
    "nouveau",
    "nouvel",
    "nouvelle",
    "contingent",
    "renfort",
    "additional",
    "more ",
    "another",
    "extra",
    "further",
    "weitere",
    "zusätzlich",
    "ulteriori",
    "kolejn",
    "дополнительн",
    "ещё",
];
const CHANGE: &[&str] = &[
    "doublé",
    "triplé",
    "hausse de",
    "baisse de",
    "augmenté de",
    "diminué de",
    "recul de",
    "progression de",
    "increase",
    "decrease",
    "rose by",
    "fell by",
    "grew by",
    "dropped by",
    "gestiegen",
    "gesunken",
    "aumento",
    "calo",
    "wzrost",
    "spadek",
    "рост",
    "снижение",
];
const LOSS: &[&str] = &[
    "perte",
    "tué",
    "mort",
    "victime",
    "blessé",
    "killed",
    "dead",
    "death",
    "casualt",
    "wounded",
    "loss",
    "getötet",
    "tote",
    "morti",
    "uccis",
    "zabit",
    "zgin",
    "погиб",
    "убит",
    "потер",
];
const COMPARISON: &[&str] = &[
    "fois plus",
    "fois moins",
    "times more",
    "times as",
    "mal mehr",
    "volte",
    "razy",
    "раз",
];

/// The role of `claim`, from its kind, rate and the words around it. The
/// words before it are read back to the start of its clause, and never
/// before the end of `previous`, the figure before it in the sentence, whose
/// words they are ("6 000 pertes sur 11 000 déployés": the 11 000 are no
/// losses; "portant le total des forces … à plus de 30 000": a total).
pub fn role_of(text: &str, claim: &Claim, previous: Option<&Claim>) -> ClaimRole {
    let floor = previous
        .filter(|p| p.sentence == claim.sentence && p.span.end <= claim.span.start)
        .map_or(claim.sentence.start, |p| p.span.end)
        .max(claim.sentence.start);
    let floor = super::clause_start(text, floor, claim.span.start, &[',', ';', ':', '—', '(']);
    let around = |before: usize, after: usize| {
        let start = text[..claim.span.start.min(text.len())]
            .char_indices()
            .rev()
            .nth(before)
            .map_or(floor, |(b, _)| b.max(floor));
        let end = text
            .get(claim.span.end..)
            .and_then(|rest| {
                rest.char_indices()
                    .nth(after)
                    .map(|(b, _)| claim.span.end + b)
            })
            .unwrap_or(claim.sentence.end)
            .min(claim.sentence.end);
        lower_aligned(text.get(start..end).unwrap_or("")).into_owned()
    };
    let near = around(60, 30);
    let has = |list: &[&str]| list.iter().any(|w| near.contains(w));
    if matches!(claim.kind, NumberKind::Percent | NumberKind::Fraction) && !has(CHANGE) {
        return ClaimRole::Share;
    }
    if has(COMPARISON) {
        ClaimRole::Comparison
    } else if has(CHANGE) {
        ClaimRole::Change
    } else if has(TOTAL) {
        ClaimRole::Total
    } else if has(INCREMENT) {
        ClaimRole::Increment
    } else if claim.per.is_some() {
        ClaimRole::Rate
    } else if has(LOSS) {
        ClaimRole::Loss
    } else {
        ClaimRole::Count
    }
}
