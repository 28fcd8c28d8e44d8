"""Tokenisation, vocabularies and padded batches."""

from __future__ import annotations

import json

import pytest
import torch

from attnlib.translation.corpus import SPLITS, Pair, load_split
from attnlib.translation.vocab import SPECIALS, Batch, Vocab, make_batches, tokenize

PAIRS = [
    Pair("the cat sat on the mat .", "le chat était assis sur le tapis ."),
    Pair("the black cat sees the dog .", "le chat noir voit le chien ."),
    Pair("i like him .", "je l' aime ."),
    Pair("she does not see the dogs .", "elle ne voit pas les chiens ."),
    Pair("the dog sleeps .", "le chien dort ."),
]


@pytest.fixture(scope="module")
def vocabs() -> tuple[Vocab, Vocab]:
    return Vocab.build(p.src for p in PAIRS), Vocab.build(p.tgt for p in PAIRS)


# -- tokenize -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("The cat sat on the mat.", ["the", "cat", "sat", "on", "the", "mat", "."]),
    ("J'aime le chat !", ["j'", "aime", "le", "chat", "!"]),
    ("Il ne l'aime pas, n'est-ce pas ?", ["il", "ne", "l'", "aime", "pas", ",", "n'", "est-ce", "pas", "?"]),
    ("Qu'il vienne aujourd'hui jusqu'au soir.", ["qu'", "il", "vienne", "aujourd'hui", "jusqu'", "au", "soir", "."]),
    ("L\u2019oiseau\u00a0: «\u202fbonjour\u202f»", ["l'", "oiseau", ":", "«", "bonjour", "»"]),
    ("She doesn't see him; isn't it?", ["she", "doesn't", "see", "him", ";", "isn't", "it", "?"]),
    ("  spaced\tout\n words  ", ["spaced", "out", "words"]),
    ("je l' aime .", ["je", "l'", "aime", "."]),
    ("", []),
])
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize("split", SPLITS)
def test_tokenize_agrees_with_the_corpus_tokens(split: str) -> None:
    """The corpus is already tokenised: tokenize must not split or merge anything in it."""
    for p in load_split(split):
        assert tokenize(p.src) == p.src_tokens, p.src
        assert tokenize(p.tgt) == p.tgt_tokens, p.tgt


# -- Vocab --------------------------------------------------------------------------------

def test_special_ids_are_fixed(vocabs: tuple[Vocab, Vocab]) -> None:
    for v in vocabs:
        assert v.itos[:4] == list(SPECIALS) == ["<pad>", "<bos>", "<eos>", "<unk>"]
        assert (v.pad_id, v.bos_id, v.eos_id, v.unk_id) == (0, 1, 2, 3)
        assert [v.stoi[t] for t in SPECIALS] == [0, 1, 2, 3]


def test_build_orders_by_frequency_then_alphabet() -> None:
    v = Vocab.build(["b a c a", "c a d"], min_freq=1)
    assert v.itos[4:] == ["a", "c", "b", "d"]  # a:3, c:2, then b and d (1 each) alphabetically
    assert Vocab.build(["b a c a", "c a d"], min_freq=2).itos[4:] == ["a", "c"]
    assert Vocab.build([["x", "y"], "y"]).itos[4:] == ["y", "x"]  # token lists are accepted too
    assert Vocab.build(["d c b a"]) == Vocab.build(["a b c d"])  # independent of input order


def test_build_is_deterministic_on_the_corpus() -> None:
    train = load_split("train")
    v1 = Vocab.build(p.tgt for p in train)
    v2 = Vocab.build(p.tgt for p in reversed(train))
    assert v1.itos == v2.itos
    assert len(v1) == 4 + len({w for p in train for w in p.tgt_tokens})
    assert v1.itos[4] == "."  # every sentence ends with a full stop


def test_encode_decode_round_trip(vocabs: tuple[Vocab, Vocab]) -> None:
    src, tgt = vocabs
    for p in PAIRS:
        ids = tgt.encode(p.tgt)
        assert ids[-1] == tgt.eos_id and tgt.unk_id not in ids
        assert tgt.decode(ids) == p.tgt
        assert src.decode(src.encode(p.src, add_bos=True)) == p.src
    ids = src.encode("The cat sat.", add_bos=True, add_eos=True)
    assert ids[0] == src.bos_id and ids[-1] == src.eos_id and len(ids) == 6
    assert src.encode(["the", "cat"], add_eos=False) == [src.stoi["the"], src.stoi["cat"]]


def test_decode_stops_at_eos_and_drops_padding(vocabs: tuple[Vocab, Vocab]) -> None:
    _, tgt = vocabs
    ids = [tgt.bos_id, tgt.stoi["le"], tgt.stoi["chat"], tgt.eos_id, tgt.stoi["chien"], 0, 0]
    assert tgt.decode(ids) == "le chat"
    assert tgt.decode(torch.tensor(ids)) == "le chat"
    assert tgt.decode(ids, strip_special=False) == "<bos> le chat <eos> chien <pad> <pad>"
    with pytest.raises(ValueError, match="outside"):
        tgt.decode([len(tgt)])


def test_unknown_words_are_reported_and_encoded_as_unk(vocabs: tuple[Vocab, Vocab]) -> None:
    src, _ = vocabs
    assert src.unknown_words("The zebra sees the zebra and a cat.") == ["zebra", "and", "a"]
    assert src.unknown_words("the cat .") == []
    ids = src.encode("the zebra .", add_eos=False)
    assert ids[1] == src.unk_id and ids[0] != src.unk_id
    assert src.decode(ids) == "the <unk> ."


