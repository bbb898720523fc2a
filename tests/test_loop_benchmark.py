"""The capped workloads of the loop benchmark run a page's own code under the
caps of its stored run, so that the original edition's package can be asked
what it reaches on the same budget: the caps must be the page's, and they must
reach the loader and the loop."""
import json
import types

import pytest
from booktools import loop_benchmark, paths


@pytest.mark.parametrize('name', sorted(loop_benchmark.CAPPED_PAGES))
def test_a_capped_workload_is_the_page_code_under_the_page_caps(name):
    page = loop_benchmark.CAPPED_PAGES[name]
    header = json.loads((paths.root() / f'{page}.ipynb').read_text())['metadata']['d2l']
    preamble = loop_benchmark.caps_preamble(header)
    script = loop_benchmark.workload(name)
    assert script.startswith(preamble)
    assert 'train_ch6(' in script.rstrip().splitlines()[-1]  # stops after the training cell

    calls = {}
    d2l = types.SimpleNamespace(
        load_data_fashion_mnist=lambda batch_size, resize=None: calls.update(resize=resize) or ([], []),
        train_ch6=lambda net, train, test, num_epochs, lr, device: calls.update(epochs=num_epochs))
    exec(preamble, {'d2l': d2l})
    d2l.train_ch6(None, *d2l.load_data_fashion_mnist(128, resize=96), 10, 0.1, None)
    assert calls['epochs'] == header['max_epochs']
    assert calls['resize'] == min(96, header.get('max_image_size') or 96)


def test_a_page_that_caps_examples_is_refused():
    with pytest.raises(ValueError):
        loop_benchmark.caps_preamble({'max_epochs': 2, 'max_examples': 1000})
