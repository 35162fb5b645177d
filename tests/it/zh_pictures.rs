//! The timeline picture and the audit page in Chinese: their words are Chinese (codes
//! aside), they fit where they are drawn (a Han character is about 1 em wide, twice a
//! Latin letter), they carry their language and a CJK font, and over HTTP the reader
//! chooses the language with `?lang=` or `Accept-Language`.

use crate::http::{token, MEMBER};
use crate::http_app::App;
use crate::support::repo_path;
use flexledger::audit::timeline::TIMELINE_WIDTH_PX;
use std::path::PathBuf;

/// Width of a Latin letter, digit or sign as a share of the font size: DejaVu Sans's
/// widest common letters, a little over its average, so the check errs on the safe side.
const LATIN_WIDTH_EM: f64 = 0.62;
/// Width of a Han character or full-width sign: one em.
const HAN_WIDTH_EM: f64 = 1.0;
/// Width of a cell of the grid (`timeline.rs`), and how far its label starts inside it.
const CELL_WIDTH_PX: f64 = 66.0;
const CELL_LABEL_INSET_PX: f64 = 6.0;

/// ASCII words the Chinese picture and page may hold besides codes (words with `_`, `-`
/// or digits, CamelCase event types): the product, the rules' file, ids, the fixtures'
/// region and tier names, and P-restore's values as RULES.zh.md keeps them.
const CODE_WORDS: &[&str] = &[
    "flexledger",
    "RULES",
    "md",
    // RULES.zh.md, the rules in Chinese.
    "zh",
    "id",
    "UUID",
    "UTC",
    // Region names of the scenarios (data, not words).
    "demo",
    "north",
    // Benefit tier names: the scenarios' policies name them (data, not words).
    "basic",
    "enhanced",
    "retroactive",
    "prospective",
];

