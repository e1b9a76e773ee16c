//! Reaching a PostgreSQL server: the connection string of the `DB_*` variables, and one client
//! connected outside the pool (for migrations and scratch schemas), whose failure names
//! `database_url`.

use postgres::{Client, NoTls};

use crate::error::{Error, Result};

/// The `key=value` connection string of the `DB_*` variables (see `Database::from_settings`).
pub(crate) fn conninfo(var: &impl Fn(&str) -> Option<String>) -> String {
    let quoted = |value: String| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    [
        ("dbname", "DB_NAME", None),
        ("user", "DB_USER", Some("postgres")),
        ("password", "DB_PASSWORD", None),
        ("host", "DB_HOST", Some("localhost")),
        ("port", "DB_PORT", Some("5432")),
    ]
    .into_iter()
    .filter_map(|(key, name, default)| {
        let value = var(name)
            .filter(|value| !value.is_empty())
            .or_else(|| default.map(str::to_owned))?;
        Some(format!("{key}={}", quoted(value)))
    })
    .collect::<Vec<_>>()
    .join(" ")
}

/// The driver's settings for `url`.
pub(super) fn config(url: &str) -> Result<postgres::Config> {
    url.parse().map_err(|e| {
        Error::invalid(
            "database_url",
            format!("The PostgreSQL URL is not valid: {e}"),
        )
    })
}

/// One client connected to `url`.
pub(super) fn connect(url: &str) -> Result<Client> {
    config(url)?.connect(NoTls).map_err(|e| {
        // The driver's message is general ("error connecting to server"); its cause says why.
        let cause = std::error::Error::source(&e).map_or_else(String::new, |c| format!(": {c}"));
        Error::invalid(
            "database_url",
            format!("Cannot connect to the PostgreSQL database: {e}{cause}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::conninfo;

    #[test]
    fn db_variables_make_a_quoted_connection_string_with_defaults() {
        let var = |name: &str| match name {
            "DB_NAME" => Some("flow forge".to_owned()),
            "DB_PASSWORD" => Some(r"it's\secret".to_owned()),
            _ => None,
        };
        let info = conninfo(&var);
        assert_eq!(
            info,
            r"dbname='flow forge' user='postgres' password='it\'s\\secret' host='localhost' port='5432'"
        );
        let config: postgres::Config = info.parse().unwrap();
        assert_eq!(config.get_dbname(), Some("flow forge"));
        assert_eq!(config.get_password(), Some(&br"it's\secret"[..]));
    }
}
