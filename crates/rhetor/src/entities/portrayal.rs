//! Portrayal: the words an article attaches to each mention, found by a
//! light chunker over the tokens of the mention's sentence (no parser).
//! Its rules, in order:
//!
//! - **epithet before**: lower-case words between a determiner and the
//!   name, quote marks skipped ("le “camarade Poutine”" → "camarade");
//! - **epithet after** (French, Italian: adjectives follow the noun): up to
//!   two adjective-looking words right after it ("soldats nord-coréens
//!   fanatiques" → "fanatiques");
//! - **apposition**: a determiner-led noun phrase beside the name between
//!   commas, after it ("Choïgu, le ministre…,") or before it ("le ministre
//!   russe de la Défense, Sergueï Choïgu");
//! - **predicate**: a copula after the name ("Kim Jong-un est sans doute
//!   un dictateur en son pays") or a subject relative clause ("Washington,
//!   qui sème la mort sur toute la planète…"), to the next punctuation;
//! - **action**: the name as subject (no preposition before it) followed by
//!   a verb phrase ("Washington a perdu la main"), to the next punctuation;
//! - **label anaphor**: a demonstrative and a name-calling noun opening a
//!   sentence ("Ces fanatiques, …") are an epithet of the group the
//!   sentence before mentioned last;
//! - **the enemy's name**: a noun phrase after a colon that follows "the
//!   enemy" ("l'ennemi auquel fait face Kiev : des robots humains") is an
//!   epithet of the group named last before it that is not the side facing
//!   that enemy;
//! - **claim**: a numeric claim whose counted thing or source contains the
//!   mention. Techniques are added when the analysis is rendered
//!   ([`super::technique_portrayal`]).
//!
//! Clauses stop at punctuation and are capped in length, so an item never
//! leaves its sentence. "a" and "an" are determiners in English only (French
//! "a" is a verb, Italian "a" a preposition, Polish "a" a conjunction); an
//! apposition does not open on a non-subject relative or an adverb
//! ("l'Ukraine, dont 25 militairement", "l'Otan, toujours possible …").

use std::borrow::Cow;

use crate::document::{Document, Entity, EntityKind, Portrayal, PortrayalKind, Span};
use crate::segment::{Token, TokenKind};

const DETERMINERS: &[&str] = &[
    "le", "la", "l'", "les", "un", "une", "des", "du", "ce", "cet", "cette", "ces", "son", "sa",
    "ses", "leur", "leurs", "notre", "nos", "au", "aux", "the", "a", "an", "this", "that", "these",
    "those", "his", "her", "its", "their", "our", "der", "die", "das", "den", "dem", "des", "ein",
    "eine", "einen", "einem", "einer", "eines", "dieser", "diese", "il", "lo", "i", "gli", "uno",
    "una", "un'", "del", "della", "dello", "dei", "degli", "delle", "al", "alla", "questo",
    "questa",
];

/// The words whose part of speech depends on the article's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grammar {
    English,
    Italian,
    Other,
}

impl Grammar {
    fn of(doc: &Document) -> Self {
        match doc.language.as_ref().map(|l| l.code.as_str()) {
            Some("en") => Self::English,
            Some("it") => Self::Italian,
            _ => Self::Other,
        }
    }
}

/// Whether `l` (lower case) is a determiner. "a" and "an" are English
/// articles only: French "a" is a verb ("a renforcé l'Otan"), Italian "a"
/// and German "an" are prepositions, Polish "a" a conjunction. "il" is the
/// Italian article and the French pronoun ("au Moyen-Orient, il rechigne").
fn is_determiner(l: &str, grammar: Grammar) -> bool {
    match l {
        "a" | "an" => grammar == Grammar::English,
        "il" => grammar == Grammar::Italian,
        _ => DETERMINERS.contains(&l),
    }
}

/// Words that cannot open an apposition after a comma: relatives that are
/// not the subject ("l'Ukraine, dont 25 militairement") and adverbs
/// ("l'Otan, toujours possible avec …" is about the sentence, not the name).
const NOT_APPOSITION: &[&str] = &[
    "dont",
    "où",
    "whose",
    "where",
    "deren",
    "dessen",
    "cui",
    "toujours",
    "encore",
    "déjà",
    "jamais",
    "souvent",
    "aussi",
    "ainsi",
    "alors",
    "donc",
    "pourtant",
    "même",
    "surtout",
    "notamment",
    "désormais",
    "always",
    "still",
    "already",
    "never",
    "often",
    "also",
    "even",
    "especially",
    "notably",
    "immer",
    "noch",
    "schon",
    "auch",
    "sempre",
    "ancora",
    "già",
    "anche",
];

