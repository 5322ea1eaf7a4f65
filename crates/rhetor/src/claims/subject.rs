//! What a figure counts: the subject noun with its modifiers, and the stem
//! and synonym key that groups it across articles.

use super::*;

/// Words that end a subject noun phrase.
pub(super) fn is_stop(w: &str) -> bool {
    matches!(
        w,
        "qui"
            | "que"
            | "qu'"
            | "dont"
            | "ici"
            | "là"
            | "abord"
            | "ailleurs"
            | "autant"
            | "autre"
            | "autres"
            | "part"
            | "habitude"
            | "ores"
            | "suite"
            | "fois"
            | "façon"
            | "manière"
            | "où"
            | "et"
            | "ou"
            | "mais"
            | "dans"
            | "en"
            | "sur"
            | "sous"
            | "par"
            | "pour"
            | "avec"
            | "sans"
            | "selon"
            | "à"
            | "au"
            | "aux"
            | "chez"
            | "vers"
            | "depuis"
            | "pendant"
            | "contre"
            | "entre"
            | "est"
            | "sont"
            | "ont"
            | "a"
            | "ont-ils"
            | "était"
            | "étaient"
            | "sera"
            | "seront"
            | "ne"
            | "n'"
            | "se"
            | "s'"
            | "y"
            | "il"
            | "ils"
            | "elle"
            | "elles"
            | "on"
            | "ce"
            | "cette"
            | "ces"
            | "soit"
            | "comme"
            | "plus"
            | "moins"
            | "déjà"
            | "encore"
            | "aussi"
            | "très"
            | "the"
            | "that"
            | "which"
            | "who"
            | "in"
            | "at"
            | "by"
            | "for"
            | "with"
            | "from"
            | "to"
            | "and"
            | "or"
            | "but"
            | "are"
            | "is"
            | "was"
            | "were"
            | "have"
            | "has"
            | "had"
            | "will"
            | "would"
            | "per"
            | "each"
            | "every"
            | "than"
            | "as"
            | "le"
            | "la"
            | "les"
            | "l'"
            | "un"
            | "une"
            | "des"
            | "du"
            | "of"
            | "an"
            | "this"
            | "these"
            | "those"
            | "it"
            | "they"
            | "we"
            | "i"
            | "je"
            | "nous"
            | "vous"
    ) || w.ends_with("ent") && w.len() > 6 && !w.ends_with("ment")
        || [
            "airement", "ivement", "iquement", "alement", "ellement", "amment", "emment",
            "ssement", "ly",
        ]
        .iter()
        .any(|s| w.ends_with(s) && w.len() > 5)
}

/// An adjective that stands before the noun it qualifies ("principales",
/// "derniers", "nouveaux", "main", "largest").
pub(super) fn is_prenominal(w: &str) -> bool {
    matches!(
        w,
        "principal"
            | "principale"
            | "principaux"
            | "principales"
            | "premier"
            | "premiers"
            | "première"
            | "premières"
            | "dernier"
            | "derniers"
            | "dernière"
            | "dernières"
            | "prochain"
            | "prochains"
            | "prochaine"
            | "prochaines"
            | "grand"
            | "grands"
            | "grande"
            | "grandes"
            | "petit"
            | "petits"
            | "petite"
            | "petites"
            | "nouveau"
            | "nouveaux"
            | "nouvelle"
            | "nouvelles"
            | "seul"
            | "seuls"
            | "seule"
            | "seules"
            | "gros"
            | "grosse"
            | "grosses"
            | "vrais"
            | "vraies"
            | "anciens"
            | "anciennes"
            | "main"
            | "major"
            | "largest"
            | "biggest"
            | "first"
            | "last"
            | "next"
            | "new"
            | "only"
            | "big"
            | "small"
            | "former"
    )
}

/// Likely a modifier that belongs to the subject ("nord-coréens", "russes").
pub(super) fn is_modifier(w: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "ien", "iens", "ienne", "iennes", "ais", "aise", "aises", "ain", "ains", "aine", "aines",
        "ique", "iques", "al", "ale", "ales", "aux", "el", "elle", "els", "elles", "if", "ifs",
        "ive", "ives", "é", "és", "ée", "ées", "ant", "ants", "ante", "antes", "aire", "aires",
        "ois", "oise", "oises", "ese", "ish", "ian", "ic", "ical", "ed", "ary", "ive", "ous",
        "eux", "euse", "euses", "iste", "istes", "ier", "iers", "ière", "ières", "ule", "ules",
        "éen", "éens", "éenne", "éennes", "russe", "russes", "turc", "turcs", "grec", "grecs",
    ];
    w.contains('-') && w.chars().all(|c| c.is_lowercase() || c == '-')
        || SUFFIXES.iter().any(|s| w.ends_with(s)) && w.chars().count() > 3
}

/// A crude stem for grouping: plural endings off, typographic forms folded.
pub fn stem(word: &str) -> String {
    let w = fold(word);
    let w = w.strip_suffix("aux").map(|s| format!("{s}al")).unwrap_or(w);
    let w = if w.ends_with("ss") {
        w
    } else {
        w.strip_suffix('s')
            .or_else(|| w.strip_suffix('x'))
            .map(str::to_string)
            .unwrap_or(w)
    };
    w.strip_suffix('e')
        .filter(|s| s.ends_with("enn") || s.ends_with("ain"))
        .map(|s| s.trim_end_matches('n').to_string() + "n")
        .unwrap_or(w)
}

