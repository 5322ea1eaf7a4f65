//! Number words, scales, ordinals, approximate counts, fractions, units and
//! currencies of French and English (and the digit-adjacent forms of de, it,
//! pl, ru).

/// Value of a cardinal word, or of a hyphen-joined part of one.
pub fn cardinal(word: &str) -> Option<f64> {
    Some(match word {
        "zéro" | "zero" | "naught" | "nought" | "nil" => 0.0,
        "un" | "une" | "one" => 1.0,
        "deux" | "two" => 2.0,
        "trois" | "three" => 3.0,
        "quatre" | "four" => 4.0,
        "cinq" | "five" => 5.0,
        "six" => 6.0,
        "sept" | "seven" => 7.0,
        "huit" | "eight" => 8.0,
        "neuf" | "nine" => 9.0,
        "dix" | "ten" => 10.0,
        "onze" | "eleven" => 11.0,
        "douze" | "twelve" => 12.0,
        "treize" | "thirteen" => 13.0,
        "quatorze" | "fourteen" => 14.0,
        "quinze" | "fifteen" => 15.0,
        "seize" | "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "vingt" | "vingts" | "twenty" => 20.0,
        "trente" | "thirty" => 30.0,
        "quarante" | "forty" | "fourty" => 40.0,
        "cinquante" | "fifty" => 50.0,
        "soixante" | "sixty" => 60.0,
        "septante" | "seventy" => 70.0,
        "octante" | "huitante" | "eighty" => 80.0,
        "nonante" | "ninety" => 90.0,
        _ => return None,
    })
}

/// Multipliers: hundred, thousand, million…
pub fn multiplier(word: &str) -> Option<f64> {
    Some(match word {
        "cent" | "cents" | "hundred" | "hundreds" => 100.0,
        "mille" | "mil" | "thousand" | "thousands" => 1e3,
        "million" | "millions" | "mln" | "mio" | "mio." | "млн" | "млн." | "milioni"
        | "milione" | "milion" | "miliony" | "milionów" => 1e6,
        "milliard" | "milliards" | "billion" | "billions" | "md" | "mds" | "mrd" | "mrd."
        | "mld" | "mld." | "млрд" | "млрд." | "miliardi" | "miliardo" | "miliard" | "miliardy"
        | "miliardów" | "bn" => 1e9,
        "trillion" | "trillions" | "billiard" => 1e12,
        "lakh" | "lakhs" | "lkh" | "lkhs" | "lac" | "lacs" => 1e5,
        "crore" | "crores" | "cr" | "koti" | "krore" | "krores" | "kr" => 1e7,
        "g" => 1e9,
        "k" => 1e3,
        "tys." | "tys" | "тыс." | "тыс" | "mila" => 1e3,
        _ => return None,
    })
}

/// Scales that may follow digits ("1,5 milliard", "3M", "10k").
pub fn digit_scale(word: &str) -> Option<f64> {
    match word {
        "cent" | "cents" | "hundred" => None, // "10 cents" is money
        "m" => Some(1e6),
        w => multiplier(w).filter(|&m| m >= 1e3),
    }
}