const COPULAS: &[&str] = &[
    "est",
    "sont",
    "était",
    "étaient",
    "fut",
    "serait",
    "seraient",
    "reste",
    "restent",
    "demeure",
    "semble",
    "devient",
    "is",
    "are",
    "was",
    "were",
    "remains",
    "seems",
    "becomes",
    "ist",
    "sind",
    "war",
    "waren",
    "bleibt",
    "scheint",
    "wird",
    "è",
    "sono",
    "era",
    "erano",
    "resta",
    "sembra",
    "diventa",
    "jest",
    "są",
    "był",
    "była",
    "było",
    "byli",
    "pozostaje",
    "является",
    "был",
    "была",
    "были",
    "остается",
    "остаётся",
    "—",
];

const RELATIVES: &[&str] = &[
    "qui",
    "who",
    "which",
    "der",
    "die",
    "welche",
    "welcher",
    "che",
    "który",
    "która",
    "które",
    "którzy",
    "который",
    "которая",
    "которое",
    "которые",
];

/// Pronouns and clause openers: what follows them is a clause, not a noun
/// phrase in apposition.
const CLAUSE_OPENERS: &[&str] = &[
    "soit", "c'", "ce", "il", "elle", "ils", "elles", "on", "nous", "vous", "je", "tu", "y", "it",
    "he", "she", "they", "we", "you", "i", "er", "sie", "es", "wir", "lui", "lei", "loro", "on",
    "ona", "oni", "ono", "он", "она", "они", "оно", "si", "se", "s'", "n'", "ne",
];

/// Words that end a noun phrase or cannot start a verb phrase.
const FUNCTION_WORDS: &[&str] = &[
    "et",
    "ou",
    "ni",
    "mais",
    "de",
    "d'",
    "à",
    "en",
    "par",
    "pour",
    "avec",
    "sans",
    "sur",
    "dans",
    "que",
    "qu'",
    "comme",
    "contre",
    "entre",
    "chez",
    "vers",
    "face",
    "malgré",
    "après",
    "selon",
    "via",
    "depuis",
    "pendant",
    "durant",
    "avant",
    "dès",
    "lors",
    "sous",
    "parmi",
    "alors",
    "puis",
    "donc",
    "car",
    "ainsi",
    "aussi",
    "encore",
    "déjà",
    "même",
    "plus",
    "très",
    "and",
    "or",
    "but",
    "of",
    "in",
    "on",
    "with",
    "by",
    "for",
    "from",
    "to",
    "as",
    "at",
    "against",
    "und",
    "oder",
    "aber",
    "von",
    "mit",
    "für",
    "gegen",
    "bei",
    "aus",
    "zu",
    "e",
    "o",
    "ma",
    "di",
    "da",
    "con",
    "per",
    "su",
    "tra",
    "fra",
    "w",
    "z",
    "na",
    "do",
    "od",
    "przez",
    "dla",
    "oraz",
    "и",
    "в",
    "на",
    "с",
    "по",
    "а",
    "но",
    "или",
    "из",
    "от",
    "для",
    "против",
    "к",
    "у",
];

const PREPOSITIONS: &[&str] = &[
    "de",
    "d'",
    "à",
    "en",
    "par",
    "pour",
    "avec",
    "sans",
    "sur",
    "dans",
    "contre",
    "entre",
    "chez",
    "vers",
    "face",
    "du",
    "des",
    "au",
    "aux",
    "of",
    "in",
    "on",
    "with",
    "by",
    "for",
    "from",
    "to",
    "at",
    "against",
    "than",
    "von",
    "mit",
    "für",
    "gegen",
    "bei",
    "aus",
    "zu",
    "nach",
    "di",
    "da",
    "con",
    "per",
    "su",
    "a",
    "tra",
    "fra",
    "w",
    "z",
    "na",
    "do",
    "od",
    "przez",
    "dla",
    "в",
    "на",
    "с",
    "по",
    "из",
    "от",
    "для",
    "против",
    "к",
    "у",
    "que",
    "qu'",
];

