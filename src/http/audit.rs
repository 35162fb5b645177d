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
use crate::audit::history::{Cut, MemberHistory, NoHistory};
use crate::audit::page::{
    bad_query_html, bad_request_html, html_in, not_found_html, not_yet_html,
    PAGE_CONTENT_SECURITY_POLICY,
};
use crate::audit::timeline;
use crate::i18n::Language;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

/// The query both routes read: the language asked for, and `as_of`, the position the
/// member's history is cut at, as `GET /v1/members/{id}` takes it (the member as the
/// ledger saw them then, D18: an auditor's browser could show only the present).
/// Other parameters (`access_token`) are the auth layer's.
#[derive(Deserialize)]
pub(super) struct LanguageQuery {
    lang: Option<String>,
    as_of: Option<String>,
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
    let as_of = super::parameters::position_parameter("as_of", query.as_of.as_deref())?;
    let picture = render_cut(state, (member_id, as_of), move |history| {
        timeline::svg_in(history, language).map_err(fold_failed)
    })
    .await?;
    let picture = match picture {
        Rendered::Done(picture) => picture,
        Rendered::NoMember => return Err(unknown_member(member_id)),
        Rendered::NotYet(error) => return Err(error),
    };
    Ok(private_document(
        StatusCode::OK,
        "image/svg+xml; charset=utf-8",
        SVG_CONTENT_SECURITY_POLICY,
        language,
        picture,
    ))
}

/// `GET /audit/members/{id}`: the audit page for one member, as of `?as_of=` if given.
pub(super) async fn get_audit_page(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<LanguageQuery>, QueryRejection>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (language, as_of) = match page_query(query, &headers, &uri) {
        Ok(asked) => asked,
        Err((language, text)) => {
            let page = bad_query_html(&text, language);
            return Ok(html_page(StatusCode::BAD_REQUEST, language, page));
        }
    };
    let id = match path {
        Ok(Path(id)) => id,
        Err(rejection) => rejection.body_text(),
    };
    let Ok(member_id) = Uuid::parse_str(&id) else {
        let page = bad_request_html(&id, language);
        return Ok(html_page(StatusCode::BAD_REQUEST, language, page));
    };
    let page = render_cut(state, (member_id, as_of), move |history| {
        html_in(history, language).map_err(fold_failed)
    })
    .await?;
    Ok(match page {
        Rendered::Done(page) => html_page(StatusCode::OK, language, page),
        Rendered::NoMember => html_page(
            StatusCode::NOT_FOUND,
            language,
            not_found_html(member_id, language),
        ),
        Rendered::NotYet(error) => {
            let page = not_yet_html(&error.message_in(language), language);
            html_page(StatusCode::NOT_FOUND, language, page)
        }
    })
}

/// The page's language and `as_of`, or, for a query that does not parse, names a
/// parameter the page does not take or one twice (`parameters`), or an `as_of` that is
/// not a position, what is wrong in the language asked for (`?lang=` still chooses,
/// as on every other answer of this page).
fn page_query(
    query: Result<Query<LanguageQuery>, QueryRejection>,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> Result<(Language, Option<u64>), (Language, String)> {
    let checked = super::parameters::check_route_query(uri, super::parameters::AUDIT_PAGE);
    match (query, checked) {
        (_, Err(refused)) => {
            let asked = Query::<Vec<(String, String)>>::try_from_uri(uri)
                .ok()
                .and_then(|Query(pairs)| {
                    let lang = pairs.into_iter().find(|(name, _)| name == "lang")?.1;
                    Language::from_tag(&lang)
                });
            let language = asked.unwrap_or_else(|| super::language_of(headers));
            Err((language, refused.message_in(language)))
        }
        (Err(rejection), Ok(())) => Err((super::language_of(headers), rejection.body_text())),
        (Ok(Query(query)), Ok(())) => {
            let language = reader_language(&query, headers);
            let as_of = super::parameters::position_parameter("as_of", query.as_of.as_deref())
                .map_err(|refused| (language, refused.message_in(language)))?;
            Ok((language, as_of))
        }
    }
}

/// An HTML answer of the audit page.
fn html_page(status: StatusCode, language: Language, body: String) -> Response {
    private_document(
        status,
        "text/html; charset=utf-8",
        PAGE_CONTENT_SECURITY_POLICY,
        language,
        body,
    )
}

/// What `render_cut` gives: the rendering, or why there is none.
enum Rendered<T> {
    Done(T),
    /// No event of the member anywhere in the log.
    NoMember,
    /// Nothing at `as_of`: beyond the log's head, or before the member's first event
    /// (the API's 404 saying which, D66).
    NotYet(AppError),
}

/// The member's history, whole (after recording what a month close being recorded
/// implies for the member, D17) or cut at `as_of` (read from the log alone, as
/// `GET /v1/members/{id}?as_of=` reads it), loaded and rendered on a blocking thread
/// (folding and drawing ~600 months is CPU work too).
async fn render_cut<T: Send + 'static>(
    state: AppState,
    (member_id, as_of): (Uuid, Option<u64>),
    render: impl FnOnce(&MemberHistory) -> Result<T, AppError> + Send + 'static,
) -> Result<Rendered<T>, AppError> {
    // A cut too (D94): a writer records what a close implies for the member first, so
    // a page "as of" the close shows it recorded, as it will always show it.
    if let Some(beyond) = super::beyond_head(&state, as_of).await? {
        return Ok(Rendered::NotYet(beyond));
    }
    super::up_to_date(&state, member_id).await?;
    blocking(move || {
        let store = state.store.as_ref();
        let cut = as_of.map_or(Cut::Everything, Cut::Position);
        // `now` bounds only a cut at an instant, which these routes do not take.
        let loaded = MemberHistory::load_or_why_not(store, member_id, cut, chrono::Utc::now())?;
        Ok(match loaded {
            // A read-only server asks the writer to record them first, as for the
            // member's rows (D17): told from the history just folded (reading the
            // `Closing` rows before the log missed a close recorded in between,
            // 2026-12-06).
            // A cut too (D94): the member route refuses it so, and the page shows what
            // that route does.
            Ok(history) if history.implied > 0 && state.writer.is_none() => {
                return Err(super::read_only_close_pending(&state));
            }
            Ok(history) => Rendered::Done(render(&history)?),
            Err(NoHistory::Unknown) => Rendered::NoMember,
            Err(NoHistory::NotYet {
                cut: Cut::Position(position),
                first,
            }) => Rendered::NotYet(super::member_not_yet(member_id, position, &first)),
            Err(NoHistory::BeyondHead {
                cut: Cut::Position(position),
                head,
                ..
            }) => Rendered::NotYet(super::as_of_beyond_head(position, head)),
            Err(NoHistory::NotYet { .. } | NoHistory::BeyondHead { .. }) => {
                unreachable!("the whole history, or one cut at a position, is never cut at an instant or found beyond the head when whole")
            }
        })
    })
    .await
}
