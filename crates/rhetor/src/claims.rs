//! Numeric claims: every sentence that states a quantity, with what is
//! counted (subject), how exactly (approximation), per what period (rate),
//! when (time), how sure (hedge), and who says so (source).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

use crate::document::{BlockKind, Document, Span};
use crate::numbers::{find_numbers, Approximation, NumberKind, NumberMatch, NumberOptions};
use crate::segment::{fold, lower_aligned, tokenize, Token, TokenKind};
use crate::stage::{Stage, StageError};

/// Who a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    NewsAgency,
    Government,
    Person,
    MediaOutlet,
    Unspecified,
}

/// The attribution of a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    /// The source's name or description ("Reuters", "les services de
    /// renseignement britanniques", "Isabelle Lasserre").
    pub span: Span,
    pub kind: SourceKind,
    /// The outlet a person spoke in ("Le Figaro"), when the text names it.
    pub outlet: Option<Span>,
    /// The words that introduce it ("selon", "nous rappelle").
    pub cue: Span,
    /// Carried over from the previous sentence of the same report.
    pub inherited: bool,
}

/// A time reference of a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeRef {
    pub span: Span,
    /// ISO date or partial date ("2025", "2025-12", "2023-09-13") when resolvable.
    pub date: Option<String>,
}

/// A quantitative claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Claim {
    /// From the approximation words through the subject: "plus de 6 000 pertes".
    pub span: Span,
    pub sentence: Span,
    pub paragraph: usize,
    /// The number itself.
    pub number: Span,
    pub value: f64,
    pub value_max: Option<f64>,
    pub kind: NumberKind,
    pub approximation: Approximation,
    pub unit: Option<String>,
    /// What is counted: "soldats nord-coréens", "obus d'artillerie".
    pub subject: Option<Span>,
    /// Normalised subject for grouping across articles ("soldat nord-coréen").
    pub subject_key: Option<String>,
    /// The named group the figure is about ("North Korea" for "soldats
    /// nord-coréens", "Ukraine" for "Kiev a perdu 400 000 soldats").
    pub group: Option<String>,
    /// Rate period: day, week, month, year.
    pub per: Option<String>,
    pub per_span: Option<Span>,
    pub time: Option<TimeRef>,
    pub hedge: Option<Span>,
    pub source: Option<Attribution>,
}

fn automaton(patterns: &[&str]) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(patterns)
        .expect("valid patterns")
}

const RATES: &[(&str, &str)] = &[
    ("par jour", "day"),
    ("chaque jour", "day"),
    ("tous les jours", "day"),
    ("quotidiennement", "day"),
    ("per day", "day"),
    ("a day", "day"),
    ("each day", "day"),
    ("every day", "day"),
    ("daily", "day"),
    ("par semaine", "week"),
    ("chaque semaine", "week"),
    ("toutes les semaines", "week"),
    ("per week", "week"),
    ("a week", "week"),
    ("each week", "week"),
    ("every week", "week"),
    ("weekly", "week"),
    ("par mois", "month"),
    ("chaque mois", "month"),
    ("tous les mois", "month"),
    ("mensuellement", "month"),
    ("per month", "month"),
    ("a month", "month"),
    ("each month", "month"),
    ("every month", "month"),
    ("monthly", "month"),
    ("par an", "year"),
    ("par année", "year"),
    ("chaque année", "year"),
    ("tous les ans", "year"),
    ("annuellement", "year"),
    ("per year", "year"),
    ("a year", "year"),
    ("each year", "year"),
    ("every year", "year"),
    ("annually", "year"),
    ("yearly", "year"),
    ("pro Monat", "month"),
    ("pro Jahr", "year"),
    ("al mese", "month"),
    ("all'anno", "year"),
    ("miesięcznie", "month"),
    ("rocznie", "year"),
    ("в месяц", "month"),
    ("в год", "year"),
    ("в день", "day"),
];

