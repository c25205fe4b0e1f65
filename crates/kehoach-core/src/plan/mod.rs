//! The plan: its model (the plan-file format and the in-memory data), the
//! checks that refuse a wrong plan file with line numbers, how a target is
//! said in words, and the timeline picture.

pub mod model;
pub mod show;
pub mod starter;
pub mod timeline;
pub mod validate;
