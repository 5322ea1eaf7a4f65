//! What an article cites, and who stands behind it.
//!
//! The `Sources` stage runs after claims. It gathers three forms of
//! citation — links (host, registrable domain), outlets and agencies named
//! in the text ("selon Reuters", "la BBC", "l'agence Tass"), and the
//! attributions of statements and figures (officials, people, "des
//! experts") — and merges them into one [`CitedSource`] per source, with
//! its mentions, how it is used, the claims attributed to it and, for
//! outlets, the State Media Matrix entry and CRED-1 rating behind it.
//!
//! - `host.rs`: URL host and registrable domain (public-suffix list).
//! - `registry.rs`: the two lists, compiled into `models/outlets.tsv`.
//! - `brands.rs`: outlets as articles name and link them (editions,
//!   names in six languages), bridging text to the lists.

pub mod brands;
pub mod host;
pub mod registry;

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::claims::{Attribution, SourceKind};
use crate::document::{
    CitedKind, CitedSource, CredibilityRating, Document, MentionForm, SourceMention, SourceUse,
    Span, StateAffiliation,
};
use crate::segment::lower_aligned;
use crate::stage::{Stage, StageError};
use brands::{Brand, BRANDS};
use registry::{HostMatch, Registry, StateMedia};

/// The sources stage (after claims).
pub struct Sources;

impl Stage for Sources {
    fn name(&self) -> &'static str {
        "sources"
    }

    fn run(&self, doc: &mut Document) -> Result<(), StageError> {
        doc.sources = cited_sources(doc, &registry::EMBEDDED);
        Ok(())
    }
}

/// Intergovernmental organisations, as attributions name them.
const ORGANISATIONS: &[&str] = &[
    "ONU",
    "Nations unies",
    "Nations Unies",
    "United Nations",
    "UN",
    "OTAN",
    "NATO",
    "Alliance atlantique",
    "UE",
    "Union européenne",
    "EU",
    "European Union",
    "Commission européenne",
    "European Commission",
    "Conseil de l'Europe",
    "OMS",
    "WHO",
    "World Health Organization",
    "Organisation mondiale de la santé",
    "FMI",
    "IMF",
    "Banque mondiale",
    "World Bank",
    "AIEA",
    "IAEA",
    "OSCE",
    "CPI",
    "ICC",
    "Cour pénale internationale",
    "HCR",
    "UNHCR",
    "Unicef",
    "UNICEF",
    "OCDE",
    "OECD",
    "OMC",
    "WTO",
    "Croix-Rouge",
    "Red Cross",
    "ООН",
    "НАТО",
    "ONZ",
    "NATO-",
    "Vereinte Nationen",
    "Nazioni Unite",
];

/// Reporting verbs that are figures of speech more often than citations
/// ("l'Europe révèle sa nature", "ce chiffre souligne").
const FIGURATIVE_VERBS: &[&str] = &[
    "révèle",
    "révèlent",
    "a révélé",
    "souligne",
    "a souligné",
    "explique",
    "a expliqué",
    "rappelle",
    "a rappelé",
    "note",
    "a noté",
    "chiffre",
    "évalue",
    "avance",
    "revealed",
    "noted",
];

/// Words before a name that make it a citation ("selon Reuters").
const AUTHORITY_CUES: &[&str] = &[
    "selon",
    "d'après",
    "d’après",
    "according",
    "cité",
    "citée",
    "rapporte",
    "rapporté",
    "laut",
    "secondo",
    "według",
    "данным",
    "словам",
    "согласно",
    "reported",
    "told",
    "cited",
];

/// Words before an ambiguous outlet name that make it the outlet ("dans
/// Libération"), besides the authority cues.
const OUTLET_CUES: &[&str] = &[
    "dans",
    "à",
    "au",
    "par",
    "pour",
    "sur",
    "in",
    "to",
    "by",
    "on",
    "im",
    "der",
    "di",
    "su",
    "w",
    "dla",
    "écrit",
    "écrivait",
    "rapporte",
    "révèle",
    "affirme",
    "indique",
    "wrote",
    "writes",
    "reports",
    "schreibt",
    "berichtet",
    "scrive",
    "riporta",
    "pisze",
    "podaje",
    "пишет",
    "сообщает",
];

static NAMES: LazyLock<(AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut owners = Vec::new();
    for (i, b) in BRANDS.iter().enumerate() {
        for n in b.names {
            patterns.push(*n);
            owners.push(i);
        }
    }
    let ac = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&patterns)
        .expect("valid outlet names");
    (ac, owners)
});

static ORGANISATIONS_AC: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build(ORGANISATIONS)
        .expect("valid organisation names")
});

