umask 022
mkdir -p src/a/b
printf 'alpha\n' > src/top.txt
printf 'beta\n' > src/a/b/deep.txt
seq 1 2000 > src/a/numbers
tar -cf archive.tar src
mkdir out
tar -xf archive.tar -C out
tar -tf archive.tar | sort
for f in top.txt a/b/deep.txt a/numbers; do
  cmp src/$f out/src/$f && echo "same $f"
done
tar -czf archive.tgz src
mkdir out2
tar -xzf archive.tgz -C out2
cmp src/a/numbers out2/src/a/numbers && echo "same tgz"
md5sum out/src/a/numbers
