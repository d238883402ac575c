"""``flake8-flask-close fix``: rewrites what the analysis proves safe to rewrite.

The only package that imports libcst, and only when the ``fix`` command runs: the flake8
plugin never imports it. Decisions are made on the ``ast`` tree the analysis already uses
(``plan``); libcst only carries them out losslessly (``apply``).
"""
