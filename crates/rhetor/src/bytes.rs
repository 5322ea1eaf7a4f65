//! Little-endian reading and writing for rhetor's own binary files (linear
//! models, fine-tuned layers, fine-tuning checkpoints): every read is
//! bounds-checked, and a short file is an error naming it, never a panic.

use crate::error::ModelError;

/// A cursor over a file's bytes; `name` names the file in errors.
pub(crate) struct LeReader<'a> {
    bytes: &'a [u8],
    pub(crate) pos: usize,
    name: &'a str,
}

impl<'a> LeReader<'a> {
    /// Reads `bytes` from offset `pos`.
    pub(crate) fn new(bytes: &'a [u8], pos: usize, name: &'a str) -> Self {
        LeReader { bytes, pos, name }
    }

    /// Bytes left after the cursor.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// An error naming the file.
    pub(crate) fn invalid(&self, reason: &str) -> ModelError {
        ModelError::Invalid {
            path: self.name.to_string(),
            reason: reason.to_string(),
        }
    }

    fn truncated(&self) -> ModelError {
        self.invalid("truncated")
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).ok_or_else(|| self.truncated())?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or_else(|| self.truncated())?;
        self.pos = end;
        Ok(s)
    }

    pub(crate) fn u32(&mut self) -> Result<u32, ModelError> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }

    /// (Only the fine-tuning checkpoints read one: `train` feature.)
    #[cfg_attr(not(feature = "train"), allow(dead_code))]
    pub(crate) fn u64(&mut self) -> Result<u64, ModelError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32()?))
    }

    /// `n` f32 values.
    pub(crate) fn f32s(&mut self, n: usize) -> Result<Vec<f32>, ModelError> {
        let len = n.checked_mul(4).ok_or_else(|| self.truncated())?;
        Ok(self
            .take(len)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

/// Appends `v` as little-endian f32 values.
pub(crate) fn put_f32s(buf: &mut Vec<u8>, v: &[f32]) {
    for x in v {
        buf.extend_from_slice(&x.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_refuses_to_run_past_the_end() {
        let mut buf = 7u32.to_le_bytes().to_vec();
        buf.extend_from_slice(&9u64.to_le_bytes());
        put_f32s(&mut buf, &[1.5, -2.0]);
        let mut r = LeReader::new(&buf, 0, "t");
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.u64().unwrap(), 9);
        assert_eq!(r.f32s(2).unwrap(), vec![1.5, -2.0]);
        assert_eq!(r.pos, buf.len());
        assert!(r.u32().is_err());
        assert!(LeReader::new(&buf, 0, "t").f32s(usize::MAX).is_err());
        assert!(LeReader::new(&buf, 3, "t").take(usize::MAX).is_err());
    }
}
