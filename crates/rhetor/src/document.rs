//! The one `Document` every stage enriches, and the alignment between its
//! normalised `text` and the `original` input it came from.
//!
//! Internally every span is a byte range into `Document::text` (so slicing is
//! free); the JSON output converts them to character offsets (see `output`).

use serde::{Deserialize, Serialize};

use crate::numbers::{Approximation, NumberKind};

/// A half-open byte range `[start, end)` into a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// What a block of the document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockKind {
    Title,
    Byline,
    Heading,
    Paragraph,
    ListItem,
    Quote,
}

/// A language guess with its confidence in `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LanguageGuess {
    /// ISO 639-1 code where one exists (fr, en, de…), else ISO 639-3.
    pub code: String,
    pub confidence: f64,
}

/// A block (title, heading, paragraph…) of the normalised text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    pub span: Span,
    /// 1-based line of the block's first line in the original input (plain
    /// text inputs; the SemEval labels address paragraphs by this number).
    pub line: Option<usize>,
    /// Physical lines of the input the block was joined from.
    #[serde(skip)]
    pub line_count: usize,
    pub language: Option<LanguageGuess>,
}

/// A persuasion technique found in a block, with the words that carry it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TechniqueHit {
    pub label: String,
    pub probability: f32,
    /// At or above the label's confident threshold (cross-validated
    /// precision ≥ 0.6); the others are "possible".
    pub confident: bool,
    /// Byte spans into `Document::text`.
    pub evidence: Vec<Span>,
}

/// A label with its probability (frames, genre).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabelScore {
    pub label: String,
    pub probability: f32,
}

/// A hyperlink found in the text (an `<a href>` of an HTML page, or a bare URL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub span: Span,
    pub url: String,
}

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

/// What kind of source an article cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CitedKind {
    NewsAgency,
    MediaOutlet,
    /// Ministries, intelligence services, governments, armies.
    Government,
    /// The UN, NATO, the EU, the WHO…
    InternationalOrganisation,
    /// A named person quoted or cited ("Isabelle Lasserre").
    Person,
    /// A linked site that is no known outlet.
    Website,
    /// "des experts", "certains observateurs".
    Unspecified,
}

impl CitedKind {
    /// The kinds that publish: outlets, agencies and linked sites — what the
    /// outlet lists can stand behind and what "who cites whom" counts.
    pub const PUBLISHERS: [CitedKind; 3] = [
        CitedKind::MediaOutlet,
        CitedKind::NewsAgency,
        CitedKind::Website,
    ];

    pub fn publishes(self) -> bool {
        CitedKind::PUBLISHERS.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CitedKind::NewsAgency => "news_agency",
            CitedKind::MediaOutlet => "media_outlet",
            CitedKind::Government => "government",
            CitedKind::InternationalOrganisation => "international_organisation",
            CitedKind::Person => "person",
            CitedKind::Website => "website",
            CitedKind::Unspecified => "unspecified",
        }
    }
    /// In words, for the report and the app.
    pub fn label(self) -> &'static str {
        match self {
            CitedKind::NewsAgency => "news agency",
            CitedKind::MediaOutlet => "media outlet",
            CitedKind::Government => "government source",
            CitedKind::InternationalOrganisation => "international organisation",
            CitedKind::Person => "person",
            CitedKind::Website => "website",
            CitedKind::Unspecified => "unspecified source",
        }
    }
}

/// How an article uses a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceUse {
    /// A hyperlink to it.
    Linked,
    /// Its words are quoted or reported ("a déclaré", « … »).
    Quoted,
    /// A figure is attributed to it.
    AttributedFigure,
    /// Invoked as authority ("selon X", "according to X").
    CitedAsAuthority,
    /// Named, without more.
    Mentioned,
}

impl SourceUse {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceUse::Linked => "linked",
            SourceUse::Quoted => "quoted",
            SourceUse::AttributedFigure => "attributed_figure",
            SourceUse::CitedAsAuthority => "cited_as_authority",
            SourceUse::Mentioned => "mentioned",
        }
    }
}

/// In what form a source appears in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MentionForm {
    /// The anchor text of a link (or the bare URL).
    Link,
    /// The outlet's name ("Reuters", "la BBC").
    Name,
    /// The attribution of a statement or figure ("les services sud-coréens").
    Attribution,
}

