"""HTTP routes, one module per area. Routes decode, call the store or a pure function,
and encode; failures are raised and mapped to responses in :mod:`..errors`."""
