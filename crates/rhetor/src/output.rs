//! The JSON analysis (schema `rhetor.analysis/1`, documented in
//! `docs/schema.md`). Offsets here are character offsets (Unicode scalar
//! values, end exclusive) into `text`, the convention of the SemEval data;
//! `source_start`/`source_end` point into the original input.

use serde::{Deserialize, Serialize};

use crate::document::{BlockKind, Document, LanguageGuess, Source, Span};
use crate::segment;

/// Version of the JSON schema; bumped on incompatible changes.
pub const SCHEMA: &str = "rhetor.analysis/1";

/// Byte → character offset conversion for one text.
pub struct CharIndex {
    /// Byte offset of every character, when the text is not ASCII.
    starts: Option<Vec<usize>>,
    len_chars: usize,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            CharIndex {
                starts: None,
                len_chars: text.len(),
            }
        } else {
            let starts: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            CharIndex {
                len_chars: starts.len(),
                starts: Some(starts),
            }
        }
    }

    /// Character offset of a byte offset (which must be a char boundary).
    pub fn char_of(&self, byte: usize) -> usize {
        match &self.starts {
            None => byte,
            Some(starts) => starts.partition_point(|&b| b < byte).min(self.len_chars),
        }
    }

    /// Byte offset of a character offset.
    pub fn byte_of(&self, ch: usize, text_len: usize) -> usize {
        match &self.starts {
            None => ch.min(text_len),
            Some(starts) => starts.get(ch).copied().unwrap_or(text_len),
        }
    }
}

/// A span in character offsets with its text.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TextSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParagraphOut {
    pub index: usize,
    pub kind: BlockKind,
    pub start: usize,
    pub end: usize,
    /// Character offsets of the block in the original input.
    pub source_start: usize,
    pub source_end: usize,
    /// 1-based line number in the original plain-text input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub text: String,
    pub language: Option<LanguageGuess>,
    /// Persuasion techniques found in the block, most probable first.
    pub techniques: Vec<TechniqueOut>,
}

/// A technique in a paragraph with the words that carry it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TechniqueOut {
    pub technique: String,
    pub probability: f32,
    /// Shown by default: at or above the label's confident threshold
    /// (cross-validated precision ≥ 0.6); `false`: "possible". Analyses
    /// stored before the field existed read as `false`.
    #[serde(default)]
    pub confident: bool,
    pub evidence: Vec<TextSpan>,
}

/// A label with its probability.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScoreOut {
    pub label: String,
    pub probability: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenreOut {
    pub label: String,
    pub probability: f32,
    pub scores: Vec<ScoreOut>,
}

/// A source of a claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub kind: crate::claims::SourceKind,
    pub outlet: Option<TextSpan>,
    pub cue: TextSpan,
    pub inherited: bool,
}

/// The JSON name of a unit enum value (`"news_agency"`, `"more_than"`), as
/// the store's tables and the exports write it.
pub fn serde_name<T: Serialize>(v: &T) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// A source the article cites (see `sources`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CitedSourceOut {
    pub id: String,
    pub name: String,
    pub kind: crate::document::CitedKind,
    pub mentions: Vec<MentionOut>,
    pub uses: Vec<crate::document::SourceUse>,
    /// Indices into `claims`.
    pub claims: Vec<usize>,
    pub urls: Vec<String>,
    pub domain: Option<String>,
    pub affiliation: Option<String>,
    pub role: Option<String>,
    /// The State Media Matrix entry behind the outlet; absent when the
    /// outlet is not in that list (which says nothing of its independence).
    pub state: Option<StateOut>,
    /// CRED-1's rating of its domain; absent when not in that list.
    pub credibility: Option<CredibilityOut>,
}

/// A named actor of the article (see `entities`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EntityOut {
    /// The same in every document and language for a linked entity
    /// ("putin", "usa", "north-korea/forces"); "KIND:folded name" otherwise.
    pub id: String,
    pub name: String,
    pub kind: crate::document::EntityKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wikidata: Option<String>,
    /// In the curated alias table (else found by the tagger only).
    pub linked: bool,
    pub mentions: Vec<EntityMentionOut>,
    pub portrayal: Vec<PortrayalOut>,
}

