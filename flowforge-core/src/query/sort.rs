//! Orderings: comma-separated field names, `-` for descending, checked against the fields a
//! list offers. Each list's query type names its default ordering; the store always appends the
//! id as the final tie-break.

use crate::error::FieldErrors;

/// A field a list can be ordered by.
pub trait SortField: Copy + Sized + 'static {
    /// Every orderable field of the list.
    const ALL: &'static [Self];

    /// The field's name in the `ordering` parameter.
    fn name(self) -> &'static str;
}

/// One ordering term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<F> {
    /// The field to order by.
    pub field: F,
    /// Whether the order is reversed.
    pub descending: bool,
}

impl<F: SortField> Sort<F> {
    /// Ascending by `field`.
    pub const fn asc(field: F) -> Self {
        Self {
            field,
            descending: false,
        }
    }

    /// Descending by `field`.
    pub const fn desc(field: F) -> Self {
        Self {
            field,
            descending: true,
        }
    }

    /// Parses `due_date,-priority`, recording an error for each field the list does not offer.
    pub(crate) fn parse_list(text: &str, errors: &mut FieldErrors) -> Vec<Self> {
        let mut out = Vec::new();
        for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (descending, name) = match term.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, term),
            };
            match F::ALL.iter().find(|f| f.name() == name) {
                Some(&field) => out.push(Self { field, descending }),
                None => errors.add("ordering", format!("Invalid ordering field: {term}.")),
            }
        }
        out
    }
}

/// The order a list is read in: `asked`, or the list's `default` when nothing was asked for.
pub(crate) fn ordering_or<'a, F>(asked: &'a [Sort<F>], default: &'a [Sort<F>]) -> &'a [Sort<F>] {
    if asked.is_empty() { default } else { asked }
}
