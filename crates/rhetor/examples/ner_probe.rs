//! A probe: how well do the encoder's token states name entities? A softmax
//! head over the states of each word's first piece (and its neighbours'),
//! cross-validated over the gold file's documents like the tagger.
//! `cargo run --release -p rhetor --features train --example ner_probe -- MODEL DIR/train.tsv [LAYERS]`
use rayon::prelude::*;
use rhetor::encoder::{Encoder, Prefix};
use rhetor::entities::tagger::{allowed, N_TAGS};
use rhetor::train::ner::{read_file, EntityCounts};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let enc = Encoder::load(std::path::Path::new(&args[1]))?;
    let docs = read_file(std::path::Path::new(&args[2]))?;
    let layers: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(12);
    let h = enc.dim();
    let prefix = enc.content_ids("", Prefix::Passage);
    // sentences: (doc index, words' first-piece states, tags)
    let sentences: Vec<(usize, &[usize], &[String])> = docs
        .iter()
        .enumerate()
        .flat_map(|(d, doc)| {
            doc.sentences
                .iter()
                .map(move |s| (d, s.tags.as_slice(), s.words.as_slice()))
        })
        .collect();
    let t = std::time::Instant::now();
    let states: Vec<Vec<f32>> = sentences
        .par_chunks(16)
        .flat_map_iter(|chunk| {
            let mut seqs: Vec<Vec<u32>> = Vec::new();
            let mut firsts: Vec<Vec<usize>> = Vec::new();
            for (_, _, words) in chunk {
                let mut ids = prefix.clone();
                let mut first = Vec::new();
                for w in words.iter() {
                    first.push(ids.len() + 1);
                    let p = enc.content_ids(w, Prefix::None);
                    if p.is_empty() {
                        ids.push(enc.content_ids(",", Prefix::None)[0]);
                    } else {
                        ids.extend(p);
                    }
                }
                ids.truncate(510);
                first.iter_mut().for_each(|f| *f = (*f).min(510));
                seqs.push(enc.sequence(&ids));
                firsts.push(first);
            }
            let refs: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
            let x = enc.states_after(&refs, layers);
            let mut out = Vec::new();
            let mut base = 0;
            for (s, f) in seqs.iter().zip(&firsts) {
                let mut v = Vec::with_capacity(f.len() * h);
                for &i in f {
                    v.extend_from_slice(&x[(base + i) * h..(base + i + 1) * h]);
                }
                out.push(v);
                base += s.len();
            }
            out
        })
        .collect();
    eprintln!("states: {:.0} s", t.elapsed().as_secs_f64());
    let folds = 5;
    let fold: Vec<usize> = sentences
        .iter()
        .map(|(d, _, _)| rhetor::train::fold_of(&docs[*d].id, folds))
        .collect();
    let dim = 3 * h + 1;
    let feat = |s: &[f32], n: usize, i: usize, out: &mut Vec<f32>| {
        out.clear();
        out.extend_from_slice(&s[i * h..(i + 1) * h]);
        if i > 0 {
            out.extend_from_slice(&s[(i - 1) * h..i * h]);
        } else {
            out.extend(std::iter::repeat_n(0.0, h));
        }
        if i + 1 < n {
            out.extend_from_slice(&s[(i + 1) * h..(i + 2) * h]);
        } else {
            out.extend(std::iter::repeat_n(0.0, h));
        }
        out.push(1.0);
    };
    let mut all = EntityCounts::default();
    for k in 0..folds {
        let mut w = vec![0f32; dim * N_TAGS];
        let mut m = vec![0f32; dim * N_TAGS];
        let mut v2 = vec![0f32; dim * N_TAGS];
        let mut step = 0f32;
        let lr = 1e-3f32;
        let mut x = Vec::with_capacity(dim);
        let train: Vec<usize> = (0..sentences.len()).filter(|&i| fold[i] != k).collect();
        let mut order = train.clone();
        let mut seed = 7u64 + k as u64;
        for _epoch in 0..3 {
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            for &si in &order {
                let (_, tags, _) = sentences[si];
                let s = &states[si];
                let n = tags.len();
                let mut grad = vec![0f32; dim * N_TAGS];
                for (i, &gold) in tags.iter().enumerate() {
                    feat(s, n, i, &mut x);
                    let mut z = [0f32; N_TAGS];
                    for (t, zt) in z.iter_mut().enumerate() {
                        *zt = x
                            .iter()
                            .zip(&w[t * dim..(t + 1) * dim])
                            .map(|(a, b)| a * b)
                            .sum();
                    }
                    let mx = z.iter().cloned().fold(f32::MIN, f32::max);
                    let e: Vec<f32> = z.iter().map(|v| (v - mx).exp()).collect();
                    let sum: f32 = e.iter().sum();
                    for t in 0..N_TAGS {
                        let g = e[t] / sum - if t == gold { 1.0 } else { 0.0 };
                        if g.abs() > 1e-6 {
                            for (gw, xv) in grad[t * dim..(t + 1) * dim].iter_mut().zip(&x) {
                                *gw += g * xv;
                            }
                        }
                    }
                }
                step += 1.0;
                let (b1, b2) = (0.9f32, 0.999f32);
                let c1 = 1.0 - b1.powf(step);
                let c2 = 1.0 - b2.powf(step);
                for j in 0..w.len() {
                    let g = grad[j] / n.max(1) as f32;
                    m[j] = b1 * m[j] + (1.0 - b1) * g;
                    v2[j] = b2 * v2[j] + (1.0 - b2) * g * g;
                    w[j] -= lr * (m[j] / c1) / ((v2[j] / c2).sqrt() + 1e-8);
                }
            }
        }
        let mut c = EntityCounts::default();
        for si in (0..sentences.len()).filter(|&i| fold[i] == k) {
            let (_, tags, _) = sentences[si];
            let s = &states[si];
            let n = tags.len();
            let mut guess: Vec<usize> = Vec::new();
            for i in 0..n {
                feat(s, n, i, &mut x);
                let prev = guess.last().copied().unwrap_or(0);
                let best = (0..N_TAGS)
                    .filter(|&t| allowed(prev, t))
                    .map(|t| {
                        let z: f32 = x
                            .iter()
                            .zip(&w[t * dim..(t + 1) * dim])
                            .map(|(a, b)| a * b)
                            .sum();
                        (t, z)
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map_or(0, |p| p.0);
                guess.push(best);
            }
            c.add(tags, &guess);
        }
        eprintln!("fold {k}: F1 {:.3}", c.f1());
        all.tp += c.tp;
        all.fp += c.fp;
        all.fn_ += c.fn_;
    }
    println!(
        "{} layers {layers}: P {:.3} R {:.3} F1 {:.3}",
        args[2],
        all.precision(),
        all.recall(),
        all.f1()
    );
    Ok(())
}
