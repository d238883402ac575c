"""URL matching with Werkzeug's own router, so a test URL picks the rule Flask would."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule

if TYPE_CHECKING:
    from flake8_flask_close.routes.index import LinkedRoute

_CONVERTER = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^>]*\))?:)?[a-zA-Z_][a-zA-Z0-9_]*>")


class PermissiveConverter(BaseConverter):
    """Stands in for a project's custom converter: any one path segment."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map)


@dataclass(frozen=True)
class Match:
    route: Optional[LinkedRoute]
    """The matched route; None for a redirect (strict slashes) we don't follow."""
    arguments: dict[str, Any]
    redirect_to: Optional[str] = None


class RouteMap:
    def __init__(self, routes: Sequence[LinkedRoute]) -> None:
        self.routes = list(routes)
        converters: dict[str, type[BaseConverter]] = {}
        rules: list[Rule] = []
        for i, route in enumerate(self.routes):
            if route.rule is None or not route.rule.startswith("/"):
                continue
            for conv in _CONVERTER.findall(route.rule):
                if conv and conv not in Map.default_converters:
                    converters[conv] = PermissiveConverter
            methods = sorted(route.methods) if route.methods else ["GET"]
            rules.append(Rule(route.rule, endpoint=str(i), methods=methods))
        self._adapter = None
        try:
            url_map = Map(converters=converters)
            for rule in rules:
                try:
                    url_map.add(rule)
                except (ValueError, TypeError, LookupError, AssertionError):
                    continue  # malformed rule syntax: Flask would refuse it too
            self._adapter = url_map.bind("localhost", "/")
        except Exception:
            self._adapter = None

    def match(self, path: str, method: str) -> Optional[Match]:
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
