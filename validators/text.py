"""Text quality: invisible characters, garbled accents (mojibake) and the description's language."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from catalog.domain.issues import Issue, excerpt
from catalog.domain.location import Location
from catalog.domain.rules import issue
from validators.html import html_to_text

# French names of the characters nobody sees but that break search, sorting and exports.
_INVISIBLE_NAMES: dict[str, str] = {
    "\u00ad": "trait d'union conditionnel",
    "\u034f": "gluon graphémique",
    "\u061c": "marque de lettre arabe",
    "\u115f": "remplissage hangûl",
    "\u1160": "remplissage hangûl",
    "\u180e": "séparateur de voyelles mongol",
    "\u200b": "espace de largeur nulle",
    "\u200c": "antiliant sans chasse",
    "\u200d": "liant sans chasse",
    "\u200e": "marque gauche à droite",
    "\u200f": "marque droite à gauche",
    "\u2028": "séparateur de ligne",
    "\u2029": "séparateur de paragraphe",
    "\u2060": "gluon de mots",
    "\u2061": "opérateur invisible",
    "\u2062": "opérateur invisible",
    "\u2063": "opérateur invisible",
    "\u2064": "opérateur invisible",
    "\u3164": "remplissage hangûl",
    "\ufeff": "indicateur d'ordre des octets (BOM)",
    "\uffa0": "remplissage hangûl",
    **{chr(c): "contrôle bidirectionnel" for c in range(0x202A, 0x202F)},
    **{chr(c): "isolat bidirectionnel" for c in range(0x2066, 0x206A)},
    **{chr(c): "caractère de contrôle" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))},
    **{chr(c): "caractère de contrôle" for c in range(0x7F, 0xA0)},
}
_INVISIBLE_RE = re.compile("[" + "".join(map(re.escape, sorted(_INVISIBLE_NAMES))) + "]")
# The same without C1 controls (U+0080-U+009F): those are often Windows-1252 punctuation that ftfy restores.
_NOISE_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_INVISIBLE_NAMES) if not "\x80" <= c <= "\x9f") + "]")
# Removing these would glue two lines together: they become a line break instead.
_LINE_BREAKING = frozenset("\u2028\u2029\x0b\x0c\x85")
_ZWJ = "\u200d"
_VS16 = "\ufe0f"

# Cheap gate before ftfy (which costs ~0.4 µs a character): UTF-8 read as Windows-1252/Latin-1 always
# leaves a lead byte (Â…ô) followed by a continuation byte (0x80-0xBF as cp1252/Latin-1 shows it),
# a no-break space turned into a plain one (`Ã `), a C1 control or a lone surrogate.
_CP1252_CONTINUATION = "\x80-\xbf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_MOJIBAKE_HINT_RE = re.compile(f"[\u00c2-\u00f4][{_CP1252_CONTINUATION}]")
_C1_OR_SURROGATE_RE = re.compile("[\x80-\x9f\ud800-\udfff]")

LETTERS_FOR_LANGUAGE = 80
LANGUAGE_CONFIDENCE = 0.9
# The start of a description tells its language; judging more only costs time.
LANGUAGE_SAMPLE = 1500
# Words that occur in running French and hardly ever in the other languages langdetect confuses it
# with; when they make up this share of the words the text is French and langdetect (~6 ms) is skipped.
_FRENCH_WORDS = frozenset((
    "à", "au", "aux", "avec", "ces", "cette", "dans", "des", "du", "elle", "est", "et", "être", "ils", "les",
    "leur", "leurs", "nous", "où", "pas", "peut", "pour", "sont", "très", "une", "vos", "votre", "vous",
))
FRENCH_WORD_SHARE = 0.12
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# langdetect's languages: (French name, English name).
LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "af": ("afrikaans", "Afrikaans"), "ar": ("arabe", "Arabic"), "bg": ("bulgare", "Bulgarian"),
    "bn": ("bengali", "Bengali"), "ca": ("catalan", "Catalan"), "cs": ("tchèque", "Czech"),
    "cy": ("gallois", "Welsh"), "da": ("danois", "Danish"), "de": ("allemand", "German"),
    "el": ("grec", "Greek"), "en": ("anglais", "English"), "es": ("espagnol", "Spanish"),
    "et": ("estonien", "Estonian"), "fa": ("persan", "Persian"), "fi": ("finnois", "Finnish"),
    "gu": ("goudjarati", "Gujarati"), "he": ("hébreu", "Hebrew"), "hi": ("hindi", "Hindi"),
    "hr": ("croate", "Croatian"), "hu": ("hongrois", "Hungarian"), "id": ("indonésien", "Indonesian"),
    "it": ("italien", "Italian"), "ja": ("japonais", "Japanese"), "kn": ("kannada", "Kannada"),
    "ko": ("coréen", "Korean"), "lt": ("lituanien", "Lithuanian"), "lv": ("letton", "Latvian"),
    "mk": ("macédonien", "Macedonian"), "ml": ("malayalam", "Malayalam"), "mr": ("marathi", "Marathi"),
    "ne": ("népalais", "Nepali"), "nl": ("néerlandais", "Dutch"), "no": ("norvégien", "Norwegian"),
    "pa": ("pendjabi", "Punjabi"), "pl": ("polonais", "Polish"), "pt": ("portugais", "Portuguese"),
    "ro": ("roumain", "Romanian"), "ru": ("russe", "Russian"), "sk": ("slovaque", "Slovak"),
    "sl": ("slovène", "Slovenian"), "so": ("somali", "Somali"), "sq": ("albanais", "Albanian"),
    "sv": ("suédois", "Swedish"), "sw": ("swahili", "Swahili"), "ta": ("tamoul", "Tamil"),
    "te": ("télougou", "Telugu"), "th": ("thaï", "Thai"), "tl": ("tagalog", "Tagalog"),
    "tr": ("turc", "Turkish"), "uk": ("ukrainien", "Ukrainian"), "ur": ("ourdou", "Urdu"),
    "vi": ("vietnamien", "Vietnamese"), "zh-cn": ("chinois", "Chinese"), "zh-tw": ("chinois", "Chinese"),
}


# ftfy with only its encoding repairs: quotes, ligatures, widths, line breaks and HTML entities stay as written.
@cache
def _encoding_only() -> Any:
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=True,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def _is_pictograph(char: str) -> bool:
    return unicodedata.category(char) == "So" or char == _VS16 or "\U0001f3fb" <= char <= "\U0001f3ff"


def _legit_joiner(text: str, index: int) -> bool:
    """A zero-width joiner inside an emoji sequence (👨‍🍳) is part of the emoji, not noise."""
    return 0 < index < len(text) - 1 and _is_pictograph(text[index - 1]) and _is_pictograph(text[index + 1])


def _is_c1(char: str) -> bool:
    return "\x80" <= char <= "\x9f"


def invisible_chars(text: str) -> list[tuple[int, str]]:
    """(offset, character) of every invisible character in `text`.

    Ordinary spaces, tabs, line breaks and no-break spaces (U+00A0, U+202F: French
    typography before « : ; ! ? ») are visible text and are not reported.
    """
    return [(m.start(), m.group()) for m in _INVISIBLE_RE.finditer(text)
            if m.group() != _ZWJ or not _legit_joiner(text, m.start())]


def invisible_name(char: str) -> str:
    """The character's French name and code point, e.g. `espace de largeur nulle U+200B`."""
    return f"{_INVISIBLE_NAMES.get(char, 'caractère invisible')} U+{ord(char):04X}"


