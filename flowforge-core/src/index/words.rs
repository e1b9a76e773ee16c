//! A tenant's search vocabulary: every distinct case-folded word of its live tasks' titles and
//! descriptions, each with the bitmap of the task slots whose text holds it. A search word
//! (which has no white space) occurs in a task's text exactly when it occurs inside one of
//! these words, so its matches are the union of the bitmaps of the vocabulary words that
//! contain it: the cost grows with the tenant's vocabulary, never with another tenant's tasks.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use roaring::RoaringBitmap;

use crate::query::search::fold_case;

/// The words of one tenant and the slots that hold each.
#[derive(Default)]
pub(super) struct Vocabulary {
    /// The id of each word, found by the word's text in [`Vocabulary::words`] (held once).
    ids: HashTable<u32>,
    hasher: RandomState,
    words: Vec<Word>,
    /// Ids of words no task holds any longer, given to the next new word.
    free: Vec<u32>,
}

struct Word {
    /// Empty for a word no task holds any longer.
    text: Box<str>,
    slots: Slots,
}

/// The slots holding one word. Many words are held by a single task (numbers and codes in
/// titles: every task the load harness creates brings one), and a bitmap for one slot took
/// 128 bytes and two allocations more than the slot itself.
enum Slots {
    One(u32),
    Many(RoaringBitmap),
}

impl Slots {
    /// Adds `slot`; whether it was not there yet.
    fn insert(&mut self, slot: u32) -> bool {
        match self {
            Slots::One(held) if *held == slot => false,
            Slots::One(held) => {
                *self = Slots::Many(RoaringBitmap::from_iter([*held, slot]));
                true
            }
            Slots::Many(slots) => slots.insert(slot),
        }
    }

    /// Removes `slot`; whether no slot is left.
    fn remove(&mut self, slot: u32) -> bool {
        match self {
            Slots::One(held) => *held == slot,
            Slots::Many(slots) => {
                slots.remove(slot);
                slots.is_empty()
            }
        }
    }

    /// Adds these slots to `out`.
    fn add_to(&self, out: &mut RoaringBitmap) {
        match self {
            Slots::One(slot) => {
                out.insert(*slot);
            }
            Slots::Many(slots) => *out |= slots,
        }
    }
}

impl Vocabulary {
    /// Records that `slot` holds the words of `texts`; returns their ids (distinct), which
    /// [`Vocabulary::remove`] takes back.
    pub(super) fn add(&mut self, slot: u32, texts: &[&str]) -> Vec<u32> {
        let Self {
            ids,
            hasher,
            words,
            free,
        } = self;
        let mut held = Vec::new();
        for text in texts {
            for word in fold_case(text).split_whitespace() {
                let hash = hasher.hash_one(word);
                if let Some(&id) = ids.find(hash, |&id| &*words[id as usize].text == word) {
                    if words[id as usize].slots.insert(slot) {
                        held.push(id);
                    }
                    continue;
                }
                let fresh = Word {
                    text: word.into(),
                    slots: Slots::One(slot),
                };
                let id = match free.pop() {
                    Some(id) => {
                        words[id as usize] = fresh;
                        id
                    }
                    None => {
                        words.push(fresh);
                        u32::try_from(words.len() - 1).unwrap_or(u32::MAX)
                    }
                };
                ids.insert_unique(hash, id, |&id| hasher.hash_one(&*words[id as usize].text));
                held.push(id);
            }
        }
        held
    }

    /// Forgets that `slot` holds the words `ids`. A word no slot holds any longer is forgotten,
    /// so the vocabulary a search scans is that of the live tasks.
    pub(super) fn remove(&mut self, slot: u32, ids: impl IntoIterator<Item = u32>) {
        for id in ids {
            let word = &mut self.words[id as usize];
            if word.slots.remove(slot) {
                let hash = self.hasher.hash_one(&*word.text);
                if let Ok(found) = self.ids.find_entry(hash, |&other| other == id) {
                    found.remove();
                }
                word.text = Box::default();
                word.slots = Slots::Many(RoaringBitmap::new());
                self.free.push(id);
            }
        }
    }

    /// How many words a search scans.
    pub(super) fn len(&self) -> usize {
        self.words.len()
    }

    /// The slots whose text contains `needle` (already case-folded, no white space).
    pub(super) fn containing(&self, needle: &str) -> RoaringBitmap {
        let mut slots = RoaringBitmap::new();
        let hash = self.hasher.hash_one(needle);
        let known = self
            .ids
            .find(hash, |&id| &*self.words[id as usize].text == needle);
        if let Some(&id) = known {
            // The word itself is known: start from it, then add the longer words holding it.
            self.words[id as usize].slots.add_to(&mut slots);
            for word in &self.words {
                if word.text.len() > needle.len() && word.text.contains(needle) {
                    word.slots.add_to(&mut slots);
                }
            }
            return slots;
        }
        for word in &self.words {
            if !word.text.is_empty() && word.text.contains(needle) {
                word.slots.add_to(&mut slots);
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

    /// A word held by one task keeps its slot without a bitmap, takes one when a second task
    /// holds it, and its place is given back when the last one lets go.
    #[test]
    fn a_word_of_one_task_keeps_its_slot_without_a_bitmap() {
        let mut vocabulary = Vocabulary::default();
        let first = vocabulary.add(1, &["Task 1-1 common", ""]);
        vocabulary.add(2, &["Task 1-2 common", ""]);
        let single = |v: &Vocabulary, text: &str| {
            v.words
                .iter()
                .find(|w| &*w.text == text)
                .map(|w| matches!(w.slots, Slots::One(_)))
        };
        assert_eq!(single(&vocabulary, "1-1"), Some(true));
        assert_eq!(single(&vocabulary, "common"), Some(false));
        assert_eq!(set(&vocabulary.containing("1-")), [1, 2]);
        assert_eq!(set(&vocabulary.containing("1-2")), [2]);
        vocabulary.remove(1, first);
        assert_eq!(single(&vocabulary, "1-1"), None);
        assert_eq!(set(&vocabulary.containing("common")), [2]);
        assert_eq!(set(&vocabulary.containing("1-")), [2]);
        vocabulary.add(3, &["1-9", ""]);
        assert_eq!(vocabulary.words.len(), 4, "the freed place is reused");
    }
}
