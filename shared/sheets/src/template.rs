//! The import template, as `.xlsx` (header row, one example row, a note on each column's
//! header, the columns formatted as text so Excel keeps leading zeros of a serial or code) and
//! as CSV (header and example row). Both read back through [`crate::read`].

use rust_xlsxwriter::{Format as CellFormat, Note, Workbook, XlsxError};
use shop_domain::solar::import::{Column, MAX_LABEL_CHARS};

/// The example row: the owner replaces it (unchanged, it is an unknown serial number).
pub const EXAMPLE: [&str; 3] = ["EXAMPLE-0001", "ABCD-1234", "Roof east (example: replace)"];

fn note(column: Column) -> String {
    match column {
        Column::SerialNumber => "Required. The serial number printed on the inverter: 4 to 32 \
             letters and digits, single hyphens between them; case does not matter."
            .to_owned(),
        Column::ActivationCode => {
            "Required. The activation code that came with the inverter, as printed.".to_owned()
        }
        Column::Label => {
            format!("Optional. Your name for the inverter, at most {MAX_LABEL_CHARS} characters.")
        }
    }
}

/// The `.xlsx` template.
pub fn xlsx_template() -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Inverters")?;
    let text = CellFormat::new().set_num_format("@");
    let bold = CellFormat::new().set_num_format("@").set_bold();
    for (index, column) in Column::ALL.into_iter().enumerate() {
        let col = u16::try_from(index).unwrap_or(u16::MAX);
        sheet.set_column_format(col, &text)?;
        sheet.set_column_width(col, 34)?;
        sheet.write_string_with_format(0, col, column.name(), &bold)?;
        sheet.insert_note(0, col, &Note::new(note(column)).add_author_prefix(false))?;
        sheet.write_string_with_format(1, col, EXAMPLE[index], &text)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// The CSV template (UTF-8, comma-separated).
pub fn csv_template() -> Vec<u8> {
    let header: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    format!("{}\r\n{}\r\n", header.join(","), EXAMPLE.join(",")).into_bytes()
}
