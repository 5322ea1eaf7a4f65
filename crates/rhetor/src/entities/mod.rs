//! Who is named: people, organisations, places and groups recognised by a
//! trained tagger ([`tagger`]), linked to canonical entities through the
//! curated multilingual alias table ([`aliases`]), and what each article
//! attaches to them ([`portrayal`]).
//!
//! Per sentence: the tagger's spans and the alias table's matches are
//! merged (an alias match wins and links; a tagger span elsewhere stays an
//! unlinked entity); "soldats nord-coréens" becomes the North Korean
//! forces; within a document a lone surname or given name ("Kim") joins
//! the full name given in the article ("Kim Jong-un"). A capitalised word
//! that is common in lower case does not make an entity at a sentence
//! start or in a title ("Rappelons", "Car", "Beau bilan").

pub mod across;
pub mod aliases;
pub mod portrayal;
pub mod tagger;

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::document::{
    BlockKind, Document, Entity, EntityKind, EntityMention, NameForm, Portrayal, PortrayalKind,
    Span,
};
use crate::segment::{tokenize, Token, TokenKind};
use crate::stage::{Stage, StageError};

use aliases::{key, AliasTable};
use tagger::{LanguageTable, Tagger};

/// The tagger shipped in the binary (`models/entities.bin`).
pub static TAGGER: LazyLock<Option<Tagger>> = LazyLock::new(|| {
    match Tagger::from_bytes(
        include_bytes!("../../../../models/entities.bin"),
        "models/entities.bin",
    ) {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!("rhetor: {e}; names are found by the alias table only");
            None
        }
    }
});

/// The entities stage.
#[derive(Debug, Default, Clone, Copy)]
pub struct Entities;

impl Stage for Entities {
    fn name(&self) -> &'static str {
        "entities"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        doc.entities = find(doc, TAGGER.as_ref(), &aliases::EMBEDDED);
        Ok(())
    }
}

/// Nouns of armed forces, for "soldats nord-coréens" / "Russian troops".
const ARMY_NOUNS: &[&str] = &[
    "soldats",
    "soldat",
    // Casualties are the forces too ("6 000 pertes nord-coréennes").
    "pertes",
    "casualties",
    "troupes",
    "armée",
    "armées",
    "forces",
    "combattants",
    "conscrits",
    "mercenaires",
    "bataillons",
    "unités",
    "soldiers",
    "troops",
    "army",
    "military",
    "fighters",
    "soldaten",
    "truppen",
    "armee",
    "streitkräfte",
    "kämpfer",
    "soldati",
    "truppe",
    "esercito",
    "forze",
    "militari",
    "żołnierze",
    "żołnierzy",
    "wojska",
    "wojsk",
    "wojsko",
    "armia",
    "armii",
    "siły",
    "солдаты",
    "солдат",
    "войска",
    "войск",
    "армия",
    "армии",
    "военные",
    "силы",
];

static ARMY: LazyLock<aliases::FnvSet<&'static str>> =
    LazyLock::new(|| ARMY_NOUNS.iter().copied().collect());

/// Prepositions after which a capital names the city, not its government
/// ("à Moscou", "in Kyiv").
/// ("à" is left out: "contrairement à Washington" is the government.)
const LOCATIVE: &[&str] = &["dans", "in", "at", "nach", "w", "we", "в", "во"];

/// A mention before entities are formed.
#[derive(Debug, Clone)]
struct Found {
    span: Span,
    form: NameForm,
    /// Index into the alias table, when linked.
    canonical: Option<usize>,
    kind: EntityKind,
}

fn slice<'a>(text: &'a str, t: &Token) -> &'a str {
    text.get(t.span.start..t.span.end).unwrap_or("")
}

/// The language table for a block's language, if trained.
fn table_for<'t>(tagger: Option<&'t Tagger>, code: Option<&str>) -> Option<&'t LanguageTable> {
    tagger.and_then(|t| t.table(code?))
}

