//! Reading input lines with a bound, so one huge line cannot exhaust memory.

use crate::shell_support::UTF8_BYTE_ORDER_MARK;
use std::io::{self, BufRead, Read};

/// Longest accepted `submit` line, in bytes.
pub const SUBMIT_LINE_BYTES_MAX: usize = 64 * 1024;

#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// The line's bytes without the line ending.
    Text(Vec<u8>),
    /// The line exceeded `SUBMIT_LINE_BYTES_MAX`; it was skipped to its end.
    TooLong,
}

impl Line {
    /// Bytes the line held (an overlong line counts as the limit).
    pub fn byte_count(&self) -> u64 {
        let count = match self {
            Line::Text(bytes) => bytes.len(),
            Line::TooLong => SUBMIT_LINE_BYTES_MAX,
        };
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// The input is UTF-16 text: no line of it can be read as UTF-8 JSON (each line after
/// the first would begin with a NUL byte), so none is decided. The caller says so once,
/// with the file's name and how to convert it, instead of refusing every line.
#[derive(Debug, thiserror::Error)]
#[error("the input is UTF-16 text, not UTF-8")]
pub struct Utf16Input;

/// How many bytes of an input's start tell its encoding: a UTF-8 byte order mark and
/// the byte after it, or two UTF-16 code units.
const ENCODING_SNIFF_BYTES: usize = 4;

/// `input` without a UTF-8 byte order mark at its very start (Notepad and Excel write
/// one), so that the first line reads as the JSON it holds; an `InvalidData` error
/// holding [`Utf16Input`] when the input starts as UTF-16 does: a UTF-16 byte order
/// mark (not UTF-32's, `FF FE 00 00`), or two code units of ASCII (`{"` is
/// `7B 00 22 00` in UTF-16LE, `00 7B 00 22` in UTF-16BE). A NUL byte alone is no sign:
/// such a line is refused on its own, as any line that is not JSON. It reads at most
/// [`ENCODING_SNIFF_BYTES`] bytes, and never past the end of the first line, so a
/// first line that ends early is never held back.
pub fn skip_byte_order_mark(
    mut input: Box<dyn BufRead + Send>,
) -> io::Result<Box<dyn BufRead + Send>> {
    let mut start = Vec::with_capacity(ENCODING_SNIFF_BYTES);
    while start.len() < ENCODING_SNIFF_BYTES && start.last() != Some(&b'\n') {
        let Some(&byte) = input.fill_buf()?.first() else {
            break;
        };
        start.push(byte);
        input.consume(1);
    }
    if is_utf16(&start) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, Utf16Input));
    }
    let text = start
        .strip_prefix(UTF8_BYTE_ORDER_MARK)
        .map_or(start.clone(), <[u8]>::to_vec);
    Ok(Box::new(io::Cursor::new(text).chain(input)))
}

/// Whether an input's first bytes are UTF-16's (see [`skip_byte_order_mark`]).
fn is_utf16(start: &[u8]) -> bool {
    let ascii = |byte: u8| byte != 0 && byte.is_ascii();
    match start {
        [0xFF, 0xFE, 0, 0] | [0, 0, 0xFE, 0xFF] => false,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => true,
        [first, 0, second, 0] => ascii(*first) && ascii(*second),
        [0, first, 0, second] => ascii(*first) && ascii(*second),
        _ => false,
    }
}

