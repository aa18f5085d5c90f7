"""Which language is a text written in? A character-trigram naive Bayes classifier.

``setup()`` does the one-time work an FC initializer exists for: it reads the corpus
shipped in ``algorithms/data`` and builds a smoothed log-probability table per language.
``run()`` then scores a text against every table.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from algorithms import metrics
from algorithms.base import Algorithm
from algorithms.errors import InputRejected

CORPUS = Path(__file__).parent / "data" / "language_corpus.json"
MAX_TEXT_CHARS = 10_000
_SPACES = re.compile(r"[\s\d_]+")


class DetectInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="the text to classify")
    top: int = Field(default=3, ge=1, le=10, description="how many candidate languages to return")


class LanguageScore(BaseModel):
    language: str
    probability: float


class DetectOutput(BaseModel):
    language: str
    confidence: float
    candidates: list[LanguageScore]


class LanguagesInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanguagesOutput(BaseModel):
    languages: list[str]
    trigrams: int = Field(description="size of the model: distinct trigrams over all languages")


class _Profile:
    __slots__ = ("log_probs", "unseen")

    def __init__(self, counts: Counter[str], vocabulary: int) -> None:
        total = sum(counts.values())
        denominator = total + vocabulary  # add-one smoothing
        self.log_probs = {gram: math.log((n + 1) / denominator) for gram, n in counts.items()}
        self.unseen = math.log(1 / denominator)


class LanguageDetector(Algorithm[DetectInput, DetectOutput]):
    """Detect the language of a text among those of the shipped corpus.

    >>> detector = LanguageDetector(); detector.setup()
    >>> detector.run(DetectInput(text="where is the train station")).language
    'en'
    """

    name: ClassVar[str] = "language_detector"

    def __init__(self, corpus: Path = CORPUS) -> None:
        self.corpus = corpus
        self._profiles: dict[str, _Profile] = {}

    def setup(self) -> None:
        texts: dict[str, str] = json.loads(self.corpus.read_text(encoding="utf-8"))
        counts = {lang: Counter(trigrams(text)) for lang, text in texts.items()}
        vocabulary = len(set().union(*counts.values()))
        self._profiles = {lang: _Profile(c, vocabulary) for lang, c in counts.items()}

    def run(self, data: DetectInput) -> DetectOutput:
        grams = trigrams(data.text)
        # Custom metrics: the summary log line carries them, so SLS can relate latency to input size.
        metrics.add("text_chars", len(data.text))
        metrics.add("trigrams", len(grams))
        if not grams:
            raise InputRejected("text has no letters to classify")
        scores = {
            lang: sum(p.log_probs.get(g, p.unseen) for g in grams) for lang, p in self._require_profiles().items()
        }
        # Posterior under a uniform prior: softmax of the log-likelihoods, shifted by the
        # best score so exp() cannot underflow to zero for every language.
        best = max(scores.values())
        weights = {lang: math.exp(s - best) for lang, s in scores.items()}
        total = sum(weights.values())
        ranked = sorted(((w / total, lang) for lang, w in weights.items()), reverse=True)
        candidates = [LanguageScore(language=lang, probability=round(p, 4)) for p, lang in ranked[: data.top]]
        return DetectOutput(language=ranked[0][1], confidence=round(ranked[0][0], 4), candidates=candidates)

    def languages(self, data: LanguagesInput) -> LanguagesOutput:
        profiles = self._require_profiles()
        distinct = len(set().union(*(p.log_probs for p in profiles.values())))
        return LanguagesOutput(languages=sorted(profiles), trigrams=distinct)

    def _require_profiles(self) -> dict[str, _Profile]:
        if not self._profiles:
            raise RuntimeError("LanguageDetector.setup() has not run")
        return self._profiles


def trigrams(text: str) -> list[str]:
    """Character trigrams of the lower-cased text, words padded with spaces."""
    normalised = " " + _SPACES.sub(" ", text.lower()).strip() + " "
    return [normalised[i : i + 3] for i in range(len(normalised) - 2) if normalised[i : i + 3].strip()]