/// Recognises, links and portrays the entities of `doc`.
pub fn find(doc: &Document, tagger: Option<&Tagger>, table: &AliasTable) -> Vec<Entity> {
    let text = doc.text.as_str();
    let doc_lang = doc.language.as_ref().map(|l| l.code.as_str());
    let mut found: Vec<Found> = Vec::new();
    let mut sentence_tokens: Vec<Vec<Token>> = Vec::with_capacity(doc.sentences.len());
    let mut block_at = 0;
    for &sentence in &doc.sentences {
        // Sentences come in text order: the block index only moves on.
        while doc
            .blocks
            .get(block_at)
            .is_some_and(|b| b.span.end <= sentence.start)
        {
            block_at += 1;
        }
        let block = doc
            .blocks
            .get(block_at)
            .filter(|b| b.span.start <= sentence.start);
        let in_title =
            block.is_some_and(|b| matches!(b.kind, BlockKind::Title | BlockKind::Heading));
        let lang = block
            .and_then(|b| b.language.as_ref())
            .map(|l| l.code.as_str())
            .or(doc_lang);
        let tokens = tokenize(text, sentence);
        let words: Vec<&str> = tokens.iter().map(|t| slice(text, t)).collect();
        let mut taken = vec![false; tokens.len()];
        for ((s, e), alias_ix, form) in alias_matches(text, &tokens, table) {
            if s >= e || taken[s..e].iter().any(|&t| t) {
                continue;
            }
            taken[s..e].iter_mut().for_each(|t| *t = true);
            found.push(Found {
                span: Span::new(tokens[s].span.start, tokens[e - 1].span.end),
                form,
                canonical: Some(alias_ix),
                kind: table.entities[alias_ix].kind,
            });
        }
        if let Some(lt) = table_for(tagger, lang) {
            let tags = lt.tag_names(&words);
            for (s, e, ty) in tagger::chunks(&tags) {
                if taken[s..e].iter().any(|&t| t) {
                    continue;
                }
                let kind = match ty {
                    1 => EntityKind::Person,
                    2 => EntityKind::Organisation,
                    3 => EntityKind::Place,
                    _ => continue, // MISC: events, works, adjectives — not actors
                };
                // Leading lower-case words are no part of a name ("drones Shahed").
                let mut s = s;
                while s < e && !words[s].chars().next().is_some_and(char::is_uppercase) {
                    s += 1;
                }
                if s == e
                    || !plausible(&words[s..e], s == first_word(&tokens), in_title, lt)
                    || (kind == EntityKind::Person
                        && (words[s..e]
                            .iter()
                            .any(|w| w.chars().any(|c| c.is_ascii_digit()))
                            || after_plural_article(&words, s, lang)
                            || after_plural_noun(&words, s, lang)))
                    || (kind == EntityKind::Place && is_acronym(&words[s..e]))
                {
                    continue;
                }
                taken[s..e].iter_mut().for_each(|t| *t = true);
                found.push(Found {
                    span: Span::new(tokens[s].span.start, tokens[e - 1].span.end),
                    form: NameForm::Name,
                    canonical: None,
                    kind,
                });
            }
        }
        sentence_tokens.push(tokens);
    }
    short_forms(text, &sentence_tokens, &mut found);
    found.sort_by_key(|f| f.span.start);
    let entities = group(text, found, table);
    portrayal::portray(doc, entities, &sentence_tokens)
}

/// French words ending in -s or -x that are no plural noun.
const FRENCH_NOT_PLURAL: &[&str] = &[
    "dans",
    "sous",
    "vers",
    "après",
    "depuis",
    "puis",
    "alors",
    "mais",
    "très",
    "plus",
    "moins",
    "tous",
    "toutes",
    "nous",
    "vous",
    "elles",
    "leurs",
    "lors",
    "hors",
    "sans",
    "jamais",
    "toujours",
    "ainsi",
    "aussi",
    "voilà",
    "avons",
    "avez",
    "êtes",
    "sommes",
    "dont",
    "parfois",
    "désormais",
    "jadis",
    "néanmoins",
    "ailleurs",
    "certes",
    "donc",
    "pourtant",
    "chez",
    "selon",
    "mieux",
    "deux",
    "trois",
    "six",
    "dix",
    "entre",
    "contre",
    "face",
    "auprès",
    "dis",
    "fais",
    "crois",
    "vois",
    "sais",
    "veux",
    "peux",
];

