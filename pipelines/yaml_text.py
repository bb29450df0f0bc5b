"""YAML of contracts, territories and indicators, parsed with libyaml's C loader.

Every refresh, `inspect` and the no-op check read about 50 YAML files; the pure-Python loader
takes most of a second for them, the C loader (shipped in PyYAML's wheel) a tenth of that.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Safe-load YAML text (plain data only, as yaml.safe_load)."""
    return yaml.load(text, Loader=_LOADER)
