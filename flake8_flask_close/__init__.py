"""flake8-flask-close: Flask file responses that tests never close, or views close too early."""

__version__ = "0.1.0"
