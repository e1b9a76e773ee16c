//! Statements on users.

use std::sync::LazyLock;

use super::Tx;
use super::list::{Select, Where, fetch_page, order_by};
use super::value::{Row, args};
use crate::error::Result;
use crate::ids::UserId;
use crate::query::{Page, PageRequest, Search, Sort};
use crate::user::{User, UserField};

const USER_COLUMNS: &str = "u.id, u.email, u.full_name, u.is_active, u.created_at";

/// A user by id: every authenticated request reads one, so its text is built once.
static USER_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?"));

fn user_row(row: &Row) -> Result<User> {
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        full_name: row.get(2)?,
        is_active: row.get(3)?,
        created_at: row.get(4)?,
    })
}

impl Tx<'_> {
    pub(crate) fn insert_user(&self, user: &User, password_hash: &str) -> Result<()> {
        self.execute_unique(
            "INSERT INTO users (id, email, full_name, password_hash, is_active, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
            args![
                user.id,
                user.email,
                user.full_name,
                password_hash,
                user.is_active,
                user.created_at
            ],
            "A user with this email already exists.",
        )?;
        Ok(())
    }

    pub(crate) fn user_by_id(&self, id: UserId) -> Result<Option<User>> {
        self.row(&USER_BY_ID, args![id], user_row)
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = ?");
        self.row(&sql, args![email], user_row)
    }

    /// The user with `email` and their password hash.
    pub(crate) fn user_with_hash(&self, email: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.email = ?");
        self.row(&sql, args![email], |r| Ok((user_row(r)?, r.get(5)?)))
    }

    pub(crate) fn password_hash(&self, id: UserId) -> Result<Option<String>> {
        self.row(
            "SELECT password_hash FROM users WHERE id = ?",
            args![id],
            |r| r.get(0),
        )
    }

    /// Replaces the hash only if it is still `old`; returns whether it did.
    pub(crate) fn replace_password_hash(&self, id: UserId, old: &str, new: &str) -> Result<bool> {
        let changed = self.execute(
            "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
            args![new, id, old],
        )?;
        Ok(changed == 1)
    }

    /// Returns whether the user exists.
    pub(crate) fn set_password_hash(&self, id: UserId, hash: &str) -> Result<bool> {
        let changed = self.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?",
            args![hash, id],
        )?;
        Ok(changed == 1)
    }

    pub(crate) fn set_full_name(&self, id: UserId, name: &str) -> Result<()> {
        self.execute(
            "UPDATE users SET full_name = ? WHERE id = ?",
            args![name, id],
        )?;
        Ok(())
    }

    /// Returns whether the user exists.
    pub(crate) fn set_user_active(&self, id: UserId, active: bool) -> Result<bool> {
        let changed = self.execute(
            "UPDATE users SET is_active = ? WHERE id = ?",
            args![active, id],
        )?;
        Ok(changed == 1)
    }

    /// Every user, in `ordering` (an unscoped admin listing).
    pub(crate) fn list_all_users(
        &self,
        search: &Search,
        ordering: &[Sort<UserField>],
        page: PageRequest,
    ) -> Result<Page<User>> {
        let terms: Vec<(String, bool)> = ordering
            .iter()
            .map(|s| (user_column(s.field).to_owned(), s.descending))
            .collect();
        let mut filter = Where::default();
        filter.search(search, &["u.email", "u.full_name"]);
        fetch_page(
            self,
            &Select {
                columns: USER_COLUMNS,
                from: "users u",
                count_from: "users u",
            },
            &filter,
            &order_by(&terms, "u.id"),
            page,
            user_row,
        )
    }
}

fn user_column(field: UserField) -> &'static str {
    match field {
        UserField::Email => "u.email",
    }
}
