"""The framework-neutral aliases at the end of d2l (appendix 19.7).

Code shared between the book's editions calls them as ``d2l.reshape(x, shape)``
and so on; each must do exactly what the MXNet operation it stands for does.
"""
import numpy as onp
import pytest
from d2l import mxnet as d2l
from mxnet import np, npx

npx.set_np()

ALIASES = ['size', 'transpose', 'ones', 'zeros', 'arange', 'meshgrid', 'sin', 'sinh',
           'cos', 'cosh', 'tanh', 'linspace', 'exp', 'log', 'tensor', 'normal', 'rand',
           'matmul', 'int32', 'float32', 'concat', 'stack', 'abs', 'eye', 'numpy',
           'reshape', 'to', 'reduce_sum', 'argmax', 'astype']


def test_all_thirty_aliases_are_exported():
    assert len(ALIASES) == 30
    missing = [name for name in ALIASES if name not in d2l.__all__]
    assert not missing


@pytest.mark.parametrize('name, mxnet_function', [
    ('ones', np.ones), ('zeros', np.zeros), ('arange', np.arange),
    ('meshgrid', np.meshgrid), ('sin', np.sin), ('sinh', np.sinh), ('cos', np.cos),
    ('cosh', np.cosh), ('tanh', np.tanh), ('linspace', np.linspace), ('exp', np.exp),
    ('log', np.log), ('tensor', np.array), ('normal', np.random.normal),
    ('rand', np.random.rand), ('matmul', np.dot), ('concat', np.concatenate),
    ('stack', np.stack), ('abs', np.abs), ('eye', np.eye),
    ('int32', np.int32), ('float32', np.float32)])
def test_function_aliases_are_mxnets_own(name, mxnet_function):
    assert getattr(d2l, name) is mxnet_function


def test_elementwise_aliases_compute_mxnet_results():
    x = d2l.linspace(0.5, 2, 4)
    for name in ['sin', 'sinh', 'cos', 'cosh', 'tanh', 'exp', 'log', 'abs']:
        expected = getattr(onp, name)(x.asnumpy())
        onp.testing.assert_allclose(getattr(d2l, name)(x).asnumpy(), expected, rtol=1e-6)


def test_method_aliases_match_the_array_methods():
    X = d2l.reshape(d2l.arange(6, dtype=d2l.float32), (2, 3))
    assert X.shape == (2, 3)
    assert d2l.reshape(X, -1).shape == (6,)
    assert d2l.size(X) == 6
    assert d2l.transpose(X).shape == (3, 2)
    onp.testing.assert_array_equal(d2l.transpose(X).asnumpy(), X.asnumpy().T)
    assert float(d2l.reduce_sum(X)) == 15
    assert d2l.reduce_sum(X, axis=0).tolist() == [3, 5, 7]
    assert d2l.argmax(X, axis=1).tolist() == [2, 2]
    assert d2l.astype(X, 'int32').dtype == onp.int32
    assert isinstance(d2l.numpy(X), onp.ndarray)
    onp.testing.assert_array_equal(d2l.numpy(X), X.asnumpy())
    Y = d2l.to(X, npx.cpu())
    assert Y.ctx == npx.cpu() and Y.tolist() == X.tolist()


def test_matmul_concat_stack_follow_numpy():
    A = d2l.tensor([[1., 2.], [3., 4.]])
    assert d2l.matmul(A, d2l.eye(2)).tolist() == A.tolist()
    assert d2l.concat([A, A], axis=0).shape == (4, 2)
    assert d2l.stack([A, A]).shape == (2, 2, 2)
