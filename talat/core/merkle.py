"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing and proofs.

Pure Python, standard library only: no Django here, so the stand-alone log verifier can use it too.

Terms (RFC 9162 section 2.1):

* ``leaf_hash(d) = SHA-256(0x00 || d)`` and ``node_hash(l, r) = SHA-256(0x01 || l || r)``.
* ``MTH(D[n])`` is the Merkle Tree Hash of the first ``n`` leaves; ``MTH({}) = SHA-256()``.
  For ``n > 1`` with ``k`` the largest power of two smaller than ``n``:
  ``MTH(D[n]) = node_hash(MTH(D[0:k]), MTH(D[k:n]))``.

Storage model. A tree of millions of leaves lives in a database as the hashes of its *complete*
(perfect) subtrees, each a node ``(level, index)``: level 0 index ``i`` is leaf ``i``'s hash, level
``L`` index ``j`` is ``MTH`` of leaves ``[j * 2**L, (j + 1) * 2**L)``. Appending a leaf stores its
node plus each parent it completes (see :func:`nodes_for_append`). Every ``MTH(D[a:b])`` that a
proof needs is either one stored node or an incomplete subtree on the right edge of the tree,
which is the fold of the perfect subtrees that its size decomposes into. The proof functions
work out all the coordinates they need first, read them with ONE :meth:`NodeReader.get_nodes`
call, then assemble: O(log n) nodes and one round trip per proof.

Conventions: leaf indexes count from zero; sizes are leaf counts. Proof *generators* raise
:class:`ValueError` on out-of-range arguments (and :class:`MissingNodesError` when the reader
lacks a node); *verifiers* never raise on bad input, they return ``False``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "DictNodeStore",
    "MissingNodesError",
    "Node",
    "NodeReader",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "mth",
    "node_hash",
    "nodes_for_append",
    "nodes_for_append_many",
    "root_hash",
    "roots_at_sizes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Coord = tuple[int, int]
"""``(level, index)`` of a perfect subtree: leaves ``[index << level, (index + 1) << level)``."""

Node = tuple[int, int, bytes]
"""``(level, index, hash)``: a stored perfect-subtree node."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one log entry."""
    return _sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


class MissingNodesError(LookupError):
    """The reader did not return every node a computation needs: the tree is smaller than the
    size asked for, or the store is damaged. ``coords`` lists the missing ``(level, index)``."""

    def __init__(self, coords: Iterable[Coord]):
        self.coords = sorted(coords)
        shown = ", ".join(f"({lv}, {ix})" for lv, ix in self.coords[:8])
        more = f" and {len(self.coords) - 8} more" if len(self.coords) > 8 else ""
        super().__init__(f"Merkle node store lacks {len(self.coords)} node(s): {shown}{more}")


@runtime_checkable
class NodeReader(Protocol):
    """Read access to stored perfect-subtree nodes.

    ``get_nodes`` answers many coordinates in one round trip (the database implementation runs
    one ``SELECT ... WHERE (level, index) IN (...)``). It returns the nodes it has; absent
    coordinates are simply left out of the result.
    """

    def get_nodes(self, coords: Iterable[Coord]) -> dict[Coord, bytes]: ...


