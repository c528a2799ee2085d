//! Zip bombs: 1 GiB of zeros deflated into about 1 MiB, with honest and with lying sizes in the
//! zip's directory, refused before they are unpacked; the peak memory of a process refusing
//! them is measured in a child process (VmHWM) and held under 128 MB.

use std::io::Write;

use flate2::{Compress, Compression, FlushCompress};

use super::*;

const MIB: usize = 1024 * 1024;

/// Raw deflate of `mib` MiB of zeros, built from one compressed MiB repeated: a full flush
/// resets the compressor, so each copy decodes on its own after any other.
fn deflated_zeros(mib: usize) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(MIB);
    c.compress_vec(&vec![0u8; MIB], &mut block, FlushCompress::Full)
        .unwrap();
    assert_eq!(c.total_in(), MIB as u64, "the whole MiB went in");
    let mut stream = Vec::with_capacity(block.len() * mib + 16);
    for _ in 0..mib {
        stream.extend_from_slice(&block);
    }
    let mut end = Vec::with_capacity(64);
    c.compress_vec(&[], &mut end, FlushCompress::Finish)
        .unwrap();
    stream.extend_from_slice(&end);
    stream
}

/// A zip of one deflated entry whose directory says it unpacks to `declared` bytes.
fn zip_of(name: &str, data: &[u8], declared: u32) -> Vec<u8> {
    let packed = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut out = Vec::with_capacity(data.len() + 200);
    let common = |out: &mut Vec<u8>| {
        out.write_all(&20u16.to_le_bytes()).unwrap(); // version needed
        out.write_all(&0u16.to_le_bytes()).unwrap(); // flags
        out.write_all(&8u16.to_le_bytes()).unwrap(); // deflate
        out.write_all(&[0; 4]).unwrap(); // time, date
        out.write_all(&0u32.to_le_bytes()).unwrap(); // crc: never reached
        out.write_all(&packed.to_le_bytes()).unwrap();
        out.write_all(&declared.to_le_bytes()).unwrap();
        out.write_all(&name_len.to_le_bytes()).unwrap();
        out.write_all(&0u16.to_le_bytes()).unwrap(); // extra
    };
    out.write_all(b"PK\x03\x04").unwrap();
    common(&mut out);
    out.write_all(name.as_bytes()).unwrap();
    out.write_all(data).unwrap();
    let directory = u32::try_from(out.len()).unwrap();
    out.write_all(b"PK\x01\x02").unwrap();
    out.write_all(&20u16.to_le_bytes()).unwrap(); // version made by
    common(&mut out);
    out.write_all(&[0; 8]).unwrap(); // comment length, disk, internal attributes
    out.write_all(&0u32.to_le_bytes()).unwrap(); // external attributes
    out.write_all(&0u32.to_le_bytes()).unwrap(); // local header offset
    out.write_all(name.as_bytes()).unwrap();
    let size = u32::try_from(out.len()).unwrap() - directory;
    out.write_all(b"PK\x05\x06").unwrap();
    out.write_all(&[0; 4]).unwrap(); // disks
    out.write_all(&1u16.to_le_bytes()).unwrap();
    out.write_all(&1u16.to_le_bytes()).unwrap();
    out.write_all(&size.to_le_bytes()).unwrap();
    out.write_all(&directory.to_le_bytes()).unwrap();
    out.write_all(&0u16.to_le_bytes()).unwrap();
    out
}

const SHEET: &str = "xl/worksheets/sheet1.xml";

fn refused(bytes: &[u8]) -> DomainError {
    read(bytes, Format::Xlsx, &Limits::default()).unwrap_err()
}

#[test]
fn the_bomb_unpacks_to_what_it_says() {
    // The generator itself, checked small: 3 MiB of zeros, read back through zip.
    let bytes = zip_of(SHEET, &deflated_zeros(3), 3 * MIB as u32);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    let mut entry = zip.by_index(0).unwrap();
    let mut sink = Vec::new();
    let _ = std::io::Read::read_to_end(&mut entry, &mut sink); // the CRC is left at 0
    assert_eq!(sink.len(), 3 * MIB);
    assert!(sink.iter().all(|&b| b == 0));
}

#[test]
fn a_bomb_is_refused_by_its_directory() {
    let data = deflated_zeros(1024);
    assert!(data.len() < 2 * MIB, "1 GiB in {} bytes", data.len());
    let err = refused(&zip_of(SHEET, &data, 1 << 30));
    assert!(
        matches!(
            err,
            DomainError::TooLarge {
                code: "unpacked_too_large",
                ..
            }
        ),
        "{err:?}"
    );
    // Under the ratio's threshold but over the limit in total.
    let err = read(
        &zip_of(SHEET, &deflated_zeros(1), MIB as u32),
        Format::Xlsx,
        &Limits {
            max_unpacked_bytes: 1000,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "unpacked_too_large");
}

#[test]
fn a_bomb_that_lies_about_its_size_is_stopped_while_unpacking() {
    let err = refused(&zip_of(SHEET, &deflated_zeros(1024), 1000));
    assert_eq!(err.code(), "unpacked_too_large", "{err:?}");
}

#[test]
fn an_archive_of_too_many_parts_is_refused() {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for part in 0..=unpack::MAX_ENTRIES {
        zip.start_file(format!("xl/part{part}.xml"), stored)
            .unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(refused(&bytes).code(), "unpacked_too_large");
}

/// Runs `test` of this file in a child process and answers the child's peak resident memory.
fn peak_kib_of(test: &str) -> u64 {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env("SHEETS_BOMB_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no VmHWM in the child's output: {stdout}"))
}

/// The child: refuses both bombs (1 GiB of zeros each) and prints its peak memory.
#[test]
fn child_refuses_bombs() {
    if std::env::var_os("SHEETS_BOMB_CHILD").is_none() {
        return;
    }
    let data = deflated_zeros(1024);
    for declared in [1 << 30, 1000] {
        assert_eq!(
            refused(&zip_of(SHEET, &data, declared)).code(),
            "unpacked_too_large"
        );
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    println!("\n{peak}");
}

#[test]
fn refusing_a_bomb_keeps_peak_memory_under_128_mb() {
    let kib = peak_kib_of("tests::bombs::child_refuses_bombs");
    println!(
        "peak memory of a process refusing two 1 GiB zip bombs: {} MiB",
        kib / 1024
    );
    assert!(kib < 128 * 1000, "peak {kib} KiB");
}