/// Whether the word before `s` is a French plural common noun ("les
/// drones Shahed", "des missiles Iskander"): a person's name follows a
/// title in the singular ("le président Macron"), a weapon's or a brand's
/// the plural of what it is. French only: in English a verb in -s precedes
/// names all the time ("says Biden").
fn after_plural_noun(words: &[&str], s: usize, lang: Option<&str>) -> bool {
    if lang != Some("fr") {
        return false;
    }
    s.checked_sub(1)
        .and_then(|k| words.get(k))
        .is_some_and(|w| {
            w.chars().next().is_some_and(char::is_lowercase)
                && w.chars().count() > 3
                && (w.ends_with('s') || w.ends_with('x'))
                && !FRENCH_NOT_PLURAL.contains(w)
        })
}

/// Whether a span is one all-capital acronym ("LGBT"). Places named by an
/// acronym ("USA", "RDC") are in the alias table, which is matched first; the
/// tagger's acronym places are movements, parties or products.
fn is_acronym(words: &[&str]) -> bool {
    matches!(words, [w] if w.chars().count() >= 2
        && w.chars().all(|c| c.is_uppercase() || c == '-' || c == '.'))
}

/// Whether the word before `s` is a plural article ("les Kinzhal", "i
/// Leopard"): a person's name does not take one, a weapon's or a brand's
/// does. (A family, "les Kennedy", is lost with them.) Italian "i" is Polish
/// "and", so the articles are per language.
fn after_plural_article(words: &[&str], s: usize, lang: Option<&str>) -> bool {
    let articles: &[&str] = match lang {
        Some("fr") => &["les", "des", "ces", "aux"],
        Some("it") => &["i", "gli"],
        _ => &[],
    };
    s.checked_sub(1)
        .and_then(|k| words.get(k))
        .is_some_and(|w| articles.contains(&w.to_lowercase().as_str()))
}

/// Lone capitalised words that repeat the first or last word of a person's
/// full name in the article ("Kim" after "Kim Jong-un"), where neither the
/// tagger nor the table found a name.
fn short_forms(text: &str, sentence_tokens: &[Vec<Token>], found: &mut Vec<Found>) {
    let mut parts: std::collections::HashSet<String> = std::collections::HashSet::new();
    for f in found.iter().filter(|f| f.kind == EntityKind::Person) {
        let k = key(text.get(f.span.start..f.span.end).unwrap_or(""));
        if k.contains(' ') {
            for w in [k.split(' ').next(), k.rsplit(' ').next()]
                .into_iter()
                .flatten()
            {
                if w.chars().count() > 2 {
                    parts.insert(w.to_string());
                }
            }
        }
    }
    if parts.is_empty() {
        return;
    }
    let mut extra = Vec::new();
    for tokens in sentence_tokens {
        for t in tokens {
            let w = slice(text, t);
            if t.kind != TokenKind::Word
                || !w.chars().next().is_some_and(char::is_uppercase)
                || !parts.contains(&key(w))
                || found
                    .iter()
                    .any(|f| f.span.start < t.span.end && t.span.start < f.span.end)
            {
                continue;
            }
            extra.push(Found {
                span: t.span,
                form: NameForm::Short,
                canonical: None,
                kind: EntityKind::Person,
            });
        }
    }
    found.extend(extra);
}

/// Index of the first word token (a sentence may open with a quote mark).
fn first_word(tokens: &[Token]) -> usize {
    tokens
        .iter()
        .position(|t| t.kind == TokenKind::Word)
        .unwrap_or(0)
}

/// Whether a tagger span (which starts with a capitalised word) can be a
/// name: a single capitalised word common in lower case is no name at a
/// sentence start or in a title, nor is a title's run of common words.
fn plausible(words: &[&str], at_start: bool, in_title: bool, lt: &LanguageTable) -> bool {
    if words.len() == 1 && (at_start || in_title) {
        let lower = words[0].to_lowercase();
        // Its inflected forms count too: "Prompt à voter …" opens a
        // sentence with an adjective the vocabulary holds as "prompte".
        let common = [
            lower.clone(),
            format!("{lower}e"),
            format!("{lower}s"),
            format!("{lower}es"),
        ]
        .iter()
        .any(|w| tagger::in_vocab(&lt.vocab, lt.header.vocab_bits, w));
        if common {
            return false;
        }
    }
    if in_title
        && words
            .iter()
            .all(|w| tagger::in_vocab(&lt.vocab, lt.header.vocab_bits, &w.to_lowercase()))
    {
        return false;
    }
    true
}

