//! The rules of the body text fields as JSON Schema, for the OpenAPI document (the `openapi`
//! feature), so clients and fuzzers see the limits the readers and validators apply. Lengths are
//! the validators' own constants, in characters as JSON Schema counts them; each pattern is in
//! the regular expression syntax JSON Schema validators share (ECMA-262, read alike by Python
//! and Rust engines) and says what else is refused: a NUL character anywhere, and for names,
//! titles and comments a text that trimming leaves empty. Those are measured once trimmed, so
//! their length is in their pattern (a `maxLength` would count the white space around them).
//! The input types name these through `#[schema(schema_with = ...)]`.

use utoipa::openapi::schema::{
    AllOfBuilder, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type,
};

use crate::auth::password::{MAX_PASSWORD, MIN_PASSWORD};
use crate::comment::MAX_BODY;
use crate::input::{MAX_DESCRIPTION, MAX_NAME};
use crate::org::{MAX_SLUG, MIN_ORG_NAME};
use crate::user::MAX_EMAIL;

/// What trimming removes (Rust's `char::is_whitespace`, Unicode's `White_Space`), as the
/// inside of a character class.
const WHITE: &str =
    r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// Any text without a NUL character.
const NO_NUL: &str = r"^[^\u0000]*$";

fn text(description: &str, min: usize, max: Option<usize>, pattern: String) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .min_length((min > 0).then_some(min))
        .max_length(max)
        .pattern(Some(pattern))
        .build()
}

/// A character trimming keeps (and not NUL).
fn kept() -> String {
    format!("[^\\u0000{WHITE}]")
}

/// `min` to `max` (at least 1) characters without NUL once trimmed: white space, a kept
/// character, and if `max` > 1 up to `max` - 2 more and a last kept one, white space.
fn trimmed(min: usize, max: usize) -> String {
    let kept = kept();
    let inner = format!("{},{}", min.saturating_sub(2), max - 2);
    let rest = if min > 1 {
        format!("[^\\u0000]{{{inner}}}{kept}")
    } else {
        format!("(?:[^\\u0000]{{{inner}}}{kept})?")
    };
    format!("^[{WHITE}]*{kept}{rest}[{WHITE}]*$")
}

/// A project name or task title: 1 to 255 characters once trimmed.
pub(crate) fn title() -> Object {
    let description = "1 to 255 characters once trimmed.";
    text(description, 1, None, trimmed(1, MAX_NAME))
}

/// A comment's body: 1 to 10,000 characters once trimmed.
pub(crate) fn comment_body() -> Object {
    let description = "1 to 10,000 characters once trimmed.";
    text(description, 1, None, trimmed(1, MAX_BODY))
}

/// A project or task description.
pub(crate) fn description() -> Object {
    text(
        "At most 20,000 characters.",
        0,
        Some(MAX_DESCRIPTION),
        NO_NUL.into(),
    )
}

/// An organization name: 2 to 255 characters once trimmed, not digits only.
pub(crate) fn org_name() -> Schema {
    // Trimmed, the name runs from a kept character to another one, and one of its characters
    // (either end, or one between) is not a digit.
    let kept = kept();
    let kept_not_digit = format!("[^0-9\\u0000{WHITE}]");
    let any = r"[^\u0000]*";
    let not_digits = format!(
        "^[{WHITE}]*(?:{kept_not_digit}{any}{kept}|{kept}{any}{kept_not_digit}|\
         {kept}{any}[^0-9\\u0000]{any}{kept})[{WHITE}]*$"
    );
    let description = "2 to 255 characters once trimmed, not digits only.";
    let length = text(description, 0, None, trimmed(MIN_ORG_NAME, MAX_NAME));
    let rule = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(not_digits));
    Schema::AllOf(AllOfBuilder::new().item(length).item(rule).build())
}

/// An organization slug.
pub(crate) fn slug() -> Object {
    let pattern = "^[a-z0-9]+(-[a-z0-9]+)*$".into();
    text(
        "Lowercase letters and digits, single hyphens between them.",
        1,
        Some(MAX_SLUG),
        pattern,
    )
}

/// A display name.
pub(crate) fn full_name() -> Object {
    text("At most 255 characters.", 0, Some(MAX_NAME), NO_NUL.into())
}

/// An email address that must be valid (registration, a new member).
pub(crate) fn email() -> Object {
    let mut schema = text("A valid email address.", 1, Some(MAX_EMAIL), NO_NUL.into());
    schema.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
    schema
}

/// A new password: 8 to 128 characters, not digits only (and not the email or its local part,
/// which no schema can say).
pub(crate) fn new_password() -> Object {
    let pattern = r"^[^\u0000]*[^0-9\u0000][^\u0000]*$".into();
    let description = "8 to 128 characters, not digits only, not the email or its local part.";
    text(description, MIN_PASSWORD, Some(MAX_PASSWORD), pattern)
}

/// Text that is only compared (a login's email and password, a token): any text without NUL.
pub(crate) fn any_text() -> Object {
    text("Any text without a NUL character.", 0, None, NO_NUL.into())
}

/// A blank filter value (empty, or white space only), which the lists ignore as DRF does.
pub fn blank() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some("Blank: ignored."))
        .pattern(Some(format!("^[{WHITE}]*$")))
        .build()
}
