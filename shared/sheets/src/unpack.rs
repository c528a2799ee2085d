//! The zip-bomb guard of `.xlsx` uploads, run before calamine opens the archive. First the
//! central directory: entry count, declared sizes and compression ratios. Declared sizes can
//! lie, so then every entry's raw bytes are inflated (flate2) through a reader that stops one
//! byte past what is left of the limit, its output thrown away: memory stays flat, time stays bounded by the limit,
//! and an archive that passes is known to unpack (deterministically, calamine reading the same
//! bytes with the same zip crate) to no more than the limit.

use std::io::{Cursor, Read};

use flate2::read::DeflateDecoder;
use shop_domain::DomainError;
use zip::{CompressionMethod, ZipArchive};

use crate::{Format, unreadable};

/// A workbook Excel writes has 10 to 30 parts; a few hundred is no spreadsheet.
pub const MAX_ENTRIES: usize = 500;
/// Above this declared size, an entry may be at most `MAX_RATIO` times its compressed size.
/// Spreadsheet XML compresses about 5 to 30 times; deflate's ceiling is about 1,000.
pub const RATIO_FROM_BYTES: u64 = 1024 * 1024;
pub const MAX_RATIO: u64 = 200;

pub(crate) fn check(bytes: &[u8], limit: u64) -> Result<(), DomainError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| unreadable(Format::Xlsx, "it is not a zip archive"))?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_large(format!(
            "The workbook has {} parts; at most {MAX_ENTRIES} are read.",
            zip.len()
        )));
    }
    let mut declared: u64 = 0;
    for index in 0..zip.len() {
        let entry = zip
            .by_index_raw(index)
            .map_err(|_| unreadable(Format::Xlsx, "a part of it cannot be read"))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > RATIO_FROM_BYTES && size / packed.max(1) > MAX_RATIO {
            return Err(too_large(format!(
                "A part of the workbook unpacks to {} times its size; at most {MAX_RATIO} \
                 is taken.",
                size / packed.max(1)
            )));
        }
        declared = declared.saturating_add(size);
    }
    if declared > limit {
        return Err(too_large(format!(
            "The workbook unpacks to {declared} bytes; at most {limit} are read."
        )));
    }
    let mut left = limit;
    for index in 0..zip.len() {
        let unpacked = inflated(zip.by_index_raw(index), left.saturating_add(1))?;
        if unpacked > left {
            return Err(too_large(format!(
                "The workbook unpacks to more than {limit} bytes (more than its directory says)."
            )));
        }
        left -= unpacked;
    }
    Ok(())
}

/// How many bytes the raw (still compressed) entry inflates to, counting at most `at_most`:
/// inflated here with flate2 rather than through zip's reader, so the bound holds whatever
/// zip makes of the sizes its directory declares.
fn inflated(
    entry: zip::result::ZipResult<zip::read::ZipFile<'_, Cursor<&[u8]>>>,
    at_most: u64,
) -> Result<u64, DomainError> {
    let cannot = || unreadable(Format::Xlsx, "a part of it cannot be unpacked");
    let entry = entry.map_err(|_| cannot())?;
    if entry.encrypted() {
        return Err(unreadable(Format::Xlsx, "a part of it is encrypted"));
    }
    let sink = &mut std::io::sink();
    match entry.compression() {
        CompressionMethod::Stored => std::io::copy(&mut entry.take(at_most), sink),
        CompressionMethod::Deflated => {
            std::io::copy(&mut DeflateDecoder::new(entry).take(at_most), sink)
        }
        _ => {
            return Err(unreadable(
                Format::Xlsx,
                "a part of it is compressed in a way no .xlsx is",
            ));
        }
    }
    .map_err(|_| cannot())
}

fn too_large(detail: String) -> DomainError {
    DomainError::TooLarge {
        code: "unpacked_too_large",
        detail,
    }
}
