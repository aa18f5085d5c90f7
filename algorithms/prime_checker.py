"""Is a number prime? If not, its factorisation — ported from the original scaffold.

Deterministic Miller-Rabin decides primality and Pollard-Brent rho factors composites, so
every accepted number (up to ``MAX_NUMBER``) is answered in milliseconds.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from algorithms.base import Algorithm

MAX_NUMBER = 10**18
# Deterministic for every n < 3.3e24 (Sorenson & Webster), far beyond MAX_NUMBER.
_WITNESSES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
_SMALL_PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47)


class PrimeInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(description=f"a whole number from 0 to {MAX_NUMBER}")

    @field_validator("number", mode="before")
    @classmethod
    def _no_booleans(cls, value: Any) -> Any:
        # JSON true would otherwise be accepted as 1.
        if isinstance(value, bool):
            raise ValueError("number must be an integer, not a boolean")
        return value

    @field_validator("number")
    @classmethod
    def _in_range(cls, value: int) -> int:
        if value < 0:
            raise ValueError("number must not be negative")
        if value > MAX_NUMBER:
            raise ValueError(f"number is too large to factor quickly; the limit is 10^18 ({MAX_NUMBER})")
        return value


class PrimeOutput(BaseModel):
    number: int
    is_prime: bool
    factors: list[int] = Field(description="prime factors in ascending order, with repetition; [] unless composite")
    reason: str


class PrimeChecker(Algorithm[PrimeInput, PrimeOutput]):
    """Primality and factorisation.

    >>> PrimeChecker().run(PrimeInput(number=12)).factors
    [2, 2, 3]
    """

    name: ClassVar[str] = "prime_checker"

    def run(self, data: PrimeInput) -> PrimeOutput:
        n = data.number
        prime = is_prime(n)
        factors = factorise(n) if n >= 2 and not prime else []
        return PrimeOutput(number=n, is_prime=prime, factors=factors, reason=explain(n, prime, factors))


def explain(n: int, prime: bool, factors: list[int]) -> str:
    """The short reason of an answer.

    >>> explain(12, False, [2, 2, 3])
    '12 = 2^2 × 3'
    """
    if n < 2:
        return f"{n} is neither prime nor composite"
    if prime:
        return f"{n} has no divisors other than 1 and itself"
    return f"{n} = {_product(factors)}"


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in _SMALL_PRIMES:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in _WITNESSES:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def factorise(n: int) -> list[int]:
    """Prime factors of ``n`` (n >= 2) in ascending order, with repetition."""
    factors: list[int] = []
    for p in _SMALL_PRIMES:
        while n % p == 0:
            factors.append(p)
            n //= p
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        if is_prime(m):
            factors.append(m)
            continue
        d = _pollard_brent(m)
        stack.extend((d, m // d))
    return sorted(factors)


def _pollard_brent(n: int) -> int:
    """A non-trivial divisor of the odd composite ``n`` (Brent's variant of Pollard's rho)."""
    # Fixed starting values keep answers and timings reproducible (and spare the cold start
    # the import of ``random``); a failed round retries with the next constant.
    c = 0
    while True:
        c += 1
        y, m = 2, 128
        g = r = q = 1
        x = ys = y
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                ys = y
                for _ in range(min(m, r - k)):
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                g = math.gcd(q, n)
                k += m
            r *= 2
        if g == n:
            g = 1
            while g == 1:
                ys = (ys * ys + c) % n
                g = math.gcd(abs(x - ys), n)
        if g != n:
            return g


def _product(factors: list[int]) -> str:
    counts: dict[int, int] = {}
    for f in factors:
        counts[f] = counts.get(f, 0) + 1
    return " × ".join(f"{p}^{e}" if e > 1 else str(p) for p, e in counts.items())