const HEDGES: &[&str] = &[
    "sans doute",
    "probablement",
    "peut-être",
    "apparemment",
    "semble-t-il",
    "semble",
    "semblent",
    "aurait",
    "auraient",
    "présumé",
    "présumés",
    "supposé",
    "supposément",
    "potentiellement",
    "vraisemblablement",
    "selon certaines estimations",
    "on estime",
    "estimé à",
    "estimés à",
    "estimée à",
    "estimées à",
    "reportedly",
    "allegedly",
    "possibly",
    "probably",
    "likely",
    "apparently",
    "may have",
    "might have",
    "could have",
    "is estimated",
    "are estimated",
    "an estimated",
    "believed to",
    "thought to",
    "angeblich",
    "vermutlich",
    "wahrscheinlich",
    "presumibilmente",
    "probabilmente",
    "prawdopodobnie",
    "podobno",
    "предположительно",
    "вероятно",
    "по некоторым данным",
];

const SOURCE_CUES: &[&str] = &[
    "selon",
    "d'après",
    "d’après",
    "according to",
    "cité par",
    "citée par",
    "cités par",
    "rapporté par",
    "rapportée par",
    "rapportés par",
    "documenté par",
    "documentés par",
    "documentées par",
    "de l'avis de",
    "as reported by",
    "reported by",
    "cited by",
    "per",
    "laut",
    "secondo",
    "według",
    "по данным",
    "по словам",
    "согласно",
];

const REPORTING_VERBS: &[&str] = &[
    "a déclaré",
    "ont déclaré",
    "déclare",
    "déclarent",
    "affirme",
    "affirment",
    "a affirmé",
    "ont affirmé",
    "estime",
    "estiment",
    "a estimé",
    "rapporte",
    "rapportent",
    "a rapporté",
    "indique",
    "indiquent",
    "a indiqué",
    "annonce",
    "annoncent",
    "a annoncé",
    "ont annoncé",
    "assure",
    "assurent",
    "a assuré",
    "révèle",
    "révèlent",
    "a révélé",
    "souligne",
    "a souligné",
    "précise",
    "a précisé",
    "explique",
    "a expliqué",
    "rappelle",
    "nous rappelle",
    "a rappelé",
    "confirme",
    "a confirmé",
    "dit",
    "a dit",
    "ont dit",
    "écrit",
    "a écrit",
    "note",
    "a noté",
    "avance",
    "a avancé",
    "prétend",
    "a prétendu",
    "chiffre",
    "évalue",
    "said",
    "says",
    "say",
    "told",
    "reported",
    "reports",
    "estimated",
    "estimates",
    "claimed",
    "claims",
    "stated",
    "states",
    "announced",
    "wrote",
    "noted",
    "added",
    "confirmed",
    "revealed",
    "warned",
    "sagte",
    "erklärte",
    "berichtete",
    "ha detto",
    "ha dichiarato",
    "powiedział",
    "poinformował",
    "заявил",
    "сообщил",
    "сказал",
];

