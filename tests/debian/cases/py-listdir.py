import os
td = "scratch"
os.mkdir(td)
for name, size in [("b.txt", 3), ("a.bin", 1000), ("c", 0)]:
    with open(os.path.join(td, name), "wb") as f:
        f.write(b"z" * size)
os.mkdir(os.path.join(td, "sub"))
print(sorted(os.listdir(td)))
for e in sorted(os.scandir(td), key=lambda e: e.name):
    print(e.name, e.is_dir(), e.stat().st_size if e.is_file() else "-")
os.rename(os.path.join(td, "c"), os.path.join(td, "d"))
print(sorted(os.listdir(td)))
print(os.path.getsize(os.path.join(td, "a.bin")), os.path.isdir(os.path.join(td, "sub")))
for name in os.listdir(td):
    p = os.path.join(td, name)
    os.rmdir(p) if os.path.isdir(p) else os.remove(p)
os.rmdir(td)
print(os.path.exists(td), os.listdir("."))
