"""Reading report files: bytes to text, whatever the encoding or format.

The first layer of the pipeline. It turns a path, raw bytes, a string or a JSONL
record into a :class:`Document` (decoded text plus provenance) and nothing more:
finding paragraphs and headings is :mod:`govreport_nlp.structure`'s job.

Decoding tries, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); strict
UTF-8 (never re-read in another codec once valid); UTF-16 without a BOM
(recognised by its zero bytes); GB18030 (a superset of
GBK and GB2312, the encodings of files saved on government PCs); then
``charset-normalizer`` for anything else. Binary files (PDF, images, archives,
Office documents) are recognised by their signature and refused with an error
that names the file and says what to do.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from .errors import BinaryInputError, DecodingError, InputError
from .htmltext import HtmlText, html_to_text, looks_like_html

__all__ = [
    "Document",
    "Failure",
    "check_encoding",
    "decode_bytes",
    "document_from_bytes",
    "document_from_record",
    "document_from_text",
    "load_document",
    "looks_like_path",
    "Source",
    "iter_documents",
    "iter_file_parts",
    "iter_jsonl",
    "iter_jsonl_sources",
    "iter_sources",
    "part_count",
    "read_document",
]

logger = logging.getLogger("govreport_nlp")

#: :func:`read_document` refuses files larger than this (a report is ~10 kB to 1 MB of text).
MAX_FILE_BYTES = 64 * 2**20
#: :func:`iter_sources` (and so batches and the command line) reads files larger than this in
#: parts of :data:`PART_BYTES`, so that memory stays bounded whatever the file's size.
LARGE_FILE_BYTES = 8 * 2**20
PART_BYTES = 2 * 2**20

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "extract its text first (e.g. pdftotext) and pass the .txt"),
    (b"\x89PNG", "a PNG image", "run OCR on it first and pass the text"),
    (b"\xff\xd8\xff", "a JPEG image", "run OCR on it first and pass the text"),
    (b"GIF8", "a GIF image", "run OCR on it first and pass the text"),
    (b"II*\x00", "a TIFF image", "run OCR on it first and pass the text"),
    (b"MM\x00*", "a TIFF image", "run OCR on it first and pass the text"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx file)", "save it as plain text first"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office document (.doc/.xls/.wps)", "save it as plain text first"),
    (b"{\\rtf", "an RTF document", "save it as plain text first"),
    (b"\x1f\x8b", "a gzip archive", "decompress it first"),
    (b"BZh", "a bzip2 archive", "decompress it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "decompress it first"),
    (b"Rar!", "a RAR archive", "decompress it first"),
    (b"\x7fELF", "an executable program", "pass a text file"),
    (b"MZ", "a Windows executable", "pass a text file"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 controls other than tab/newlines/form feed, DEL and C1: rare in real text
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HTML_SUFFIXES = frozenset((".htm", ".html", ".shtml", ".xhtml", ".jhtml", ".asp", ".aspx", ".jsp", ".php"))


@dataclass
class Document:
    """Decoded input, before any structure is recovered.

    ``text`` is what every offset refers to: the decoded file for plain text, the
    ``text`` field for JSONL records, and the extracted page text for HTML (with
    ``html`` keeping the per-line spans into the raw page).

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> doc = gr.read_document("examples/qinghe_county_2024.txt")
    >>> doc.id, doc.encoding, doc.format
    ('qinghe_county_2024', 'utf-8', 'text')
    """

    id: str
    text: str
    source: str | None = None
    encoding: str | None = None
    format: str = "text"
    meta: dict[str, Any] = field(default_factory=dict)
    html: HtmlText | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, reported in place of its document.

    Examples
    --------
    >>> import govreport_nlp as gr
    >>> items = list(gr.iter_documents(["examples/qinghe_county_2024.txt", "no/such/report.txt"]))
    >>> [type(i).__name__ for i in items]
    ['Document', 'Failure']
    >>> items[1].message
    'no/such/report.txt: no such file.'
    """

    source: str
    message: str

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------
# bytes -> str
# --------------------------------------------------------------------------


def _sniff_binary(data: bytes, name: str) -> None:
    for magic, what, todo in _SIGNATURES:
        if data.startswith(magic):
            raise BinaryInputError(f"{name}: this is {what}, not text; {todo}.")