const AGENCIES: &[&str] = &[
    "reuters",
    "afp",
    "agence france-presse",
    "associated press",
    "ap",
    "bloomberg",
    "tass",
    "ria novosti",
    "ria",
    "interfax",
    "ansa",
    "dpa",
    "efe",
    "xinhua",
    "yonhap",
    "pap",
    "kyodo",
    "sputnik",
    "ukrinform",
    "unian",
    "belga",
    "apa",
    "anadolu",
];
const OUTLETS: &[&str] = &[
    "le figaro",
    "le monde",
    "libération",
    "les échos",
    "le parisien",
    "l'express",
    "le point",
    "l'obs",
    "france 24",
    "bfm",
    "tf1",
    "france info",
    "franceinfo",
    "france inter",
    "mediapart",
    "bbc",
    "cnn",
    "fox news",
    "new york times",
    "washington post",
    "wall street journal",
    "guardian",
    "the times",
    "financial times",
    "economist",
    "politico",
    "spiegel",
    "bild",
    "faz",
    "süddeutsche",
    "corriere",
    "repubblica",
    "rt",
    "pravda",
    "izvestia",
    "kommersant",
    "rzeczpospolita",
    "gazeta",
    "nbc",
    "cbs",
    "abc",
    "al jazeera",
    "axios",
    "newsweek",
    "daily mail",
    "telegraph",
    "independent",
    "journal",
    "quotidien",
    "magazine",
    "newspaper",
    "hebdomadaire",
    "média",
    "médias",
    "chaîne",
    "presse",
    "télévision",
    "television",
    "radio",
];
const GOVERNMENT: &[&str] = &[
    "renseignement",
    "intelligence",
    "services",
    "ministère",
    "ministre",
    "ministry",
    "minister",
    "gouvernement",
    "government",
    "pentagone",
    "pentagon",
    "kremlin",
    "maison blanche",
    "white house",
    "élysée",
    "armée",
    "army",
    "état-major",
    "military",
    "militaires",
    "autorités",
    "authorities",
    "officials",
    "officiels",
    "responsables",
    "porte-parole",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "otan",
    "nato",
    "onu",
    "nations unies",
    "united nations",
    "commission",
    "département",
    "department",
    "cia",
    "mi6",
    "nis",
    "mossad",
    "fsb",
    "sbu",
    "police",
    "ambassade",
    "embassy",
    "président",
    "president",
    "chancelier",
    "chancellor",
    "parlement",
    "parliament",
    "congrès",
    "congress",
    "sénat",
    "senate",
    "état",
    "state",
    "agence",
    "agency",
    "bureau",
    "office",
    "conseil",
    "council",
    "ministerium",
    "regierung",
    "governo",
    "rząd",
    "министерство",
    "правительство",
    "kyiv",
    "kiev",
    "moscou",
    "moscow",
    "washington",
    "séoul",
    "seoul",
    "pyongyang",
];
const VAGUE: &[&str] = &[
    "experts",
    "observateurs",
    "analystes",
    "sources",
    "source",
    "certains",
    "some",
    "observers",
    "analysts",
    "people",
    "on",
    "des spécialistes",
    "specialists",
];

static RATE_AC: LazyLock<AhoCorasick> =
    LazyLock::new(|| automaton(&RATES.iter().map(|r| r.0).collect::<Vec<_>>()));
static HEDGE_AC: LazyLock<AhoCorasick> = LazyLock::new(|| automaton(HEDGES));
static CUE_AC: LazyLock<AhoCorasick> = LazyLock::new(|| automaton(SOURCE_CUES));
static VERB_AC: LazyLock<AhoCorasick> = LazyLock::new(|| automaton(REPORTING_VERBS));