/// Collects and merges what `doc` cites.
pub fn cited_sources(doc: &Document, reg: &Registry) -> Vec<CitedSource> {
    let mut acc = Accumulator::default();
    let own_domain = doc
        .source
        .url
        .as_deref()
        .and_then(host::host_of)
        .and_then(|h| host::registrable_domain(&h));
    // Links.
    for link in &doc.links {
        let Some(host) = host::host_of(&link.url) else {
            continue;
        };
        let domain = host::registrable_domain(&host);
        if domain.is_some() && domain == own_domain {
            continue; // the site's own pages are not citations
        }
        let i = acc.link_source(reg, &host, domain.as_deref());
        let s = &mut acc.sources[i];
        s.mentions.push(SourceMention {
            span: link.span,
            form: MentionForm::Link,
        });
        s.uses.push(SourceUse::Linked);
        if !s.urls.contains(&link.url) {
            s.urls.push(link.url.clone());
        }
    }
    // Outlets named in the text.
    let (ac, owners) = &*NAMES;
    for block in doc.body() {
        let body = &doc.text[block.span.start..block.span.end];
        for m in ac.find_iter(body) {
            let span = Span::new(block.span.start + m.start(), block.span.start + m.end());
            if !on_word_boundaries(&doc.text, span) {
                continue;
            }
            let brand = &BRANDS[owners[m.pattern().as_usize()]];
            let before = previous_word(&doc.text, span.start);
            let authority = AUTHORITY_CUES.contains(&before.as_str());
            if brand.cue_only && !authority && !OUTLET_CUES.contains(&before.as_str()) {
                continue;
            }
            if doc.links.iter().any(|l| l.span.contains(span)) {
                continue; // the link's anchor: counted as the link
            }
            let i = acc.brand_source(reg, brand);
            let s = &mut acc.sources[i];
            s.mentions.push(SourceMention {
                span,
                form: MentionForm::Name,
            });
            s.uses.push(if authority {
                SourceUse::CitedAsAuthority
            } else {
                SourceUse::Mentioned
            });
        }
    }
    // Attributions: of the claims (with their figures), then of every other
    // sentence that cites someone.
    let mut seen: Vec<Span> = Vec::new();
    for (ci, claim) in doc.claims.iter().enumerate() {
        if let Some(a) = &claim.source {
            acc.attribution(doc, reg, a, Some(ci));
            seen.push(a.span);
        }
    }
    for sentence in &doc.sentences {
        for a in crate::claims::attributions(&doc.text, *sentence) {
            // Without a figure, "X révèle sa nature" is no citation: only
            // verbs of saying count there.
            let verb = lower_aligned(doc.slice(a.cue));
            if a.cue.start >= a.span.end && FIGURATIVE_VERBS.contains(&verb.as_ref()) {
                continue;
            }
            if !seen.contains(&a.span) {
                acc.attribution(doc, reg, &a, None);
                seen.push(a.span);
            }
        }
    }
    acc.finish()
}

#[derive(Default)]
struct Accumulator {
    sources: Vec<CitedSource>,
    by_id: HashMap<String, usize>,
}

impl Accumulator {
    fn get_or_add(&mut self, id: String, make: impl FnOnce() -> CitedSource) -> usize {
        if let Some(&i) = self.by_id.get(&id) {
            return i;
        }
        let mut s = make();
        s.id = id.clone();
        self.sources.push(s);
        self.by_id.insert(id, self.sources.len() - 1);
        self.sources.len() - 1
    }

    fn brand_source(&mut self, reg: &Registry, brand: &'static Brand) -> usize {
        self.get_or_add(format!("outlet:{}", brand.id), || {
            let listed = brand.listed.and_then(|h| reg.state_media_at(h));
            let domain = brand.domains.first().map(|d| d.to_string());
            CitedSource {
                state: listed.map(|m| affiliation(m, "name")),
                credibility: domain
                    .as_deref()
                    .and_then(|d| reg.credibility_for_host(d))
                    .map(rating),
                domain,
                ..empty(brand.name, brand.kind)
            }
        })
    }

