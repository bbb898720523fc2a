"""Helpers for the executable MXNet edition of *Dive into Deep Learning*.

Use it the way the book does::

    from d2l import mxnet as d2l

``d2l.mxnet`` is generated from the pages' ``#@save`` cells by
``d2l_lib/booktools/extract.py`` (``make lib``); ``d2l.profile`` holds the test-profile switch.
"""
__version__ = '0.16.6.post1'