/// Countries and the words that name them (demonyms, capitals, leaders).
const GAZETTEER: &[(&str, &[&str])] = &[
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

static GAZETTEER_AC: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
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
fn named_group(
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
fn is_demonym(word: &str) -> bool {
    !word.contains(' ')
        && [
            "ien", "iens", "ienne", "iennes", "éen", "éens", "éenne", "éennes", "ais", "aise",
            "aises", "ois", "oise", "oises", "ain", "ains", "aine", "aines", "ique", "iques",
            "russe", "russes", "ese", "ian", "ians", "ish", "an", "ans",
        ]
        .iter()
        .any(|s| word.ends_with(s))
}

/// Words that end a subject noun phrase.
fn is_stop(w: &str) -> bool {
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

/// Likely a modifier that belongs to the subject ("nord-coréens", "russes").
fn is_modifier(w: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "ien", "iens", "ienne", "iennes", "ais", "aise", "aises", "ain", "ains", "aine", "aines",
        "ique", "iques", "al", "ale", "ales", "aux", "el", "elle", "els", "elles", "if", "ifs",
        "ive", "ives", "é", "és", "ée", "ées", "ant", "ants", "ante", "antes", "aire", "aires",
        "ois", "oise", "oises", "ese", "ish", "ian", "ic", "ical", "ed", "ary", "ive", "ous",
        "eux", "euse", "euses", "iste", "istes", "ier", "iers", "ière", "ières", "ule", "ules",
        "russe", "russes", "turc", "turcs", "grec", "grecs",
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
fn canonical(stemmed: &str) -> &str {
    match stemmed {
        "homme" | "troupe" | "militaire" | "combattant" | "soldier" | "troop" | "men" | "man"
        | "soldat" => "soldat",
        "mort" | "tué" | "perte" | "victime" | "death" | "casualtie" | "casualty" | "killed"
        | "loss" | "losse" => "perte",
        "obu" | "shell" | "munition" | "projectile" => "obus",
        "pay" | "nation" | "état" | "country" | "countrie" => "pays",
        other => other,
    }
}

struct Ctx {
    tokens: Vec<Token>,
    words: Vec<String>,
}

impl Ctx {
    fn new(text: &str, span: Span) -> Self {
        let tokens = tokenize(text, span);
        let words = tokens
            .iter()
            .map(|t| fold(&text[t.span.start..t.span.end]))
            .collect();
        Ctx { tokens, words }
    }

    fn index_at(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| t.span.end <= byte)
    }

    /// The subject after the number match: a noun and its modifiers.
    fn subject_after(&self, end: usize) -> Option<(Span, String)> {
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
        let first = i;
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

/// Finds the rate, hedge and time expressions of a sentence.
fn find_all(ac: &AhoCorasick, text: &str, span: Span) -> Vec<Span> {
    let body = &text[span.start..span.end];
    ac.find_iter(body)
        .filter(|m| {
            let before = body[..m.start()].chars().next_back();
            let after = body[m.end()..].chars().next();
            before.is_none_or(|c| !c.is_alphanumeric())
                && after.is_none_or(|c| !c.is_alphanumeric())
        })
        .map(|m| Span::new(span.start + m.start(), span.start + m.end()))
        .collect()
}

/// `name` contains one of `list` as whole words (case-insensitive).
fn has_word(name: &str, list: &[&str]) -> bool {
    let lower = lower_aligned(name);
    list.iter().any(|w| {
        lower.match_indices(w).any(|(p, _)| {
            let b = lower[..p].chars().next_back();
            let a = lower[p + w.len()..].chars().next();
            b.is_none_or(|c| !c.is_alphanumeric()) && a.is_none_or(|c| !c.is_alphanumeric())
        })
    })
}

fn classify_source(name: &str) -> SourceKind {
    let has = |list: &[&str]| has_word(name, list);
    if has(AGENCIES) {
        SourceKind::NewsAgency
    } else if has(OUTLETS) {
        SourceKind::MediaOutlet
    } else if has(GOVERNMENT) {
        SourceKind::Government
    } else if has(VAGUE) {
        SourceKind::Unspecified
    } else if name
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count()
        >= 1
    {
        SourceKind::Person
    } else {
        SourceKind::Unspecified
    }
}

fn trim_span(text: &str, span: Span) -> Span {
    let s = &text[span.start..span.end];
    let lead = s.len()
        - s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–'))
            .len();
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ':' | '—' | '–'));
    let t = t.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | '.' | ';' | ':' | '—' | '–')
    });
    Span::new(span.start + lead, span.start + lead + t.len())
}

