//! Closed sets of lowercase wire names (roles, statuses, priorities). Each value has a rank, its
//! position in the declared order, which is how they compare and are ordered, never by the
//! alphabet.

/// The error of parsing a name that is not one of a choice's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a valid choice.")]
pub struct UnknownChoice(pub String);

/// Declares a choice enum in rank order (lowest first), with its wire names.
macro_rules! choice_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in rank order (lowest first).
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The lowercase wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::choice::UnknownChoice;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    _ => Err($crate::choice::UnknownChoice(s.to_owned())),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }
    };
}

pub(crate) use choice_enum;

/// Gives choices their rank (their position in the declared order), by which the database stores
/// and orders them. Event types are stored by name instead.
macro_rules! ranked {
    ($($name:ty),* $(,)?) => {$(
        impl $name {
            /// The position in the declared order.
            pub(crate) fn rank(self) -> i64 {
                self as i64
            }

            /// The value at `rank` in the declared order.
            pub(crate) fn from_rank(rank: i64) -> Option<Self> {
                usize::try_from(rank).ok().and_then(|i| Self::ALL.get(i).copied())
            }
        }
    )*};
}

ranked!(
    crate::authz::Role,
    crate::task::Status,
    crate::task::Priority
);