const ADJECTIVE_ENDINGS: &[&str] = &[
    "ique", "iques", "if", "ifs", "ive", "ives", "eux", "euse", "euses", "al", "ale", "ales",
    "aux", "aire", "aires", "el", "elle", "elles", "els", "ien", "ienne", "iennes", "iens", "é",
    "ée", "és", "ées", "oire", "oires", "ico", "ica", "ici", "iche", "ali", "eur", "eurs", "rice",
    "rices",
];

/// Words that look like verbs (participles, conjugated forms) and so are
/// no epithet before a name ("une coalition comprenant l'Otan").
fn verb_like(l: &str) -> bool {
    ["ant", "ent", "ait", "aient", "ing"]
        .iter()
        .any(|s| l.ends_with(s))
}

/// French third-person plural verbs ("supplient", "étaient"), which no
/// noun phrase contains; the few nouns with the ending are excepted.
fn conjugated_plural(l: &str) -> bool {
    l.ends_with("ient")
        && l.chars().count() > 5
        && !matches!(
            l,
            "client" | "patient" | "orient" | "quotient" | "récipient"
        )
}

/// Whether the phrase from token `i` starts with a determiner and a
/// capitalised word: a list of names ("Moscou, la Chine, …"), not an
/// apposition.
fn names_a_list(text: &str, tokens: &[Token], i: usize) -> bool {
    tokens
        .get(i + 1)
        .is_some_and(|t| word(text, t).chars().next().is_some_and(char::is_uppercase))
}

fn word<'a>(text: &'a str, t: &Token) -> &'a str {
    text.get(t.span.start..t.span.end).unwrap_or("")
}

/// The token lower-cased, with `’` as `'`; borrowed when that changes
/// nothing (a word that is already lower case: most of them), so that the
/// chunker's many lookups allocate only for capitalised words.
fn lower<'a>(text: &'a str, t: &Token) -> Cow<'a, str> {
    let w = word(text, t);
    let unchanged =
        |c: char| c != '’' && !c.is_uppercase() && (c.is_lowercase() || !c.is_alphabetic());
    if w.chars().all(unchanged) {
        Cow::Borrowed(w)
    } else {
        Cow::Owned(w.to_lowercase().replace('’', "'"))
    }
}

fn is_lower_word(text: &str, t: &Token) -> bool {
    t.kind == TokenKind::Word && word(text, t).chars().next().is_some_and(char::is_lowercase)
}

fn is_quote(text: &str, t: &Token) -> bool {
    t.kind == TokenKind::Punct && matches!(word(text, t), "“" | "”" | "«" | "»" | "\"" | "„")
}

fn is_stop_punct(text: &str, t: &Token) -> bool {
    t.kind == TokenKind::Punct && !is_quote(text, t) && !matches!(word(text, t), "-" | "'" | "’")
}

fn span_of(tokens: &[Token], s: usize, e: usize) -> Span {
    Span::new(tokens[s].span.start, tokens[e].span.end)
}

/// The clause from token `from` to the next punctuation (or `cap` tokens),
/// stopping before a trailing conjunction.
fn clause(text: &str, tokens: &[Token], from: usize, cap: usize) -> Option<Span> {
    let mut end = from;
    let mut i = from;
    while i < tokens.len() && i - from < cap {
        if is_stop_punct(text, &tokens[i]) {
            break;
        }
        end = i;
        i += 1;
    }
    while end > from
        && matches!(
            lower(text, &tokens[end]).as_ref(),
            "et" | "and" | "und" | "e" | "i" | "и"
        )
    {
        end -= 1;
    }
    (i > from).then(|| span_of(tokens, from, end))
}

