//! A third party's first request from a browser: a page served from another origin
//! opens the feed with the browser's own `EventSource` (which cannot set headers, so the
//! token rides in `?access_token=`), in a real headless Chromium. `--cors-origin` lets
//! exactly the listed origin read it; a page from any other origin gets nothing.

use crate::http::{start_with, token};
use crate::support::{chromium, CHROMIUM};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;

/// The page another origin serves: it subscribes to the feed from position 1 and writes
/// into `#out` the first three items it receives, or that the browser refused it.
const FEED_PAGE_HTML: &str = r#"<!doctype html><meta charset="utf-8"><title>feed</title>
<pre id="out">waiting</pre><script>
const query = new URLSearchParams(location.search);
const out = document.getElementById('out');
const received = [];
const source = new EventSource(query.get('server') + '/v1/feed?from=1&access_token=' + query.get('token'));
for (const type of ['PolicyPublished', 'MonthClosed', 'MemberEnrolled']) {
  source.addEventListener(type, (message) => {
    // An id is the position and the event's history tag (D91): the tag is checked here
    // and the position shown.
    const [position, tag] = message.lastEventId.split('-');
    received.push(position + (/^[0-9a-f]{8}$/.test(tag) ? '' : ' untagged') + ' ' + type);
    if (received.length === 3) {
      source.close();
      out.textContent = 'received ' + received.join(', ');
    }
  });
}
source.onerror = () => { source.close(); out.textContent = 'refused after ' + received.length; };
</script>
"#;

/// Requests one page server answers before it stops: the page, and the browser's
/// favicon request, per Chromium run, with room to spare.
const PAGE_SERVER_REQUESTS_MAX: usize = 8;

/// Serves `FEED_PAGE_HTML` for any path on a fresh port of 127.0.0.1, from a thread;
/// the page's origin (`http://127.0.0.1:PORT`).
fn serve_page() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(PAGE_SERVER_REQUESTS_MAX) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                line.clear();
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{FEED_PAGE_HTML}",
                FEED_PAGE_HTML.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    origin
}

/// What the page at `origin` wrote into `#out` after opening the feed of `server`.
fn page_output(origin: &str, server: &str) -> String {
    let url = format!(
        "{origin}/feed.html?server={server}&token={}",
        token("subscriber")
    );
    // The page closes the feed itself, so the virtual time budget is only an upper
    // bound on how long Chromium waits for it.
    let dom = chromium(
        &url,
        &[
            "--dump-dom".to_owned(),
            "--virtual-time-budget=10000".to_owned(),
        ],
    );
    let start = dom.find("<pre id=\"out\">").expect("the page rendered") + 14;
    let end = dom[start..].find("</pre>").expect("#out is closed") + start;
    dom[start..end].to_owned()
}

/// Ignored (with its reason) where Chromium is missing, never under `CI` (`build.rs`).
#[test]
#[cfg_attr(
    flexledger_no_chromium,
    ignore = "needs /usr/bin/chromium: apt-get install -y chromium (.ci/run does)"
)]
fn a_page_on_a_listed_origin_opens_the_feed_and_another_origin_is_refused() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it on CI)"
    );
    let listed = serve_page();
    let unlisted = serve_page();
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), &[], &["--cors-origin", &listed]);
    assert_eq!(
        page_output(&listed, &server.base),
        "received 1 PolicyPublished, 2 MemberEnrolled, 3 MemberEnrolled",
        "a listed origin reads the feed from the browser"
    );
    assert_eq!(
        page_output(&unlisted, &server.base),
        "refused after 0",
        "the browser keeps the feed from an origin not listed"
    );
}

/// The audit page in Chinese (`?lang=zh-CN`) in a real headless Chromium: it loads, its
/// document says its language, and the picture and tables are there with their Chinese
/// words (the Noto CJK fonts `.ci/run` installs draw them).
#[test]
#[cfg_attr(
    flexledger_no_chromium,
    ignore = "needs /usr/bin/chromium: apt-get install -y chromium (.ci/run does)"
)]
fn the_chinese_audit_page_loads_in_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it on CI)"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = crate::http::start(dir.path());
    let url = format!(
        "{}/audit/members/{}?lang=zh-CN&access_token={}",
        server.base,
        crate::http::MEMBER,
        token("auditor")
    );
    let dom = chromium(&url, &["--dump-dom".to_owned()]);
    for part in [
        "<html lang=\"zh-CN\">",
        "xml:lang=\"zh-CN\"",
        "class=\"cell\"",
        "<table id=\"months\">",
        "<table id=\"events\">",
        "月份状态",
        "参保期",
    ] {
        assert!(dom.contains(part), "{part} in the rendered page:\n{dom}");
    }
}
