//! Pagination as a property: for random data, filters and orderings, walking every page with a
//! random page size yields exactly the list a model computes (filter, order, id tie-break), each
//! item once, with the same `count` on every page and `has_next` false only on the last page.

mod comments;
mod members;
mod tasks;

use flowforge_core::{Error, Page};
use proptest::prelude::*;

/// No regression files: this module writes nothing next to the sources.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    }
}

/// Walks every page of a list of `total` items with `page_size`, checking the page bookkeeping,
/// and returns the items in the order seen. `fetch` gets a 1-based page number.
fn walk<T>(
    total: usize,
    page_size: u64,
    mut fetch: impl FnMut(u64) -> Result<Page<T>, Error>,
) -> Result<Vec<T>, TestCaseError> {
    let total = total as u64;
    let pages = total.div_ceil(page_size).max(1);
    let mut seen = Vec::new();
    for number in 1..=pages {
        let page = fetch(number)
            .map_err(|e| TestCaseError::fail(format!("page {number} of {pages}: {e:?}")))?;
        prop_assert_eq!(page.count, total, "count on page {}", number);
        prop_assert_eq!(page.page, number);
        prop_assert_eq!(page.page_size, page_size);
        let expected_len = page_size.min(total - (number - 1) * page_size);
        prop_assert_eq!(
            page.items.len() as u64,
            expected_len,
            "items on page {} of {}",
            number,
            pages
        );
        prop_assert_eq!(
            page.has_next(),
            number < pages,
            "has_next on page {} of {}",
            number,
            pages
        );
        prop_assert_eq!(
            page.has_previous(),
            number > 1,
            "has_previous on page {}",
            number
        );
        prop_assert_eq!(page.num_pages(), pages);
        seen.extend(page.items);
    }
    match fetch(pages + 1) {
        Err(Error::NotFound(message)) => prop_assert_eq!(message, "Invalid page."),
        other => {
            return Err(TestCaseError::fail(format!(
                "page {} past the end answered {:?}",
                pages + 1,
                other.map(|p| p.items.len())
            )));
        }
    }
    Ok(seen)
}

fn subset<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = Vec<T>> {
    proptest::collection::vec(any::<bool>(), all.len()).prop_map(move |picks| {
        all.iter()
            .zip(picks)
            .filter(|(_, pick)| *pick)
            .map(|(v, _)| *v)
            .collect()
    })
}

/// The model of search: every word of `text` occurs, ignoring case, in one of `fields`.
fn search_matches(text: &str, fields: [&str; 2]) -> bool {
    let fields = fields.map(str::to_lowercase);
    text.split_whitespace()
        .map(str::to_lowercase)
        .all(|w| fields.iter().any(|f| f.contains(&w)))
}
