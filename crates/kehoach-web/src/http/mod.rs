//! What every door shares and no feature owns: the one error shape, the JSON
//! body extractor, form reading, sessions and CSRF (auth), who may do what
//! (policy) and the bounds on heavy work. Depends on no feature.

pub mod auth;
pub mod body;
pub mod dates;
pub mod errors;
pub mod form;
pub mod heavy;
pub mod policy;

pub use body::{ApiResult, Body};
