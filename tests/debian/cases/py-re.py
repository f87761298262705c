import re
text = "alice=30, bob=25, carol=35; dave=40"
pairs = re.findall(r"(\w+)=(\d+)", text)
print(pairs)
print(sum(int(v) for _, v in pairs))
print(re.sub(r"(\w+)=(\d+)", r"\2:\1", text))
m = re.match(r"(?P<first>\w+)=(?P<age>\d+)", text)
print(m.group("first"), m.group("age"), m.span())
print(re.split(r"[,;]\s*", text))
print(bool(re.fullmatch(r"[a-z]+\d*", "abc123")), bool(re.search(r"^\d", "abc")))
print(re.compile(r"B(O+)B", re.I).findall("bob BOOB bOoOb"))
