//! Lines of a file read one at a time, each bounded: a line longer than
//! [`MAX_LINE_BYTES`] is refused without ever being held whole.
//!
//! The file is read in blocks of [`BLOCK_BYTES`]: line ends are found with
//! `memchr`, and a block's complete lines are checked to be UTF-8 at once (a
//! line end is ASCII, so a block is UTF-8 exactly when each of its lines is).
//! Only a block holding a line that is not UTF-8 is checked line by line, to
//! say which line and where. Lines are handed out as slices of the block, never
//! copied one by one.

use std::io::{self, Read};

/// Longest line read, in bytes (a row of a table is far shorter; an event's
/// JSON with every text at its longest, escaped, fits).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// Bytes asked of the reader at a time.
pub const BLOCK_BYTES: usize = 1 << 20;

/// Complete lines read and not yet all handed out.
#[derive(Debug)]
enum Ready {
    /// Lines known to be UTF-8 (the usual case).
    Text(String),
    /// Lines of which at least one is not UTF-8: each is checked on its own.
    Bytes(Vec<u8>),
}

impl Ready {
    fn bytes(&self) -> &[u8] {
        match self {
            Ready::Text(text) => text.as_bytes(),
            Ready::Bytes(bytes) => bytes,
        }
    }

    /// The buffer, emptied, for the next block.
    fn into_empty(self) -> Vec<u8> {
        let mut bytes = match self {
            Ready::Text(text) => text.into_bytes(),
            Ready::Bytes(bytes) => bytes,
        };
        bytes.clear();
        bytes
    }
}

/// What a refill found.
enum Refill {
    /// More lines are ready.
    Lines,
    /// A line longer than the bound, skipped to its end.
    TooLong,
    /// The end of the file.
    End,
}

/// A reader of bounded lines, numbered from 1.
pub struct Lines<R> {
    reader: R,
    /// Complete lines (each ending with `\n`, but for a file's last line), handed out from `at` on.
    ready: Ready,
    at: usize,
    /// Bytes read after `ready`'s last line end: the start of the next line(s).
    rest: Vec<u8>,
    number: u64,
    max_line: usize,
    block: usize,
    /// Bytes read from `reader` so far.
    read: u64,
}

impl<R: Read> Lines<R> {
    /// Lines of `reader`.
    pub fn new(reader: R) -> Lines<R> {
        Lines::with_bounds(reader, MAX_LINE_BYTES, BLOCK_BYTES)
    }

    /// Lines of `reader` of at most `max_line` bytes, read `block` bytes at a
    /// time (small bounds let tests put block ends anywhere).
    fn with_bounds(reader: R, max_line: usize, block: usize) -> Lines<R> {
        Lines {
            reader,
            ready: Ready::Text(String::new()),
            at: 0,
            rest: Vec::new(),
            number: 0,
            max_line,
            block: block.max(1),
            read: 0,
        }
    }

