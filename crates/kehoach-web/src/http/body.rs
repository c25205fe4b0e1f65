//! The JSON body extractor: malformed JSON becomes our one error shape.

use axum::Json;
use axum::http::StatusCode;

use crate::http::errors::AppError;
use kehoach_core::ErrorCode;

/// What a JSON door answers.
pub type ApiResult<T> = Result<Json<T>, AppError>;

/// Rejections of malformed JSON become our error shape.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = AppError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::new(ErrorCode::BodyTooLarge, None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::new(ErrorCode::UnsupportedMediaType, None),
                _ => AppError::bad_request(e.body_text()),
            }),
        }
    }
}
