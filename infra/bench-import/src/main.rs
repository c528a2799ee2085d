//! `bench-import write ROWS FILE`: a filled-in template of ROWS rows (as an owner would upload
//! it) written to FILE. `bench-import read FILE RUNS`: the import's parse and check of FILE
//! (`shop_sheets::read` and `check_import`, as the function runs them), RUNS times; prints one
//! JSON line with the times and the process's peak resident memory. Two processes, so writing
//! the file does not count in the peak.

use std::time::Instant;

use shop_domain::solar::import::check_import;
use shop_sheets::{Format, Limits, read};

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["write", rows, file] => write(rows.parse()?, file),
        ["read", file, runs] => bench(file, runs.parse()?),
        _ => Err("usage: bench-import write ROWS FILE | read FILE RUNS".into()),
    }
}

fn write(rows: u32, file: &str) -> Result<(), Failure> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in ["serial_number", "activation_code", "label"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, u16::try_from(col)?, *name)?;
    }
    for row in 1..=rows {
        sheet.write_string(row, 0, format!("SN-BENCH-{row:06}"))?;
        sheet.write_string(
            row,
            1,
            format!("CODE-{:08X}", row.wrapping_mul(2_654_435_761)),
        )?;
        sheet.write_string(row, 2, format!("Roof {} inverter {row}", row % 7))?;
    }
    book.save(file)?;
    Ok(())
}

fn bench(file: &str, runs: usize) -> Result<(), Failure> {
    let bytes = std::fs::read(file)?;
    let mut times = Vec::with_capacity(runs);
    let mut good = 0;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let rows = read(&bytes, Format::Xlsx, &Limits::default())?;
        let checked = check_import(&rows)?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        good = checked.good.len();
    }
    times.sort_by(f64::total_cmp);
    let status = std::fs::read_to_string("/proc/self/status")?;
    let peak_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .map(|v| v.trim().trim_end_matches("kB").trim().to_owned())
        .unwrap_or_default();
    println!(
        "{{\"bytes\": {}, \"good_rows\": {good}, \"runs\": {}, \"median_ms\": {:.2}, \"min_ms\": {:.2}, \"max_ms\": {:.2}, \"peak_rss_kib\": {peak_kib}}}",
        bytes.len(),
        times.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
    Ok(())
}
