-- Pure-Lua workload: numeric loops, table inserts/lookups, string building,
-- closures and a table sort.  Usage: lua5.4 loop.lua [scale] (default 100)
local scale = tonumber(arg[1]) or 100
local acc = 0
for i = 1, 48000 * scale do
  acc = (acc * 31 + (i ~ (i >> 3))) % 1000000007
end
local t = {}
for i = 1, 5000 * scale do
  t[#t + 1] = (i * 7919) % 100003
end
table.sort(t)
local counts = {}
for i = 1, 5000 * scale do
  local k = "k" .. (i % 997)
  counts[k] = (counts[k] or 0) + i % 5
end
local sum = 0
for k, v in pairs(counts) do sum = sum + v * #k end
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local f = fib(20 + math.min(scale // 20, 7))
local parts = {}
for i = 1, 320 * scale do parts[#parts + 1] = tostring(i % 10) end
local s = table.concat(parts)
print(string.format("lua acc=%d median=%d sum=%d fib=%d len=%d", acc, t[#t // 2], sum, f, #s))
