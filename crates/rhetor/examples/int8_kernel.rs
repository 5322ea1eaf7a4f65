//! Times one encoder-sized product on one thread: the int8 kernels (AVX2,
//! and AVX-512 VNNI where the CPU has it) against f32 `matrixmultiply` on
//! the same (dequantised) weights.
//!
//! `cargo run --release -p rhetor --example int8_kernel -- [TOKENS]`

use std::time::Instant;

use rhetor::encoder::int8::{Kernel, Q4Matrix};

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
        let Some(m) = Q4Matrix::new(&blocks, rows, cols, Kernel::Int8) else {
            eprintln!("the int8 kernel does not run on this CPU");
            return;
        };
        let vnni = Q4Matrix::new(&blocks, rows, cols, Kernel::Vnni);
        let w = m.dequantised();
        let x: Vec<f32> = (0..tokens * cols)
            .map(|_| (next() % 2000) as f32 / 1000.0 - 1.0)
            .collect();
        let mut y = vec![0f32; tokens * rows];
        let flop = 2.0 * (tokens * rows * cols) as f64;
        if let Some(v) = &vnni {
            // Both kernels sum the same integers and scale them in the same
            // order: the same bits.
            let mut y1 = vec![0.5f32; tokens * rows];
            let mut y2 = y1.clone();
            m.apply(&x, &mut y1);
            v.apply(&x, &mut y2);
            assert!(
                y1.iter().zip(&y2).all(|(a, b)| a.to_bits() == b.to_bits()),
                "VNNI and AVX2 products differ"
            );
        }
        let mut quantise = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            std::hint::black_box(rhetor::encoder::int8::QuantisedRows::new(&x, cols, 8));
            quantise = quantise.min(t.elapsed().as_secs_f64());
        }
        println!(
            "  quantising the {tokens}×{cols} inputs: {:.2} ms",
            quantise * 1e3
        );
        let mut best = [f64::INFINITY; 3];
        for _ in 0..5 {
            let t = Instant::now();
            m.apply(&x, &mut y);
            best[0] = best[0].min(t.elapsed().as_secs_f64());
            if let Some(v) = &vnni {
                let t = Instant::now();
                v.apply(&x, &mut y);
                best[2] = best[2].min(t.elapsed().as_secs_f64());
            }
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
        let vnni = if best[2].is_finite() {
            format!(
                ", int8 VNNI {:.2} ms ({:.1} GOP/s, {:.2}× AVX2)",
                best[2] * 1e3,
                flop / best[2] / 1e9,
                best[0] / best[2]
            )
        } else {
            String::from(", no VNNI on this CPU")
        };
        println!(
            "{tokens}×{cols} by {rows}: int8 AVX2 {:.2} ms ({:.1} GOP/s), f32 {:.2} ms ({:.1} GFLOP/s), ratio {:.2}{vnni}",
            best[0] * 1e3,
            flop / best[0] / 1e9,
            best[1] * 1e3,
            flop / best[1] / 1e9,
            best[1] / best[0]
        );
    }
}
