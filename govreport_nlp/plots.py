"""Charts for where people would rather look than read (needs the ``plots`` extra: matplotlib).

* :func:`plot_label_shares`: each report's (or group's: city, year, the whole
  corpus) share of each label, as stacked horizontal bars in the labels'
  colours (the same as the Jupyter view of a report);
* :func:`plot_confusion_matrix`: gold against predicted labels from an
  evaluation (:func:`~govreport_nlp.evaluate`, ``govreport-nlp evaluate --json``).

Both draw on a Matplotlib ``Axes`` (a new figure if none is given) and return
it, so they compose with the rest of a user's figure. The numbers come from
:mod:`govreport_nlp.summary` and are usable without Matplotlib.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> ax = plot_label_shares({"清河": {"plans": 0.25, "dispute": 0.75}, "白河": {"plans": 1.0}})
>>> [t.get_text() for t in ax.get_yticklabels()]
['清河', '白河']
>>> result = {"labels": ["plans", "other"], "confusion": [[3, 1], [0, 4]]}
>>> plot_confusion_matrix(result).get_title()
'confusion (rows: gold, columns: predicted; shares of each gold label)'
"""

from __future__ import annotations

import functools
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .display import label_colour
from .document import Report
from .errors import GovReportError, missing_extra
from .summary import MIN_CHARS, By, label_shares

__all__ = ["plot_confusion_matrix", "plot_label_shares"]

# pale label colours are backgrounds for text; bars get a darker edge to stay apart
_EDGE = "#555555"


def _axes(ax: Any, size: tuple[float, float]) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise missing_extra("matplotlib", "plots", "Plotting") from None
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


@functools.lru_cache(maxsize=1)
def _cjk_font() -> None:
    """Use a font with Chinese glyphs if the machine has one, so that report names are not boxes (once)."""
    from matplotlib import font_manager, rcParams

    have = {f.name for f in font_manager.fontManager.ttflist}
    for name in ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei",
                 "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN"):
        if name in have:
            if name not in rcParams["font.sans-serif"]:
                rcParams["font.sans-serif"] = [name, *rcParams["font.sans-serif"]]
            return


def plot_label_shares(data: Iterable[Report] | Mapping[Any, Mapping[Any, float]], *, by: By = "id",
                      weight: str = "paragraphs", min_chars: int = MIN_CHARS, labels: Sequence[str] | None = None,
                      ax: Any = None, title: str | None = None, max_groups: int = 60) -> Any:
    """Stacked bars of each group's label shares: per report, per city or year, or for a whole corpus.

    Parameters
    ----------
    data : iterable of Report, or mapping
        Classified reports, or shares already computed by
        :func:`~govreport_nlp.summary.label_shares` (group -> label -> share).
    by, weight, min_chars, labels
        As in :func:`~govreport_nlp.summary.label_shares`. For a mapping only
        ``labels`` (the order of the bars) and ``weight`` (the axis title) apply.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    max_groups : int
        Draw at most this many groups (the first ones); more are unreadable.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_label_shares({"2023": {"plans": 0.4, "other": 0.6}, "2024": {"plans": 0.5, "other": 0.5}})
    >>> len(ax.patches)
    4
    """
    shares = dict(data) if isinstance(data, Mapping) else label_shares(data, by=by, weight=weight,
                                                                          min_chars=min_chars, labels=labels)
    if not shares:
        raise GovReportError("nothing to plot: no classified report with a paragraph long enough.")
    groups = list(shares)[:max_groups]
    order = list(labels) if labels is not None else list(dict.fromkeys(k for g in groups for k in shares[g]))
    ax = _axes(ax, (8, 1.2 + 0.32 * len(groups)))
    _cjk_font()
    y = np.arange(len(groups))
    left = np.zeros(len(groups))
    for lab in order:
        widths = np.array([float(shares[g].get(lab, 0.0)) for g in groups])
        ax.barh(y, widths, left=left, color=label_colour(lab), edgecolor=_EDGE, linewidth=0.4,
                label="(abstain)" if lab is None else str(lab))
        left += widths
    ax.set_yticks(y, [str(g) for g in groups])
    ax.invert_yaxis()  # first group on top, as in a table
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of " + ("characters" if weight == "chars" else "paragraphs"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")
    ax.set_title(title or "label shares")
    return ax


def plot_confusion_matrix(result: Mapping[str, Any], *, normalize: bool = True, ax: Any = None,
                          title: str | None = None) -> Any:
    """The confusion matrix of an evaluation: gold labels in rows, predictions in columns.

    Parameters
    ----------
    result : mapping
        What :func:`~govreport_nlp.evaluate` returns (its ``"model"`` scores are
        drawn; pass ``result["baselines"]["tfidf"]`` for a baseline's), or a
        scores mapping with ``labels`` and ``confusion``.
    normalize : bool
        Colour by the share of each gold label (rows sum to 1); cells show counts either way.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_confusion_matrix({"labels": ["done", "todo"], "confusion": [[5, 1], [2, 4]]}, normalize=False)
    >>> [t.get_text() for t in ax.texts]
    ['5', '1', '2', '4']
    """
    scores = result.get("model", result)
    if "confusion" not in scores or "labels" not in scores:
        raise GovReportError("pass the result of evaluate() (or a scores dict with 'labels' and 'confusion').")
    labels = [str(lab) for lab in scores["labels"]]
    counts = np.asarray(scores["confusion"], dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    shown = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0) if normalize else counts
    ax = _axes(ax, (1.5 + 0.7 * len(labels), 1.2 + 0.6 * len(labels)))
    _cjk_font()
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else max(1.0, float(shown.max())))
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    dark = (shown.max() or 1) * 0.6
    for i in range(len(labels)):
        for j in range(len(labels)):
            if counts[i, j]:
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center",
                        color="white" if shown[i, j] > dark else "black", fontsize="small")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_title(title or ("confusion (rows: gold, columns: predicted; shares of each gold label)" if normalize
                           else "confusion (rows: gold, columns: predicted)"))
    return ax
