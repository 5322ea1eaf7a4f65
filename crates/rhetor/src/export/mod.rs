//! Exports for the tools researchers already use. Every offset is a Unicode
//! code point into the exported text (the analysis' `text`), as Python's
//! `str`, Label Studio, doccano, Prodigy and brat count.
//!
//! - `annotations.rs`: Label Studio tasks with predictions and the matching
//!   labelling config, doccano JSONL, Prodigy JSONL, W3C Web Annotation
//!   JSON-LD (TextQuoteSelector + TextPositionSelector).
//! - `brat.rs`: brat standoff (`.txt` + `.ann` per article; INCEpTION reads it).
//! - `parquet.rs` (feature `parquet`): tables for pandas, DuckDB and R.

pub mod annotations;
pub mod brat;
#[cfg(feature = "parquet")]
pub mod parquet;

/// The export formats, with one spelling each (CLI, docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    ClaimsCsv,
    SourcesCsv,
    EntitiesCsv,
    TechniquesTsv,
    FramesTsv,
    GenreTsv,
    LabelStudio,
    LabelStudioConfig,
    Doccano,
    Prodigy,
    Brat,
    WebAnno,
    Parquet,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 14] = [
        ExportFormat::Jsonl,
        ExportFormat::ClaimsCsv,
        ExportFormat::SourcesCsv,
        ExportFormat::EntitiesCsv,
        ExportFormat::TechniquesTsv,
        ExportFormat::FramesTsv,
        ExportFormat::GenreTsv,
        ExportFormat::LabelStudio,
        ExportFormat::LabelStudioConfig,
        ExportFormat::Doccano,
        ExportFormat::Prodigy,
        ExportFormat::Brat,
        ExportFormat::WebAnno,
        ExportFormat::Parquet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::ClaimsCsv => "claims-csv",
            ExportFormat::SourcesCsv => "sources-csv",
            ExportFormat::EntitiesCsv => "entities-csv",
            ExportFormat::TechniquesTsv => "techniques-tsv",
            ExportFormat::FramesTsv => "frames-tsv",
            ExportFormat::GenreTsv => "genre-tsv",
            ExportFormat::LabelStudio => "labelstudio",
            ExportFormat::LabelStudioConfig => "labelstudio-config",
            ExportFormat::Doccano => "doccano",
            ExportFormat::Prodigy => "prodigy",
            ExportFormat::Brat => "brat",
            ExportFormat::WebAnno => "webanno",
            ExportFormat::Parquet => "parquet",
        }
    }

    pub fn parse(s: &str) -> Option<ExportFormat> {
        ExportFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The formats a stream of analyses can be written in as they come
    /// (`analyze --format`): the per-document ones.
    pub fn streams(self) -> bool {
        matches!(
            self,
            ExportFormat::Jsonl | ExportFormat::Doccano | ExportFormat::Prodigy
        )
    }
}

/// The code-point span of a technique's evidence or a claim, with its label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledSpan {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub label: String,
    /// "evidence" (words carrying a technique), "paragraph", "claim".
    pub what: &'static str,
    pub score: Option<f32>,
}

/// Every labelled span of an analysis: technique evidence, paragraphs with
/// techniques (one span per technique), numeric claims (`CLAIM`).
pub fn spans(a: &crate::output::Analysis) -> Vec<LabelledSpan> {
    let mut out = Vec::new();
    for p in &a.paragraphs {
        for t in &p.techniques {
            out.push(LabelledSpan {
                start: p.start,
                end: p.end,
                text: p.text.clone(),
                label: t.technique.clone(),
                what: "paragraph",
                score: Some(t.probability),
            });
            for e in &t.evidence {
                out.push(LabelledSpan {
                    start: e.start,
                    end: e.end,
                    text: e.text.clone(),
                    label: t.technique.clone(),
                    what: "evidence",
                    score: Some(t.probability),
                });
            }
        }
    }
    for c in &a.claims {
        out.push(LabelledSpan {
            start: c.start,
            end: c.end,
            text: c.text.clone(),
            label: "CLAIM".into(),
            what: "claim",
            score: None,
        });
    }
    out
}

/// `model_version` of exported predictions: tier and model checksum.
pub fn model_version(a: &crate::output::Analysis) -> String {
    format!(
        "rhetor-{}-{}-{}",
        env!("CARGO_PKG_VERSION"),
        a.tier.as_deref().unwrap_or("fast"),
        crate::classify::embedded_models_checksum()
    )
}
