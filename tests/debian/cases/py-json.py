import json
doc = {"name": "emu", "arch": ["riscv64", "x86_64"], "nested": {"n": 42, "pi": 3.25, "ok": True, "none": None},
       "unicode": "h\u00e9llo \u2603", "big": 2**64}
s = json.dumps(doc, sort_keys=True)
print(s)
back = json.loads(s)
print(back == doc, type(back["big"]).__name__)
print(json.dumps(back["nested"], indent=2, sort_keys=True))
print(json.dumps("h\u00e9llo", ensure_ascii=False))
