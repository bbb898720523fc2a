"""Chapter 9 translation helpers: padding, BLEU, masked loss, seq2seq model, searches."""
import math

import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import init, np, npx

npx.set_np()

SPECIALS = ['<pad>', '<bos>', '<eos>']
TOY_SOURCES = ['he is calm .', 'i am home .', 'we lost .', 'go home !', 'i am calm .']
TOY_TARGETS = ['il est calme .', 'je suis chez moi .', 'nous avons perdu .',
               'rentre !', 'je suis calme .']


def toy_vocabs():
    src = d2l.Vocab([s.split() for s in TOY_SOURCES], reserved_tokens=SPECIALS)
    tgt = d2l.Vocab([s.split() for s in TOY_TARGETS], reserved_tokens=SPECIALS)
    return src, tgt


def tiny_model(src_vocab, tgt_vocab, seed=0):
    npx.random.seed(seed)
    net = d2l.EncoderDecoder(d2l.Seq2SeqEncoder(len(src_vocab), 8, 16, 2),
                             d2l.Seq2SeqDecoder(len(tgt_vocab), 8, 16, 2))
    net.initialize(init.Xavier())
    return net


# -- 9.5 padding and arrays ------------------------------------------------------

def test_truncate_pad_cuts_and_pads():
    assert d2l.truncate_pad([5, 6, 7, 8], 2, 0) == [5, 6]
    assert d2l.truncate_pad([5, 6], 5, 1) == [5, 6, 1, 1, 1]
    assert d2l.truncate_pad([5, 6, 7], 3, 0) == [5, 6, 7]
    assert d2l.truncate_pad([], 2, 9) == [9, 9]


def test_build_array_nmt_appends_eos_and_counts_valid_tokens():
    src, _ = toy_vocabs()
    lines = [['he', 'is', 'calm', '.'], ['go', '!'], ['i', 'am', 'home', '.', 'i', 'am']]
    array, valid_len = d2l.build_array_nmt(lines, src, num_steps=5)
    assert array.shape == (3, 5)
    # <eos> is counted; the third line is cut at num_steps and loses its <eos>.
    assert valid_len.asnumpy().tolist() == [5, 3, 5]
    rows = array.asnumpy().astype(int).tolist()
    assert rows[0] == src[['he', 'is', 'calm', '.', '<eos>']]
    assert rows[1] == src[['go', '!', '<eos>', '<pad>', '<pad>']]
    assert rows[2] == src[['i', 'am', 'home', '.', 'i']]


# -- 9.7 BLEU ---------------------------------------------------------------------

def test_bleu_of_an_exact_copy_is_one():
    assert d2l.bleu('je suis chez moi .', 'je suis chez moi .', 2) == pytest.approx(1.0)
    assert d2l.bleu('va !', 'va !', 2) == pytest.approx(1.0)


def test_bleu_without_overlap_is_zero():
    assert d2l.bleu('bonne nuit', 'il est calme .', 2) == 0.0


def test_bleu_of_an_empty_prediction_is_zero():
    assert d2l.bleu('', 'il est calme .', 2) == 0.0


def test_bleu_of_a_prediction_shorter_than_k_is_zero():
    # One word has no bigram, even if the word itself is right.
    assert d2l.bleu('il', 'il est calme .', 2) == 0.0
    assert d2l.bleu('va !', 'va !', 3) == 0.0


def test_bleu_brevity_penalty_for_a_short_exact_prefix():
    # All n-grams of the prefix match, so only the brevity penalty remains.
    expected = math.exp(1 - 4 / 2)
    assert d2l.bleu('je suis', 'je suis chez moi', 2) == pytest.approx(expected)


def test_bleu_uses_each_reference_ngram_once_and_weights_precisions():
    # p1 = 1, p2 = 2/3, brevity penalty exp(1 - 5/4)
    expected = math.exp(1 - 5 / 4) * (2 / 3) ** 0.25
    assert d2l.bleu('il est calme .', 'il est très calme .', 2) == pytest.approx(expected)
    # The reference has one 'le': the second 'le' of the prediction does not match.
    assert d2l.bleu('le le', 'le chat', 1) == pytest.approx(0.5 ** 0.5)


# -- 9.7 masked loss and model shapes ------------------------------------------------

def test_masked_softmax_ce_loss_toy_values():
    loss = d2l.MaskedSoftmaxCELoss()
    values = loss(np.ones((3, 4, 10)), np.ones((3, 4)), np.array([4, 2, 0]))
    onp.testing.assert_allclose(values.asnumpy(),
                                [math.log(10), math.log(10) / 2, 0], rtol=1e-5)