/// Reads one line of at most `SUBMIT_LINE_BYTES_MAX` bytes; `None` at end of input.
pub fn read_bounded_line(input: &mut dyn BufRead) -> io::Result<Option<Line>> {
    let mut bytes = Vec::new();
    let mut too_long = false;
    let mut saw_any = false;
    loop {
        let available = input.fill_buf()?;
        if available.is_empty() {
            break;
        }
        saw_any = true;
        let (taken, found_end) = match available.iter().position(|byte| *byte == b'\n') {
            Some(index) => (index + 1, true),
            None => (available.len(), false),
        };
        let content = &available[..if found_end { taken - 1 } else { taken }];
        if !too_long {
            // One byte over the limit may be a CRLF line's `\r`, not its content.
            if bytes.len() + content.len() > SUBMIT_LINE_BYTES_MAX + 1 {
                too_long = true;
                bytes = Vec::new();
            } else {
                bytes.extend_from_slice(content);
            }
        }
        input.consume(taken);
        if found_end {
            break;
        }
    }
    if !saw_any {
        return Ok(None);
    }
    if bytes.last() == Some(&b'\r') {
        bytes.pop();
    }
    if too_long || bytes.len() > SUBMIT_LINE_BYTES_MAX {
        return Ok(Some(Line::TooLong));
    }
    Ok(Some(Line::Text(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_skips_overlong_ones() {
        let long = "x".repeat(SUBMIT_LINE_BYTES_MAX + 1);
        let text = format!("a\r\n{long}\nb");
        let mut input = io::BufReader::with_capacity(16, text.as_bytes());
        assert_eq!(
            read_bounded_line(&mut input).unwrap(),
            Some(Line::Text(b"a".to_vec()))
        );
        assert_eq!(read_bounded_line(&mut input).unwrap(), Some(Line::TooLong));
        assert_eq!(
            read_bounded_line(&mut input).unwrap(),
            Some(Line::Text(b"b".to_vec()))
        );
        assert_eq!(read_bounded_line(&mut input).unwrap(), None);
    }

    /// A byte order mark is skipped at the start of the input only, whatever the
    /// reads deliver it in; the bytes of a start that is not one are kept.
    #[test]
    fn a_byte_order_mark_is_skipped_only_at_the_start() {
        let lines = |text: &[u8], capacity: usize| {
            let input = io::BufReader::with_capacity(capacity, io::Cursor::new(text.to_vec()));
            let mut input = skip_byte_order_mark(Box::new(input)).unwrap();
            let mut lines = Vec::new();
            while let Some(line) = read_bounded_line(&mut *input).unwrap() {
                lines.push(line);
            }
            lines
        };
        for capacity in [1, 2, 4096] {
            assert_eq!(
                lines(b"\xEF\xBB\xBF{}\n\xEF\xBB\xBF{}\n", capacity),
                [
                    Line::Text(b"{}".to_vec()),
                    Line::Text(b"\xEF\xBB\xBF{}".to_vec())
                ]
            );
            assert_eq!(
                lines(b"\xEF\xBBx\n", capacity),
                [Line::Text(b"\xEF\xBBx".to_vec())]
            );
            assert_eq!(
                lines(b"\n{}", capacity),
                [Line::Text(vec![]), Line::Text(b"{}".to_vec())]
            );
            assert_eq!(lines(b"\xEF\xBB\xBF", capacity), []);
            assert_eq!(lines(b"\n", capacity), [Line::Text(vec![])]);
            assert_eq!(lines(b"{", capacity), [Line::Text(b"{".to_vec())]);
        }
    }

    /// UTF-16 is told from its first bytes, with a byte order mark or without one,
    /// whatever the reads deliver them in; a NUL byte alone, UTF-32 and a short first
    /// line are not UTF-16.
    #[test]
    fn utf16_input_is_refused_at_its_start() {
        let utf16 = |text: &[u8]| {
            let input = io::BufReader::with_capacity(1, io::Cursor::new(text.to_vec()));
            skip_byte_order_mark(Box::new(input)).is_err()
        };
        for text in [
            &b"{\0garbage\n"[..],
            b"\0\n{}\n",
            b"\xFF\xFE\0\0{\0\0\0",
            b"{\0\n",
            b"\n\0",
        ] {
            assert!(!utf16(text), "{text:?}");
        }
        for text in [&b"\xFF\xFE{\0"[..], b"\xFE\xFF\0{", b"{\0\"\0", b"\0{\0\""] {
            for capacity in [1, 2, 4096] {
                let input = io::BufReader::with_capacity(capacity, io::Cursor::new(text.to_vec()));
                let error = skip_byte_order_mark(Box::new(input))
                    .err()
                    .expect("refused");
                assert_eq!(error.kind(), io::ErrorKind::InvalidData);
                assert!(error
                    .get_ref()
                    .is_some_and(|inner| inner.is::<Utf16Input>()));
            }
        }
    }

    /// A line's ending is not its content: a line of exactly the limit is read
    /// whether it ends in LF or CRLF, and one byte more is too long either way.
    #[test]
    fn the_limit_counts_content_not_the_line_ending() {
        let full = "x".repeat(SUBMIT_LINE_BYTES_MAX);
        let over = "x".repeat(SUBMIT_LINE_BYTES_MAX + 1);
        let text = format!("{full}\r\n{full}\n{over}\r\n{over}\n");
        let mut input = io::BufReader::with_capacity(4096, text.as_bytes());
        for _ in 0..2 {
            assert_eq!(
                read_bounded_line(&mut input).unwrap(),
                Some(Line::Text(full.clone().into_bytes()))
            );
        }
        for _ in 0..2 {
            assert_eq!(read_bounded_line(&mut input).unwrap(), Some(Line::TooLong));
        }
        assert_eq!(read_bounded_line(&mut input).unwrap(), None);
    }
}
