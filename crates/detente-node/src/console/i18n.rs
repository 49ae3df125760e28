//! The console's languages: English, Russian and Arabic, one Fluent file
//! each (`locales/<tag>/console.ftl`, compiled into the binary).
//!
//! The interface is translated; what officers wrote (subjects, texts) is
//! shown as written, whatever the interface language, each with
//! `dir="auto"`. Arabic pages are `dir="rtl"`. A key missing from a
//! language is a test failure, never English on a Russian page.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use detente_proto::ids::Tier;
use detente_proto::kind::{MessageKind, Precedence};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // In Arabic, each placeable (a time, a party code, a number) is
        // isolated (Unicode FSI … PDI), so that a Latin or numeric run keeps
        // its own order inside right-to-left text. Left-to-right pages need
        // no marks.
        customise: |bundle| {
            let rtl = bundle.locales.first().is_some_and(|id| id.language.as_str() == "ar");
            bundle.set_use_isolating(rtl)
        },
    };
}

/// An interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// Russian.
    Ru,
    /// Arabic, written right to left.
    Ar,
}

static IDS: LazyLock<[LanguageIdentifier; 3]> =
    LazyLock::new(|| Lang::ALL.map(|lang| lang.tag().parse().unwrap_or_default()));

impl Lang {
    /// Every language the console speaks, in the order it offers them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Ar];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Ar => "ar",
        }
    }

    /// The page direction.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En | Lang::Ru => "ltr",
            Lang::Ar => "rtl",
        }
    }

    /// The language of `tag` (`ru`, `ru-RU`, `AR`…), if the console speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag().eq_ignore_ascii_case(primary))
    }

    /// The first language of an `Accept-Language` header (RFC 9110
    /// §12.5.4) the console speaks, by quality; English if none.
    pub fn negotiate(accept_language: Option<&str>) -> Lang {
        let mut offered: Vec<(u16, usize, Lang)> = accept_language
            .unwrap_or("")
            .split(',')
            .enumerate()
            .filter_map(|(position, item)| {
                let mut parts = item.split(';');
                let lang = Lang::from_tag(parts.next()?)?;
                let quality =
                    parts
                        .find_map(|p| p.trim().strip_prefix("q="))
                        .map_or(Some(1000), |q| {
                            q.parse::<f32>()
                                .ok()
                                .map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
                        })?;
                (quality > 0).then_some((quality, position, lang))
            })
            .collect();
        offered.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        offered.first().map_or(Lang::En, |(_, _, lang)| *lang)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &IDS[0],
            Lang::Ru => &IDS[1],
            Lang::Ar => &IDS[2],
        }
    }
}