def test_masked_loss_ignores_predictions_at_padded_positions():
    loss = d2l.MaskedSoftmaxCELoss()
    onp.random.seed(0)
    pred = np.array(onp.random.normal(size=(2, 5, 7)))
    label = np.array([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    changed = pred.copy()
    changed[0, 3:] = 100.0
    changed[1, 2:] = -100.0
    valid = np.array([3, 2])
    onp.testing.assert_allclose(loss(pred, label, valid).asnumpy(),
                                loss(changed, label, valid).asnumpy(), rtol=1e-6)


def test_encoder_and_decoder_shapes():
    npx.random.seed(0)
    encoder = d2l.Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    decoder = d2l.Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
    encoder.initialize()
    decoder.initialize()
    X = np.zeros((4, 7))
    outputs, state = encoder(X)
    assert outputs.shape == (7, 4, 16)
    assert len(state) == 1 and state[0].shape == (2, 4, 16)
    dec_state = decoder.init_state((outputs, state))
    Y_hat, dec_state = decoder(X, dec_state)
    assert Y_hat.shape == (4, 7, 10)
    assert dec_state[0][0].shape == (2, 4, 16) and dec_state[1].shape == (4, 16)


def test_decoder_step_by_step_matches_one_call_on_the_whole_sequence():
    src, tgt = toy_vocabs()
    net = tiny_model(src, tgt)
    X = np.array([src[['he', 'is', 'calm', '.', '<eos>']]])
    Y = np.array([tgt[['<bos>', 'il', 'est', 'calme', '.']]])
    start = net.decoder.init_state(net.encoder(X))
    whole, _ = net.decoder(Y, start)
    state, steps = start, []
    for t in range(Y.shape[1]):
        out, state = net.decoder(Y[:, t:t + 1], state)
        steps.append(out)
    onp.testing.assert_allclose(np.concatenate(steps, axis=1).asnumpy(),
                                whole.asnumpy(), rtol=1e-4, atol=1e-5)


# -- 9.8 beam search ---------------------------------------------------------------

def test_beam_search_with_beam_size_one_is_greedy_search():
    src, tgt = toy_vocabs()
    device = d2l.try_gpu()
    for seed in (0, 1, 2):
        net = tiny_model(src, tgt, seed)
        for sentence in TOY_SOURCES:
            greedy, _ = d2l.predict_seq2seq(net, sentence, src, tgt, 6, device)
            beam, score = d2l.predict_seq2seq_beam(net, sentence, src, tgt, 6, device,
                                                   beam_size=1)
            assert beam == greedy
            assert score < 0


def test_beam_search_score_is_the_length_normalized_log_probability():
    src, tgt = toy_vocabs()
    net = tiny_model(src, tgt, seed=3)
    device = d2l.try_gpu()
    num_steps, alpha = 6, 0.75
    translation, score = d2l.predict_seq2seq_beam(net, 'we lost .', src, tgt, num_steps,
                                                  device, beam_size=3, alpha=alpha)
    # Re-score the returned tokens with teacher forcing.
    tokens = tgt[translation.split()] if translation else []
    state = d2l._encode_source(net, 'we lost .', src, num_steps, device)
    inputs = [tgt['<bos>']] + tokens
    Y_hat, _ = net.decoder(np.array([inputs]), state)
    log_probs = npx.log_softmax(Y_hat[0]).asnumpy()
    targets = tokens + [tgt['<eos>']]
    if len(tokens) == num_steps:   # cut off: no <eos> was emitted
        targets = tokens
    logp = sum(log_probs[t, token] for t, token in enumerate(targets))
    assert score == pytest.approx(logp / (len(tokens) + 1) ** alpha, rel=1e-4)


def test_an_exhaustive_beam_never_scores_below_greedy_search():
    src, tgt = toy_vocabs()
    net = tiny_model(src, tgt, seed=4)
    device = d2l.try_gpu()
    num_steps = 2
    for sentence in TOY_SOURCES:
        _, greedy_score = d2l.predict_seq2seq_beam(net, sentence, src, tgt, num_steps,
                                                   device, beam_size=1)
        # With |vocab|**2 candidates kept, nothing of length <= 2 is ever dropped:
        # the search is exhaustive and finds the best normalized score.
        _, best_score = d2l.predict_seq2seq_beam(net, sentence, src, tgt, num_steps,
                                                 device, beam_size=len(tgt) ** 2)
        assert best_score >= greedy_score - 1e-6


def test_copy_state_copies_lists_but_shares_arrays():
    a, b = np.zeros(2), np.ones(2)
    state = [[a], b]
    copy = d2l._copy_state(state)
    assert copy == state and copy is not state and copy[0] is not state[0]
    assert copy[0][0] is a and copy[1] is b
