//! Reasoning a client must hand back unchanged on its next turn (Anthropic's signed thinking
//! and redacted thinking, OpenAI's encrypted reasoning), carried through dialects that have
//! their own opaque fields for it.
//!
//! Upstreams deliver these as OpenRouter-style `reasoning_details` tagged with a `format` (and,
//! for OpenAI's, the reasoning item's `id`, which OpenAI checks on replay). A payload in the
//! dialect's own format and without an id travels raw (an Anthropic signature in Anthropic's
//! `signature`), so a client talking to its native upstream sees exactly what it sent. Anything
//! else is written `format|kind|id|payload` (no base64 payload or id contains `|`), so the next
//! request restores the detail with its format and id, and the providers replay it only to the
//! upstream that made it: reasoning from one vendor is never sent to another as its own.

use serde_json::{Map, Value, json};

/// OpenRouter's format tag for Anthropic's thinking (what the Anthropic adapter produces too).
pub(crate) const ANTHROPIC: &str = "anthropic-claude-v1";
/// OpenRouter's format tag for OpenAI Responses reasoning.
pub(crate) const OPENAI: &str = "openai-responses-v1";

/// What an opaque payload proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A signature over a reasoning text (`reasoning.text` with `signature`).
    Signature,
    /// Encrypted or redacted reasoning (`reasoning.encrypted` with `data`).
    Data,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Self::Signature => "sig",
            Self::Data => "data",
        }
    }
}

/// A dialect's own opaque fields: which format they hold raw, and which kind when the dialect
/// has one field for both (`None`: a field per kind, as Anthropic's `signature` and `data`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Native {
    pub(crate) format: &'static str,
    pub(crate) kind: Option<Kind>,
}

/// Anthropic: `thinking.signature` and `redacted_thinking.data`.
pub(crate) const AS_ANTHROPIC: Native = Native {
    format: ANTHROPIC,
    kind: None,
};
/// Responses: one `encrypted_content` field.
pub(crate) const AS_RESPONSES: Native = Native {
    format: OPENAI,
    kind: Some(Kind::Data),
};

/// One replayable piece of reasoning found in the details.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Signed reasoning text; `opaque` is the encoded signature.
    Signed { text: String, opaque: String },
    /// Redacted or encrypted reasoning; `opaque` is the encoded data.
    Sealed { opaque: String },
}

/// The replayable piece in `detail`, encoded for a dialect whose own field is `native`.
pub(crate) fn piece(native: Native, detail: &Value) -> Option<Piece> {
    let format = str_field(detail, "format");
    let id = str_field(detail, "id").filter(|id| !id.is_empty() && !id.contains('|'));
    match str_field(detail, "type")? {
        "reasoning.text" => {
            let signature = str_field(detail, "signature").filter(|s| !s.is_empty())?;
            Some(Piece::Signed {
                text: str_field(detail, "text").unwrap_or_default().to_owned(),
                opaque: encode(native, format, Kind::Signature, id, signature),
            })
        }
        "reasoning.encrypted" => {
            let data = str_field(detail, "data").filter(|d| !d.is_empty())?;
            Some(Piece::Sealed {
                opaque: encode(native, format, Kind::Data, id, data),
            })
        }
        _ => None,
    }
}

fn encode(
    native: Native,
    format: Option<&str>,
    kind: Kind,
    id: Option<&str>,
    payload: &str,
) -> String {
    if format == Some(native.format) && native.kind.is_none_or(|k| k == kind) && id.is_none() {
        payload.to_owned()
    } else {
        let format = format.unwrap_or_default();
        let id = id.unwrap_or_default();
        format!("{format}|{}|{id}|{payload}", kind.tag())
    }
}

/// The detail an opaque field of kind `field` stands for; `text` is the reasoning text it signs
/// (ignored for sealed reasoning). A raw value is the dialect's own format.
pub(crate) fn detail(native: Native, field: Kind, opaque: &str, text: &str) -> Value {
    let (format, kind, id, payload) = decode(native, field, opaque);
    let mut out = Map::new();
    match kind {
        Kind::Signature => {
            out.insert("type".into(), json!("reasoning.text"));
            out.insert("text".into(), json!(text));
            out.insert("signature".into(), json!(payload));
        }
        Kind::Data => {
            out.insert("type".into(), json!("reasoning.encrypted"));
            out.insert("data".into(), json!(payload));
        }
    }
    if let Some(format) = format {
        out.insert("format".into(), json!(format));
    }
    if let Some(id) = id {
        out.insert("id".into(), json!(id));
    }
    Value::Object(out)
}