/// The sources named in a sentence.
pub(crate) fn attributions(text: &str, sentence: Span) -> Vec<Attribution> {
    let mut out = Vec::new();
    let body = &text[sentence.start..sentence.end];
    // "selon X", "according to X": X runs to the next punctuation or clause.
    for cue in find_all(&CUE_AC, text, sentence) {
        if text[cue.start..cue.end].eq_ignore_ascii_case("per") {
            continue;
        }
        let rest_start = cue.end;
        let rest = &text[rest_start..sentence.end];
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            if matches!(
                c,
                ',' | '.' | ';' | ':' | '—' | '–' | '(' | ')' | '«' | '»' | '!' | '?'
            ) && i > 0
            {
                end = i;
                break;
            }
        }
        // Stop at a clause: " qui ", " que ", " et ", " which ", " that ".
        let lower = lower_aligned(&rest[..end]);
        for stop in [
            " qui ",
            " que ",
            " qu'",
            " qu’",
            " et ",
            " which ",
            " that ",
            " and ",
            " pour ",
            " portant ",
            " dans ",
        ] {
            if let Some(p) = lower.find(stop) {
                end = end.min(p);
            }
        }
        let words = rest[..end].split_whitespace().count();
        if words == 0 || words > 10 {
            continue;
        }
        let span = trim_span(text, Span::new(rest_start, rest_start + end));
        if span.is_empty() {
            continue;
        }
        out.push(Attribution {
            span,
            kind: classify_source(&text[span.start..span.end]),
            outlet: None,
            cue,
            inherited: false,
        });
    }
    // "X (, dans Y,) nous rappelle que", "X said": X just before the verb.
    for verb in find_all(&VERB_AC, text, sentence) {
        let before = &text[sentence.start..verb.start];
        let before = before.trim_end();
        // Pronouns between subject and verb ("nous rappelle").
        let before = before
            .strip_suffix(" nous")
            .or_else(|| before.strip_suffix(" lui"))
            .or_else(|| before.strip_suffix(" leur"))
            .unwrap_or(before)
            .trim_end();
        let mut outlet = None;
        let mut head_end = sentence.start + before.len();
        // ", dans Le Figaro," apposition.
        if let Some(stripped) = before.strip_suffix(',') {
            let lower = lower_aligned(stripped);
            if let Some(p) = lower
                .rfind(", dans ")
                .or_else(|| lower.rfind(", in "))
                .or_else(|| lower.rfind(", sur "))
            {
                let cue_len = if lower[p..].starts_with(", dans ") {
                    7
                } else if lower[p..].starts_with(", in ") {
                    5
                } else {
                    6
                };
                let o = Span::new(
                    sentence.start + p + cue_len,
                    sentence.start + stripped.len(),
                );
                outlet = Some(trim_span(text, o));
                head_end = sentence.start + p;
            }
        }
        let head = &text[sentence.start..head_end];
        let start_rel = head
            .rfind([',', ';', ':', '—', '–', '«', '»', '"', '(', '.'])
            .map_or(0, |p| {
                p + head[p..].chars().next().map_or(1, char::len_utf8)
            });
        let span = trim_span(text, Span::new(sentence.start + start_rel, head_end));
        let name = &text[span.start..span.end];
        let words = name.split_whitespace().count();
        let kind = classify_source(name);
        // A person is a proper name ("Isabelle Lasserre", "Jean de La Fontaine");
        // a vague source must say so ("des experts"); "Cette hypocrisie révèle"
        // is no attribution.
        let proper_name = (1..=4).contains(&words)
            && name.split_whitespace().all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    || matches!(
                        w,
                        "de" | "du" | "van" | "von" | "la" | "le" | "d'" | "bin" | "al"
                    )
            });
        let vague = has_word(name, VAGUE);
        let accepted = match kind {
            SourceKind::Person => proper_name,
            SourceKind::Unspecified => vague,
            _ => true,
        };
        if words == 0 || words > 8 || !accepted {
            continue;
        }
        // "Il a déclaré": a pronoun is no source.
        if matches!(
            fold(name).as_str(),
            "il" | "elle"
                | "ils"
                | "elles"
                | "on"
                | "he"
                | "she"
                | "they"
                | "it"
                | "we"
                | "i"
                | "je"
                | "nous"
        ) {
            continue;
        }
        out.push(Attribution {
            span,
            kind: if outlet.is_some() && kind == SourceKind::Person {
                SourceKind::Person
            } else {
                kind
            },
            outlet,
            cue: verb,
            inherited: false,
        });
    }
    let _ = body;
    out
}

