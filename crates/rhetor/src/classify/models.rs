//! The models the classification stage reads: the fast tier's n-gram
//! models, the accurate tier's heads (and the fine-tuned layers and span
//! head they may use), embedded at build time from `models/` or read from
//! a directory.

use std::path::Path;
use std::sync::Arc;

use super::linear::{self, LinearModel};
use crate::encoder::tuned::TunedLayers;
use crate::encoder::{EncodeWhat, Encoder};
use crate::error::ModelError;

/// Model files, in the order [`Models`] holds them.
pub const MODEL_FILES: [&str; 4] = ["techniques.bin", "frames.bin", "genre.bin", "evidence.bin"];

/// The accurate tier's head files (techniques, frames, genre), read from
/// encoder embeddings.
pub const ENCODER_HEAD_FILES: [&str; 3] = [
    "encoder-techniques.bin",
    "encoder-frames.bin",
    "encoder-genre.bin",
];

/// The fast tier's models.
#[derive(Debug, Clone)]
pub struct Models {
    pub techniques: LinearModel,
    pub frames: LinearModel,
    pub genre: LinearModel,
    pub evidence: LinearModel,
}

#[cfg(rhetor_models)]
mod embedded {
    pub const TECHNIQUES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/techniques.bin"
    ));
    pub const FRAMES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/frames.bin"
    ));
    pub const GENRE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/genre.bin"
    ));
    pub const EVIDENCE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/evidence.bin"
    ));
}

/// A short identifier of the embedded fast-tier models: the FNV-1a of
/// their own checksums (the last 8 bytes of each file), in hex; "none"
/// when the build embeds no models.
pub fn embedded_models_checksum() -> String {
    #[cfg(rhetor_models)]
    {
        let mut tails = Vec::new();
        for m in [
            embedded::TECHNIQUES,
            embedded::FRAMES,
            embedded::GENRE,
            embedded::EVIDENCE,
        ] {
            tails.extend_from_slice(&m[m.len().saturating_sub(8)..]);
        }
        format!("{:016x}", linear::fnv(&tails))
    }
    #[cfg(not(rhetor_models))]
    {
        "none".to_string()
    }
}

/// The accurate tier's heads over encoder embeddings.
#[derive(Debug, Clone)]
pub struct Heads {
    pub techniques: LinearModel,
    pub frames: LinearModel,
    pub genre: LinearModel,
    /// Fine-tuned top layers, when the technique head reads them.
    pub tuned: Option<Arc<TunedLayers>>,
    /// The span head over the encoder's word states, when there is one
    /// (else the evidence words come from the fast tier's token model).
    pub evidence: Option<LinearModel>,
}

/// The span head's file, beside the heads (optional).
pub const ENCODER_EVIDENCE_FILE: &str = "encoder-evidence.bin";

/// The fine-tuned layers' file, beside the heads.
pub const TUNED_LAYERS_FILE: &str = "encoder-layers.bin";

#[cfg(rhetor_heads)]
mod embedded_heads {
    pub const TECHNIQUES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-techniques.bin"
    ));
    pub const FRAMES: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-frames.bin"
    ));
    pub const GENRE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-genre.bin"
    ));
    #[cfg(rhetor_tuned)]
    pub const LAYERS: Option<&[u8]> = Some(include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-layers.bin"
    )));
    #[cfg(not(rhetor_tuned))]
    pub const LAYERS: Option<&[u8]> = None;
    #[cfg(rhetor_span_head)]
    pub const EVIDENCE: Option<&[u8]> = Some(include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/encoder-evidence.bin"
    )));
    #[cfg(not(rhetor_span_head))]
    pub const EVIDENCE: Option<&[u8]> = None;
}

/// The bytes of `dir/name` for each name, with the path for errors.
fn read_files(dir: &Path, names: &[&str]) -> Result<Vec<(Vec<u8>, String)>, ModelError> {
    names
        .iter()
        .map(|name| {
            let path = dir.join(name);
            let b = std::fs::read(&path).map_err(|source| ModelError::Io {
                path: path.display().to_string(),
                source,
            })?;
            Ok((b, path.display().to_string()))
        })
        .collect()
}

