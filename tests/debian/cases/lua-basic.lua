local function counter()
  local n = 0
  return function(step) n = n + (step or 1); return n end
end
local c1, c2 = counter(), counter()
c1(); c1(5); c2(10)
print(c1(), c2())
local sum = 0
for i = 1, 1000 do sum = sum + i end
print(sum)
local t = {}
for i = 1, 10 do t[#t + 1] = i * i end
print(#t, table.concat(t, ","))
local fruits = {"pear", "apple", "fig", "banana"}
table.sort(fruits)
print(table.concat(fruits, " "))
table.sort(fruits, function(a, b) return #a < #b or (#a == #b and a < b) end)
print(table.concat(fruits, " "))
local ages = {alice = 30, bob = 25, carol = 35}
local keys = {}
for k in pairs(ages) do keys[#keys + 1] = k end
table.sort(keys)
for _, k in ipairs(keys) do io.write(string.format("%s=%d ", k, ages[k])) end
print()
print(string.format("%5.2f|%-5s|%05d|%x|%q|%g", 3.14159, "ab", 42, 255, "q\"s", 1e20))
print(7 // 2, 7 / 2, 7 % 3, -7 // 2, 2^10, math.maxinteger, math.mininteger, 1 // 0.0)
print(math.type(1), math.type(1.0), math.type("1"), 10 == 10.0, math.floor(3.7), math.huge)
print(("hello world"):upper(), ("hello"):rep(3, "-"), ("abc"):byte(1, -1))
print(string.gsub("hello world", "o", "0"), ("key=val"):match("(%w+)=(%w+)"))
for w in string.gmatch("one two three", "%a+") do io.write(w:len(), " ") end
print()
local mt = {__add = function(a, b) return setmetatable({v = a.v + b.v}, getmetatable(a)) end,
            __tostring = function(a) return "V(" .. a.v .. ")" end}
local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt)
print(tostring(a + b))
local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i * 10) end end)
print(co(), co(), co())
print(select("#", 1, nil, 3), pcall(error, "boom"))
print(tostring(0.1 + 0.2), 1e15, 2^53, 100 // 7.0, 3 | 5, 6 & 3, 1 << 62, ~0)