/// Time expressions around a date: "d'ici la fin 2025", "au printemps 2022".
fn time_ref(text: &str, sentence: Span, date: &NumberMatch) -> TimeRef {
    let before = &text[sentence.start..date.span.start];
    let lower = lower_aligned(before);
    let mut start = date.span.start;
    for lead in [
        "d'ici la fin de",
        "d’ici la fin de",
        "d'ici la fin",
        "d’ici la fin",
        "d'ici fin",
        "d’ici fin",
        "à la fin de",
        "à la fin",
        "fin",
        "début",
        "au printemps",
        "à l'été",
        "à l’été",
        "en été",
        "à l'automne",
        "à l’automne",
        "en automne",
        "en hiver",
        "au printemps de",
        "en",
        "depuis",
        "dès",
        "jusqu'en",
        "jusqu’en",
        "avant",
        "après",
        "by the end of",
        "at the end of",
        "end of",
        "in",
        "since",
        "by",
        "until",
        "before",
        "after",
        "spring",
        "summer",
        "autumn",
        "winter",
    ] {
        if lower.trim_end().ends_with(lead) {
            let trimmed_len = before.trim_end().len();
            let s = trimmed_len - lead.len();
            if before.is_char_boundary(s)
                && before[..s]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
            {
                start = sentence.start + s;
                break;
            }
        }
    }
    let raw = &text[date.span.start..date.span.end];
    let year = date.value as i64;
    let lead = lower
        .get(start - sentence.start..)
        .unwrap_or("")
        .to_string();
    let iso = if date.unit.as_deref() == Some("date") {
        iso_date(raw).or(Some(year.to_string()))
    } else if year > 0 {
        Some(if lead.contains("fin") || lead.contains("end") {
            format!("{year}-12")
        } else {
            year.to_string()
        })
    } else {
        None
    };
    TimeRef {
        span: Span::new(start, date.span.end),
        date: iso,
    }
}

fn iso_date(raw: &str) -> Option<String> {
    let lower = raw.to_lowercase();
    if raw.len() == 10 && raw.as_bytes()[4] == b'-' {
        return Some(raw.to_string());
    }
    let parts: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '/' || c == '.' || c == ',')
        .filter(|p| !p.is_empty() && *p != "le")
        .collect();
    let (mut day, mut month, mut year) = (None, None, None);
    for p in parts {
        let p = p.trim_end_matches(|c: char| {
            c.is_alphabetic() && p.chars().next().is_some_and(|d| d.is_ascii_digit())
        });
        if let Some(m) = crate::numbers::words::month(p) {
            month = Some(m);
        } else if let Ok(n) = p.trim_end_matches("er").parse::<u32>() {
            if n > 31 {
                year = Some(n);
            } else if day.is_none() {
                day = Some(n);
            } else {
                month = month.or(Some(n));
            }
        }
    }
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) => Some(format!("{y:04}-{m:02}-{d:02}")),
        (Some(y), Some(m), None) => Some(format!("{y:04}-{m:02}")),
        _ => None,
    }
}

