"""Tests for talat.core.merkle (RFC 9162 Merkle tree hashing and proofs).

Three independent sources of truth, so that a bug in our proofs cannot hide behind our own
verifier:

* published known-answer vectors from the Go transparency-dev/merkle project;
* the independent pymerkle package (roots, inclusion paths verified by pymerkle's own verifier,
  consistency proofs converted from pymerkle's own, independently verified, proofs);
* a literal transliteration of RFC 9162's recursive PATH / SUBPROOF definitions, fed with
  subtree hashes computed by pymerkle.
"""

import random

import pymerkle  # test-only dependency: the independent implementation we cross-check against
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talat.core import merkle as m

# The repository's autouse `settings` fixture is function-scoped; it is irrelevant here.
PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --------------------------------------------------------------------------------------------------
# Known-answer vectors. Vector data (hex strings only) copied from the Go transparency-dev/merkle
# project, github.com/transparency-dev/merkle:
#   testonly/constants.go       LeafInputs, NodeHashes, RootHashes
#   testonly/reference_test.go  TestRefInclusionProof, TestRefConsistencyProof
#   proof/verify_test.go        inclusionProofs (leaf numbers there count from 1), consistencyProofs
# --------------------------------------------------------------------------------------------------

LEAF_INPUTS = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]

NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