/// Ordinal words.
pub fn ordinal(word: &str) -> Option<f64> {
    if let Some(v) = Some(match word {
        "premier" | "première" | "premiers" | "premières" | "premiere" | "premieres" | "first" => {
            1.0
        }
        "second" | "seconde" | "deuxième" => 2.0,
        "third" => 3.0,
        "fifth" => 5.0,
        "eighth" => 8.0,
        "ninth" => 9.0,
        "twelfth" => 12.0,
        _ => 0.0,
    })
    .filter(|&v| v > 0.0)
    {
        return Some(v);
    }
    // "vingt-et-unième", "twenty-first": cardinal head, ordinal tail.
    if let Some((head, last)) = word.rsplit_once('-') {
        if let (Some(tail), Some(head)) = (
            ordinal(last),
            compound_cardinal(head.trim_end_matches("-et")),
        ) {
            return Some(head + tail);
        }
    }
    // "troisième", "fourth", "twentieth".
    for suffix in [
        "ièmes", "ième", "iemes", "ieme", "èmes", "ème", "emes", "eme",
    ] {
        if let Some(stem) = word.strip_suffix(suffix) {
            let stem = match stem {
                "cinqu" => "cinq",
                "neuv" => "neuf",
                s if s.ends_with("quatr")
                    || s.ends_with("onz")
                    || s.ends_with("douz")
                    || s.ends_with("treiz")
                    || s.ends_with("quatorz")
                    || s.ends_with("quinz")
                    || s.ends_with("seiz")
                    || s.ends_with("trent")
                    || s.ends_with("quarant")
                    || s.ends_with("cinquant")
                    || s.ends_with("soixant")
                    || s.ends_with("mill") =>
                {
                    return compound_cardinal(&format!("{s}e"));
                }
                s => s,
            };
            return compound_cardinal(stem).or(if stem == "un" { Some(1.0) } else { None });
        }
    }
    // Glued tens ("twentyfifth", "thirtyfirst"): a tens word, then an ordinal.
    for tens in [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ] {
        if let Some(rest) = word.strip_prefix(tens).filter(|r| !r.is_empty()) {
            let tail = ordinal(rest).filter(|&t| t < 10.0)?;
            return cardinal(tens).map(|h| h + tail);
        }
    }
    if let Some(stem) = word.strip_suffix("th") {
        let stem = match stem {
            s if s.ends_with("ie") => format!("{}y", &s[..s.len() - 2]),
            "four" | "six" | "seven" | "ten" | "eleven" | "thirteen" | "fourteen" | "fifteen"
            | "sixteen" | "seventeen" | "eighteen" | "nineteen" | "hundred" | "thousand"
            | "million" => stem.to_string(),
            _ => return None,
        };
        return compound_cardinal(&stem);
    }
    if let Some((head, last)) = word.rsplit_once(['-', '—', '–']) {
        let tail = ordinal(last)?;
        let head = compound_cardinal(head.trim_end_matches("-et"))?;
        return Some(head + tail);
    }
    None
}

/// A hyphen- or "et"-joined cardinal written as one token
/// ("quatre-vingt-dix", "vingt-et-un", "twenty-one").
pub fn compound_cardinal(word: &str) -> Option<f64> {
    let mut parts = Vec::new();
    for p in word.split('-') {
        if p == "et" || p == "and" {
            continue;
        }
        parts.push(p);
    }
    if parts.is_empty() {
        return None;
    }
    let mut values = Vec::new();
    for p in &parts {
        values.push(cardinal(p).or_else(|| multiplier(p).filter(|&m| m <= 1e3).map(|m| -m))?);
    }
    Some(combine(&values))
}

/// Combines a sequence of cardinal values (multipliers negative): French
/// "quatre vingt" is 4 × 20, "deux cent trois" 2 × 100 + 3, "mille" 1 000.
pub fn combine(values: &[f64]) -> f64 {
    let (mut total, mut current) = (0.0f64, 0.0f64);
    let mut prev: Option<f64> = None;
    for &v in values {
        if v < 0.0 {
            let m = -v;
            if m >= 1e3 && current == 0.0 && prev.is_some_and(|p| p < 0.0 && -p < m) {
                total *= m; // "three thousand millions"
            } else if m >= 1e3 {
                total += current.max(1.0) * m;
                current = 0.0;
            } else {
                current = current.max(1.0) * m;
            }
        } else if v == 20.0 && prev == Some(4.0) {
            current = current - 4.0 + 80.0; // quatre-vingt(s)
        } else {
            current += v;
        }
        prev = Some(v);
    }
    total + current
}

/// Approximate-count nouns: "une cinquantaine", "des milliers", "dozens".
pub fn approximate_noun(word: &str) -> Option<(f64, bool)> {
    // (value, plural: "des centaines" means several hundreds)
    Some(match word {
        "dizaine" => (10.0, false),
        "dizaines" => (10.0, true),
        "douzaine" | "dozen" => (12.0, false),
        "douzaines" | "dozens" => (12.0, true),
        "quinzaine" => (15.0, false),
        "vingtaine" => (20.0, false),
        "trentaine" => (30.0, false),
        "quarantaine" => (40.0, false),
        "cinquantaine" => (50.0, false),
        "soixantaine" => (60.0, false),
        "centaine" => (100.0, false),
        "centaines" => (100.0, true),
        "millier" => (1000.0, false),
        "milliers" => (1000.0, true),
        _ => return None,
    })
}

/// Fractions: "moitié", "tiers", "quart", "half", "third(s)", "quarter(s)".
pub fn fraction(word: &str) -> Option<f64> {
    Some(match word {
        "moitié" | "half" | "halves" => 0.5,
        "tiers" | "third" | "thirds" => 1.0 / 3.0,
        "quart" | "quarts" | "quarter" | "quarters" => 0.25,
        _ => return None,
    })
}