/// Translations into one language, for templates: `{{ t.t("key") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(self.lang.id(), key)
    }

    /// The text of `key`, if this language has it.
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.lang.id(), key)
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.ta(key, &[(name, value)])
    }

    /// The text of `key` with arguments.
    pub fn ta(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from((*value).to_owned())))
            .collect();
        LOCALES.lookup_with_args(self.lang.id(), key, &args)
    }

    /// The name of a message kind.
    pub fn kind(&self, kind: MessageKind) -> String {
        self.t(&format!("kind-{}", kind.as_str()))
    }

    /// The word for a precedence.
    pub fn precedence(&self, precedence: Precedence) -> String {
        self.t(&format!("precedence-{}", precedence.as_str()))
    }

    /// The name of a tier.
    pub fn tier(&self, tier: Tier) -> String {
        self.t(&format!("tier-{}", tier.as_str()))
    }

    /// A length of time, to the second: `1 h 5 min`, `1 ч 5 мин`.
    pub fn duration(&self, delta: chrono::TimeDelta) -> String {
        let mut left = delta.num_seconds().max(0);
        let mut parts = Vec::new();
        for (unit, seconds) in [
            ("days", 86_400),
            ("hours", 3_600),
            ("minutes", 60),
            ("seconds", 1),
        ] {
            let n = left / seconds;
            left %= seconds;
            if n > 0 || (seconds == 1 && parts.is_empty()) {
                parts.push(self.t1(&format!("duration-{unit}"), "n", &n.to_string()));
            }
        }
        parts.join(" ")
    }

    /// A list of tiers, in this language.
    pub fn tiers(&self, tiers: &[Tier]) -> String {
        tiers
            .iter()
            .map(|tier| self.tier(*tier))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of a language's file, as written.
    fn keys(lang: Lang) -> Vec<String> {
        let path = format!(
            "{}/locales/{}/console.ftl",
            env!("CARGO_MANIFEST_DIR"),
            lang.tag()
        );
        std::fs::read_to_string(path)
            .expect("locale file")
            .lines()
            .filter(|line| !line.starts_with(['#', ' ']) && line.contains(" = "))
            .filter_map(|line| line.split(" = ").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_language_has_every_key_and_no_other() {
        let english = keys(Lang::En);
        assert!(english.len() > 50, "{english:?}");
        for lang in [Lang::Ru, Lang::Ar] {
            assert_eq!(
                keys(lang),
                english,
                "{} has the keys of en, in order",
                lang.tag()
            );
        }
    }

    #[test]
    fn every_kind_precedence_and_tier_has_a_name_in_every_language() {
        for lang in Lang::ALL {
            let t = Tr { lang };
            let keys = keys(lang);
            for kind in MessageKind::ALL {
                let key = format!("kind-{}", kind.as_str());
                assert!(keys.contains(&key), "{}: {key}", lang.tag());
                assert_ne!(t.kind(*kind), key);
            }
            for precedence in Precedence::ALL {
                let key = format!("precedence-{}", precedence.as_str());
                assert!(keys.contains(&key), "{}: {key}", lang.tag());
            }
            for tier in Tier::ALL {
                assert!(keys.contains(&format!("tier-{}", tier.as_str())));
            }
        }
        assert_eq!(
            Tr { lang: Lang::Ru }.precedence(Precedence::Flash),
            "МОЛНИЯ"
        );
        assert_eq!(Tr { lang: Lang::Ar }.kind(MessageKind::Ping), "فحص الاتصال");
        assert_eq!(
            Tr { lang: Lang::Ru }.t1("signed-in-as", "name", "Анна"),
            "Вы вошли как Анна"
        );
    }

    #[test]
    fn a_duration_is_said_in_the_language_to_the_second() {
        let delta = chrono::TimeDelta::seconds(3_600 + 5 * 60 + 7);
        assert_eq!(Tr { lang: Lang::En }.duration(delta), "1 h 5 min 7 s");
        assert_eq!(Tr { lang: Lang::Ru }.duration(delta), "1 ч 5 мин 7 с");
        assert_eq!(
            Tr { lang: Lang::En }.duration(chrono::TimeDelta::zero()),
            "0 s"
        );
        assert_eq!(
            Tr { lang: Lang::En }.duration(chrono::TimeDelta::minutes(60)),
            "1 h"
        );
    }

    #[test]
    fn the_language_follows_accept_language_by_quality() {
        assert_eq!(Lang::negotiate(None), Lang::En);
        assert_eq!(Lang::negotiate(Some("ru-RU,ru;q=0.9,en;q=0.8")), Lang::Ru);
        assert_eq!(Lang::negotiate(Some("de, ar;q=0.5, en;q=0.4")), Lang::Ar);
        assert_eq!(Lang::negotiate(Some("en;q=0.1, ru;q=0.2")), Lang::Ru);
        assert_eq!(Lang::negotiate(Some("fr, de")), Lang::En);
        assert_eq!(Lang::negotiate(Some("ru;q=0")), Lang::En);
        assert_eq!(Lang::Ar.dir(), "rtl");
        assert_eq!(Lang::from_tag("AR-eg"), Some(Lang::Ar));
    }
}
