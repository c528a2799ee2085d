//! `.xlsx` into rows, with calamine, after the archive passed the zip-bomb guard. The first
//! worksheet is read cell by cell (calamine's streaming reader, never a dense range: a cell in
//! row 1,048,576 costs nothing), columns A to Z, and reading stops at the first row past the
//! row limit. A formula cell is a formula whatever its cached value.

use std::{collections::BTreeMap, io::Cursor};

use calamine::{DataRef, Reader, SheetType, Xlsx};
use shop_domain::{
    DomainError,
    solar::import::{Cell, SheetRow},
};

use crate::{Format, Limits, MAX_COLUMNS, too_many_rows, unpack, unreadable};

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<SheetRow>, DomainError> {
    unpack::check(bytes, limits.max_unpacked_bytes)?;
    let broken = |_| unreadable(Format::Xlsx, "it is not a workbook calamine can read");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(broken)?;
    let sheet = book
        .sheets_metadata()
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .ok_or_else(|| unreadable(Format::Xlsx, "it has no worksheet"))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(broken)?;
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(found) = cells.next_cell_with_formula_metadata().map_err(broken)? {
        let (row, column) = found.pos;
        let column = usize::try_from(column).unwrap_or(usize::MAX);
        if column >= MAX_COLUMNS {
            continue;
        }
        let cell = match found.formula {
            Some(_) => Cell::Formula,
            None => value(found.value),
        };
        if cell == Cell::Empty {
            continue;
        }
        let number = row.saturating_add(1);
        let line = rows.entry(number).or_default();
        if line.len() <= column {
            line.resize(column + 1, Cell::Empty);
        }
        line[column] = cell;
        if rows.len() > limits.max_rows.saturating_add(1) {
            return Err(too_many_rows(limits));
        }
    }
    Ok(rows
        .into_iter()
        .map(|(number, cells)| SheetRow { number, cells })
        .filter(|r| !r.is_blank())
        .collect())
}

fn value(data: DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Int(i) => Cell::Text(i.to_string()),
        // A serial typed as a number is stored as one: whole numbers read as their digits.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Cell::Text(format!("{f:.0}")),
        DataRef::Float(f) => Cell::Text(f.to_string()),
        DataRef::Bool(_) => Cell::NotText("a TRUE/FALSE value"),
        DataRef::DateTime(_) | DataRef::DateTimeIso(_) | DataRef::DurationIso(_) => {
            Cell::NotText("a date or time")
        }
        DataRef::Error(_) => Cell::NotText("an error value"),
    }
}
