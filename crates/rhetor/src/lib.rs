//! rhetor: offline analysis of how news and opinion articles argue.
//!
//! The library is a pipeline over one [`Document`]: [`ingest`] reads inputs,
//! [`normalize`] builds the normalised text with an alignment back to the
//! original, then [`pipeline::Stage`]s enrich it ([`structure`], [`lang`],
//! [`segment`]…), and [`output`] renders the versioned JSON analysis.
//! `ARCHITECTURE.md` at the repository root walks the source.

mod bytes;
pub mod claims;
pub mod classify;
pub mod compare;
pub mod contain;
pub mod document;
pub mod encoder;
pub mod entities;
pub mod error;
pub mod export;
pub mod ingest;
pub mod lang;
pub mod normalize;
pub mod numbers;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod segment;
pub mod semeval;
pub mod sources;
pub mod stage;
pub mod store;
pub mod structure;
#[cfg(test)]
mod test_rng;
#[cfg(feature = "train")]
pub mod train;

pub use document::{Block, BlockKind, Document, Span};
pub use error::{FileError, InputError};
pub use pipeline::Pipeline;
pub use stage::{Stage, StageError};
