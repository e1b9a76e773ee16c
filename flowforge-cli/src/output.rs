//! Output: a table for people, JSON for scripts. A closed stdout (`flowforge ... | head`) ends
//! the command quietly, as it would a shell tool, instead of panicking.

use std::io::Write;

use comfy_table::{Table, presets::UTF8_BORDERS_ONLY};
use serde::Serialize;

/// Prints `rows` as a table with `header`, or `value` as JSON when `json` is set.
pub fn print<T: Serialize + ?Sized>(
    json: bool,
    value: &T,
    header: &[&str],
    rows: Vec<Vec<String>>,
) {
    if json {
        say!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
        return;
    }
    let mut table = Table::new();
    table
        .load_preset(UTF8_BORDERS_ONLY)
        .set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    say!("{table}");
}

/// A page's footer line for people: `page 1 of 3 (57 in all)`.
pub fn footer(json: bool, page: u64, pages: u64, count: u64) {
    if !json {
        say!("page {page} of {pages} ({count} in all)");
    }
}

/// Writes one line to stdout; exits quietly when nobody reads it any more.
pub fn line(text: std::fmt::Arguments<'_>) {
    if writeln!(std::io::stdout(), "{text}").is_err() {
        std::process::exit(0);
    }
}

/// `println!` through [`line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

pub(crate) use say;