    fn link_source(&mut self, reg: &Registry, host: &str, domain: Option<&str>) -> usize {
        let label = host::domain_label(host);
        let listed = reg.state_media_for_host(host);
        let brand = domain
            .and_then(|d| brands::brand_for_domain(d, label.as_deref()))
            .or_else(|| {
                // A listed host whose brand names it under another domain.
                let (m, _) = listed?;
                BRANDS.iter().find(|b| b.listed == Some(m.host.as_str()))
            });
        let state = match (listed, brand) {
            (Some((m, HostMatch::Host)), _) => Some(affiliation(m, "host")),
            (Some((m, HostMatch::Domain)), _) => Some(affiliation(m, "domain")),
            (None, Some(b)) => b
                .listed
                .and_then(|h| reg.state_media_at(h))
                .map(|m| affiliation(m, "edition")),
            (None, None) => None,
        };
        let credibility = reg.credibility_for_host(host).map(rating);
        let id = match (brand, listed) {
            (Some(b), _) => format!("outlet:{}", b.id),
            (None, Some((m, _))) => format!("listed:{}", m.host),
            (None, None) => format!("domain:{}", domain.unwrap_or(host)),
        };
        let i = self.get_or_add(id, || {
            let (name, kind) = match (brand, listed) {
                (Some(b), _) => (b.name.to_string(), b.kind),
                (None, Some((m, _))) => (m.asset.clone(), CitedKind::MediaOutlet),
                (None, None) => (domain.unwrap_or(host).to_string(), CitedKind::Website),
            };
            CitedSource {
                domain: domain.map(str::to_string),
                ..empty(&name, kind)
            }
        });
        let s = &mut self.sources[i];
        // A link is better evidence than a name: it says which edition.
        if state.as_ref().is_some_and(|st| st.matched_by != "name")
            && s.state.as_ref().is_none_or(|st| st.matched_by == "name")
        {
            s.state = state;
        }
        if s.credibility.is_none() {
            s.credibility = credibility;
        }
        if s.domain.is_none() {
            s.domain = domain.map(str::to_string);
        }
        i
    }

    fn attribution(
        &mut self,
        doc: &Document,
        reg: &Registry,
        a: &Attribution,
        claim: Option<usize>,
    ) {
        let text = doc.slice(a.span);
        // "selon X" (the cue before the source) invokes X as authority;
        // "X a déclaré" (the verb after it) reports X's words.
        let authority = a.cue.end <= a.span.start;
        let sentence = doc
            .sentences
            .iter()
            .find(|s| s.contains(a.span))
            .map_or("", |s| doc.slice(*s));
        let quoted = !authority || sentence.contains(['«', '“', '"']) || sentence.contains("« ");
        let mut uses = vec![if authority {
            SourceUse::CitedAsAuthority
        } else {
            SourceUse::Quoted
        }];
        if quoted && authority && sentence.contains('«') {
            uses.push(SourceUse::Quoted);
        }
        if claim.is_some() {
            uses.push(SourceUse::AttributedFigure);
        }
        // The outlet a person spoke in ("Isabelle Lasserre, dans Le Figaro").
        let affiliation_name = a.outlet.map(|o| {
            let outlet_text = doc.slice(o);
            let brand = NAMES
                .0
                .find(outlet_text)
                .map(|m| &BRANDS[NAMES.1[m.pattern().as_usize()]]);
            let i = match brand {
                Some(b) => self.brand_source(reg, b),
                None => self.get_or_add(format!("outlet-name:{}", key_of(outlet_text)), || {
                    empty(outlet_text, CitedKind::MediaOutlet)
                }),
            };
            let s = &mut self.sources[i];
            s.mentions.push(SourceMention {
                span: o,
                form: MentionForm::Name,
            });
            s.uses.push(SourceUse::CitedAsAuthority);
            s.name.clone()
        });
        // An outlet named in the attribution itself ("l'agence Tass").
        let brand = NAMES
            .0
            .find_iter(text)
            .find(|m| {
                let span = Span::new(a.span.start + m.start(), a.span.start + m.end());
                on_word_boundaries(&doc.text, span)
            })
            .map(|m| &BRANDS[NAMES.1[m.pattern().as_usize()]]);
        let i = match brand {
            Some(b) if a.kind != SourceKind::Person => self.brand_source(reg, b),
            _ => {
                let kind = kind_of(a.kind, text);
                self.get_or_add(format!("{}:{}", kind.as_str(), key_of(text)), || {
                    empty(&display_name(text), kind)
                })
            }
        };
        let s = &mut self.sources[i];
        s.mentions.push(SourceMention {
            span: a.span,
            form: MentionForm::Attribution,
        });
        s.uses.extend(uses);
        if let Some(c) = claim {
            s.claims.push(c);
        }
        if let Some(name) = affiliation_name {
            if s.kind == CitedKind::Person {
                s.affiliation.get_or_insert(name);
                s.role.get_or_insert_with(|| "journalist".to_string());
            }
        }
    }

