//! Fine-tuning experiments (issue 15): `cargo run --release -p rhetor
//! --features train --example finetune -- DATA WEIGHTS WORK [key=value…]`
//! with keys layers, epochs, batch, lr, head_lr, folds (comma list), seed.
//! Prints one JSON line per epoch and, when every fold has run, the nested
//! cross-validated scores per language.
use std::path::PathBuf;
use std::time::Instant;

use rhetor::encoder::Encoder;
use rhetor::train::finetune::{self, FinetuneOptions, StateCache};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        return Err("usage: finetune DATA WEIGHTS WORK [key=value…]".into());
    }
    let mut opts = FinetuneOptions {
        work: PathBuf::from(&args[3]),
        ..FinetuneOptions::default()
    };
    for kv in &args[4..] {
        let (k, v) = kv.split_once('=').ok_or("key=value")?;
        match k {
            "layers" => opts.trained_layers = v.parse()?,
            "epochs" => opts.epochs = v.parse()?,
            "batch" => opts.batch = v.parse()?,
            "lr" => opts.lr_layers = v.parse()?,
            "head_lr" => opts.lr_head = v.parse()?,
            "seed" => opts.seed = v.parse()?,
            "folds" => opts.eval_folds = v.split(',').map(str::parse).collect::<Result<_, _>>()?,
            _ => return Err(format!("unknown key {k}").into()),
        }
    }
    let started = Instant::now();
    let enc = Encoder::load_verified(std::path::Path::new(&args[2]))?;
    let rows = finetune::rows(std::path::Path::new(&args[1]), &enc, opts.folds)?;
    let lower = enc.weights().shape.layers - opts.trained_layers;
    let cache = StateCache::load_or_build(&enc, &rows.seqs, lower, &opts.work, &|d, n| {
        if d % 1000 < 40 {
            eprintln!("states: {d}/{n} ({:.0} s)", started.elapsed().as_secs_f64());
        }
    })?;
    eprintln!(
        "{} rows, {} tokens, states after layer {lower} ready in {:.0} s",
        rows.seqs.len(),
        cache.tokens(),
        started.elapsed().as_secs_f64()
    );
    println!("{}", serde_json::to_string(&opts)?);
    let score = std::env::var_os("FT_SCORE").is_some();
    if score || std::env::var_os("FT_FROZEN_CV").is_some() {
        let fast = rhetor::train::tasks::TrainOptions::default();
        let data = std::path::Path::new(&args[1]);
        let mut runs = Vec::new();
        if score {
            for e in 0..opts.epochs {
                if let Some((a, f)) =
                    finetune::finetuned_cross_validated(data, &enc, &opts, fast, e)?
                {
                    runs.push((format!("fine-tuned epoch {} alone", e + 1), a));
                    runs.push((format!("fine-tuned epoch {} fused", e + 1), f));
                }
            }
        } else {
            let (a, f) = finetune::frozen_cross_validated(data, &enc, &opts, fast)?;
            runs.push(("frozen alone".to_string(), a));
            runs.push(("frozen fused".to_string(), f));
        }
        for (name, s) in &runs {
            println!("{name}: {}", s.summary());
        }
        // FT_PER_LANG=10,30,…: thresholds tuned per language (a label keeps
        // the pooled one below that many positives), last epoch, fused.
        let last = opts.epochs - 1;
        if let (true, Some(mins)) = (score, env_list::<usize>("FT_PER_LANG")?) {
            if let Some((pooled, own)) =
                finetune::per_language_cross_validated(data, &enc, &opts, fast, last, &mins)?
            {
                println!("pooled thresholds fused: {}", pooled.summary());
                for (m, s) in own {
                    println!("per-language thresholds (min {m}) fused: {}", s.summary());
                }
            }
        }
        // FT_FLOORS=0.6,0.65,…: the confident labels of the last epoch
        // selected at each precision floor.
        if let (true, Some(floors)) = (score, env_list::<f64>("FT_FLOORS")?) {
            for (floor, alone, fused) in
                finetune::confident_by_floor(data, &enc, &opts, fast, last, &floors)?
            {
                for (name, counts) in [("alone", alone), ("fused", fused)] {
                    let per: Vec<String> = counts
                        .iter()
                        .map(|(l, c)| format!("{l} P {:.3} R {:.3}", c.precision(), c.recall()))
                        .collect();
                    println!("floor {floor} {name}: {}", per.join(", "));
                }
            }
        }
        return Ok(());
    }
    if std::env::var_os("FT_BASELINE").is_some() {
        let emb = finetune::frozen_embeddings(&enc, &cache);
        for &f in &opts.eval_folds {
            let probs = finetune::frozen_fold_probabilities(&emb, &rows, f);
            let truth = finetune::fold_truth(&rows, f);
            println!(
                "frozen baseline fold {f}: fold micro-F1 {:.3}",
                finetune::fold_f1(&probs, &truth, finetune::labels(&rows))
            );
        }
    }
    for &f in &opts.eval_folds {
        let t0 = Instant::now();
        let progress = |e: usize, s: usize, n: usize| {
            eprintln!(
                "fold {f} epoch {} step {s}/{n} ({:.0} s)",
                e + 1,
                t0.elapsed().as_secs_f64()
            );
        };
        finetune::train_fold(&enc, &rows, &cache, &opts, Some(f), &progress, &|r| {
            println!("{}", serde_json::to_string(r).unwrap_or_default());
        })?;
    }
    for e in 0..opts.epochs {
        if let Some(s) = finetune::cross_validated(&rows, &opts, e)? {
            println!("epoch {}: {}", e + 1, s.summary());
        }
    }
    Ok(())
}

/// The comma-separated values of the environment variable `name`, if set.
fn env_list<T>(name: &str) -> Result<Option<Vec<T>>, Box<dyn std::error::Error>>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + 'static,
{
    let Some(v) = std::env::var_os(name) else {
        return Ok(None);
    };
    let values = v
        .to_string_lossy()
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    Ok(Some(values))
}
