//! Reading request bodies (JSON objects) into typed inputs with per-field messages, so the
//! server and the CLI reject the same things with the same words. Unknown and read-only fields
//! are refused before anything else is looked at.

use std::str::FromStr;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::choice::UnknownChoice;
use crate::error::{Error, FieldErrors, Result};

/// The message of a field that must be present.
pub(crate) const REQUIRED: &str = "This field is required.";

/// One JSON object being read field by field; errors collect until [`Body::finish`].
pub(crate) struct Body<'a> {
    map: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Body<'a> {
    /// Accepts `value` if it is an object whose keys are all in `writable`.
    /// Keys in `read_only` are refused as read-only, any other key as unknown.
    pub(crate) fn parse(value: &'a Value, writable: &[&str], read_only: &[&str]) -> Result<Self> {
        let Value::Object(map) = value else {
            return Err(Error::invalid(
                FieldErrors::NON_FIELD,
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    kind(value)
                ),
            ));
        };
        let mut errors = FieldErrors::default();
        for key in map.keys() {
            if read_only.contains(&key.as_str()) {
                errors.add(key, "This field is read-only.");
            } else if !writable.contains(&key.as_str()) {
                errors.add(key, "Unknown field.");
            }
        }
        errors.into_result()?;
        Ok(Self {
            map,
            errors: FieldErrors::default(),
        })
    }

    /// The raw value of `name`, recording "required" if it must be present and is not.
    fn value(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        let value = self.map.get(name);
        if value.is_none() && required {
            self.errors.add(name, REQUIRED);
        }
        value
    }

    /// A value that may not be null.
    fn non_null(&mut self, name: &str, required: bool) -> Option<&'a Value> {
        match self.value(name, required)? {
            Value::Null => {
                self.errors.add(name, "This field may not be null.");
                None
            }
            value => Some(value),
        }
    }

    fn string_of(&mut self, name: &str, value: &'a Value) -> Option<&'a str> {
        match value.as_str() {
            None => {
                self.errors.add(name, "Not a valid string.");
                None
            }
            Some(text) if text.contains('\0') => {
                self.errors.add(name, "Null characters are not allowed.");
                None
            }
            text => text,
        }
    }

    /// A string field.
    pub(crate) fn text(&mut self, name: &str, required: bool) -> Option<String> {
        let value = self.non_null(name, required)?;
        self.string_of(name, value).map(str::to_owned)
    }

    /// A boolean field.
    pub(crate) fn boolean(&mut self, name: &str) -> Option<bool> {
        let value = self.non_null(name, false)?;
        let flag = value.as_bool();
        if flag.is_none() {
            self.errors.add(name, "Must be a valid boolean.");
        }
        flag
    }

    /// A field holding one of a choice enum's names.
    pub(crate) fn choice<T: FromStr<Err = UnknownChoice>>(
        &mut self,
        name: &str,
        required: bool,
    ) -> Option<T> {
        let value = self.non_null(name, required)?;
        let text = self.string_of(name, value)?;
        text.parse()
            .map_err(|e: UnknownChoice| self.errors.add(name, e.to_string()))
            .ok()
    }

    /// An id field.
    pub(crate) fn id<T: FromStr>(&mut self, name: &str, required: bool) -> Option<T> {
        let value = self.non_null(name, required)?;
        self.parse_id(name, value)
    }

    /// An optional field that may be null: `None` when absent, `Some(None)` when null.
    pub(crate) fn nullable_id<T: FromStr>(&mut self, name: &str) -> Option<Option<T>> {
        match self.value(name, false)? {
            Value::Null => Some(None),
            value => self.parse_id(name, value).map(Some),
        }
    }

    /// A `YYYY-MM-DD` date that may be null: `None` when absent, `Some(None)` when null.
    pub(crate) fn nullable_date(&mut self, name: &str) -> Option<Option<NaiveDate>> {
        match self.value(name, false)? {
            Value::Null => Some(None),
            value => {
                let date = value.as_str().and_then(parse_date);
                if date.is_none() {
                    self.errors.add(name, DATE_FORMAT);
                }
                date.map(Some)
            }
        }
    }

    fn parse_id<T: FromStr>(&mut self, name: &str, value: &Value) -> Option<T> {
        let id = value.as_str().and_then(|s| s.parse().ok());
        if id.is_none() {
            self.errors.add(name, "Must be a valid UUID.");
        }
        id
    }

    /// Ends reading: the collected messages, if any, as one validation error.
    pub(crate) fn finish(self) -> Result<()> {
        self.errors.into_result()
    }
}

