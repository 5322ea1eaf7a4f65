//! Language of the document and of each block (`whatlang`: trigram
//! profiles for ~70 languages, fast enough for a news feed).

use crate::document::{Document, LanguageGuess};
use crate::pipeline::Stage;

/// Texts shorter than this (in characters) take the document's language.
const MIN_BLOCK_CHARS: usize = 40;
/// The document language is guessed from at most this many bytes of body.
const DOC_SAMPLE_BYTES: usize = 4000;

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
    let info = whatlang::detect(text)?;
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

    fn run(&self, doc: &mut Document) {
        let mut sample = String::new();
        for block in doc.body() {
            if sample.len() >= DOC_SAMPLE_BYTES {
                break;
            }
            sample.push_str(doc.slice(block.span));
            sample.push('\n');
        }
        if sample.trim().is_empty() {
            sample = doc.text.chars().take(DOC_SAMPLE_BYTES).collect();
        }
        doc.language = detect(&sample);
        let doc_lang = doc.language.clone();
        for i in 0..doc.blocks.len() {
            let text = &doc.text[doc.blocks[i].span.start..doc.blocks[i].span.end];
            let guess = if text.chars().count() < MIN_BLOCK_CHARS {
                None
            } else {
                detect(text)
            };
            // A short or unsure block keeps the document's language.
            doc.blocks[i].language = match (guess, &doc_lang) {
                (Some(g), Some(d)) if g.code != d.code && g.confidence < 0.5 => Some(d.clone()),
                (Some(g), _) => Some(g),
                (None, d) => d.clone(),
            };
        }
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
