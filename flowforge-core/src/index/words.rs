//! A tenant's search vocabulary: every distinct case-folded word of its live tasks' titles and
//! descriptions, each with the bitmap of the task slots whose text holds it. A search word
//! (which has no white space) occurs in a task's text exactly when it occurs inside one of
//! these words, so its matches are the union of the bitmaps of the vocabulary words that
//! contain it: the cost grows with the tenant's vocabulary, never with another tenant's tasks.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use crate::query::search::fold_case;

/// The words of one tenant and the slots that hold each.
#[derive(Default)]
pub(super) struct Vocabulary {
    ids: HashMap<Box<str>, u32>,
    words: Vec<Word>,
}

struct Word {
    text: Box<str>,
    slots: RoaringBitmap,
}

impl Vocabulary {
    /// Records that `slot` holds the words of `texts`; returns their ids (distinct), which
    /// [`Vocabulary::remove`] takes back.
    pub(super) fn add(&mut self, slot: u32, texts: &[&str]) -> Box<[u32]> {
        let mut held = Vec::new();
        for text in texts {
            for word in fold_case(text).split_whitespace() {
                let id = match self.ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
                        self.ids.insert(word.into(), id);
                        self.words.push(Word {
                            text: word.into(),
                            slots: RoaringBitmap::new(),
                        });
                        id
                    }
                };
                if self.words[id as usize].slots.insert(slot) {
                    held.push(id);
                }
            }
        }
        held.into_boxed_slice()
    }

    /// Forgets that `slot` holds the words `ids`. A word left with no slot stays known (a later
    /// task may use it again) and matches nothing.
    pub(super) fn remove(&mut self, slot: u32, ids: &[u32]) {
        for &id in ids {
            self.words[id as usize].slots.remove(slot);
        }
    }

    /// The slots whose text contains `needle` (already case-folded, no white space).
    pub(super) fn containing(&self, needle: &str) -> RoaringBitmap {
        if let Some(&id) = self.ids.get(needle) {
            // The word itself is known: start from it, then add the longer words holding it.
            let mut slots = self.words[id as usize].slots.clone();
            for word in &self.words {
                if word.text.len() > needle.len() && word.text.contains(needle) {
                    slots |= &word.slots;
                }
            }
            return slots;
        }
        let mut slots = RoaringBitmap::new();
        for word in &self.words {
            if word.text.contains(needle) {
                slots |= &word.slots;
            }
        }
        slots
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(slots: &RoaringBitmap) -> Vec<u32> {
        slots.iter().collect()
    }

    #[test]
    fn a_search_word_matches_every_slot_whose_words_contain_it() {
        let mut vocabulary = Vocabulary::default();
        vocabulary.add(1, &["Update the README", ""]);
        vocabulary.add(2, &["Updated", "nothing"]);
        vocabulary.add(3, &["fix", "the login"]);
        assert_eq!(set(&vocabulary.containing("update")), [1, 2]);
        assert_eq!(set(&vocabulary.containing("the")), [1, 3]);
        assert_eq!(set(&vocabulary.containing("in")), [2, 3]);
        assert_eq!(set(&vocabulary.containing("missing")), Vec::<u32>::new());
    }

    #[test]
    fn removed_words_no_longer_match_and_words_are_held_once() {
        let mut vocabulary = Vocabulary::default();
        let held = vocabulary.add(7, &["Login login LOGIN", "login page"]);
        assert_eq!(held.len(), 2);
        vocabulary.add(8, &["login", ""]);
        vocabulary.remove(7, &held);
        assert_eq!(set(&vocabulary.containing("log")), [8]);
        assert_eq!(set(&vocabulary.containing("page")), Vec::<u32>::new());
    }
}
