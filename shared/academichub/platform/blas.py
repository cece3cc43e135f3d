"""How many threads BLAS (numpy's matrix products) may use in this process.

Set once by the process's composition root, before the first matrix product: the
embedding model and the semantic radar scores are matrix products, and an OpenBLAS
left to itself starts one thread per core in every process, so replicas scaled by
count would fight over the same cores. One thread per worker process is the rule;
operators scale embedding and matching by replicas.

threadpoolctl sets the limit at run time on the BLAS library numpy actually loaded
(OpenBLAS, MKL or BLIS), which an environment variable such as OPENBLAS_NUM_THREADS
cannot guarantee once numpy is imported.
"""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits

__all__ = ["blas_threads", "limit_blas_threads"]


def limit_blas_threads(threads: int = 1) -> None:
    """Let BLAS use at most ``threads`` threads in this process from now on."""
    if threads < 1:
        raise ValueError("BLAS needs at least one thread")
    threadpool_limits(limits=threads, user_api="blas")


def blas_threads() -> int:
    """The most threads any loaded BLAS library may use now (0 if none is loaded)."""
    return max(
        (int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"),
        default=0,
    )
