class Shape:
    def __init__(self, name): self.name = name
    def area(self): raise NotImplementedError
    def __repr__(self): return f"{type(self).__name__}({self.name!r}, area={self.area():.3f})"
class Rect(Shape):
    def __init__(self, w, h): super().__init__("rect"); self.w, self.h = w, h
    def area(self): return self.w * self.h
class Circle(Shape):
    def __init__(self, r): super().__init__("circle"); self.r = r
    def area(self): return 3.141592653589793 * self.r ** 2
print(sorted([Rect(2, 3), Circle(1.5), Rect(1, 1)], key=lambda s: s.area()))
def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b
g = fib()
print([next(g) for _ in range(15)])
print(sum(x * x for x in range(100) if x % 3 == 0))
print(2**200)
print(2**200 // 3**50, 2**200 % 1000007, -(7**77) // 13)
print(int("123456789" * 5) * int("987654321" * 4))
print(hex(2**100 - 1), (255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"))
d = {"zeta": 1, "alpha": 2, "mid": 3}
print(dict(sorted(d.items())), sorted(d, key=d.get, reverse=True))
print(0.1 + 0.2, 1 / 3, 2.5e-10, 1e22, 1e16, float("inf"), -0.0)
print(f"{3.14159:.2f} {2/3:.10f} {1234567.891:,.2f} {1e-5:e} {255:#x} {42:08b} {0.5:%}")
print("%5.1f|%-6s|%03d" % (2.25, "ab", 7), round(2.675, 2), round(0.5), round(1.5))
import math
print(math.sqrt(2), math.pi, math.exp(1), math.floor(-2.5), math.gcd(2**40, 6**20))
print(divmod(-17, 5), -17 % 5, 7 // -2, int(-7 / 2), 10**-3)
try:
    {}["missing"]
except KeyError as e:
    print("KeyError", e)
print(list(zip("abc", range(3))), list(map(str.upper, ["x", "y"])), any([]), all([]))
