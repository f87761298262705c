//! Which A64 instructions of a program the decoder does not know yet: reads
//! `objdump -d` output on stdin and prints, per mnemonic, how many
//! instruction words no decoder table line matches (most frequent first).
//!
//!     aarch64-linux-gnu-objdump -d PROG | cargo run --release --example a64_coverage
//!
//! A development aid for the aarch64 frontend: it shows what real software
//! needs next without running it.

use emu::guest::aarch64::decode::lookup;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write as _};

fn main() {
    let (mut total, mut missing) = (0usize, HashMap::<String, usize>::new());
    for line in std::io::stdin().lock().lines().map_while(Result::ok) {
        // "  4005d0:\td2800000 \tmov\tx0, #0x0"
        let mut cols = line.split('\t');
        let (Some(addr), Some(word), Some(text)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let Ok(word) = u32::from_str_radix(word.trim(), 16) else {
            continue;
        };
        if !addr.trim_end().ends_with(':') {
            continue;
        }
        total += 1;
        if lookup(word).is_none() {
            let mnemonic = text.split_whitespace().next().unwrap_or("?").to_string();
            *missing.entry(mnemonic).or_default() += 1;
        }
    }
    let mut rows: Vec<_> = missing.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let unknown: usize = rows.iter().map(|r| r.1).sum();
    let mut out = format!("{unknown} of {total} instruction words not decoded\n");
    for (m, n) in rows {
        let _ = writeln!(out, "{n:8}  {m}");
    }
    // A reader that stops early (`| head`) is not an error.
    let _ = std::io::stdout().write_all(out.as_bytes());
}
