//! What people read, in their language: the message catalog (`locales/`, Project
//! Fluent, D37), the choice of language, and refusals rendered from their data.
//!
//! Above the domain and beside nothing else: it renders the domain's data
//! (`Refusal`'s `RefusalText`) and is pure (the catalog is compiled in; the shells read
//! the environment and headers and pass them in). English is the default: a refusal's
//! `message` is the contract's English unless the reader asked for another language,
//! and then a shell shows `refusal_message` instead (HTTP does, by `Accept-Language`);
//! the code never changes (D37).

mod catalog;
mod language;

pub use catalog::{Arg, Catalog, MessageSource};
pub use language::{Language, UnknownLanguage};

use crate::domain::Refusal;

/// Message `id` in `language`, with its arguments by name; `None` if the catalog has no
/// such message or it needs an argument not given.
pub fn tr(language: Language, id: &str, args: &[(&str, String)]) -> Option<String> {
    Catalog::get().tr(language, id, args)
}

/// [`tr`] with typed arguments (counts for plural selectors).
pub fn tr_args(language: Language, id: &str, args: &[(&str, Arg)]) -> Option<String> {
    Catalog::get().tr_args(language, id, args)
}

/// A refusal's message in `language`, from the catalog and the refusal's data. A
/// refusal without data (parse errors, the shells' own refusals, one read back from
/// JSON), or whose message the catalog cannot render, shows its English `message`.
/// In English this equals `message` for every refusal the domain decides.
pub fn refusal_message(language: Language, refusal: &Refusal) -> String {
    refusal
        .text
        .as_ref()
        .and_then(|text| tr(language, text.id(), &text.args()))
        .unwrap_or_else(|| refusal.message.clone())
}
