"""Behaviour of the recommender-system helpers of chapter 16.

Sections: 16.2 MovieLens data (read, split, load, data loaders); the ranking
helpers of 16.5-16.6 follow below their own heading.
"""
import numpy as onp
import pandas as pd
import pytest
from booktools import paths
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()


# -- 16.2 MovieLens 100K: read_data_ml100k, split_data_ml100k, load_data_ml100k,
#         split_and_load_ml100k ----------------------------------------------------

def _toy_ratings():
    """Three users, four items; user 1 ties at its latest time (rows 1 and 2)."""
    return pd.DataFrame(
        [(1, 1, 5, 10), (1, 3, 4, 30), (1, 2, 1, 30), (1, 4, 2, 20),
         (2, 2, 3, 5), (2, 1, 4, 7),
         (3, 4, 2, 50), (3, 3, 5, 40), (3, 1, 3, 45)],
        columns=['user_id', 'item_id', 'rating', 'timestamp'])


@pytest.fixture
def movielens(monkeypatch, tmp_path):
    """Read the real MovieLens 100K from the offline mirror into a fresh cache."""
    mirror = paths.mirror()
    if mirror is None:
        pytest.skip('no offline data mirror: ../shared/data is absent beside the '
                    'checkout and D2L_DATA_MIRROR is not set')
    monkeypatch.setenv('D2L_DATA_MIRROR', str(mirror))
    monkeypatch.setenv('D2L_DATA_DIR', str(tmp_path / 'cache'))
    return d2l.read_data_ml100k()


def test_data_hub_names_the_upstream_archive():
    url, sha1 = d2l.DATA_HUB['ml-100k']
    assert url.endswith('/ml-100k.zip')
    assert sha1 == 'cd4dcac4241c8a4ad7badc7ca635da8a69dddb83'


def test_read_data_ml100k_gives_the_known_counts(movielens):
    data, num_users, num_items = movielens
    assert (len(data), num_users, num_items) == (100000, 943, 1682)
    assert list(data.columns) == ['user_id', 'item_id', 'rating', 'timestamp']
    assert data.user_id.min() == 1 and data.user_id.max() == num_users
    assert data.item_id.min() == 1 and data.item_id.max() == num_items
    assert data.rating.value_counts().sort_index().tolist() == [6110, 11370, 27145, 34174, 21201]
    assert tuple(data.iloc[0]) == (196, 242, 3, 881250949)


def test_random_split_is_a_seeded_partition():
    data = pd.concat([_toy_ratings()] * 200, ignore_index=True)
    npx.random.seed(0)
    train, test = d2l.split_data_ml100k(data, 3, 4, 'random', test_ratio=0.25)
    assert len(train) + len(test) == len(data)
    assert set(train.index).isdisjoint(test.index)
    assert 0.2 < len(test) / len(data) < 0.3
    npx.random.seed(0)
    train2, test2 = d2l.split_data_ml100k(data, 3, 4, 'random', test_ratio=0.25)
    assert train.index.equals(train2.index) and test.index.equals(test2.index)


def test_random_split_of_movielens_has_about_ten_percent_test(movielens):
    data, num_users, num_items = movielens
    npx.random.seed(0)
    train, test = d2l.split_data_ml100k(data, num_users, num_items)
    assert len(train) + len(test) == 100000
    assert set(train.index).isdisjoint(test.index)
    assert 9500 < len(test) < 10500


def test_seq_aware_split_holds_out_each_users_latest_row():
    data = _toy_ratings()
    train, test = d2l.split_data_ml100k(data, 3, 4, 'seq-aware')
    # One test row per user, sorted by user; user 1's tie goes to the first row in the file.
    assert test[['user_id', 'item_id']].values.tolist() == [[1, 3], [2, 1], [3, 4]]
    assert len(train) + len(test) == len(data)
    assert set(train.index).isdisjoint(test.index)
    # Training rows grouped by user, oldest first within each user.
    assert train[['user_id', 'timestamp']].values.tolist() == [
        [1, 10], [1, 20], [1, 30], [2, 5], [3, 40], [3, 45]]


def test_seq_aware_split_of_movielens(movielens):
    data, num_users, num_items = movielens
    train, test = d2l.split_data_ml100k(data, num_users, num_items, 'seq-aware')
    assert (len(train), len(test)) == (99057, 943)
    assert test.user_id.tolist() == list(range(1, num_users + 1))
    last_train = train.groupby('user_id')['timestamp'].max()
    assert (test.set_index('user_id')['timestamp'] >= last_train).all()


def test_unknown_split_mode_is_refused():
    with pytest.raises(ValueError, match='split_mode'):
        d2l.split_data_ml100k(_toy_ratings(), 3, 4, 'by-genre')


