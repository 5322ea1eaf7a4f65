//! Number forms as newspapers write them (fractions and shares, "et demi",
//! scales, decimals in words, alternatives, ranges, scientific notation),
//! from `tests/data/number_forms.tsv`: every case must read right.

use rhetor::numbers::{find_numbers, NumberOptions};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[test]
fn newspaper_number_forms() {
    let data = include_str!("data/number_forms.tsv");
    let mut misses = Vec::new();
    let mut total = 0;
    for line in data
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (lang, text, want) = (cols[0], cols[1], cols[2]);
        total += 1;
        let found = find_numbers(text, lang, NumberOptions::default());
        let ok = if let Some((lo, hi)) = want.split_once("..") {
            let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
            found.len() == 1
                && close(found[0].value, lo)
                && found[0].value_max.is_some_and(|m| close(m, hi))
        } else {
            let wants: Vec<f64> = want.split('|').map(|w| w.parse().unwrap()).collect();
            found.len() == wants.len() && found.iter().zip(&wants).all(|(f, w)| close(f.value, *w))
        };
        if !ok {
            let got: Vec<String> = found
                .iter()
                .map(|f| {
                    format!(
                        "{} [{}] {:?}",
                        f.value,
                        &text[f.span.start..f.span.end],
                        f.kind
                    )
                })
                .collect();
            misses.push(format!("{lang} {text:?}: want {want}, got {got:?}"));
        }
    }
    eprintln!("number forms: {}/{} right", total - misses.len(), total);
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