/// One mention of an entity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EntityMentionOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub form: crate::document::NameForm,
}

/// Words the article attaches to an entity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PortrayalOut {
    pub kind: crate::document::PortrayalKind,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Index into the entity's `mentions`.
    pub mention: usize,
    /// The technique, for `technique` items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technique: Option<String>,
    /// Index into `claims`, for `claim` items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<usize>,
}

/// A human correction: a label an annotator gave (or confirmed), with who
/// and when; never mixed with the model's output.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Correction {
    /// `technique_span`, `paragraph`, `claim`, `genre` or `frame`.
    pub kind: String,
    /// Code points into `text` (spans and paragraphs).
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub text: Option<String>,
    pub label: String,
    pub annotator: String,
    pub created_at: Option<String>,
    /// Where it came from: `labelstudio`.
    pub origin: String,
}

/// One mention of a cited source.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MentionOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub form: crate::document::MentionForm,
}

/// A State Media Matrix entry, with the list it comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StateOut {
    pub asset: String,
    pub owner: String,
    pub country: String,
    pub typology: crate::document::Typology,
    /// The list's code ("SC") and the typology in words.
    pub typology_code: String,
    pub typology_label: String,
    pub uncertain: bool,
    /// "host", "domain", "edition" (another host of the same outlet) or "name".
    pub matched_by: String,
    pub listed_host: String,
    /// "State Media Monitor via ASD (…)"; and its snapshot date.
    pub list: String,
    pub list_date: String,
}

/// A CRED-1 rating, with the list it comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CredibilityOut {
    pub domain: String,
    pub category: crate::document::CredCategory,
    pub score: f32,
    pub list: String,
    pub list_date: String,
}

/// A time reference of a claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimeOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub date: Option<String>,
}

/// A numeric claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClaimOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub paragraph: usize,
    pub sentence: TextSpan,
    pub number: TextSpan,
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_max: Option<f64>,
    pub kind: crate::numbers::NumberKind,
    pub approximation: crate::numbers::Approximation,
    pub unit: Option<String>,
    pub subject: Option<TextSpan>,
    pub subject_key: Option<String>,
    /// The named group the figure is about (a country, an alliance).
    pub group: Option<String>,
    pub per: Option<String>,
    pub time: Option<TimeOut>,
    pub hedge: Option<TextSpan>,
    pub source: Option<SourceOut>,
    /// What kind of quantity it is: total, increment, change, rate, share,
    /// loss, comparison or count (`claims/role.rs`).
    #[serde(default)]
    pub role: crate::claims::role::ClaimRole,
    /// How much the claim deserves a check, 0–1 (`claims/worthiness.rs`).
    #[serde(default)]
    pub check_worthiness: f32,
    /// The features that raised (or lowered) it.
    #[serde(default)]
    pub check_reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SentenceOut {
    pub start: usize,
    pub end: usize,
    pub paragraph: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenOut {
    pub start: usize,
    pub end: usize,
    pub kind: String,
}

/// The analysis of one document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Analysis {
    pub schema: String,
    pub id: String,
    /// The identifier the input gave (JSONL `id`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_id: Option<String>,
    pub source: Source,
    pub format: crate::document::Format,
    pub encoding: String,
    pub language: Option<LanguageGuess>,
    pub title: Option<TextSpan>,
    pub author: Option<TextSpan>,
    /// Author as declared by the input when it is not in the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_author: Option<String>,
    pub published: Option<String>,
    pub word_count: usize,
    /// The classifier tier that labelled techniques, frames and genre:
    /// "fast" (n-gram models) or "accurate" (encoder); absent if none ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Article genre (opinion, reporting, satire) with every class's probability.
    pub genre: Option<GenreOut>,
    /// Frames decided for the article, most probable first.
    pub frames: Vec<ScoreOut>,
    pub paragraphs: Vec<ParagraphOut>,
    /// Numeric claims with their subject, rate, time, hedge and source.
    pub claims: Vec<ClaimOut>,
    pub sentences: Vec<SentenceOut>,
    pub links: Vec<LinkOut>,
    /// What the article cites (absent in analyses stored before sources).
    #[serde(default)]
    pub sources: Vec<CitedSourceOut>,
    /// Who is named and how the article portrays them, most mentioned
    /// first (absent in analyses stored before entities).
    #[serde(default)]
    pub entities: Vec<EntityOut>,
    /// Human corrections imported into the store (Label Studio), kept apart
    /// from the model's labels above; only in analyses read from a store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<TokenOut>>,
    pub text: String,
}

