//! Spreadsheet uploads read into rows, and the import template written. The format comes from
//! the content type (`text/csv`, or `.xlsx`'s); every limit is checked while reading, before
//! the file can cost more than it may: its size, its rows, and an `.xlsx`'s unpacked size
//! (checked on the zip's directory and while unpacking, before calamine reads it). Rows come
//! out as `shop_domain::solar::import::SheetRow`s, numbered as the owner sees them; the domain
//! judges them. docs/solar.md, "Spreadsheet import", has the decisions.

mod csv_rows;
mod template;
mod unpack;
mod xlsx_rows;

use shop_domain::{DomainError, solar::import::SheetRow};

pub use template::{csv_template, xlsx_template};

/// `.xlsx`'s content type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// CSV's content type.
pub const CSV: &str = "text/csv";

/// The kinds of file an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format a `Content-Type` names (parameters such as `charset` aside, any case);
    /// anything else is `415 unsupported_media_type`.
    pub fn from_content_type(value: Option<&str>) -> Result<Self, DomainError> {
        let essence = value
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some(CSV) => Ok(Self::Csv),
            Some(XLSX) => Ok(Self::Xlsx),
            _ => Err(DomainError::UnsupportedMediaType {
                code: "unsupported_media_type",
                detail: format!("Send the file as {CSV} or as {XLSX} (.xlsx)."),
            }),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => CSV,
            Self::Xlsx => XLSX,
        }
    }
}

/// What one upload may cost. Each limit has its own code (docs/solar.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the file as sent: `413 file_too_large`.
    pub max_file_bytes: usize,
    /// Data rows (the header and blank rows not counted): `422 too_many_rows`.
    pub max_rows: usize,
    /// Bytes an `.xlsx` unpacks to, all its parts together: `413 unpacked_too_large`.
    pub max_unpacked_bytes: u64,
}

impl Limits {
    /// 4 MiB: base64-encoded by API Gateway it is 5.6 MB, within Lambda's 6 MB request payload
    /// with room for the event around it.
    pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
    pub const MAX_ROWS: usize = 1_000;
    /// 16 MiB: a 1,000-row sheet unpacks to well under 1 MiB; the rest is room for what Excel
    /// adds (styles, themes, a picture), not for cells.
    pub const MAX_UNPACKED_BYTES: u64 = 16 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: Self::MAX_FILE_BYTES,
            max_rows: Self::MAX_ROWS,
            max_unpacked_bytes: Self::MAX_UNPACKED_BYTES,
        }
    }
}

/// Columns read from the left: A to Z. Cells further right are not read (an import has three
/// columns; this keeps a sheet with a cell in column XFD from costing memory).
pub const MAX_COLUMNS: usize = 26;

/// The rows of an upload, header first, within `limits`.
pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<Vec<SheetRow>, DomainError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(DomainError::TooLarge {
            code: "file_too_large",
            detail: format!(
                "The file is {} bytes; an import takes at most {} bytes.",
                bytes.len(),
                limits.max_file_bytes
            ),
        });
    }
    match format {
        Format::Csv => csv_rows::read(bytes, limits),
        Format::Xlsx => xlsx_rows::read(bytes, limits),
    }
}

/// `422 too_many_rows`, once the row after the last allowed one is seen.
fn too_many_rows(limits: &Limits) -> DomainError {
    DomainError::invalid(
        "too_many_rows",
        format!(
            "An import takes at most {} rows below the header; split the file.",
            limits.max_rows
        ),
    )
}

/// `422 unreadable_file`: the bytes are not a file of the format sent.
fn unreadable(format: Format, why: impl std::fmt::Display) -> DomainError {
    let what = match format {
        Format::Csv => "CSV",
        Format::Xlsx => ".xlsx workbook",
    };
    DomainError::invalid(
        "unreadable_file",
        format!("The file cannot be read as a {what}: {why}."),
    )
}

#[cfg(test)]
mod tests;
