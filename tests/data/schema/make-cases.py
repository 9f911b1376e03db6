#!/usr/bin/env python3
"""Write cases/<name>/{old.json,new.json,expect}: one schema change each.

The direction of every change is decided here by hand (narrow: fewer
instances valid, widen: more, both, none); the verdict lines of "expect"
follow from it by the definitions of the modes, and "kind" and "bump" are
written by hand too.  Run it after editing the table; commit its output.
"""
import copy, json, os, shutil

S = "https://json-schema.org/draft/2020-12/schema"

def base(**extra):
    s = {"$schema": S, "type": "object",
         "properties": {"name": {"type": "string"}, "n": {"type": "integer"}},
         "required": ["name"]}
    s.update(extra)
    return s

def closed(**extra):
    return base(additionalProperties=False, **extra)

def with_prop(s, name, sub):
    s = copy.deepcopy(s)
    s["properties"][name] = sub
    return s

def without_prop(s, name):
    s = copy.deepcopy(s)
    del s["properties"][name]
    return s

def prop(name, sub, root=None):
    return with_prop(root or base(), name, sub)

CASES = []

def case(name, old, new, kind, direction, bump, files=None):
    CASES.append((name, old, new, kind, direction, bump, files or {}))

# Content models: open, closed, partially open.
case("property_added_open", base(), prop("extra", {"type": "string"}),
     "property_added_open", "narrow", "revision")
case("property_added_closed", closed(),
     with_prop(closed(), "extra", {"type": "string"}),
     "property_added_closed", "widen", "addition")
case("property_added_partial_additional",
     base(additionalProperties={"type": "string"}),
     prop("extra", {"type": "string", "maxLength": 3},
          base(additionalProperties={"type": "string"})),
     "property_added_partial", "narrow", "revision")
case("property_added_partial_pattern",
     base(patternProperties={"^x_": {"type": "string"}}),
     prop("x_a", {"type": "string"},
          base(patternProperties={"^x_": {"type": "string"}})),
     "property_added_partial", "none", "addition")
PAT3 = {"^x_": {"type": "string", "maxLength": 3}}
case("property_added_partial_pattern_wider", base(patternProperties=PAT3),
     prop("x_a", {"type": "string"}, base(patternProperties=PAT3)),
     "property_added_partial", "none", "addition")
case("property_added_partial_pattern_narrower", base(patternProperties=PAT3),
     prop("x_a", {"type": "string", "maxLength": 2}, base(patternProperties=PAT3)),
     "property_added_partial", "narrow", "revision")
case("property_removed_partial_pattern", prop("x_a", {"type": "string", "maxLength": 2}, base(patternProperties=PAT3)),
     base(patternProperties=PAT3), "property_removed_partial", "widen", "addition")
case("pattern_property_added_declared", base(),
     base(patternProperties={"^n": {"minimum": 0}}),
     "pattern_property_added", "narrow", "model")
case("property_removed_open", base(), without_prop(base(), "n"),
     "property_removed_open", "widen", "addition")
case("property_removed_closed", closed(), without_prop(closed(), "n"),
     "property_removed_closed", "narrow", "model")
case("property_removed_partial",
     base(additionalProperties={"type": "number"}),
     without_prop(base(additionalProperties={"type": "number"}), "n"),
     "property_removed_partial", "widen", "addition")
case("required_added", base(), base(required=["name", "n"]),
     "required_added", "narrow", "model")
case("required_removed", base(), base(required=[]),
     "required_removed", "widen", "addition")
# Types.
case("type_narrowed", prop("v", {"type": ["string", "null"]}),
     prop("v", {"type": "string"}), "type_narrowed", "narrow", "model")
case("type_widened", base(), prop("n", {"type": "number"}),
     "type_widened", "widen", "addition")
case("type_changed", base(), prop("n", {"type": "string"}),
     "type_changed", "both", "model")
# enum and const.
RGB = {"type": "string", "enum": ["red", "green", "blue"]}
case("enum_added", prop("color", {"type": "string"}), prop("color", RGB),
     "enum_added", "narrow", "model")
case("enum_removed", prop("color", RGB), prop("color", {"type": "string"}),
     "enum_removed", "widen", "addition")
case("enum_narrowed", prop("color", RGB),
     prop("color", {"type": "string", "enum": ["red", "green"]}),
     "enum_narrowed", "narrow", "model")
case("enum_extended", prop("color", RGB),
     prop("color", {"type": "string", "enum": ["red", "green", "blue", "cyan"]}),
     "enum_extended", "widen", "addition")
