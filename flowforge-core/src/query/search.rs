//! Search text: split on white space; every word must occur, ignoring case, as a substring of
//! at least one of the list's text fields. Words are data, never query syntax. NUL characters
//! are dropped (as DRF does), and a word implied by another (a repeat, or a substring of a
//! longer word) is dropped too: it cannot change the result.
//!
//! Text a client sends is read with limits ([`Search::parse`]): reading stops at the first
//! character past [`MAX_SEARCH_CHARS`] or the first distinct word past [`MAX_SEARCH_WORDS`], so refusing a
//! long text costs no more than reading the limits, and the words kept are few enough that
//! comparing them pairwise is cheap.

use std::collections::HashSet;

/// The most distinct words a client's search may have.
pub const MAX_SEARCH_WORDS: usize = 100;

/// The longest search text a client may send, in characters.
///
/// Percent-encoded, this many characters of any script (up to 12 bytes each) fit in the 64 KiB
/// request target the server accepts, with room for the other parameters.
pub const MAX_SEARCH_CHARS: usize = 4_000;

/// The words of a search, case-folded; empty when there is no search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search(Vec<String>);

impl Search {
    /// Splits `text` into case-folded words, without limits: for a search a program builds.
    /// Text a client sent is read by [`Search::parse`].
    pub fn new(text: &str) -> Self {
        Self::of_distinct(distinct(words_of(text), usize::MAX).unwrap_or_default())
    }

    /// Reads a client's search text: at most [`MAX_SEARCH_CHARS`] characters and [`MAX_SEARCH_WORDS`]
    /// distinct words (a repeat counts once).
    ///
    /// # Errors
    /// The message for the `search` parameter when the text is over either limit.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().nth(MAX_SEARCH_CHARS).is_some() {
            return Err(format!(
                "Ensure this field has no more than {MAX_SEARCH_CHARS} characters."
            ));
        }
        distinct(words_of(text), MAX_SEARCH_WORDS)
            .map(Self::of_distinct)
            .ok_or_else(|| format!("Use at most {MAX_SEARCH_WORDS} search words."))
    }

    /// The search of distinct `words`, without those a longer one implies.
    fn of_distinct(mut words: Vec<String>) -> Self {
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

/// The case-folded words of `text` without NUL characters, in order, read as they are pulled.
fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_whitespace()
        .map(|word| {
            let mut folded = fold_case(word);
            folded.retain(|c| c != '\0');
            folded
        })
        .filter(|word| !word.is_empty())
}

/// The distinct words of `words`, in order; `None` at the first distinct word past `limit`,
/// with no word after it pulled.
fn distinct(words: impl Iterator<Item = String>, limit: usize) -> Option<Vec<String>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for word in words {
        if seen.contains(&word) {
            continue;
        }
        if out.len() == limit {
            return None;
        }
        seen.insert(word.clone());
        out.push(word);
    }
    Some(out)
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
    use std::cell::Cell;

    use super::*;

    #[test]
    fn words_are_folded_and_implied_words_dropped() {
        let search = Search::new("Ord o ORDER\0 x ord");
        assert_eq!(search.words(), ["order", "x"]);
        assert!(Search::new(" \0 ").is_empty());
        assert_eq!(Search::parse("Ord o ORDER\0 x ord"), Ok(search));
    }

    #[test]
    fn a_letter_folds_the_same_wherever_it_stands() {
        assert_eq!(fold_case("ΟΔΟΣ ΟΔΟΣΑ οδος"), "οδοσ οδοσα οδοσ");
        assert_eq!(fold_case("İstanbul"), "i\u{307}stanbul");
    }

    /// `count` distinct three-letter words, none inside another.
    fn three_letter_words(count: usize) -> Vec<String> {
        let letter = |k: usize| char::from(b'a' + u8::try_from(k % 26).unwrap());
        (0..count)
            .map(|n| {
                [letter(n / 676), letter(n / 26), letter(n)]
                    .iter()
                    .collect()
            })
            .collect()
    }

    #[test]
    fn reading_stops_at_the_first_distinct_word_past_the_limit() {
        let words = three_letter_words(16_000);
        let pulled = Cell::new(0);
        let read = distinct(
            words
                .iter()
                .cloned()
                .inspect(|_| pulled.set(pulled.get() + 1)),
            MAX_SEARCH_WORDS,
        );
        assert_eq!(read, None);
        assert_eq!(pulled.get(), MAX_SEARCH_WORDS + 1);
        // Repeats count once: a thousand of one word is one word.
        let repeated = std::iter::repeat_n("same".to_owned(), 1_000);
        assert_eq!(
            distinct(repeated, MAX_SEARCH_WORDS),
            Some(vec!["same".to_owned()])
        );
    }

    #[test]
    fn a_client_search_is_limited_in_words_and_characters() {
        let words = three_letter_words(MAX_SEARCH_WORDS + 1);
        assert!(Search::parse(&words[..MAX_SEARCH_WORDS].join(" ")).is_ok());
        assert_eq!(
            Search::parse(&words.join(" ")),
            Err("Use at most 100 search words.".to_owned())
        );
        let longest = "é".repeat(MAX_SEARCH_CHARS);
        assert!(Search::parse(&longest).is_ok());
        assert_eq!(
            Search::parse(&format!("{longest}e")),
            Err("Ensure this field has no more than 4000 characters.".to_owned())
        );
        // The attack of the report: 64 KB, 16,000 distinct words.
        assert!(Search::parse(&three_letter_words(16_000).join(" ")).is_err());
        assert_eq!(
            Search::new(&words.join(" ")).words().len(),
            MAX_SEARCH_WORDS + 1
        );
    }
}
