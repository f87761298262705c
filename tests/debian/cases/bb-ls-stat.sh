umask 022
mkdir d d/sub
: > d/empty
printf 'x' > d/one
head -c 100 /dev/zero > d/hundred
dd if=/dev/zero of=d/big bs=1024 count=4 2>/dev/null
chmod 600 d/one
chmod 755 d/hundred
ls -1 d
echo --
ls -1a d
echo --
cd d
stat -c '%s %n' empty one hundred big
stat -c '%A %n' empty one hundred big sub
echo --
ls -l | awk 'NR > 1 { print $1, ($1 ~ /^d/ ? "dir" : $5), $NF }'
