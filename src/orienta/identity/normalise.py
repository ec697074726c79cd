"""Names folded and keyed so that the spellings of one name meet.

Returnees' names are written by different officers in French, Kreyòl, Spanish and English, and
Arabic names in several transliterations: "Jean-Baptiste"/"Jan Batis", "Joseph"/"Jozef",
"Mouhamed"/"Mohammed". Folding removes accents, case, punctuation and hyphens, and drops
particles ("de", "la", "ben"); the phonetic key then rewrites the spellings that sound alike in
these languages (ph→f, dj→j, ou→u, y→i, soft c and g, final -ce/-se, silent h…) and keeps the
first letter and the consonant skeleton. It is deliberately a blocking key, coarse on purpose;
scoring compares the folded names themselves. The identity-resolution issue refines both.
"""

from __future__ import annotations

import functools
import re
import unicodedata

PARTICLES = frozenset(
    {
        "de",
        "du",
        "des",
        "del",
        "della",
        "da",
        "di",
        "la",
        "le",
        "les",
        "van",
        "von",
        "der",
        "el",
        "al",
        "ben",
        "bin",
        "ibn",
        "ould",
        "bou",
        "abd",
        "st",
        "ste",
        "saint",
        "sainte",
    }
)

# Whole-name spellings too far apart for the rewrite rules.
CANONICAL = {
    "mohammed": "mohamed",
    "muhammad": "mohamed",
    "mohamad": "mohamed",
    "mouhamed": "mohamed",
    "mouhammed": "mohamed",
    "mohammad": "mohamed",
    "muhamed": "mohamed",
    "mamadou": "mohamed",
    "ahmad": "ahmed",
    "ahmet": "ahmed",
    "youssef": "yusuf",
    "yousef": "yusuf",
    "youssouf": "yusuf",
    "joseph": "jozef",
    "josef": "jozef",
    "jozef": "jozef",
    "jean": "jan",
    "jn": "jan",
}

_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        (r"x|gz|cz", "ks"),  # "Exantus" / "Egzantis"
        (r"sch|sh|ch", "x"),
        (r"ph", "f"),
        (r"dj|dz", "j"),
        (r"th", "t"),
        (r"kh|gh", "k"),
        (r"qu|q|ck|k", "k"),
        (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"g(?=[eiy])", "j"),
        (r"gu(?=[eiy])", "g"),
        (r"ou|oo|w", "u"),
        (r"eau|au", "o"),
        (r"y", "i"),
        (r"z", "s"),
        (r"ss", "s"),
        (r"h", ""),
        (r"pt", "t"),  # "Baptiste" / "Batis"
        (r"e$", ""),  # final e: "Rose" / "Roz", "Francoise" / "Franswaz"
        (r"(?<=e)r+$", ""),  # final r unsounded in Kreyòl: "Pierre" / "Pyè"
        (r"st$", "s"),  # final cluster dropped in Kreyòl: "Baptiste" / "Batis"
        (r"(?<=[aeiou])s$", ""),  # silent final s: "Jacques" / "Jak"
        (r"(?<=[aeiou])t$", ""),  # silent final t: "Petit" / "Piti"
    ]
]


def fold(text: str) -> str:
    """Lower case, no accents, letters and spaces only."""
    text = text.replace("ç", "s").replace("Ç", "s").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", stripped.lower()).strip()


def tokens(*names: str) -> list[str]:
    """The folded words of the names, particles dropped (unless nothing else is left)."""
    words = [word for name in names for word in fold(name).split()]
    kept = [word for word in words if word not in PARTICLES and not word.isdigit()]
    return kept or words


@functools.lru_cache(maxsize=65_536)  # names repeat a lot: Jean, Marie, Joseph…
def phonetic(token: str) -> str:
    token = CANONICAL.get(token, token)
    if not token:
        return ""
    for pattern, replacement in _REWRITES:
        token = pattern.sub(replacement, token)
    if not token:
        return ""
    head, rest = token[0], re.sub(r"[aeiou]", "", token[1:])
    key = re.sub(r"(.)\1+", r"\1", head + rest)
    return key[:8]


def phonetic_tokens(*names: str) -> list[str]:
    return [key for key in (phonetic(word) for word in tokens(*names)) if key]


def folded_name(*names: str) -> str:
    """Order-insensitive folded name: "Pierre Jean-Louis" == "Jean Louis PIERRE"."""
    return " ".join(sorted(tokens(*names)))
