"""Robust summaries of repeated timings: medians, quartiles, bootstrap ratios.

The figure for a configuration is always the median of its repetitions; the
quartiles and the extremes are reported only as its spread.  Ratios between two
configurations measured in the same repetitions are resampled in pairs, so slow
drifts of the machine that hit both sides of a pair do not widen the interval.
"""
from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass

BOOTSTRAP_SAMPLES = 2000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Summary:
    n: int
    median: float
    q1: float
    q3: float
    min: float
    max: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    def as_dict(self) -> dict:
        return {"n": self.n, "median": self.median, "q1": self.q1, "q3": self.q3,
                "iqr": self.iqr, "min": self.min, "max": self.max}


def summarize(samples: list[float]) -> Summary:
    xs = sorted(samples)
    if not xs:
        raise ValueError("no samples")
    if len(xs) == 1:
        q1 = q3 = xs[0]
    else:
        q1, _, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return Summary(len(xs), statistics.median(xs), q1, q3, xs[0], xs[-1])


@dataclass(frozen=True)
class Ratio:
    """median(num) / median(den) with a bootstrap confidence interval."""

    value: float
    low: float
    high: float
    paired: bool
    confidence: float = CONFIDENCE

    def as_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high,
                "confidence": self.confidence, "paired": self.paired,
                "method": "bootstrap of the ratio of medians"}


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    m = n // 2
    return s[m] if n % 2 else (s[m - 1] + s[m]) / 2


def _percentile(sorted_xs: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (p in [0, 1])."""
    if len(sorted_xs) == 1:
        return sorted_xs[0]
    k = (len(sorted_xs) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def ratio_of_medians(num: list[float], den: list[float], *, paired: bool = True,
                     samples: int = BOOTSTRAP_SAMPLES, confidence: float = CONFIDENCE,
                     seed: int = 12345) -> Ratio:
    """Ratio of medians with a percentile-bootstrap interval.

    With `paired` (and equally many samples) repetition i of both sides is drawn
    together, which is right when they were measured side by side in repetition i.
    """
    value = _median(num) / _median(den)
    paired = paired and len(num) == len(den)
    if len(num) < 2 or len(den) < 2:
        return Ratio(value, value, value, paired, confidence)
    rng = random.Random(seed)
    boot = []
    for _ in range(samples):
        if paired:
            idx = [rng.randrange(len(num)) for _ in num]
            n = [num[i] for i in idx]
            d = [den[i] for i in idx]
        else:
            n = [num[rng.randrange(len(num))] for _ in num]
            d = [den[rng.randrange(len(den))] for _ in den]
        boot.append(_median(n) / _median(d))
    boot.sort()
    tail = (1 - confidence) / 2
    return Ratio(value, _percentile(boot, tail), _percentile(boot, 1 - tail), paired, confidence)


def geometric_mean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")
