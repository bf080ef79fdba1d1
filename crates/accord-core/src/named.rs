//! Closed sets of names with one source of truth for their string form: the JSON name, `as_str`, `parse` and the
//! list of every name come from one declaration.

/// A closed set of names: the enum (serialised under each variant's name), `ALL` in declaration order, `as_str`,
/// `parse` and `names`, all from the one name written beside each variant. The name is taken as a plain token (`tt`),
/// not a `literal` fragment, so that the OpenAPI derive reads the same rename serde does.
#[macro_export]
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:tt,)* }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant,)*
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

#[cfg(test)]
mod tests {
    /// The enum values a type's OpenAPI schema lists.
    fn schema_names<T: utoipa::PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).expect("a schema");
        schema["enum"].as_array().expect("an enum").iter().map(|v| v.as_str().expect("a name").to_owned()).collect()
    }

    #[test]
    fn the_openapi_schema_lists_the_json_names_the_values_are_written_as() {
        use crate::audit::EventKind;
        use crate::determination::Outcome;
        assert_eq!(schema_names::<Outcome>(), Outcome::names());
        assert_eq!(schema_names::<EventKind>(), EventKind::names());
        for o in Outcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), serde_json::json!(o.as_str()));
        }
    }
}
