//! Reading request JSON: typed decoding that names the JSON path of the first bad value, plus
//! the few value shapes several dialects share.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::error::Category;

use super::BadRequest;

/// Decodes a whole request body into `T`, or says where and why it does not fit.
///
/// `serde_path_to_error` tracks the path through the typed decoding, so an error names
/// `messages[2].content` rather than a byte offset (an unknown field's path ends with its name).
///
/// serde's derived structs also accept a JSON array (fields by position); the body itself must
/// be an object, as every dialect documents, so anything else is refused here first.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, BadRequest> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {}
        None => return Err(BadRequest::new("body", "is empty; expected a JSON object")),
        Some(_) => {
            return Err(BadRequest::new(
                "body",
                "expected a JSON object (the request's fields between braces)",
            ));
        }
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let message = message_of(e.inner());
        BadRequest::new(if path == "." { String::new() } else { path }, message)
    })?;
    de.end()
        .map_err(|e| BadRequest::new("body", message_of(&e)))?;
    Ok(value)
}

/// Decodes one already parsed value found at `path` into `T` (for shapes chosen by their
/// `type` first, so an unsupported type is named before its fields are judged).
pub(crate) fn decode_value<T: DeserializeOwned>(value: Value, path: &str) -> Result<T, BadRequest> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|e| {
        let inner_path = e.path().to_string();
        let message = message_of(e.inner());
        let mut full = path.to_owned();
        if inner_path != "." {
            if !inner_path.starts_with('[') {
                full.push('.');
            }
            full.push_str(&inner_path);
        }
        BadRequest::new(full, message)
    })
}

/// The `type` of the object at `path`, which must have one.
pub(crate) fn type_of<'a>(value: &'a Value, path: &str) -> Result<&'a str, BadRequest> {
    if !value.is_object() {
        return Err(BadRequest::new(path, "expected an object"));
    }
    value
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| BadRequest::new(format!("{path}.type"), "missing or not a string"))
}

/// serde_json's message; the line and column are kept only for syntax errors, where they are
/// the one clue (a data error is already located by its path).
fn message_of(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match error.classify() {
        Category::Data => match text.rfind(" at line ") {
            Some(at) => text[..at].to_owned(),
            None => text,
        },
        Category::Syntax | Category::Eof | Category::Io => {
            format!("the body is not valid JSON: {text}")
        }
    }
}

/// Declares a value that may be a string or an array of `$item`, decoded with a message that
/// says so (serde's `untagged` would only say "did not match any variant" and lose the path
/// inside the array).
macro_rules! string_or_list {
    ($(#[$doc:meta])* $vis:vis $name:ident, $item:ty, $expecting:literal) => {
        $(#[$doc])*
        $vis enum $name {
            /// The short form: one string.
            Text(String),
            /// The long form: an array.
            List(Vec<$item>),
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct Shape;
                impl<'de> serde::de::Visitor<'de> for Shape {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok($name::Text(v.to_owned()))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<$name, E> {
                        Ok($name::Text(v))
                    }
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<$name, A::Error> {
                        // The hint comes from the client; it only sizes the first allocation.
                        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
                        while let Some(item) = seq.next_element()? {
                            items.push(item);
                        }
                        Ok($name::List(items))
                    }
                }
                d.deserialize_any(Shape)
            }
        }
    };
}
pub(crate) use string_or_list;

string_or_list!(
    /// `stop`: one sequence or several.
    pub(crate) Stop,
    String,
    "a string or an array of strings"
);

impl Stop {
    /// The sequences, in order.
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Self::Text(s) => vec![s],
            Self::List(list) => list,
        }
    }
}

/// `value` when it lies in `low..=high`, else a refusal naming `path`.
pub(crate) fn in_range(
    path: &str,
    value: Option<f32>,
    low: f32,
    high: f32,
) -> Result<Option<f32>, BadRequest> {
    match value {
        Some(v) if !(low..=high).contains(&v) => Err(BadRequest::new(
            path,
            format!("must be between {low} and {high}, not {v}"),
        )),
        other => Ok(other),
    }
}

/// A JSON Schema for "no arguments", for tools declared without parameters.
pub(crate) fn empty_schema() -> serde_json::Value {
    serde_json::json!({"type": "object", "properties": {}})
}
