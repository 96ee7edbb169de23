"""The stand-alone audit log verifier (`manage.py audit verify`).

A third party can re-implement it from this description alone:

1. Read every entry ordered by its index column: (index, kind, at, leaf bytes).
2. Walk them from 0. For entry at position p, parse the leaf (canonical JSON, see core.audit):
   - the row's index must be p; a larger index means entries p.. were removed;
   - the leaf's "index" must equal p, otherwise the entry was moved (reordered);
   - the leaf's "prev" must be the hex SHA-256(0x00 ‖ leaf of entry p-1), otherwise entry p-1
     was altered (or p was moved);
   - the row's kind and at must equal the leaf's, otherwise the row was altered;
   - re-serializing the parsed leaf canonically must give the same bytes.
3. Compute the RFC 9162 root hash of the first n leaves for every signed tree head of size n,
   and check each head's Ed25519 signature over
   b"talat-tree-head-v1" ‖ uint64 timestamp_ms ‖ uint64 size ‖ root (big-endian), and that the
   head was signed by the expected public key. A head larger than the log means entries were
   removed from its end; a root mismatch means an entry at or before that size was altered.
4. Report the first problem found, by entry index.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from talat.core import merkle
from talat.core.audit import canonical, verify_head_signature


@dataclass
class Problem:
    index: int
    kind: str  # "altered", "removed", "reordered", "bad_head"
    message: str


@dataclass
class Report:
    entries: int = 0
    heads: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.index) if self.problems else None


def _checked(rows, report: Report):
    """Yields each entry's leaf hash, recording the problems of the entries as it goes."""
    previous_hash = b""
    for position, (index, kind, at, leaf) in enumerate(rows):
        leaf = bytes(leaf)
        if index != position and not report.problems:
            if index > position:
                report.problems.append(
                    Problem(position, "removed", f"entry {position} is missing: it was removed")
                )
            else:
                report.problems.append(
                    Problem(position, "reordered", f"entry {index} appears twice or out of order")
                )
        try:
            document = json.loads(leaf)
        except ValueError:
            document = None
        if not isinstance(document, dict) or canonical(document) != leaf:
            report.problems.append(
                Problem(position, "altered", f"entry {position} is not a well-formed leaf")
            )
        else:
            if document.get("index") != position:
                report.problems.append(
                    Problem(
                        position,
                        "reordered",
                        f"entry {position} holds the leaf of entry {document.get('index')}",
                    )
                )
            elif document.get("prev") != previous_hash.hex():
                report.problems.append(
                    Problem(
                        max(position - 1, 0),
                        "altered",
                        f"entry {position - 1} was altered (its hash changed)",
                    )
                )
            at_text = at.isoformat(timespec="microseconds") if hasattr(at, "isoformat") else str(at)
            if document.get("kind") != kind or document.get("at") != at_text:
                report.problems.append(
                    Problem(position, "altered", f"entry {position}'s columns differ from its leaf")
                )
        previous_hash = merkle.leaf_hash(leaf)
        yield previous_hash


def verify(
    rows: Iterable[tuple[int, str, object, bytes]],
    heads: list,
    *,
    public_key: bytes | None = None,
    total: int | None = None,
) -> Report:
    """rows: (index, kind, at, leaf) ordered by index; heads: objects with size, root_hash,
    timestamp_ms, signature and public_key. With `total` (the number of rows) given, rows are
    streamed once and never held in memory together."""
    if total is None:
        rows = list(rows)
        total = len(rows)
    report = Report(entries=total)
    sizes = sorted({head.size for head in heads if head.size <= total})
    leaf_hashes = _checked(rows, report)
    roots = merkle.roots_at_sizes(leaf_hashes, sizes)
    for _rest in leaf_hashes:  # check the entries after the largest signed head too
        pass

    for head in sorted(heads, key=lambda h: h.size):
        report.heads += 1
        if public_key is not None and bytes(head.public_key) != public_key:
            report.problems.append(
                Problem(head.size, "bad_head", f"the head of size {head.size} is signed by another key")
            )
        elif not verify_head_signature(head):
            report.problems.append(
                Problem(head.size, "bad_head", f"the signature of the head of size {head.size} is invalid")
            )
        if head.size > report.entries:
            report.problems.append(
                Problem(
                    report.entries,
                    "removed",
                    f"the log has {report.entries} entries but a signed head covers {head.size}",
                )
            )
        elif roots[head.size] != bytes(head.root_hash):
            report.problems.append(
                Problem(
                    head.size - 1,
                    "altered",
                    f"the root of the first {head.size} entries differs from its signed head: "
                    f"an entry before {head.size} was altered",
                )  # fmt: skip
            )
    return report
