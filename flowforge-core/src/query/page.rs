//! Page-number pagination as DRF does it: 1-based pages, a clamped page size, and an exact count.

use std::num::IntErrorKind;

use serde::Serialize;

use super::Params;
use crate::error::{Error, FieldErrors, Result};

/// The largest page a client can get; larger requests are clamped to it.
pub const MAX_PAGE_SIZE: u64 = 100;
const DEFAULT_PAGE_SIZE: u64 = 20;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u64,
    page_size: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// Page `page` (1-based; 0 is taken as 1) of `page_size` items (clamped to 1..=100).
    pub fn new(page: u64, page_size: u64) -> Self {
        Self {
            page: page.max(1),
            page_size: page_size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// The 1-based page number.
    pub fn page(&self) -> u64 {
        self.page
    }

    /// The number of items per page.
    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// How many items precede this page.
    pub(crate) fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.page_size)
    }

    /// Checks that this page exists in a list of `count` items; page 1 always does.
    fn check_exists(&self, count: u64) -> Result<()> {
        if self.page > 1 && self.offset() >= count {
            return Err(invalid_page());
        }
        Ok(())
    }

    pub(super) fn read_page_size(params: &Params, errors: &mut FieldErrors) -> u64 {
        match params.single("page_size", errors) {
            None => DEFAULT_PAGE_SIZE,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if n > 0 => n.min(MAX_PAGE_SIZE),
                // Any positive number is clamped, however many digits it has.
                Err(e) if *e.kind() == IntErrorKind::PosOverflow => MAX_PAGE_SIZE,
                _ => {
                    errors.add("page_size", "A positive integer is required.");
                    DEFAULT_PAGE_SIZE
                }
            },
        }
    }

    pub(super) fn parse_page(text: Option<&str>) -> Result<u64> {
        match text {
            None => Ok(1),
            Some(text) => match text.trim().parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(invalid_page()),
            },
        }
    }
}

fn invalid_page() -> Error {
    Error::NotFound("Invalid page.".into())
}

/// One page of a list, with the total count of matching items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    /// How many items match the query in all pages.
    pub count: u64,
    /// The page these items are (1-based).
    pub page: u64,
    /// The page size used.
    pub page_size: u64,
    /// The items of this page, in the list's order.
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// This page, or [`Error::NotFound`] when it lies past the end of its list: a list answers
    /// page 1 even when empty, and no page after its last.
    ///
    /// # Errors
    /// [`Error::NotFound`] `Invalid page.` past the end.
    pub(crate) fn found(self) -> Result<Self> {
        let request = PageRequest {
            page: self.page,
            page_size: self.page_size,
        };
        request.check_exists(self.count)?;
        Ok(self)
    }

    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        self.page.saturating_mul(self.page_size) < self.count
    }

    /// Whether an earlier page exists.
    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    /// The number of pages (at least 1, even for an empty list).
    pub fn num_pages(&self) -> u64 {
        self.count.div_ceil(self.page_size.max(1)).max(1)
    }

    /// The same page with every item transformed.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            count: self.count,
            page: self.page,
            page_size: self.page_size,
            items: self.items.into_iter().map(f).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_clamped_and_must_be_positive() {
        let mut errors = FieldErrors::default();
        for large in ["500", "18446744073709551616", "99999999999999999999999999"] {
            assert_eq!(
                PageRequest::read_page_size(&Params::new([("page_size", large)]), &mut errors),
                100,
                "{large}"
            );
        }
        assert!(errors.is_empty());
        for bad in ["0", "-1", "ten", "", "-99999999999999999999", "1e300"] {
            let mut errors = FieldErrors::default();
            PageRequest::read_page_size(&Params::new([("page_size", bad)]), &mut errors);
            assert!(errors.get("page_size").is_some(), "{bad} accepted");
        }
    }

    #[test]
    fn page_zero_or_text_is_an_invalid_page() {
        for bad in ["0", "x", "-2", "1.5"] {
            assert!(
                matches!(PageRequest::parse_page(Some(bad)), Err(Error::NotFound(m)) if m == "Invalid page.")
            );
        }
        assert_eq!(PageRequest::parse_page(None).unwrap(), 1);
    }

    #[test]
    fn a_page_past_the_end_does_not_exist_but_page_one_always_does() {
        assert!(PageRequest::new(1, 20).check_exists(0).is_ok());
        assert!(PageRequest::new(2, 20).check_exists(20).is_err());
        assert!(PageRequest::new(2, 20).check_exists(21).is_ok());
    }

    #[test]
    fn links_exist_only_where_pages_do() {
        let page = Page {
            count: 41,
            page: 2,
            page_size: 20,
            items: vec![()],
        };
        assert!(page.has_next() && page.has_previous());
        assert_eq!(page.num_pages(), 3);
        let last = Page { page: 3, ..page };
        assert!(!last.has_next());
    }
}