    fn finish(mut self) -> Vec<CitedSource> {
        for s in &mut self.sources {
            s.mentions.sort_by_key(|m| (m.span.start, m.span.end));
            s.mentions.dedup_by_key(|m| m.span);
            s.uses.sort();
            s.uses.dedup();
            // "Mentioned" means named and nothing more.
            if s.uses.len() > 1 {
                s.uses.retain(|u| *u != SourceUse::Mentioned);
            }
            s.claims.sort_unstable();
            s.claims.dedup();
        }
        // Mention order in the text: what the article cites first, first.
        self.sources
            .sort_by_key(|s| s.mentions.first().map_or(usize::MAX, |m| m.span.start));
        self.sources
    }
}

fn empty(name: &str, kind: CitedKind) -> CitedSource {
    CitedSource {
        id: String::new(),
        name: name.to_string(),
        kind,
        mentions: Vec::new(),
        uses: Vec::new(),
        claims: Vec::new(),
        urls: Vec::new(),
        domain: None,
        affiliation: None,
        role: None,
        state: None,
        credibility: None,
    }
}

fn affiliation(m: &StateMedia, matched_by: &'static str) -> StateAffiliation {
    StateAffiliation {
        asset: m.asset.clone(),
        owner: m.owner.clone(),
        country: m.country.clone(),
        typology: m.typology,
        uncertain: m.uncertain,
        matched_by,
        listed_host: m.host.clone(),
    }
}

fn rating(c: &registry::Credibility) -> CredibilityRating {
    CredibilityRating {
        domain: c.domain.clone(),
        category: c.category,
        score: c.score,
    }
}

/// The kind of an attributed source from the claims' classification, with
/// international organisations told apart from governments.
fn kind_of(kind: SourceKind, text: &str) -> CitedKind {
    let organisation = ORGANISATIONS_AC.find_iter(text).any(|m| {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
    });
    match kind {
        _ if organisation => CitedKind::InternationalOrganisation,
        SourceKind::NewsAgency => CitedKind::NewsAgency,
        SourceKind::MediaOutlet => CitedKind::MediaOutlet,
        SourceKind::Government => CitedKind::Government,
        SourceKind::Person => CitedKind::Person,
        SourceKind::Unspecified => CitedKind::Unspecified,
    }
}

/// A merge key: lower case, typographic forms folded, leading articles off.
fn key_of(text: &str) -> String {
    let folded = crate::segment::fold(text.trim());
    let mut rest = folded.as_str();
    for article in [
        "les ", "le ", "la ", "l'", "the ", "des ", "un ", "une ", "die ", "der ", "il ", "gli ",
    ] {
        if let Some(r) = rest.strip_prefix(article) {
            rest = r;
            break;
        }
    }
    rest.trim_end_matches(['.', ',', ';', ':'])
        .trim()
        .to_string()
}

/// The name to show: the attribution as written, without a sentence-initial
/// capital on a common noun ("Les services" stays readable either way).
fn display_name(text: &str) -> String {
    text.trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .to_string()
}

fn on_word_boundaries(text: &str, span: Span) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    before.is_none_or(|c| !c.is_alphanumeric()) && after.is_none_or(|c| !c.is_alphanumeric())
}

/// The word before `at`, lower-cased, skipping an elided article ("l'",
/// "d'") and a determiner ("la BBC", "de la").
fn previous_word(text: &str, at: usize) -> String {
    let before = &text[..at];
    // Only the same paragraph counts.
    let before = before.rsplit_once('\n').map_or(before, |(_, b)| b);
    let mut words = before
        .split(|c: char| c.is_whitespace() || c == '\'' || c == '’' || c == '(' || c == '«')
        .rev()
        .filter(|w| !w.is_empty());
    for w in words.by_ref().take(3) {
        let w = lower_aligned(w.trim_matches(|c: char| !c.is_alphanumeric()));
        if matches!(
            w.as_ref(),
            "la" | "le"
                | "les"
                | "l"
                | "d"
                | "the"
                | "agence"
                | "agency"
                | "die"
                | "der"
                | "das"
                | "journal"
                | "quotidien"
                | "chaîne"
                | "site"
                | "radio"
                | "télévision"
                | "de"
                | "du"
                | "des"
        ) {
            continue;
        }
        return w.into_owned();
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_previous_words() {
        assert_eq!(
            key_of("Les services de renseignement britanniques"),
            "services de renseignement britanniques"
        );
        assert_eq!(key_of("l’agence Tass"), "agence tass");
        let t = "Selon l'agence Tass, rien.";
        let at = t.find("Tass").unwrap();
        assert_eq!(previous_word(t, at), "selon");
        let t = "comme l'écrit la BBC";
        assert_eq!(previous_word(t, t.find("BBC").unwrap()), "écrit");
    }
}