/// The portrayal items of one mention (tokens `ms..me` of its sentence).
fn items_of(
    text: &str,
    tokens: &[Token],
    (ms, me): (usize, usize),
    mention: usize,
    grammar: Grammar,
) -> Vec<Portrayal> {
    let mut out = Vec::new();
    let mut push = |kind, span: Span| {
        out.push(Portrayal {
            kind,
            span,
            mention,
            label: None,
        })
    };
    // Epithet before: determiner, lower-case words, (quotes), the name.
    let mut k = ms;
    let mut words: Vec<usize> = Vec::new();
    while k > 0 && words.len() <= 3 {
        k -= 1;
        let t = &tokens[k];
        if is_quote(text, t) {
            continue;
        }
        let l = lower(text, t);
        if is_determiner(&l, grammar) {
            if let (Some(&last), Some(&first)) = (words.first(), words.last()) {
                push(PortrayalKind::Epithet, span_of(tokens, first, last));
            }
            break;
        }
        if !is_lower_word(text, t)
            || matches!(l.as_ref(), "a" | "an")
            || FUNCTION_WORDS.contains(&l.as_ref())
            || COPULAS.contains(&l.as_ref())
            || verb_like(&l)
            || words.len() == 2
        {
            break;
        }
        words.push(k);
    }
    // Epithet after: adjective-looking words right after the name.
    let mut e = me;
    while e < tokens.len() && e < me + 2 {
        let t = &tokens[e];
        let l = lower(text, t);
        let adjectival = is_lower_word(text, t)
            && !l.contains('-')
            && !FUNCTION_WORDS.contains(&l.as_ref())
            && l.chars().count() > 3
            && ADJECTIVE_ENDINGS.iter().any(|s| l.ends_with(s));
        if !adjectival {
            break;
        }
        e += 1;
    }
    if e > me {
        push(PortrayalKind::Epithet, span_of(tokens, me, e - 1));
    }
    let after = e;
    let comma = |i: usize| tokens.get(i).is_some_and(|t| word(text, t) == ",");
    // Apposition after: ", le ministre …," (to the next punctuation).
    // Or a bare noun phrase: ", seul îlot de lucidité".
    let opens_phrase = |t: &Token| {
        let l = lower(text, t);
        if is_determiner(&l, grammar) {
            return true;
        }
        is_lower_word(text, t)
            && !NOT_APPOSITION.contains(&l.as_ref())
            && !FUNCTION_WORDS.contains(&l.as_ref())
            && !RELATIVES.contains(&l.as_ref())
            && !COPULAS.contains(&l.as_ref())
            && !CLAUSE_OPENERS.contains(&l.as_ref())
            && !verb_like(&l)
    };
    // A name governed by a preposition ("incarnée par … du Parti
    // républicain, ignore …") usually closes an inserted phrase: what
    // follows its comma is the main clause, so only a determiner-led
    // phrase counts there.
    let before = ms.checked_sub(1).map(|i| lower(text, &tokens[i]));
    let governed = before.as_deref().is_some_and(|b| PREPOSITIONS.contains(&b));
    // The same through a determiner ("filmée par les soldats ukrainiens, illustre …").
    let governed_phrase = governed
        || (before.as_deref().is_some_and(|b| is_determiner(b, grammar))
            && ms
                .checked_sub(2)
                .is_some_and(|i| PREPOSITIONS.contains(&lower(text, &tokens[i]).as_ref())));
    let led_by_determiner = tokens
        .get(after + 1)
        .is_some_and(|t| is_determiner(&lower(text, t), grammar));
    if comma(after)
        && tokens.get(after + 1).is_some_and(opens_phrase)
        && !names_a_list(text, tokens, after + 1)
        && (led_by_determiner || !governed_phrase)
    {
        if let Some(span) = clause(text, tokens, after + 1, 12) {
            // "La Pologne, la République tchèque, les pays baltes
            // supplient …": a conjugated verb before any relative makes
            // the phrase the subject of a clause, not an apposition.
            let conjugated = tokens[after + 1..]
                .iter()
                .take_while(|t| t.span.end <= span.end)
                .map(|t| lower(text, t))
                .take_while(|l| !RELATIVES.contains(&l.as_ref()))
                .any(|l| conjugated_plural(&l));
            if !conjugated {
                push(PortrayalKind::Apposition, span);
            }
        }
    }
    // Apposition before: "le ministre russe de la Défense, Sergueï Choïgu".
    if ms >= 2 && comma(ms - 1) {
        let mut k = ms - 1;
        let mut det = None;
        while k > 0 && ms - 1 - k < 10 {
            k -= 1;
            let t = &tokens[k];
            let l = lower(text, t);
            if t.kind != TokenKind::Word || COPULAS.contains(&l.as_ref()) {
                break;
            }
            if is_determiner(&l, grammar) {
                det = Some(k);
            }
        }
        // The phrase opens the sentence or follows a copula ("c'est le
        // ministre…, X"), not a preposition ("De son côté, X").
        let opens = det.is_some_and(|d| {
            d == 0
                || tokens.get(d - 1).is_some_and(|t| {
                    t.kind == TokenKind::Punct || COPULAS.contains(&lower(text, t).as_ref())
                })
        });
        if let Some(d) = det.filter(|&d| opens && !names_a_list(text, tokens, d)) {
            if d + 1 < ms - 1 {
                push(PortrayalKind::Apposition, span_of(tokens, d, ms - 2));
            }
        }
    }
    // Predicate: a copula, or a subject relative clause.
    let mut p = after;
    if comma(p) {
        p += 1;
    }
    let at = |i: usize| tokens.get(i).map(|t| lower(text, t)).unwrap_or_default();
    if RELATIVES.contains(&at(p).as_ref()) {
        if let Some(span) = clause(text, tokens, p, 20) {
            push(PortrayalKind::Predicate, span);
        }
        return out;
    }
    let mut v = after;
    if matches!(
        at(v).as_ref(),
        "n'" | "ne" | "not" | "nicht" | "non" | "nie" | "не"
    ) {
        v += 1;
    }
    if COPULAS.contains(&at(v).as_ref()) {
        if let Some(span) = clause(text, tokens, after, 14) {
            push(PortrayalKind::Predicate, span);
        }
        return out;
    }
    // Action: the name as subject of a verb phrase.
    let starts_verb = tokens.get(after).is_some_and(|t| {
        let l = lower(text, t);
        (is_lower_word(text, t) || l == "n'")
            && !FUNCTION_WORDS.contains(&l.as_ref())
            && !DETERMINERS.contains(&l.as_ref())
    });
    if !governed && starts_verb && after == me {
        if let Some(span) = clause(text, tokens, after, 12) {
            push(PortrayalKind::Action, span);
        }
    }
    out
}

