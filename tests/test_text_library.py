"""Behaviour of the text utilities of chapter 8: tokens, vocabularies, the
Time Machine corpus and the two ways of cutting it into minibatches."""
import random

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()


# -- 8.2 tokenize and Vocab ------------------------------------------------------

def test_tokenize_words_and_characters():
    lines = ['the time machine', '', 'by h g wells']
    assert d2l.tokenize(lines) == [['the', 'time', 'machine'], [], ['by', 'h', 'g', 'wells']]
    assert d2l.tokenize(['ab c'], 'char') == [['a', 'b', ' ', 'c']]
    with pytest.raises(ValueError):
        d2l.tokenize(lines, 'sentence')


def test_count_corpus_flattens_nested_lists():
    counts = d2l.count_corpus([['a', 'b'], ['a'], []])
    assert counts == {'a': 2, 'b': 1}
    assert d2l.count_corpus(['x', 'x', 'y']) == {'x': 2, 'y': 1}


def test_vocab_orders_by_frequency_with_unk_and_reserved_first():
    tokens = [['b', 'a', 'a'], ['c', 'a', 'b']]
    vocab = d2l.Vocab(tokens, reserved_tokens=['<pad>', '<bos>'])
    assert vocab.idx_to_token == ['<unk>', '<pad>', '<bos>', 'a', 'b', 'c']
    assert vocab.token_freqs == [('a', 3), ('b', 2), ('c', 1)]
    assert len(vocab) == 6
    # Round trip in both directions, single tokens and lists.
    assert vocab['a'] == 3 and vocab[['c', 'b']] == [5, 4]
    assert vocab.to_tokens([3, 5]) == ['a', 'c'] and vocab.to_tokens(4) == 'b'


def test_vocab_min_freq_drops_rare_tokens_to_unk():
    vocab = d2l.Vocab([['a', 'a', 'b', 'c', 'c']], min_freq=2)
    assert 'b' not in vocab.token_to_idx
    assert vocab['b'] == vocab.unk == 0
    assert vocab[['never', 'seen']] == [0, 0]
    assert vocab.to_tokens(vocab['b']) == '<unk>'


def test_vocab_ties_keep_first_appearance_order():
    vocab = d2l.Vocab([['z', 'y', 'x']])
    assert vocab.idx_to_token[1:] == ['z', 'y', 'x']


def test_time_machine_corpus_is_character_level_and_capped():
    corpus, vocab = d2l.load_corpus_time_machine()
    assert len(vocab) == 28          # 26 letters, space, <unk>
    assert set(vocab.idx_to_token) >= set('abcdefghijklmnopqrstuvwxyz ')
    assert ''.join(vocab.to_tokens(corpus[:14])) == 'the time machi'
    short, _ = d2l.load_corpus_time_machine(max_tokens=100)
    assert short == corpus[:100]


# -- 8.3 minibatch iterators -----------------------------------------------------

def _windows(batches):
    """Every row of every X, as a tuple, and the matching Y rows."""
    xs, ys = [], []
    for X, Y in batches:
        xs += [tuple(row) for row in X.asnumpy().astype(int).tolist()]
        ys += [tuple(row) for row in Y.asnumpy().astype(int).tolist()]
    return xs, ys


@pytest.mark.parametrize('make', [d2l.seq_data_iter_random, d2l.seq_data_iter_sequential])
def test_iterators_give_shifted_targets_of_the_right_shape(make):
    random.seed(0)
    corpus = list(range(35))
    for X, Y in make(corpus, batch_size=2, num_steps=5):
        assert X.shape == Y.shape == (2, 5)
        onp.testing.assert_array_equal(Y.asnumpy(), X.asnumpy() + 1)


@pytest.mark.parametrize('make', [d2l.seq_data_iter_random, d2l.seq_data_iter_sequential])
def test_iterators_cover_the_corpus_without_overlap(make):
    corpus = list(range(1000))
    for seed in range(5):
        random.seed(seed)
        xs, _ = _windows(make(corpus, batch_size=4, num_steps=7))
        positions = [p for window in xs for p in window]
        # Every token appears at most once per epoch, and windows are contiguous runs.
        assert len(positions) == len(set(positions))
        assert all(w[-1] - w[0] == 6 for w in xs)
        # The only tokens left out are fewer than one minibatch plus the offset.
        assert len(corpus) - len(positions) < 4 * 7 + 2 * 7 + 1


def test_sequential_rows_continue_across_minibatches():
    random.seed(3)
    batches = list(d2l.seq_data_iter_sequential(list(range(200)), batch_size=3, num_steps=6))
    assert len(batches) >= 2
    for (X0, _), (X1, _) in zip(batches, batches[1:]):
        onp.testing.assert_array_equal(X1.asnumpy()[:, 0], X0.asnumpy()[:, -1] + 1)


def test_random_iterator_reshuffles_between_epochs():
    corpus = list(range(500))
    random.seed(0)
    first, _ = _windows(d2l.seq_data_iter_random(corpus, 4, 5))
    second, _ = _windows(d2l.seq_data_iter_random(corpus, 4, 5))
    assert first != second


def test_iterators_refuse_a_corpus_that_is_too_short():
    with pytest.raises(ValueError):
        list(d2l.seq_data_iter_random(list(range(10)), batch_size=4, num_steps=5))
    with pytest.raises(ValueError):
        list(d2l.seq_data_iter_sequential(list(range(10)), batch_size=4, num_steps=5))


@pytest.mark.parametrize('use_random_iter', [False, True])
def test_loader_length_matches_the_batches_it_yields(use_random_iter):
    loader, vocab = d2l.load_data_time_machine(32, 35, use_random_iter, max_tokens=10000)
    random.seed(1)
    assert sum(1 for _ in loader) == len(loader) > 0
    assert len(vocab) == 28
