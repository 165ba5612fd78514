"""The app's Jinja template class answers imports as Jinja does, without the slow key test."""

from __future__ import annotations

from collections import ChainMap

import jinja2
import pytest

from qa_app.templating import Template

MACROS = "{% macro hello(name) %}Hello {{ name }}{% if extra is defined %} {{ extra }}{% endif %}{% endmacro %}"
PAGE = "{% from 'macros.html' import hello %}{% for n in names %}{{ hello(n) }};{% endfor %}"


def _environment(template_class: type[jinja2.Template]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"macros.html": MACROS, "page.html": PAGE}),
        autoescape=True,
    )
    env.template_class = template_class
    env.globals.update({f"g{n}": n for n in range(30)})
    return env


@pytest.mark.parametrize("names", [["Ann"], ["Ann", "Bo", "<b>"]])
def test_pages_render_exactly_as_with_jinjas_own_template(names):
    ours = _environment(Template).get_template("page.html").render(names=names)
    theirs = _environment(jinja2.Template).get_template("page.html").render(names=names)
    assert ours == theirs
    assert "Hello &lt;b&gt;" in ours or "<b>" not in names


def test_an_import_with_no_new_globals_reuses_the_one_module_without_testing_key_by_key(
    monkeypatch,
):
    env = _environment(Template)
    macros = env.get_template("macros.html")
    calls = []
    real = ChainMap.__contains__
    monkeypatch.setattr(
        ChainMap, "__contains__", lambda self, key: calls.append(key) or real(self, key)
    )
    page = env.get_template("page.html")
    assert page.render(names=["Ann"] * 200) == "Hello Ann;" * 200
    assert macros._module is not None
    first = macros._get_default_module(page.new_context())
    assert first is macros._get_default_module(page.new_context())
    # Jinja's own test walks the caller's ~36 globals against the chain on every import.
    assert calls == []


def test_a_template_with_globals_of_its_own_still_gives_its_imports_a_module_that_sees_them():
    env = _environment(Template)
    page = env.get_template("page.html", globals={"extra": "and welcome"})
    env.get_template("macros.html")._get_default_module()  # cached, made without them
    assert page.render(names=["Ann"]) == "Hello Ann and welcome;"
