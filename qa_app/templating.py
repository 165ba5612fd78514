"""The Jinja template class the app renders with.

GOV.UK Frontend's macros import their sub-macros (label, hint, error message, fieldset…)
inside each macro body, so a page of 24 questions runs `{% from … import … %}` more than a
thousand times. For each of those Jinja 3.1 asks which of the caller's globals the imported
template lacks, as `ctx.globals_keys - self.globals.keys()`: a set minus a `ChainMap`'s keys
view, which Python answers by testing every key against every map of the chain one at a time.
On the 120-question assessment's recording page that was about a third of the page's time.

`Template._get_default_module` below asks the same question with one C-level
`set.difference` over the chain's maps, which gives the same keys, and otherwise leaves
Jinja's behaviour as it is (a template imported where there are new globals still gets a
module of its own, not the cached one).
"""

from __future__ import annotations

from collections import ChainMap
from typing import Any

import jinja2


class Template(jinja2.Template):
    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None and not self.environment.is_async:
            maps = self.globals.maps if isinstance(self.globals, ChainMap) else (self.globals,)
            if not ctx.globals_keys.difference(*maps):
                if self._module is None:
                    self._module = self.make_module()
                return self._module
        return super()._get_default_module(ctx)
