//! The rows of an inverter import (a spreadsheet the owner filled in), checked before anything
//! is added: the header names the columns, every row is checked, and each problem is answered
//! with the row number the owner sees in the sheet (the header is row 1), the column and a code.
//! Reading the file (CSV, `.xlsx`) and its limits are `shop_sheets`'; this file only judges.

use std::collections::HashMap;

use crate::{DomainError, error::FieldError};

use super::{SerialNumber, fields::text};

/// One cell as the file holds it. Numbers arrive as their text (a serial typed as a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A formula (`.xlsx`), or a CSV cell starting with `=` (a spreadsheet computes it). Its
    /// cached value is never used: it may be stale, or absent when no program computed it.
    Formula,
    /// A value that is not text: a date, a spreadsheet error (`#N/A`); named for the answer.
    NotText(&'static str),
}

impl Cell {
    fn is_empty(&self) -> bool {
        match self {
            Self::Empty => true,
            Self::Text(t) => t.trim().is_empty(),
            Self::Formula | Self::NotText(_) => false,
        }
    }
}

/// A row of the sheet with its number as the owner sees it (header = 1, blank rows counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<Cell>,
}

impl SheetRow {
    /// A row without any value; skipped (spreadsheets keep empty rows at the end).
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_empty)
    }
}

/// The columns an import reads, by their header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    SerialNumber,
    ActivationCode,
    Label,
}

impl Column {
    pub const ALL: [Column; 3] = [Self::SerialNumber, Self::ActivationCode, Self::Label];

    /// The name in the header row and in answers.
    pub fn name(self) -> &'static str {
        match self {
            Self::SerialNumber => "serial_number",
            Self::ActivationCode => "activation_code",
            Self::Label => "label",
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Self::Label)
    }

    /// A header cell's column: case, surrounding spaces, and spaces or hyphens for
    /// underscores do not matter (`Serial Number`, `serial-number`, `SERIAL_NUMBER`).
    pub fn from_header(raw: &str) -> Option<Self> {
        let name: String = raw
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '-' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Where each column stands in the sheet (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    serial: usize,
    code: usize,
    label: Option<usize>,
}

/// The spreadsheet letter of a 0-based column (`A`, `Z`, `AA`), for answers.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The header row: `serial_number` and `activation_code` are required, `label` optional, in
/// any order. Empty header cells are allowed (their column is not read); any other name is
/// refused so a typo (`lable`) does not drop a column silently. Every problem is listed
/// (`422 invalid_header`, `fields`).
pub fn read_header(header: Option<&SheetRow>) -> Result<Columns, DomainError> {
    let mut found: HashMap<Column, usize> = HashMap::new();
    let mut problems = Vec::new();
    let cells = header.map(|h| h.cells.as_slice()).unwrap_or_default();
    for (index, cell) in cells.iter().enumerate() {
        let name = match cell {
            Cell::Empty => continue,
            Cell::Text(t) if t.trim().is_empty() => continue,
            Cell::Text(t) => t,
            Cell::Formula | Cell::NotText(_) => {
                problems.push(field(
                    &column_letter(index),
                    "unknown_column",
                    "A header cell must be the column's name as text.".to_owned(),
                ));
                continue;
            }
        };
        match Column::from_header(name) {
            Some(column) if found.contains_key(&column) => problems.push(field(
                column.name(),
                "duplicate_column",
                format!("The column {} appears twice in the header.", column.name()),
            )),
            Some(column) => {
                found.insert(column, index);
            }
            None => problems.push(field(
                &shown(name),
                "unknown_column",
                format!(
                    "Column {} is not one of serial_number, activation_code, label.",
                    column_letter(index)
                ),
            )),
        }
    }
    for column in Column::ALL.into_iter().filter(|c| c.required()) {
        if !found.contains_key(&column) {
            problems.push(field(
                column.name(),
                "missing_column",
                format!("The header row (row 1) needs a column {}.", column.name()),
            ));
        }
    }
    match (
        found.get(&Column::SerialNumber),
        found.get(&Column::ActivationCode),
    ) {
        (Some(&serial), Some(&code)) if problems.is_empty() => Ok(Columns {
            serial,
            code,
            label: found.get(&Column::Label).copied(),
        }),
        _ => Err(DomainError::Invalid {
            code: "invalid_header",
            detail: "The first row must name the columns serial_number, activation_code and \
                     (optionally) label."
                .to_owned(),
            fields: problems,
        }),
    }
}

fn field(name: &str, code: &'static str, detail: String) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code,
        detail,
    }
}

/// At most 40 characters of what the owner wrote, for an answer.
fn shown(raw: &str) -> String {
    let raw = raw.trim();
    match raw.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &raw[..cut]),
        None => raw.to_owned(),
    }
}