case("enum_changed", prop("color", RGB),
     prop("color", {"type": "string", "enum": ["red", "green", "cyan"]}),
     "enum_changed", "both", "model")
case("const_added", prop("kind", {"type": "string"}),
     prop("kind", {"type": "string", "const": "a"}), "const_added", "narrow", "model")
case("const_removed", prop("kind", {"type": "string", "const": "a"}),
     prop("kind", {"type": "string"}), "const_removed", "widen", "addition")
case("const_changed", prop("kind", {"type": "string", "const": "a"}), prop("kind", {"type": "string", "const": "b"}),
     "const_changed", "both", "model")
# Bounds, pattern and multipleOf: tightened and loosened.
BOUNDS = [
    ("minimum", "n", {"type": "integer"}, 0, 5, True),
    ("maximum", "n", {"type": "integer"}, 100, 50, False),
    ("exclusiveMinimum", "n", {"type": "integer"}, 0, 5, True),
    ("exclusiveMaximum", "n", {"type": "integer"}, 100, 50, False),
    ("minLength", "name", {"type": "string"}, 1, 3, True),
    ("maxLength", "name", {"type": "string"}, 10, 5, False),
    ("minItems", "tags", {"type": "array", "items": {"type": "string"}}, 0, 2, True),
    ("maxItems", "tags", {"type": "array", "items": {"type": "string"}}, 4, 2, False),
    ("minProperties", "meta", {"type": "object"}, 0, 1, True),
    ("maxProperties", "meta", {"type": "object"}, 3, 1, False),
]
for kw, p, sub, loose, tight, lower in BOUNDS:
    a = dict(sub); a[kw] = loose
    b = dict(sub); b[kw] = tight
    case(kw + "_tightened", prop(p, a), prop(p, b), kw + "_tightened",
         "narrow", "model")
    case(kw + "_loosened", prop(p, b), prop(p, a), kw + "_loosened",
         "widen", "addition")
case("minimum_added", base(), prop("n", {"type": "integer", "minimum": 0}),
     "minimum_tightened", "narrow", "model")
case("pattern_tightened", base(), prop("name", {"type": "string", "pattern": "^[a-z]+$"}),
     "pattern_tightened", "narrow", "model")
case("pattern_loosened", prop("name", {"type": "string", "pattern": "^[a-z]+$"}),
     base(), "pattern_loosened", "widen", "addition")
case("pattern_changed", prop("name", {"type": "string", "pattern": "^[a-z]+$"}),
     prop("name", {"type": "string", "pattern": "^[a-c]+$"}),
     "pattern_changed", "both", "model")
case("multipleOf_tightened", prop("n", {"type": "integer", "multipleOf": 2}),
     prop("n", {"type": "integer", "multipleOf": 4}),
     "multipleOf_tightened", "narrow", "model")
case("multipleOf_loosened", prop("n", {"type": "integer", "multipleOf": 4}),
     prop("n", {"type": "integer", "multipleOf": 2}),
     "multipleOf_loosened", "widen", "addition")
case("multipleOf_changed", prop("n", {"type": "integer", "multipleOf": 2}),
     prop("n", {"type": "integer", "multipleOf": 3}),
     "multipleOf_changed", "both", "model")
case("uniqueItems_tightened", prop("tags", {"type": "array"}),
     prop("tags", {"type": "array", "uniqueItems": True}),
     "uniqueItems_tightened", "narrow", "model")
case("uniqueItems_loosened", prop("tags", {"type": "array", "uniqueItems": True}),
     prop("tags", {"type": "array"}), "uniqueItems_loosened", "widen", "addition")
case("format_changed", prop("ts", {"type": "string"}),
     prop("ts", {"type": "string", "format": "date-time"}),
     "format_changed", "none", "addition")
# additionalProperties.
case("additional_properties_narrowed", base(), closed(),
     "additional_properties_narrowed", "narrow", "model")
case("additional_properties_widened", closed(), base(),
     "additional_properties_widened", "widen", "addition")
case("additional_properties_schema", base(additionalProperties={"type": "string"}),
     base(additionalProperties={"type": ["string", "number"]}),
     "type_widened", "widen", "addition")
case("pattern_property_added", base(),
     base(patternProperties={"^x_": {"type": "string"}}),
     "pattern_property_added", "narrow", "revision")
# items and prefixItems.
case("items_added", prop("tags", {"type": "array"}),
     prop("tags", {"type": "array", "items": {"type": "string"}}),
     "items_narrowed", "narrow", "model")