/// Claims of one block, given its sentences and language.
pub fn block_claims(
    text: &str,
    block: Span,
    block_index: usize,
    sentences: &[Span],
    lang: &str,
) -> Vec<Claim> {
    let numbers = find_numbers(
        &text[block.start..block.end],
        lang,
        NumberOptions::default(),
    );
    let mut out = Vec::new();
    let mut previous_sentence: Option<Span> = None;
    for &sentence in sentences.iter().filter(|s| block.contains(**s)) {
        let quantities: Vec<NumberMatch> = numbers
            .iter()
            .filter(|m| {
                let s = block.start + m.span.start;
                sentence.start <= s && s < sentence.end
            })
            .map(|m| NumberMatch {
                span: Span::new(block.start + m.span.start, block.start + m.span.end),
                ..m.clone()
            })
            .collect();
        let has_quantity = quantities
            .iter()
            .any(|m| !matches!(m.kind, NumberKind::Date | NumberKind::Ordinal));
        if has_quantity {
            // Sources are looked for only where a claim needs one.
            let mut sources = attributions(text, sentence);
            if sources.is_empty() {
                if let Some(prev) = previous_sentence {
                    let first = fold(
                        text[sentence.start..sentence.end]
                            .split_whitespace()
                            .next()
                            .unwrap_or(""),
                    );
                    let continues = matches!(
                        first.as_str(),
                        "il" | "elle"
                            | "ils"
                            | "elles"
                            | "ces"
                            | "cette"
                            | "ce"
                            | "celui-ci"
                            | "it"
                            | "they"
                            | "he"
                            | "she"
                            | "these"
                            | "this"
                            | "moreover"
                            | "also"
                            | "furthermore"
                    );
                    if continues {
                        if let Some(a) = attributions(text, prev).into_iter().next() {
                            sources.push(Attribution {
                                inherited: true,
                                ..a
                            });
                        }
                    }
                }
            }
            let dates: Vec<&NumberMatch> = quantities
                .iter()
                .filter(|m| m.kind == NumberKind::Date)
                .collect();
            let rates = find_all(&RATE_AC, text, sentence);
            let hedges = find_all(&HEDGE_AC, text, sentence);
            let ctx = Ctx::new(text, sentence);
            out.extend(
                quantities
                    .iter()
                    .filter(|m| !matches!(m.kind, NumberKind::Date | NumberKind::Ordinal))
                    .map(|m| {
                        claim(
                            text,
                            sentence,
                            block_index,
                            m,
                            &ctx,
                            &rates,
                            &hedges,
                            &dates,
                            &sources,
                        )
                    }),
            );
        }
        previous_sentence = Some(sentence);
    }
    out
}

/// One claim from a number of a sentence and what surrounds it.
#[allow(clippy::too_many_arguments)]
fn claim(
    text: &str,
    sentence: Span,
    block_index: usize,
    m: &NumberMatch,
    ctx: &Ctx,
    rates: &[Span],
    hedges: &[Span],
    dates: &[&NumberMatch],
    sources: &[Attribution],
) -> Claim {
    {
        {
            let (subject, subject_key) = match ctx.subject_after(m.span.end) {
                Some((s, k)) if words_between(text, m.span.end, s.start) <= 2 => (Some(s), Some(k)),
                _ => (None, None),
            };
            let end = subject.map_or(m.span.end, |s| s.end);
            // The rate nearest the number, within a few words.
            let per = rates
                .iter()
                .filter(|r| {
                    let gap = if r.start >= end {
                        words_between(text, end, r.start)
                    } else if r.end <= m.span.start {
                        words_between(text, r.end, m.span.start)
                    } else {
                        99
                    };
                    gap <= 3
                })
                .min_by_key(|r| r.start.abs_diff(m.span.start))
                .copied();
            let per_label = per.map(|r| {
                let found = fold(&text[r.start..r.end]);
                RATES
                    .iter()
                    .find(|(p, _)| fold(p) == found)
                    .map_or("", |(_, l)| *l)
                    .to_string()
            });
            let time = dates
                .iter()
                .min_by_key(|d| d.span.start.abs_diff(m.span.start))
                .map(|d| time_ref(text, sentence, d));
            let hedge = hedges
                .iter()
                .min_by_key(|h| h.start.abs_diff(m.span.start))
                .copied();
            let number_start = m.span.start;
            let source = sources
                .iter()
                .min_by_key(|s| s.span.start.abs_diff(m.span.start))
                .cloned();
            let group = named_group(
                text,
                sentence,
                m.span,
                subject,
                source.as_ref().map(|s| s.span),
            );
            Claim {
                span: Span::new(number_start, end),
                sentence,
                paragraph: block_index,
                number: m.span,
                value: m.value,
                value_max: m.value_max,
                kind: m.kind,
                approximation: m.approximate.unwrap_or(Approximation::Exact),
                unit: m.unit.clone(),
                subject,
                subject_key,
                group,
                per: per_label,
                per_span: per,
                time,
                hedge,
                source,
            }
        }
    }
}

