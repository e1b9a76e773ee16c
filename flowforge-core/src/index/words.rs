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
    /// Ids of words no task holds any longer, given to the next new word.
    free: Vec<u32>,
}

struct Word {
    text: Box<str>,
    slots: RoaringBitmap,
}

impl Vocabulary {
    /// Records that `slot` holds the words of `texts`; returns their ids (distinct), which
    /// [`Vocabulary::remove`] takes back.
    pub(super) fn add(&mut self, slot: u32, texts: &[&str]) -> Vec<u32> {
        let mut held = Vec::new();
        for text in texts {
            for word in fold_case(text).split_whitespace() {
                let id = match self.ids.get(word) {
                    Some(&id) => id,
                    None => {
                        let fresh = Word {
                            text: word.into(),
                            slots: RoaringBitmap::new(),
                        };
                        let id = match self.free.pop() {
                            Some(id) => {
                                self.words[id as usize] = fresh;
                                id
                            }
                            None => {
                                self.words.push(fresh);
                                u32::try_from(self.words.len() - 1).unwrap_or(u32::MAX)
                            }
                        };
                        self.ids.insert(word.into(), id);
                        id
                    }
                };
                if self.words[id as usize].slots.insert(slot) {
                    held.push(id);
                }
            }
        }
        held
    }

    /// Forgets that `slot` holds the words `ids`. A word no slot holds any longer is forgotten,
    /// so the vocabulary a search scans is that of the live tasks.
    pub(super) fn remove(&mut self, slot: u32, ids: impl IntoIterator<Item = u32>) {
        for id in ids {
            let word = &mut self.words[id as usize];
            word.slots.remove(slot);
            if word.slots.is_empty() {
                self.ids.remove(&word.text);
                word.text = Box::default();
                self.free.push(id);
            }
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
            if !word.text.is_empty() && word.text.contains(needle) {
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
    fn a_word_no_task_holds_is_forgotten_and_its_place_reused() {
        let mut vocabulary = Vocabulary::default();
        for round in 0..100 {
            let text = format!("word{round} common");
            let held = vocabulary.add(1, &[&text]);
            assert_eq!(set(&vocabulary.containing(&format!("word{round}"))), [1]);
            vocabulary.remove(1, held);
        }
        assert!(
            vocabulary.words.len() <= 2,
            "{} words kept",
            vocabulary.words.len()
        );
        assert!(vocabulary.ids.is_empty());
        assert!(vocabulary.containing("word").is_empty());
    }

    #[test]
    fn removed_words_no_longer_match_and_words_are_held_once() {
        let mut vocabulary = Vocabulary::default();
        let held = vocabulary.add(7, &["Login login LOGIN", "login page"]);
        assert_eq!(held.len(), 2);
        vocabulary.add(8, &["login", ""]);
        vocabulary.remove(7, held);
        assert_eq!(set(&vocabulary.containing("log")), [8]);
        assert_eq!(set(&vocabulary.containing("page")), Vec::<u32>::new());
    }
}
