"""``python -m stemkg``."""

from stemkg.cli import main

main()
