//! What every list shares: reading query-string pairs, pagination, ordering and search.
//! Each list's own query type (`TaskQuery` and the others) is built from these pieces, so the
//! server and the CLI parse lists with one parser and get the same errors.

mod page;
mod params;
pub(crate) mod search;
mod sort;

pub use page::{MAX_PAGE_SIZE, Page, PageRequest};
pub(crate) use params::{Params, parse_id};
pub use search::{MAX_SEARCH_CHARS, MAX_SEARCH_WORDS, Search};
pub(crate) use sort::ordering_or;
pub use sort::{Sort, SortField};

use crate::error::{FieldErrors, Result};

/// The parts common to every list: search words, ordering and the page wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Common<F> {
    pub search: Search,
    pub ordering: Vec<Sort<F>>,
    pub page: PageRequest,
}

impl<F: SortField> Common<F> {
    /// Reads `search`, `ordering`, `page` and `page_size` from `params`. `errors` holds what the
    /// list's own filters found wrong; all of it is one validation error. A bad `page` is
    /// reported only once everything else is valid, as the contract's not-found answer.
    pub(crate) fn read(params: &Params, mut errors: FieldErrors) -> Result<Self> {
        let search = match params.single("search", &mut errors).map(Search::parse) {
            None => Search::default(),
            Some(Ok(search)) => search,
            Some(Err(message)) => {
                errors.add("search", message);
                Search::default()
            }
        };
        let Ordered { ordering, page } = Ordered::read(params, errors)?;
        Ok(Self {
            search,
            ordering,
            page,
        })
    }
}

/// The parts of a list that offers no search: ordering and the page wanted (a `search`
/// parameter is then ignored, as any parameter a list does not offer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ordered<F> {
    pub ordering: Vec<Sort<F>>,
    pub page: PageRequest,
}

impl<F: SortField> Ordered<F> {
    /// Reads `ordering`, `page` and `page_size` as [`Common::read`] does.
    pub(crate) fn read(params: &Params, mut errors: FieldErrors) -> Result<Self> {
        let ordering = match params.single("ordering", &mut errors) {
            Some(text) => Sort::parse_list(text, &mut errors),
            None => Vec::new(),
        };
        Ok(Self {
            ordering,
            page: read_page(params, errors)?,
        })
    }
}

/// Reads `page` and `page_size` from `params`, for a list without search or ordering; `errors`
/// holds what the list's own filters found wrong. A bad `page` is reported only once everything
/// else is valid, as the contract's not-found answer.
pub(crate) fn read_page(params: &Params, mut errors: FieldErrors) -> Result<PageRequest> {
    let page_size = PageRequest::read_page_size(params, &mut errors);
    let page = params.single("page", &mut errors);
    errors.into_result()?;
    Ok(PageRequest::new(PageRequest::parse_page(page)?, page_size))
}
