//! Language of the document and of each block. A fast path counts the
//! function words of nine common languages (a hash lookup per word); when it
//! is unsure, `whatlang` (trigram profiles, ~70 languages, ~100 µs a call)
//! decides. The document's language is the length-weighted vote of its
//! blocks.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::document::{Document, LanguageGuess};
use crate::stage::{Stage, StageError};

/// Frequent function words per language (lower case).
const STOPWORDS: &[(&str, &str)] = &[
    ("fr", "le la les des du de un une et est que qui dans pour pas sur au aux ce cette ces il elle ils nous vous son sa ses leur leurs plus par avec ne se sont été être mais ou où comme aussi très sans entre depuis donc alors je on y en d' l' qu' n' s' c' j' était ont sera contre selon lors tout tous"),
    ("en", "the of and to in is that for it with as was on are be by this have from or an at which not but were has had their they its been would will who said there what when than more about after he she his her"),
    ("de", "der die das und ist nicht mit von zu den dem des ein eine einer auf für sich auch im es wird sind dass werden wie bei nach aus oder noch hat haben war wurde kann über einen nur vor"),
    ("it", "il di che e la per un una non sono del della dei delle gli nel nella con si è anche come più ma alla al ha questo questa essere da stato ad lo le sul sulla dal dalla tra fra"),
    ("pl", "i w nie na się z że do to jest o jak ale po co tak za od przez już jego jej być są tym także dla czy może który która które oraz ich ze we ten tej tego"),
    ("ru", "и в не на что с по как это к из за от для он она они но же так уже был была было были его её их все о бы то или при также только этого который которые"),
    ("es", "el la los las de que y en del se por con una para es su al lo como más pero sus le ya o este fue ha muy también está entre cuando"),
    ("pt", "o a os as de que e do da dos das em um uma para com não por se na no mais como mas foi ao ele ela também são está pelo pela"),
    ("nl", "de het een en van in is dat op te voor met zijn niet aan er ook als bij door maar om dan nog naar was werd worden deze die"),
];

static STOPWORD_INDEX: LazyLock<HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
    let mut index: HashMap<&'static str, Vec<usize>> = HashMap::new();
    for (i, (_, words)) in STOPWORDS.iter().enumerate() {
        for w in words.split_whitespace() {
            index.entry(w).or_default().push(i);
        }
    }
    index
});