/// One place a source appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceMention {
    pub span: Span,
    pub form: MentionForm,
}

/// What kind of actor a named entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Person,
    Organisation,
    /// Countries, cities, regions.
    Place,
    /// Peoples, armed forces, "les Occidentaux".
    Group,
}

impl EntityKind {
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Person,
        EntityKind::Organisation,
        EntityKind::Place,
        EntityKind::Group,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organisation => "organisation",
            EntityKind::Place => "place",
            EntityKind::Group => "group",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a mention names its entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameForm {
    /// A name or a variant of it ("Kim Jong Un", "Poutine").
    Name,
    /// A short form of a name given earlier in the article ("Kim").
    Short,
    /// "OTAN", "UE".
    Acronym,
    /// A place for the power seated there ("Washington", "le Kremlin").
    Metonym,
    /// A people ("les Ukrainiens").
    Demonym,
    /// An army noun with a demonym ("soldats nord-coréens").
    Forces,
}

impl NameForm {
    pub fn as_str(self) -> &'static str {
        match self {
            NameForm::Name => "name",
            NameForm::Short => "short",
            NameForm::Acronym => "acronym",
            NameForm::Metonym => "metonym",
            NameForm::Demonym => "demonym",
            NameForm::Forces => "forces",
        }
    }
}

/// One place an entity is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EntityMention {
    pub span: Span,
    pub form: NameForm,
}

/// What a portrayal item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortrayalKind {
    /// Words in the noun phrase of the name ("le camarade Poutine", "soldats
    /// nord-coréens fanatiques").
    Epithet,
    /// A noun phrase set beside the name by commas ("Sergueï Choïgu, le
    /// ministre russe de la Défense").
    Apposition,
    /// What the name *is* (a copula or a relative clause: "Kim Jong-un est
    /// sans doute un dictateur", "Washington, qui sème la mort").
    Predicate,
    /// What the name *does*, as the subject of a verb ("Washington a perdu
    /// la main").
    Action,
    /// A persuasion technique whose evidence lies in the sentence of a
    /// mention.
    Technique,
    /// A numeric claim whose subject or source the entity is.
    Claim,
}

impl PortrayalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PortrayalKind::Epithet => "epithet",
            PortrayalKind::Apposition => "apposition",
            PortrayalKind::Predicate => "predicate",
            PortrayalKind::Action => "action",
            PortrayalKind::Technique => "technique",
            PortrayalKind::Claim => "claim",
        }
    }
}

/// Words an article attaches to an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portrayal {
    pub kind: PortrayalKind,
    pub span: Span,
    /// Index of the mention it is attached to.
    pub mention: usize,
    /// The technique (for `technique`), the claim's index (for `claim`).
    pub label: Option<String>,
}

/// A named actor of the article, with every mention and portrayal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entity {
    /// Stable across documents and languages: the alias table's id when
    /// linked ("putin", "usa/people"), else the kind and the folded name.
    pub id: String,
    pub name: String,
    pub kind: EntityKind,
    pub wikidata: Option<String>,
    /// In the alias table (else recognised by the tagger only).
    pub linked: bool,
    pub mentions: Vec<EntityMention>,
    pub portrayal: Vec<Portrayal>,
}

/// Typology codes of the State Media Monitor, in its own order from most to
/// least state control. Never blurred: an independent public broadcaster is
/// not a state-controlled outlet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Typology {
    /// SC: the state funds, owns and controls the editorial line.
    StateControlled,
    /// CaPu: captured public or state-managed media.
    CapturedPublic,
    /// CaPr: captured private media.
    CapturedPrivate,
    /// ISFM: independent, state-funded and state-managed.
    IndependentStateFundedManaged,
    /// ISF: independent, state-funded.
    IndependentStateFunded,
    /// ISM: independent, state-managed.
    IndependentStateManaged,
    /// IP: independent public media.
    IndependentPublic,
}

