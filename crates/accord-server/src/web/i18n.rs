//! The words of the pages, by language: catalogues of `key = text` lines (English and German), the language of a
//! request (a choice kept in a cookie, else the browser's `Accept-Language`, else English), and `t` to look a word
//! up in the language of the request being answered.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English, the default.
    En,
    /// German.
    De,
}

impl Lang {
    /// Every language, in the order the footer offers them.
    pub(crate) const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The language code, as in `lang` attributes and the cookie.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    fn parse(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| code.trim().to_ascii_lowercase().starts_with(l.code()))
    }

    /// The language of a request: the cookie, else the first language of `Accept-Language` the pages have.
    pub(crate) fn of(headers: &HeaderMap) -> Lang {
        if let Some(chosen) = super::session::cookie(headers, LANG_COOKIE).and_then(|c| Lang::parse(&c)) {
            return chosen;
        }
        headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').find_map(|part| Lang::parse(part.split(';').next().unwrap_or(""))))
            .unwrap_or(Lang::En)
    }
}

/// The cookie that keeps a person's choice of language.
pub(crate) const LANG_COOKIE: &str = "accord_lang";

const EN: &str = include_str!("messages/en.txt");
const DE: &str = include_str!("messages/de.txt");

/// A catalogue's `key = text` lines (comments and blank lines left out).
fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static CATALOGUES: OnceLock<[HashMap<&'static str, &'static str>; 2]> = OnceLock::new();
    let all = CATALOGUES.get_or_init(|| [parse(EN), parse(DE)]);
    match lang {
        Lang::En => &all[0],
        Lang::De => &all[1],
    }
}

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being answered (English outside one).
pub(crate) fn lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::En)
}

/// A word in the language of the request being answered; English when the language lacks it, the key when both do.
pub(crate) fn t(key: &'static str) -> &'static str {
    catalogue(lang()).get(key).or_else(|| catalogue(Lang::En).get(key)).copied().unwrap_or(key)
}

/// A word for one value of a closed set (a status, a kind, a role) under `prefix`, e.g. `status.open`; the value
/// with its underscores and dots as spaces when no catalogue has it.
pub(crate) fn word(prefix: &str, value: &str) -> String {
    let key = format!("{prefix}.{value}");
    let found = catalogue(lang()).get(key.as_str()).or_else(|| catalogue(Lang::En).get(key.as_str()));
    found.map_or_else(|| value.replace(['_', '.'], " "), |w| (*w).to_owned())
}

/// The word for a value that serializes to its snake_case name.
pub(crate) fn word_of<T: serde::Serialize>(prefix: &str, value: &T) -> String {
    let name = serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    word(prefix, &name)
}

/// A sentence with its `{name}` placeholders filled in.
pub(crate) fn fill(text: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

/// A sentence of the catalogue in the language of the request, its placeholders filled: `tr!("key", name = value)`.
macro_rules! tr {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::web::i18n::fill($crate::web::i18n::t($key), &[$((stringify!($name), &$value as &dyn std::fmt::Display)),*])
    };
}
pub(crate) use tr;

/// A language's own name, as its catalogue writes it.
pub(crate) fn name(lang: Lang) -> &'static str {
    catalogue(lang).get("lang.name").copied().unwrap_or(lang.code())
}

/// Answers the request in its language (so `t` finds it).
pub(crate) async fn in_language(req: Request, next: Next) -> Response {
    let lang = Lang::of(req.headers());
    LANG.scope(lang, next.run(req)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn every_language_has_every_word_and_no_other() {
        let en: std::collections::BTreeSet<_> = catalogue(Lang::En).keys().collect();
        let de: std::collections::BTreeSet<_> = catalogue(Lang::De).keys().collect();
        assert_eq!(en, de, "the catalogues have the same keys");
        assert!(en.len() > 30);
        for (k, v) in catalogue(Lang::De) {
            assert!(!v.is_empty(), "{k}");
        }
    }

    #[test]
    fn every_translation_has_the_placeholders_of_the_english() {
        let names = |text: &str| -> std::collections::BTreeSet<String> {
            text.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(n, _)| n.to_owned()).collect()
        };
        for (key, en) in catalogue(Lang::En) {
            assert_eq!(names(en), names(catalogue(Lang::De)[key]), "{key}");
        }
    }

    #[test]
    fn every_word_the_pages_ask_for_is_in_the_catalogue() {
        let pages = [
            include_str!("mod.rs"),
            include_str!("account.rs"),
            include_str!("applications.rs"),
            include_str!("cases.rs"),
            include_str!("check.rs"),
            include_str!("coalition.rs"),
            include_str!("compliance.rs"),
            include_str!("controls.rs"),
            include_str!("feedback.rs"),
            include_str!("licences.rs"),
            include_str!("proposals.rs"),
            include_str!("public.rs"),
            include_str!("screen.rs"),
            include_str!("session.rs"),
        ];
        let mut asked = 0;
        for source in pages {
            for opener in ["t(\"", "tr!(\""] {
                for (i, _) in source.match_indices(opener) {
                    let preceded = source[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
                    let rest = &source[i + opener.len()..];
                    let key = &rest[..rest.find('"').unwrap_or(0)];
                    if preceded || key == "key" || key.is_empty() {
                        continue;
                    }
                    asked += 1;
                    assert!(catalogue(Lang::En).contains_key(key), "'{key}' is missing from en.txt");
                }
            }
        }
        assert!(asked > 250, "only {asked} words found: the scan is broken");
    }

    #[test]
    fn sentences_are_filled_and_values_fall_back_to_words() {
        assert_eq!(fill("{a} and {b}, {a}", &[("a", &1), ("b", &"two")]), "1 and two, 1");
        assert_eq!(word("status", "no_such_value"), "no such value");
    }

    #[test]
    fn the_cookie_wins_then_the_browser_then_english() {
        let mut h = HeaderMap::new();
        assert_eq!(Lang::of(&h), Lang::En);
        h.insert("accept-language", HeaderValue::from_static("fr-FR, de-DE;q=0.8, en;q=0.5"));
        assert_eq!(Lang::of(&h), Lang::De, "the first language the pages have");
        h.insert("cookie", HeaderValue::from_static("accord_lang=en"));
        assert_eq!(Lang::of(&h), Lang::En, "a choice made overrides the browser");
        h.insert("cookie", HeaderValue::from_static("accord_lang=xx"));
        assert_eq!(Lang::of(&h), Lang::De, "an unknown choice is ignored");
    }
}