/// The longest alias of the table that starts at token `i`: its end (token
/// index, exclusive) and the entities it names.
fn longest_alias(
    text: &str,
    tokens: &[Token],
    keys: &[std::borrow::Cow<str>],
    table: &AliasTable,
    i: usize,
) -> Option<(usize, Vec<aliases::Alias>)> {
    if tokens.get(i)?.kind != TokenKind::Word || !table.may_start(aliases::first_word(&keys[i])) {
        return None;
    }
    let mut best = None;
    let mut k = String::new();
    let max = (i + table.max_words + 1).min(tokens.len());
    for j in i..max {
        if j > i && !keys[j - 1].ends_with('\'') {
            k.push(' ');
        }
        k.push_str(&keys[j]);
        if !table.is_prefix(&k) {
            break;
        }
        let surface = text
            .get(tokens[i].span.start..tokens[j].span.end)
            .unwrap_or("");
        let hits = table.lookup(&k, surface);
        if !hits.is_empty() {
            best = Some((j + 1, hits));
        }
    }
    best
}

/// Alias matches of a sentence, longest first at each start: token range,
/// canonical index, form. Army noun + demonym adjective makes forces.
fn alias_matches(
    text: &str,
    tokens: &[Token],
    table: &AliasTable,
) -> Vec<((usize, usize), usize, NameForm)> {
    let mut out = Vec::new();
    let keys: Vec<std::borrow::Cow<str>> = tokens
        .iter()
        .map(|t| aliases::key_cow(slice(text, t)))
        .collect();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind != TokenKind::Word {
            i += 1;
            continue;
        }
        // Army noun + adjective, in either order.
        if let Some(m) = forces_at(&keys, tokens, i, table) {
            out.push(m);
            i = m.0 .1;
            continue;
        }
        let best = longest_alias(text, tokens, &keys, table, i);
        // A longer name that starts inside this one wins: "la République
        // tchèque" is Czechia, not "la République" (France) and a word.
        if let Some((end, _)) = &best {
            let overtaken = (i + 1..*end).any(|i2| {
                longest_alias(text, tokens, &keys, table, i2).is_some_and(|(e2, _)| e2 > *end)
            });
            if overtaken {
                i += 1;
                continue;
            }
        }
        match best {
            Some((end, hits)) => {
                let prev = i.checked_sub(1).map(|p| keys[p].as_ref());
                let locative = prev.is_some_and(|p| LOCATIVE.contains(&p));
                // A capital after "à"/"in" is the city; elsewhere the power.
                let pick = hits
                    .iter()
                    .find(|a| (a.form == NameForm::Metonym) != locative)
                    .or(hits.first())
                    .copied();
                if let Some(a) = pick {
                    let surface = text
                        .get(tokens[i].span.start..tokens[end - 1].span.end)
                        .unwrap_or("");
                    let form = match a.form {
                        NameForm::Name | NameForm::Acronym if aliases::is_all_caps(surface) => {
                            NameForm::Acronym
                        }
                        NameForm::Acronym => NameForm::Name,
                        other => other,
                    };
                    out.push(((i, end), a.entity, form));
                }
                i = end;
            }
            None => i += 1,
        }
    }
    out
}

fn forces_at(
    keys: &[std::borrow::Cow<str>],
    tokens: &[Token],
    i: usize,
    table: &AliasTable,
) -> Option<((usize, usize), usize, NameForm)> {
    let next = i + 1;
    if next >= tokens.len() || tokens[next].kind != TokenKind::Word {
        return None;
    }
    let (a, b) = (keys[i].as_ref(), keys[next].as_ref());
    let forces = if ARMY.contains(a) {
        table.forces_of(b)
    } else if ARMY.contains(b) {
        table.forces_of(a)
    } else {
        None
    }?;
    Some(((i, next + 1), forces, NameForm::Forces))
}

