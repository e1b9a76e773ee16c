//! What an index entry keeps of a task's text, in one allocation: its title (for ordering by
//! title) and the ids of its vocabulary words (to take them back when the task changes). The
//! title's length, the title, then each word id as its gap from the one before (ids ascending),
//! all as LEB128 numbers: 21 words of a tenant of 270 took 84 bytes as `u32`s and 21 here.

/// A task's title and word ids, packed.
pub(super) struct Text(Box<[u8]>);

impl Text {
    /// Packs `title` and the word ids `words` (any order, each once).
    pub(super) fn new(title: &str, words: &mut [u32]) -> Self {
        words.sort_unstable();
        let mut bytes = Vec::with_capacity(title.len() + words.len() + 2);
        push(&mut bytes, title.len() as u64);
        bytes.extend_from_slice(title.as_bytes());
        let mut previous = 0;
        for &id in words.iter() {
            push(&mut bytes, u64::from(id - previous));
            previous = id;
        }
        Self(bytes.into_boxed_slice())
    }

    /// The title's bytes (titles compare as their bytes, as strings do).
    pub(super) fn title(&self) -> &[u8] {
        let (len, at) = read(&self.0, 0);
        &self.0[at..at + len as usize]
    }

    /// The word ids, ascending.
    pub(super) fn words(&self) -> impl Iterator<Item = u32> + '_ {
        let (len, start) = read(&self.0, 0);
        let mut at = start + len as usize;
        let mut id = 0u32;
        std::iter::from_fn(move || {
            if at >= self.0.len() {
                return None;
            }
            let (gap, next) = read(&self.0, at);
            at = next;
            id += gap as u32;
            Some(id)
        })
    }
}

/// Appends `n` in LEB128: seven bits a byte, low first, the high bit set on all but the last.
fn push(bytes: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        bytes.push((n as u8) | 0x80);
        n >>= 7;
    }
    bytes.push(n as u8);
}

/// The LEB128 number at `at` and the position after it.
fn read(bytes: &[u8], mut at: usize) -> (u64, usize) {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let byte = bytes[at];
        at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return (n, at);
        }
        shift += 7;
    }
}

#[cfg(test)]
mod tests {
    use super::Text;

    #[test]
    fn the_title_and_the_words_come_back_as_packed() {
        let title = "Ünïcode title ".repeat(20);
        let mut words = vec![70_000, 3, 0, 127, 128, u32::MAX, 16_384];
        let text = Text::new(&title, &mut words);
        assert_eq!(text.title(), title.as_bytes());
        assert_eq!(
            text.words().collect::<Vec<_>>(),
            [0, 3, 127, 128, 16_384, 70_000, u32::MAX]
        );
        let empty = Text::new("", &mut []);
        assert_eq!(empty.title(), b"");
        assert_eq!(empty.words().count(), 0);
    }

    #[test]
    fn small_gaps_take_a_byte_each() {
        let mut words: Vec<u32> = (0..21).map(|n| n * 12).collect();
        let text = Text::new("Deploy update billing", &mut words);
        assert_eq!(text.0.len(), 1 + 21 + 21);
    }
}
