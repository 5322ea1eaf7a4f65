//! One step of the analysis. A stage reads what earlier stages put on the
//! [`Document`] and adds its own annotations; stages are immutable and
//! `Send + Sync`, built once and shared by threads.

use crate::document::Document;

/// One step of the analysis.
pub trait Stage: Send + Sync {
    /// A short name, used in error messages ("claims", "classify").
    fn name(&self) -> &'static str;
    /// Enriches `doc`; an error costs this document, never the batch.
    fn run(&self, doc: &mut Document) -> Result<(), StageError>;
}

/// Why a stage could not analyse one document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageError {
    /// The stage refused the document for a reason it can name.
    #[error("{stage}: {reason}")]
    Failed { stage: &'static str, reason: String },
    /// A bug: the stage panicked. The panic was contained to this document.
    #[error("internal error in {stage}: {message}, please report")]
    Panicked {
        stage: &'static str,
        message: String,
    },
}
