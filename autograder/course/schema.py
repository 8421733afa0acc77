"""The JSON Schema of ``course.yaml``, checked with ``jsonschema``.

jsonschema gives precise, well-tested structural checks (types, required and unknown
keys, enums, ranges) that a hand-written walker would re-implement; the loader adds
the checks a schema cannot express (unique ids, files that must exist).
"""
SLUG = {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"}
POSITIVE = {"type": "number", "exclusiveMinimum": 0}
# How a multiple-choice question scores (grading/scoring.py: multiple_choice_fraction).
SCORING = {"enum": ["all_or_nothing", "partial"]}

TOLERANCE = {
    "type": "object", "additionalProperties": False, "required": ["rtol", "atol"],
    "properties": {"rtol": {"type": "number", "minimum": 0},
                   "atol": {"type": "number", "minimum": 0}},
}

EXERCISE = {
    "type": "object", "additionalProperties": False,
    "required": ["function", "file", "points"],
    "properties": {"function": {"type": "string"}, "file": {"type": "string"},
                   "points": POSITIVE,
                   # Overrides grading.tolerances for this exercise only (e.g. gelu, whose
                   # contract asks for 1e-6 of the exact value, not float64 round-off).
                   "tolerances": {"type": "object", "additionalProperties": False,
                                  "properties": {"float32": TOLERANCE,
                                                 "float64": TOLERANCE}}},
}

QUESTION = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "kind", "prompt", "points"],
    "properties": {
        "id": SLUG,
        "kind": {"enum": ["single", "multiple", "numeric"]},
        "prompt": {"type": "string", "minLength": 1},
        "choices": {"type": "object", "minProperties": 2,
                    "propertyNames": {"pattern": "^[a-z]$"},
                    "additionalProperties": {"type": "string", "minLength": 1}},
        "points": POSITIVE,
        "tolerance": {"type": "number", "minimum": 0},
        "scoring": SCORING,
    },
}

ASSIGNMENT = {
    "type": "object", "additionalProperties": False, "required": ["id", "title", "exercises"],
    "properties": {
        "id": SLUG,
        "title": {"type": "string"},
        "exercises": {"type": "array", "items": EXERCISE},
        "questions": {"type": "array", "items": QUESTION},
    },
}

COURSE = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "required": ["course", "grading", "assignments"],
    "properties": {
        "course": {
            "type": "object", "additionalProperties": False, "required": ["id", "title"],
            "properties": {"id": SLUG, "title": {"type": "string"}},
        },
        "grading": {
            "type": "object", "additionalProperties": False,
            "required": ["seed", "tolerances"],
            "properties": {
                "seed": {"type": "integer", "minimum": 0},
                "tolerances": {
                    "type": "object", "additionalProperties": False,
                    "required": ["float32", "float64"],
                    "properties": {"float32": TOLERANCE, "float64": TOLERANCE},
                },
                "limits": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"call_timeout": POSITIVE, "retry_timeout": POSITIVE,
                                   "submission_timeout": POSITIVE,
                                   "memory_mb": {"type": "integer", "minimum": 64},
                                   "output_kb": {"type": "integer", "minimum": 1}},
                },
                "hidden_visibility": {"enum": ["visible", "after_due_date", "hidden"]},
                "multiple_choice_scoring": SCORING,
                "question_visibility": {"enum": ["visible", "after_due_date"]},
            },
        },
        "assignments": {"type": "array", "minItems": 1, "items": ASSIGNMENT},
    },
}