impl Typology {
    pub const ALL: [Typology; 7] = [
        Typology::StateControlled,
        Typology::CapturedPublic,
        Typology::CapturedPrivate,
        Typology::IndependentStateFundedManaged,
        Typology::IndependentStateFunded,
        Typology::IndependentStateManaged,
        Typology::IndependentPublic,
    ];
    /// The list's code ("SC").
    pub fn code(self) -> &'static str {
        match self {
            Typology::StateControlled => "SC",
            Typology::CapturedPublic => "CaPu",
            Typology::CapturedPrivate => "CaPr",
            Typology::IndependentStateFundedManaged => "ISFM",
            Typology::IndependentStateFunded => "ISF",
            Typology::IndependentStateManaged => "ISM",
            Typology::IndependentPublic => "IP",
        }
    }
    pub fn from_code(code: &str) -> Option<Typology> {
        Typology::ALL.into_iter().find(|t| t.code() == code)
    }
    /// From the JSON name ("state-controlled").
    pub fn parse(name: &str) -> Option<Typology> {
        Typology::ALL.into_iter().find(|t| t.as_str() == name)
    }
    /// JSON and CSV name ("state-controlled").
    pub fn as_str(self) -> &'static str {
        match self {
            Typology::StateControlled => "state-controlled",
            Typology::CapturedPublic => "captured-public",
            Typology::CapturedPrivate => "captured-private",
            Typology::IndependentStateFundedManaged => "independent-state-funded-and-managed",
            Typology::IndependentStateFunded => "independent-state-funded",
            Typology::IndependentStateManaged => "independent-state-managed",
            Typology::IndependentPublic => "independent-public",
        }
    }
    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Typology::StateControlled => "state-controlled media",
            Typology::CapturedPublic => "captured public media",
            Typology::CapturedPrivate => "captured private media",
            Typology::IndependentStateFundedManaged => {
                "independent, state-funded and state-managed"
            }
            Typology::IndependentStateFunded => "independent, state-funded",
            Typology::IndependentStateManaged => "independent, state-managed",
            Typology::IndependentPublic => "independent public media",
        }
    }
    /// The state controls or has captured the editorial line (SC, CaPu,
    /// CaPr): what "state-affiliated" counts in the corpus views.
    pub fn state_controls_editorial_line(self) -> bool {
        matches!(
            self,
            Typology::StateControlled | Typology::CapturedPublic | Typology::CapturedPrivate
        )
    }
}

/// CRED-1 categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredCategory {
    Fake,
    Unreliable,
    Mixed,
    Conspiracy,
    Satire,
    /// Rumour sites (OpenSources' "rumor"; the codebook counts them as unreliable).
    Rumor,
    Reliable,
}

impl CredCategory {
    pub const ALL: [CredCategory; 7] = [
        CredCategory::Fake,
        CredCategory::Unreliable,
        CredCategory::Mixed,
        CredCategory::Conspiracy,
        CredCategory::Satire,
        CredCategory::Rumor,
        CredCategory::Reliable,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            CredCategory::Fake => "fake",
            CredCategory::Unreliable => "unreliable",
            CredCategory::Mixed => "mixed",
            CredCategory::Conspiracy => "conspiracy",
            CredCategory::Satire => "satire",
            CredCategory::Rumor => "rumor",
            CredCategory::Reliable => "reliable",
        }
    }
    pub fn parse(s: &str) -> Option<CredCategory> {
        CredCategory::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The State Media Matrix entry behind a source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StateAffiliation {
    /// The listed asset ("Sputnik French").
    pub asset: String,
    /// Its media company ("Sputnik News", "Rossiya Segodnya").
    pub owner: String,
    pub country: String,
    pub typology: Typology,
    /// The list marks the typology with a question mark.
    pub uncertain: bool,
    /// How the source was matched: "host", "domain", "edition", "name".
    pub matched_by: &'static str,
    /// The listed host that matched or stands for the outlet.
    pub listed_host: String,
}

/// CRED-1's rating of a source's domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CredibilityRating {
    pub domain: String,
    pub category: CredCategory,
    /// Composite credibility score, 0 (low) to 1.
    pub score: f32,
}

/// A source the article cites, merged across its forms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitedSource {
    /// Stable across documents: "outlet:sputnik", "domain:example.org",
    /// "gov:les services de renseignement britanniques".
    pub id: String,
    /// Display name ("Sputnik", "Reuters", "Isabelle Lasserre").
    pub name: String,
    pub kind: CitedKind,
    /// In text order.
    pub mentions: Vec<SourceMention>,
    /// Sorted, without repeats.
    pub uses: Vec<SourceUse>,
    /// Indices into `Document::claims` attributed to it.
    pub claims: Vec<usize>,
    /// Links to it, as written.
    pub urls: Vec<String>,
    /// Registrable domain of its links or its known site.
    pub domain: Option<String>,
    /// For a person: the outlet they write or speak in ("Le Figaro").
    pub affiliation: Option<String>,
    /// For a person: their role as the article gives it ("journalist").
    pub role: Option<String>,
    pub state: Option<StateAffiliation>,
    pub credibility: Option<CredibilityRating>,
}