fn words_between(text: &str, a: usize, b: usize) -> usize {
    if b <= a {
        return 0;
    }
    text[a..b]
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// The claims stage: every body block, title and heading.
#[derive(Debug, Default, Clone, Copy)]
pub struct Claims;

impl Stage for Claims {
    fn name(&self) -> &'static str {
        "claims"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        let lang = doc
            .language
            .as_ref()
            .map_or("fr", |l| l.code.as_str())
            .to_string();
        let mut claims = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if b.kind == BlockKind::Byline {
                continue;
            }
            let l = b
                .language
                .as_ref()
                .map_or(lang.as_str(), |l| l.code.as_str());
            claims.extend(block_claims(&doc.text, b.span, i, &doc.sentences, l));
        }
        doc.claims = claims;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(text: &str) -> Vec<Claim> {
        let span = Span::new(0, text.len());
        let sentences = crate::segment::split_sentences(text, span);
        block_claims(text, span, 0, &sentences, "fr")
    }

    #[test]
    fn selon_sources_and_subjects() {
        let t = "Ces troupes ont causé plus de 6 000 pertes selon les services de renseignement britanniques — soit plus de la moitié des effectifs.";
        let c = claims(t);
        let main = c.iter().find(|c| c.value == 6000.0).expect("6 000");
        assert_eq!(main.approximation, Approximation::MoreThan);
        assert_eq!(
            &t[main.subject.unwrap().start..main.subject.unwrap().end],
            "pertes"
        );
        let src = main.source.as_ref().expect("source");
        assert_eq!(
            &t[src.span.start..src.span.end],
            "les services de renseignement britanniques"
        );
        assert_eq!(src.kind, SourceKind::Government);
    }

    #[test]
    fn rates_times_hedges_and_reporting_verbs() {
        let t = "L’armée russe tire sans doute un million d’obus par mois.";
        let c = claims(t);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].value, 1e6);
        assert_eq!(c[0].per.as_deref(), Some("month"));
        assert!(c[0].hedge.is_some());
        assert_eq!(
            &t[c[0].subject.unwrap().start..c[0].subject.unwrap().end],
            "obus"
        );
        let t = "Isabelle Lasserre, dans Le Figaro, nous rappelle qu’au printemps 2022, c’est une cinquantaine de pays qui ont refusé de condamner l’offensive russe.";
        let c = claims(t);
        assert_eq!(c.len(), 1, "{c:?}");
        let src = c[0].source.as_ref().expect("source");
        assert_eq!(&t[src.span.start..src.span.end], "Isabelle Lasserre");
        assert_eq!(
            &t[src.outlet.unwrap().start..src.outlet.unwrap().end],
            "Le Figaro"
        );
        assert_eq!(src.kind, SourceKind::Person);
        assert_eq!(c[0].approximation, Approximation::About);
        assert_eq!(
            c[0].time.as_ref().and_then(|t| t.date.clone()).as_deref(),
            Some("2022")
        );
        let t = "portant le total à plus de 30 000 hommes d’ici la fin 2025.";
        let c = claims(t);
        assert_eq!(
            c[0].time.as_ref().and_then(|t| t.date.clone()).as_deref(),
            Some("2025-12")
        );
        assert_eq!(c[0].subject_key.as_deref(), Some("soldat"));
    }
}