/// Synonyms folded for grouping: troops are soldiers.
pub(super) fn canonical(stemmed: &str) -> &str {
    match stemmed {
        "homme" | "troupe" | "militaire" | "combattant" | "soldier" | "troop" | "men" | "man"
        | "soldat" | "déployé" | "deployed" => "soldat",
        "mort" | "tué" | "perte" | "victime" | "death" | "casualtie" | "casualty" | "killed"
        | "loss" | "losse" => "perte",
        "obu" | "shell" | "munition" | "projectile" => "obus",
        "pay" | "nation" | "état" | "country" | "countrie" => "pays",
        other => other,
    }
}

pub(super) struct Ctx {
    pub(super) tokens: Vec<Token>,
    pub(super) words: Vec<String>,
    /// Whether each token starts with a capital (the words are folded).
    capitalised: Vec<bool>,
}

impl Ctx {
    pub(super) fn new(text: &str, span: Span) -> Self {
        let tokens = tokenize(text, span);
        let words = tokens
            .iter()
            .map(|t| fold(&text[t.span.start..t.span.end]))
            .collect();
        let capitalised = tokens
            .iter()
            .map(|t| {
                text.get(t.span.start..t.span.end)
                    .and_then(|w| w.chars().next())
                    .is_some_and(char::is_uppercase)
            })
            .collect();
        Ctx {
            tokens,
            words,
            capitalised,
        }
    }

    pub(super) fn index_at(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| t.span.end <= byte)
    }

    /// The token after a dotted abbreviation of capitals starting at `i`
    /// ("U.S.", "U.K.", "E.U."), when a word follows it.
    fn after_abbreviation(&self, i: usize) -> Option<usize> {
        let letter = |k: usize| {
            self.tokens.get(k).is_some_and(|t| {
                t.kind == TokenKind::Word
                    && self.words[k].chars().count() <= 2
                    && self.words[k].chars().all(char::is_alphabetic)
            })
        };
        let dot = |k: usize| self.words.get(k).is_some_and(|w| w == ".");
        let mut k = i;
        let mut parts = 0;
        while letter(k) && dot(k + 1) {
            parts += 1;
            k += 2;
        }
        let capitals = self.capitalised.get(i).copied().unwrap_or(false);
        (parts >= 2
            && capitals
            && self
                .tokens
                .get(k)
                .is_some_and(|t| t.kind == TokenKind::Word))
        .then_some(k)
    }

    /// The subject after the number match: a noun and its modifiers.
    pub(super) fn subject_after(&self, end: usize) -> Option<(Span, String)> {
        let mut i = self.index_at(end);
        // "de"/"d'"/"des"/"of" before the noun: "une cinquantaine de pays".
        while i < self.tokens.len()
            && matches!(
                self.words[i].as_str(),
                "de" | "d'" | "des" | "du" | "of" | "the" | "l'" | "la" | "le" | "les"
            )
        {
            i += 1;
        }
        // An adjective before the noun is no counted thing: "les deux
        // principales puissances européennes" count "puissances européennes".
        while is_prenominal(self.words.get(i).map_or("", String::as_str))
            && self
                .tokens
                .get(i + 1)
                .is_some_and(|t| t.kind == TokenKind::Word)
            && self.words.get(i + 1).is_some_and(|w| !is_stop(w))
        {
            i += 1;
        }
        let first = i;
        // An abbreviation before the noun ("800 U.S. troops", "the U.N.
        // mission"): part of the subject's span, the noun after it its head.
        let i = self.after_abbreviation(i).unwrap_or(i);
        let head = self.tokens.get(i).filter(|t| t.kind == TokenKind::Word)?;
        if is_stop(&self.words[i])
            || self.words[i].chars().next().is_some_and(char::is_uppercase) && i > first
        {
            return None;
        }
        let mut last = i;
        let mut key = vec![canonical(&stem(&self.words[i])).to_string()];
        let mut j = i + 1;
        let mut used_de = false;
        while j < self.tokens.len() && key.len() < 4 {
            let w = self.words[j].as_str();
            if self.tokens[j].kind != TokenKind::Word {
                break;
            }
            if is_modifier(w) && !is_stop(w) {
                key.push(stem(w));
                last = j;
                j += 1;
            } else if !used_de
                && matches!(w, "de" | "d'" | "du" | "des")
                && self
                    .tokens
                    .get(j + 1)
                    .is_some_and(|t| t.kind == TokenKind::Word)
            {
                let mut k = j + 1;
                if matches!(self.words[k].as_str(), "l'" | "la" | "le" | "les") {
                    k += 1;
                }
                let Some(noun) = self.words.get(k) else { break };
                if is_stop(noun) || self.tokens[k].kind != TokenKind::Word {
                    break;
                }
                key.push(stem(noun));
                last = k;
                used_de = true;
                j = k + 1;
            } else {
                break;
            }
        }
        let _ = head;
        Some((
            Span::new(self.tokens[first].span.start, self.tokens[last].span.end),
            key.join(" "),
        ))
    }
}
