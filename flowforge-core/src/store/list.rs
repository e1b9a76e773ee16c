//! Building list queries: a WHERE clause with bound values, an ORDER BY that always ends with the
//! id, and the count-then-page fetch every list shares. Values are always bound, never spliced.

use super::Tx;
use super::value::{Row, ToValue, Value};
use crate::error::Result;
use crate::query::{Page, PageRequest, Search};

/// Converts anything bindable into a value.
pub(crate) fn value<T: ToValue>(x: T) -> Value {
    x.to_value()
}

/// Conditions joined by `AND`, with their values in order.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    params: Vec<Value>,
}

impl Where {
    /// Adds a condition with its `?` values.
    pub(crate) fn and(
        &mut self,
        clause: impl Into<String>,
        params: impl IntoIterator<Item = Value>,
    ) {
        self.clauses.push(clause.into());
        self.params.extend(params);
    }

    /// `column IN (...)` for a non-empty list; nothing for an empty one (no filter).
    pub(crate) fn any_of<T: ToValue>(&mut self, column: &str, values: impl IntoIterator<Item = T>) {
        let values: Vec<Value> = values.into_iter().map(value).collect();
        if !values.is_empty() {
            let marks = vec!["?"; values.len()].join(", ");
            self.and(format!("{column} IN ({marks})"), values);
        }
    }

    /// Every word must be a case-insensitive substring of at least one of `columns`.
    pub(crate) fn search(&mut self, search: &Search, columns: &[&str]) {
        if search.is_empty() {
            return;
        }
        let one_word = columns
            .iter()
            .map(|c| format!("instr(casefold({c}), ?) > 0"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let clauses = vec![format!("({one_word})"); search.words().len()];
        let params = search
            .words()
            .iter()
            .flat_map(|w| columns.iter().map(move |_| Value::Text(w.clone())));
        self.and(balanced_and(&clauses), params);
    }

    /// The bound values, in order.
    pub(crate) fn params(&self) -> &[Value] {
        &self.params
    }

    /// ` WHERE ...`, or nothing without conditions.
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }
}

/// `clauses` joined by `AND` as a balanced tree, so that SQLite's expression depth limit (1000)
/// grows with the logarithm of their number, not the number itself.
fn balanced_and(clauses: &[String]) -> String {
    match clauses {
        [] => "1 = 1".into(),
        [one] => one.clone(),
        _ => {
            let (left, right) = clauses.split_at(clauses.len() / 2);
            format!("({} AND {})", balanced_and(left), balanced_and(right))
        }
    }
}

/// An `ORDER BY` of `(expression, descending)` terms, ended by `id_column` ascending.
pub(crate) fn order_by(terms: &[(String, bool)], id_column: &str) -> String {
    let mut parts: Vec<String> = terms
        .iter()
        .map(|(expr, desc)| format!("{expr} {}", if *desc { "DESC" } else { "ASC" }))
        .collect();
    parts.push(format!("{id_column} ASC"));
    parts.join(", ")
}

/// The shape of a list's SELECT.
pub(crate) struct Select {
    /// The selected columns, in the order the row mapper reads them.
    pub columns: &'static str,
    /// The tables the page is read from.
    pub from: &'static str,
    /// The tables the count is read from (joins only the filters need).
    pub count_from: &'static str,
}

/// `SELECT COUNT(*) FROM from WHERE ...`.
pub(crate) fn count(tx: &Tx<'_>, from: &str, filter: &Where) -> Result<u64> {
    tx.one(
        &format!("SELECT COUNT(*) FROM {from}{}", filter.sql()),
        &filter.params,
    )
}

/// The count and one page of `SELECT columns FROM from WHERE ... ORDER BY order` (no items for a
/// page past the end).
pub(crate) fn fetch_page<T>(
    tx: &Tx<'_>,
    select: &Select,
    filter: &Where,
    order: &str,
    page: PageRequest,
    map: impl FnMut(&Row) -> Result<T>,
) -> Result<Page<T>> {
    let count = count(tx, select.count_from, filter)?;
    let where_sql = filter.sql();
    let mut items = Vec::new();
    if page.offset() < count {
        let sql = format!(
            "SELECT {} FROM {}{where_sql} ORDER BY {order} LIMIT ? OFFSET ?",
            select.columns, select.from
        );
        let limit = i64::try_from(page.page_size()).unwrap_or(i64::MAX);
        let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
        let mut params = filter.params.clone();
        params.extend([Value::Int(limit), Value::Int(offset)]);
        items = tx.rows(&sql, &params, map)?;
    }
    Ok(Page {
        count,
        page: page.page(),
        page_size: page.page_size(),
        items,
    })
}
