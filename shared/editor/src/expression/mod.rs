//! The expression editor's logic: how an `={{ … }}` parameter is drawn (`highlight`) and
//! what may be typed next at the caret (`complete`). Browsers count text in UTF-16 units,
//! Rust in bytes: `byte_at` and `utf16_at` convert caret positions.

mod complete;
mod highlight;

pub use complete::{Completion, Samples, Suggestion, complete, kind_of};
pub use highlight::{Piece, Tone, highlight};

/// The byte offset of UTF-16 position `units` in `text` (clamped to its end, and to a
/// character boundary).
pub fn byte_at(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (at, c) in text.char_indices() {
        if seen >= units {
            return at;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// The UTF-16 position of byte offset `byte` in `text`.
pub fn utf16_at(text: &str, byte: usize) -> usize {
    text.char_indices()
        .take_while(|(at, _)| *at < byte)
        .map(|(_, c)| c.len_utf16())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_convert_between_utf16_and_bytes() {
        let text = "={{ 'é😀' }}x";
        for (units, byte) in [(0, 0), (5, 5), (6, 7), (8, 11), (99, text.len())] {
            assert_eq!(byte_at(text, units), byte, "{units}");
        }
        assert_eq!(utf16_at(text, 11), 8);
        assert_eq!(utf16_at(text, 7), 6);
    }
}