/// A good row: everything an add needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub row: u32,
    pub serial: SerialNumber,
    /// As written (trimmed); the registry decides whether it is right.
    pub activation_code: String,
    /// The owner's name for the inverter; `None` when the cell is empty.
    pub label: Option<String>,
}

/// One problem of one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    pub row: u32,
    /// The column's header name; `None` for a problem of the whole row.
    pub column: Option<&'static str>,
    pub code: &'static str,
    pub detail: String,
}

/// The answer of the check: every non-blank row is either good or has at least one rejection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checked {
    pub good: Vec<ImportRow>,
    pub rejected: Vec<Rejection>,
}

/// The longest activation code taken (characters).
pub const MAX_CODE_CHARS: usize = 64;
/// The longest label: the same as a label typed in one by one ([`super::InverterLabel`]).
pub const MAX_LABEL_CHARS: usize = super::InverterLabel::MAX_CHARS;

/// Checks every row under `columns`. Blank rows are skipped; a serial number seen in an
/// earlier row makes the later row a `duplicate_row` (whatever else is wrong with either).
pub fn check_rows(columns: Columns, rows: &[SheetRow]) -> Checked {
    let mut checked = Checked::default();
    let mut first_row: HashMap<SerialNumber, u32> = HashMap::new();
    for row in rows.iter().filter(|r| !r.is_blank()) {
        let mut problems = Vec::new();
        let mut reject = |column: Column, code: &'static str, detail: String| {
            problems.push(Rejection {
                row: row.number,
                column: Some(column.name()),
                code,
                detail,
            });
        };
        let cell = |index: usize| row.cells.get(index).unwrap_or(&Cell::Empty);
        let serial =
            text_of(cell(columns.serial), Column::SerialNumber, &mut reject).and_then(|raw| {
                match SerialNumber::parse(raw) {
                    Ok(serial) => Some(serial),
                    Err(e) => {
                        reject(Column::SerialNumber, e.code(), e.to_string());
                        None
                    }
                }
            });
        if let Some(serial) = &serial {
            match first_row.get(serial) {
                Some(first) => reject(
                    Column::SerialNumber,
                    "duplicate_row",
                    format!("Serial number {serial} is already in row {first} of this file."),
                ),
                None => {
                    first_row.insert(serial.clone(), row.number);
                }
            }
        }
        let code =
            text_of(cell(columns.code), Column::ActivationCode, &mut reject).and_then(|raw| {
                match text(raw, 1, MAX_CODE_CHARS, false) {
                    Some(code) => Some(code),
                    None => {
                        reject(
                            Column::ActivationCode,
                            "invalid_activation_code",
                            format!(
                                "An activation code is 1 to {MAX_CODE_CHARS} characters without \
                             control or invisible characters."
                            ),
                        );
                        None
                    }
                }
            });
        let label = columns.label.and_then(|index| {
            let raw = text_of(cell(index), Column::Label, &mut reject)?;
            let label = text(raw, 0, MAX_LABEL_CHARS, false);
            if label.is_none() {
                reject(
                    Column::Label,
                    "invalid_label",
                    format!(
                        "A label is at most {MAX_LABEL_CHARS} characters without control or \
                         invisible characters."
                    ),
                );
            }
            label.filter(|l| !l.is_empty())
        });
        match (serial, code) {
            (Some(serial), Some(activation_code)) if problems.is_empty() => {
                checked.good.push(ImportRow {
                    row: row.number,
                    serial,
                    activation_code,
                    label,
                });
            }
            _ => checked.rejected.append(&mut problems),
        }
    }
    checked
}

/// The cell's text, or `None` after rejecting why it has none: empty (`required` when the
/// column is, nothing otherwise), a formula, or not text.
fn text_of<'c>(
    cell: &'c Cell,
    column: Column,
    reject: &mut impl FnMut(Column, &'static str, String),
) -> Option<&'c str> {
    match cell {
        Cell::Text(t) if !t.trim().is_empty() => Some(t),
        Cell::Empty | Cell::Text(_) => {
            if column.required() {
                reject(
                    column,
                    "required",
                    format!("The {} is required.", column.name().replace('_', " ")),
                );
            }
            None
        }
        Cell::Formula => {
            reject(
                column,
                "formula_not_allowed",
                "A formula is not taken: type the value itself.".to_owned(),
            );
            None
        }
        Cell::NotText(kind) => {
            reject(
                column,
                "invalid_cell",
                format!("The cell holds {kind}, not text."),
            );
            None
        }
    }
}

/// The header and the rows of a sheet, checked: the header problems refuse the whole file.
pub fn check_import(rows: &[SheetRow]) -> Result<Checked, DomainError> {
    let start = rows
        .iter()
        .position(|r| !r.is_blank())
        .unwrap_or(rows.len());
    let columns = read_header(rows.get(start))?;
    Ok(check_rows(
        columns,
        rows.get(start + 1..).unwrap_or_default(),
    ))
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
