//! The secret key a debug installation generates for itself, kept beside its database so that
//! the server and the admin CLI sign and verify tokens with the same key.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::store::Database;

/// Where the generated key of `database` lives: `<database file>.secret`; none for memory.
pub fn generated_secret_path(database: &Database) -> Option<PathBuf> {
    match database {
        Database::File(path) => {
            let mut name = path.file_name()?.to_os_string();
            name.push(".secret");
            Some(path.with_file_name(name))
        }
        Database::Memory => None,
        #[cfg(feature = "postgres")]
        Database::Postgres(_) => None,
    }
}

/// Reads the key generated for `database`, or generates one (256 random bits, hex) and keeps it
/// with owner-only permissions. Returns the key and whether it was generated just now.
///
/// # Errors
/// [`Error::Validation`] naming `secret_key` when the file cannot be read or written.
pub fn load_or_generate_secret(database: &Database) -> Result<(String, bool)> {
    let fresh = || {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| Error::Internal(e.to_string().into()))?;
        Ok::<_, Error>(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
    };
    let Some(path) = generated_secret_path(database) else {
        return Ok((fresh()?, true));
    };
    let unusable = |e: std::io::Error| {
        Error::invalid(
            "secret_key",
            format!("Cannot use the key file {}: {e}", path.display()),
        )
    };
    match fs::read_to_string(&path) {
        Ok(key) if !key.trim().is_empty() => return Ok((key.trim().to_owned(), false)),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(unusable(e)),
    }
    let key = fresh()?;
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(&path) {
        Ok(file) => file,
        // Another process created it first: use its key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let key = fs::read_to_string(&path).map_err(unusable)?;
            return Ok((key.trim().to_owned(), false));
        }
        Err(e) => return Err(unusable(e)),
    };
    file.write_all(key.as_bytes()).map_err(unusable)?;
    Ok((key, true))
}

/// Where a signing key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Configured (`SECRET_KEY`).
    Configured,
    /// Kept beside the database by a debug installation (generated now if `true`).
    Generated(bool),
}

/// The key that signs tokens: the configured one, or, in debug mode only, the one a debug
/// installation keeps beside its database (generated on first use). The server and the admin
/// CLI both resolve it here, so a token one makes the other accepts.
///
/// # Errors
/// [`Error::Validation`] naming `secret_key` when no key is configured outside debug mode, or
/// the key file cannot be used.
pub fn resolve_secret_key(
    configured: Option<&str>,
    debug: bool,
    database: &Database,
) -> Result<(String, KeySource)> {
    match configured.filter(|key| !key.is_empty()) {
        Some(key) => Ok((key.to_owned(), KeySource::Configured)),
        // Servers sharing a PostgreSQL database must share one key, which none can generate.
        #[cfg(feature = "postgres")]
        None if matches!(database, Database::Postgres(_)) => Err(Error::invalid(
            "secret_key",
            "required with a PostgreSQL database, so that every server signs with the same key; set SECRET_KEY",
        )),
        None if debug => load_or_generate_secret(database)
            .map(|(key, generated)| (key, KeySource::Generated(generated))),
        None => Err(Error::invalid(
            "secret_key",
            "required when DEBUG is false; set SECRET_KEY, or DEBUG=true to use a generated key",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::File(dir.path().join("flowforge.db"));
        let (key, generated) = load_or_generate_secret(&db).unwrap();
        assert!(generated && key.len() == 64);
        assert_eq!(load_or_generate_secret(&db).unwrap(), (key, false));
        let path = generated_secret_path(&db).unwrap();
        assert_eq!(path.file_name().unwrap(), "flowforge.db.secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }
}
