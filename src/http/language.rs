//! The reader's language for every error the API answers (D37): chosen once per
//! request, before routing, and read where an `AppError` becomes a response, so a 404
//! of an unknown route, a 401 of the role check and a 503 of the in-flight cap speak
//! it as a handler's own errors do.
//!
//! `Accept-Language` chooses it; on the routes that take `?lang=` (the audit page and
//! the timeline picture), a `lang` this build speaks comes first, as it does for their
//! documents. English without either.

use crate::i18n::Language;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    /// The language of the request the current task is answering (unset outside one).
    static READER: Language;
}

/// The language of the request being answered; English outside one.
pub fn current() -> Language {
    READER
        .try_with(|language| *language)
        .unwrap_or(Language::En)
}

/// A layer: answers `request` with its reader's language in scope.
pub async fn choose(request: Request, next: Next) -> Response {
    let language = of_request(&request);
    READER.scope(language, next.run(request)).await
}

/// `?lang=` where the route takes it and this build speaks it, else `Accept-Language`.
fn of_request(request: &Request) -> Language {
    let path = request.uri().path();
    let takes_lang = path.starts_with("/audit/") || path.ends_with("/timeline.svg");
    takes_lang
        .then(|| request.uri().query())
        .flatten()
        .and_then(|query| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("lang="))
                .and_then(Language::from_tag)
        })
        .unwrap_or_else(|| super::language_of(request.headers()))
}