def _plausible_ratio(text: str) -> float:
    """Share of characters that real report text is made of."""
    sample = text[:5000]
    ok = sum(
        1 for c in sample
        if c.isspace() or " " <= c <= "~" or "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef" or "\u2010" <= c <= "\u206f" or "\u3400" <= c <= "\u4dbf"
    )
    return ok / max(1, len(sample))


def _looks_utf16(data: bytes) -> str | None:
    """Name the byte order of BOM-less UTF-16 text, or None.

    Line breaks and ASCII in UTF-16 give zero bytes, so only data with zeros is
    tried; of the two byte orders, the one that decodes to plausible report
    characters wins (the wrong order turns CJK into Hangul and other blocks).
    """
    sample = data[:8192]
    if len(sample) < 4 or b"\x00" not in sample or len(data) % 2:
        return None
    best, best_score = None, 0.0
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(codec)
        except UnicodeDecodeError:
            continue
        score = _plausible_ratio(text)
        if score > best_score:
            best, best_score = codec, score
    return best if best_score >= 0.9 else None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) / max(1, len(sample))


def _cjk_ratio(text: str) -> float:
    sample = text[:20000]
    cjk = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef")
    letters = sum(1 for c in sample if not c.isspace())
    return cjk / max(1, letters)


def check_encoding(encoding: str) -> str:
    """The codec's canonical name; :class:`~govreport_nlp.DecodingError` if Python knows no such codec.

    Examples
    --------
    >>> check_encoding("GBK")
    'gbk'
    """
    import codecs

    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise DecodingError(f"unknown encoding {encoding!r}; give a codec name such as gb18030, big5 or "
                            "utf-16, or none to detect it.") from None


