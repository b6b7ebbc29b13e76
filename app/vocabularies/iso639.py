"""Languages by their ISO 639 codes, with names in the label languages.

The codes and names are those of the iso-codes project (Debian), with its
translations, as the pycountry package ships them (LGPL-2.1): looked up, never
typed by hand. A language's id is its shortest code, ISO 639-1 where it has one,
as BCP 47 language tags use them (`ar`, `prs`).
"""

import gettext
from dataclasses import dataclass
from functools import cache

import pycountry

from app.languages import LANGUAGES, Language


@dataclass(frozen=True)
class LanguageName:
    lang: Language  # the language the name is written in: English where untranslated
    text: str


@dataclass(frozen=True)
class IsoLanguage:
    id: str
    alpha_3: str
    names: dict[Language, LanguageName]  # per label language


def languages(also_iso_639_3: list[str]) -> list[IsoLanguage]:
    """Every language of ISO 639-1, and the ISO 639-3 languages `also_iso_639_3` names,
    in the order of their ids."""
    found = [lang for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    for code in also_iso_639_3:
        extra = pycountry.languages.get(alpha_3=code)
        if extra is None:
            raise ValueError(f"{code!r} is no language of ISO 639-3")
        found.append(extra)
    result = {_id(lang): IsoLanguage(_id(lang), lang.alpha_3, _names(lang.name)) for lang in found}
    return [result[id_] for id_ in sorted(result)]


def _id(lang: object) -> str:
    return str(getattr(lang, "alpha_2", None) or lang.alpha_3)  # type: ignore[attr-defined]


def _names(english: str) -> dict[Language, LanguageName]:
    names: dict[Language, LanguageName] = {}
    for lang in LANGUAGES:
        translated = _translations(lang).gettext(english)
        if lang == "en" or translated == english:
            names[lang] = LanguageName("en", english)
        else:
            names[lang] = LanguageName(lang, translated)
    return names


@cache
def _translations(lang: Language) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
