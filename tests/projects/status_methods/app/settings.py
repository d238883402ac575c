import os

STORAGE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, "storage"))