/// Nouns that label people, the words of name-calling ("ces fanatiques",
/// "these thugs"): after a demonstrative opening a sentence they refer back
/// to the group the sentence before named last.
const LABELS: &[&str] = &[
    "fanatiques",
    "barbares",
    "terroristes",
    "criminels",
    "mercenaires",
    "héros",
    "lâches",
    "traîtres",
    "robots",
    "bouchers",
    "nazis",
    "fous",
    "voyous",
    "assassins",
    "bandits",
    "marionnettes",
    "extrémistes",
    "envahisseurs",
    "occupants",
    "agresseurs",
    "fanatics",
    "barbarians",
    "terrorists",
    "criminals",
    "mercenaries",
    "heroes",
    "cowards",
    "traitors",
    "thugs",
    "butchers",
    "lunatics",
    "murderers",
    "puppets",
    "extremists",
    "invaders",
    "occupiers",
    "aggressors",
];

/// "Ces fanatiques, endoctrinés …": a demonstrative and a label noun that
/// open sentence `si` are an epithet of the group mentioned last in the
/// sentence before (the mention, and the label's span).
fn label_anaphor(
    doc: &Document,
    entities: &[Entity],
    sentence_tokens: &[Vec<Token>],
    si: usize,
) -> Option<(usize, usize, Span)> {
    let text = doc.text.as_str();
    let tokens = sentence_tokens.get(si)?;
    let (first, noun) = (tokens.first()?, tokens.get(1)?);
    if !matches!(lower(text, first).as_ref(), "ces" | "these" | "those")
        || !LABELS.contains(&lower(text, noun).as_ref())
    {
        return None;
    }
    let previous = doc.sentences.get(si.checked_sub(1)?)?;
    entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Group)
        .flat_map(|(ei, e)| {
            e.mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| previous.contains(m.span))
                .map(move |(mi, m)| (m.span.start, ei, mi))
        })
        .max()
        .map(|(_, ei, mi)| (ei, mi, noun.span))
}

/// Words for "the enemy": the noun phrase a colon hangs on one of them
/// ("la nature de l'ennemi auquel fait face Kiev : des robots humains
/// programmés pour tuer") is what the article calls that enemy.
const ENEMY: &[&str] = &[
    "ennemi",
    "ennemis",
    "adversaire",
    "enemy",
    "foe",
    "feind",
    "gegner",
    "nemico",
    "avversario",
    "wróg",
    "wroga",
    "враг",
    "противник",
];

/// The country part of an entity id ("north-korea/forces" → "north-korea").
fn country_of(id: &str) -> &str {
    id.split('/').next().unwrap_or(id)
}

