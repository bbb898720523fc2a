"""Behaviour of the attention helpers of chapter 10 (10.3, 10.5, 10.6)."""
import math

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()


# -- 10.3 masked softmax ----------------------------------------------------------

def _scores(shape=(2, 3, 5), seed=0):
    npx.random.seed(seed)
    return np.random.normal(size=shape)


def test_masked_softmax_without_lengths_is_plain_softmax():
    X = _scores()
    onp.testing.assert_allclose(d2l.masked_softmax(X, None).asnumpy(),
                                npx.softmax(X, axis=-1).asnumpy(), rtol=1e-6)


def test_masked_softmax_one_length_per_example():
    X = _scores()
    lens = [2, 4]
    W = d2l.masked_softmax(X, np.array(lens)).asnumpy()
    assert W.shape == (2, 3, 5)
    for b, n in enumerate(lens):
        assert (W[b, :, n:] == 0).all()          # exactly zero, not just small
        assert (W[b, :, :n] > 0).all()
    onp.testing.assert_allclose(W.sum(axis=-1), onp.ones((2, 3)), rtol=1e-6)


def test_masked_softmax_one_length_per_query():
    X = _scores()
    lens = [[1, 3, 5], [2, 2, 4]]
    W = d2l.masked_softmax(X, np.array(lens)).asnumpy()
    for b in range(2):
        for q in range(3):
            n = lens[b][q]
            assert (W[b, q, n:] == 0).all()
            # the valid part is the ordinary softmax of the valid scores
            valid = X[b, q, :n].asnumpy()
            expected = onp.exp(valid - valid.max())
            onp.testing.assert_allclose(W[b, q, :n], expected / expected.sum(), rtol=1e-5)
    onp.testing.assert_allclose(W.sum(axis=-1), onp.ones((2, 3)), rtol=1e-6)


def test_masked_softmax_accepts_integer_lengths_and_rejects_bad_shapes():
    X = _scores()
    W = d2l.masked_softmax(X, np.array([1, 5], dtype='int32')).asnumpy()
    onp.testing.assert_allclose(W[0, :, 0], 1.0)
    with pytest.raises(ValueError):
        d2l.masked_softmax(X, np.ones((2, 3, 1)))


def test_masked_softmax_passes_gradients_only_to_valid_keys():
    from mxnet import autograd
    X = _scores()
    X.attach_grad()
    with autograd.record():
        W = d2l.masked_softmax(X, np.array([2, 4]))
        loss = (W * np.arange(5.0)).sum()
    loss.backward()
    grad = X.grad.asnumpy()
    assert (grad[0, :, 2:] == 0).all() and (grad[1, :, 4:] == 0).all()
    # The valid part gets the gradient of an ordinary softmax over the valid keys
    # (np.where with a scalar operand gets this wrong in MXNet 1.9).
    for b, n in enumerate((2, 4)):
        Z = X[b:b + 1, :, :n].copy()
        Z.attach_grad()
        with autograd.record():
            ref = (npx.softmax(Z, axis=-1) * np.arange(float(n))).sum()
        ref.backward()
        onp.testing.assert_allclose(grad[b, :, :n], Z.grad.asnumpy()[0], rtol=1e-4, atol=1e-6)


# -- 10.3 additive and dot-product attention -------------------------------------

def _toy_problem():
    npx.random.seed(0)
    keys = np.ones((2, 10, 2))
    values = np.repeat(np.arange(40.0).reshape(1, 10, 4), 2, axis=0)
    return keys, values, np.array([2, 6])


def test_additive_attention_shapes_and_uniform_weights_for_equal_keys():
    keys, values, lens = _toy_problem()
    queries = np.random.normal(size=(2, 1, 20))
    attention = d2l.AdditiveAttention(num_hiddens=8, dropout=0.1)
    attention.initialize()
    out = attention(queries, keys, values, lens)
    assert out.shape == (2, 1, 4)
    assert attention.attention_weights.shape == (2, 1, 10)
    # equal keys -> equal scores -> the mean of the valid value rows
    onp.testing.assert_allclose(out.asnumpy().reshape(2, 4),
                                [[2, 3, 4, 5], [10, 11, 12, 13]], rtol=1e-5)


