//! Fine-tuned top layers of the encoder (issue 15) and their file.
//!
//! The accurate tier runs the base encoder's lower layers once per text,
//! then both the base top layers (whose embeddings the frame and genre
//! heads read) and these replacements (whose embeddings the technique head
//! reads). The file pins the SHA-256 of the base weights it was trained on.
//!
//! Layout (little endian): magic `RHETORTL`, format version (u32), header
//! length (u32) and JSON header ([`TunedHeader`]), then per layer its 16
//! tensors in the order of `train::finetune::backprop` — weight matrices as
//! int8 blocks of 32 values with one f32 scale each, biases and norms as
//! f32 — and an FNV-1a checksum (u64) of everything before it.

use std::borrow::Cow;

use super::forward::{Dense, Layer, LayerNorm};
use super::int8::Kernel;
use crate::bytes::{put_f32s, LeReader};
use crate::classify::linear::fnv;
use crate::error::ModelError;

pub const MAGIC: &[u8; 8] = b"RHETORTL";
pub const FORMAT_VERSION: u32 = 1;
/// Values per int8 block of a weight matrix.
const QBLOCK: usize = 32;

/// What the layers replace and how they were made.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TunedHeader {
    /// SHA-256 of the base weights file (see `encoder::WEIGHTS_SHA256`).
    pub base_sha256: String,
    /// The base layers kept: these layers replace layers `lower..`.
    pub lower: usize,
    pub layers: usize,
    pub hidden: usize,
    pub ffn: usize,
    /// How the layers were trained, for humans.
    pub provenance: String,
}

/// Loaded fine-tuned layers.
#[derive(Debug)]
pub struct TunedLayers {
    pub header: TunedHeader,
    pub layers: Vec<Layer>,
    /// FNV-1a of the file: the technique head names the layers it reads.
    pub checksum: u64,
}

fn bad(name: &str, reason: &str) -> ModelError {
    ModelError::Invalid {
        path: name.to_string(),
        reason: reason.to_string(),
    }
}

/// int8 blocks of 32 with a scale each: `v ≈ scale · q`.
fn put_q8(buf: &mut Vec<u8>, v: &[f32]) {
    for block in v.chunks(QBLOCK) {
        let max = block.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 { max / 127.0 } else { 0.0 };
        buf.extend_from_slice(&scale.to_le_bytes());
        for x in block {
            let q = if scale > 0.0 {
                (x / scale).round().clamp(-127.0, 127.0) as i8
            } else {
                0
            };
            buf.push(q as u8);
        }
    }
}

fn dense(r: &mut LeReader, rows: usize, cols: usize, kernel: Kernel) -> Result<Dense, ModelError> {
    let (q, scales) = q8_blocks(r, rows * cols)?;
    // The file's own int8 blocks go to the VNNI kernel where there is one;
    // elsewhere they are f32 (rounded to 4 bits for the AVX2 kernel they
    // changed 1 236 of the 4 622 French technique labels: encoder::int8).
    Ok(Dense::from_q8(
        &q,
        &scales,
        r.f32s(rows)?,
        rows,
        cols,
        kernel,
    ))
}

/// `n` values from int8 blocks of [`QBLOCK`]: the bytes and each block's
/// scale.
fn q8_blocks(r: &mut LeReader, n: usize) -> Result<(Vec<i8>, Vec<f32>), ModelError> {
    let mut q = Vec::with_capacity(n.min(r.remaining()));
    let mut scales = Vec::with_capacity(n.div_ceil(QBLOCK).min(r.remaining()));
    while q.len() < n {
        let len = QBLOCK.min(n - q.len());
        let s = r.take(4 + len)?;
        scales.push(f32::from_le_bytes([s[0], s[1], s[2], s[3]]));
        q.extend(s[4..].iter().map(|&b| b as i8));
    }
    Ok((q, scales))
}

fn norm(r: &mut LeReader, h: usize) -> Result<LayerNorm, ModelError> {
    Ok(LayerNorm {
        w: r.f32s(h)?,
        b: r.f32s(h)?,
    })
}

