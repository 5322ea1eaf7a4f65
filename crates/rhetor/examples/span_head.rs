//! Settings of the accurate tier's span head, scored on fold 0 at token
//! level with the gold technique given (as `rhetor eval` scores the fast
//! tier's evidence model):
//!
//!     cargo run --release -p rhetor --features train --example span_head -- \
//!         ../shared/data/semeval2023-task3 ~/.local/share/rhetor/models/e5-small-q4.bin 12
use std::path::Path;

use rhetor::encoder::Encoder;
use rhetor::train::span_head::{evaluate, span_rows};
use rhetor::train::FitParams;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let data = Path::new(&args[1]);
    let encoder = Encoder::load(Path::new(&args[2]))?;
    let layers: Vec<usize> = args[3]
        .split(',')
        .map(|l| l.parse())
        .collect::<Result<_, _>>()?;
    let epochs: usize = args.get(4).map_or(Ok(10), |e| e.parse())?;
    let cs: Vec<f32> = args
        .get(5)
        .map_or("0.01,0.1", String::as_str)
        .split(',')
        .map(|c| c.parse())
        .collect::<Result<_, _>>()?;
    let articles = rhetor::semeval::load_training(data)?;
    let fast = FitParams {
        c: 0.3,
        ..FitParams::default()
    };
    for layer in layers {
        let t = std::time::Instant::now();
        let rows = span_rows(&articles, &encoder, layer, 5, &|d, n| {
            if d % 960 == 0 || d == n {
                eprintln!(
                    "layer {layer}: {d}/{n} paragraphs ({:.0} s)",
                    t.elapsed().as_secs_f64()
                );
            }
        });
        eprintln!("{} words encoded", rows.encoded());
        for (name, c) in evaluate(&rows, &cs, &[0.4, 0.5, 0.6], fast, epochs) {
            let p = c.tp as f64 / (c.tp + c.fp).max(1) as f64;
            let r = c.tp as f64 / (c.tp + c.fn_).max(1) as f64;
            println!(
                "layer {layer} | {name} | P {p:.3} | R {r:.3} | F1 {:.3}",
                c.f1()
            );
        }
        eprintln!("layer {layer} done in {:.0} s", t.elapsed().as_secs_f64());
    }
    Ok(())
}
