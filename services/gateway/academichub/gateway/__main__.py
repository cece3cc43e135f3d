"""``python -m academichub.gateway``: serve the gateway."""

from academichub.gateway.bootstrap import main

main()