/// Where a document came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The file it was read from (`-` for standard input).
    pub path: String,
    /// Record number inside a container file (JSONL line, WARC record), 1-based.
    pub record: Option<usize>,
    pub url: Option<String>,
    /// The outlet or site, when the input says so.
    pub name: Option<String>,
}

/// The input format a document was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
    Jsonl,
    Warc,
    Pdf,
}

/// Metadata the input itself declared (HTML meta tags, JSONL fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeclaredMeta {
    pub title: Option<String>,
    pub author: Option<String>,
    pub published: Option<String>,
    pub id: Option<String>,
}

/// One piece of the alignment: normalised bytes `[norm_start, norm_start+len)`
/// come from original bytes `[orig_start, orig_end)`. When `copied`, the two
/// ranges are byte-identical; otherwise the normalised text is a replacement
/// (a collapsed space, an NFC form, a joined line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    norm_start: usize,
    norm_end: usize,
    orig_start: usize,
    orig_end: usize,
    copied: bool,
}

/// Builds normalised text while recording where each piece came from, in the
/// spirit of `tokenizers`' `NormalizedString`.
#[derive(Debug, Default, Clone)]
pub struct AlignedText {
    text: String,
    segments: Vec<Segment>,
}

impl AlignedText {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Appends `original[range]` verbatim.
    pub fn push_copy(&mut self, original: &str, range: std::ops::Range<usize>) {
        if range.is_empty() {
            return;
        }
        let norm_start = self.text.len();
        self.text.push_str(&original[range.clone()]);
        let norm_end = self.text.len();
        if let Some(last) = self.segments.last_mut() {
            if last.copied && last.norm_end == norm_start && last.orig_end == range.start {
                last.norm_end = norm_end;
                last.orig_end = range.end;
                return;
            }
        }
        self.segments.push(Segment {
            norm_start,
            norm_end,
            orig_start: range.start,
            orig_end: range.end,
            copied: true,
        });
    }

    /// Appends `replacement`, which stands for `original[range]` (the range may
    /// be empty for pure insertions).
    pub fn push_replacement(&mut self, replacement: &str, range: std::ops::Range<usize>) {
        let norm_start = self.text.len();
        self.text.push_str(replacement);
        self.segments.push(Segment {
            norm_start,
            norm_end: self.text.len(),
            orig_start: range.start,
            orig_end: range.end,
            copied: false,
        });
    }

    /// Removes the last `n` bytes (used to drop a trailing space); alignment
    /// segments are trimmed to match.
    pub fn truncate(&mut self, new_len: usize) {
        self.text.truncate(new_len);
        while let Some(last) = self.segments.last_mut() {
            if last.norm_start >= new_len {
                self.segments.pop();
            } else {
                if last.norm_end > new_len {
                    if last.copied {
                        last.orig_end -= last.norm_end - new_len;
                    }
                    last.norm_end = new_len;
                }
                break;
            }
        }
    }

    pub fn into_parts(self) -> (String, Alignment) {
        (
            self.text,
            Alignment {
                segments: self.segments,
            },
        )
    }
}

/// Maps byte offsets of normalised text back to the original and forth.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Alignment {
    segments: Vec<Segment>,
}

impl Alignment {
    /// The identity alignment for a text that was not changed.
    pub fn identity(len: usize) -> Self {
        Alignment {
            segments: vec![Segment {
                norm_start: 0,
                norm_end: len,
                orig_start: 0,
                orig_end: len,
                copied: true,
            }],
        }
    }

    /// Original byte range of the normalised byte range `span`.
    pub fn to_original(&self, span: Span) -> Span {
        if self.segments.is_empty() {
            return Span::new(0, 0);
        }
        let start = self.map_norm(span.start, true);
        let end = self.map_norm(span.end, false).max(start);
        Span::new(start, end)
    }

