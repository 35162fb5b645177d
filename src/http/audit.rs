//! Audit views over HTTP: `GET /v1/members/{id}/timeline.svg` (the member's months as
//! a picture, the same one `flexledger-audit timeline` writes) and
//! `GET /audit/members/{id}` (a self-contained HTML page: picture, months, events).
//!
//! Both read the member's history from the store (its stream and its region's) and
//! fold it, off the async threads like every other read. The page is for people with a
//! browser, so its own errors are HTML pages; the SVG is an API resource, so its errors
//! have the API's JSON shape. (The role check in front of both answers in JSON.)
//!
//! Both speak the reader's language: `?lang=` (`en`, `zh-CN`; a link can carry it),
//! else `Accept-Language` (what a browser sends), else English; the answer names it in
//! `Content-Language` and varies by `Accept-Language`. A `lang` this build does not
//! speak is ignored, as an unknown `Accept-Language` is: a page is better shown in
//! English than not at all.

use super::{blocking, member_id, unknown_member, AppError, AppState};
use crate::audit::history::{Cut, MemberHistory};
use crate::audit::page::{
    bad_query_html, bad_request_html, html_in, not_found_html, PAGE_CONTENT_SECURITY_POLICY,
};
use crate::audit::timeline;
use crate::i18n::Language;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// The query both routes read: the language asked for. Other parameters
/// (`access_token`) are the auth layer's.
#[derive(Deserialize)]
pub(super) struct LanguageQuery {
    lang: Option<String>,
}

/// The reader's language: `?lang=` if this build speaks it, else `Accept-Language`.
fn reader_language(query: &LanguageQuery, headers: &HeaderMap) -> Language {
    query
        .lang
        .as_deref()
        .and_then(Language::from_tag)
        .unwrap_or_else(|| super::language_of(headers))
}

/// What the SVG may load: nothing (it has no scripts, links or external images).
const SVG_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

fn fold_failed(error: crate::domain::state::FoldError) -> AppError {
    AppError::internal(format!(
        "the member's history does not fold at position {}: {}",
        error.position, error.problem
    ))
}

/// A response the browser must not cache or sniff, and must not leak through a
/// Referer (the page may have been opened with `?access_token=`).
fn private_document(
    status: StatusCode,
    content_type: &'static str,
    policy: &'static str,
    language: Language,
    body: String,
) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_LANGUAGE, language.tag()),
        (header::VARY, "accept-language"),
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `GET /v1/members/{id}/timeline.svg`: the member's months as an SVG picture.
pub(super) async fn get_timeline_svg(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LanguageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Path(id) = path.map_err(super::bad_path)?;
    let Query(query) = query.map_err(super::bad_query)?;
    let language = reader_language(&query, &headers);
    let member_id = member_id(&id)?;
    super::up_to_date(&state, member_id).await?;
    let picture = blocking_render(state, member_id, move |history| {
        timeline::svg_in(history, language).map_err(fold_failed)
    })
    .await?;
    let picture = picture.ok_or_else(|| unknown_member(member_id))?;
    Ok(private_document(
        StatusCode::OK,
        "image/svg+xml; charset=utf-8",
        SVG_CONTENT_SECURITY_POLICY,
        language,
        picture,
    ))
}

/// `GET /audit/members/{id}`: the audit page for one member.
pub(super) async fn get_audit_page(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LanguageQuery>, QueryRejection>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    // A query that does not parse, or names a parameter the page does not take or one
    // twice (`parameters`), is answered in the language the headers ask for.
    let checked = super::parameters::check_route_query(&uri, super::parameters::AUDIT_PAGE);
    let (language, bad_query) = match (query, checked) {
        (_, Err(refused)) => {
            // `?lang=` still chooses, as on every other answer of this page.
            let asked = Query::<Vec<(String, String)>>::try_from_uri(&uri)
                .ok()
                .and_then(|Query(pairs)| {
                    let lang = pairs.into_iter().find(|(name, _)| name == "lang")?.1;
                    Language::from_tag(&lang)
                });
            let language = asked.unwrap_or_else(|| super::language_of(&headers));
            (language, Some(refused.message_in(language)))
        }
        (Err(rejection), Ok(())) => (super::language_of(&headers), Some(rejection.body_text())),
        (Ok(Query(query)), Ok(())) => (reader_language(&query, &headers), None),
    };
    let html_page = |status, body| {
        private_document(
            status,
            "text/html; charset=utf-8",
            PAGE_CONTENT_SECURITY_POLICY,
            language,
            body,
        )
    };
    let id = match path {
        Ok(Path(id)) => id,
        Err(rejection) => rejection.body_text(),
    };
    if let Some(text) = bad_query {
        return Ok(html_page(
            StatusCode::BAD_REQUEST,
            bad_query_html(&text, language),
        ));
    }
    let Ok(member_id) = Uuid::parse_str(&id) else {
        return Ok(html_page(
            StatusCode::BAD_REQUEST,
            bad_request_html(&id, language),
        ));
    };
    super::up_to_date(&state, member_id).await?;
    let page = blocking_render(state, member_id, move |history| {
        html_in(history, language).map_err(fold_failed)
    })
    .await?;
    Ok(match page {
        Some(page) => html_page(StatusCode::OK, page),
        None => html_page(StatusCode::NOT_FOUND, not_found_html(member_id, language)),
    })
}

/// Loads the history and renders it, both on a blocking thread (folding and drawing
/// ~600 months is CPU work too); `None` for an unknown member.
async fn blocking_render(
    state: AppState,
    member_id: Uuid,
    render: impl FnOnce(&MemberHistory) -> Result<String, AppError> + Send + 'static,
) -> Result<Option<String>, AppError> {
    blocking(move || {
        let history = MemberHistory::load(state.store.as_ref(), member_id, Cut::Everything)?;
        history.as_ref().map(render).transpose()
    })
    .await
}