/// Time units: canonical grain.
pub fn time_unit(word: &str) -> Option<&'static str> {
    Some(match word {
        "seconde" | "secondes" | "second" | "seconds" | "sec" | "secs" | "s" => "second",
        "minute" | "minutes" | "min" | "mins" | "mn" => "minute",
        "heure" | "heures" | "h" | "hour" | "hours" | "hr" | "hrs" | "stunden" | "stunde"
        | "ore" | "ora" | "godzin" | "часов" | "часа" => "hour",
        "jour" | "jours" | "journée" | "journées" | "day" | "days" | "tage" | "tagen"
        | "giorni" | "dni" | "дней" | "дня" => "day",
        "semaine" | "semaines" | "week" | "weeks" | "wochen" | "settimane" | "tygodni"
        | "недель" => "week",
        "quinzaine" | "fortnight" | "fortnights" => "fortnight",
        "mois" | "month" | "months" | "monate" | "monaten" | "mesi" | "miesięcy" | "месяцев"
        | "месяца" => "month",
        "trimestre" | "trimestres" | "quarter" | "quarters" => "quarter",
        "an" | "ans" | "année" | "années" | "year" | "years" | "jahre" | "jahren" | "anni"
        | "lat" | "lata" | "лет" | "года" => "year",
        "décennie" | "décennies" | "decade" | "decades" => "decade",
        "siècle" | "siècles" | "century" | "centuries" => "century",
        _ => return None,
    })
}

/// Currency of a word or symbol (ISO code, or "Dollar"/"Pound" for the
/// ambiguous symbols, as Duckling names them).
pub fn currency(word: &str) -> Option<&'static str> {
    Some(match word {
        "€" | "eur" | "euro" | "euros" | "€ur" | "евро" => "EUR",
        "$" | "dollar" | "dollars" | "bucks" | "buck" => "Dollar",
        "us$" | "$us" | "usd" => "USD",
        "£" | "pound" | "pounds" | "livre" | "livres" => "Pound",
        "gbp" => "GBP",
        "¥" | "yen" | "yens" | "jpy" => "JPY",
        "yuan" | "yuans" | "cny" | "rmb" => "CNY",
        "₽" | "rub" | "rouble" | "roubles" | "ruble" | "rubles" | "рублей" | "рубля" | "руб."
        | "руб" => "RUB",
        "zł" | "pln" | "złoty" | "złotych" | "zloty" | "zlotys" => "PLN",
        "chf" | "franc" | "francs" => "CHF",
        "cent" | "cents" | "centime" | "centimes" | "penny" | "pennies" | "pence" | "¢" | "c"
        | "sen" | "sens" | "kopiyka" | "kopiykas" | "kopeck" | "kopecks" | "kopek" | "kopeks" => {
            "Cent"
        }
        "shekel" | "shekels" | "ils" | "₪" => "ILS",
        "riyal" | "riyals" | "sar" => "SAR",
        "rial" | "rials" => "Rial",
        "dinar" | "dinars" => "Dinar",
        // French slang for euros (Duckling's "pouloutes"; "balles" is left
        // out: in the news it is bullets far more often than money).
        "pouloute" | "pouloutes" => "Unnamed",
        "kwd" => "KWD",
        "lbp" => "LBP",
        "egp" => "EGP",
        "qar" => "QAR",
        "bgn" => "BGN",
        "myr" | "rm" | "ringgit" | "ringgits" => "MYR",
        "mnt" | "tugrik" | "tugriks" => "MNT",
        "uah" | "hryvnia" | "hryvnias" | "₴" => "UAH",
        "cad" => "CAD",
        "aud" => "AUD",
        "rs" | "rs." | "rupee" | "rupees" | "inr" | "₹" => "INR",
        _ => return None,
    })
}

/// Words after which a number is a name, not a quantity ("Article 5").
pub fn identifier_prefix(word: &str) -> bool {
    matches!(
        word,
        "article"
            | "art."
            | "art"
            | "chapitre"
            | "section"
            | "paragraphe"
            | "alinéa"
            | "numéro"
            | "n°"
            | "no."
            | "nº"
            | "page"
            | "p."
            | "chapter"
            | "paragraph"
            | "number"
            | "version"
            | "v"
            | "tome"
            | "vol."
            | "volume"
            | "room"
            | "salle"
            | "route"
            | "line"
            | "ligne"
            | "gate"
            | "porte"
            | "vol"
            | "flight"
            | "kapitel"
            | "artikel"
            | "articolo"
            | "artykuł"
            | "статья"
            | "statja"
            | "episode"
            | "épisode"
            | "saison"
            | "season"
            | "phase"
            | "niveau"
            | "level"
            | "type"
            | "modèle"
            | "model"
            | "ch."
            | "§"
    )
}

