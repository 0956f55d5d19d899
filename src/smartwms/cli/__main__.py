"""``python -m smartwms.cli``: the same as the ``smartwms`` console script."""

from smartwms.cli import main

main()
