//! Search text: split on white space; every word must occur, ignoring case, as a substring of
//! at least one of the list's text fields. Words are data, never query syntax.

/// The words of a search, case-folded; empty when there is no search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search(Vec<String>);

impl Search {
    /// Splits `text` into case-folded words.
    pub fn new(text: &str) -> Self {
        Self(text.split_whitespace().map(fold_case).collect())
    }

    /// A search for words that are already case-folded.
    pub(crate) fn from_words(words: Vec<String>) -> Self {
        Self(words)
    }

    /// The case-folded words.
    pub fn words(&self) -> &[String] {
        &self.0
    }

    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The case folding used by search on both sides of a comparison.
pub(crate) fn fold_case(text: &str) -> String {
    text.to_lowercase()
}
