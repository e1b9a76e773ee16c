//! Search text: split on white space; every word must occur, ignoring case, as a substring of
//! at least one of the list's text fields. Words are data, never query syntax. NUL characters
//! are dropped (as DRF does), and a word implied by another (a repeat, or a substring of a
//! longer word) is dropped too: it cannot change the result.

/// The most distinct words a search may have.
pub const MAX_WORDS: usize = 100;

/// The words of a search, case-folded; empty when there is no search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search(Vec<String>);

impl Search {
    /// Splits `text` into case-folded words.
    pub fn new(text: &str) -> Self {
        let mut words: Vec<String> = text
            .replace('\0', "")
            .split_whitespace()
            .map(fold_case)
            .collect();
        // Longest first, so each word is checked against every longer one kept before it.
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut kept: Vec<String> = Vec::new();
        for word in words {
            if !kept.iter().any(|longer| longer.contains(word.as_str())) {
                kept.push(word);
            }
        }
        Self(kept)
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

/// The case folding used on both sides of every case-insensitive comparison (search, unique
/// names): character by character, so a letter folds the same wherever it stands, with the
/// Greek final sigma folded like the other sigma.
pub(crate) fn fold_case(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ς' { 'σ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_and_implied_words_dropped() {
        let search = Search::new("Ord o ORDER\0 x ord");
        assert_eq!(search.words(), ["order", "x"]);
        assert!(Search::new(" \0 ").is_empty());
    }

    #[test]
    fn a_letter_folds_the_same_wherever_it_stands() {
        assert_eq!(fold_case("ΟΔΟΣ ΟΔΟΣΑ οδος"), "οδοσ οδοσα οδοσ");
        assert_eq!(fold_case("İstanbul"), "i\u{307}stanbul");
    }
}
