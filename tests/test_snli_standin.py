"""The SNLI stand-in of section 15.4 (d2l.snli_standin) and the readers around it.

A small build (a few hundred premises per split) is enough for every check
except the default sizes, which are checked on the real call once.
"""
import collections
import os

import pytest
from d2l import mxnet as d2l

HEADER = ['gold_label', 'sentence1_binary_parse', 'sentence2_binary_parse',
          'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2',
          'captionID', 'pairID', 'label1', 'label2', 'label3', 'label4', 'label5']
LABELS = {'entailment', 'contradiction', 'neutral'}
SMALL = (300, 40, 120)


def _build(folder, **kwargs):
    os.makedirs(folder)
    d2l.snli_standin(str(folder), **{'num_premises': SMALL, **kwargs})
    return str(folder)


def _rows(folder, split):
    with open(os.path.join(folder, f'snli_1.0_{split}.txt'), encoding='utf-8') as f:
        lines = f.read().split('\n')
    assert lines[-1] == ''  # every row ends with a newline
    return [line.split('\t') for line in lines[:-1]]


def _strip(parse):
    return ' '.join(parse.replace('(', ' ').replace(')', ' ').split())


@pytest.fixture(scope='module')
def small(tmp_path_factory):
    return _build(tmp_path_factory.mktemp('snli') / 'snli_1.0')


def test_files_and_header_are_those_of_snli(small):
    assert sorted(os.listdir(small)) == ['snli_1.0_dev.txt', 'snli_1.0_test.txt',
                                         'snli_1.0_train.txt']
    for split in ('train', 'dev', 'test'):
        rows = _rows(small, split)
        assert rows[0] == HEADER
        assert all(len(row) == len(HEADER) for row in rows)


def test_rows_are_consistent_with_themselves(small):
    for split in ('train', 'dev', 'test'):
        for row in _rows(small, split)[1:]:
            gold, bin1, bin2, parse1, parse2, sent1, sent2, caption, pair = row[:9]
            votes = [v for v in row[9:] if v]
            assert gold in LABELS | {'-'}
            assert set(votes) <= LABELS and len(votes) in (1, 5)
            if gold == '-':  # annotators disagreed: no label has three votes
                assert len(votes) == 5
                assert max(collections.Counter(votes).values()) < 3
            else:
                assert collections.Counter(votes)[gold] >= (3 if len(votes) == 5 else 1)
            # The binary parse is balanced, binary, and holds the sentence's tokens
            for parse, sentence in ((bin1, sent1), (bin2, sent2)):
                assert parse.count('(') == parse.count(')')
                assert parse.startswith('( ') and parse.endswith(' )')
                assert _strip(parse).replace(' .', '.') == sentence
                assert sentence[0].isupper() and sentence.endswith('.')
            assert parse1.startswith('(ROOT ') and parse2.startswith('(ROOT ')
            assert pair.startswith(caption) and caption.split('#')[0].endswith('.jpg')


def test_read_snli_drops_unlabeled_pairs_and_numbers_the_labels(small):
    for is_train, split in ((True, 'train'), (False, 'test')):
        rows = _rows(small, split)[1:]
        kept = [row for row in rows if row[0] != '-']
        assert len(kept) < len(rows) or split == 'train'  # the test split has '-' rows
        premises, hypotheses, labels = d2l.read_snli(small, is_train)
        assert len(premises) == len(hypotheses) == len(labels) == len(kept)
        number = {'entailment': 0, 'contradiction': 1, 'neutral': 2}
        assert labels == [number[row[0]] for row in kept]
        assert premises == [_strip(row[1]) for row in kept]
        assert hypotheses == [_strip(row[2]) for row in kept]
        assert all('(' not in s and '  ' not in s for s in premises + hypotheses)


