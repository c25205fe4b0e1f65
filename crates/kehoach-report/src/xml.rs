//! A minimal scanner of the office formats' XML: tags with the text after
//! them, a tag's name and an attribute. Entities are never expanded (the
//! readers unescape the five predefined ones), so it cannot be made to
//! blow up; it is what the .docx reader and the ODS reader share.

/// Each tag of an XML text (without its brackets) with the text after it.
pub(crate) fn tags(xml: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = xml;
    std::iter::from_fn(move || {
        let i = rest.find('<')?;
        let j = rest[i..].find('>')?;
        let tag = &rest[i + 1..i + j];
        let after = &rest[i + j + 1..];
        let end = after.find('<').unwrap_or(after.len());
        rest = &after[end..];
        Some((tag, &after[..end]))
    })
}

/// "w:p" of `w:p w:rsidR="…"`, "/w:p" of a closing tag, "w:tab" of `w:tab/`.
pub(crate) fn name(tag: &str) -> &str {
    tag.trim_end_matches('/').split_whitespace().next().unwrap_or("")
}

/// An attribute's value: `attr("w:lvl w:ilvl=\"0\"", "w:ilvl")` → "0".
pub(crate) fn attr<'a>(tag: &'a str, key: &str) -> Option<&'a str> {
    let k = format!("{key}=\"");
    let i = tag.find(&k)? + k.len();
    let j = tag[i..].find('"')?;
    Some(&tag[i..i + j])
}
