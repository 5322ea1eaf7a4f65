//! Files of a fine-tuning run, all under its work directory (git-ignored):
//! the frozen lower layers' token states, one checkpoint per trained model
//! (parameters and AdamW moments after the last finished epoch), and each
//! epoch's out-of-fold probabilities.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::backprop::LayerParams;
use super::{Adam, Model};
use crate::bytes::{put_f32s, LeReader};
use crate::encoder::Encoder;
use crate::error::ModelError;

const STATES_MAGIC: &[u8; 8] = b"RHETORST";
const CHECKPOINT_MAGIC: &[u8; 8] = b"RHETORFT";
const PROBS_MAGIC: &[u8; 8] = b"RHETORPB";
const VERSION: u32 = 1;

fn io(path: &Path) -> impl Fn(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn invalid(path: &Path, reason: &str) -> ModelError {
    ModelError::Invalid {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Writes through a temporary file renamed into place: an interrupted
/// write leaves the previous file whole.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ModelError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Token states of every row after the frozen lower layers.
pub struct StateCache {
    pub lower: usize,
    hidden: usize,
    lens: Vec<usize>,
    offsets: Vec<usize>,
    data: Vec<f32>,
}

fn fingerprint(seqs: &[Vec<u32>], lower: usize) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ lower as u64;
    for s in seqs {
        for &id in s {
            h = (h ^ u64::from(id)).wrapping_mul(0x100_0000_01b3);
        }
        h = (h ^ 0xffff_ffff).wrapping_mul(0x100_0000_01b3);
    }
    h
}

impl StateCache {
    /// The states of `seqs` after `lower` layers, read from `work` when
    /// computed before for the same sequences, else computed and written.
    pub fn load_or_build(
        encoder: &Encoder,
        seqs: &[Vec<u32>],
        lower: usize,
        work: &Path,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Self, ModelError> {
        let path = work.join(format!("states-l{lower}.bin"));
        let print = fingerprint(seqs, lower);
        let hidden = encoder.dim();
        let lens: Vec<usize> = seqs.iter().map(Vec::len).collect();
        let mut offsets = Vec::with_capacity(lens.len());
        let mut total = 0;
        for &n in &lens {
            offsets.push(total);
            total += n;
        }
        if let Some(data) = read_states(&path, print, hidden, total)? {
            return Ok(StateCache {
                lower,
                hidden,
                lens,
                offsets,
                data,
            });
        }
        // Chunks of about 2 048 tokens, run in parallel, kept in order.
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        let mut start = 0;
        let mut tokens = 0;
        for (i, &n) in lens.iter().enumerate() {
            if i > start && tokens + n > 2048 {
                chunks.push(start..i);
                start = i;
                tokens = 0;
            }
            tokens += n;
        }
        if start < lens.len() {
            chunks.push(start..lens.len());
        }
        let done = std::sync::atomic::AtomicUsize::new(0);
        let parts: Vec<Vec<f32>> = chunks
            .par_iter()
            .map(|r| {
                let s: Vec<&[u32]> = seqs[r.clone()].iter().map(Vec::as_slice).collect();
                let x = encoder.states_after(&s, lower);
                let d = done.fetch_add(r.len(), std::sync::atomic::Ordering::Relaxed) + r.len();
                progress(d, lens.len());
                x
            })
            .collect();
        let mut data = Vec::with_capacity(total * hidden);
        for p in parts {
            data.extend_from_slice(&p);
        }
        let mut buf = Vec::with_capacity(32 + data.len() * 4);
        buf.extend_from_slice(STATES_MAGIC);
        buf.extend_from_slice(&VERSION.to_le_bytes());
        buf.extend_from_slice(&(hidden as u32).to_le_bytes());
        buf.extend_from_slice(&print.to_le_bytes());
        buf.extend_from_slice(&(total as u64).to_le_bytes());
        put_f32s(&mut buf, &data);
        write_atomic(&path, &buf)?;
        Ok(StateCache {
            lower,
            hidden,
            lens,
            offsets,
            data,
        })
    }

    /// A cache of given states (`lens` rows packed in `data`).
    #[cfg(test)]
    pub(crate) fn from_states(hidden: usize, lens: Vec<usize>, data: Vec<f32>) -> Self {
        let mut offsets = Vec::new();
        let mut total = 0;
        for &n in &lens {
            offsets.push(total);
            total += n;
        }
        StateCache {
            lower: 0,
            hidden,
            lens,
            offsets,
            data,
        }
    }

    /// The states of `rows`, packed, and their lengths.
    pub fn pack(&self, rows: &[usize]) -> (Vec<f32>, Vec<usize>) {
        let h = self.hidden;
        let lens: Vec<usize> = rows.iter().map(|&r| self.lens[r]).collect();
        let mut x = Vec::with_capacity(lens.iter().sum::<usize>() * h);
        for &r in rows {
            let at = self.offsets[r] * h;
            x.extend_from_slice(&self.data[at..at + self.lens[r] * h]);
        }
        (x, lens)
    }

    /// Rows in the cache.
    pub fn rows(&self) -> usize {
        self.lens.len()
    }

    /// Tokens in the cache.
    pub fn tokens(&self) -> usize {
        self.lens.iter().sum()
    }
}

fn read_states(
    path: &Path,
    print: u64,
    hidden: usize,
    total: usize,
) -> Result<Option<Vec<f32>>, ModelError> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let mut head = [0u8; 32];
    if f.read_exact(&mut head).is_err() || &head[..8] != STATES_MAGIC {
        return Ok(None);
    }
    let name = path.display().to_string();
    let mut r = LeReader::new(&head, 8, &name);
    if r.u32()? != VERSION
        || r.u32()? as usize != hidden
        || r.u64()? != print
        || r.u64()? as usize != total
    {
        return Ok(None);
    }
    let mut data = Vec::with_capacity(total * hidden);
    let mut buf = vec![0u8; 1 << 24];
    let mut left = total * hidden * 4;
    while left > 0 {
        let n = left.min(buf.len());
        f.read_exact(&mut buf[..n]).map_err(io(path))?;
        data.extend(
            buf[..n]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        left -= n;
    }
    Ok(Some(data))
}

fn put_model(buf: &mut Vec<u8>, m: &Model) {
    for t in m.tensors() {
        buf.extend_from_slice(&(t.len() as u64).to_le_bytes());
        put_f32s(buf, t);
    }
}

fn get_model(
    r: &mut LeReader,
    layers: usize,
    hidden: usize,
    ffn: usize,
    labels: usize,
) -> Result<Model, ModelError> {
    let mut m = Model {
        layers: (0..layers)
            .map(|_| LayerParams::zeros(hidden, ffn))
            .collect(),
        head_w: vec![0.0; labels * hidden],
        head_b: vec![0.0; labels],
    };
    for t in m.tensors_mut() {
        let n = r.u64()? as usize;
        if n != t.len() {
            return Err(r.invalid("tensor size differs"));
        }
        *t = r.f32s(n)?;
    }
    Ok(m)
}

/// Writes the model and optimiser state after `epochs` finished epochs.
pub fn write_checkpoint(
    path: &Path,
    m: &Model,
    adam: &Adam,
    epochs: usize,
) -> Result<(), ModelError> {
    let mut buf = Vec::new();
    buf.extend_from_slice(CHECKPOINT_MAGIC);
    let (hidden, ffn) = m.layers.first().map_or((0, 0), |l| (l.hidden, l.ffn));
    for v in [
        VERSION,
        epochs as u32,
        m.layers.len() as u32,
        hidden as u32,
        ffn as u32,
        m.head_b.len() as u32,
    ] {
        buf.extend_from_slice(&v.to_le_bytes());
    }
    buf.extend_from_slice(&adam.step.to_le_bytes());
    put_model(&mut buf, m);
    put_model(&mut buf, &adam.m);
    put_model(&mut buf, &adam.v);
    write_atomic(path, &buf)
}

/// The checkpoint at `path`, if there is one.
pub fn read_checkpoint(path: &Path) -> Result<Option<(Model, Adam, usize)>, ModelError> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(None);
    };
    let name = path.display().to_string();
    let mut r = LeReader::new(&bytes, 0, &name);
    if r.take(8)? != CHECKPOINT_MAGIC || r.u32()? != VERSION {
        return Err(invalid(
            path,
            "not a fine-tuning checkpoint of this version",
        ));
    }
    let epochs = r.u32()? as usize;
    let layers = r.u32()? as usize;
    let hidden = r.u32()? as usize;
    let ffn = r.u32()? as usize;
    let labels = r.u32()? as usize;
    let step = r.u64()?;
    let model = get_model(&mut r, layers, hidden, ffn, labels)?;
    let m = get_model(&mut r, layers, hidden, ffn, labels)?;
    let v = get_model(&mut r, layers, hidden, ffn, labels)?;
    Ok(Some((model, Adam { m, v, step }, epochs)))
}

fn probs_path(work: &Path, tag: &str, epoch: usize) -> PathBuf {
    work.join(format!("oof-{tag}-e{epoch}.bin"))
}

/// One epoch's held-out probabilities (rows in order).
pub fn write_probabilities(
    work: &Path,
    tag: &str,
    epoch: usize,
    probs: &[Vec<f32>],
) -> Result<(), ModelError> {
    let mut buf = Vec::new();
    buf.extend_from_slice(PROBS_MAGIC);
    let labels = probs.first().map_or(0, Vec::len);
    buf.extend_from_slice(&(probs.len() as u64).to_le_bytes());
    buf.extend_from_slice(&(labels as u64).to_le_bytes());
    for p in probs {
        put_f32s(&mut buf, p);
    }
    write_atomic(&probs_path(work, tag, epoch), &buf)
}

/// What [`write_probabilities`] wrote (empty when absent).
pub fn read_probabilities(
    work: &Path,
    tag: &str,
    epoch: usize,
) -> Result<Vec<Vec<f32>>, ModelError> {
    let path = probs_path(work, tag, epoch);
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(Vec::new());
    };
    let name = path.display().to_string();
    let mut r = LeReader::new(&bytes, 0, &name);
    if r.take(8)? != PROBS_MAGIC {
        return Err(invalid(&path, "not a probabilities file"));
    }
    let n = r.u64()? as usize;
    let labels = r.u64()? as usize;
    // Refused before anything is allocated for a count the file cannot hold.
    if n.checked_mul(labels)
        .and_then(|v| v.checked_mul(4))
        .is_none_or(|b| b != r.remaining())
    {
        return Err(invalid(&path, "truncated"));
    }
    (0..n).map(|_| r.f32s(labels)).collect()
}

