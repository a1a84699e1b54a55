//! Web-search sources in OpenRouter answers: `annotations` of type `url_citation` on a
//! message or a stream delta (`{"type":"url_citation","url_citation":{url,title,content,
//! start_index,end_index}}`, docs/upstream-apis.md §2–3). Only the address and the title are kept:
//! `content` is the page's text, which the answer already used and the UI does not show.

use serde_json::Value;
use switchboard_core::Citation;

/// The sources in `annotations`, web addresses only (model output is untrusted: a
/// `javascript:` or `file:` "source" is dropped here rather than trusted to the renderer).
pub(super) fn citations(annotations: &[Value]) -> Vec<Citation> {
    annotations
        .iter()
        .filter(|a| a.get("type").and_then(Value::as_str) == Some("url_citation"))
        .filter_map(|a| a.get("url_citation"))
        .filter_map(|c| {
            let url = c.get("url")?.as_str()?.trim();
            let web = url.starts_with("https://") || url.starts_with("http://");
            web.then(|| Citation {
                url: url.to_owned(),
                title: c
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_citations_keep_address_and_title_and_nothing_else_is_a_source() {
        let annotations = serde_json::json!([
            {"type": "url_citation", "url_citation": {"url": "https://example.com/a",
                "title": "A page", "content": "long text", "start_index": 0, "end_index": 0}},
            {"type": "url_citation", "url_citation": {"url": "javascript:alert(1)", "title": "x"}},
            {"type": "file_annotation", "file": {"name": "f"}},
            {"type": "url_citation", "url_citation": {"url": "http://example.org/b", "title": " "}}
        ]);
        assert_eq!(
            citations(annotations.as_array().unwrap()),
            vec![
                Citation {
                    url: "https://example.com/a".into(),
                    title: Some("A page".into())
                },
                Citation {
                    url: "http://example.org/b".into(),
                    title: None
                },
            ]
        );
    }
}
