#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# validate_events.py: check JSON lines (ebph -j, the events file, the
# journal's EBPH_JSON) against docs/events.schema.json with Debian's
# python3-jsonschema. Usage: validate_events.py SCHEMA FILE...
# Prints one line per invalid object and a closing count; exit 1 if any.
import json
import sys

import jsonschema


def schema_types(schema):
    """The kinds the schema describes, checked for agreement of its three lists."""
    defs = {k for k in schema["$defs"] if not k.startswith("_")}
    enum = set(schema["properties"]["type"]["enum"])
    dispatch = {c["if"]["properties"]["type"]["const"] for c in schema["allOf"]}
    for name, got in (("the type enum", enum), ("the if/then list", dispatch)):
        if got != defs:
            sys.exit("%s: $defs and %s differ: %s" % (sys.argv[1], name,
                     sorted(got ^ defs)))
    return defs


def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    types = schema_types(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    bad = good = 0
    seen = {}
    for name in sys.argv[2:]:
        with open(name, encoding="utf-8", errors="surrogateescape") as f:
            for n, line in enumerate(f, 1):
                where = "%s:%d" % (name, n)
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    print("%s: not JSON: %s" % (where, e))
                    bad += 1
                    continue
                kind = obj.get("type") if isinstance(obj, dict) else None
                if kind not in types:
                    print("%s: event type %r is not in %s: add a $defs entry named "
                          "after it and its if/then line" % (where, kind, sys.argv[1]))
                    bad += 1
                    continue
                err = jsonschema.exceptions.best_match(validator.iter_errors(obj))
                if err is not None:
                    path = "/".join(str(p) for p in err.absolute_path) or "(object)"
                    print("%s: %s: %s: %s" % (where, kind, path, err.message))
                    bad += 1
                    continue
                good += 1
                seen[kind] = seen.get(kind, 0) + 1
    print("%d valid, %d invalid; types: %s" % (good, bad, " ".join(
        "%s=%d" % kv for kv in sorted(seen.items()))))
    return 1 if bad or not good else 0


if __name__ == "__main__":
    sys.exit(main())