    fn map_norm(&self, pos: usize, is_start: bool) -> usize {
        // Index of the segment containing pos (for ends, the one ending at pos).
        let idx = if is_start {
            self.segments.partition_point(|s| s.norm_end <= pos)
        } else {
            self.segments.partition_point(|s| s.norm_end < pos)
        };
        let Some(seg) = self.segments.get(idx.min(self.segments.len() - 1)) else {
            return 0;
        };
        if pos <= seg.norm_start {
            return seg.orig_start;
        }
        if pos >= seg.norm_end {
            return seg.orig_end;
        }
        if seg.copied {
            seg.orig_start + (pos - seg.norm_start)
        } else if is_start {
            seg.orig_start
        } else {
            seg.orig_end
        }
    }

    /// Normalised byte offset for an original byte offset: inside copied text
    /// it is exact; inside replaced text it snaps to the replacement's start;
    /// inside dropped text to the next kept text.
    pub fn from_original(&self, pos: usize) -> usize {
        let idx = self.segments.partition_point(|s| s.orig_end <= pos);
        match self.segments.get(idx) {
            None => self.segments.last().map_or(0, |s| s.norm_end),
            Some(seg) if pos <= seg.orig_start => seg.norm_start,
            Some(seg) if seg.copied => seg.norm_start + (pos - seg.orig_start),
            Some(seg) => seg.norm_start,
        }
    }
}

/// The article as every stage sees it: the original input, the normalised
/// text, their alignment, and what stages have found so far.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: Source,
    pub format: Format,
    /// Encoding the bytes were decoded from (e.g. "UTF-8", "windows-1252").
    pub encoding: String,
    /// The decoded input (for HTML: the extracted text before normalisation).
    pub original: String,
    /// The normalised text all spans point into.
    pub text: String,
    pub alignment: Alignment,
    pub declared: DeclaredMeta,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub title: Option<Span>,
    pub author: Option<Span>,
    pub language: Option<LanguageGuess>,
    pub sentences: Vec<Span>,
    /// Techniques per block (same index as `blocks`); empty until classified.
    pub techniques: Vec<Vec<TechniqueHit>>,
    /// Frames decided for the article, most probable first.
    pub frames: Vec<LabelScore>,
    /// Genre probabilities, most probable first (empty until classified).
    pub genre: Vec<LabelScore>,
    /// Numeric claims, in text order.
    pub claims: Vec<Claim>,
    /// What the article cites: linked and named outlets, official bodies,
    /// people, merged across their forms (the `sources` stage).
    pub sources: Vec<CitedSource>,
    /// Who is named and how (the `entities` stage), most mentioned first.
    pub entities: Vec<Entity>,
    /// Which classifier tier labelled techniques, frames and genre
    /// ("fast" or "accurate"); empty until classified.
    pub tier: &'static str,
}

impl Document {
    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }

    /// Content hash of the normalised text (hex, 128 bits of SHA-256).
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.text.as_bytes());
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The blocks that carry running text (paragraphs, list items, quotes).
    pub fn body(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(|b| {
            matches!(
                b.kind,
                BlockKind::Paragraph | BlockKind::ListItem | BlockKind::Quote
            )
        })
    }

    /// Number of words (whitespace-separated runs containing a letter or digit).
    pub fn word_count(&self) -> usize {
        self.text
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_maps_copies_and_replacements() {
        let original = "ab  cd\r\nef";
        let mut b = AlignedText::new();
        b.push_copy(original, 0..2);
        b.push_replacement(" ", 2..4);
        b.push_copy(original, 4..6);
        b.push_replacement(" ", 6..8);
        b.push_copy(original, 8..10);
        let (text, al) = b.into_parts();
        assert_eq!(text, "ab cd ef");
        assert_eq!(al.to_original(Span::new(3, 5)), Span::new(4, 6));
        assert_eq!(al.to_original(Span::new(6, 8)), Span::new(8, 10));
        assert_eq!(al.to_original(Span::new(0, 8)), Span::new(0, 10));
        assert_eq!(al.from_original(4), 3);
        assert_eq!(al.from_original(9), 7);
        assert_eq!(al.from_original(3), 2);
    }

    #[test]
    fn truncate_trims_segments() {
        let original = "abc def";
        let mut b = AlignedText::new();
        b.push_copy(original, 0..4);
        b.push_copy(original, 4..7);
        b.truncate(3);
        let (text, al) = b.into_parts();
        assert_eq!(text, "abc");
        assert_eq!(al.to_original(Span::new(0, 3)), Span::new(0, 3));
    }
}
