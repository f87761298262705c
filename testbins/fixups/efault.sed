# qemu-user (10.0) writes the first iovec of a writev whose second iovec is
# unmapped and returns 2; the Linux kernel (checked natively) fails the whole
# call with EFAULT.
s/^\(writev(second iov unmapped) *\)2$/\1-1 EFAULT/
