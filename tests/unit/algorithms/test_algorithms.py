"""The two algorithms on their own (plain pytest, no FC), and the initializer contract:
a failing setup() fails the initializer clearly and is retried by the next invocation."""

from __future__ import annotations

import json
import math
import shutil
import time
from typing import TYPE_CHECKING

import pytest
from pydantic import ValidationError

from algorithms.errors import InputRejected
from algorithms.language_detector import CORPUS, DetectInput, LanguageDetector, LanguagesInput, trigrams
from algorithms.prime_checker import MAX_NUMBER, PrimeChecker, PrimeInput, factorise, is_prime
from handlers import prime_checker
from runtime import AlgorithmFunction, Route
from runtime.errors import InitializationError
from tests.fixtures.invocation import call, http_event

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("clean_fc_env")

checker = PrimeChecker()


# --- prime checker ----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 3, 5, 97, 7919, 1_000_000_007, 2**31 - 1, 999_999_999_999_999_989])
def test_primes_are_prime_with_no_factors(n: int) -> None:
    out = checker.run(PrimeInput(number=n))
    assert (out.number, out.is_prime, out.factors) == (n, True, [])
    assert str(n) in out.reason


@pytest.mark.parametrize(
    "n",
    [
        4,
        12,
        1001,
        2**10,
        561,  # Carmichael number: fools the Fermat test
        3_215_031_751,  # strong pseudoprime to bases 2, 3, 5 and 7
        600_851_475_143,
        1_000_000_007 * 998_244_353,  # two large primes: needs Pollard rho, not trial division
        MAX_NUMBER,
    ],
)
def test_composites_come_with_a_prime_factorisation_whose_product_is_n(n: int) -> None:
    out = checker.run(PrimeInput(number=n))
    assert out.is_prime is False
    assert math.prod(out.factors) == n
    assert out.factors == sorted(out.factors)
    assert all(is_prime(f) for f in out.factors)
    assert out.reason.startswith(f"{n} = ")


def test_reason_groups_repeated_factors_as_powers() -> None:
    assert checker.run(PrimeInput(number=12)).reason == "12 = 2^2 × 3"


@pytest.mark.parametrize("n", [0, 1])
def test_zero_and_one_are_neither_prime_nor_composite(n: int) -> None:
    out = checker.run(PrimeInput(number=n))
    assert (out.is_prime, out.factors) == (False, [])
    assert "neither prime nor composite" in out.reason


def test_primality_agrees_with_trial_division_below_5000() -> None:
    def slow(n: int) -> bool:
        return n >= 2 and all(n % d for d in range(2, math.isqrt(n) + 1))

    assert [n for n in range(5000) if is_prime(n)] == [n for n in range(5000) if slow(n)]