def test_dot_product_attention_matches_the_formula():
    npx.random.seed(1)
    Q = np.random.normal(size=(3, 4, 8))
    K = np.random.normal(size=(3, 6, 8))
    V = np.random.normal(size=(3, 6, 5))
    attention = d2l.DotProductAttention(dropout=0.5)
    attention.initialize()
    out = attention(Q, K, V)                       # valid_lens defaults to None
    assert out.shape == (3, 4, 5)
    q, k, v = Q.asnumpy(), K.asnumpy(), V.asnumpy()
    scores = q @ k.transpose(0, 2, 1) / math.sqrt(8)
    weights = onp.exp(scores - scores.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    onp.testing.assert_allclose(attention.attention_weights.asnumpy(), weights, rtol=1e-4, atol=1e-6)
    onp.testing.assert_allclose(out.asnumpy(), weights @ v, rtol=1e-4, atol=1e-5)


def test_dot_product_attention_masks_per_query():
    npx.random.seed(2)
    Q, K, V = (np.random.normal(size=(2, 3, 4)) for _ in range(3))
    attention = d2l.DotProductAttention(dropout=0)
    lens = np.array([[1, 2, 3], [3, 2, 1]])
    attention(Q, K, V, lens)
    W = attention.attention_weights.asnumpy()
    for b in range(2):
        for q in range(3):
            assert (W[b, q, int(lens[b, q]):] == 0).all()


# -- 10.5 multi-head attention ----------------------------------------------------

def test_transpose_qkv_and_transpose_output_are_inverses():
    X = np.arange(2 * 3 * 12).reshape(2, 3, 12)
    split = d2l.transpose_qkv(X, num_heads=4)
    assert split.shape == (8, 3, 3)
    # head i of example b sits at row b * num_heads + i and holds columns 3i..3i+2
    onp.testing.assert_array_equal(split[4 + 2].asnumpy(), X[1, :, 6:9].asnumpy())
    back = d2l.transpose_output(split, num_heads=4)
    assert back.shape == X.shape
    assert bool((back == X).all())


def test_transpose_qkv_rejects_widths_not_divisible_by_heads():
    with pytest.raises(ValueError):
        d2l.transpose_qkv(np.zeros((1, 2, 10)), num_heads=3)


def test_multihead_attention_shapes_and_masks():
    npx.random.seed(0)
    mha = d2l.MultiHeadAttention(num_hiddens=100, num_heads=5, dropout=0.5)
    mha.initialize()
    queries = np.random.normal(size=(2, 4, 100))
    kv = np.random.normal(size=(2, 6, 100))
    out = mha(queries, kv, kv, np.array([3, 2]))
    assert out.shape == (2, 4, 100)
    assert mha.num_heads == 5
    W = mha.attention.attention_weights.asnumpy()
    assert W.shape == (10, 4, 6)
    assert (W[:5, :, 3:] == 0).all() and (W[5:, :, 2:] == 0).all()
    onp.testing.assert_allclose(W.sum(-1), onp.ones((10, 4)), rtol=1e-5)


def test_multihead_attention_accepts_per_query_lengths_and_no_lengths():
    npx.random.seed(0)
    mha = d2l.MultiHeadAttention(num_hiddens=8, num_heads=2, dropout=0, use_bias=True)
    mha.initialize()
    X = np.random.normal(size=(2, 3, 8))
    lens = np.array([[1, 2, 3], [1, 2, 3]])        # causal-style lengths
    assert mha(X, X, X, lens).shape == (2, 3, 8)
    W = mha.attention.attention_weights.asnumpy()
    assert (W[:, 0, 1:] == 0).all() and (W[:, 1, 2:] == 0).all()
    assert mha(X, X, X, None).shape == (2, 3, 8)


# -- 10.6 positional encoding ---------------------------------------------------

def test_positional_encoding_values():
    pe = d2l.PositionalEncoding(num_hiddens=32, dropout=0, max_len=100)
    pe.initialize()
    P = pe.P.asnumpy()
    assert P.shape == (1, 100, 32)
    assert P[0, 0, 0] == 0 and P[0, 0, 1] == 1
    onp.testing.assert_allclose(P[0, 0, ::2], 0, atol=1e-7)
    onp.testing.assert_allclose(P[0, 0, 1::2], 1, atol=1e-7)
    onp.testing.assert_allclose(P[0, 1, :2], [math.sin(1), math.cos(1)], rtol=1e-6)
    omega = 10000 ** (-6 / 32)                    # pair j = 3
    onp.testing.assert_allclose(P[0, 7, 6:8], [math.sin(7 * omega), math.cos(7 * omega)],
                                rtol=1e-5, atol=1e-6)


def test_positional_encoding_forward_adds_the_table():
    pe = d2l.PositionalEncoding(num_hiddens=16, dropout=0.5)
    pe.initialize()
    X = np.ones((3, 7, 16))
    out = pe(X)                                   # dropout is off outside autograd.record
    assert out.shape == (3, 7, 16)
    onp.testing.assert_allclose(out.asnumpy(), 1 + onp.broadcast_to(pe.P[:, :7, :].asnumpy(), (3, 7, 16)),
                                rtol=1e-6)