ROOT_HASHES = [  # indexed by tree size
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# (leaf index counting from 0, tree size, expected PATH)
INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# (first, second, expected PROOF)
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _hx(hexes):
    return [bytes.fromhex(h) for h in hexes]


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


class CountingReader:
    """Wraps a NodeReader, counting get_nodes calls and coordinates asked for."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = 0
        self.coords = 0

    def get_nodes(self, coords):
        coords = list(coords)
        self.calls += 1
        self.coords += len(coords)
        return self.inner.get_nodes(coords)


def vector_store(size=8):
    store = m.DictNodeStore()
    for data in LEAF_INPUTS[:size]:
        store.append(m.leaf_hash(data))
    return store


def entries(n, salt=b""):
    return [salt + i.to_bytes(4, "big") for i in range(n)]


def build(n, salt=b""):
    data = entries(n, salt)
    hashes = [m.leaf_hash(d) for d in data]
    store = m.DictNodeStore()
    for h in hashes:
        store.append(h)
    return data, hashes, store


def flip(b, byte=0, mask=0x10):
    """A copy of b with one byte XOR-ed with mask."""
    return b[:byte] + bytes([b[byte] ^ mask]) + b[byte + 1 :]


trees = st.tuples(st.integers(min_value=1, max_value=300), st.binary(max_size=4))


# --------------------------------------------------------------------------------------------------
# Known-answer vectors
# --------------------------------------------------------------------------------------------------


def test_hash_primitives():
    assert m.EMPTY_ROOT.hex() == ROOT_HASHES[0]
    assert m.leaf_hash(b"").hex() == NODE_HASHES[0][0]
    assert m.node_hash(m.leaf_hash(b""), m.leaf_hash(b"\x00")).hex() == NODE_HASHES[1][0]


def test_vector_nodes_are_exactly_the_stored_perfect_subtrees():
    store = vector_store()
    expected = {
        (level, index): bytes.fromhex(h)
        for level, row in enumerate(NODE_HASHES)
        for index, h in enumerate(row)
    }
    assert store.nodes == expected


@pytest.mark.parametrize("size", range(9))
def test_vector_roots(size):
    store = vector_store()
    hashes = [m.leaf_hash(d) for d in LEAF_INPUTS[:size]]
    assert m.root_hash(size, store).hex() == ROOT_HASHES[size]
    assert m.mth(hashes).hex() == ROOT_HASHES[size]
    assert m.roots_at_sizes(iter(hashes), [size])[size].hex() == ROOT_HASHES[size]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_vector_inclusion(index, size, expected):
    store = vector_store()
    proof = m.inclusion_proof(index, size, store)
    assert proof == _hx(expected)
    leaf = m.leaf_hash(LEAF_INPUTS[index])
    root = bytes.fromhex(ROOT_HASHES[size])
    assert m.verify_inclusion(leaf, index, size, proof, root)
    # Corruptions, after the Go project's corruptInclusionProof probes.
    probes = [
        (leaf, index - 1, size, proof, root),
        (leaf, index + 1, size, proof, root),
        (leaf, index ^ 2, size, proof, root),
        (leaf, index, size * 2, proof, root),
        (leaf, index, size // 2, proof, root),
        (SOME_HASH, index, size, proof, root),
        (leaf, index, size, proof, m.EMPTY_ROOT),
        (leaf, index, size, proof, SOME_HASH),
        (leaf, index, size, [*proof, root], root),
        (leaf, index, size, [root, *proof], root),
    ]
    probes += [
        (leaf, index, size, proof[:i] + [flip(p, 0, 8)] + proof[i + 1 :], root) for i, p in enumerate(proof)
    ]
    if proof:
        probes.append((leaf, index, size, proof[:-1], root))
    if len(proof) > 1:
        probes.append((leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    for probe in probes:
        assert not m.verify_inclusion(*probe), probe


@pytest.mark.parametrize(("first", "second", "expected"), CONSISTENCY_VECTORS)
def test_vector_consistency(first, second, expected):
    store = vector_store()
    proof = m.consistency_proof(first, second, store)
    assert proof == _hx(expected)
    r1, r2 = bytes.fromhex(ROOT_HASHES[first]), bytes.fromhex(ROOT_HASHES[second])
    assert m.verify_consistency(first, second, r1, r2, proof)
    if not proof:
        return
    # Corruptions, after the Go project's corruptConsistencyProof probes.
    probes = [
        (first - 1, second, r1, r2, proof),
        (first + 1, second, r1, r2, proof),
        (first ^ 2, second, r1, r2, proof),
        (first, second * 2, r1, r2, proof),
        (first, second // 2, r1, r2, proof),
        (first, second, SOME_HASH, r2, proof),
        (first, second, r1, SOME_HASH, proof),
        (first, second, r2, r1, proof),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*proof, r1]),
        (first, second, r1, r2, [*proof, r2]),
        (first, second, r1, r2, [r1, *proof]),
        (first, second, r1, r2, [r2, *proof]),
        (first, second, r1, r2, [proof[0], *proof]),
        (first, second, r1, r2, proof[:-1]),
    ]
    probes += [(first, second, r1, r2, proof[:i] + [flip(p)] + proof[i + 1 :]) for i, p in enumerate(proof)]
    for probe in probes:
        assert not m.verify_consistency(*probe), probe


# --------------------------------------------------------------------------------------------------
# Edge cases and argument checking
# --------------------------------------------------------------------------------------------------


def test_verify_inclusion_edge_cases():
    h = m.leaf_hash(b"data")
    assert m.verify_inclusion(h, 0, 1, [], h)  # one-leaf tree: root is the leaf hash, empty proof
    assert not m.verify_inclusion(h, 0, 1, [], SOME_HASH)
    assert not m.verify_inclusion(h, 0, 1, [h], h)  # a proof that is too long
    assert not m.verify_inclusion(b"", 0, 1, [], b"")  # wrong hash sizes
    for index, size in [(0, 0), (1, 0), (1, 1), (2, 1), (-1, 1)]:  # index >= size, negative
        assert not m.verify_inclusion(h, index, size, [], h)
        assert not m.verify_inclusion(SOME_HASH, index, size, [], m.EMPTY_ROOT)
    assert not m.verify_inclusion(h, True, 2, [h], h)
    assert not m.verify_inclusion(h, 0, 2, [b"short"], h)
    assert not m.verify_inclusion(h, 0, 2, None, h)


def test_verify_consistency_edge_cases():
    a, b = m.leaf_hash(b"a"), m.leaf_hash(b"b")
    assert m.verify_consistency(1, 1, a, a, [])  # same tree, same root, empty proof
    assert m.verify_consistency(5, 5, b, b, [])
    assert not m.verify_consistency(1, 1, a, b, [])  # same size, different roots
    assert not m.verify_consistency(1, 1, a, a, [a])  # same size, non-empty proof
    assert not m.verify_consistency(0, 0, m.EMPTY_ROOT, m.EMPTY_ROOT, [])  # first == 0 is invalid
    assert not m.verify_consistency(0, 1, m.EMPTY_ROOT, a, [])
    assert not m.verify_consistency(0, 1, m.EMPTY_ROOT, a, [a])
    assert not m.verify_consistency(1, 0, a, b, [])  # time travel
    assert not m.verify_consistency(2, 1, a, b, [a])
    assert not m.verify_consistency(1, 2, a, m.node_hash(a, b), [])  # empty proof
    assert m.verify_consistency(1, 2, a, m.node_hash(a, b), [b])
    assert not m.verify_consistency(1, 2, a, m.node_hash(a, b), [b"x" * 31])
    assert not m.verify_consistency(1, 2, a, m.node_hash(a, b), None)
    assert not m.verify_consistency(1, 2, b"", m.node_hash(a, b), [b])


def test_generators_reject_out_of_range_arguments():
    store = vector_store()
    bad_calls = [
        lambda: m.root_hash(-1, store),
        lambda: m.inclusion_proof(0, 0, store),
        lambda: m.inclusion_proof(8, 8, store),
        lambda: m.inclusion_proof(-1, 8, store),
        lambda: m.consistency_proof(0, 8, store),
        lambda: m.consistency_proof(5, 4, store),
        lambda: m.consistency_proof(1, 0, store),
        lambda: m.nodes_for_append(-1, m.EMPTY_ROOT, store),
        lambda: m.nodes_for_append(8, b"short", store),
        lambda: m.nodes_for_append_many(8, [m.EMPTY_ROOT, "not bytes"], store),
        lambda: m.roots_at_sizes([m.EMPTY_ROOT], [-1]),
        lambda: m.roots_at_sizes([m.EMPTY_ROOT], [2]),  # not enough leaves
        lambda: m.roots_at_sizes([b"short"], [1]),
        lambda: m.inclusion_proof(1.0, 8, store),
    ]
    for call in bad_calls:
        with pytest.raises(ValueError):
            call()


def test_missing_nodes_are_reported():
    store = vector_store(5)
    with pytest.raises(m.MissingNodesError) as exc:
        m.root_hash(8, store)
    assert exc.value.coords == [(3, 0)]
    with pytest.raises(LookupError):
        m.inclusion_proof(0, 8, store)
    with pytest.raises(m.MissingNodesError):
        m.consistency_proof(5, 7, store)


def test_small_edge_values():
    store = vector_store()
    assert m.root_hash(0, store) == m.EMPTY_ROOT
    assert m.mth([]) == m.EMPTY_ROOT
    assert m.roots_at_sizes([], [0]) == {0: m.EMPTY_ROOT}
    assert m.roots_at_sizes([], []) == {}
    assert m.consistency_proof(8, 8, store) == []
    assert m.nodes_for_append_many(8, [], store) == []
    assert isinstance(store, m.NodeReader)


def test_append_returns_leaf_then_completed_parents():
    store = m.DictNodeStore()
    h = [m.leaf_hash(d) for d in LEAF_INPUTS]
    assert store.append(h[0]) == [(0, 0, h[0])]
    assert store.append(h[1]) == [(0, 1, h[1]), (1, 0, bytes.fromhex(NODE_HASHES[1][0]))]
    assert store.append(h[2]) == [(0, 2, h[2])]
    assert [(lv, ix) for lv, ix, _ in store.append(h[3])] == [(0, 3), (1, 1), (2, 0)]
    assert len(store) == 4


def test_single_append_reads_once_and_only_left_siblings():
    hashes = [m.leaf_hash(d) for d in entries(64)]
    store = m.DictNodeStore()
    store.extend(hashes[:7])
    reader = CountingReader(store)
    new = m.nodes_for_append(7, hashes[7], reader)
    assert (reader.calls, reader.coords) == (1, 3)  # (0, 6), (1, 2), (2, 0)
    assert [(lv, ix) for lv, ix, _ in new] == [(0, 7), (1, 3), (2, 1), (3, 0)]
    reader = CountingReader(store)
    assert [(lv, ix) for lv, ix, _ in m.nodes_for_append(6, hashes[6], reader)] == [(0, 6)]
    assert reader.calls == 0  # a left child completes nothing: no read at all


def test_batch_of_1000_appends_costs_one_read():
    hashes = [m.leaf_hash(d) for d in entries(3000)]
    store = m.DictNodeStore()
    store.extend(hashes[:1234])
    reader = CountingReader(store)
    new = m.nodes_for_append_many(1234, hashes[1234:2234], reader)
    assert reader.calls == 1
    assert reader.coords <= (1234).bit_length()
    assert len([n for n in new if n[0] == 0]) == 1000


# --------------------------------------------------------------------------------------------------
# Property tests over random trees
# --------------------------------------------------------------------------------------------------


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_roots_match_reference(tree, rnd):
    n, salt = tree
    _, hashes, store = build(n, salt)
    sizes = sorted({0, n, *(rnd.randint(0, n) for _ in range(10))})
    for size in sizes:
        assert m.root_hash(size, store) == m.mth(hashes[:size])
    assert m.roots_at_sizes(iter(hashes), sizes) == {s: m.mth(hashes[:s]) for s in sizes}


@PROPERTY
@given(trees)
def test_every_inclusion_proof_verifies(tree):
    n, salt = tree
    _, hashes, store = build(n, salt)
    root = m.root_hash(n, store)
    for index in range(n):
        proof = m.inclusion_proof(index, n, store)
        assert m.verify_inclusion(hashes[index], index, n, proof, root)


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_inclusion_proofs_in_older_trees_verify(tree, rnd):
    n, salt = tree
    _, hashes, store = build(n, salt)
    for _ in range(20):
        size = rnd.randint(1, n)
        index = rnd.randrange(size)
        proof = m.inclusion_proof(index, size, store)
        assert m.verify_inclusion(hashes[index], index, size, proof, m.mth(hashes[:size]))


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_tampered_inclusion_proofs_fail(tree, rnd):
    n, salt = tree
    _, hashes, store = build(n, salt)
    root = m.root_hash(n, store)
    for _ in range(10):
        index = rnd.randrange(n)
        proof = m.inclusion_proof(index, n, store)
        leaf = hashes[index]
        if proof:
            i = rnd.randrange(len(proof))
            bad = proof[:i] + [flip(proof[i], rnd.randrange(32), 1 << rnd.randrange(8))] + proof[i + 1 :]
            assert not m.verify_inclusion(leaf, index, n, bad, root)
            assert not m.verify_inclusion(leaf, index, n, proof[:-1], root)
        assert not m.verify_inclusion(flip(leaf, rnd.randrange(32)), index, n, proof, root)
        assert not m.verify_inclusion(leaf, index, n, proof, flip(root, rnd.randrange(32)))
        assert not m.verify_inclusion(leaf, index, n, [*proof, SOME_HASH], root)
        if n > 1:
            other = rnd.choice([i for i in range(n) if i != index])
            assert not m.verify_inclusion(leaf, other, n, proof, root)
            assert not m.verify_inclusion(hashes[other], index, n, proof, root)


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_consistency_proofs_verify_and_tampering_fails(tree, rnd):
    n, salt = tree
    _, hashes, store = build(n, salt)
    pairs = {(n, n), (1, n)} | {tuple(sorted((rnd.randint(1, n), rnd.randint(1, n)))) for _ in range(20)}
    for first, second in sorted(pairs):
        proof = m.consistency_proof(first, second, store)
        r1, r2 = m.mth(hashes[:first]), m.mth(hashes[:second])
        assert m.verify_consistency(first, second, r1, r2, proof)
        if first == second:
            assert proof == []
            continue
        assert not m.verify_consistency(first, second, r1, r2, [])
        i = rnd.randrange(len(proof))
        bad = proof[:i] + [flip(proof[i], rnd.randrange(32), 1 << rnd.randrange(8))] + proof[i + 1 :]
        assert not m.verify_consistency(first, second, r1, r2, bad)
        assert not m.verify_consistency(first, second, flip(r1, rnd.randrange(32)), r2, proof)
        assert not m.verify_consistency(first, second, r1, flip(r2, rnd.randrange(32)), proof)
        assert not m.verify_consistency(first, second, r1, r2, [*proof, SOME_HASH])
        assert not m.verify_consistency(first, second, r1, r2, proof[:-1])
        assert not m.verify_consistency(first, second, r2, r1, proof)
        # (No random wrong-size probes: the RFC algorithm only checks hash equations, and e.g. the
        # proof for (1, 3) also satisfies them for (1, 4) with the same roots.)


@PROPERTY
@given(
    st.integers(min_value=0, max_value=300),
    st.lists(st.integers(min_value=0, max_value=40), max_size=8),
    st.binary(max_size=4),
)
def test_batch_append_equals_repeated_single_appends(start, chunks, salt):
    hashes = [m.leaf_hash(d) for d in entries(start + sum(chunks), salt)]
    single = m.DictNodeStore()
    single_nodes = [single.append(h) for h in hashes]
    batched = m.DictNodeStore()
    batched.extend(hashes[:start])
    done = start
    for size in chunks:
        reader = CountingReader(batched)
        new = m.nodes_for_append_many(done, hashes[done : done + size], reader)
        assert new == [node for nodes in single_nodes[done : done + size] for node in nodes]
        assert reader.calls <= 1
        batched.nodes.update({(level, index): h for level, index, h in new})
        batched.size += size
        done += size
    assert batched.nodes == single.nodes


# --------------------------------------------------------------------------------------------------
# Cross-checks against the independent pymerkle implementation
# --------------------------------------------------------------------------------------------------


def pymerkle_tree(data):
    tree = pymerkle.InmemoryTree(algorithm="sha256")  # RFC 9162 prefixes: 0x00 leaves, 0x01 nodes
    for d in data:
        tree.append_entry(d)
    return tree


def rfc_path(tree, index, start, end):
    """RFC 9162 2.1.3.1 PATH(m, D[start:end]), transliterated; subtree MTHs come from pymerkle."""
    n = end - start
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if index < k:
        return rfc_path(tree, index, start, start + k) + [tree._get_root(start + k, end)]
    return rfc_path(tree, index - k, start + k, end) + [tree._get_root(start, start + k)]


def rfc_subproof(tree, first, start, end, whole):
    """RFC 9162 2.1.4.1 SUBPROOF(m, D[start:end], b), transliterated; MTHs come from pymerkle."""
    n = end - start
    if first == n:
        return [] if whole else [tree._get_root(start, end)]
    k = 1 << ((n - 1).bit_length() - 1)
    if first <= k:
        return rfc_subproof(tree, first, start, start + k, whole) + [tree._get_root(start + k, end)]
    return rfc_subproof(tree, first - k, start + k, end, False) + [tree._get_root(start, start + k)]


def pymerkle_consistency_as_rfc(proof):
    """Convert a pymerkle ConsistencyProof (bottom-up path with a 'subset' mask of the hashes that
    make up the prior state) to the RFC 9162 PROOF form.

    pymerkle descends like RFC 9162 except when the old size m equals the split k of the current
    range [s, e): RFC goes left and stops (emitting MTH(D[s:s+k]) unless it is the old root itself,
    then MTH(D[s+k:e])); pymerkle goes right (emitting MTH(D[s:s+k]) with mask 1) and walks down the
    left edge of [s+k, e) to its first leaf (mask-0 hashes, siblings all on the right). Folding that
    walk gives MTH(D[s+k:e]). In both forms the old root is implicit iff no other mask-1 hash
    (a right turn) sits above that point.
    """
    path, subset = proof.path, proof.subset
    if subset[0] == 1:  # both stopped at the same subtree with m == n
        base, rest, rest_mask = path[0], path[1:], subset[1:]
        return ([base] if any(rest_mask) else []) + rest
    acc, i = path[0], 1
    while subset[i] == 0:
        acc = m.node_hash(acc, path[i])
        i += 1
    left, rest, rest_mask = path[i], path[i + 1 :], subset[i + 1 :]
    return ([left] if any(rest_mask) else []) + [acc] + rest


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_cross_check_roots_and_inclusion_with_pymerkle(tree, rnd):
    n, salt = tree
    data, hashes, store = build(n, salt)
    pm = pymerkle_tree(data)
    assert [pm.get_leaf(i + 1) for i in range(n)] == hashes
    for size in sorted({n, 1, *(rnd.randint(1, n) for _ in range(8))}):
        root = pm.get_root(size)
        assert m.root_hash(size, store) == root
        for index in {0, size - 1, *(rnd.randrange(size) for _ in range(6))}:
            ours = m.inclusion_proof(index, size, store)
            theirs = pm.prove_inclusion(index + 1, size)
            # pymerkle's path is [leaf hash, siblings bottom-up]: RFC PATH is the rest.
            assert ours == theirs.path[1:]
            assert ours == rfc_path(pm, index, 0, size)
            # pymerkle's own verifier accepts our path, wrapped in its proof object.
            wrapped = pymerkle.InclusionProof(
                "sha256", True, size, index + 1, list(theirs.rule), [hashes[index], *ours]
            )
            pymerkle.verify_inclusion(hashes[index], root, wrapped, index=index + 1, size=size)
            if ours:
                tampered = pymerkle.InclusionProof(
                    "sha256", True, size, index + 1, list(theirs.rule), [hashes[index], *ours[:-1], SOME_HASH]
                )
                with pytest.raises(pymerkle.InvalidProof):
                    pymerkle.verify_inclusion(hashes[index], root, tampered)


@PROPERTY
@given(trees, st.randoms(use_true_random=False))
def test_cross_check_consistency_with_pymerkle(tree, rnd):
    n, salt = tree
    data, _, store = build(n, salt)
    pm = pymerkle_tree(data)
    pairs = {(n, n), (1, n)} | {tuple(sorted((rnd.randint(1, n), rnd.randint(1, n)))) for _ in range(15)}
    for first, second in sorted(pairs):
        ours = m.consistency_proof(first, second, store)
        assert ours == rfc_subproof(pm, first, 0, second, True)
        theirs = pm.prove_consistency(first, second)
        pymerkle.verify_consistency(pm.get_root(first), pm.get_root(second), theirs)  # pymerkle's own check
        assert ours == pymerkle_consistency_as_rfc(theirs)


# --------------------------------------------------------------------------------------------------
# Scale: a proof in a 2^20-leaf tree touches O(log n) nodes in one read (not a timing test)
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_tree():
    n = (1 << 20) + 4321
    hashes = [m.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]
    store = m.DictNodeStore()
    store.extend(hashes)
    return n, hashes, store


def test_big_tree_proofs_touch_log_n_nodes(big_tree):
    n, hashes, store = big_tree
    depth = (n - 1).bit_length()  # 21
    rnd = random.Random(20)

    reader = CountingReader(store)
    root = m.root_hash(n, reader)
    assert (reader.calls, reader.coords) == (1, bin(n).count("1"))
    assert root == m.roots_at_sizes(iter(hashes), [n])[n]

    for index in [0, n - 1, (1 << 20) - 1, 1 << 20, *(rnd.randrange(n) for _ in range(30))]:
        reader = CountingReader(store)
        proof = m.inclusion_proof(index, n, reader)
        assert reader.calls == 1
        assert reader.coords <= 2 * depth
        assert len(proof) <= depth
        assert m.verify_inclusion(hashes[index], index, n, proof, root)

    older = rnd.randrange(1, n)
    older_root = m.root_hash(older, store)
    for first in [1, 1 << 19, 1 << 20, n - 1, older, *(rnd.randrange(1, n) for _ in range(30))]:
        reader = CountingReader(store)
        proof = m.consistency_proof(first, n, reader)
        assert reader.calls == 1
        assert reader.coords <= 2 * depth
        assert len(proof) <= 2 * depth
        r1 = older_root if first == older else m.root_hash(first, store)
        assert m.verify_consistency(first, n, r1, root, proof)

    reader = CountingReader(store)
    new = m.nodes_for_append(n, m.leaf_hash(b"next"), reader)
    assert reader.calls == 1 and new[0][:2] == (0, n)
