"""Exceptions raised by govreport_nlp.

Every error a user can cause derives from :class:`GovReportError` and carries a
message that is one sentence saying what went wrong and what to do; the command
line prints that sentence and exits with status 2 instead of a traceback.
"""

from __future__ import annotations

__all__ = [
    "GovReportError",
    "InputError",
    "DecodingError",
    "BinaryInputError",
    "MissingDependencyError",
    "ModelError",
    "ModelNotAvailableError",
]


class GovReportError(Exception):
    """Base class of every error govreport_nlp raises on purpose."""


class InputError(GovReportError, ValueError):
    """An input file or record cannot be read (missing, a directory, malformed)."""


class DecodingError(InputError):
    """Bytes that are not text in any encoding the reader knows."""


class BinaryInputError(DecodingError):
    """A binary file (PDF, image, archive...) where text was expected."""


class MissingDependencyError(GovReportError, ImportError):
    """An optional extra is needed for this feature but is not installed."""


class ModelError(GovReportError):
    """A saved model cannot be loaded (corrupt, incompatible, or unsafe)."""


class ModelNotAvailableError(ModelError):
    """A named model (e.g. a HanLP tokenizer) is not on this machine."""


def missing_extra(package: str, extra: str, feature: str) -> MissingDependencyError:
    """Build the error for an optional dependency that is not installed."""
    return MissingDependencyError(
        f"{feature} needs the optional package '{package}'; "
        f"install it with: pip install 'govreport-nlp[{extra}]'"
    )