/// Mentions grouped into entities: linked ones by canonical id, others by
/// kind and folded name; a one-word person joins a longer name of the
/// article that starts or ends with it.
fn group(text: &str, found: Vec<Found>, table: &AliasTable) -> Vec<Entity> {
    let mut entities: Vec<Entity> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    // Full names of people in the article, for short forms.
    let people: Vec<(String, Option<usize>)> = found
        .iter()
        .filter(|f| f.kind == EntityKind::Person)
        .filter_map(|f| {
            let k = key(text.get(f.span.start..f.span.end)?);
            k.contains(' ').then_some((k, f.canonical))
        })
        .collect();
    let linked = |c: usize| {
        let e = &table.entities[c];
        (
            e.id.clone(),
            e.name.clone(),
            e.kind,
            e.wikidata.clone(),
            true,
        )
    };
    for f in found {
        let surface = text.get(f.span.start..f.span.end).unwrap_or("");
        let k = key(surface);
        let mut form = f.form;
        let (id, name, kind, wikidata, linked) = match f.canonical {
            Some(c) => linked(c),
            None => {
                let full = (f.kind == EntityKind::Person && !k.contains(' '))
                    .then(|| {
                        people.iter().find(|(p, _)| {
                            p.split(' ').next() == Some(k.as_str())
                                || p.rsplit(' ').next() == Some(k.as_str())
                        })
                    })
                    .flatten();
                match full {
                    Some((_, Some(c))) => {
                        form = NameForm::Short;
                        linked(*c)
                    }
                    Some((p, None)) => {
                        form = NameForm::Short;
                        (
                            local_id(EntityKind::Person, p),
                            String::new(),
                            f.kind,
                            None,
                            false,
                        )
                    }
                    None => (
                        local_id(f.kind, &k),
                        surface.to_string(),
                        f.kind,
                        None,
                        false,
                    ),
                }
            }
        };
        let slot = *index.entry(id.clone()).or_insert_with(|| {
            entities.push(Entity {
                id,
                name,
                kind,
                wikidata,
                linked,
                mentions: Vec::new(),
                portrayal: Vec::new(),
            });
            entities.len() - 1
        });
        let e = &mut entities[slot];
        // An unlinked entity is named by its longest mention.
        if !e.linked && form != NameForm::Short && surface.chars().count() > e.name.chars().count()
        {
            e.name = surface.to_string();
        }
        e.mentions.push(EntityMention { span: f.span, form });
    }
    entities
}

/// The id of an unlinked entity: its kind and folded name
/// ("person:isabelle lasserre"), the same in every document.
fn local_id(kind: EntityKind, name_key: &str) -> String {
    format!("{}:{}", kind.as_str(), name_key)
}

/// How far (bytes) technique evidence may lie from a mention and still
/// touch it: overlapping it, or next to it across a space.
const TOUCH: usize = 2;

/// Technique items of every entity: a technique whose evidence lies in the
/// sentence of a mention and touches it (overlaps it, or is next to it). Techniques are decided after this stage (by the
/// classifier), so the JSON output adds these when it renders.
pub fn technique_portrayal(doc: &Document, entity: &Entity) -> Vec<Portrayal> {
    let mut out = Vec::new();
    for (mi, m) in entity.mentions.iter().enumerate() {
        let Some(sentence) = doc
            .sentences
            .iter()
            .find(|s| s.start <= m.span.start && m.span.end <= s.end)
        else {
            continue;
        };
        for hits in &doc.techniques {
            for hit in hits {
                for ev in &hit.evidence {
                    let near = ev.start < m.span.end + TOUCH && m.span.start < ev.end + TOUCH;
                    if near && ev.start < sentence.end && sentence.start < ev.end {
                        let span =
                            Span::new(ev.start.max(sentence.start), ev.end.min(sentence.end));
                        let item = Portrayal {
                            kind: PortrayalKind::Technique,
                            span,
                            mention: mi,
                            label: Some(hit.label.clone()),
                        };
                        // Once per evidence span, at its first mention.
                        if !out
                            .iter()
                            .any(|o: &Portrayal| o.span == item.span && o.label == item.label)
                        {
                            out.push(item);
                        }
                    }
                }
            }
        }
    }
    out
}