/// The 16 tensors of a layer as (values, is a weight matrix).
fn tensors(l: &Layer) -> [(Cow<'_, [f32]>, bool); 16] {
    [
        (l.q.weights(), true),
        (Cow::Borrowed(&l.q.b), false),
        (l.k.weights(), true),
        (Cow::Borrowed(&l.k.b), false),
        (l.v.weights(), true),
        (Cow::Borrowed(&l.v.b), false),
        (l.attention_out.weights(), true),
        (Cow::Borrowed(&l.attention_out.b), false),
        (Cow::Borrowed(&l.attention_norm.w), false),
        (Cow::Borrowed(&l.attention_norm.b), false),
        (l.ffn_in.weights(), true),
        (Cow::Borrowed(&l.ffn_in.b), false),
        (l.ffn_out.weights(), true),
        (Cow::Borrowed(&l.ffn_out.b), false),
        (Cow::Borrowed(&l.output_norm.w), false),
        (Cow::Borrowed(&l.output_norm.b), false),
    ]
}

impl TunedLayers {
    /// The file's checksum as the technique head names it (16 hex digits).
    pub fn checksum_hex(&self) -> String {
        format!("{:016x}", self.checksum)
    }

    /// The file of `layers` (weights rounded to int8 blocks).
    pub fn to_bytes(header: &TunedHeader, layers: &[Layer]) -> Vec<u8> {
        let json = serde_json::to_vec(header).unwrap_or_default();
        let mut buf = Vec::new();
        buf.extend_from_slice(MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        buf.extend_from_slice(&(json.len() as u32).to_le_bytes());
        buf.extend_from_slice(&json);
        for l in layers {
            for (t, matrix) in tensors(l) {
                if matrix {
                    put_q8(&mut buf, &t);
                } else {
                    put_f32s(&mut buf, &t);
                }
            }
        }
        let sum = fnv(&buf);
        buf.extend_from_slice(&sum.to_le_bytes());
        buf
    }

    /// Reads a file written by [`TunedLayers::to_bytes`]; `name` names it
    /// in errors. Its products run on the VNNI kernel where
    /// [`Kernel::detect`] picks it, in f32 elsewhere.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self, ModelError> {
        Self::from_bytes_with(bytes, name, Kernel::detect())
    }

    /// [`TunedLayers::from_bytes`] for the products of `kernel` (only
    /// [`Kernel::Vnni`] changes anything: the others read f32).
    pub fn from_bytes_with(bytes: &[u8], name: &str, kernel: Kernel) -> Result<Self, ModelError> {
        if bytes.len() < 24 || &bytes[..8] != MAGIC {
            return Err(bad(name, "not a fine-tuned layers file"));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        let mut sum = [0u8; 8];
        sum.copy_from_slice(tail);
        let checksum = u64::from_le_bytes(sum);
        if fnv(body) != checksum {
            return Err(bad(name, "checksum mismatch (damaged file)"));
        }
        let mut c = LeReader::new(body, 8, name);
        let version = c.u32()?;
        if version != FORMAT_VERSION {
            return Err(bad(
                name,
                &format!("format version {version}, expected {FORMAT_VERSION}"),
            ));
        }
        let len = c.u32()? as usize;
        let header: TunedHeader =
            serde_json::from_slice(c.take(len)?).map_err(|e| bad(name, &format!("header: {e}")))?;
        let (h, f) = (header.hidden, header.ffn);
        if h == 0 || f == 0 || header.layers > 64 || h > 8192 || f > 65536 {
            return Err(bad(name, "implausible shape"));
        }
        let mut layers = Vec::with_capacity(header.layers);
        for _ in 0..header.layers {
            layers.push(Layer {
                q: dense(&mut c, h, h, kernel)?,
                k: dense(&mut c, h, h, kernel)?,
                v: dense(&mut c, h, h, kernel)?,
                attention_out: dense(&mut c, h, h, kernel)?,
                attention_norm: norm(&mut c, h)?,
                ffn_in: dense(&mut c, f, h, kernel)?,
                ffn_out: dense(&mut c, h, f, kernel)?,
                output_norm: norm(&mut c, h)?,
            });
        }
        if c.pos != body.len() {
            return Err(bad(name, "trailing bytes"));
        }
        Ok(TunedLayers {
            header,
            layers,
            checksum,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(h: usize, f: usize, seed: f32) -> Layer {
        let v = |n: usize, k: f32| {
            (0..n)
                .map(|i| ((i as f32 + k) * 0.37).sin())
                .collect::<Vec<_>>()
        };
        let dense =
            |rows, cols, k| Dense::from_f32(v(rows * cols, k), v(rows, k + 1.0), rows, cols);
        let norm = |k| LayerNorm {
            w: v(h, k),
            b: v(h, k + 2.0),
        };
        Layer {
            q: dense(h, h, seed),
            k: dense(h, h, seed + 1.0),
            v: dense(h, h, seed + 2.0),
            attention_out: dense(h, h, seed + 3.0),
            attention_norm: norm(seed + 4.0),
            ffn_in: dense(f, h, seed + 5.0),
            ffn_out: dense(h, f, seed + 6.0),
            output_norm: norm(seed + 7.0),
        }
    }

    #[test]
    fn layers_round_trip_within_int8_error_and_damage_is_refused() {
        let header = TunedHeader {
            base_sha256: "ab".into(),
            lower: 10,
            layers: 2,
            hidden: 8,
            ffn: 40,
            provenance: "test".into(),
        };
        let layers = vec![layer(8, 40, 0.0), layer(8, 40, 9.0)];
        let bytes = TunedLayers::to_bytes(&header, &layers);
        let back = TunedLayers::from_bytes(&bytes, "t").unwrap();
        assert_eq!(back.header, header);
        for (a, b) in layers.iter().zip(&back.layers) {
            for (x, y) in tensors(a).iter().zip(tensors(b).iter()) {
                for (p, q) in x.0.iter().zip(y.0.iter()) {
                    assert!((p - q).abs() <= 1.0 / 127.0 * 0.51 + 1e-6, "{p} vs {q}");
                }
                if !x.1 {
                    assert_eq!(x.0, y.0);
                }
            }
        }
        let mut damaged = bytes.clone();
        damaged[40] ^= 1;
        assert!(TunedLayers::from_bytes(&damaged, "t").is_err());
        assert!(TunedLayers::from_bytes(&bytes[..bytes.len() - 9], "t").is_err());
    }
}