/// Forgets the checkpoints and held-out probabilities of earlier runs in
/// `work` (the state cache stays: it is keyed by what it holds).
pub fn clear_runs(work: &Path) -> Result<(), ModelError> {
    let Ok(entries) = std::fs::read_dir(work) else {
        return Ok(());
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("ckpt-") || name.starts_with("oof-") {
            std::fs::remove_file(e.path()).map_err(|source| ModelError::Io {
                path: e.path().display().to_string(),
                source,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_and_probabilities_read_back_as_written() {
        let work = std::env::temp_dir().join(format!("rhetor-ft-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let mut layer = LayerParams::zeros(4, 6);
        for (i, t) in layer.t.iter_mut().enumerate() {
            for (j, v) in t.iter_mut().enumerate() {
                *v = (i * 31 + j) as f32 * 0.01 - 0.3;
            }
        }
        let model = Model {
            layers: vec![layer.clone(), layer],
            head_w: (0..12).map(|i| i as f32 * 0.5).collect(),
            head_b: vec![0.1, -0.2, 0.3],
        };
        let adam = Adam {
            m: model.clone(),
            v: model.zeros_like(),
            step: 1234,
        };
        let path = work.join("ckpt-f0.bin");
        assert!(read_checkpoint(&path).unwrap().is_none());
        write_checkpoint(&path, &model, &adam, 2).unwrap();
        let (m, a, epochs) = read_checkpoint(&path).unwrap().unwrap();
        assert_eq!((m, a, epochs), (model, adam, 2));
        // A damaged checkpoint is an error, not a silent fresh start.
        let mut bytes = std::fs::read(&path).unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_checkpoint(&path).is_err());

        let probs = vec![vec![0.25, 0.5], vec![1.0, 0.0]];
        write_probabilities(&work, "f3", 1, &probs).unwrap();
        assert_eq!(read_probabilities(&work, "f3", 1).unwrap(), probs);
        assert!(read_probabilities(&work, "f3", 2).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(&work);
    }
}
