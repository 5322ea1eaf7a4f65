//! `rhetor numbers`: the number recogniser on standard input, one JSON array
//! per line. A line that is not UTF-8 or longer than 1 MB gets `[]` and a
//! warning naming the line; the stream goes on.

use std::io::{BufRead, BufWriter, Read, Write};

use rhetor::numbers::{find_numbers, NumberOptions};
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct NumbersArgs {
    /// Language of the text (digit conventions and number words).
    #[arg(long, default_value = "fr")]
    pub lang: String,
}

const MAX_LINE: usize = 1 << 20;

#[derive(Serialize)]
struct Found<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    value_max: Option<f64>,
    kind: rhetor::numbers::NumberKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    approximation: Option<rhetor::numbers::Approximation>,
}

pub fn run(a: NumbersArgs) -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut ok = true;
    loop {
        buf.clear();
        // Read at most MAX_LINE + 1 bytes of a line, then skip the rest.
        let n = Read::by_ref(&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let complete = buf.ends_with(b"\n");
        if !complete && buf.len() > MAX_LINE {
            let mut skipped = Vec::new();
            input.read_until(b'\n', &mut skipped)?;
            writeln!(out, "[]")?;
            out.flush()?;
            eprintln!("rhetor: stdin line {line_no}: longer than 1 MB, skipped");
            ok = false;
            continue;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        let Ok(line) = std::str::from_utf8(&buf) else {
            writeln!(out, "[]")?;
            out.flush()?;
            eprintln!("rhetor: stdin line {line_no}: not valid UTF-8, skipped");
            ok = false;
            continue;
        };
        let found = find_numbers(line, &a.lang, NumberOptions::default());
        // Character offsets within the line.
        let chars: Vec<usize> = line.char_indices().map(|(b, _)| b).collect();
        let char_of = |b: usize| chars.partition_point(|&x| x < b);
        let items: Vec<Found> = found
            .iter()
            .map(|m| Found {
                text: &line[m.span.start..m.span.end],
                start: char_of(m.span.start),
                end: char_of(m.span.end),
                value: m.value,
                value_max: m.value_max,
                kind: m.kind,
                unit: m.unit.as_deref(),
                approximation: m.approximate,
            })
            .collect();
        serde_json::to_writer(&mut out, &items)?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ok)
}
