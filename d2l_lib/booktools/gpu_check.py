"""Gate for `make test-gpu` (python -m booktools.gpu_check): run the notebook suite on a GPU, or say why not.

Exit 0 when MXNet sees at least one GPU; otherwise exit 3 with what to do.
A reader's GPU machine needs the CUDA build of MXNet that matches its driver,
e.g. `pip install mxnet-cu112==1.9.1` in place of `mxnet==1.9.1`.
"""
import sys


def main():
    try:
        from mxnet import npx
        count = npx.num_gpus()
    except Exception as err:  # a CUDA build without a driver fails here
        count, why = 0, f' (MXNet could not query CUDA: {err})'
    else:
        why = ''
    if count == 0:
        print('test-gpu: MXNet sees no GPU (npx.num_gpus() == 0)' + why + '.\n'
              '  On a machine with an NVIDIA GPU, install the CUDA build of MXNet that matches\n'
              '  the driver, e.g. `.venv/bin/pip install mxnet-cu112==1.9.1` (CUDA 11.2),\n'
              '  then run `make test-gpu` (python -m booktools.gpu_check) again. Without a GPU, use `make test`.',
              file=sys.stderr)
        return 3
    print(f'test-gpu: {count} GPU(s) visible; the pages will run on gpu(0) via d2l.try_gpu()')
    return 0


if __name__ == '__main__':
    sys.exit(main())