def test_to_dict_from_dict_through_json(vocabs: tuple[Vocab, Vocab]) -> None:
    src, _ = vocabs
    restored = Vocab.from_dict(json.loads(json.dumps(src.to_dict())))
    assert restored == src and restored.stoi == src.stoi and len(restored) == len(src)
    with pytest.raises(ValueError, match="tokens"):
        Vocab.from_dict({})
    with pytest.raises(ValueError, match="must start with"):
        Vocab(["a", "b", "c", "d"])
    with pytest.raises(ValueError, match="duplicate"):
        Vocab([*SPECIALS, "a", "a"])


# -- batches ------------------------------------------------------------------------------

def _check_batch(batch: Batch, src_vocab: Vocab, tgt_vocab: Vocab) -> None:
    B = len(batch)
    assert batch.src.dtype == batch.tgt_in.dtype == batch.tgt_out.dtype == torch.long
    assert batch.tgt_in.shape == batch.tgt_out.shape and batch.src.shape[0] == B
    assert batch.src.shape[1] == int(batch.src_lengths.max())
    assert batch.tgt_in.shape[1] == int(batch.tgt_lengths.max())
    for b, pair in enumerate(batch.pairs):
        S, T = int(batch.src_lengths[b]), int(batch.tgt_lengths[b])
        assert S == len(pair.src_tokens) + 1 and T == len(pair.tgt_tokens) + 1
        assert batch.src[b, :S].tolist() == src_vocab.encode(pair.src)  # words + <eos>
        assert (batch.src[b, S:] == 0).all() and (batch.src[b, :S] != 0).all()
        assert batch.tgt_in[b, 0] == tgt_vocab.bos_id and batch.tgt_out[b, T - 1] == tgt_vocab.eos_id
        assert torch.equal(batch.tgt_in[b, 1:T], batch.tgt_out[b, :T - 1])  # shifted by one
        assert (batch.tgt_in[b, T:] == 0).all() and (batch.tgt_out[b, T:] == 0).all()
        assert tgt_vocab.decode(batch.tgt_out[b]) == pair.tgt


def test_batches_are_padded_and_shifted(vocabs: tuple[Vocab, Vocab]) -> None:
    src, tgt = vocabs
    batches = list(make_batches(PAIRS, src, tgt, batch_size=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [p for b in batches for p in b.pairs] == PAIRS  # no seed: order kept
    for batch in batches:
        _check_batch(batch, src, tgt)
    first, second = batches[:2]
    assert first.src.shape == (2, 8) and first.tgt_in.shape == (2, 9)  # <bos> le chat était assis sur le tapis .
    assert first.n_target_tokens == 9 + 8
    # "i like him ." (4 words + <eos>) is padded to the length of "she does not see the dogs ." (7 + 1)
    assert second.src.shape == (2, 8) and second.src_lengths.tolist() == [5, 8]
    assert second.src[0, 4] == src.eos_id and second.src[0, 5:].tolist() == [0, 0, 0]


def test_shuffled_bucketed_batches_cover_every_pair_once_and_are_reproducible() -> None:
    pairs = load_split("valid")
    src, tgt = Vocab.build(p.src for p in pairs), Vocab.build(p.tgt for p in pairs)
    batches = list(make_batches(pairs, src, tgt, batch_size=16, shuffle_seed=3))
    seen = [p for b in batches for p in b.pairs]
    assert sorted(seen, key=lambda p: p.src) == sorted(pairs, key=lambda p: p.src)
    assert seen != pairs
    again = [p for b in make_batches(pairs, src, tgt, batch_size=16, shuffle_seed=3) for p in b.pairs]
    other = [p for b in make_batches(pairs, src, tgt, batch_size=16, shuffle_seed=4) for p in b.pairs]
    assert again == seen and other != seen
    for batch in batches[:5]:
        _check_batch(batch, src, tgt)

    def padding(bs: list[Batch]) -> int:
        return sum(b.src.numel() - int(b.src_lengths.sum()) for b in bs)

    unsorted = list(make_batches(pairs, src, tgt, batch_size=16))
    assert padding(batches) < padding(unsorted) / 2  # bucketing by length wastes less


def test_max_len_names_the_sentence_and_the_limit(vocabs: tuple[Vocab, Vocab]) -> None:
    src, tgt = vocabs
    with pytest.raises(ValueError, match=r"max_len=6.*the cat sat on the mat \."):
        make_batches(PAIRS, src, tgt, batch_size=2, max_len=6)  # raised at once, not on iteration
    assert len(list(make_batches(PAIRS, src, tgt, batch_size=2, max_len=9))) == 3
    with pytest.raises(ValueError, match="target sentence is 9 tokens.*max_len=8.*le chat était assis"):
        make_batches(PAIRS[:1], src, tgt, batch_size=1, max_len=8)  # the source (8 with <eos>) fits


def test_plain_tuples_and_device_move(vocabs: tuple[Vocab, Vocab]) -> None:
    src, tgt = vocabs
    (batch,) = make_batches([("the dog sleeps .", "le chien dort .")], src, tgt, batch_size=4)
    assert batch.pairs[0] == Pair("the dog sleeps .", "le chien dort .")
    moved = batch.to("cpu")
    assert torch.equal(moved.src, batch.src) and moved.pairs == batch.pairs
    with pytest.raises(ValueError, match="batch_size"):
        make_batches(PAIRS, src, tgt, batch_size=0)