    /// How many bytes have been read from the reader (a block ahead of the
    /// lines handed out): what a progress bar shows.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    /// The next line: its number and its text without the line end (`\n` or
    /// `\r\n`, and a byte order mark on line 1), or why it cannot be read
    /// (too long, not UTF-8). `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, Result<&str, String>)>> {
        while self.at >= self.ready.bytes().len() {
            match self.refill()? {
                Refill::Lines => {}
                Refill::TooLong => {
                    self.number = self.number.saturating_add(1);
                    return Ok(Some((self.number, Err(self.too_long()))));
                }
                Refill::End => return Ok(None),
            }
        }
        self.number = self.number.saturating_add(1);
        let bytes = self.ready.bytes();
        let start = self.at;
        let pending = bytes.get(start..).unwrap_or_default();
        let end = memchr::memchr(b'\n', pending).map_or(bytes.len(), |at| start.saturating_add(at));
        self.at = end.saturating_add(1);
        let mut line = bytes.get(start..end).unwrap_or_default();
        if line.len() > self.max_line {
            return Ok(Some((self.number, Err(self.too_long()))));
        }
        let (mut from, mut to) = (start, end);
        if let Some(without) = line.strip_suffix(b"\r") {
            line = without;
            to = to.saturating_sub(1);
        }
        if self.number == 1 && line.starts_with(b"\xef\xbb\xbf") {
            from = from.saturating_add(3);
        }
        let text = match &self.ready {
            // Line ends, a `\r` and a byte order mark all lie on character boundaries.
            Ready::Text(text) => text.get(from..to).map(Ok),
            Ready::Bytes(_) => None,
        };
        let text = text.unwrap_or_else(|| {
            std::str::from_utf8(bytes.get(from..to).unwrap_or_default())
                .map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()))
        });
        Ok(Some((self.number, text)))
    }

    fn too_long(&self) -> String {
        format!("the line is longer than {} bytes", self.max_line)
    }

    /// Reads the next block of complete lines into `ready` (what follows the
    /// last line end into `rest`); or, if a line grows longer than the bound
    /// before it ends, skips it to its end, never holding more than the bound
    /// and a block of it.
    fn refill(&mut self) -> io::Result<Refill> {
        let mut buffer = std::mem::replace(&mut self.ready, Ready::Bytes(Vec::new())).into_empty();
        self.at = 0;
        buffer.append(&mut self.rest);
        // Bytes before `searched` hold no line end (all of them may, at first:
        // what a skipped line left over holds many lines).
        let mut searched = 0;
        loop {
            let read = self.read_block(&mut buffer)?;
            let new = buffer.get(searched..).unwrap_or_default();
            if let Some(end) = memchr::memrchr(b'\n', new).map(|at| searched.saturating_add(at)) {
                self.rest.extend_from_slice(buffer.get(end.saturating_add(1)..).unwrap_or_default());
                buffer.truncate(end.saturating_add(1));
                self.ready = ready(buffer);
                return Ok(Refill::Lines);
            }
            if buffer.len() > self.max_line {
                self.skip_line(buffer)?;
                return Ok(Refill::TooLong);
            }
            if read == 0 {
                if buffer.is_empty() {
                    self.ready = Ready::Bytes(buffer);
                    return Ok(Refill::End);
                }
                // The file's last line, without a line end.
                self.ready = ready(buffer);
                return Ok(Refill::Lines);
            }
            searched = buffer.len();
        }
    }

    /// Reads the rest of a line too long to keep, up to its end (what follows
    /// it into `rest`) or the end of the file, a block at a time.
    fn skip_line(&mut self, mut buffer: Vec<u8>) -> io::Result<()> {
        loop {
            buffer.clear();
            if self.read_block(&mut buffer)? == 0 {
                break;
            }
            if let Some(end) = memchr::memchr(b'\n', &buffer) {
                self.rest.extend_from_slice(buffer.get(end.saturating_add(1)..).unwrap_or_default());
                break;
            }
        }
        buffer.clear();
        self.ready = Ready::Bytes(buffer);
        Ok(())
    }

    /// Appends up to a block of the reader's bytes to `buffer`: how many (0 at the end).
    ///
    /// A reader that reads into memory not yet written (a `File`) is given
    /// the buffer's spare room as it is; any other reader gets it zeroed
    /// first, a block at a time (`Read::read_to_end`'s rule). A wrapper
    /// around the file (a progress bar's) made that a `memset` of every
    /// byte read, 1% of a batch run's instructions: progress is counted by
    /// [`Lines::bytes_read`] instead.
    fn read_block(&mut self, buffer: &mut Vec<u8>) -> io::Result<usize> {
        let limit = u64::try_from(self.block).unwrap_or(u64::MAX);
        buffer.reserve(self.block);
        let read = (&mut self.reader).take(limit).read_to_end(buffer)?;
        self.read = self.read.saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
        Ok(read)
    }
}

