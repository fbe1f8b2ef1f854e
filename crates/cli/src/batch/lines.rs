//! Lines of a file read one at a time, each bounded: a line longer than
//! [`MAX_LINE_BYTES`] is refused without ever being held whole.

use std::io::{self, BufRead};

/// Longest line read, in bytes (a row of a table is far shorter; an event's
/// JSON with every text at its longest, escaped, fits).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// A reader of bounded lines, numbered from 1.
pub struct Lines<R> {
    reader: R,
    buffer: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    /// Lines of `reader`.
    pub fn new(reader: R) -> Lines<R> {
        Lines { reader, buffer: Vec::new(), number: 0 }
    }

    /// The next line: its number and its text without the line end (`\n` or
    /// `\r\n`, and a byte order mark on line 1), or why it cannot be read
    /// (too long, not UTF-8). `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&str, String>)>> {
        self.buffer.clear();
        let (mut too_long, mut any) = (false, false);
        loop {
            let available = self.reader.fill_buf()?;
            if available.is_empty() {
                break;
            }
            any = true;
            let (take, ends) = match available.iter().position(|&b| b == b'\n') {
                Some(at) => (at, true),
                None => (available.len(), false),
            };
            if !too_long {
                match self.buffer.len().checked_add(take) {
                    Some(length) if length <= MAX_LINE_BYTES => {
                        self.buffer.extend_from_slice(available.get(..take).unwrap_or_default());
                    }
                    _ => {
                        too_long = true;
                        self.buffer.clear();
                    }
                }
            }
            self.reader.consume(if ends { take.saturating_add(1) } else { take });
            if ends {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.number = self.number.saturating_add(1);
        if too_long {
            return Ok(Some((self.number, Err(format!("the line is longer than {MAX_LINE_BYTES} bytes")))));
        }
        let mut bytes = self.buffer.as_slice();
        if let Some(line) = bytes.strip_suffix(b"\r") {
            bytes = line;
        }
        if self.number == 1
            && let Some(line) = bytes.strip_prefix(b"\xef\xbb\xbf")
        {
            bytes = line;
        }
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()));
        Ok(Some((self.number, text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8]) -> Vec<(u64, Result<String, String>)> {
        let mut lines = Lines::new(bytes);
        let mut out = Vec::new();
        while let Some((n, line)) = lines.next_line().unwrap() {
            out.push((n, line.map(str::to_owned)));
        }
        out
    }

    #[test]
    fn lines_end_at_newlines_without_their_ends() {
        assert_eq!(
            all(b"\xef\xbb\xbfa,b\r\n\nc\xff\nlast"),
            [
                (1, Ok("a,b".to_owned())),
                (2, Ok(String::new())),
                (3, Err("not UTF-8 text (byte 1)".to_owned())),
                (4, Ok("last".to_owned()))
            ]
        );
        assert_eq!(all(b""), []);
        assert_eq!(all(b"x\n"), [(1, Ok("x".to_owned()))]);
    }

    #[test]
    fn a_line_too_long_is_refused_and_the_next_one_read() {
        let long = [vec![b'x'; MAX_LINE_BYTES + 1], b"\nnext\n".to_vec()].concat();
        // A small buffer: the long line arrives in many pieces.
        let mut lines = Lines::new(std::io::BufReader::with_capacity(1000, long.as_slice()));
        let (n, first) = lines.next_line().unwrap().unwrap();
        assert_eq!((n, first), (1, Err(format!("the line is longer than {MAX_LINE_BYTES} bytes"))));
        let (n, second) = lines.next_line().unwrap().unwrap();
        assert_eq!((n, second), (2, Ok("next")));
        assert!(lines.next_line().unwrap().is_none());
        // Exactly the bound is read.
        let exact = vec![b'y'; MAX_LINE_BYTES];
        assert_eq!(all(&exact)[0].1.as_ref().map(String::len), Ok(MAX_LINE_BYTES));
    }
}