/// The message of a malformed date.
pub(crate) const DATE_FORMAT: &str =
    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.";

/// Parses a strict `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    (text.len() == 10)
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// The message of a body field naming something that does not exist for the caller (missing
/// and foreign alike).
pub(crate) fn missing_reference(id: impl std::fmt::Display) -> String {
    format!("Invalid pk \"{id}\" - object does not exist.")
}

/// The longest description of a project or task, in characters.
pub(crate) const MAX_DESCRIPTION: usize = 20_000;

/// The longest name, title or full name, in characters (once trimmed, where it is trimmed).
pub(crate) const MAX_NAME: usize = 255;

/// Checks the `field` text of a project (`name`) or task (`title`), 1 to 255 characters once
/// trimmed, and its description, recording messages; returns the trimmed text.
pub(crate) fn check_text(
    field: &str,
    text: Option<&str>,
    description: Option<&str>,
    errors: &mut FieldErrors,
) -> Option<String> {
    let text = text.map(str::trim);
    if let Some(text) = text {
        check_length(errors, field, text, 1, MAX_NAME);
    }
    if let Some(description) = description {
        check_length(errors, "description", description, 0, MAX_DESCRIPTION);
    }
    text.map(str::to_owned)
}

/// Checks a text's length in characters, recording DRF's messages against `field`.
pub(crate) fn check_length(
    errors: &mut FieldErrors,
    field: &str,
    text: &str,
    min: usize,
    max: usize,
) {
    let chars = text.chars().count();
    if min > 0 && text.trim().is_empty() {
        errors.add(field, "This field may not be blank.");
    } else if chars < min {
        errors.add(
            field,
            format!("Ensure this field has at least {min} characters."),
        );
    } else if chars > max {
        errors.add(
            field,
            format!("Ensure this field has no more than {max} characters."),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn unknown_and_read_only_fields_are_refused_by_name() {
        let body = json!({"title": "x", "id": "1", "colour": "red"});
        let Err(Error::Validation(errors)) = Body::parse(&body, &["title"], &["id"]) else {
            panic!("expected a validation error");
        };
        assert_eq!(errors.get("id").unwrap(), ["This field is read-only."]);
        assert_eq!(errors.get("colour").unwrap(), ["Unknown field."]);
        assert!(errors.get("title").is_none());
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_non_field_error() {
        let Err(Error::Validation(errors)) = Body::parse(&json!([1]), &[], &[]) else {
            panic!("expected a validation error");
        };
        assert_eq!(
            errors.get(FieldErrors::NON_FIELD).unwrap(),
            ["Invalid data. Expected a dictionary, but got list."]
        );
    }

    #[test]
    fn null_characters_are_refused_in_text() {
        let body = json!({"title": "a\u{0}b"});
        let mut read = Body::parse(&body, &["title"], &[]).unwrap();
        assert_eq!(read.text("title", true), None);
        let Err(Error::Validation(errors)) = read.finish() else {
            panic!("expected a validation error");
        };
        assert_eq!(
            errors.get("title").unwrap(),
            ["Null characters are not allowed."]
        );
    }

    #[test]
    fn dates_must_be_strict_iso_days() {
        assert!(parse_date("2026-02-28").is_some());
        for bad in [
            "2026-2-28",
            "2026-02-30",
            "28/02/2026",
            "2026-02-28T00:00:00Z",
            "",
        ] {
            assert!(parse_date(bad).is_none(), "{bad} parsed");
        }
    }
}
