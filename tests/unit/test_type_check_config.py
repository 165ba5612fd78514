"""The domain is type-checked as `mypy --strict` would check it.

`strict` cannot be set for some modules only, so pyproject.toml lists the flags it turns on for
`qa_app.domain`. This keeps that list equal to what the pinned mypy means by strict, so a mypy
that adds a flag to `--strict` makes this fail rather than leave the domain less strict.
"""

from pathlib import Path

from mypy.main import process_options
from mypy.options import Options

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _flags(options: Options) -> dict[str, object]:
    names = [n for n in dir(options) if not n.startswith("_")]
    return {n: getattr(options, n) for n in names if not callable(getattr(options, n))}


def _strict_flags() -> dict[str, object]:
    """Each option `--strict` changes, with the value it sets."""
    _, plain = process_options(["--config-file=", "x.py"])
    _, strict = process_options(["--config-file=", "--strict", "x.py"])
    before, after = _flags(plain), _flags(strict)
    return {name: value for name, value in after.items() if before[name] != value}


def test_every_domain_module_gets_every_strict_flag():
    strict = _strict_flags()
    assert "disallow_untyped_defs" in strict  # the comparison found mypy's strict flags
    _, configured = process_options([f"--config-file={PYPROJECT}", "x.py"])
    for module in ("qa_app.domain", "qa_app.domain.ratings", "qa_app.domain.some_new_module"):
        effective = _flags(configured.clone_for_module(module))
        missing = {n: v for n, v in strict.items() if effective[n] != v}
        assert missing == {}, f"{module} is not checked with these strict flags: {missing}"


def test_the_rest_of_qa_app_is_not_made_strict_by_accident():
    _, configured = process_options([f"--config-file={PYPROJECT}", "x.py"])
    assert not configured.clone_for_module("qa_app.web.filters").disallow_untyped_defs
