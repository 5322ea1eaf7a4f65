//! Named groups: countries, demonyms, capitals and leaders, and which one a
//! figure is about.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use super::*;

/// Countries and the words that name them (demonyms, capitals, leaders).
pub(super) const GAZETTEER: &[(&str, &[&str])] = &[
    (
        "North Korea",
        &[
            "nord-coréen",
            "nord-coréens",
            "nord-coréenne",
            "nord-coréennes",
            "corée du nord",
            "pyongyang",
            "kim jong-un",
            "kim jong un",
            "north korea",
            "north korean",
            "north koreans",
            "nordkorea",
            "nordkoreanische",
            "corea del nord",
            "korei północnej",
            "кндр",
            "северокорейских",
        ],
    ),
    (
        "South Korea",
        &[
            "sud-coréen",
            "sud-coréens",
            "sud-coréenne",
            "sud-coréennes",
            "corée du sud",
            "séoul",
            "south korea",
            "south korean",
            "seoul",
        ],
    ),
    (
        "Ukraine",
        &[
            "ukraine",
            "ukrainien",
            "ukrainiens",
            "ukrainienne",
            "ukrainiennes",
            "kiev",
            "kyiv",
            "zelensky",
            "zelenskyy",
            "donbass",
            "ukrainian",
            "ukrainians",
            "украина",
            "украинских",
            "ukrainische",
            "ucraina",
            "ucraini",
            "ukraina",
            "ukraińskich",
        ],
    ),
    (
        "Russia",
        &[
            "russie",
            "russe",
            "russes",
            "moscou",
            "kremlin",
            "poutine",
            "russia",
            "russian",
            "russians",
            "moscow",
            "putin",
            "россия",
            "российских",
            "russland",
            "russische",
            "mosca",
            "rosja",
            "rosyjskich",
        ],
    ),
    (
        "Iran",
        &[
            "iran",
            "iranien",
            "iraniens",
            "iranienne",
            "téhéran",
            "iranian",
            "tehran",
        ],
    ),
    (
        "China",
        &[
            "chine", "chinois", "chinoise", "pékin", "china", "chinese", "beijing",
        ],
    ),
    (
        "United States",
        &[
            "états-unis",
            "américain",
            "américains",
            "américaine",
            "washington",
            "pentagone",
            "united states",
            "american",
            "americans",
            "pentagon",
            "usa",
            "u.s.",
        ],
    ),
    (
        "United Kingdom",
        &[
            "royaume-uni",
            "britannique",
            "britanniques",
            "londres",
            "united kingdom",
            "british",
            "london",
        ],
    ),
    (
        "France",
        &["france", "français", "française", "paris", "french"],
    ),
    (
        "Germany",
        &[
            "allemagne",
            "allemand",
            "allemands",
            "berlin",
            "germany",
            "german",
            "deutschland",
        ],
    ),
    (
        "Poland",
        &[
            "pologne",
            "polonais",
            "polonaise",
            "varsovie",
            "poland",
            "polish",
            "warsaw",
            "polska",
        ],
    ),
    (
        "Israel",
        &[
            "israël",
            "israélien",
            "israéliens",
            "israel",
            "israeli",
            "israelis",
        ],
    ),
    (
        "European Union",
        &[
            "union européenne",
            "ue",
            "bruxelles",
            "european union",
            "eu",
            "brussels",
        ],
    ),
    ("NATO", &["otan", "nato"]),
];

pub(super) static GAZETTEER_AC: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, (_, words)) in GAZETTEER.iter().enumerate() {
        for w in *words {
            patterns.push(*w);
            owners.push(i);
        }
    }
    (automaton(&patterns), owners)
});

/// The named group of a figure: a country word in its subject, else the
/// nearest demonym before it ("forces nord-coréennes en Russie" → North
/// Korea), else the nearest name before it, else the nearest after; words
/// inside the attribution ("selon les services sud-coréens") do not count.
pub(super) fn named_group(
    text: &str,
    sentence: Span,
    number: Span,
    subject: Option<Span>,
    source: Option<Span>,
) -> Option<String> {
    let (ac, owners) = &*GAZETTEER_AC;
    let body = &text[sentence.start..sentence.end];
    let lower = lower_aligned(body);
    let lower = lower.as_ref();
    let mentions: Vec<(usize, usize, bool)> = ac
        .find_iter(lower)
        .filter(|m| {
            let b = lower[..m.start()].chars().next_back();
            let a = lower[m.end()..].chars().next();
            b.is_none_or(|c| !c.is_alphanumeric()) && a.is_none_or(|c| !c.is_alphanumeric())
        })
        .map(|m| {
            (
                sentence.start + m.start(),
                owners[m.pattern().as_usize()],
                is_demonym(&lower[m.start()..m.end()]),
            )
        })
        .filter(|(p, _, _)| source.is_none_or(|s| !(s.start <= *p && *p < s.end)))
        .collect();
    let name = |i: usize| GAZETTEER[i].0.to_string();
    if let Some(s) = subject {
        if let Some(&(_, g, _)) = mentions
            .iter()
            .find(|(p, _, _)| s.start <= *p && *p < s.end)
        {
            return Some(name(g));
        }
    }
    // The clause of the number names its actor first: "Pendant que
    // Washington débat …, Kim Jong Un expédie 30 000 soldats" is North Korea,
    // not the "russe" of the first clause. A demonym of the clause still
    // comes before a place in it ("les forces nord-coréennes en Russie à
    // 30 000 hommes").
    let clause_start = clause_start(
        text,
        sentence.start,
        number.start,
        &[',', ';', ':', '—', '–', '(', ')'],
    );
    let in_clause = || {
        mentions
            .iter()
            .filter(move |(p, _, _)| clause_start <= *p && *p < number.start)
    };
    if let Some(&(_, g, _)) = in_clause()
        .filter(|(_, _, demonym)| *demonym)
        .max_by_key(|(p, _, _)| *p)
        .or_else(|| in_clause().max_by_key(|(p, _, _)| *p))
    {
        return Some(name(g));
    }
    let before = || mentions.iter().filter(|(p, _, _)| *p < number.start);
    before()
        .filter(|(_, _, demonym)| *demonym)
        .max_by_key(|(p, _, _)| *p)
        .or_else(|| before().max_by_key(|(p, _, _)| *p))
        .or_else(|| {
            mentions
                .iter()
                .filter(|(p, _, _)| *p >= number.end)
                .min_by_key(|(p, _, _)| *p)
        })
        .map(|&(_, g, _)| name(g))
}

/// "nord-coréennes", "russes", "British": an adjective of nationality.
pub(super) fn is_demonym(word: &str) -> bool {
    !word.contains(' ')
        && [
            "ien", "iens", "ienne", "iennes", "éen", "éens", "éenne", "éennes", "ais", "aise",
            "aises", "ois", "oise", "oises", "ain", "ains", "aine", "aines", "ique", "iques",
            "russe", "russes", "ese", "ian", "ians", "ish", "an", "ans",
        ]
        .iter()
        .any(|s| word.ends_with(s))
}
