"""The alert benchmark's ramp as a chart: p50 and p99 against the rate (every run a point, the
median of the runs a line), the 1 s line, and the first rate at which p99 exceeds it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import median

__all__ = ["draw", "first_rate_over"]

LIMIT_S = 1.0


def first_rate_over(p99s: Mapping[float, Sequence[float]], limit_s: float = LIMIT_S) -> float | None:
    """The lowest rate at which any run's p99 exceeded `limit_s`, or None."""
    return next((rate for rate in sorted(p99s) if max(p99s[rate]) > limit_s), None)


def draw(
    p50s: Mapping[float, Sequence[float]], p99s: Mapping[float, Sequence[float]], path: Path, title: str
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, series, colour in (("p50", p50s, "tab:blue"), ("p99", p99s, "tab:red")):
        rates = sorted(series)
        ax.plot(
            rates,
            [median(series[r]) * 1000 for r in rates],
            "-",
            color=colour,
            label=f"{label} (median of runs)",
        )
        for r in rates:
            ax.plot([r] * len(series[r]), [v * 1000 for v in series[r]], "o", color=colour, alpha=0.5, ms=4)
    ax.axhline(LIMIT_S * 1000, color="grey", ls="--", lw=1, label="1 s")
    over = first_rate_over(p99s)
    if over is not None:
        ax.axvline(over, color="tab:red", ls=":", lw=1, label=f"p99 > 1 s first at {over:.0f}/s")
    ax.set_yscale("log")
    ax.set_xlabel("signals per second")
    ax.set_ylabel("signal published -> webhook received, ms")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
