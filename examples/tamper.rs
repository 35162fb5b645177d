//! Edits one stored event *below* the ledger, with sled's own API, so you can watch
//! `flexledger verify` (and every read) catch it. For trying tamper evidence by hand:
//!
//! ```sh
//! cp -r demo-data tampered-data                              # it damages the store
//! cargo run -q --release --example tamper -- tampered-data 5   # alter the event at position 5
//! flexledger --data-dir tampered-data verify                   # {"ok":false,"position":5,...}, exit 1
//! ```
//!
//! It changes the first digit of the first amount-like value ("600.00" → "700.00") in
//! the event's JSON and leaves the stored hash alone, as a careless forger would.

use flexledger::store::{log_block, log_entry, SledStore};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: tamper DATA_DIR POSITION";
    let dir = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let position: u64 = args.next().ok_or(usage)?.parse()?;
    let store = SledStore::open(&dir)?;
    let reader = store.reader();
    let value = reader
        .raw_log_entry(position)?
        .ok_or("no event at that position")?;
    // Entries are stored compactly; the older layout (hash, then the canonical JSON),
    // which every build still reads, is the one a forger can edit as text.
    let hash = log_entry::stored_hash(&value)?;
    let canonical = log_entry::canonical_of(position, &value)?;
    let text = std::str::from_utf8(&canonical)?;
    let start = text.find(".00\"").ok_or("no amount in that event")?;
    let digits_start = text[..start].rfind('"').ok_or("malformed amount")? + 1;
    let mut edited = text.to_owned();
    let first = edited.as_bytes()[digits_start];
    let replacement = if first == b'9' {
        '1'
    } else {
        char::from(first + 1)
    };
    edited.replace_range(digits_start..digits_start + 1, &replacement.to_string());
    // The event is one entry of a block (`store/log_block.rs`): rewrite that block.
    let forged = [&hash.0[..], edited.as_bytes()].concat();
    let (key, block) = reader
        .raw_log_block(position)?
        .ok_or("this example edits stores written since the log is kept in blocks")?;
    let block = log_block::Block::decode(&key, &block)?
        .replaced(position, &forged)
        .ok_or("no block holds that position")?;
    store.raw_tree().insert(key, block)?;
    store.raw_tree().flush()?;
    println!(
        "position {position}: {} -> {}",
        &text[digits_start..start + 3],
        &edited[digits_start..start + 3]
    );
    Ok(())
}
