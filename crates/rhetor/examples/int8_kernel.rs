//! Times one encoder-sized product on one thread: the int8 kernel against
//! f32 `matrixmultiply` on the same (dequantised) weights.
//!
//! `cargo run --release -p rhetor --example int8_kernel -- [TOKENS]`

use std::time::Instant;

use rhetor::encoder::int8::Q4Matrix;

fn main() {
    let tokens: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let mut s = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for (rows, cols) in [(384, 384), (1536, 384), (384, 1536)] {
        let mut blocks = Vec::new();
        for _ in 0..rows * cols / 32 {
            blocks.extend_from_slice(&(0x2000u16 | (next() % 1024) as u16).to_le_bytes());
            for _ in 0..16 {
                blocks.push(next() as u8);
            }
        }
        let Some(m) = Q4Matrix::new(&blocks, rows, cols) else {
            eprintln!("the int8 kernel does not run on this CPU");
            return;
        };
        let w = m.dequantised();
        let x: Vec<f32> = (0..tokens * cols)
            .map(|_| (next() % 2000) as f32 / 1000.0 - 1.0)
            .collect();
        let mut y = vec![0f32; tokens * rows];
        let flop = 2.0 * (tokens * rows * cols) as f64;
        let mut best = [f64::INFINITY; 2];
        for _ in 0..5 {
            let t = Instant::now();
            m.apply(&x, &mut y);
            best[0] = best[0].min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            // SAFETY: x is tokens×cols, w rows×cols (read transposed), y tokens×rows.
            unsafe {
                matrixmultiply::sgemm(
                    tokens,
                    cols,
                    rows,
                    1.0,
                    x.as_ptr(),
                    cols as isize,
                    1,
                    w.as_ptr(),
                    1,
                    cols as isize,
                    0.0,
                    y.as_mut_ptr(),
                    rows as isize,
                    1,
                );
            }
            best[1] = best[1].min(t.elapsed().as_secs_f64());
        }
        println!(
            "{tokens}×{cols} by {rows}: int8 {:.2} ms ({:.1} GOP/s), f32 {:.2} ms ({:.1} GFLOP/s), ratio {:.2}",
            best[0] * 1e3,
            flop / best[0] / 1e9,
            best[1] * 1e3,
            flop / best[1] / 1e9,
            best[1] / best[0]
        );
    }
}
