//! [`Value`] to and from the column types PostgreSQL reports: uuid, timestamptz and date from
//! and to their canonical text, smallint/integer/bigint from and to `Int`, text as text. A type
//! no value maps to is an error naming it (the statement needs a cast), never a guess.

use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, Utc};
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use uuid::Uuid;

use crate::store::value::{DATE_FORMAT, Value};
use crate::time::Timestamp;

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::INT8 => n.to_sql(ty, out),
                _ => Err(unsupported(ty)),
            },
            Value::Text(text) => match *ty {
                Type::UUID => Uuid::parse_str(text)?.to_sql(ty, out),
                Type::TIMESTAMPTZ => text.parse::<Timestamp>()?.as_datetime().to_sql(ty, out),
                Type::DATE => NaiveDate::parse_from_str(text, DATE_FORMAT)?.to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                    text.as_str().to_sql(ty, out)
                }
                _ => Err(unsupported(ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(
        ty: &Type,
        raw: &'a [u8],
    ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::UUID => Value::Text(Uuid::from_sql(ty, raw)?.hyphenated().to_string()),
            Type::TIMESTAMPTZ => {
                let millis = DateTime::<Utc>::from_sql(ty, raw)?.timestamp_millis();
                Value::Text(Timestamp::from_millis(millis).to_string())
            }
            Type::DATE => Value::Text(
                NaiveDate::from_sql(ty, raw)?
                    .format(DATE_FORMAT)
                    .to_string(),
            ),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => {
                Value::Text(<&str>::from_sql(ty, raw)?.to_owned())
            }
            _ => return Err(unsupported(ty)),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A column or parameter type that no [`Value`] maps to (a statement needs a cast).
fn unsupported(ty: &Type) -> Box<dyn std::error::Error + Sync + Send> {
    format!("no FlowForge value converts to or from PostgreSQL type {ty}").into()
}
