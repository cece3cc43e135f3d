"""The briefer's domain modules import no framework (STYLE.md rule 1)."""

import subprocess
import sys

import pytest

DOMAIN = [
    "academichub.briefer.domain.policy",
    "academichub.briefer.domain.extractive",
    "academichub.briefer.domain.prompt",
    "academichub.briefer.domain.citations",
    "academichub.briefer.domain.draft",
    "academichub.briefer.domain.model",
    "academichub.briefer.domain.tokens",
    "academichub.briefer.domain.structured",
    "academichub.briefer.domain.breaker",
    "academichub.briefer.domain.synthesis",
    "academichub.briefer.domain.summaries",
    "academichub.briefer.domain.budget",
    "academichub.briefer.domain.store_parts",
    "academichub.briefer.domain.composer",
]
FRAMEWORKS = [
    "openai",
    "aiokafka",
    "prometheus_client",
    "httpx",
    "httpx2",
    "tantivy",
    "sqlite3",
]


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_pulls_in_no_framework(module: str) -> None:
    # A fresh interpreter: what this test process already imported must not hide a leak.
    code = f"import sys, {module}; print(','.join(m for m in {FRAMEWORKS!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
