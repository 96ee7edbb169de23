"""Splits product text into words in Thai (PyThaiNLP newmm), Chinese (jieba) and Latin script.

Thai and Chinese are written without spaces between words, so an index of whitespace-split text
would hold whole phrases. Both the index and the queries go through `words`, so "ทุเรียน อบแห้ง"
and "ทุเรียนอบแห้ง" become the same words.
"""

import functools
import logging
import re

_RUNS = re.compile(r"[\u0E00-\u0E7F]+|[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+|[^\W_]+")
_THAI = re.compile(r"[\u0E00-\u0E7F]")
_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]")
_THAI_MARKS_ONLY = re.compile(r"^[\u0E2F\u0E46\u0E4F\u0E5A\u0E5B\u0E31-\u0E3A\u0E47-\u0E4E]+$")


@functools.cache
def _thai_tokenizer():
    from pythainlp.tokenize import Tokenizer

    return Tokenizer(engine="newmm", keep_whitespace=False)


@functools.cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def words(text: str, *, for_index: bool = False) -> list[str]:
    """Lower-cased words of `text`. For the index, Chinese gets jieba's search segmentation (a
    long word and its parts), so a query naming either finds it."""
    found: list[str] = []
    for match in _RUNS.finditer(text.lower()):
        run = match.group()
        if _THAI.match(run):
            found.extend(w for w in _thai_tokenizer().word_tokenize(run) if not _THAI_MARKS_ONLY.match(w))
        elif _HAN.match(run):
            cut = _jieba().lcut_for_search if for_index else _jieba().lcut
            found.extend(w for w in cut(run) if w.strip())
        else:
            found.append(run)
    return found


def joined(*texts: str) -> str:
    """The index form: the words of every text, separated by single spaces."""
    return " ".join(w for text in texts if text for w in words(text, for_index=True))