case("items_removed", prop("tags", {"type": "array", "items": {"type": "string"}}),
     prop("tags", {"type": "array"}), "items_widened", "widen", "addition")
case("items_changed", prop("tags", {"type": "array", "items": {"type": "string"}}),
     prop("tags", {"type": "array", "items": {"type": "string", "maxLength": 3}}),
     "maxLength_tightened", "narrow", "model")
case("items_closed", prop("pair", {"type": "array", "prefixItems": [{"type": "string"}]}),
     prop("pair", {"type": "array", "prefixItems": [{"type": "string"}], "items": False}),
     "items_narrowed", "narrow", "model")
case("prefix_item_added", prop("pair", {"type": "array", "prefixItems": [{"type": "string"}]}),
     prop("pair", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}),
     "prefix_item_added", "narrow", "model")
case("prefix_item_removed", prop("pair", {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]}),
     prop("pair", {"type": "array", "prefixItems": [{"type": "string"}]}),
     "prefix_item_removed", "widen", "addition")
case("prefix_item_changed", prop("pair", {"type": "array", "prefixItems": [{"type": "string"}]}),
     prop("pair", {"type": "array", "prefixItems": [{"type": "integer"}]}),
     "type_changed", "both", "model")
case("contains_added", prop("tags", {"type": "array"}),
     prop("tags", {"type": "array", "contains": {"const": "a"}}),
     "contains_added", "narrow", "model")
case("contains_removed", prop("tags", {"type": "array", "contains": {"const": "a"}}),
     prop("tags", {"type": "array"}), "contains_removed", "widen", "addition")
# Combinators.
A, B, C = {"required": ["name"]}, {"properties": {"n": {"minimum": 0}}}, {"properties": {"n": {"maximum": 9}}}
case("allOf_member_added", base(allOf=[A, B]), base(allOf=[A, B, C]),
     "allOf_member_added", "narrow", "model")
case("allOf_member_removed", base(allOf=[A, B, C]), base(allOf=[A, B]),
     "allOf_member_removed", "widen", "addition")
S1, S2, S3 = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
case("anyOf_member_added", prop("v", {"anyOf": [S1, S2]}), prop("v", {"anyOf": [S1, S2, S3]}),
     "anyOf_member_added", "widen", "addition")
case("anyOf_member_removed", prop("v", {"anyOf": [S1, S2, S3]}), prop("v", {"anyOf": [S1, S2]}),
     "anyOf_member_removed", "narrow", "model")
case("anyOf_added", prop("v", {"type": ["string", "integer", "boolean"]}),
     prop("v", {"type": ["string", "integer", "boolean"], "anyOf": [S1, S2]}),
     "anyOf_added", "narrow", "model")
# Members of disjoint types exclude each other: the oneOf is an anyOf.
case("oneOf_member_added", prop("v", {"oneOf": [S1, S2]}), prop("v", {"oneOf": [S1, S2, S3]}),
     "oneOf_member_added", "widen", "addition")
case("oneOf_member_removed", prop("v", {"oneOf": [S1, S2, S3]}), prop("v", {"oneOf": [S1, S2]}),
     "oneOf_member_removed", "narrow", "model")
case("oneOf_member_changed", prop("v", {"oneOf": [S1, S2]}),
     prop("v", {"oneOf": [S1, {"type": "integer", "minimum": 0}]}),
     "minimum_tightened", "narrow", "model")
# Overlapping members: an instance may match two, any change is both.
N1 = {"type": "number"}
case("oneOf_overlap_member_added", prop("v", {"oneOf": [S1, N1]}),
     prop("v", {"oneOf": [S1, N1, {"type": "integer", "minimum": 10}]}),
     "oneOf_member_added", "both", "model")
case("oneOf_overlap_member_changed", prop("v", {"oneOf": [S1, N1, S2]}),
     prop("v", {"oneOf": [S1, N1, {"type": "integer", "minimum": 0}]}),
     "minimum_tightened", "both", "model")
case("not_added", base(), base(**{"not": {"required": ["n"]}}),
     "not_added", "narrow", "model")
case("not_removed", base(**{"not": {"required": ["n"]}}), base(),
     "not_removed", "widen", "addition")
case("not_changed", base(**{"not": {"required": ["n"]}}),
     base(**{"not": {"required": ["n", "name"]}}),
     "required_added", "widen", "addition")
