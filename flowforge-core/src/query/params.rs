//! Query-string pairs grouped by name, with DRF's conventions for repeats and value lists.

use std::collections::HashMap;
use std::str::FromStr;

use crate::error::FieldErrors;

/// The most distinct values one filter takes.
pub(crate) const MAX_VALUES: usize = 100;

/// The pairs of a query string, grouped by name, in arrival order.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, Vec<String>>);

impl Params {
    /// Groups `pairs` by name.
    pub(crate) fn new<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k.as_ref().to_owned())
                .or_default()
                .push(v.as_ref().to_owned());
        }
        Self(map)
    }

    /// The one value of a parameter that may be given at most once.
    pub(crate) fn single(&self, name: &str, errors: &mut FieldErrors) -> Option<&str> {
        match self.0.get(name).map(Vec::as_slice) {
            None | Some([]) => None,
            Some([one]) => Some(one),
            Some(_) => {
                errors.add(name, "This parameter may be given only once.");
                None
            }
        }
    }

    /// Every distinct value of a filter: repeats and comma-separated parts alike, blanks
    /// skipped. At most one past [`MAX_VALUES`]: reading stops there.
    pub(crate) fn values(&self, name: &str) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.0
            .get(name)
            .into_iter()
            .flatten()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty() && seen.insert(*v))
            .take(MAX_VALUES + 1)
            .collect()
    }

    /// Every value of a filter parsed by `parse`, recording a message for each bad one.
    pub(crate) fn any_of<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let values = self.values(name);
        if values.len() > MAX_VALUES {
            errors.add(name, format!("Give at most {MAX_VALUES} values."));
            return Vec::new();
        }
        let mut out = Vec::new();
        for value in values {
            match parse(value) {
                Ok(v) => out.push(v),
                Err(message) => errors.add(name, message),
            }
        }
        out
    }

    /// Every value of a choice filter (status, priority, role).
    pub(crate) fn choices<T: FromStr>(&self, name: &str, errors: &mut FieldErrors) -> Vec<T> {
        self.any_of(name, errors, |v| {
            v.parse().map_err(|_| {
                format!("Select a valid choice. {v} is not one of the available choices.")
            })
        })
    }

    /// Every value of an id filter.
    pub(crate) fn ids<T: FromStr>(&self, name: &str, errors: &mut FieldErrors) -> Vec<T> {
        self.any_of(name, errors, |v| parse_id(v))
    }
}

/// Parses an id in a filter, with the filter's message for a malformed one.
pub(crate) fn parse_id<T: FromStr>(value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("“{value}” is not a valid id."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_and_commas_both_mean_any_of() {
        let params = Params::new([
            ("status", "todo,done"),
            ("status", " blocked "),
            ("status", ""),
            ("status", "todo"),
        ]);
        assert_eq!(params.values("status"), ["todo", "done", "blocked"]);
    }

    #[test]
    fn a_single_valued_parameter_given_twice_is_an_error() {
        let params = Params::new([("search", "a"), ("search", "b")]);
        let mut errors = FieldErrors::default();
        assert_eq!(params.single("search", &mut errors), None);
        assert_eq!(
            errors.get("search").unwrap(),
            ["This parameter may be given only once."]
        );
    }

    #[test]
    fn a_filter_of_too_many_distinct_values_is_refused_by_name() {
        let many = (0..=MAX_VALUES)
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let mut errors = FieldErrors::default();
        assert!(
            Params::new([("project", many.as_str())])
                .ids::<crate::ProjectId>("project", &mut errors)
                .is_empty()
        );
        assert_eq!(errors.get("project").unwrap(), ["Give at most 100 values."]);
        let thousands = (0..5_000).map(|n| n.to_string()).collect::<Vec<_>>();
        let thousands = thousands.join(",");
        assert_eq!(
            Params::new([("status", thousands.as_str())])
                .values("status")
                .len(),
            MAX_VALUES + 1,
            "reading stops one past the limit"
        );
        let repeated = vec!["todo"; 5_000].join(",");
        assert_eq!(
            Params::new([("status", repeated.as_str())]).values("status"),
            ["todo"]
        );
    }
}
