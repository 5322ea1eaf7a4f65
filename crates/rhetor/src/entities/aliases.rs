//! The curated alias table (`models/aliases.tsv`): canonical entities with
//! ids shared across documents and languages, their names in every
//! language, metonyms ("Washington" for the US government), and the
//! demonyms that make groups ("les Ukrainiens") and armed forces
//! ("soldats nord-coréens").
//!
//! Matching runs over tokens, never over a folded copy of the text: a
//! window of tokens is folded into a key (lower case, hyphens as spaces,
//! typographic apostrophes as `'`) and looked up. An all-caps alias
//! ("US", "WHO") matches only all-caps text; an alias with a capital needs
//! a capital in the text, so "us" and "who" stay words.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a for the short keys of the table (SipHash costs more than the
/// lookups it guards; the keys are no attacker's input to collide).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut x = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = x;
    }
}

/// A hash map with [`Fnv`].
pub type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
/// A hash set with [`Fnv`].
pub type FnvSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;
use std::sync::LazyLock;

use crate::document::{EntityKind, NameForm};
use crate::error::ModelError;

/// One canonical entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Canonical {
    pub id: String,
    pub kind: EntityKind,
    pub wikidata: Option<String>,
    pub name: String,
}

/// One way a text can name an entity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alias {
    pub entity: usize,
    pub form: NameForm,
    /// The alias is all capitals: only all-caps text matches it.
    pub all_caps: bool,
    /// Words of the alias with a capital: the text needs as many
    /// ("Le Monde" is not "Le monde émergent").
    pub capitalised: u8,
}

/// A name without its elided article ("l'OTAN" → "OTAN").
pub fn strip_elision(s: &str) -> &str {
    match s.find(['\'', '’']) {
        Some(i) if i <= 3 => s[i..].trim_start_matches(['\'', '’']),
        _ => s,
    }
}

/// At least two letters, all capitals ("OTAN", "l'UE").
pub fn is_all_caps(s: &str) -> bool {
    let core = strip_elision(s);
    let mut letters = core.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some()
        && core.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && letters.all(|c| !c.is_lowercase())
}

/// Words (split at spaces and hyphens) that hold a capital.
fn capitalised_words(s: &str) -> u8 {
    s.split([' ', '-', '\u{a0}'])
        .filter(|w| w.chars().any(char::is_uppercase))
        .count()
        .min(255) as u8
}

/// The parsed table.
#[derive(Debug, Clone, Default)]
pub struct AliasTable {
    pub entities: Vec<Canonical>,
    names: FnvMap<String, Vec<Alias>>,
    /// Keys of demonym adjectives → the country's forces entity.
    adjectives: FnvMap<String, usize>,
    first_words: FnvSet<String>,
    /// Every key's word-boundary prefixes ("les", "les nations"…): a
    /// window that is none of them cannot grow into a name.
    prefixes: FnvSet<String>,
    /// Longest alias, in words.
    pub max_words: usize,
}

/// The key a name or a token window is looked up by.
pub fn key(text: &str) -> String {
    key_cow(text).into_owned()
}

/// [`key`] without allocating when the text is already its own key (most
/// tokens: lower-case words).
pub fn key_cow(text: &str) -> std::borrow::Cow<'_, str> {
    let plain = text.chars().all(|c| {
        !c.is_uppercase()
            && !c.is_whitespace()
            && !matches!(
                c,
                '’' | 'ʼ' | '‘' | '`' | '-' | '‐' | '‑' | '\u{a0}' | '\u{202f}'
            )
    });
    if plain {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '’' | 'ʼ' | '‘' | '`' => '\'',
            '-' | '‐' | '‑' | '\u{a0}' | '\u{202f}' => ' ',
            c => c,
        };
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    std::borrow::Cow::Owned(out)
}

/// The first word of a key (with its elided article: "l'").
pub fn first_word(key: &str) -> &str {
    let end = key
        .char_indices()
        .find(|&(_, c)| c == ' ' || c == '\'')
        .map_or(key.len(), |(i, c)| i + if c == '\'' { 1 } else { 0 });
    &key[..end]
}

