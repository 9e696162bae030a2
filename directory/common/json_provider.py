"""JSON answers written by orjson: a page of 100 dates in ~0.1 ms rather than ~1 ms.

The same JSON as Flask's own provider gives (keys sorted, compact, indented in debug;
dates, UUIDs, dataclasses and lazy texts as Flask writes them), except that text
outside ASCII is written as UTF-8 rather than escaped: "Gårdsten", not "G\\u00e5rdsten"."""

import orjson
from flask.json.provider import DefaultJSONProvider, _default

OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
           | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider, writing with orjson."""

    def dumps(self, obj, **kwargs):
        if set(kwargs) - {"indent", "separators"}:
            return super().dumps(obj, **kwargs)
        return self.encode(obj, indent=bool(kwargs.get("indent"))).decode()

    def encode(self, obj, indent=False):
        """`obj` as JSON bytes."""
        return orjson.dumps(obj, default=_default,
                            option=OPTIONS | (orjson.OPT_INDENT_2 if indent else 0))

    def response(self, *args, **kwargs):
        obj = self._prepare_response_obj(args, kwargs)
        indent = (self.compact is None and self._app.debug) or self.compact is False
        return self._app.response_class(self.encode(obj, indent) + b"\n",
                                        mimetype=self.mimetype)
