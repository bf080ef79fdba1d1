//! Closed sets of names with one source of truth for their string form: the JSON name, `as_str`, `parse` and the
//! list of every name come from one declaration.

/// A closed set of names: the enum (serialised under each variant's name), `ALL` in declaration order, `as_str`,
/// `parse` and `names`, all from the one name written beside each variant.
#[macro_export]
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vdoc])* #[doc = concat!("Named `", $text, "`.")] #[serde(rename = $text)] $variant,)*
        }

        impl $name {
            /// Every value, in a fixed order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The snake_case name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }

            /// Parses a snake_case name.
            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// Every name, for messages that say what is allowed.
            pub fn names() -> Vec<&'static str> {
                $name::ALL.iter().map(|v| v.as_str()).collect()
            }
        }
    };
}