class DictNodeStore:
    """In-memory node store: a :class:`NodeReader` that can also grow by appending leaves."""

    def __init__(self) -> None:
        self.nodes: dict[Coord, bytes] = {}
        self.size = 0

    def get_nodes(self, coords: Iterable[Coord]) -> dict[Coord, bytes]:
        nodes = self.nodes
        return {c: nodes[c] for c in coords if c in nodes}

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Append one leaf hash; return the nodes created (the leaf, then each completed parent)."""
        new = nodes_for_append(self.size, leaf_hash, self)
        self._store(new, 1)
        return new

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[Node]:
        """Append many leaf hashes in order; return all nodes created."""
        hashes = list(leaf_hashes)
        new = nodes_for_append_many(self.size, hashes, self)
        self._store(new, len(hashes))
        return new

    def _store(self, new: list[Node], count: int) -> None:
        for level, index, digest in new:
            self.nodes[(level, index)] = digest
        self.size += count

    def __len__(self) -> int:
        return self.size


# --- argument checks -----------------------------------------------------------------------------


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def _check_hash(name: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ValueError(f"{name} must be bytes, got {type(value).__name__}")
    value = bytes(value)
    if len(value) != HASH_SIZE:
        raise ValueError(f"{name} must be {HASH_SIZE} bytes, got {len(value)}")
    return value


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


# --- coordinates of subtrees ---------------------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n >= 2``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_coords(start: int, end: int) -> list[Coord]:
    """Coordinates of the perfect subtrees whose fold is ``MTH(D[start:end])``, left to right.

    Valid for every range that RFC 9162's recursion visits: ``start`` is a multiple of the
    smallest power of two >= ``end - start``, so the decomposition of ``end - start`` into powers
    of two, largest first, lays out aligned perfect subtrees.
    """
    coords = []
    pos = start
    width = end - start
    for level in range(width.bit_length() - 1, -1, -1):
        if width >> level & 1:
            coords.append((level, pos >> level))
            pos += 1 << level
    return coords


def _fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its perfect subtrees, left to right: ``h0 . (h1 . (h2 . ...))``."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _fetch_ranges(ranges: Sequence[tuple[int, int]], reader: NodeReader) -> list[bytes]:
    """``MTH(D[a:b])`` for each range, reading every needed node in ONE ``get_nodes`` call."""
    per_range = [_range_coords(a, b) for a, b in ranges]
    wanted = list(dict.fromkeys(c for coords in per_range for c in coords))
    if not wanted:
        return []
    got = reader.get_nodes(wanted)
    missing = [c for c in wanted if c not in got]
    if missing:
        raise MissingNodesError(missing)
    return [_fold([got[c] for c in coords]) for coords in per_range]


# --- appending -----------------------------------------------------------------------------------


def nodes_for_append(size_before: int, new_leaf_hash: bytes, reader: NodeReader) -> list[Node]:
    """Nodes to store when appending leaf number ``size_before``: the leaf node, then every parent
    that it completes, bottom-up. Reads the left siblings in one ``get_nodes`` call (none when
    the new leaf is a left child)."""
    return nodes_for_append_many(size_before, [new_leaf_hash], reader)


def nodes_for_append_many(size_before: int, leaf_hashes: Sequence[bytes], reader: NodeReader) -> list[Node]:
    """Nodes to store when appending ``leaf_hashes`` as leaves ``size_before, size_before + 1, ...``.

    Same result as appending one at a time with :func:`nodes_for_append` and storing each
    result before the next (leaf by leaf, each leaf node followed by the parents it completes),
    but the existing nodes needed (left siblings on the tree's right frontier) are read with ONE
    ``get_nodes`` call, so a batch of 1,000 appends costs one read.
    """
    _check_int("size_before", size_before, 0)
    hashes = [_check_hash(f"leaf_hashes[{i}]", h) for i, h in enumerate(leaf_hashes)]
    if not hashes:
        return []
    size_after = size_before + len(hashes)

    # The tree of size_before has a frontier node (L, j = (size_before >> L) - 1) for each bit L
    # of size_before. It is a left child (size_before >> L is odd, so j is even); the batch needs
    # it iff the batch completes its right sibling (L, j + 1), i.e. (j + 2) << L <= size_after.
    frontier = [
        (level, (size_before >> level) - 1)
        for level in range(size_before.bit_length() - 1, -1, -1)
        if size_before >> level & 1
    ]
    needed = [(lv, j) for lv, j in frontier if (j + 2) << lv <= size_after]
    got = reader.get_nodes(needed) if needed else {}
    missing = [c for c in needed if c not in got]
    if missing:
        raise MissingNodesError(missing)

    # Stack of the current frontier, highest level first; unneeded old nodes stay as None and
    # are never popped.
    stack: list[tuple[int, int, bytes | None]] = [(lv, j, got.get((lv, j))) for lv, j in frontier]
    out: list[Node] = []
    for offset, h in enumerate(hashes):
        level, index, digest = 0, size_before + offset, h
        out.append((level, index, digest))
        while index & 1:
            left_level, left_index, left = stack.pop()
            if left is None or left_level != level or left_index != index - 1:  # pragma: no cover
                raise AssertionError("frontier bookkeeping error")
            level, index, digest = level + 1, index >> 1, node_hash(left, digest)
            out.append((level, index, digest))
        stack.append((level, index, digest))
    return out


# --- roots ---------------------------------------------------------------------------------------


def root_hash(size: int, reader: NodeReader) -> bytes:
    """``MTH`` of the first ``size`` leaves, from the O(log n) perfect subtrees that ``size``
    decomposes into, read with ONE ``get_nodes`` call. ``size == 0`` gives :data:`EMPTY_ROOT`."""
    _check_int("size", size, 0)
    if size == 0:
        return EMPTY_ROOT
    return _fetch_ranges([(0, size)], reader)[0]


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """Reference ``MTH`` over already-hashed leaves: the recursive definition of RFC 9162 2.1.1."""

    def rec(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return leaf_hashes[lo]
        k = _split(n)
        return node_hash(rec(lo, lo + k), rec(lo + k, hi))

    if len(leaf_hashes) == 0:
        return EMPTY_ROOT
    return rec(0, len(leaf_hashes))


def roots_at_sizes(leaf_hashes: Iterable[bytes], sizes: Iterable[int]) -> dict[int, bytes]:
    """Root hash at each requested size, in one streaming pass over the leaf hashes.

    Keeps only the right frontier (O(log n) hashes) and stops reading once the largest size is
    reached. Raises :class:`ValueError` if a size is negative or the leaves run out first.
    """
    wanted = sorted({_check_int("size", s, 0) for s in sizes})
    roots: dict[int, bytes] = {}
    if not wanted:
        return roots
    if wanted[0] == 0:
        roots[0] = EMPTY_ROOT
        wanted.pop(0)
    if not wanted:
        return roots
    target = wanted[-1]
    next_i = 0
    frontier: list[bytes] = []  # perfect-subtree roots, left to right (largest first)
    count = 0
    for h in leaf_hashes:
        if not _is_hash(h):
            raise ValueError(f"leaf hash #{count} must be {HASH_SIZE} bytes")
        digest = bytes(h)
        index = count
        while index & 1:
            digest = node_hash(frontier.pop(), digest)
            index >>= 1
        frontier.append(digest)
        count += 1
        if count == wanted[next_i]:
            roots[count] = _fold(frontier)
            next_i += 1
            if count == target:
                return roots
    raise ValueError(f"only {count} leaves, but the root at size {target} was asked for")


# --- proofs --------------------------------------------------------------------------------------


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Ranges whose MTHs form ``PATH(index, D[size])`` (RFC 9162 2.1.3.1), in RFC order."""
    siblings = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
    siblings.reverse()  # PATH appends the sibling after the deeper sub-path
    return siblings


def inclusion_proof(index: int, size: int, reader: NodeReader) -> list[bytes]:
    """``PATH(index, D[size])`` of RFC 9162 2.1.3.1: the audit path of leaf ``index`` in the tree
    of the first ``size`` leaves, deepest sibling first. One ``get_nodes`` call."""
    _check_int("size", size, 1)
    _check_int("index", index, 0)
    if index >= size:
        raise ValueError(f"index {index} is out of range for a tree of size {size}")
    return _fetch_ranges(_inclusion_ranges(index, size), reader)


def _consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Ranges whose MTHs form ``PROOF(first, D[second])`` (RFC 9162 2.1.4.1), in RFC order."""
    siblings = []
    start, end = 0, second
    whole = True  # SUBPROOF's ``b``: still on the left edge, so MTH(D[0:first]) is known
    while first != end:  # SUBPROOF(m, D[n], b) with m = first - start, n = end - start, m < n
        k = _split(end - start)
        if first - start <= k:
            siblings.append((start + k, end))
            end = start + k
        else:
            siblings.append((start, start + k))
            start += k
            whole = False
    siblings.reverse()
    # m == n: SUBPROOF is [] when b, else [MTH(D[start:end])], before the appended siblings.
    return siblings if whole else [(start, end), *siblings]


def consistency_proof(first: int, second: int, reader: NodeReader) -> list[bytes]:
    """``PROOF(first, D[second])`` of RFC 9162 2.1.4.1, for ``0 < first <= second``; empty when
    ``first == second``. One ``get_nodes`` call."""
    _check_int("first", first, 1)
    _check_int("second", second, 1)
    if first > second:
        raise ValueError(f"first ({first}) must not exceed second ({second})")
    return _fetch_ranges(_consistency_ranges(first, second), reader)


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2, step by step) -----------------------------------


def _valid_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` show leaf ``index`` with hash ``leaf_hash`` in the tree of
    ``size`` leaves with root ``root``? Never raises; malformed input gives ``False``."""
    if not (_valid_size(index) and _valid_size(size)):
        return False
    if not (_is_hash(leaf_hash) and _is_hash(root)):
        return False
    try:
        path = list(proof)
    except TypeError:
        return False
    if not all(_is_hash(p) for p in path):
        return False
    # 1. If leaf_index >= tree_size, fail.
    if index >= size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = index, size - 1
    # 3. Set r to hash.
    r = bytes(leaf_hash)
    # 4. For each value p in the inclusion_path array:
    for p in path:
        p = bytes(p)
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # 1. Set r to HASH(0x01 || p || r).
            r = node_hash(p, r)
            # 2. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: set r to HASH(0x01 || r || p).
            r = node_hash(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r must equal root_hash.
    return sn == 0 and hmac.compare_digest(r, bytes(root))


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: does ``proof`` show the tree of ``second`` leaves with root
    ``second_root`` extends the tree of ``first`` leaves with root ``first_root``?

    Edge cases: ``first == 0`` is invalid (RFC 9162 defines consistency proofs for ``0 < first``);
    ``first > second`` is invalid; ``first == second`` is valid iff the proof is empty and the
    roots are equal (``PROOF(n, D[n])`` is empty). Never raises; malformed input gives ``False``.
    """
    if not (_valid_size(first) and _valid_size(second)):
        return False
    if not (_is_hash(first_root) and _is_hash(second_root)):
        return False
    try:
        path = [bytes(p) if _is_hash(p) else None for p in proof]
    except TypeError:
        return False
    if any(p is None for p in path):
        return False
    if first == 0 or first > second:
        return False
    if first == second:
        return not path and hmac.compare_digest(bytes(first_root), bytes(second_root))
    # 1. If consistency_path is an empty array, stop and fail.
    if not path:
        return False
    # 2. If first is an exact power of 2, prepend first_hash to the consistency_path array.
    if first & (first - 1) == 0:
        path.insert(0, bytes(first_root))
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, right-shift both fn and sn equally until LSB(fn) is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, stop and fail.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # 1. Set fr to HASH(0x01 || c || fr).  2. Set sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # 3. If LSB(fn) is not set, right-shift fn and sn equally until LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            # Otherwise: set sr to HASH(0x01 || sr || c).
            sr = node_hash(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. fr must equal first_hash, sr must equal second_hash, and sn must be 0.
    return (
        sn == 0 and hmac.compare_digest(fr, bytes(first_root)) and hmac.compare_digest(sr, bytes(second_root))
    )
