use proptest::prelude::*;

use super::*;

fn t(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_owned())
    }
}

fn row(number: u32, cells: &[Cell]) -> SheetRow {
    SheetRow {
        number,
        cells: cells.to_vec(),
    }
}

fn header(names: &[&str]) -> SheetRow {
    row(1, &names.iter().map(|n| t(n)).collect::<Vec<_>>())
}

/// A sheet of a header and one row of text (row 2), checked.
fn one_row(names: &[&str], cells: &[&str]) -> Checked {
    let cells: Vec<Cell> = cells.iter().map(|c| t(c)).collect();
    check_import(&[header(names), row(2, &cells)]).unwrap()
}

fn codes(checked: &Checked) -> Vec<(u32, Option<&str>, &str)> {
    checked
        .rejected
        .iter()
        .map(|r| (r.row, r.column, r.code))
        .collect()
}

fn header_codes(err: DomainError) -> Vec<(String, &'static str)> {
    match err {
        DomainError::Invalid {
            code: "invalid_header",
            fields,
            ..
        } => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("not an invalid_header: {other:?}"),
    }
}

#[test]
fn header_names_match_in_any_case_and_order() {
    let checked = one_row(
        &[" Label ", "ACTIVATION CODE", "serial-number"],
        &["roof east", "K3Y-1", "ae-3tl-0042"],
    );
    assert_eq!(
        checked.good,
        vec![ImportRow {
            row: 2,
            serial: SerialNumber::parse("AE-3TL-0042").unwrap(),
            activation_code: "K3Y-1".to_owned(),
            label: Some("roof east".to_owned()),
        }]
    );
    assert!(checked.rejected.is_empty());
}

#[test]
fn the_label_column_is_optional_and_empty_header_cells_are_not_read() {
    let checked = one_row(
        &["serial_number", "", "activation_code"],
        &["SN-0001", "ignored note", "c1"],
    );
    assert_eq!(checked.good.len(), 1);
    assert_eq!(checked.good[0].label, None);
}

#[test]
fn a_bad_header_lists_every_problem() {
    let err = check_import(&[header(&["serial_number", "lable", "serial number"])]).unwrap_err();
    assert_eq!(
        header_codes(err),
        vec![
            ("lable".to_owned(), "unknown_column"),
            ("serial_number".to_owned(), "duplicate_column"),
            ("activation_code".to_owned(), "missing_column"),
        ]
    );
    let err = check_import(&[]).unwrap_err();
    assert_eq!(header_codes(err).len(), 2);
    let formula_header = [row(
        1,
        &[t("serial_number"), Cell::Formula, t("activation_code")],
    )];
    assert_eq!(
        header_codes(check_import(&formula_header).unwrap_err()),
        vec![("B".to_owned(), "unknown_column")]
    );
}

#[test]
fn every_bad_row_is_listed_with_its_number_column_and_code() {
    let rows = [
        header(&["serial_number", "activation_code", "label"]),
        row(2, &[t("SN-0001"), t("c1"), t("ok")]),
        row(3, &[t("bad serial!"), t("c2"), t("")]),
        row(4, &[t("sn-0001"), t("c3"), t("")]),
        row(5, &[t("SN-0005"), t(""), t("")]),
        row(6, &[Cell::Formula, t("c6"), t("")]),
        row(7, &[]),
        row(
            8,
            &[t("SN-0008"), t("c8"), t(&"x".repeat(MAX_LABEL_CHARS + 1))],
        ),
        row(9, &[t("SN-0009"), Cell::NotText("a date"), t("")]),
        row(10, &[t(""), t(""), t("only a label")]),
        row(11, &[t("SN-0011"), t("c11")]),
    ];
    let checked = check_import(&rows).unwrap();
    assert_eq!(
        codes(&checked),
        vec![
            (3, Some("serial_number"), "invalid_serial_number"),
            (4, Some("serial_number"), "duplicate_row"),
            (5, Some("activation_code"), "required"),
            (6, Some("serial_number"), "formula_not_allowed"),
            (8, Some("label"), "invalid_label"),
            (9, Some("activation_code"), "invalid_cell"),
            (10, Some("serial_number"), "required"),
            (10, Some("activation_code"), "required"),
        ]
    );
    let good: Vec<u32> = checked.good.iter().map(|g| g.row).collect();
    assert_eq!(good, vec![2, 11]);
    assert!(checked.rejected[1].detail.contains("row 2"));
}

