"""URL matching with Werkzeug's own router, so a test URL picks the rule Flask would.

Werkzeug is imported on first use: most flake8 runs check files that never need it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from werkzeug.routing import MapAdapter

    from flake8_flask_close.routes.index import LinkedRoute

_CONVERTER = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^>]*\))?:)?[a-zA-Z_][a-zA-Z0-9_]*>")


@dataclass(frozen=True)
class Match:
    route: Optional[LinkedRoute]
    """The matched route; None for a redirect (strict slashes) we don't follow."""
    arguments: dict[str, Any]
    redirect_to: Optional[str] = None


@functools.cache
def _router_types() -> tuple[type, type]:
    """(a Rule that only matches, a converter for unknown converter names)."""
    from werkzeug.routing import BaseConverter, Map, Rule

    class MatchingRule(Rule):
        """A rule we only match against: compiling its URL builder (Werkzeug does it for
        every rule) is most of the cost of a big map, and we never build URLs."""

        def _compile_builder(self, append_unknown: bool = True) -> Any:
            def never_built(*args: Any, **kwargs: Any) -> tuple[str, str]:
                raise NotImplementedError("flake8-flask-close matches URLs, never builds them")

            return never_built

    class PermissiveConverter(BaseConverter):
        """Stands in for a project's custom converter: any one path segment."""

        def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
            super().__init__(url_map)

    return MatchingRule, PermissiveConverter


class RouteMap:
    def __init__(self, routes: Sequence[LinkedRoute]) -> None:
        from werkzeug.routing import Map

        matching_rule, permissive = _router_types()
        self.routes = list(routes)
        converters: dict[str, type] = {}
        rules: list[Any] = []
        for i, route in enumerate(self.routes):
            if route.rule is None or not route.rule.startswith("/"):
                continue
            for conv in _CONVERTER.findall(route.rule):
                if conv and conv not in Map.default_converters:
                    converters[conv] = permissive
            methods = sorted(route.methods) if route.methods else ["GET"]
            try:
                rules.append(matching_rule(route.rule, endpoint=str(i), methods=methods))
            except (ValueError, TypeError, LookupError, AssertionError):
                continue
        self._adapter: Optional[MapAdapter] = None
        try:
            url_map = Map(converters=converters)
            for rule in rules:
                try:
                    url_map.add(rule)
                except (ValueError, TypeError, LookupError, AssertionError):
                    continue  # malformed rule syntax: Flask would refuse it too
            self._adapter = url_map.bind("localhost", "/")
        except Exception:  # a router we can't build matches nothing
            self._adapter = None

    def match(self, path: str, method: str) -> Optional[Match]:
        from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
        from werkzeug.routing import RequestRedirect

        if self._adapter is None:
            return None
        try:
            endpoint, args = self._adapter.match(path, method=method)
        except RequestRedirect as redirect:
            return Match(None, {}, redirect_to=redirect.new_url)
        except (NotFound, MethodNotAllowed):
            return None
        except (HTTPException, ValueError, LookupError, TypeError):
            return None
        return Match(self.routes[int(endpoint)], dict(args))