impl AliasTable {
    /// Parses the table's text; `name` names it in errors.
    pub fn parse(text: &str, name: &str) -> Result<AliasTable, ModelError> {
        let mut t = AliasTable::default();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let bad = |reason: &str| ModelError::Invalid {
                path: name.to_string(),
                reason: format!("line {}: {reason}", n + 1),
            };
            if cols.len() < 5 {
                return Err(bad("fewer than 5 columns"));
            }
            let kind = EntityKind::parse(cols[1]).ok_or_else(|| bad("unknown kind"))?;
            let wikidata = Some(cols[2].trim())
                .filter(|q| !q.is_empty())
                .map(str::to_string);
            if wikidata
                .as_deref()
                .is_some_and(|q| !q.starts_with('Q') || q[1..].parse::<u64>().is_err())
            {
                return Err(bad("wikidata id is not Q<digits>"));
            }
            let id = cols[0].trim().to_string();
            let entity = t.entities.len();
            t.entities.push(Canonical {
                id: id.clone(),
                kind,
                wikidata,
                name: cols[3].trim().to_string(),
            });
            for alias in cols[4].split('|').filter(|a| !a.is_empty()) {
                let (form, alias) = match alias.strip_prefix('~') {
                    Some(a) => (NameForm::Metonym, a),
                    None => (NameForm::Name, alias),
                };
                t.add(alias, entity, form);
            }
            let people: Vec<&str> = cols
                .get(5)
                .map(|c| c.split('|').filter(|a| !a.is_empty()).collect())
                .unwrap_or_default();
            if !people.is_empty() {
                let group = t.entities.len();
                let shown = people
                    .get(1)
                    .or(people.first())
                    .copied()
                    .unwrap_or_default();
                t.entities.push(Canonical {
                    id: format!("{id}/people"),
                    kind: EntityKind::Group,
                    wikidata: None,
                    name: shown.to_string(),
                });
                for p in people {
                    t.add(p, group, NameForm::Demonym);
                }
            }
            let adjectives: Vec<&str> = cols
                .get(6)
                .map(|c| c.split('|').filter(|a| !a.is_empty()).collect())
                .unwrap_or_default();
            if !adjectives.is_empty() {
                let forces = t.entities.len();
                t.entities.push(Canonical {
                    id: format!("{id}/forces"),
                    kind: EntityKind::Group,
                    wikidata: None,
                    name: format!("armed forces of {}", cols[3].trim()),
                });
                for a in adjectives {
                    t.adjectives.entry(key(a)).or_insert(forces);
                }
            }
        }
        Ok(t)
    }

    fn add(&mut self, alias: &str, entity: usize, form: NameForm) {
        let k = key(alias);
        if k.is_empty() {
            return;
        }
        let all_caps = is_all_caps(alias);
        let form = if all_caps && form == NameForm::Name {
            NameForm::Acronym
        } else {
            form
        };
        let capitalised = capitalised_words(alias);
        self.max_words = self.max_words.max(k.split([' ', '\'']).count());
        self.first_words.insert(first_word(&k).to_string());
        for (i, c) in k.char_indices() {
            if c == ' ' {
                self.prefixes.insert(k[..i].to_string());
            } else if c == '\'' {
                self.prefixes.insert(k[..i + 1].to_string());
            }
        }
        self.prefixes.insert(k.clone());
        let hits = self.names.entry(k).or_default();
        // One hit per entity and form, with the loosest case rule of its
        // spellings ("l'OTAN" and "l'Otan").
        if let Some(h) = hits
            .iter_mut()
            .find(|h| h.entity == entity && h.form == form)
        {
            h.all_caps &= all_caps;
            h.capitalised = h.capitalised.min(capitalised);
        } else {
            hits.push(Alias {
                entity,
                form,
                all_caps,
                capitalised,
            });
        }
    }

    /// Whether a name's key can start with this word's key.
    pub fn may_start(&self, word_key: &str) -> bool {
        self.first_words.contains(word_key)
    }

    /// Whether some alias key starts with `k` (at a word boundary).
    pub fn is_prefix(&self, k: &str) -> bool {
        self.prefixes.contains(k)
    }

    /// The aliases whose key is `k` and whose case rule `surface` meets.
    pub fn lookup(&self, k: &str, surface: &str) -> Vec<Alias> {
        let Some(hits) = self.names.get(k) else {
            return Vec::new();
        };
        let has_lower = !is_all_caps(surface);
        let capitals = capitalised_words(surface);
        hits.iter()
            .copied()
            .filter(|a| (!a.all_caps || !has_lower) && capitals >= a.capitalised)
            .collect()
    }

    /// The forces entity of a demonym adjective ("russe", "nord-coréens").
    pub fn forces_of(&self, adjective_key: &str) -> Option<usize> {
        self.adjectives.get(adjective_key).copied()
    }

    /// The entity with this id.
    pub fn by_id(&self, id: &str) -> Option<&Canonical> {
        self.entities.iter().find(|e| e.id == id)
    }
}

/// The table shipped in the binary.
pub static EMBEDDED: LazyLock<AliasTable> = LazyLock::new(|| {
    AliasTable::parse(
        include_str!("../../../../models/aliases.tsv"),
        "models/aliases.tsv",
    )
    .unwrap_or_else(|e| {
        // A test parses the shipped file; a broken one must not stop an
        // analysis.
        eprintln!("rhetor: {e}; alias table unavailable");
        AliasTable::default()
    })
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_links_variants() {
        let t = AliasTable::parse(
            include_str!("../../../../models/aliases.tsv"),
            "models/aliases.tsv",
        )
        .unwrap();
        // As the stage picks outside "à"/"in": the metonym first.
        let id = |name: &str| {
            let hits = t.lookup(&key(name), name);
            hits.iter()
                .find(|a| a.form == NameForm::Metonym)
                .or(hits.first())
                .map(|a| t.entities[a.entity].id.clone())
        };
        for (name, want) in [
            ("Kim Jong-un", "kim-jong-un"),
            ("Kim Jong Un", "kim-jong-un"),
            ("Poutine", "putin"),
            ("Putin", "putin"),
            ("Путин", "putin"),
            ("Zelensky", "zelensky"),
            ("Zelenskyy", "zelensky"),
            ("Zełenski", "zelensky"),
            ("OTAN", "nato"),
            ("NATO", "nato"),
            ("l’OTAN", "nato"),
            ("Washington", "usa"),
            ("Moscou", "russia"),
            ("Kremlin", "russia"),
            ("Bruxelles", "eu"),
            ("Westminster", "uk"),
            ("Ukrainiens", "ukraine/people"),
            ("Royaume-Uni", "uk"),
            ("États-Unis", "usa"),
        ] {
            assert_eq!(id(name).as_deref(), Some(want), "{name}");
        }
        assert_eq!(id("us"), None, "the pronoun is not the country");
        assert_eq!(id("US").as_deref(), Some("usa"));
        assert_eq!(id("who"), None);
        assert_eq!(id("Le monde"), None, "Le Monde needs its capitals");
        assert!(t.forces_of(&key("nord-coréens")).is_some());
        let ids: HashSet<&str> = t.entities.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids.len(), t.entities.len(), "ids are unique");
    }
}
