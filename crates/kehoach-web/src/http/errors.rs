//! The error policy.
//!
//! Every refusal has a stable code (`kehoach_core::ErrorCode`: one table
//! gives each code its status and Vietnamese message) and, when it is about
//! one input, the `field`. The API renders `{"error": {code, field,
//! message}}`; pages show the same Vietnamese `message` beside the form.
//! Store conflicts carry their code; there is no catch-all arm that hides a
//! new kind of error as 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub field: Option<&'static str>,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code.
    pub code: String,
    /// The input field the error is about.
    pub field: Option<String>,
    /// Vietnamese explanation for people.
    pub message: String,
}

impl AppError {
    /// A refusal with its code's status and message.
    pub fn new(code: ErrorCode, field: Option<&'static str>) -> AppError {
        AppError {
            status: StatusCode::from_u16(code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            field,
            message: code.message_vn().to_string(),
        }
    }
    pub fn unauthenticated() -> AppError {
        AppError::new(ErrorCode::Unauthenticated, None)
    }
    pub fn forbidden() -> AppError {
        AppError::new(ErrorCode::Forbidden, None)
    }
    pub fn not_found() -> AppError {
        AppError::new(ErrorCode::NotFound, None)
    }
    /// A refusal about one input field.
    pub fn invalid(code: ErrorCode, field: &'static str) -> AppError {
        AppError::new(code, Some(field))
    }
    pub fn bad_request(detail: String) -> AppError {
        AppError {
            status: StatusCode::BAD_REQUEST,
            code: ErrorCode::BadRequest,
            field: None,
            message: format!("Dữ liệu gửi lên không hợp lệ: {detail}"),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Conflict { code, field } => AppError::new(code, Some(field)),
            StoreError::NotFound(_) => AppError::not_found(),
            StoreError::Db(_)
            | StoreError::Migrate(_)
            | StoreError::MissingDatabase(_)
            | StoreError::BadUrl(_)
            | StoreError::Unsupported(_)
            | StoreError::BadPlan(_) => {
                tracing::error!(error = %e, "store error");
                AppError::new(ErrorCode::Internal, None)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.as_str().to_string(),
                field: self.field.map(str::to_string),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