/// The expect files of every case whose names end with `suffix`.
fn expect_files(suffix: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for case in std::fs::read_dir(repo_path("tests/expect")).unwrap() {
        for file in std::fs::read_dir(case.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.to_string_lossy().ends_with(suffix) {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 9, "{suffix}: {files:?}");
    files
}

/// Whether a character is drawn about 1 em wide (Han, kana, full-width forms).
fn is_wide(character: char) -> bool {
    let mut buffer = [0u8; 4];
    flexledger::i18n::display_width(character.encode_utf8(&mut buffer)) == 2
}

/// The drawn width of `text` at `size` px, by character class (never by bytes).
fn width_px(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { HAN_WIDTH_EM } else { LATIN_WIDTH_EM } * size)
        .sum()
}

/// One line of text as drawn: its baseline, left and right ends, and its text.
#[derive(Debug)]
struct Drawn {
    y: f64,
    left: f64,
    right: f64,
    text: String,
    cell_label: bool,
}

fn number(node: roxmltree::Node, name: &str) -> Option<f64> {
    node.attribute(name).and_then(|value| value.parse().ok())
}

/// Every line the picture draws: a `<text>` and its `<tspan>`s (a `tspan` with `dy`
/// starts a new line at its own `x`).
fn drawn_lines(svg: &str) -> Vec<Drawn> {
    let document = roxmltree::Document::parse(svg).unwrap();
    let mut lines = Vec::new();
    for text in document.descendants().filter(|n| n.has_tag_name("text")) {
        let size = number(text, "font-size").unwrap();
        let (x, y) = (number(text, "x").unwrap(), number(text, "y").unwrap());
        let cell_label = text
            .parent()
            .is_some_and(|parent| parent.attribute("class") == Some("cell"))
            && text.attribute("font-weight") == Some("bold");
        let mut line = Drawn {
            y,
            left: x,
            right: x,
            text: String::new(),
            cell_label,
        };
        for piece in text.descendants().filter(|n| n.is_text()) {
            let tspan = piece.parent().filter(|p| p.has_tag_name("tspan"));
            if let Some(dy) = tspan.and_then(|t| number(t, "dy")) {
                let next_x = tspan.and_then(|t| number(t, "x")).unwrap();
                let next_y = line.y + dy;
                lines.push(std::mem::replace(
                    &mut line,
                    Drawn {
                        y: next_y,
                        left: next_x,
                        right: next_x,
                        text: String::new(),
                        cell_label: false,
                    },
                ));
            }
            let gap = tspan.and_then(|t| number(t, "dx")).unwrap_or(0.0);
            let content = piece.text().unwrap();
            line.right += gap + width_px(content, size);
            line.text.push_str(content);
        }
        if text.attribute("text-anchor") == Some("middle") {
            let half = (line.right - line.left) / 2.0;
            (line.left, line.right) = (x - half, x + half);
        }
        lines.push(line);
    }
    lines
}

/// What overflows: a line past the picture's right edge, a cell's label past its cell,
/// or a line running into the next one on its baseline.
fn overflows(svg: &str) -> Vec<String> {
    let mut lines = drawn_lines(svg);
    let mut problems = Vec::new();
    let edge = f64::from(i32::try_from(TIMELINE_WIDTH_PX).unwrap());
    for line in &lines {
        if line.right > edge {
            problems.push(format!("past the right edge ({edge}): {line:?}"));
        }
        let cell_right = line.left - CELL_LABEL_INSET_PX + CELL_WIDTH_PX;
        if line.cell_label && line.right > cell_right {
            problems.push(format!("past its cell ({cell_right}): {line:?}"));
        }
    }
    lines.sort_by(|a, b| (a.y, a.left).partial_cmp(&(b.y, b.left)).unwrap());
    for pair in lines.windows(2) {
        if pair[0].y == pair[1].y && pair[0].right > pair[1].left {
            problems.push(format!("runs into the next: {:?} / {:?}", pair[0], pair[1]));
        }
    }
    problems
}

#[test]
fn every_line_of_the_chinese_pictures_fits() {
    let mut problems = Vec::new();
    for suffix in [".timeline.zh-CN.svg"] {
        for path in expect_files(suffix) {
            let svg = std::fs::read_to_string(&path).unwrap();
            for problem in overflows(&svg) {
                problems.push(format!("{}: {problem}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The check can fail: a label of nine Han characters is wider than a cell.
    let wide = r#"<svg xmlns="http://www.w3.org/2000/svg"><g class="cell"><text x="82" y="148" font-size="11.5" font-weight="bold">未参保未参保未参保</text></g></svg>"#;
    assert!(overflows(wide)
        .iter()
        .any(|problem| problem.contains("past its cell")));
}

/// The visible text of an SVG or HTML document: what is outside tags, styles and
/// entities.
fn visible_text(document: &str) -> String {
    let mut text = String::new();
    let mut rest = document;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let skip_to = if rest[open..].starts_with("<style") {
            "</style>"
        } else {
            ">"
        };
        let close = rest[open..].find(skip_to).unwrap() + open + skip_to.len();
        rest = &rest[close..];
    }
    text.push_str(rest);
    let mut plain = String::new();
    let mut entity = false;
    for character in text.chars() {
        match character {
            '&' => entity = true,
            ';' if entity => entity = false,
            _ if entity => {}
            other => plain.push(other),
        }
    }
    plain
}

/// ASCII words of `text` that are not codes.
fn english_words(text: &str) -> Vec<&str> {
    crate::support::english_words(text, CODE_WORDS)
}

#[test]
fn the_chinese_picture_and_page_have_no_english_words_and_say_their_language() {
    let mut problems = Vec::new();
    for suffix in [".timeline.zh-CN.svg", ".page.zh-CN.html"] {
        for path in expect_files(suffix) {
            let document = std::fs::read_to_string(&path).unwrap();
            let visible = visible_text(&document);
            let words = english_words(&visible);
            if !words.is_empty() {
                problems.push(format!("{}: {words:?}", path.display()));
            }
            let marks = [
                "lang=\"zh-CN\"",
                "Noto Sans CJK SC",
                "Microsoft YaHei",
                "月份状态",
            ];
            for mark in marks {
                if !document.contains(mark) {
                    problems.push(format!("{}: no {mark}", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for path in expect_files(".page.html") {
        let page = std::fs::read_to_string(&path).unwrap();
        assert!(page.contains("<html lang=\"en\">"), "{}", path.display());
    }
    // The check can fail: an English sentence is named.
    let sample = visible_text("<p>状态 <b>lapsed</b> by a close</p>");
    assert_eq!(english_words(&sample), ["lapsed", "by", "a", "close"]);
}

/// The audit page and the picture follow `?lang=`, then `Accept-Language`, and say so
/// in `Content-Language`; without either, and for a language the ledger does not
/// speak, they are English (byte for byte what they were).
#[test]
fn the_page_and_the_picture_speak_the_language_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::start(dir.path());
    let authorization = format!("Bearer {}", token("auditor"));
    let get = |path: &str, accept: Option<&str>| {
        let mut headers = vec![("authorization", authorization.as_str())];
        if let Some(accept) = accept {
            headers.push(("accept-language", accept));
        }
        let (status, headers, body) = app.exchange("GET", path, &headers, None);
        let header = |name: &str| {
            headers
                .get(name)
                .map_or(String::new(), |value| value.to_str().unwrap().to_owned())
        };
        let (language, vary) = (header("content-language"), header("vary"));
        (status, language, vary, body)
    };
    for route in [
        format!("/audit/members/{MEMBER}"),
        format!("/v1/members/{MEMBER}/timeline.svg"),
    ] {
        let (status, language, vary, english) = get(&route, None);
        assert_eq!((status, language.as_str()), (200, "en"), "{route}");
        assert!(vary.contains("accept-language"), "{route}: {vary}");
        assert!(english.contains("Month status"), "{route}");
        assert!(!english.contains("月份状态"), "{route}");
        let asks = [
            (format!("{route}?lang=zh-CN"), None),
            (route.clone(), Some("zh-CN,zh;q=0.9,en;q=0.5")),
            (format!("{route}?lang=zh-CN"), Some("en")),
        ];
        for (path, accept) in asks {
            let (status, language, _, chinese) = get(&path, accept);
            assert_eq!((status, language.as_str()), (200, "zh-CN"), "{path}");
            assert!(chinese.contains("月份状态"), "{path}");
            assert!(chinese.contains("lang=\"zh-CN\""), "{path}");
        }
        let english_again = [
            (format!("{route}?lang=en"), Some("zh-CN")),
            (format!("{route}?lang=fr"), None),
            (route.clone(), Some("fr-FR")),
        ];
        for (path, accept) in english_again {
            let (status, language, _, body) = get(&path, accept);
            assert_eq!((status, language.as_str()), (200, "en"), "{path}");
            assert_eq!(body, english, "{path}");
        }
    }
    let (status, language, _, missing) = get(
        "/audit/members/00000000-0000-0000-0000-000000000000?lang=zh-CN",
        None,
    );
    assert_eq!((status, language.as_str()), (404, "zh-CN"));
    assert!(missing.contains("无此参保人员"), "{missing}");
    // `lang` twice does not parse: the page says so in a page, the picture in JSON.
    let (status, _, _, twice) = get(&format!("/audit/members/{MEMBER}?lang=en&lang=zh-CN"), None);
    assert_eq!(status, 400);
    assert!(twice.starts_with("<!DOCTYPE html>"), "{twice}");
    let (status, _, _, twice) = get(
        &format!("/v1/members/{MEMBER}/timeline.svg?lang=en&lang=zh-CN"),
        None,
    );
    assert_eq!(status, 400);
    assert!(twice.contains("invalid_command"), "{twice}");
}

/// `flexledger-audit timeline` follows `--lang` like `explain` (the flag before
/// `FLEXLEDGER_LANG`): the same member's picture in Chinese, and in English without it.
#[test]
fn the_timeline_command_follows_lang() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let demo = std::fs::read(repo_path("examples/demo.jsonl")).unwrap();
    crate::support::flexledger(&data, &["submit", "-"], Some(&demo));
    let timeline = |flag: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_flexledger-audit"))
            .env("FLEXLEDGER_LANG", "en")
            .arg("--data-dir")
            .arg(&data)
            .args(flag)
            .args(["timeline", "--member", MEMBER, "--svg", "-"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let chinese = timeline(&["--lang", "zh-CN"]);
    assert!(chinese.contains("xml:lang=\"zh-CN\"") && chinese.contains("月份状态"));
    let english = timeline(&[]);
    assert!(english.contains("Month status") && !english.contains("lang="));
}
