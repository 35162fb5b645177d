//! Chinese help text broken into lines that fit the terminal.
//!
//! clap wraps help at ASCII spaces only, and counts a Chinese character as one column
//! where a terminal shows two: a Chinese sentence, which has no spaces, ran past the
//! edge of an 80-column terminal and was cut there by the terminal, mid-word. So the
//! Chinese help is broken here first, into lines that fit where clap prints them
//! ([`help_width`], the same width clap uses), and clap, finding every line short
//! enough, leaves them as they are.
//!
//! Lines break at a space (dropped at the break), or between two characters of which
//! one is wide (a Chinese character or full-width punctuation), but never before
//! closing punctuation (，。、；：！？）》」』】…) or after opening punctuation
//! (（《「『【), the usual rule of Chinese typesetting; an ASCII word (an option, a
//! path, a URL) is never cut. A word longer than the line gets a line of its own.

use unicode_width::UnicodeWidthChar;

/// clap's width when it finds neither a terminal nor `COLUMNS` (clap 4's default).
const HELP_WIDTH_DEFAULT_COLUMNS: usize = 100;
/// Narrower than this, lines are not broken for it: each would hold a few characters.
const HELP_WIDTH_MIN_COLUMNS: usize = 20;

/// The width clap wraps help at: the terminal's (of standard output, error or input,
/// the first that is one), else `COLUMNS`, else 100 (`clap_builder`'s `dimensions`
/// with `wrap_help`, and no `max_term_width`). `localize` sets it as the command's
/// `term_width`, so the two cannot disagree.
pub fn help_width() -> usize {
    terminal_size::terminal_size()
        .map(|(width, _)| usize::from(width.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|width| *width > 0)
        .unwrap_or(HELP_WIDTH_DEFAULT_COLUMNS)
}

/// `text` with each of its lines broken to fit `width` columns (its own line breaks
/// kept). Text that already fits is returned as it is.
pub fn wrap(text: &str, width: usize) -> String {
    let width = width.max(HELP_WIDTH_MIN_COLUMNS);
    text.split('\n')
        .map(|line| wrap_line(line, width))
        .collect::<Vec<_>>()
        .join("\n")
}

fn columns(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

fn is_wide(c: char) -> bool {
    c.width() == Some(2)
}

/// Punctuation a line must not start with.
fn is_closing(c: char) -> bool {
    "，。、；：！？）》」』】〉…—·%,.;:!?)]}".contains(c)
}

/// Punctuation a line must not end with.
fn is_opening(c: char) -> bool {
    "（《「『【〈([{".contains(c)
}

/// One line, broken greedily: each piece is as long as fits.
fn wrap_line(line: &str, width: usize) -> String {
    if columns(line) <= width {
        return line.to_owned();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in pieces(line) {
        let fits = columns(&current) + columns(piece) <= width;
        if !fits && !current.trim().is_empty() {
            lines.push(current.trim_end().to_owned());
            current = String::new();
        }
        if current.is_empty() {
            current.push_str(piece.trim_start());
        } else {
            current.push_str(piece);
        }
    }
    if !current.trim().is_empty() {
        lines.push(current.trim_end().to_owned());
    }
    lines.join("\n")
}

/// `line` cut at every place a line may break: each piece starts at one (its leading
/// space, if any, is where the break falls and is dropped there).
fn pieces(line: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut previous: Option<char> = None;
    for (at, c) in line.char_indices() {
        if let Some(before) = previous {
            if at > start && may_break(before, c) {
                pieces.push(&line[start..at]);
                start = at;
            }
        }
        previous = Some(c);
    }
    pieces.push(&line[start..]);
    pieces
}

/// Whether a line may break between `before` and `after`.
fn may_break(before: char, after: char) -> bool {
    if is_closing(after) || is_opening(before) {
        return false;
    }
    (after == ' ' && before != ' ') || is_wide(before) || is_wide(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_breaks_between_characters_never_before_a_comma_or_after_a_bracket() {
        let text =
            "每一行单独处理：格式错误或被拒绝的行得到一个指出问题的结果（其他各行照常处理）。";
        let wrapped = wrap(text, 20);
        for line in wrapped.lines() {
            assert!(columns(line) <= 20, "{line:?} in {wrapped}");
            let first = line.chars().next().unwrap();
            let last = line.chars().last().unwrap();
            assert!(!is_closing(first), "{line:?} starts with {first}");
            assert!(!is_opening(last), "{line:?} ends with {last}");
        }
        assert_eq!(wrapped.replace('\n', ""), text);
        assert!(wrapped.lines().count() >= 4, "{wrapped}");
    }

    #[test]
    fn ascii_words_are_never_cut_and_spaces_at_a_break_are_dropped() {
        let text = "先用 `flexledger --store URL migrate` 建表一次。--data-dir 仍保存审计签名密钥";
        let wrapped = wrap(text, 24);
        for word in ["`flexledger", "--store", "URL", "migrate`", "--data-dir"] {
            assert!(
                wrapped.lines().any(|line| line.contains(word)),
                "{word} cut in {wrapped}"
            );
        }
        assert!(
            wrapped.lines().all(|line| line == line.trim()),
            "{wrapped:?}"
        );
        assert_eq!(
            wrapped.replace(['\n', ' '], ""),
            text.replace(' ', ""),
            "nothing but spaces at breaks goes"
        );
    }

    #[test]
    fn what_fits_and_its_own_line_breaks_are_kept() {
        let text = "退出码：0 成功。\n\n每个文件参数都接受 '-'。";
        assert_eq!(wrap(text, 80), text);
        let long_word = "https://example.org/a/very/long/path/that/cannot/break 之后";
        let wrapped = wrap(long_word, 20);
        assert_eq!(
            wrapped.lines().next(),
            Some("https://example.org/a/very/long/path/that/cannot/break")
        );
    }
}
