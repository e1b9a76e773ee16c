//! Finding `@email` mentions in a comment's text. This only reads the addresses a text names;
//! which of them are members (and so mentions) the service asks the store.
//!
//! A mention is `@` followed by an address, where the `@` does not continue a word or an
//! address (so `bob@example.com` alone, or `a@b@example.com`, mentions nobody), the address is
//! a local part, `@` and a domain, and the domain ends at the last letter or digit (so
//! `@bob@example.com.` or `(@bob@example.com)` or `@bob@example.com's` mention
//! `bob@example.com`).

use std::collections::HashSet;

use crate::user::{MAX_EMAIL, normalize_email};

/// The characters of an address's local part besides letters and digits (RFC 5322's `atext`
/// and the dot).
const LOCAL_SYMBOLS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// The characters before an `@` that make it part of a word or an address rather than the
/// start of a mention.
const JOINING: &str = "._+-@";

fn is_local(c: char) -> bool {
    c.is_alphanumeric() || LOCAL_SYMBOLS.contains(c)
}

fn is_domain(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// The addresses `text` mentions, normalized as stored emails are (lowercased), each once, in
/// order of first appearance.
pub(crate) fn mentioned_emails(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut emails = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        let starts = !previous.is_some_and(|p| p.is_alphanumeric() || JOINING.contains(p));
        if c == '@'
            && starts
            && let Some(address) = address_at(&text[at + 1..])
        {
            let email = normalize_email(address);
            if email.len() <= MAX_EMAIL && seen.insert(email.clone()) {
                emails.push(email);
            }
        }
        previous = Some(c);
    }
    emails
}

/// The address at the start of `text`: a local part, `@`, and a domain that ends with a letter
/// or a digit.
fn address_at(text: &str) -> Option<&str> {
    let local = text.find(|c| !is_local(c)).unwrap_or(text.len());
    let rest = text[local..].strip_prefix('@')?;
    let domain = rest.find(|c| !is_domain(c)).unwrap_or(rest.len());
    let domain = rest[..domain].trim_end_matches(|c: char| !c.is_alphanumeric());
    (local > 0 && !domain.is_empty()).then(|| &text[..local + 1 + domain.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_lowercased_once_each_in_order_of_first_appearance() {
        assert_eq!(
            mentioned_emails("@Bob@Example.com, then @ada@example.com and @BOB@example.COM again"),
            ["bob@example.com", "ada@example.com"]
        );
    }

    #[test]
    fn an_address_ends_at_its_last_letter_or_digit() {
        for text in [
            "@bob@example.com",
            "ping @bob@example.com.",
            "(@bob@example.com)",
            "**@bob@example.com**",
            "@bob@example.com's task",
            "@bob@example.com...",
            "line\n@bob@example.com\n",
        ] {
            assert_eq!(mentioned_emails(text), ["bob@example.com"], "{text}");
        }
        assert_eq!(
            mentioned_emails("@bob.smith+ff@mail.example.co.uk!"),
            ["bob.smith+ff@mail.example.co.uk"]
        );
    }

    #[test]
    fn a_plain_address_or_a_bare_at_mentions_nobody() {
        for text in [
            "mail bob@example.com",
            "a@bob@example.com",
            "x.@bob@example.com",
            "@@bob@example.com",
            "@bob",
            "@bob@",
            "@ bob@example.com",
            "@bob@.",
            "@",
            "",
        ] {
            assert!(mentioned_emails(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn non_ascii_text_is_read_by_characters() {
        assert_eq!(
            mentioned_emails("Grüße an @Jürgen@Beispiel.de — danke"),
            ["jürgen@beispiel.de"]
        );
        let long = format!("@{}@example.com", "a".repeat(MAX_EMAIL));
        assert!(mentioned_emails(&long).is_empty());
    }
}
