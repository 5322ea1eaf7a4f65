//! Prints piece ids or embeddings of stdin's lines with rhetor's encoder,
//! in the reference harness's format (`tools/e5ref/harness.c`), for manual
//! comparison: `cargo run --release -p rhetor --example e5 -- ids MODEL query`.
use std::io::BufRead;

use rhetor::encoder::{Encoder, Prefix};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: e5 ids|embed|bench MODEL query|passage < texts".into());
    }
    let enc = Encoder::load(std::path::Path::new(&args[2]))?;
    let prefix = if args[3] == "query" {
        Prefix::Query
    } else {
        Prefix::Passage
    };
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    match args[1].as_str() {
        "ids" => {
            for l in &lines {
                let ids: Vec<String> = enc
                    .content_ids(l, prefix)
                    .iter()
                    .map(u32::to_string)
                    .collect();
                println!("{}", ids.join(" "));
            }
        }
        mode => {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            let t = std::time::Instant::now();
            let e = enc.embed(&refs, prefix);
            let s = t.elapsed().as_secs_f64();
            if mode == "bench" {
                println!(
                    "{{\"texts\": {}, \"seconds\": {s:.4}, \"per_second\": {:.2}}}",
                    lines.len(),
                    lines.len() as f64 / s
                );
            } else {
                for v in e {
                    let v: Vec<String> = v.iter().map(|x| format!("{x:.7}")).collect();
                    println!("{}", v.join(" "));
                }
            }
        }
    }
    Ok(())
}