def test_load_explicit_gives_zero_based_lists_and_an_item_by_user_matrix():
    data = _toy_ratings()
    users, items, scores, inter = d2l.load_data_ml100k(data, 3, 4)
    assert users == [0, 0, 0, 0, 1, 1, 2, 2, 2]
    assert items == [0, 2, 1, 3, 1, 0, 3, 2, 0]
    assert scores == [5, 4, 1, 2, 3, 4, 2, 5, 3]
    assert inter.shape == (4, 3) and inter.dtype == onp.float32
    # Written out by hand from _toy_ratings: row = item, column = user.
    onp.testing.assert_array_equal(inter.asnumpy(), [[5, 4, 3],
                                                      [1, 3, 0],
                                                      [4, 0, 5],
                                                      [2, 0, 2]])


def test_load_explicit_matrix_holds_hand_picked_ratings_of_u_data(movielens):
    data, num_users, num_items = movielens
    _, _, _, inter = d2l.load_data_ml100k(data, num_users, num_items)
    inter = inter.asnumpy()
    assert inter.shape == (1682, 943)
    # Lines of u.data (user, item, rating): 196 242 3; 22 377 1; 12 203 3;
    # 1 1 5; 1 3 4. Entry (item - 1, user - 1) holds the rating.
    assert inter[241, 195] == 3
    assert inter[376, 21] == 1
    assert inter[202, 11] == 3
    assert inter[0, 0] == 5
    assert inter[2, 0] == 4
    # The transposed positions are unrated pairs (user 242 never rated item 196,
    # user 3 never rated item 1), so a user-by-item layout would fail here.
    assert inter[195, 241] == 0
    assert inter[0, 2] == 0
    assert int((inter > 0).sum()) == 100000


def test_load_implicit_gives_ones_and_a_dictionary_of_items():
    data = _toy_ratings()
    users, items, scores, inter = d2l.load_data_ml100k(data, 3, 4, 'implicit')
    assert scores == [1] * 9
    assert inter == {0: [0, 2, 1, 3], 1: [1, 0], 2: [3, 2, 0]}


def test_load_works_on_columns_without_names_and_refuses_unknown_feedback():
    data = _toy_ratings()
    unnamed = pd.DataFrame(data.values)
    assert d2l.load_data_ml100k(unnamed, 3, 4)[:3] == d2l.load_data_ml100k(data, 3, 4)[:3]
    with pytest.raises(ValueError, match='feedback'):
        d2l.load_data_ml100k(data, 3, 4, 'clicks')


def test_split_and_load_ml100k_batches(movielens, monkeypatch):
    monkeypatch.setenv('D2L_PROFILE', 'full')
    npx.random.seed(0)
    num_users, num_items, train_iter, test_iter = d2l.split_and_load_ml100k(
        'random', batch_size=512)
    assert (num_users, num_items) == (943, 1682)
    n_train = len(train_iter._dataset)
    n_test = len(test_iter._dataset)
    assert n_train + n_test == 100000
    u, i, r = next(iter(train_iter))
    assert u.shape == i.shape == r.shape == (512,)
    assert 0 <= float(u.min()) and float(u.max()) < num_users
    assert 0 <= float(i.min()) and float(i.max()) < num_items
    assert set(onp.unique(r.asnumpy())) <= {1, 2, 3, 4, 5}
    assert n_train == 90151  # the seeded random split of the page
    # 'rollover': every batch is full, and the n_train % 512 = 39 examples left
    # over after one epoch open the next one ('discard' would drop them and
    # 'keep' would serve them as a short last batch). Within the training set
    # a (user, item) pair identifies a rating, so pairs identify examples.
    def pairs(batch):
        return list(zip(batch[0].asnumpy().astype(int).tolist(),
                        batch[1].asnumpy().astype(int).tolist()))
    epoch1 = [pairs(batch) for batch in train_iter]
    assert all(len(b) == 512 for b in epoch1) and len(epoch1) == n_train // 512
    served = set(p for b in epoch1 for p in b)
    assert len(served) == 512 * len(epoch1)
    assert n_train - len(served) == n_train % 512 == 39
    # The next epoch opens with 39 distinct examples that the first one never
    # served, so together the two account for every training example.
    left_over = set(pairs(next(iter(train_iter)))[:39])
    assert len(left_over) == 39 and left_over.isdisjoint(served)
    # The default is the sequence-aware split with one test rating per user.
    _, _, _, seq_test = d2l.split_and_load_ml100k(batch_size=256)
    assert len(seq_test._dataset) == 943


@pytest.mark.parametrize('profile, n_train', [('smoke', 1280), ('lite', 8192)])
def test_split_and_load_ml100k_slices_training_data_in_capped_profiles(
        movielens, monkeypatch, profile, n_train):
    monkeypatch.setenv('D2L_PROFILE', profile)
    monkeypatch.delenv('D2L_MAX_EXAMPLES', raising=False)
    npx.random.seed(0)  # 90151 training and 9849 test ratings before slicing
    _, _, train_iter, test_iter = d2l.split_and_load_ml100k('random', batch_size=256)
    # smoke: five batches of 256; lite: its default cap of 8192 examples.
    assert len(train_iter._dataset) == n_train
    assert len(test_iter._dataset) == 9849  # the test set stays whole
