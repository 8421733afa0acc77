"""``jsonschema``, imported without the optional checkers of string formats.

jsonschema imports every checker of string formats that happens to be installed
(jupyter brings several); ``rfc3987_syntax`` alone builds a parser for 1.3 to 3 s on
each import. Nothing here checks a "format" (course.yaml's schema has none; nbformat
validates notebooks without them), so those modules are hidden while jsonschema is
imported: a None entry in ``sys.modules`` makes their import fail, which jsonschema
handles by leaving that format out. Import this module before anything that imports
jsonschema (the course loader; nbformat, for notebooks): a batch's pool processes read
notebooks without ever loading a course themselves.
"""
import sys

_FORMAT_CHECKERS = ("rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator",
                    "idna", "fqdn", "webcolors", "jsonpointer", "uri_template", "isoduration")
_HIDDEN = [name for name in _FORMAT_CHECKERS if name not in sys.modules]
sys.modules.update(dict.fromkeys(_HIDDEN))
try:
    import jsonschema  # noqa: F401 - what the importers of this module use
finally:
    for _name in _HIDDEN:
        del sys.modules[_name]