/// The format, kind, id and payload of an opaque value (raw: the dialect's own, no id).
fn decode(native: Native, field: Kind, opaque: &str) -> (Option<&str>, Kind, Option<&str>, &str) {
    let mut fields = opaque.splitn(4, '|');
    if let (Some(format), Some(tag), Some(id), Some(payload)) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    {
        let kind = match tag {
            "sig" => Some(Kind::Signature),
            "data" => Some(Kind::Data),
            _ => None,
        };
        if let Some(kind) = kind {
            return (
                (!format.is_empty()).then_some(format),
                kind,
                (!id.is_empty()).then_some(id),
                payload,
            );
        }
    }
    (Some(native.format), field, None, opaque)
}

/// Joins the fragments a stream delivers one piece in (OpenRouter sends a thinking block as
/// many `reasoning.text` details with the same `index`, the signature on the last), so each
/// piece is whole again. Details of other shapes are kept as they are.
pub(crate) fn merge(details: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(details.len());
    for detail in details {
        if let Some(last) = out.last_mut()
            && continues(last, detail)
        {
            append(last, detail);
        } else {
            out.push(detail.clone());
        }
    }
    out
}

/// Whether `next` is a further fragment of `last`: same text-like type, format and index.
fn continues(last: &Value, next: &Value) -> bool {
    let kind = str_field(next, "type");
    matches!(kind, Some("reasoning.text" | "reasoning.summary"))
        && kind == str_field(last, "type")
        && str_field(next, "format") == str_field(last, "format")
        && next.get("index").is_some()
        && next.get("index") == last.get("index")
        // A signed piece is complete; anything after it starts a new one.
        && str_field(last, "signature").is_none_or(str::is_empty)
}

fn append(last: &mut Value, next: &Value) {
    let Some(last) = last.as_object_mut() else {
        return;
    };
    for key in ["text", "summary"] {
        if let Some(more) = str_field(next, key) {
            let joined = format!(
                "{}{more}",
                last.get(key).and_then(Value::as_str).unwrap_or_default()
            );
            last.insert(key.into(), json!(joined));
        }
    }
    if let Some(signature) = str_field(next, "signature").filter(|s| !s.is_empty()) {
        last.insert("signature".into(), json!(signature));
    }
}

/// `value[key]` when it is a string.
pub(crate) fn str_field<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_payloads_travel_raw_and_foreign_ones_keep_their_format() {
        let signed =
            json!({"type": "reasoning.text", "text": "t", "signature": "SIG", "format": ANTHROPIC});
        assert_eq!(
            piece(AS_ANTHROPIC, &signed),
            Some(Piece::Signed {
                text: "t".into(),
                opaque: "SIG".into()
            }),
            "Anthropic's own signature is exactly what Anthropic sent"
        );
        let Some(Piece::Signed { opaque, .. }) = piece(AS_RESPONSES, &signed) else {
            panic!("a signed piece")
        };
        assert_eq!(opaque, "anthropic-claude-v1|sig||SIG");
        assert_eq!(
            detail(AS_RESPONSES, Kind::Data, &opaque, "t"),
            signed,
            "the round trip restores the detail"
        );
        let sealed =
            json!({"type": "reasoning.encrypted", "data": "gA|AA", "format": OPENAI, "id": "rs_1"});
        let Some(Piece::Sealed { opaque }) = piece(AS_ANTHROPIC, &sealed) else {
            panic!("a sealed piece")
        };
        assert_eq!(detail(AS_ANTHROPIC, Kind::Data, &opaque, ""), sealed);
        assert_eq!(
            detail(AS_ANTHROPIC, Kind::Signature, "SIG", "t"),
            signed,
            "a raw value is native"
        );
    }

    #[test]
    fn fragments_of_one_piece_are_joined_and_a_signed_piece_ends_it() {
        let d = |text: &str, sig: Option<&str>| {
            let mut v =
                json!({"type": "reasoning.text", "text": text, "format": ANTHROPIC, "index": 0});
            if let Some(sig) = sig {
                v["signature"] = json!(sig);
            }
            v
        };
        let merged = merge(&[
            d("a", None),
            d("b", Some("")),
            d("", Some("S")),
            d("c", None),
        ]);
        assert_eq!(
            merged,
            vec![
                json!({"type": "reasoning.text", "text": "ab", "format": ANTHROPIC, "index": 0, "signature": "S"}),
                d("c", None)
            ],
            "text joined, the signature taken, then a new piece"
        );
    }
}