/// Function-word vote; `None` when too few words or no clear winner.
fn detect_fast(text: &str) -> Option<LanguageGuess> {
    let mut hits = [0usize; 9];
    let mut buf = String::new();
    let mut words = 0usize;
    let separators = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                ',' | '.' | ';' | ':' | '!' | '?' | '«' | '»' | '"' | '(' | ')' | '“' | '”'
            )
    };
    // Eighty words decide as well as a thousand.
    for raw in text.split(separators).filter(|w| !w.is_empty()).take(80) {
        words += 1;
        // Ukrainian, Belarusian, Bulgarian, Serbian letters: leave to whatlang.
        if raw.contains(['і', 'ї', 'є', 'ґ', 'ў', 'ђ', 'ј', 'љ', 'њ', 'ћ', 'џ']) {
            return None;
        }
        buf.clear();
        if raw.is_ascii() {
            buf.push_str(raw);
            buf.make_ascii_lowercase();
        } else {
            buf.extend(raw.chars().flat_map(char::to_lowercase).map(|c| {
                if c == '’' {
                    '\''
                } else {
                    c
                }
            }));
        }
        // French elisions: "l'état" counts "l'".
        let key = match buf.find('\'') {
            Some(p) if p > 0 && p <= 3 => &buf[..=p],
            _ => buf.as_str(),
        };
        if let Some(langs) = STOPWORD_INDEX.get(key) {
            for &l in langs {
                hits[l] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
    let (best, second) = (hits[order[0]], hits[order[1]]);
    if words < 5 || best < 3 || best < second * 2 || best * 8 < words {
        return None;
    }
    let margin = (best - second) as f64 / best as f64;
    let support = (best as f64 / 10.0).min(1.0);
    Some(LanguageGuess {
        code: STOPWORDS[order[0]].0.to_string(),
        confidence: ((0.5 + 0.5 * margin * support) * 1000.0).round() / 1000.0,
    })
}

/// Texts shorter than this (in characters) take the document's language.
const MIN_BLOCK_CHARS: usize = 40;

/// ISO 639-1 code for whatlang's ISO 639-3 code, where one exists.
pub fn iso639_1(code3: &str) -> &str {
    match code3 {
        "fra" => "fr",
        "eng" => "en",
        "deu" => "de",
        "ita" => "it",
        "pol" => "pl",
        "rus" => "ru",
        "spa" => "es",
        "por" => "pt",
        "nld" => "nl",
        "ukr" => "uk",
        "bel" => "be",
        "bul" => "bg",
        "ces" => "cs",
        "slk" => "sk",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "ron" => "ro",
        "hun" => "hu",
        "fin" => "fi",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "nb",
        "est" => "et",
        "lav" => "lv",
        "lit" => "lt",
        "ell" => "el",
        "tur" => "tr",
        "ara" => "ar",
        "heb" => "he",
        "pes" => "fa",
        "hin" => "hi",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "vie" => "vi",
        "ind" => "id",
        "cat" => "ca",
        "epo" => "eo",
        "lat" => "la",
        other => other,
    }
}

/// Guesses the language of `text`.
pub fn detect(text: &str) -> Option<LanguageGuess> {
    detect_fast(text).or_else(|| detect_whatlang(text))
}

/// Below this many characters, a block the fast path cannot place takes
/// the document's language rather than paying for trigram scoring.
const MIN_TRIGRAM_CHARS: usize = 120;

fn detect_block(text: &str) -> Option<LanguageGuess> {
    let chars = text.chars().take(MIN_TRIGRAM_CHARS).count();
    if chars < MIN_BLOCK_CHARS {
        return None;
    }
    detect_fast(text).or_else(|| {
        (chars >= MIN_TRIGRAM_CHARS)
            .then(|| detect_whatlang(text))
            .flatten()
    })
}

fn detect_whatlang(text: &str) -> Option<LanguageGuess> {
    // whatlang's cost grows with length; 400 characters are plenty.
    let end = text.char_indices().nth(400).map_or(text.len(), |(b, _)| b);
    let info = whatlang::detect(&text[..end])?;
    Some(LanguageGuess {
        code: iso639_1(info.lang().code()).to_string(),
        confidence: (info.confidence() * 1000.0).round() / 1000.0,
    })
}

/// Sets the document's language and each block's.
#[derive(Debug, Default, Clone, Copy)]
pub struct Language;

impl Stage for Language {
    fn name(&self) -> &'static str {
        "language"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let guesses: Vec<Option<LanguageGuess>> = doc
            .blocks
            .iter()
            .map(|b| detect_block(doc.slice(b.span)))
            .collect();
        // The document's language: blocks vote with their length.
        let mut votes: HashMap<&str, (f64, f64)> = HashMap::new();
        for (b, g) in doc.blocks.iter().zip(&guesses) {
            if let Some(g) = g {
                let w = b.span.len() as f64;
                let e = votes.entry(g.code.as_str()).or_default();
                e.0 += w;
                e.1 += w * g.confidence;
            }
        }
        let total: f64 = votes.values().map(|v| v.0).sum();
        let winner = votes
            .iter()
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(b.0.cmp(a.0)))
            .map(|(code, (w, wc))| LanguageGuess {
                code: code.to_string(),
                confidence: ((wc / total) * 1000.0).round() / 1000.0 * (w / total).min(1.0),
            });
        doc.language = winner.or_else(|| detect(&doc.text));
        let doc_lang = doc.language.clone();
        for (block, guess) in doc.blocks.iter_mut().zip(guesses) {
            // A short or unsure block keeps the document's language.
            block.language = match (guess, &doc_lang) {
                (Some(g), Some(d)) if g.code != d.code && g.confidence < 0.5 => Some(d.clone()),
                (Some(g), _) => Some(g),
                (None, d) => d.clone(),
            };
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_languages() {
        let cases = [
            ("fr", "Le gouvernement a annoncé une réforme importante des retraites pour l'année prochaine."),
            ("en", "The government announced an important pension reform for next year, officials said."),
            ("de", "Die Regierung hat eine wichtige Rentenreform für das nächste Jahr angekündigt."),
            ("it", "Il governo ha annunciato un'importante riforma delle pensioni per il prossimo anno."),
            ("pl", "Rząd ogłosił ważną reformę emerytalną na przyszły rok, poinformowali urzędnicy."),
            ("ru", "Правительство объявило о важной пенсионной реформе на следующий год."),
        ];
        for (code, text) in cases {
            assert_eq!(detect(text).unwrap().code, code, "{text}");
        }
    }
}