/// Words before a four-digit number that make it a year.
pub fn year_context(word: &str) -> bool {
    matches!(
        word,
        "en" | "in"
            | "depuis"
            | "since"
            | "de"
            | "from"
            | "to"
            | "à"
            | "au"
            | "jusqu'en"
            | "until"
            | "till"
            | "année"
            | "year"
            | "printemps"
            | "été"
            | "automne"
            | "hiver"
            | "spring"
            | "summer"
            | "autumn"
            | "fall"
            | "winter"
            | "fin"
            | "début"
            | "mi"
            | "by"
            | "of"
            | "the"
            | "l'an"
            | "d'ici"
            | "avant"
            | "après"
            | "before"
            | "after"
            | "vers"
            | "around"
            | "dès"
            | "entre"
            | "between"
            | "et"
            | "and"
            | "im"
            | "seit"
            | "nel"
            | "dal"
            | "del"
            | "w"
            | "roku"
            | "od"
            | "do"
            | "в"
            | "с"
            | "году"
            | "года"
            | "janvier"
            | "février"
            | "mars"
            | "avril"
            | "mai"
            | "juin"
            | "juillet"
            | "août"
            | "septembre"
            | "octobre"
            | "novembre"
            | "décembre"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "le"
            | "la"
            | "les"
            | "l'"
            | "cette"
            | "this"
            | "that"
            | "ce"
            | "pour"
            | "for"
            | "durant"
            | "during"
            | "pendant"
    )
}

/// Month names (French, English) with their number.
pub fn month(word: &str) -> Option<u32> {
    Some(match word {
        "janvier" | "january" | "jan" | "janv" => 1,
        "février" | "fevrier" | "february" | "feb" | "févr" => 2,
        "mars" | "march" => 3,
        "avril" | "april" | "apr" | "avr" => 4,
        "mai" | "may" => 5,
        "juin" | "june" | "jun" => 6,
        "juillet" | "july" | "jul" | "juil" => 7,
        "août" | "aout" | "august" | "aug" => 8,
        "septembre" | "september" | "sept" | "sep" => 9,
        "octobre" | "october" | "oct" => 10,
        "novembre" | "november" | "nov" => 11,
        "décembre" | "decembre" | "december" | "dec" | "déc" => 12,
        _ => return None,
    })
}

/// Percent words.
pub fn percent_word(word: &str) -> bool {
    matches!(
        word,
        "%" | "percent"
            | "pourcent"
            | "prozent"
            | "procent"
            | "proc."
            | "процентов"
            | "процента"
            | "процент"
            | "pct"
            | "pct."
    )
}

/// Value of a roman numeral (I … MMM), if the word is one.
pub fn roman(word: &str) -> Option<f64> {
    if word.is_empty() || !word.chars().all(|c| "IVXLCDM".contains(c)) {
        return None;
    }
    let val = |c| match c {
        'I' => 1,
        'V' => 5,
        'X' => 10,
        'L' => 50,
        'C' => 100,
        'D' => 500,
        _ => 1000,
    };
    let chars: Vec<i32> = word.chars().map(val).collect();
    let mut total = 0;
    for i in 0..chars.len() {
        if i + 1 < chars.len() && chars[i] < chars[i + 1] {
            total -= chars[i];
        } else {
            total += chars[i];
        }
    }
    (total > 0).then_some(f64::from(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds() {
        assert_eq!(compound_cardinal("quatre-vingt-dix"), Some(90.0));
        assert_eq!(compound_cardinal("quatre-vingts"), Some(80.0));
        assert_eq!(compound_cardinal("vingt-et-un"), Some(21.0));
        assert_eq!(compound_cardinal("soixante-dix-sept"), Some(77.0));
        assert_eq!(compound_cardinal("twenty-one"), Some(21.0));
        assert_eq!(combine(&[2.0, -100.0, 5.0]), 205.0);
        assert_eq!(combine(&[30.0, -1000.0]), 30000.0);
        assert_eq!(ordinal("troisième"), Some(3.0));
        assert_eq!(ordinal("vingt-et-unième"), Some(21.0));
        assert_eq!(ordinal("quatrième"), Some(4.0));
        assert_eq!(ordinal("twentieth"), Some(20.0));
        assert_eq!(ordinal("twenty-first"), Some(21.0));
        assert_eq!(ordinal("fourth"), Some(4.0));
        assert_eq!(roman("XXI"), Some(21.0));
        assert_eq!(roman("XIV"), Some(14.0));
    }
}
