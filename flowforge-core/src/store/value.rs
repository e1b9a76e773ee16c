//! The values statements bind and rows return, in one form for every backend: ids, timestamps
//! and dates travel as their canonical text, choices as their rank. Each backend converts
//! [`Value`] to its own column types and hands its columns back as [`Cell`]s, so the statements
//! are written once.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::authz::Role;
use crate::error::{Error, Result};
use crate::event::EventType;
use crate::ids::{CommentId, OrgId, ProjectId, TaskId, UserId};
use crate::task::{Priority, Status};
use crate::time::Timestamp;

/// How a date is written as a [`Value`].
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

/// One bound parameter or one column of a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
}

/// A type that binds as a [`Value`].
pub(crate) trait ToValue {
    fn to_value(&self) -> Value;
}

/// One column of a row as the backend hands it over: text borrowed from the backend's row
/// where it can be, so an id or a timestamp is parsed where it lies and only a `String` column
/// is copied (once).
pub(crate) enum Cell<'a> {
    Null,
    Int(i64),
    Bool(bool),
    Text(Cow<'a, str>),
}

impl Value {
    fn cell(&self) -> Cell<'_> {
        match self {
            Value::Null => Cell::Null,
            Value::Int(n) => Cell::Int(*n),
            Value::Bool(b) => Cell::Bool(*b),
            Value::Text(text) => Cell::Text(Cow::Borrowed(text)),
        }
    }
}

/// A type that a column decodes into.
pub(crate) trait FromCell: Sized {
    fn from_cell(cell: Cell<'_>) -> Option<Self>;
}

/// What a row reads its columns from: SQLite's current row in place, or the values another
/// backend decoded.
pub(crate) trait Columns {
    /// Column `index`, if the row has one.
    fn cell(&self, index: usize) -> Option<Cell<'_>>;
}

impl Columns for Vec<Value> {
    fn cell(&self, index: usize) -> Option<Cell<'_>> {
        self.get(index).map(Value::cell)
    }
}

/// The bound values of a statement: `args![a, b]`.
macro_rules! args {
    ($($x:expr),* $(,)?) => {
        &[$($crate::store::value::ToValue::to_value(&$x)),*][..]
    };
}
pub(crate) use args;

/// One row of a result, its columns in the order of the SELECT, read while the backend holds
/// it.
pub(crate) struct Row<'a>(pub(crate) &'a dyn Columns);

impl Row<'_> {
    /// Column `index` decoded as `T`; a mismatch is an internal error (schema and code disagree).
    pub(crate) fn get<T: FromCell>(&self, index: usize) -> Result<T> {
        self.0
            .cell(index)
            .and_then(T::from_cell)
            .ok_or_else(|| Error::internal(Mismatch(index, std::any::type_name::<T>())))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("column {0} does not decode as {1}")]
struct Mismatch(usize, &'static str);

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

impl FromCell for String {
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Text(text) => Some(text.into_owned()),
            _ => None,
        }
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl FromCell for i64 {
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Int(n) => Some(n),
            _ => None,
        }
    }
}

impl FromCell for u64 {
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        i64::from_cell(cell).and_then(|n| u64::try_from(n).ok())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromCell for bool {
    /// SQLite keeps booleans as 0 and 1.
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            Cell::Bool(b) => Some(b),
            Cell::Int(n) => Some(n != 0),
            _ => None,
        }
    }
}

impl ToValue for NaiveDate {
    fn to_value(&self) -> Value {
        Value::Text(self.format(DATE_FORMAT).to_string())
    }
}

impl FromCell for NaiveDate {
    fn from_cell(cell: Cell<'_>) -> Option<Self> {
        match cell {
            // The ISO form `DATE_FORMAT` writes, digit by digit, or chrono's `FromStr`.
            Cell::Text(text) => crate::time::parse_date(&text),
            _ => None,
        }
    }
}

/// Types that travel as their canonical text (`Display` out, `FromStr` back).
macro_rules! text_values {
    ($($name:ty),* $(,)?) => {$(
        impl ToValue for $name {
            fn to_value(&self) -> Value {
                Value::Text(self.to_string())
            }
        }

        impl FromCell for $name {
            fn from_cell(cell: Cell<'_>) -> Option<Self> {
                match cell {
                    Cell::Text(text) => text.parse().ok(),
                    _ => None,
                }
            }
        }
    )*};
}

text_values!(
    UserId, OrgId, ProjectId, TaskId, CommentId, Timestamp, EventType
);

/// Choices travel as their rank, so the database orders them by their declared order.
macro_rules! rank_values {
    ($($name:ty),* $(,)?) => {$(
        impl ToValue for $name {
            fn to_value(&self) -> Value {
                Value::Int(self.rank())
            }
        }

        impl FromCell for $name {
            fn from_cell(cell: Cell<'_>) -> Option<Self> {
                match cell {
                    Cell::Int(rank) => Self::from_rank(rank),
                    _ => None,
                }
            }
        }
    )*};
}

rank_values!(Role, Status, Priority);