/// "l'ennemi auquel fait face Kiev : des robots humains …": the noun phrase
/// after the colon (its first two words after a determiner) is an epithet
/// of the group named last before the colon, in this sentence or the two
/// before it, leaving out the side that faces the enemy (an entity named
/// between the enemy word and the colon, with everything of its country).
fn enemy_label(
    doc: &Document,
    entities: &[Entity],
    sentence_tokens: &[Vec<Token>],
    si: usize,
) -> Option<(usize, usize, Span)> {
    let text = doc.text.as_str();
    let tokens = sentence_tokens.get(si)?;
    let enemy = tokens
        .iter()
        .position(|t| t.kind == TokenKind::Word && ENEMY.contains(&lower(text, t).as_ref()))?;
    let colon = enemy
        + tokens[enemy..]
            .iter()
            .position(|t| t.kind == TokenKind::Punct && word(text, t) == ":")?;
    let mut at = colon + 1;
    if tokens
        .get(at)
        .is_some_and(|t| DETERMINERS.contains(&lower(text, t).as_ref()))
    {
        at += 1;
    }
    let words = tokens
        .get(at..)?
        .iter()
        .take(2)
        .take_while(|t| is_lower_word(text, t))
        .count();
    if words == 0 {
        return None;
    }
    let label = span_of(tokens, at, at + words - 1);
    let (from, to) = (tokens[enemy].span.end, tokens[colon].span.start);
    let facing: Vec<&str> = entities
        .iter()
        .filter(|e| {
            e.mentions
                .iter()
                .any(|m| m.span.start >= from && m.span.end <= to)
        })
        .map(|e| country_of(&e.id))
        .collect();
    let window_start = doc.sentences.get(si.saturating_sub(2))?.start;
    entities
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EntityKind::Group && !facing.contains(&country_of(&e.id)))
        .flat_map(|(ei, e)| {
            e.mentions
                .iter()
                .enumerate()
                .filter(|(_, m)| m.span.start >= window_start && m.span.end <= to)
                .map(move |(mi, m)| (m.span.start, ei, mi))
        })
        .max()
        .map(|(_, ei, mi)| (ei, mi, label))
}

/// Adds the portrayal items (all but techniques) to every entity, and
/// orders entities by mentions, most first.
pub fn portray(
    doc: &Document,
    mut entities: Vec<Entity>,
    sentence_tokens: &[Vec<Token>],
) -> Vec<Entity> {
    let text = doc.text.as_str();
    let grammar = Grammar::of(doc);
    let anaphors: Vec<(usize, usize, Span)> = (1..doc.sentences.len())
        .filter_map(|si| label_anaphor(doc, &entities, sentence_tokens, si))
        .chain(
            (0..doc.sentences.len())
                .filter_map(|si| enemy_label(doc, &entities, sentence_tokens, si)),
        )
        .collect();
    for (ei, e) in entities.iter_mut().enumerate() {
        let mut items: Vec<Portrayal> = anaphors
            .iter()
            .filter(|(e2, _, _)| *e2 == ei)
            .map(|&(_, mi, span)| Portrayal {
                kind: PortrayalKind::Epithet,
                span,
                mention: mi,
                label: None,
            })
            .collect();
        for (mi, m) in e.mentions.iter().enumerate() {
            let si = doc.sentences.partition_point(|s| s.end <= m.span.start);
            let (Some(sentence), Some(tokens)) = (doc.sentences.get(si), sentence_tokens.get(si))
            else {
                continue;
            };
            if !sentence.contains(m.span) {
                continue;
            }
            let ms = tokens.partition_point(|t| t.span.start < m.span.start);
            let me = tokens.partition_point(|t| t.span.end <= m.span.end);
            if ms >= me || me > tokens.len() {
                continue;
            }
            items.extend(items_of(text, tokens, (ms, me), mi, grammar));
            for (ci, c) in doc.claims.iter().enumerate() {
                let about = c.subject.is_some_and(|s| s.contains(m.span));
                let from = c.source.as_ref().is_some_and(|s| s.span.contains(m.span));
                if about || from {
                    items.push(Portrayal {
                        kind: PortrayalKind::Claim,
                        span: c.span,
                        mention: mi,
                        label: Some(ci.to_string()),
                    });
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        items.retain(|p| seen.insert((p.kind, p.span, p.label.clone())));
        e.portrayal = items;
    }
    entities.sort_by(|a, b| {
        b.mentions
            .len()
            .cmp(&a.mentions.len())
            .then(a.mentions[0].span.start.cmp(&b.mentions[0].span.start))
    });
    entities
}