def test_factorise_is_fast_for_the_hardest_accepted_numbers() -> None:
    started = time.perf_counter()
    assert factorise(999_999_937 * 1_000_000_007) == [999_999_937, 1_000_000_007]
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (-7, "negative"),
        (7.5, "integer"),
        ("abc", "integer"),
        (True, "boolean"),
        (None, "integer"),
        (MAX_NUMBER + 1, "too large"),
        (10**30, "too large"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value: object, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PrimeInput.model_validate({"number": value})
    assert says in str(caught.value).lower()


def test_too_large_says_what_the_limit_is() -> None:
    answer = call(prime_checker.handler, {"number": MAX_NUMBER + 1})
    assert answer.error["code"] == "ValidationError"
    message = answer.error["details"][0]["message"]
    assert "too large to factor quickly" in message
    assert str(MAX_NUMBER) in message


@pytest.mark.parametrize("payload", [{"number": -1}, {"number": 7.5}, {"number": "abc"}, {"number": True}, {}])
def test_bad_numbers_are_a_4xx_through_the_handler(payload: dict[str, object]) -> None:
    answer = call(prime_checker.handler, http_event("POST", "/check", json.dumps(payload)))
    assert answer.status == 422
    assert [d["field"] for d in answer.error["details"]] == ["number"]


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        PrimeInput.model_validate({"number": 7, "numbre": 8})


def test_a_whole_float_and_a_numeric_string_are_accepted() -> None:
    # JSON has one number type and query strings are text: 7.0 and "7" mean 7.
    assert PrimeInput.model_validate({"number": 7.0}).number == 7
    assert PrimeInput.model_validate({"number": "7"}).number == 7


# --- language detector ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    algorithm = LanguageDetector()
    algorithm.setup()
    return algorithm


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("where is the train station, please?", "en"),
        ("où est la gare, s'il vous plaît ?", "fr"),
        ("wo ist der Bahnhof, bitte?", "de"),
        ("¿dónde está la estación de tren?", "es"),
        ("dov'è la stazione dei treni?", "it"),
        ("onde fica a estação de trem?", "pt"),
        ("waar is het treinstation?", "nl"),
        ("请问火车站在哪里？", "zh"),
    ],
)
def test_detects_the_language_of_short_texts(detector: LanguageDetector, text: str, language: str) -> None:
    out = detector.run(DetectInput(text=text))
    assert out.language == language
    assert out.candidates[0].language == language
    assert out.confidence == out.candidates[0].probability


def test_candidates_are_ranked_probabilities(detector: LanguageDetector) -> None:
    out = detector.run(DetectInput(text="the weather is nice today", top=5))
    probabilities = [c.probability for c in out.candidates]
    assert len(out.candidates) == 5
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0.0 <= p <= 1.0 for p in probabilities)
    assert sum(probabilities) <= 1.0 + 1e-3


def test_languages_lists_the_model(detector: LanguageDetector) -> None:
    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    out = detector.languages(LanguagesInput())
    assert out.languages == sorted(corpus)
    assert out.trigrams > 1000


def test_text_without_letters_is_refused(detector: LanguageDetector) -> None:
    with pytest.raises(InputRejected, match="no letters"):
        detector.run(DetectInput(text="12345 ___ 678"))


@pytest.mark.parametrize(
    "payload", [{"text": ""}, {"text": "x" * 10_001}, {"text": "hi", "top": 0}, {"text": "hi", "top": 11}]
)
def test_detect_input_limits(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        DetectInput.model_validate(payload)


def test_run_before_setup_is_an_error_not_a_wrong_answer() -> None:
    with pytest.raises(RuntimeError, match="setup"):
        LanguageDetector().run(DetectInput(text="hello"))


def test_trigrams_pad_words_and_ignore_digits() -> None:
    assert trigrams("Ab 12 c") == [" ab", "ab ", "b c", " c "]


# --- initializer failure and retry ------------------------------------------------------------
def test_failing_setup_raises_a_clear_initialization_error_and_the_next_call_retries(tmp_path: Path) -> None:
    corpus = tmp_path / "language_corpus.json"  # not there yet: setup() must fail
    app = AlgorithmFunction(LanguageDetector(corpus=corpus), routes=[Route("POST", "/detect")])

    with pytest.raises(InitializationError) as caught:
        app.initialize(None)
    assert caught.value.status == 503
    assert "language_detector" in caught.value.message
    assert "FileNotFoundError" in caught.value.message
    assert "retried" in caught.value.message

    event = http_event("POST", "/detect", '{"text": "where is the station"}')
    assert call(app.handler, event).error["code"] == "InitializationFailed"  # still broken: retried, fails

    shutil.copyfile(CORPUS, corpus)  # the cause is gone
    answer = call(app.handler, event)
    assert answer.status == 200
    assert answer.doc["language"] == "en"


def test_setup_runs_once_per_instance() -> None:
    calls: list[int] = []

    class Counting(PrimeChecker):
        def setup(self) -> None:
            calls.append(1)

    app = AlgorithmFunction(Counting())
    app.initialize(None)
    for n in (2, 3, 4):
        call(app.handler, {"number": n})
    assert calls == [1]
