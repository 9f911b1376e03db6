#!/usr/bin/env python3
"""Write pairs/<name>/{1-0-0.json,1-0-1.json,expect,instances.ndjson}.

Schema changes from real registries that are safe although they look
breaking, each beside a counter-case that looks alike and does break.
"expect" names the SchemaVer part the change requires (decided by hand);
"instances.ndjson" holds instances valid under 1-0-0: for an addition they
must all stay valid under 1-0-1, for a model or revision the first one is a
counterexample NEW rejects.  Run it after editing; commit its output.
"""
import json, os, shutil

def obj(props, **extra):
    s = {"type": "object", "properties": props, "additionalProperties": False}
    s.update(extra)
    return s

PAIRS = []

def pair(name, old, new, part, instances):
    PAIRS.append((name, old, new, part, instances))

# "type": "string" added where the enum holds only strings.
pair("enum_strings_type_added", obj({"c": {"enum": ["red", "green"]}}),
     obj({"c": {"type": "string", "enum": ["red", "green"]}}), "addition",
     [{"c": "red"}, {"c": "green"}, {}])
pair("enum_mixed_type_added", obj({"c": {"enum": ["red", 1]}}),
     obj({"c": {"type": "string", "enum": ["red", 1]}}), "model",
     [{"c": 1}, {"c": "red"}])
# maxLength added where the pattern or the enum already bounds the length.
pair("maxlength_within_pattern", obj({"c": {"type": "string", "pattern": "^[a-z]{2,8}$"}}),
     obj({"c": {"type": "string", "pattern": "^[a-z]{2,8}$", "maxLength": 8}}),
     "addition", [{"c": "abcdefgh"}, {"c": "ab"}])
pair("maxlength_within_group_pattern",
     obj({"c": {"type": "string", "pattern": "^(?:ab|cde)(-[0-9]{1,3})?\\.x?$"}}),
     obj({"c": {"type": "string", "pattern": "^(?:ab|cde)(-[0-9]{1,3})?\\.x?$", "maxLength": 9}}),
     "addition", [{"c": "cde-123.x"}, {"c": "ab."}])
pair("maxlength_within_enum", obj({"c": {"enum": ["ab", "abcd", 12345]}}),
     obj({"c": {"enum": ["ab", "abcd", 12345], "maxLength": 4}}), "addition",
     [{"c": "abcd"}, {"c": 12345}])
pair("maxlength_below_pattern", obj({"c": {"type": "string", "pattern": "^[a-z]{2,8}$"}}),
     obj({"c": {"type": "string", "pattern": "^[a-z]{2,8}$", "maxLength": 7}}),
     "model", [{"c": "abcdefgh"}])
pair("maxlength_unanchored_pattern", obj({"c": {"type": "string", "pattern": "[a-z]{2,8}"}}),
     obj({"c": {"type": "string", "pattern": "[a-z]{2,8}", "maxLength": 8}}),
     "model", [{"c": "abcdefghij"}])
pair("maxlength_pattern_alternation_unanchored", obj({"c": {"type": "string", "pattern": "^ab|cd$"}}),
     obj({"c": {"type": "string", "pattern": "^ab|cd$", "maxLength": 2}}),
     "model", [{"c": "abxyz"}])
# ECMA's "[^]" is any character: "]{0,2}" after it is a literal repeated.
pair("maxlength_ecma_any_class", obj({"c": {"type": "string", "pattern": "^[^]]{0,2}$"}}),
     obj({"c": {"type": "string", "pattern": "^[^]]{0,2}$", "maxLength": 2}}),
     "model", [{"c": "x]]"}])
pair("maxlength_below_enum", obj({"c": {"enum": ["ab", "abcdef"]}}),
     obj({"c": {"enum": ["ab", "abcdef"], "maxLength": 4}}), "model",
     [{"c": "abcdef"}])
# string widened to string|object; the new "required" is for objects only.
pair("string_to_object_required", obj({"c": {"type": "string"}}),
     obj({"c": {"type": ["string", "object"], "properties": {"id": {"type": "string"}},
                "required": ["id"]}}),
     "addition", [{"c": "x"}, {}])
pair("object_required_added", obj({"c": {"type": ["string", "object"]}}),
     obj({"c": {"type": ["string", "object"], "properties": {"id": {"type": "string"}},
                "required": ["id"]}}),
     "model", [{"c": {}}, {"c": "x"}])
# An object closed by maxProperties: 0 gains an optional property.
pair("max_properties_zero_gains_property", obj({"c": {"type": "object", "maxProperties": 0}}),
     obj({"c": {"type": "object", "properties": {"x": {"type": "string"}},
                "additionalProperties": False}}),
     "addition", [{"c": {}}])
pair("max_properties_one_gains_property", obj({"c": {"type": "object", "maxProperties": 1}}),
     obj({"c": {"type": "object", "maxProperties": 1, "properties": {"x": {"type": "string"}}}}),
     "revision", [{"c": {"x": 1}}, {"c": {}}])
# An optional property added to a closed member of a oneOf.
def member(kind, props, disc="const"):
    p = {"kind": {disc: kind} if disc == "const" else {"enum": kind}}
    p.update(props)
    return {"type": "object", "properties": p, "required": ["kind"],
            "additionalProperties": False}
A = member("a", {"p": {"type": "string"}})
A2 = member("a", {"p": {"type": "string"}, "r": {"type": "integer"}})
B = member("b", {"q": {"type": "integer"}})
pair("oneof_discriminated_gains_property", {"oneOf": [A, B]}, {"oneOf": [A2, B]},
     "addition", [{"kind": "a", "p": "x"}, {"kind": "b", "q": 1}])
pair("oneof_types_gains_property",
     {"oneOf": [{"type": "string"}, obj({"p": {"type": "string"}})]},
     {"oneOf": [{"type": "string"}, obj({"p": {"type": "string"}, "r": {"type": "integer"}})]},
     "addition", ["x", {"p": "y"}])
BA = member(["a", "b"], {"q": {"type": "integer"}}, disc="enum")
AQ = member("a", {"p": {"type": "string"}, "q": {"type": "integer"}})
pair("oneof_overlapping_discriminator_gains_property", {"oneOf": [A, BA]},
     {"oneOf": [AQ, BA]}, "model", [{"kind": "a", "q": 1}, {"kind": "a", "p": "x"}])
pair("oneof_undiscriminated_gains_property",
     {"oneOf": [obj({"p": {"type": "string"}}), obj({"q": {"type": "integer"}})]},
     {"oneOf": [obj({"p": {"type": "string"}, "q": {"type": "integer"}}),
                obj({"q": {"type": "integer"}})]},
     "model", [{"q": 1}, {"p": "x"}])

def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pairs")
    shutil.rmtree(top, ignore_errors=True)
    for name, old, new, part, inst in PAIRS:
        d = os.path.join(top, name)
        os.makedirs(d)
        for fn, doc in (("1-0-0.json", old), ("1-0-1.json", new)):
            with open(os.path.join(d, fn), "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
        with open(os.path.join(d, "expect"), "w") as f:
            f.write(part + "\n")
        with open(os.path.join(d, "instances.ndjson"), "w") as f:
            for i in inst:
                f.write(json.dumps(i) + "\n")
    print(len(PAIRS), "pairs")

main()