/// Complete lines, checked to be UTF-8 all at once.
fn ready(bytes: Vec<u8>) -> Ready {
    match String::from_utf8(bytes) {
        Ok(text) => Ready::Text(text),
        Err(error) => Ready::Bytes(error.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(bytes: &[u8]) -> Vec<(u64, Result<String, String>)> {
        collect(Lines::new(bytes))
    }

    fn collect(mut lines: Lines<impl Read>) -> Vec<(u64, Result<String, String>)> {
        let mut out = Vec::new();
        while let Some((n, line)) = lines.next_line().unwrap() {
            out.push((n, line.map(str::to_owned)));
        }
        out
    }

    /// A reader giving at most `step` bytes a call.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// The lines of `bytes` at every block size and read size from 1 to 12
    /// bytes, lines bounded to `max_line`: all the same, returned.
    fn at_every_boundary(bytes: &[u8], max_line: usize) -> Vec<(u64, Result<String, String>)> {
        let expected = collect(Lines::with_bounds(bytes, max_line, 1));
        for block in 1..=12 {
            for step in 1..=12 {
                let lines = Lines::with_bounds(Trickle { bytes, step }, max_line, block);
                assert_eq!(collect(lines), expected, "block {block}, step {step}");
            }
        }
        expected
    }

    #[test]
    fn bytes_read_count_every_byte_by_the_end_a_block_ahead_of_the_lines() {
        let bytes = b"ab\ncdef\n\ng,h\r\nijklmnop";
        let mut lines = Lines::with_bounds(Trickle { bytes, step: 3 }, 100, 5);
        assert_eq!(lines.bytes_read(), 0);
        let mut seen = Vec::new();
        while let Some((n, _)) = lines.next_line().unwrap() {
            seen.push((n, lines.bytes_read()));
        }
        // Blocks of 5 bytes (read 3 and 2) until one holds a line end; the last
        // line ends the file, 22 bytes.
        assert_eq!(seen, [(1, 5), (2, 10), (3, 10), (4, 15), (5, 22)]);
        assert_eq!(lines.bytes_read(), bytes.len() as u64);
    }

    fn ok(n: u64, text: &str) -> (u64, Result<String, String>) {
        (n, Ok(text.to_owned()))
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
        // A line of a block and more, long lines back to back, and one at the end of the file.
        let lines = [vec![b'z'; BLOCK_BYTES * 2 + 7], b"\n".to_vec(), vec![b'w'; MAX_LINE_BYTES + 2]].concat();
        let too_long = Err(format!("the line is longer than {MAX_LINE_BYTES} bytes"));
        assert_eq!(all(&lines), [(1, too_long.clone()), (2, too_long)]);
    }

    #[test]
    fn lines_split_across_blocks_read_whole() {
        let expected = [ok(1, "ab"), ok(2, "cdef"), ok(3, ""), ok(4, "g,h"), ok(5, "ijklmnop")];
        assert_eq!(at_every_boundary(b"ab\ncdef\n\ng,h\r\nijklmnop", 100), expected);
        assert_eq!(at_every_boundary(b"ab\ncdef\n\ng,h\r\nijklmnop\n", 100), expected);
        // A `\r` alone in a block, its `\n` in the next.
        assert_eq!(at_every_boundary(b"a\r\nb\r\n", 100), [ok(1, "a"), ok(2, "b")]);
        assert_eq!(at_every_boundary(b"\n\n", 100), [ok(1, ""), ok(2, "")]);
    }

    #[test]
    fn a_multibyte_character_split_across_blocks_is_read_whole() {
        // é is 2 bytes, € 3, 𝄞 4: every block size cuts some of them.
        let text = "é€𝄞,x\n𝄞€é\nplain\n";
        let expected = [ok(1, "é€𝄞,x"), ok(2, "𝄞€é"), ok(3, "plain")];
        assert_eq!(at_every_boundary(text.as_bytes(), 100), expected);
        // A bad byte anywhere: only its line is refused, saying where in the line.
        let bad = b"ok\n\xe2\x82\xac\xe2\x82\n\xc3\xa9\n\xff\xfe\nlast \xe2\x82\xac";
        assert_eq!(
            at_every_boundary(bad, 100),
            [
                ok(1, "ok"),
                (2, Err("not UTF-8 text (byte 3)".to_owned())),
                ok(3, "é"),
                (4, Err("not UTF-8 text (byte 0)".to_owned())),
                ok(5, "last €")
            ]
        );
    }

    #[test]
    fn a_byte_order_mark_is_dropped_from_line_1_only() {
        let text = "\u{feff}a\r\n\u{feff}b\n";
        assert_eq!(at_every_boundary(text.as_bytes(), 100), [ok(1, "a"), ok(2, "\u{feff}b")]);
        // Only the mark: an empty first line.
        assert_eq!(at_every_boundary("\u{feff}".as_bytes(), 100), [ok(1, "")]);
    }

    #[test]
    fn lines_over_the_bound_are_refused_wherever_the_blocks_end() {
        let too_long = |n| (n, Err("the line is longer than 4 bytes".to_owned()));
        // The bound counts a `\r` before the `\n`, as the line before its end was read.
        assert_eq!(
            at_every_boundary(b"1234\n12345\nab\n123\r\n1234\r\nxyzxyzxyzxyz\nend\n123456", 4),
            [
                ok(1, "1234"),
                too_long(2),
                ok(3, "ab"),
                ok(4, "123"),
                too_long(5),
                too_long(6),
                ok(7, "end"),
                too_long(8)
            ]
        );
        // Not UTF-8 and too long: too long.
        assert_eq!(at_every_boundary(b"\xff\xff\xff\xff\xff\nok\n", 4), [too_long(1), ok(2, "ok")]);
    }

    /// The lines of `bytes` as a whole file split on `\n` gives them.
    fn reference(bytes: &[u8], max_line: usize) -> Vec<(u64, Result<String, String>)> {
        let mut pieces: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        if bytes.is_empty() || bytes.ends_with(b"\n") {
            pieces.pop();
        }
        let mut out = Vec::new();
        for (n, piece) in (1..).zip(pieces) {
            if piece.len() > max_line {
                out.push((n, Err(format!("the line is longer than {max_line} bytes"))));
                continue;
            }
            let mut line = piece.strip_suffix(b"\r").unwrap_or(piece);
            if n == 1 {
                line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            }
            let text = std::str::from_utf8(line).map(str::to_owned);
            out.push((n, text.map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()))));
        }
        out
    }

    #[test]
    fn random_files_read_as_a_whole_file_split_on_line_ends() {
        // Bytes that make line ends, `\r`, byte order marks, characters and bad bytes.
        const PIECES: [&[u8]; 9] =
            [b"a", b"\n", b"\r", b"\xef\xbb\xbf", b"\xc3\xa9", b"\xe2\x82\xac", b"\xc3", b"\xff", b"bc,"];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |below: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below) as usize
        };
        for _ in 0..300 {
            let bytes: Vec<u8> = (0..next(30)).flat_map(|_| PIECES[next(9)].iter().copied()).collect();
            let max_line = 1 + next(12);
            assert_eq!(at_every_boundary(&bytes, max_line), reference(&bytes, max_line), "{bytes:?}, bound {max_line}");
        }
    }

    #[test]
    fn a_long_line_is_never_held_whole() {
        // 100 blocks of one line, bounded to 5 blocks: the buffers stay within bound and block.
        let long = [vec![b'q'; 100 * 64], b"\nok\n".to_vec()].concat();
        let mut lines = Lines::with_bounds(long.as_slice(), 5 * 64, 64);
        assert_eq!(lines.next_line().unwrap().unwrap(), (1, Err("the line is longer than 320 bytes".to_owned())));
        // At most twice the bound and a block (a vector doubles as it grows), a block left over.
        let Ready::Bytes(buffer) = &lines.ready else { panic!("{:?}", lines.ready) };
        assert!(buffer.capacity() <= 2 * (320 + 64) && lines.rest.capacity() <= 2 * 64, "{}", buffer.capacity());
        assert_eq!(lines.next_line().unwrap().unwrap(), (2, Ok("ok")));
        assert!(lines.next_line().unwrap().is_none());
    }
}
