//! Reading a published plan's text: `parse` turns the text into a draft
//! (header, sections, lines, targets, duties, as written), `draft` turns the
//! draft into a plan file to review, with `known`: what plans leave unsaid.

pub mod draft;
pub mod known;
pub mod parse;
