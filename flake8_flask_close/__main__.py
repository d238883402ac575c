import sys

from flake8_flask_close.cli import main

sys.exit(main())
