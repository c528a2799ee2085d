#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap in a test is a failed test

use shop_domain::solar::import::{Cell, SheetRow, check_import};

use super::*;

mod bombs;

fn t(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn csv(text: &[u8]) -> Result<Vec<SheetRow>, DomainError> {
    read(text, Format::Csv, &Limits::default())
}

fn numbers(rows: &[SheetRow]) -> Vec<u32> {
    rows.iter().map(|r| r.number).collect()
}

#[test]
fn the_content_type_decides_the_format() {
    assert_eq!(
        Format::from_content_type(Some("text/csv")).unwrap(),
        Format::Csv
    );
    assert_eq!(
        Format::from_content_type(Some("Text/CSV; charset=utf-8")).unwrap(),
        Format::Csv
    );
    assert_eq!(Format::from_content_type(Some(XLSX)).unwrap(), Format::Xlsx);
    for other in [
        None,
        Some("application/json"),
        Some("application/vnd.ms-excel"),
        Some(""),
    ] {
        let err = Format::from_content_type(other).unwrap_err();
        assert!(
            matches!(
                err,
                DomainError::UnsupportedMediaType {
                    code: "unsupported_media_type",
                    ..
                }
            ),
            "{other:?}"
        );
    }
}

#[test]
fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
    let rows =
        csv(b"serial_number,activation_code\n\nSN-1,\"two\nlines\"\nSN-2,c\n\n\nSN-3,c").unwrap();
    assert_eq!(numbers(&rows), vec![1, 3, 4, 7]);
    let crlf = csv(b"serial_number\r\n\r\nSN-1\r\nSN-2\rSN-3\r\n\r\nSN-4").unwrap();
    assert_eq!(numbers(&crlf), vec![1, 3, 4, 5, 7]);
    assert_eq!(rows[1].cells, vec![t("SN-1"), t("two\nlines")]);
}

#[test]
fn csv_takes_excels_encodings_and_separators() {
    let utf8_bom =
        csv("\u{feff}serial_number;activation_code;label\nSN-1;c;Dach Süd\n".as_bytes()).unwrap();
    assert_eq!(utf8_bom[0].cells[0], t("serial_number"));
    assert_eq!(utf8_bom[1].cells, vec![t("SN-1"), t("c"), t("Dach Süd")]);
    let cp1252 = csv(b"serial_number\tactivation_code\tlabel\r\nSN-1\tc\tDach S\xfcd\r\n").unwrap();
    assert_eq!(cp1252[1].cells[2], t("Dach Süd"));
}

#[test]
fn a_csv_cell_starting_with_equals_is_a_formula() {
    let rows = csv(b"serial_number,activation_code\n=A1,c\n").unwrap();
    assert_eq!(rows[1].cells[0], Cell::Formula);
}

#[test]
fn too_many_rows_are_refused_when_the_next_one_is_seen() {
    let limits = Limits {
        max_rows: 3,
        ..Limits::default()
    };
    let mut text = String::from("serial_number,activation_code\n");
    for i in 0..3 {
        text.push_str(&format!("SN-{i:04},c\n\n"));
    }
    assert_eq!(
        read(text.as_bytes(), Format::Csv, &limits).unwrap().len(),
        4
    );
    text.push_str("SN-9999,c\n");
    let err = read(text.as_bytes(), Format::Csv, &limits).unwrap_err();
    assert_eq!(err.code(), "too_many_rows");
    assert!(matches!(err, DomainError::Invalid { .. }));
}

#[test]
fn a_file_over_the_size_limit_is_refused_unread() {
    let limits = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    let err = read(b"serial_number,x", Format::Csv, &limits).unwrap_err();
    assert!(matches!(
        err,
        DomainError::TooLarge {
            code: "file_too_large",
            ..
        }
    ));
    let err = read(b"PK not a zip!", Format::Xlsx, &limits).unwrap_err();
    assert_eq!(err.code(), "file_too_large");
}

#[test]
fn both_templates_read_back_as_their_header_and_example() {
    for (bytes, format) in [
        (xlsx_template().unwrap(), Format::Xlsx),
        (csv_template(), Format::Csv),
    ] {
        let rows = read(&bytes, format, &Limits::default()).unwrap();
        assert_eq!(
            rows[0].cells,
            vec![t("serial_number"), t("activation_code"), t("label")],
            "{format:?}"
        );
        assert_eq!(numbers(&rows), vec![1, 2]);
        let checked = check_import(&rows).unwrap();
        assert_eq!(checked.good.len(), 1, "{format:?}");
        assert_eq!(checked.good[0].serial.as_str(), template::EXAMPLE[0]);
    }
}

fn workbook(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    fill(book.add_worksheet());
    book.save_to_buffer().unwrap()
}

#[test]
fn xlsx_cells_keep_their_kind_and_place() {
    let bytes = workbook(|s| {
        s.write_string(0, 0, "serial_number").unwrap();
        s.write_string(0, 1, "activation_code").unwrap();
        s.write_number(1, 0, 12345678.0).unwrap();
        s.write_string(1, 1, "c").unwrap();
        s.write_formula(3, 0, "=A2&\"X\"").unwrap();
        s.write_string(3, 1, "c").unwrap();
        s.write_boolean(4, 1, true).unwrap();
        s.write_string(1_048_575, 30, "far away, not read").unwrap();
        s.write_string(9, 2, " ").unwrap();
    });
    let rows = read(&bytes, Format::Xlsx, &Limits::default()).unwrap();
    assert_eq!(numbers(&rows), vec![1, 2, 4, 5]);
    assert_eq!(rows[1].cells, vec![t("12345678"), t("c")]);
    assert_eq!(rows[2].cells, vec![Cell::Formula, t("c")]);
    assert_eq!(
        rows[3].cells,
        vec![Cell::Empty, Cell::NotText("a TRUE/FALSE value")]
    );
}

#[test]
fn xlsx_rows_past_the_limit_are_refused() {
    let limits = Limits {
        max_rows: 5,
        ..Limits::default()
    };
    let bytes = workbook(|s| {
        for row in 0..=6 {
            s.write_string(row, 0, format!("SN-{row:04}")).unwrap();
        }
    });
    assert_eq!(
        read(&bytes, Format::Xlsx, &limits).unwrap_err().code(),
        "too_many_rows"
    );
    let limits = Limits {
        max_rows: 6,
        ..limits
    };
    assert_eq!(read(&bytes, Format::Xlsx, &limits).unwrap().len(), 7);
}

#[test]
fn bytes_that_are_no_workbook_are_unreadable() {
    for bytes in [
        &b"serial_number,activation_code\n"[..],
        b"PK\x03\x04broken",
        b"",
    ] {
        let err = read(bytes, Format::Xlsx, &Limits::default()).unwrap_err();
        assert_eq!(err.code(), "unreadable_file", "{bytes:?}");
    }
}
