//! Orderings: comma-separated field names, `-` for descending, checked against the fields a
//! list offers, each field at most once. Each list's query type names its default ordering; the
//! store always appends the id as the final tie-break.

use crate::error::FieldErrors;

/// A field a list can be ordered by.
pub trait SortField: Copy + PartialEq + Sized + 'static {
    /// Every orderable field of the list.
    const ALL: &'static [Self];

    /// The field's name in the `ordering` parameter.
    fn name(self) -> &'static str;
}

/// One ordering term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<F> {
    /// The field to order by.
    pub field: F,
    /// Whether the order is reversed.
    pub descending: bool,
}

impl<F: SortField> Sort<F> {
    /// Ascending by `field`.
    pub const fn asc(field: F) -> Self {
        Self {
            field,
            descending: false,
        }
    }

    /// Descending by `field`.
    pub const fn desc(field: F) -> Self {
        Self {
            field,
            descending: true,
        }
    }

    /// `order` (of two items by this term's field, ascending) in this term's direction.
    pub(crate) fn directed(&self, order: std::cmp::Ordering) -> std::cmp::Ordering {
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }

    /// Parses `due_date,-priority`, recording an error for each field the list does not offer
    /// (a blank term, or a blank text, too) and for a field given twice (in either direction).
    /// A list has at most as many terms as the list has fields: reading stops at the first
    /// term past that, so a long text costs no more than a short one.
    pub(crate) fn parse_list(text: &str, errors: &mut FieldErrors) -> Vec<Self> {
        let mut out: Vec<Self> = Vec::new();
        for (n, term) in text.split(',').map(str::trim).enumerate() {
            if n == F::ALL.len() {
                errors.add(
                    "ordering",
                    format!("Give at most {} ordering fields.", F::ALL.len()),
                );
                break;
            }
            let (descending, name) = match term.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, term),
            };
            match F::ALL.iter().find(|f| f.name() == name) {
                Some(&field) if out.iter().any(|s| s.field == field) => {
                    errors.add("ordering", format!("Order by {name} only once."));
                }
                Some(&field) => out.push(Self { field, descending }),
                None if term.is_empty() => errors.add("ordering", "An ordering term is blank."),
                None => errors.add("ordering", format!("Invalid ordering field: {term}.")),
            }
        }
        out
    }
}

/// The order a list is read in: `asked`, or the list's `default` when nothing was asked for.
pub(crate) fn ordering_or<'a, F>(asked: &'a [Sort<F>], default: &'a [Sort<F>]) -> &'a [Sort<F>] {
    if asked.is_empty() { default } else { asked }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Field {
        Name,
        Age,
    }

    impl SortField for Field {
        const ALL: &'static [Self] = &[Self::Name, Self::Age];

        fn name(self) -> &'static str {
            match self {
                Self::Name => "name",
                Self::Age => "age",
            }
        }
    }

    fn parse(text: &str) -> (Vec<Sort<Field>>, Vec<String>) {
        let mut errors = FieldErrors::default();
        let sorts = Sort::parse_list(text, &mut errors);
        let messages = errors.get("ordering").map(<[String]>::to_vec);
        (sorts, messages.unwrap_or_default())
    }

    #[test]
    fn each_offered_field_may_be_given_once_in_either_direction() {
        assert_eq!(
            parse(" -age , name "),
            (vec![Sort::desc(Field::Age), Sort::asc(Field::Name)], vec![])
        );
        assert_eq!(parse(" ").1, ["An ordering term is blank."]);
        assert_eq!(parse("name,").1, ["An ordering term is blank."]);
        assert_eq!(parse("name,-name").1, ["Order by name only once."]);
        assert_eq!(parse("age,age").1, ["Order by age only once."]);
        assert_eq!(parse("colour").1, ["Invalid ordering field: colour."]);
    }

    #[test]
    fn reading_stops_at_the_first_term_past_the_number_of_fields() {
        // Thousands of terms: one message for the repeat, one for the count, nothing after.
        let many = vec!["name"; 5_000].join(",");
        let (sorts, messages) = parse(&many);
        assert_eq!(sorts, [Sort::asc(Field::Name)]);
        assert_eq!(
            messages,
            [
                "Order by name only once.",
                "Give at most 2 ordering fields."
            ]
        );
        let unknown = vec!["x"; 5_000].join(",");
        assert_eq!(parse(&unknown).1.len(), 3);
    }
}