#[test]
fn a_duplicate_of_a_bad_row_is_still_a_duplicate() {
    let rows = [
        header(&["serial_number", "activation_code"]),
        row(2, &[t("SN-0001"), t("")]),
        row(3, &[t("SN-0001"), t("c")]),
        row(4, &[t("SN-0001"), t("c")]),
    ];
    assert_eq!(
        codes(&check_import(&rows).unwrap()),
        vec![
            (2, Some("activation_code"), "required"),
            (3, Some("serial_number"), "duplicate_row"),
            (4, Some("serial_number"), "duplicate_row"),
        ]
    );
}

#[test]
fn codes_and_labels_are_held_to_their_limits() {
    let rows = [
        header(&["serial_number", "activation_code", "label"]),
        row(
            2,
            &[
                t("SN-1"),
                t(&"c".repeat(64)),
                t(&"ä".repeat(MAX_LABEL_CHARS)),
            ],
        ),
        row(3, &[t("SN-2"), t(&"c".repeat(65)), t("")]),
        row(4, &[t("SN-3"), t("c\u{7}"), t("roof\u{202E}")]),
        row(
            5,
            &[t("SN-4"), t("code"), t(&"a".repeat(MAX_LABEL_CHARS + 1))],
        ),
    ];
    let checked = check_import(&rows).unwrap();
    assert_eq!(checked.good.len(), 1);
    assert_eq!(
        codes(&checked),
        vec![
            (3, Some("activation_code"), "invalid_activation_code"),
            (4, Some("activation_code"), "invalid_activation_code"),
            (4, Some("label"), "invalid_label"),
            (5, Some("label"), "invalid_label"),
        ]
    );
    assert_eq!(MAX_LABEL_CHARS, 100, "as a label typed in one by one");
}

#[test]
fn column_letters_count_like_a_spreadsheet() {
    assert_eq!(column_letter(0), "A");
    assert_eq!(column_letter(25), "Z");
    assert_eq!(column_letter(26), "AA");
    assert_eq!(column_letter(701), "ZZ");
    assert_eq!(column_letter(702), "AAA");
}

fn any_cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        Just(Cell::Empty),
        Just(Cell::Formula),
        Just(Cell::NotText("a date")),
        "[A-Z0-9]{4,8}".prop_map(Cell::Text),
        "(SN-[0-9]{2})".prop_map(Cell::Text),
        "[ -~]{0,70}".prop_map(Cell::Text),
    ]
}

proptest! {
    /// Every non-blank row is either good or rejected, never both; row numbers are kept.
    #[test]
    fn every_row_lands_in_exactly_one_list(
        cells in proptest::collection::vec(proptest::collection::vec(any_cell(), 0..4), 0..40),
    ) {
        let mut rows = vec![header(&["serial_number", "activation_code", "label"])];
        rows.extend(cells.into_iter().enumerate().map(|(i, c)| row(u32::try_from(i).unwrap() + 2, &c)));
        let checked = check_import(&rows).unwrap();
        for r in &rows[1..] {
            let good = checked.good.iter().filter(|g| g.row == r.number).count();
            let bad = checked.rejected.iter().any(|b| b.row == r.number);
            if r.is_blank() {
                prop_assert!(good == 0 && !bad);
            } else {
                prop_assert!((good == 1) != bad, "row {}: good {good}, bad {bad}", r.number);
            }
        }
        let mut serials: Vec<_> = checked.good.iter().map(|g| &g.serial).collect();
        let all = serials.len();
        serials.sort();
        serials.dedup();
        prop_assert_eq!(serials.len(), all, "a serial number is good at most once");
    }
}
