//! How run data is stored: JSON text when small, gzip above that, capped in size. Setting
//! up a deflate stream costs more than a small execution's whole run, so small data stays
//! plain; readers tell the two apart by gzip's magic bytes.

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use std::io::{Read, Write};

/// Run data up to this size (JSON bytes) is stored as it is.
const PLAIN_UP_TO: usize = 16 * 1024;
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The bytes to store for `data`; a note instead when over `cap` bytes even compressed.
pub(crate) fn encode(data: &Value, cap: usize) -> Vec<u8> {
    if let Ok(bytes) = encode_whole(data, cap) {
        return bytes;
    }
    let note = json!({ "resultData": { "runData": {}, "truncated": true,
        "note": format!("run data over {cap} bytes was not kept") } });
    serde_json::to_vec(&note).unwrap_or_default()
}

/// The bytes to store for `data`, or how large they would be when over `cap`: for what
/// must be kept whole (a waiting execution's state).
pub(crate) fn encode_whole<T: serde::Serialize>(data: &T, cap: usize) -> Result<Vec<u8>, usize> {
    let text = serde_json::to_vec(data).unwrap_or_default();
    let bytes = if text.len() <= PLAIN_UP_TO {
        text
    } else {
        gzip(&text)
    };
    if bytes.len() <= cap {
        Ok(bytes)
    } else {
        Err(bytes.len())
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Reads stored run data, plain or gzip.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, String> {
    if bytes.starts_with(&GZIP_MAGIC) {
        let mut text = Vec::new();
        GzDecoder::new(bytes)
            .read_to_end(&mut text)
            .map_err(|e| e.to_string())?;
        serde_json::from_slice(&text).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_data_stays_plain_large_data_is_compressed_and_both_read_back() {
        let small = json!({"resultData": {"runData": {"A": [1, 2, 3]}}});
        let stored = encode(&small, 1 << 20);
        assert_eq!(stored[0], b'{');
        assert_eq!(decode(&stored).unwrap(), small);

        let large = json!({"resultData": {"runData": {"A": "x".repeat(100_000)}}});
        let stored = encode(&large, 1 << 20);
        assert!(stored.starts_with(&GZIP_MAGIC) && stored.len() < 10_000);
        assert_eq!(decode(&stored).unwrap(), large);

        let capped = encode(&large, 100);
        assert_eq!(decode(&capped).unwrap()["resultData"]["truncated"], true);
        assert!(decode(b"\x1f\x8bnot gzip").is_err());
    }
}
