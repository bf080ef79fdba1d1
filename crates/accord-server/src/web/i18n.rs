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