fn round3(p: f32) -> f32 {
    (p * 1000.0).round() / 1000.0
}

fn score(s: &crate::document::LabelScore) -> ScoreOut {
    ScoreOut {
        label: s.label.clone(),
        probability: round3(s.probability),
    }
}

/// What to include beyond the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct OutputOptions {
    pub tokens: bool,
}

impl Analysis {
    pub fn new(doc: &Document, opts: OutputOptions) -> Self {
        let index = CharIndex::new(&doc.text);
        let original_index = CharIndex::new(&doc.original);
        let text_span = |s: Span| TextSpan {
            start: index.char_of(s.start),
            end: index.char_of(s.end),
            text: doc.slice(s).to_string(),
        };
        let paragraphs = doc
            .blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let orig = doc.alignment.to_original(b.span);
                ParagraphOut {
                    index: i,
                    kind: b.kind,
                    start: index.char_of(b.span.start),
                    end: index.char_of(b.span.end),
                    source_start: original_index.char_of(orig.start),
                    source_end: original_index.char_of(orig.end),
                    line: b.line,
                    text: doc.slice(b.span).to_string(),
                    language: b.language.clone(),
                    techniques: doc
                        .techniques
                        .get(i)
                        .map(|hits| {
                            hits.iter()
                                .map(|h| TechniqueOut {
                                    technique: h.label.clone(),
                                    probability: round3(h.probability),
                                    confident: h.confident,
                                    evidence: h.evidence.iter().map(|&e| text_span(e)).collect(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        let mut block = 0;
        let sentences = doc
            .sentences
            .iter()
            .map(|s| {
                while block + 1 < doc.blocks.len() && doc.blocks[block].span.end <= s.start {
                    block += 1;
                }
                SentenceOut {
                    start: index.char_of(s.start),
                    end: index.char_of(s.end),
                    paragraph: block,
                }
            })
            .collect();
        let links = doc
            .links
            .iter()
            .map(|l| LinkOut {
                start: index.char_of(l.span.start),
                end: index.char_of(l.span.end),
                text: doc.slice(l.span).to_string(),
                url: l.url.clone(),
            })
            .collect();
        let tokens = opts.tokens.then(|| {
            doc.blocks
                .iter()
                .flat_map(|b| segment::tokenize(&doc.text, b.span))
                .map(|t| TokenOut {
                    start: index.char_of(t.span.start),
                    end: index.char_of(t.span.end),
                    kind: match t.kind {
                        segment::TokenKind::Word => "word",
                        segment::TokenKind::Number => "number",
                        segment::TokenKind::Punct => "punct",
                    }
                    .to_string(),
                })
                .collect()
        });
        let opinion = doc.genre.first().is_some_and(|g| g.label == "opinion");
        let claims = doc
            .claims
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c,
                    i.checked_sub(1).and_then(|p| doc.claims.get(p)),
                    crate::claims::worthiness::worthiness(&doc.text, c, opinion),
                )
            })
            .map(|(c, previous, w)| ClaimOut {
                role: crate::claims::role::role_of(&doc.text, c, previous),
                check_worthiness: w.score,
                check_reasons: w.reasons.iter().map(|r| r.to_string()).collect(),
                start: index.char_of(c.span.start),
                end: index.char_of(c.span.end),
                text: doc.slice(c.span).to_string(),
                paragraph: c.paragraph,
                sentence: text_span(c.sentence),
                number: text_span(c.number),
                value: c.value,
                value_max: c.value_max,
                kind: c.kind,
                approximation: c.approximation,
                unit: c.unit.clone(),
                subject: c.subject.map(text_span),
                subject_key: c.subject_key.clone(),
                group: c.group.clone(),
                per: c.per.clone(),
                time: c.time.as_ref().map(|t| TimeOut {
                    start: index.char_of(t.span.start),
                    end: index.char_of(t.span.end),
                    text: doc.slice(t.span).to_string(),
                    date: t.date.clone(),
                }),
                hedge: c.hedge.map(text_span),
                source: c.source.as_ref().map(|s| SourceOut {
                    start: index.char_of(s.span.start),
                    end: index.char_of(s.span.end),
                    text: doc.slice(s.span).to_string(),
                    kind: s.kind,
                    outlet: s.outlet.map(text_span),
                    cue: text_span(s.cue),
                    inherited: s.inherited,
                }),
            })
            .collect();
        let lists = &*crate::sources::registry::EMBEDDED;
        let sources = doc
            .sources
            .iter()
            .map(|c| CitedSourceOut {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: c.kind,
                mentions: c
                    .mentions
                    .iter()
                    .map(|m| MentionOut {
                        start: index.char_of(m.span.start),
                        end: index.char_of(m.span.end),
                        text: doc.slice(m.span).to_string(),
                        form: m.form,
                    })
                    .collect(),
                uses: c.uses.clone(),
                claims: c.claims.clone(),
                urls: c.urls.clone(),
                domain: c.domain.clone(),
                affiliation: c.affiliation.clone(),
                role: c.role.clone(),
                state: c.state.as_ref().map(|st| StateOut {
                    asset: st.asset.clone(),
                    owner: st.owner.clone(),
                    country: st.country.clone(),
                    typology: st.typology,
                    typology_code: st.typology.code().to_string(),
                    typology_label: st.typology.label().to_string(),
                    uncertain: st.uncertain,
                    matched_by: st.matched_by.to_string(),
                    listed_host: st.listed_host.clone(),
                    list: lists.state_list.name.clone(),
                    list_date: lists.state_list.date.clone(),
                }),
                credibility: c.credibility.as_ref().map(|r| CredibilityOut {
                    domain: r.domain.clone(),
                    category: r.category,
                    score: r.score,
                    list: lists.credibility_list.name.clone(),
                    list_date: lists.credibility_list.date.clone(),
                }),
            })
            .collect();
        let entities = doc
            .entities
            .iter()
            .map(|e| {
                let mut items = e.portrayal.clone();
                items.extend(crate::entities::technique_portrayal(doc, e));
                EntityOut {
                    id: e.id.clone(),
                    name: e.name.clone(),
                    kind: e.kind,
                    wikidata: e.wikidata.clone(),
                    linked: e.linked,
                    mentions: e
                        .mentions
                        .iter()
                        .map(|m| EntityMentionOut {
                            start: index.char_of(m.span.start),
                            end: index.char_of(m.span.end),
                            text: doc.slice(m.span).to_string(),
                            form: m.form,
                        })
                        .collect(),
                    portrayal: items
                        .iter()
                        .map(|p| {
                            let (technique, claim) = match p.kind {
                                crate::document::PortrayalKind::Technique => {
                                    (p.label.clone(), None)
                                }
                                crate::document::PortrayalKind::Claim => {
                                    (None, p.label.as_deref().and_then(|l| l.parse().ok()))
                                }
                                _ => (None, None),
                            };
                            PortrayalOut {
                                kind: p.kind,
                                start: index.char_of(p.span.start),
                                end: index.char_of(p.span.end),
                                text: doc.slice(p.span).to_string(),
                                mention: p.mention,
                                technique,
                                claim,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        let author = doc.author.map(text_span);
        Analysis {
            schema: SCHEMA.to_string(),
            id: doc.id(),
            input_id: doc.declared.id.clone(),
            source: doc.source.clone(),
            format: doc.format,
            encoding: doc.encoding.clone(),
            language: doc.language.clone(),
            title: doc.title.map(text_span),
            declared_author: if author.is_none() {
                doc.declared.author.clone()
            } else {
                None
            },
            author,
            published: doc.declared.published.clone(),
            word_count: doc.word_count(),
            tier: (!doc.tier.is_empty()).then(|| doc.tier.to_string()),
            genre: doc.genre.first().map(|g| GenreOut {
                label: g.label.clone(),
                probability: round3(g.probability),
                scores: doc.genre.iter().map(score).collect(),
            }),
            frames: doc.frames.iter().map(score).collect(),
            paragraphs,
            claims,
            sentences,
            links,
            sources,
            entities,
            corrections: Vec::new(),
            tokens,
            text: doc.text.clone(),
        }
    }
}
