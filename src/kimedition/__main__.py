"""``python -m kimedition``."""

from .cli import main

main()
