//! The JSON body extractor: malformed JSON becomes our one error shape.

use axum::Json;
use axum::http::StatusCode;

use crate::http::errors::AppError;

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
                StatusCode::PAYLOAD_TOO_LARGE => AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None)
                }
                _ => AppError::bad_request(e.body_text()),
            }),
        }
    }
}
