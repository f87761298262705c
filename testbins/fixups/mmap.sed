# qemu-user (10.0) does not label the brk area "[heap]" in its emulated
# /proc/self/maps: it merges the brk pages into the anonymous mapping after
# .bss.  Real Linux (and a native x86-64 build of mmap.c) shows "[heap]".
s/\[heap\]: absent/[heap]: present/
