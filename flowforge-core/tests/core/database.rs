//! Naming and opening a database: settings, URLs, and the errors of one that cannot be opened.

use flowforge_core::{Config, Database, Error, FlowForge};

use crate::support::SECRET;

#[test]
fn a_database_that_cannot_be_opened_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::File(dir.path().join("missing-dir").join("flowforge.db"));
    match FlowForge::open(&db, Config::new(SECRET)) {
        Err(Error::Validation(errors)) => {
            let message = &errors.get("database_url").expect("names the setting")[0];
            assert!(message.starts_with("Cannot open the database"), "{message}");
        }
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("opened a database in a missing directory"),
    }
}

#[cfg(feature = "postgres")]
#[test]
fn an_unreachable_postgres_server_is_a_clear_error() {
    let db = Database::Postgres("postgres://postgres@127.0.0.1:1/flowforge".into());
    match FlowForge::open(&db, Config::new(SECRET)) {
        Err(Error::Validation(errors)) => {
            let message = &errors.get("database_url").expect("names the setting")[0];
            assert!(
                message.starts_with("Cannot connect to the PostgreSQL database"),
                "{message}"
            );
        }
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
}

#[test]
fn settings_name_the_database_by_url_or_by_db_variables() {
    let none = |_: &str| None;
    assert_eq!(
        Database::from_settings(None, none).unwrap(),
        Database::from_url(flowforge_core::DEFAULT_DATABASE_URL).unwrap()
    );
    let vars = |name: &str| match name {
        "DB_NAME" => Some("flowforge".to_owned()),
        "DB_HOST" => Some(String::new()),
        _ => None,
    };
    // DATABASE_URL wins over the DB_* variables.
    assert_eq!(
        Database::from_settings(Some("sqlite::memory:"), vars).unwrap(),
        Database::Memory
    );
    let by_parts = Database::from_settings(None, vars);
    let by_pairs = Database::from_url("host=db.internal dbname=flowforge");
    #[cfg(feature = "postgres")]
    {
        let expected = "dbname='flowforge' user='postgres' host='localhost' port='5432'";
        assert_eq!(by_parts.unwrap(), Database::Postgres(expected.into()));
        assert!(matches!(by_pairs.unwrap(), Database::Postgres(_)));
    }
    #[cfg(not(feature = "postgres"))]
    for refused in [by_parts, by_pairs] {
        match refused {
            Err(Error::Validation(errors)) => {
                let message = &errors.get("database_url").expect("names the setting")[0];
                assert!(message.contains("no PostgreSQL support"), "{message}");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