fn load_kind(bytes: &[u8], name: &str, kind: &str) -> Result<LinearModel, ModelError> {
    let m = LinearModel::from_bytes(bytes, name)?;
    if m.header.kind != kind {
        return Err(ModelError::Invalid {
            path: name.to_string(),
            reason: format!("holds a {} model, expected {kind}", m.header.kind),
        });
    }
    Ok(m)
}

impl Heads {
    /// What the encoder must compute for these heads: the fine-tuned
    /// layers' embeddings when a head reads them, the base top layers' only
    /// when a head reads those (a head without `reads_layers`, or a span
    /// head reading states above the branch), and the span head's states.
    pub fn encode_what(&self) -> EncodeWhat<'_> {
        let tuned = self.tuned.as_deref();
        let states_after = self.evidence.as_ref().and_then(|h| h.header.states_after);
        let lower = tuned.map_or(usize::MAX, |t| t.header.lower);
        let frozen_top = tuned.is_none()
            || [&self.techniques, &self.frames, &self.genre]
                .iter()
                .any(|h| h.header.reads_layers.is_none())
            || states_after.is_some_and(|n| n > lower);
        EncodeWhat {
            tuned,
            frozen_top,
            states_after,
        }
    }

    /// The heads embedded at build time (from `models/`).
    pub fn embedded() -> Result<Self, ModelError> {
        #[cfg(rhetor_heads)]
        {
            Self::from_bytes(
                [
                    (
                        embedded_heads::TECHNIQUES,
                        "<embedded>/encoder-techniques.bin",
                    ),
                    (embedded_heads::FRAMES, "<embedded>/encoder-frames.bin"),
                    (embedded_heads::GENRE, "<embedded>/encoder-genre.bin"),
                ],
                embedded_heads::LAYERS.map(|b| (b, "<embedded>/encoder-layers.bin")),
                embedded_heads::EVIDENCE.map(|b| (b, "<embedded>/encoder-evidence.bin")),
            )
        }
        #[cfg(not(rhetor_heads))]
        {
            Err(ModelError::Invalid {
                path: "models/".into(),
                reason: "this build has no accurate-tier heads: run `rhetor train --accurate` and rebuild, or pass --model DIR".into(),
            })
        }
    }

    /// The embedded fine-tuned layers again, with their products in f32
    /// whatever the CPU has (the benchmark's f32 rows).
    pub fn embedded_tuned_f32() -> Option<Result<TunedLayers, ModelError>> {
        #[cfg(rhetor_heads)]
        {
            embedded_heads::LAYERS.map(|b| {
                TunedLayers::from_bytes_with(
                    b,
                    "<embedded>/encoder-layers.bin",
                    crate::encoder::Kernel::F32,
                )
            })
        }
        #[cfg(not(rhetor_heads))]
        {
            None
        }
    }

    /// Heads from the files of `dir` (see [`ENCODER_HEAD_FILES`]).
    pub fn from_dir(dir: &Path) -> Result<Self, ModelError> {
        let bytes = read_files(dir, &ENCODER_HEAD_FILES)?;
        let layers_path = dir.join(TUNED_LAYERS_FILE);
        let layers = std::fs::read(&layers_path).ok();
        let layers_name = layers_path.display().to_string();
        let evidence_path = dir.join(ENCODER_EVIDENCE_FILE);
        let evidence = std::fs::read(&evidence_path).ok();
        let evidence_name = evidence_path.display().to_string();
        Self::from_bytes(
            [
                (&bytes[0].0, &bytes[0].1),
                (&bytes[1].0, &bytes[1].1),
                (&bytes[2].0, &bytes[2].1),
            ],
            layers.as_deref().map(|b| (b, layers_name.as_str())),
            evidence.as_deref().map(|b| (b, evidence_name.as_str())),
        )
    }

    fn from_bytes(
        files: [(&[u8], &str); 3],
        layers: Option<(&[u8], &str)>,
        evidence: Option<(&[u8], &str)>,
    ) -> Result<Self, ModelError> {
        let techniques = load_kind(files[0].0, files[0].1, "encoder-techniques")?;
        let frames = load_kind(files[1].0, files[1].1, "encoder-frames")?;
        let genre = load_kind(files[2].0, files[2].1, "encoder-genre")?;
        // Every head that reads fine-tuned layers must name the same ones.
        let mut want: Option<(&str, &str)> = None;
        for (head, (_, name)) in [&techniques, &frames, &genre].into_iter().zip(files) {
            let Some(sum) = head.header.reads_layers.as_deref() else {
                continue;
            };
            match want {
                Some((other, _)) if other != sum => {
                    return Err(ModelError::Invalid {
                        path: name.to_string(),
                        reason: "reads other fine-tuned layers than the other heads".into(),
                    })
                }
                _ => want = Some((sum, name)),
            }
        }
        let tuned = match want {
            None => None,
            Some((want, head)) => {
                let Some((bytes, name)) = layers else {
                    return Err(ModelError::Invalid {
                        path: head.to_string(),
                        reason: format!(
                            "reads fine-tuned layers ({TUNED_LAYERS_FILE}) that are not there"
                        ),
                    });
                };
                let t = TunedLayers::from_bytes(bytes, name)?;
                if t.checksum_hex() != want {
                    return Err(ModelError::Invalid {
                        path: name.to_string(),
                        reason: format!("not the layers {head} was trained with"),
                    });
                }
                if t.header.base_sha256 != crate::encoder::WEIGHTS_SHA256 {
                    return Err(ModelError::Invalid {
                        path: name.to_string(),
                        reason: "fine-tuned from other base weights than the ones rhetor runs"
                            .into(),
                    });
                }
                Some(Arc::new(t))
            }
        };
        Ok(Heads {
            techniques,
            frames,
            genre,
            tuned,
            evidence: evidence
                .map(|(bytes, name)| load_span_head(bytes, name))
                .transpose()?,
        })
    }
}