def _remove(text: str, pattern: re.Pattern[str]) -> str:
    if not pattern.search(text):
        return text

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char == _ZWJ and _legit_joiner(match.string, match.start()):
            return char
        return "\n" if char in _LINE_BREAKING else ""

    return pattern.sub(replace, text)


def remove_invisible(text: str) -> str:
    """`text` without its invisible characters; line and paragraph separators become line breaks."""
    return _remove(text, _INVISIBLE_RE)


def repair_encoding(text: str) -> str:
    """`text` with double-encoded UTF-8 repaired by ftfy, and nothing else changed."""
    if not (_MOJIBAKE_HINT_RE.search(text) or _C1_OR_SURROGATE_RE.search(text) or "Ã " in text or "Â " in text):
        return text
    import ftfy

    return ftfy.fix_text(text, _encoding_only())


def fix_text(text: str) -> str:
    """The safe fix applied in the annotated file: invisible characters removed, mojibake repaired.

    Invisible characters go first (a zero-width space inside `Ã©` hides it from ftfy),
    except C1 controls, which ftfy may turn back into the Windows-1252 punctuation they were.
    """
    return remove_invisible(repair_encoding(_remove(text, _NOISE_RE)))


def _word_span(text: str, index: int) -> tuple[int, int]:
    start = index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = index
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def _first_change(text: str, fixed: str) -> tuple[str, str]:
    """The first garbled word of `text` and its repaired form in `fixed`."""
    index = next((i for i, (a, b) in enumerate(zip(text, fixed, strict=False)) if a != b), min(len(text), len(fixed)))
    start, end = _word_span(text, index)
    fixed_start, fixed_end = _word_span(fixed, index)
    found, repaired = text[start:end], fixed[fixed_start:fixed_end]
    if len(found) > 60:
        found, repaired = excerpt(text, index, index + 1, 20), excerpt(fixed, index, index + 1, 20)
    return found, repaired


