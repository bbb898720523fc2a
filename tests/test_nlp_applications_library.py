"""Behaviour of chapter 15's library code: the IMDb and SNLI readers, the SNLI
dataset, splitting two-input minibatches, and the two predict functions.
The generated SNLI stand-in has its own tests (test_snli_standin.py)."""
import inspect

import pytest
from d2l import mxnet as d2l
from mxnet import gluon, np, npx

npx.set_np()


@pytest.mark.parametrize('name, parameters', [
    ('read_imdb', '(data_dir, is_train)'),
    ('load_data_imdb', '(batch_size, num_steps=500)'),
    ('predict_sentiment', '(net, vocab, sequence)'),
    ('read_snli', '(data_dir, is_train)'),
    ('load_data_snli', '(batch_size, num_steps=50)'),
    ('split_batch_multi_inputs', '(X, y, devices)'),
    ('predict_snli', '(net, vocab, premise, hypothesis)'),
])
def test_saved_names_keep_the_original_signatures(name, parameters):
    assert str(inspect.signature(getattr(d2l, name))) == parameters


def test_snli_dataset_signature_and_data_hub_entries():
    assert str(inspect.signature(d2l.SNLIDataset)) == '(dataset, num_steps, vocab=None)'
    assert d2l.DATA_HUB['SNLI'][1] == '9fcde07509c7e87ec61c640c1b2753d9041758e4'
    assert d2l.DATA_HUB['aclImdb'][0].endswith('aclImdb_v1.tar.gz')


def write_review(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding='utf-8')


def test_read_imdb_reads_positive_then_negative_in_sorted_order(tmp_path):
    for split in ('train', 'test'):
        write_review(tmp_path / split / 'pos', '2_9.txt', f'{split} good\nfilm')
        write_review(tmp_path / split / 'pos', '10_8.txt', 'fine')
        write_review(tmp_path / split / 'neg', '1_1.txt', 'awful')
    texts, labels = d2l.read_imdb(str(tmp_path), is_train=True)
    # Sorted file names ('10_8' < '2_9'), positives first, newlines removed
    assert texts == ['fine', 'train goodfilm', 'awful']
    assert labels == [1, 1, 0]
    texts, _ = d2l.read_imdb(str(tmp_path), is_train=False)
    assert texts[1] == 'test goodfilm'


def test_snli_dataset_pads_truncates_and_reuses_a_vocabulary(capsys):
    premises = ['a man runs'] * 5 + ['two dogs sleep in the sun']
    hypotheses = ['a person moves'] * 5 + ['dogs sleep']
    train = d2l.SNLIDataset((premises, hypotheses, [0] * 5 + [2]), num_steps=4)
    assert 'read 6 examples' in capsys.readouterr().out
    vocab = train.vocab
    # Only tokens seen at least 5 times get their own index
    assert set(vocab.idx_to_token) == {'<unk>', '<pad>', 'a', 'man', 'runs',
                                       'person', 'moves'}
    (premise, hypothesis), label = train[0]
    assert premise.shape == (4,) and hypothesis.shape == (4,)
    assert premise.tolist() == vocab[['a', 'man', 'runs', '<pad>']]
    assert train[5][0][0].tolist() == [vocab['<unk>']] * 4  # cut to 4 tokens
    assert int(train[5][1]) == 2 and len(train) == 6
    test = d2l.SNLIDataset((['a dog runs'], ['a cat'], [1]), 4, vocab)
    assert test.vocab is vocab
    assert test[0][0][0].tolist() == vocab[['a', 'dog', 'runs', '<pad>']]


def test_split_batch_multi_inputs_keeps_inputs_of_an_example_together():
    devices = [npx.cpu(0), npx.cpu(1)]
    premises = np.arange(10).reshape(5, 2)
    hypotheses = np.arange(10, 20).reshape(5, 2)
    y = np.arange(5)
    X_shards, y_shards = d2l.split_batch_multi_inputs([premises, hypotheses], y, devices)
    assert len(X_shards) == len(y_shards) == 2
    rows = 0
    for (p, h), labels, device in zip(X_shards, y_shards, devices):
        assert p.ctx == h.ctx == labels.ctx == device
        assert p.shape[0] == h.shape[0] == labels.shape[0]
        # Row i of each input and label i still belong to the same example
        assert (h - p).tolist() == [[10, 10]] * p.shape[0]
        assert (p[:, 0] / 2).astype('int64').tolist() == labels.astype('int64').tolist()
        rows += p.shape[0]
    assert rows == 5  # an uneven batch is split, not dropped


class FirstTokenVotes(gluon.Block):
    """Scores whose argmax is the index of the first token modulo the classes."""
    def __init__(self, num_classes):
        super().__init__()
        self.num_classes = num_classes
        self.dense = gluon.nn.Dense(1)  # gives the block a parameter (a device)

    def forward(self, X):
        first = (X[0] if isinstance(X, list) else X)[:, 0]
        return npx.one_hot(first.astype('int32') % self.num_classes, self.num_classes)


def test_predict_functions_map_the_argmax_to_label_names():
    vocab = d2l.Vocab([['good', 'bad', 'ok', 'x']])
    net = FirstTokenVotes(2)
    net.initialize(ctx=d2l.try_gpu())
    net.dense(np.zeros((1, 1), ctx=d2l.try_gpu()))
    odd = [t for t in vocab.idx_to_token if vocab[t] % 2 == 1][0]
    even = [t for t in vocab.idx_to_token if vocab[t] % 2 == 0][0]
    assert d2l.predict_sentiment(net, vocab, f'{odd} x') == 'positive'
    assert d2l.predict_sentiment(net, vocab, f'{even} x') == 'negative'
    net3 = FirstTokenVotes(3)
    net3.initialize(ctx=d2l.try_gpu())
    net3.dense(np.zeros((1, 1), ctx=d2l.try_gpu()))
    names = {vocab[t] % 3: d2l.predict_snli(net3, vocab, [t, 'x'], ['x'])
             for t in vocab.idx_to_token}
    assert names == {0: 'entailment', 1: 'contradiction', 2: 'neutral'}
