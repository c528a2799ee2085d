//! CSV into rows. Excel writes UTF-8 (with a byte-order mark) or, as "CSV" on Western
//! Windows, Windows-1252, and separates with `;` where the decimal comma is used (Germany):
//! the text is UTF-8 when it decodes as such, Windows-1252 otherwise, and the separator is the
//! one of `,` `;` tab that the header line holds most. Rows are numbered as a spreadsheet shows
//! the file: one row per record (a quoted line break stays in its cell), blank lines counted.

use std::borrow::Cow;

use shop_domain::{
    DomainError,
    solar::import::{Cell, SheetRow},
};

use crate::{Format, Limits, MAX_COLUMNS, too_many_rows, unreadable};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<SheetRow>, DomainError> {
    let text = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(&text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The sheet's row of the next record, and the line the reader stood on after the last one.
    let mut number: u64 = 1;
    let mut line_after: u64 = 1;
    let mut non_blank = 0usize;
    loop {
        let read = reader
            .read_byte_record(&mut record)
            .map_err(|_| unreadable(Format::Csv, "a quoted cell is not closed"))?;
        if !read {
            return Ok(rows);
        }
        // The reader skips blank lines: the lines it went through that are neither this
        // record's own (its quoted line breaks and its end) nor earlier ones were blank.
        let after = reader.position();
        let own = record.iter().flatten().filter(|&&b| b == b'\n').count() as u64;
        let at_end = usize::try_from(after.byte()).is_ok_and(|b| b >= text.len());
        let ended = u64::from(!at_end || text.ends_with('\n'));
        number += (after.line() - line_after).saturating_sub(own + ended);
        line_after = after.line();
        let row = SheetRow {
            number: u32::try_from(number).map_err(|_| too_many_rows(limits))?,
            cells: record.iter().take(MAX_COLUMNS).map(cell).collect(),
        };
        number += 1;
        if row.is_blank() {
            continue;
        }
        non_blank += 1;
        if non_blank > limits.max_rows.saturating_add(1) {
            return Err(too_many_rows(limits));
        }
        rows.push(row);
    }
}

/// The text, its line ends made `\n` (the row count reads lines; a `\r\n` split by the
/// reader between two records would count a row twice).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => {
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    };
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The separator the first line uses most (outside quotes); `,` when it holds none.
fn separator(text: &str) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in text.bytes() {
        if b == b'\n' && !quoted {
            break;
        } else if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(s, _)| *s == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .fold((b',', 0), |best, &c| if c.1 > best.1 { c } else { best })
        .0
}

fn cell(raw: &[u8]) -> Cell {
    let text = String::from_utf8_lossy(raw);
    if text.trim().is_empty() {
        Cell::Empty
    } else if text.trim_start().starts_with('=') {
        // A spreadsheet opening the file computes it; what the owner saw is not this text.
        Cell::Formula
    } else {
        Cell::Text(text.into_owned())
    }
}
