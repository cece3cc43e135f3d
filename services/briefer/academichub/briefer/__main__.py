"""``python -m academichub.briefer``: run one briefer process."""

from academichub.briefer.bootstrap import main

main()