def decode_bytes(data: bytes, *, name: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode report bytes, detecting the encoding.

    Parameters
    ----------
    data : bytes
        Raw file content.
    name : str
        Used in error messages (usually the file path).
    encoding : str, optional
        Force this codec instead of detecting one.

    Returns
    -------
    (text, encoding) : tuple of str
        The decoded text, without any byte-order mark, and the codec used.

    Raises
    ------
    BinaryInputError
        The bytes are a PDF, image, archive or other binary file.
    DecodingError
        No encoding gives plausible text.

    Examples
    --------
    >>> decode_bytes("依法行政".encode("gbk"))
    ('依法行政', 'gb18030')
    >>> decode_bytes("\\ufeff依法行政".encode("utf-8"))
    ('依法行政', 'utf-8-sig')
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            check_encoding(encoding)  # raises the one-sentence error
            raise
        except UnicodeDecodeError as exc:
            raise DecodingError(f"{name}: cannot be decoded as {encoding} ({exc.__class__.__name__}); "
                                "omit the encoding to detect it automatically.") from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break
            return text.lstrip("\ufeff"), codec
    _sniff_binary(data, name)
    nul = BinaryInputError(f"{name}: contains NUL bytes, so it is a binary file, not text; pass a text or HTML file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # valid UTF-8 is never re-read in another codec (which would only garble it: "000\0" is also
        # UTF-16 for "〰0"); Chinese text in UTF-16 is never valid UTF-8. With NUL bytes or full of
        # control characters, it is a binary file.
        if "\x00" in text[:65536]:
            raise nul
        if _control_ratio(text) < 0.05:
            return text, "utf-8"
        raise BinaryInputError(f"{name}: mostly control characters, so it is a binary file, not text; "
                               "pass a text or HTML file.")
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            text = data.decode(utf16)
            if _control_ratio(text) < 0.01:
                return text, utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise nul
    try:
        text = data.decode("gb18030")
        # Big5 and other legacy bytes often "decode" as GB18030 too, into private-use
        # and rare characters: accept only text that looks like report text
        if _control_ratio(text) < 0.01 and _cjk_ratio(text) > 0.2 and _plausible_ratio(text) >= 0.9:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a hard dependency, but be kind
        best = None
    else:
        best = from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        guess: str | None
        try:
            guess = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            guess = None
        if guess is not None and _control_ratio(guess) < 0.01:
            return guess, best.encoding
    raise DecodingError(
        f"{name}: not readable as text in UTF-8, UTF-16, GB18030/GBK or any encoding detected; "
        "convert it to UTF-8 or pass --encoding."
    )


# --------------------------------------------------------------------------
# files, strings and records -> Document
# --------------------------------------------------------------------------


def _from_text(text: str, *, id: str, source: str | None, encoding: str | None, fmt: str,
               meta: Mapping[str, Any] | None = None) -> Document:
    if fmt == "auto":
        fmt = "html" if looks_like_html(text) else "text"
    doc = Document(id=id, text=text, source=source, encoding=encoding, format=fmt, meta=dict(meta or {}))
    if fmt == "html":
        doc.html = html_to_text(text)
        doc.text = doc.html.text
    if not doc.text.strip():
        msg = f"{source or id}: empty input, no paragraphs"
        doc.warnings.append(msg)
        logger.warning(msg)
    return doc


def document_from_text(text: str, *, id: str = "doc", format: str = "auto",
                       meta: Mapping[str, Any] | None = None, source: str | None = None) -> Document:
    """Wrap a string (plain text or HTML) as a :class:`Document`.

    Examples
    --------
    >>> document_from_text("一、工作回顾\\n全年办理行政复议案件12件。").format
    'text'
    """
    if not isinstance(text, str):
        raise InputError(f"{source or id}: expected a str, got {type(text).__name__}.")
    return _from_text(text, id=id, source=source, encoding=None, fmt=format, meta=meta)


def document_from_bytes(data: bytes, *, id: str = "doc", format: str = "auto", encoding: str | None = None,
                        source: str | None = None) -> Document:
    """Decode raw bytes (any supported encoding, text or HTML) into a :class:`Document`.

    Examples
    --------
    >>> document_from_bytes("依法行政".encode("gbk")).encoding
    'gb18030'
    """
    text, used = decode_bytes(data, name=source or id, encoding=encoding)
    return _from_text(text, id=id, source=source, encoding=used, fmt=format)


def load_document(source: str | os.PathLike[str] | bytes | Document, *, id: str | None = None,
                  format: str = "auto", encoding: str | None = None,
                  meta: Mapping[str, Any] | None = None) -> Document:
    """Turn whatever a user hands over into a :class:`Document`.

    ``source`` may be a Document (returned as is), raw bytes, a path, or report
    text. A ``str`` is a path or report text by :func:`looks_like_path`, so a mistyped
    file name is an error, not a one-line report. ``meta`` is added to the
    document's metadata; ``id`` overrides its id.

    Examples
    --------
    >>> load_document("examples/qinghe_county_2024.txt").id
    'qinghe_county_2024'
    >>> load_document("全年办理复议案件十二件。").text
    '全年办理复议案件十二件。'
    >>> load_document("依法行政".encode("gbk")).encoding
    'gb18030'
    """
    if isinstance(source, Document):
        doc = source
    elif isinstance(source, bytes):
        doc = document_from_bytes(source, id=id or "doc", format=format, encoding=encoding)
    elif isinstance(source, os.PathLike) or (isinstance(source, str) and looks_like_path(source)):
        # a string that names a file is read; one that only looks like a path (a typo, a folder)
        # gets read_document's "no such file"/"is a directory" error instead of being parsed as text
        doc = read_document(source, encoding=encoding, format=format, id=id)
    elif isinstance(source, str):
        doc = document_from_text(source, id=id or "doc", format=format)
    else:
        raise InputError(f"cannot read a {type(source).__name__}; pass report text, a file path or bytes.")
    if meta:
        doc.meta.update(meta)
    if id is not None:
        doc.id = id
    return doc


_PATHLIKE = re.compile(r"\.(?:txt|text|html?|shtml|xhtml|jsonl|ndjson|json|md|csv|pdf|docx?|wps)$", re.I)
# prose punctuation that file names do not carry: a line with it is report text even if it has a slash
_PROSE_MARKS = re.compile(r"[。，；！？、：]")


def looks_like_path(s: str) -> bool:
    """The one rule for "report text or a path?" of a ``str`` (``parse``, ``classify_report``, ``load_document``).

    A string is a path when it has no line break and names an existing file or
    folder, ends in a file suffix (``.txt``, ``.html`` …), or contains a path
    separator (``/`` or ``\\``) and no Chinese prose punctuation. Anything else is
    report text. A path that does not exist is then the one-line "no such file"
    error rather than a one-paragraph report of the path's characters.

    Examples
    --------
    >>> looks_like_path("reports/jinhua_2023"), looks_like_path("./reprots/"), looks_like_path("x.txt")
    (True, True, True)
    >>> looks_like_path("全年办理复议案件十二件。"), looks_like_path("网上可办率98%/全年办件1.2万件。")
    (False, False)
    """
    if "\n" in s or "\r" in s or len(s) >= 4096:
        return False
    t = s.strip()
    if not t:
        return False
    if _is_file(t):
        return True
    try:
        if os.path.isdir(t):
            return True
    except (OSError, ValueError):
        return False
    if _PATHLIKE.search(t):
        return True
    return ("/" in t or "\\" in t) and not _PROSE_MARKS.search(t)


def _is_file(s: str) -> bool:
    try:
        return os.path.isfile(s)
    except (OSError, ValueError):  # e.g. a NUL character in the string
        return False


def _os_error(name: str, exc: OSError) -> InputError:
    """The one-sentence error for a file that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file.")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a directory, not a file; pass the files inside it.")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied.")
    return InputError(f"{name}: cannot be read ({exc.strerror or exc}).")


def read_document(path: str | os.PathLike[str], *, encoding: str | None = None, format: str = "auto",
                  id: str | None = None) -> Document:
    """Read one report file (plain text in any common encoding, or HTML).

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str, optional
        Force a codec instead of detecting one.
    format : {"auto", "text", "html"}
        ``auto`` decides by file suffix, then by content.
    id : str, optional
        Document id; defaults to the file name without suffix.

    Raises
    ------
    InputError
        The path does not exist, is a directory, or vanished while being read.
    DecodingError, BinaryInputError
        The content is not text.

    Examples
    --------
    >>> doc = read_document("examples/qinghe_county_2024.txt")
    >>> doc.encoding, doc.text.splitlines()[4][:12]
    ('utf-8', '文号： 清政报〔2025')
    """
    p = Path(path)
    name = str(path)
    if format not in ("auto", "text", "html"):
        raise InputError(f"unknown format {format!r}; use 'auto', 'text' or 'html'.")
    try:
        if p.is_dir():
            raise InputError(f"{name}: is a directory, not a file; pass the files inside it.")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{name}: {size / 2**20:.0f} MiB is more than a report can be (limit "
                             f"{MAX_FILE_BYTES // 2**20} MiB); iter_documents, classify_many and the command "
                             "line read such files in parts.")
        data = p.read_bytes()
    except OSError as exc:
        raise _os_error(name, exc) from None
    text, used = decode_bytes(data, name=name, encoding=encoding)
    fmt = format
    if fmt == "auto" and p.suffix.lower() in _HTML_SUFFIXES:
        fmt = "html"
    return _from_text(text, id=id or p.stem, source=name, encoding=used, fmt=fmt)


def document_from_record(record: Mapping[str, Any], *, source: str = "<record>", text_field: str = "text",
                         id_field: str = "id", format: str = "auto") -> Document:
    """Turn a JSONL/dict record with ``id`` and ``text`` into a :class:`Document`.

    Other fields (``genre``, ``region``, ``year``...) are kept in ``meta``.

    Examples
    --------
    >>> doc = document_from_record({"id": "city-清河", "text": "全年办理复议案件十二件。", "region": "清河", "year": 2024})
    >>> doc.id, doc.meta
    ('city-清河', {'region': '清河', 'year': 2024})
    """
    if not isinstance(record, Mapping):
        raise InputError(f"{source}: expected a JSON object, got {type(record).__name__}.")
    text = record.get(text_field)
    if not isinstance(text, str):
        raise InputError(f"{source}: record has no string field {text_field!r}.")
    rid = record.get(id_field)
    rid = str(rid) if rid is not None else source
    meta = {k: v for k, v in record.items() if k not in (text_field, id_field)}
    return _from_text(text, id=rid, source=source, encoding=None, fmt=format, meta=meta)


@dataclass(frozen=True)
class Source:
    """One input, not read yet: a file, one line of a JSONL corpus, or bytes.

    Cheap to make and to send to another process, so a batch can hand its
    inputs to worker processes that do the reading; :meth:`load` turns it into
    a :class:`Document` (raising :class:`~govreport_nlp.InputError` if it cannot).

    Examples
    --------
    >>> from govreport_nlp.reading import iter_sources
    >>> src = next(iter_sources(["examples/qinghe_county_2024.txt"]))
    >>> src.kind, src.load().id
    ('file', 'qinghe_county_2024')
    """

    name: str
    """The file path, ``path:line`` for a JSONL record, ``<stdin>``, or ``path (part k of n)``."""
    kind: str = "file"
    """``file``, ``record`` (a raw JSONL line in ``data``), ``bytes`` (content in ``data``) or ``part``
    (decoded text of a part of a large file in ``data``)."""
    data: str | bytes | None = None
    format: str = "auto"
    encoding: str | None = None
    text_field: str = "text"
    id_field: str = "id"
    first_line: bool = False
    size: int = 0
    """Bytes or characters to read, when known (for batching and progress)."""
    id: str | None = None
    part: tuple[int, int, int] | None = None
    """For a part of a large file: (part number from 1, number of parts, offset of its first character)."""
    warning: str | None = None
    streamed: bool = False
    """Read from standard input as it arrives (a JSONL record of ``-``): what follows may not exist yet."""

    def load(self) -> Document:
        """Read, decode and wrap the input."""
        if self.kind == "file":
            return read_document(self.name, encoding=self.encoding, format=self.format)
        if self.kind == "part":
            doc = document_from_text(self.data if isinstance(self.data, str) else "", id=self.id or self.name,
                                     format=self.format, source=self.name)
            if self.part is not None:
                doc.meta.update(part=self.part[0], parts=self.part[1], char_offset=self.part[2])
            doc.encoding = self.encoding
            if self.warning:
                doc.warnings.insert(0, self.warning)
            return doc
        if self.kind == "bytes":
            return document_from_bytes(self.data if isinstance(self.data, bytes) else b"", id="stdin",
                                       source=self.name, format=self.format, encoding=self.encoding)
        raw = self.data
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig" if self.first_line else "utf-8")
            except UnicodeDecodeError:
                raise InputError(f"{self.name}: line is not UTF-8; JSONL files must be UTF-8.") from None
        try:
            record = json.loads(raw or "")
        except json.JSONDecodeError as exc:
            raise InputError(f"{self.name}: not valid JSON ({exc.msg}).") from None
        return document_from_record(record, source=self.name, text_field=self.text_field,
                                    id_field=self.id_field, format=self.format)


def iter_jsonl_sources(path: str | os.PathLike[str], *, text_field: str = "text", id_field: str = "id",
                       format: str = "auto") -> Iterator[Source]:
    """The records of a JSONL file (``"-"``: standard input) as unread :class:`Source` lines, blank lines skipped.

    Examples
    --------
    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "corpus.jsonl")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write(json.dumps({"id": "a", "text": "依法行政。"}) + "\\n\\n" + json.dumps({"id": "b", "text": "诉源治理。"}) + "\\n")
    >>> [(s.name.rsplit(os.sep, 1)[-1], s.kind, s.load().id) for s in iter_jsonl_sources(path)]
    [('corpus.jsonl:1', 'record', 'a'), ('corpus.jsonl:3', 'record', 'b')]
    """
    import sys

    name = str(path)
    try:
        if name == "-":
            fh: Any = sys.stdin.buffer
        else:
            if Path(path).is_dir():
                raise InputError(f"{name}: is a directory, not a JSONL file.")
            fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise _os_error(name, exc) from None
    try:
        for lineno, raw in enumerate(fh, 1):
            if raw.strip():
                yield Source(f"{name}:{lineno}", "record", raw, format=format, text_field=text_field,
                             id_field=id_field, first_line=lineno == 1, size=len(raw), streamed=name == "-")
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def iter_jsonl(path: str | os.PathLike[str], *, text_field: str = "text", id_field: str = "id",
               format: str = "auto") -> Iterator[Document | Failure]:
    """Stream documents from a JSONL file, one record per line.

    A malformed line is yielded as a :class:`Failure` and reading goes on, so one
    bad record never takes the rest of a corpus down with it. ``path`` may be
    ``"-"`` for standard input.

    Examples
    --------
    >>> import json, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "corpus.jsonl")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write(json.dumps({"id": "a", "text": "全年办理复议案件十二件。", "year": 2024}) + "\\n{broken\\n")
    >>> [(type(d).__name__, getattr(d, "meta", None)) for d in iter_jsonl(path)]
    [('Document', {'year': 2024}), ('Failure', None)]
    """
    for src in iter_jsonl_sources(path, text_field=text_field, id_field=id_field, format=format):
        try:
            yield src.load()
        except InputError as exc:
            yield Failure(src.name, str(exc))


def _detect_encoding(sample: bytes, name: str, more: bool) -> str:
    """The codec of a file from its first bytes; ``more``: the sample may end inside a character."""
    last: InputError | None = None
    for cut in range(4 if more else 1):  # a multi-byte character is at most 4 bytes
        try:
            return decode_bytes(sample[: len(sample) - cut], name=name)[1]
        except BinaryInputError:
            raise
        except InputError as exc:
            last = exc
    assert last is not None
    raise last


def part_count(size: int) -> int:
    """How many documents a file of ``size`` bytes gives in a batch: 1, or its parts if it is large.

    Examples
    --------
    >>> part_count(50_000), part_count(100 * 2**20)
    (1, 50)
    """
    return max(1, -(-size // PART_BYTES)) if size > LARGE_FILE_BYTES else 1


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def iter_file_parts(path: str | os.PathLike[str], *, encoding: str | None = None, format: str = "auto",
                    part_bytes: int | None = None) -> Iterator[Source]:
    """A large file as :class:`Source` parts of about ``part_bytes`` (default :data:`PART_BYTES`) each, read one at a time.

    Each part ends at a line break (or, in a file without line breaks, a sentence
    end) and becomes its own document, with id ``stem#k`` and the part number,
    count and character offset in its ``meta``; structure (sections, headings)
    starts afresh in each part. The encoding is detected from the start of the
    file; bytes later in the file that do not decode are replaced (U+FFFD) and
    counted in a warning rather than losing the rest of the file. There are
    always ``ceil(size / part_bytes)`` parts (the size when the file was opened).

    Raises
    ------
    InputError
        The file cannot be opened, or is binary or undecodable from its start.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "big.txt")
    >>> with open(path, "w", encoding="utf-8") as fh:
    ...     _ = fh.write("全年办理行政复议案件十二件。\\n" * 2000)
    >>> parts = [src.load() for src in iter_file_parts(path, part_bytes=16384)]
    >>> len(parts), parts[1].id, parts[1].meta["char_offset"] == len(parts[0].text)
    (6, 'big#2', True)
    >>> "".join(p.text for p in parts) == open(path, encoding="utf-8").read()
    True
    """
    import codecs
    import math

    part_bytes = part_bytes or PART_BYTES
    name = str(path)
    p = Path(path)
    try:
        fh = open(p, "rb")  # noqa: SIM115 - closed below
        size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        raise _os_error(name, exc) from None
    with fh:
        n = max(1, math.ceil(size / part_bytes))
        fmt = "html" if format == "auto" and p.suffix.lower() in _HTML_SUFFIXES else format

        def read() -> bytes:
            try:
                return fh.read(part_bytes)
            except OSError as exc:  # e.g. a network drive gone mid-read
                raise _os_error(name, exc) from None

        block = read()
        sample = block[:1_000_000]
        codec = encoding or _detect_encoding(sample, name, more=size > len(sample))
        try:
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        except LookupError:
            raise InputError(f"{name}: unknown encoding {codec!r}.") from None
        carry, offset, k = "", 0, 0
        while block:
            k += 1
            text = decoder.decode(block)
            nxt = read()
            if not nxt:
                text += decoder.decode(b"", final=True)
            if k == 1:
                text = text.lstrip("\ufeff")
            bad = text.count("\ufffd")
            text = carry + text
            cut = len(text)
            if nxt:  # end this part at the last line break, else the last sentence end, else here
                cut = text.rfind("\n") + 1 or text.rfind("。") + 1 or len(text)
            part, carry = text[:cut], text[cut:]
            note = (f"{name}: {_size(size)}, read in {n} parts of about {_size(part_bytes)}; "
                    "sections and headings restart in each part")
            if bad:
                note += f"; {bad} undecodable byte sequence(s) replaced with U+FFFD"
            yield Source(f"{name} (part {k} of {n})", "part", part, format=fmt, encoding=codec, size=len(part),
                         id=f"{p.stem}#{k}", part=(k, n, offset), warning=note)
            offset += len(part)
            block = nxt


def _expand(path: str) -> Iterator[str]:
    p = Path(path)
    if p.is_dir():
        for child in sorted(p.rglob("*")):
            if child.is_file() and not child.name.startswith("."):
                yield str(child)
    else:
        yield path


def iter_sources(inputs: Iterable[str | os.PathLike[str]], *, input_format: str = "auto",
                 encoding: str | None = None, expand_dirs: bool = False,
                 split_large: bool = True) -> Iterator[Source | Failure]:
    """The inputs of a batch as unread :class:`Source` objects (see :func:`iter_documents`).

    Only what must happen in order is done here (walking folders, splitting
    JSONL files into lines, reading standard input, cutting files larger than
    :data:`LARGE_FILE_BYTES` into parts with :func:`iter_file_parts`); decoding
    of ordinary files is left to :meth:`Source.load`, which worker processes can
    run. ``split_large=False`` leaves large files whole (for counting without
    reading; :func:`part_count` says how many parts one will give).

    Examples
    --------
    >>> [(s.kind, s.name) for s in iter_sources(["examples/"], expand_dirs=True)]
    [('file', 'examples/qinghe_county_2024.txt')]
    """
    import sys

    if input_format not in ("auto", "text", "html", "jsonl"):
        raise InputError(f"unknown input format {input_format!r}; use auto, text, html or jsonl.")
    if encoding:
        check_encoding(encoding)  # a usage error: once for the batch, not once per file
    fmt = "auto" if input_format == "jsonl" else input_format
    for item in inputs:
        paths = list(_expand(str(item))) if expand_dirs else [str(item)]
        for path in paths:
            is_jsonl = input_format == "jsonl" or (input_format == "auto" and path.endswith((".jsonl", ".ndjson")))
            try:
                if is_jsonl:
                    yield from iter_jsonl_sources(path)
                elif path == "-":
                    data = sys.stdin.buffer.read()
                    yield Source("<stdin>", "bytes", data, format=fmt, encoding=encoding, size=len(data))
                else:
                    try:
                        size = os.path.getsize(path)
                    except OSError:
                        size = 0  # reported by load(), where the other errors are
                    if split_large and size > LARGE_FILE_BYTES and not os.path.isdir(path):
                        yield from iter_file_parts(path, encoding=encoding, format=fmt)
                        continue
                    yield Source(path, "file", format=fmt, encoding=encoding, size=size)
            except InputError as exc:
                yield Failure(path, str(exc))


def iter_documents(inputs: Iterable[str | os.PathLike[str]], *, input_format: str = "auto",
                   encoding: str | None = None, expand_dirs: bool = False) -> Iterator[Document | Failure]:
    """Read many inputs, yielding a :class:`Failure` for each one that fails.

    Parameters
    ----------
    inputs : iterable of paths
        Files (or ``"-"`` for standard input). With ``expand_dirs``, directories
        are walked for files.
    input_format : {"auto", "text", "html", "jsonl"}
        ``auto`` treats ``*.jsonl`` files as JSONL corpora and other files as
        single reports.

    Examples
    --------
    >>> docs = iter_documents(["examples/"], expand_dirs=True)
    >>> [d.id for d in docs]
    ['qinghe_county_2024']
    """
    for src in iter_sources(inputs, input_format=input_format, encoding=encoding, expand_dirs=expand_dirs):
        if isinstance(src, Failure):
            yield src
            continue
        try:
            yield src.load()
        except InputError as exc:
            yield Failure(src.name, str(exc))
