//! Every error in one shape, as a layer over the whole router: what a
//! layer or an extractor answered (plain text, an empty body) and what a
//! page route answered as JSON are rewritten here; errors.rs keeps the
//! codes and messages and depends on no page.

use axum::Json;
use axum::response::{IntoResponse, Response};

use crate::http::errors::{ErrorBody, ErrorDetail};
use kehoach_core::ErrorCode;

/// Every error in one shape: an error that a layer or an extractor made
/// (plain English text or an empty body: a body over its limit, a query
/// value that does not parse, a method the route does not take, a request
/// that timed out) becomes the JSON error body with a stable code on the
/// API, and a Vietnamese page elsewhere. Errors we made pass unchanged.
pub async fn one_shape(
    axum::extract::State(st): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let cu = req.extensions().get::<crate::http::auth::CurrentUser>().cloned();
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let ct = resp
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") && !api {
        // A page route never answers raw JSON: the same refusal, as a page.
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
        let error = serde_json::from_slice::<serde_json::Value>(&bytes).ok().and_then(|v| {
            let e = &v["error"];
            Some((
                e["message"].as_str()?.to_string(),
                e["code"].as_str().unwrap_or("").to_string(),
            ))
        });
        return match error {
            Some((m, code)) => crate::ui::error_page_with_code(&st, cu.as_ref(), parts.status, m, &code),
            None => Response::from_parts(parts, axum::body::Body::from(bytes)),
        };
    }
    if ct.starts_with("application/json") || ct.starts_with("text/html") || ct.starts_with("application/pdf") {
        return resp;
    }
    let detail = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = match status.as_u16() {
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        408 => ErrorCode::RequestTimeout,
        413 => ErrorCode::BodyTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        429 => ErrorCode::TooManyRequests,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    // "Failed to deserialize query string: trang: invalid digit…" names its field.
    let field = detail
        .split_once("query string: ")
        .and_then(|(_, rest)| rest.split_once(':'))
        .map(|(f, _)| f.trim().to_string())
        .filter(|f| !f.is_empty() && f.len() <= 40 && !f.contains(' '));
    let message = match (&field, code) {
        (Some(f), ErrorCode::BadRequest) => format!("Tham số “{f}”: giá trị không hợp lệ."),
        _ => code.message_vn().to_string(),
    };
    if api {
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.as_str().into(),
                field,
                message,
            },
        };
        return (status, Json(body)).into_response();
    }
    crate::ui::error_page(&st, cu.as_ref(), status, message)
}