# $ref: targets compared after resolution.
DEFS = {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string", "maxLength": 8}}
case("ref_retarget_same", prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": DEFS})),
     prop("v", {"$ref": "#/$defs/b"}, base(**{"$defs": DEFS})), "-", "none", "none")
case("ref_target_changed", prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": DEFS})),
     prop("v", {"$ref": "#/$defs/c"}, base(**{"$defs": DEFS})),
     "ref_target_changed", "narrow", "model")
case("ref_target_edited", prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": {"a": {"type": "string"}}})),
     prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": {"a": {"type": ["string", "null"]}}})),
     "type_widened", "widen", "addition")
case("ref_inlined", prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": DEFS})),
     prop("v", {"type": "string"}), "-", "none", "none")
case("ref_anchor", prop("v", {"$ref": "#/$defs/a"}, base(**{"$defs": DEFS})),
     prop("v", {"$ref": "#short"}, base(**{"$defs": {"s": {"$anchor": "short", "type": "string", "maxLength": 8}}})),
     "ref_target_changed", "narrow", "model")
# The referred files form a registry beside the case (compare it with
# --registry): as in ev-validate, only registry files are looked at.
case("ref_file", prop("v", {"$ref": "common/1-0-0.json#/$defs/a"}),
     prop("v", {"$ref": "common/1-0-1.json#/$defs/a"}),
     "ref_target_changed", "both", "model",
     {"common/1-0-0.json": {"$defs": {"a": {"type": "string"}}},
      "common/1-0-1.json": {"$defs": {"a": {"type": "integer"}}}})
# Dependent and conditional keywords.
case("dependent_required_added", base(), base(dependentRequired={"n": ["name"]}),
     "dependent_required_added", "narrow", "model")
case("dependent_required_removed", base(dependentRequired={"n": ["name"]}), base(),
     "dependent_required_removed", "widen", "addition")
case("dependent_schema_added", base(),
     base(dependentSchemas={"n": {"required": ["tags"]}}),
     "dependent_schema_added", "narrow", "model")
case("dependent_schema_removed", base(dependentSchemas={"n": {"required": ["tags"]}}),
     base(), "dependent_schema_removed", "widen", "addition")
case("dependent_schema_changed", base(dependentSchemas={"n": {"required": ["tags"]}}),
     base(dependentSchemas={"n": {"required": ["tags", "color"]}}),
     "required_added", "narrow", "model")
IF = {"properties": {"n": {"minimum": 10}}, "required": ["n"]}
case("conditional_added", base(), base(**{"if": IF, "then": {"required": ["tags"]}}),
     "conditional_added", "narrow", "model")
case("conditional_removed", base(**{"if": IF, "then": {"required": ["tags"]}}), base(),
     "conditional_removed", "widen", "addition")
case("conditional_changed", base(**{"if": IF, "then": {"required": ["tags"]}}),
     base(**{"if": {"required": ["n"]}, "then": {"required": ["tags"]}}),
     "conditional_changed", "both", "model")
case("then_changed", base(**{"if": IF, "then": {"required": ["tags"]}}),
     base(**{"if": IF, "then": {"required": ["tags", "color"]}}),
     "required_added", "narrow", "model")
case("else_added", base(**{"if": IF, "then": {"required": ["tags"]}}),
     base(**{"if": IF, "then": {"required": ["tags"]}, "else": {"required": ["color"]}}),
     "else_narrowed", "narrow", "model")
case("unknown_keyword_changed", base(), base(**{"x-owner": "team-a"}),
     "unknown_keyword_changed", "none", "addition")
case("description_only", base(), base(description="now documented"),
     "-", "none", "none")

ALLOWED = {"backward": ("none", "widen"), "forward": ("none", "narrow"),
           "full": ("none",), "none": ("none", "narrow", "widen", "both")}

def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
    shutil.rmtree(top, ignore_errors=True)
    for name, old, new, kind, d, bump, files in CASES:
        cd = os.path.join(top, name)
        os.makedirs(cd)
        for fn, doc in (("old.json", old), ("new.json", new), *files.items()):
            os.makedirs(os.path.dirname(os.path.join(cd, fn)), exist_ok=True)
            with open(os.path.join(cd, fn), "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
        with open(os.path.join(cd, "expect"), "w") as f:
            f.write("kind %s\ndirection %s\n" % (kind, d))
            for m, ok in ALLOWED.items():
                v = "compatible" if d in ok else "incompatible"
                f.write("%s %s\n%s-transitive %s\n" % (m, v, m, v) if m != "none"
                        else "none %s\n" % v)
            f.write("bump %s\n" % bump)
    print(len(CASES), "cases")

main()