def text_issues(text: str, *, at: Location, product: str | None) -> list[Issue]:
    """`text.mojibake` and `text.invisible_chars` for one cell."""
    if not text:
        return []
    out: list[Issue] = []
    hidden = invisible_chars(text)
    visible = _remove(text, _NOISE_RE) if hidden else text
    repaired = repair_encoding(visible)
    if repaired != visible:
        found, fixed = _first_change(visible, repaired)
        out.append(issue("text.mojibake", at=at, product=product, value=found,
                         suggestions=[fixed], found=found, fixed=fixed))
        # A C1 control that ftfy turned back into ’ was mojibake, not an invisible character.
        hidden = [(i, char) for i, char in hidden if not _is_c1(char)]
        hidden += [(i, char) for i, char in invisible_chars(repaired) if _is_c1(char)]
    if hidden:
        names = ", ".join(dict.fromkeys(invisible_name(char) for _, char in hidden))
        first = hidden[0][0]
        out.append(issue("text.invisible_chars", at=at, product=product,
                         value=excerpt(text, first, first + 1, 20), count=len(hidden), names=names))
    return out


def _french_share(words: list[str]) -> float:
    hits = sum(1 for word in words if word in _FRENCH_WORDS or word[:2] in ("d'", "l'", "d’", "l’"))
    return hits / len(words) if words else 0.0


# The languages sellers of a French marketplace actually write in. langdetect loads one profile per
# language (~10 ms each here); all 55 cost more than every other check of a 500-row file together.
DETECTED_LANGUAGES = ("fr", "en", "de", "es", "it", "nl", "pt", "pl")


@cache
def _language_factory() -> Any:
    from pathlib import Path

    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.seed = 0
    profiles = [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8") for code in DETECTED_LANGUAGES]
    factory.load_json_profile(profiles)
    return factory


def detect_language(text: str) -> tuple[str, float] | None:
    """langdetect's best guess (code, probability), seeded so the same text always gives the same answer."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _language_factory().create()
    detector.append(text)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None
    return best.lang, best.prob


def language_issue(text: str, *, at: Location, product: str | None) -> list[Issue]:
    """`language.not_french` when the description (HTML or text) is confidently in another language.

    Only the first 1500 characters of text are read, and texts under 80 letters are
    not judged. Texts whose words are at least 12 % French function words are French
    without asking langdetect (~3-6 ms a text); others are flagged only when langdetect
    gives another language at least 90 % probability.
    """
    plain = html_to_text(text)
    sample = plain[:LANGUAGE_SAMPLE]
    words = _WORD_RE.findall(sample.lower())
    if sum(map(len, words)) < LETTERS_FOR_LANGUAGE or _french_share(words) >= FRENCH_WORD_SHARE:
        return []
    guess = detect_language(sample)
    if guess is None or guess[0] == "fr" or guess[1] < LANGUAGE_CONFIDENCE:
        return []
    language, language_en = LANGUAGE_NAMES.get(guess[0], (guess[0], guess[0]))
    return [issue("language.not_french", at=at, product=product,
                  value=excerpt(plain, 0, 0, 60), language=language, language_en=language_en)]