def test_every_premise_has_one_hypothesis_per_label_and_labels_balance(small):
    for is_train in (True, False):
        premises, _, labels = d2l.read_snli(small, is_train)
        by_premise = collections.defaultdict(list)
        for premise, label in zip(premises, labels):
            by_premise[premise].append(label)
        assert all(sorted(found) == [0, 1, 2] for found in by_premise.values())
        counts = collections.Counter(labels)
        assert counts[0] == counts[1] == counts[2] == len(labels) // 3


def test_splits_share_no_premise(small):
    premises = {split: {row[5] for row in _rows(small, split)[1:]}
                for split in ('train', 'dev', 'test')}
    assert not premises['train'] & premises['test']
    assert not premises['train'] & premises['dev']
    assert not premises['dev'] & premises['test']
    assert len(premises['train']) == SMALL[0]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a = _build(tmp_path / 'a', num_premises=(50, 5, 20))
    b = _build(tmp_path / 'b', num_premises=(50, 5, 20))
    c = _build(tmp_path / 'c', num_premises=(50, 5, 20), seed=1)
    for name in os.listdir(a):
        data = open(os.path.join(a, name), 'rb').read()
        assert data == open(os.path.join(b, name), 'rb').read()
        assert data != open(os.path.join(c, name), 'rb').read()


def test_labels_follow_the_meaning_of_a_few_hand_made_claims():
    scene = dict(concept='puppy', kind='animal', count=2, action='swimming',
                 adj='wet', wear=None, fur='brown', place='lake', purpose=None)
    assert d2l._snli_noun_rel('puppy', 'animal') == 'E'
    assert d2l._snli_noun_rel('animal', 'puppy') == 'N'
    assert d2l._snli_noun_rel('puppy', 'cat') == 'C'
    assert d2l._snli_noun_rel('man', 'doctor') == 'N'
    assert d2l._snli_action_rel('swimming', 'moving') == 'E'
    assert d2l._snli_action_rel('swimming', 'sleeping') == 'C'
    assert d2l._snli_action_rel('playing the violin', 'playing an instrument') == 'E'
    assert d2l._snli_action_rel('reading a book', 'sitting') == 'N'
    assert d2l._snli_action_rel('running', 'sitting on a chair') == 'C'
    assert d2l._snli_place_rel(scene, 'outside') == 'E'
    assert d2l._snli_place_rel(scene, 'kitchen') == 'C'
    assert d2l._snli_place_rel(dict(scene, place=None), 'park') == 'N'
    assert d2l._snli_adj_rel(scene, 'dry') == 'C'
    assert d2l._snli_combine(['E', 'N', 'E']) == 'N'
    assert d2l._snli_combine(['E', 'N', 'C']) == 'C'
    assert d2l._snli_combine(['E', 'E']) == 'E'


def test_no_single_word_decides_the_label(small):
    """'not', 'outside' and 'someone' occur under every label."""
    _, hypotheses, labels = d2l.read_snli(small, True)
    for word in ('not', 'outside', 'Someone'):
        found = {y for h, y in zip(hypotheses, labels) if word in h.split()}
        assert found == {0, 1, 2}, word


def test_default_build_sizes_and_load_data_snli(tmp_path, monkeypatch):
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'cache'))
    monkeypatch.delenv('D2L_DATA_MIRROR', raising=False)
    monkeypatch.setitem(d2l.DATA_HUB, 'SNLI', ('http://127.0.0.1:9/snli_1.0.zip',
                                               '0' * 40))
    monkeypatch.setenv('D2L_PROFILE', 'full')
    train_iter, test_iter, vocab = d2l.load_data_snli(128, 50)
    folder = os.path.join(tmp_path, 'cache', 'standin', 'snli_1.0')
    assert len(_rows(folder, 'train')) - 1 >= 3 * 17000
    assert len(train_iter._dataset) >= 50000 and len(test_iter._dataset) >= 5000
    assert 200 < len(vocab) < 1000 and vocab.idx_to_token[:2] == ['<unk>', '<pad>']
    (premises, hypotheses), labels = next(iter(train_iter))
    assert premises.shape == hypotheses.shape == (128, 50) and labels.shape == (128,)