/// The span head in `bytes`: an `encoder-evidence` model that says which
/// layer's states it reads.
fn load_span_head(bytes: &[u8], name: &str) -> Result<LinearModel, ModelError> {
    let m = load_kind(bytes, name, "encoder-evidence")?;
    if m.header.states_after.is_none() {
        return Err(ModelError::Invalid {
            path: name.to_string(),
            reason: "a span head that does not say which encoder layer it reads".into(),
        });
    }
    Ok(m)
}

/// The accurate tier: an encoder and the heads that read its embeddings.
#[derive(Debug, Clone)]
pub struct Accurate {
    pub encoder: Arc<Encoder>,
    pub heads: Heads,
}

impl Models {
    /// The models embedded at build time (from `models/`).
    pub fn embedded() -> Result<Self, ModelError> {
        #[cfg(rhetor_models)]
        {
            Self::from_bytes([
                (embedded::TECHNIQUES, "<embedded>/techniques.bin"),
                (embedded::FRAMES, "<embedded>/frames.bin"),
                (embedded::GENRE, "<embedded>/genre.bin"),
                (embedded::EVIDENCE, "<embedded>/evidence.bin"),
            ])
        }
        #[cfg(not(rhetor_models))]
        {
            Err(ModelError::Invalid {
                path: "models/".into(),
                reason: "this build has no embedded models: run `rhetor train` and rebuild, or pass --model DIR".into(),
            })
        }
    }

    /// Models from the files of `dir` (see [`MODEL_FILES`]).
    pub fn from_dir(dir: &Path) -> Result<Self, ModelError> {
        let bytes = read_files(dir, &MODEL_FILES)?;
        let refs: Vec<(&[u8], &str)> = bytes
            .iter()
            .map(|(b, n)| (b.as_slice(), n.as_str()))
            .collect();
        Self::from_bytes([refs[0], refs[1], refs[2], refs[3]])
    }

    fn from_bytes(files: [(&[u8], &str); 4]) -> Result<Self, ModelError> {
        let load = |(bytes, name): (&[u8], &str), kind: &str| load_kind(bytes, name, kind);
        Ok(Models {
            techniques: load(files[0], "techniques")?,
            frames: load(files[1], "frames")?,
            genre: load(files[2], "genre")?,
            evidence: load(files[3], "evidence")?,
        })
    }
}
