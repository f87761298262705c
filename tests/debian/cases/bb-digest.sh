printf 'hello world\n' > hello.txt
sha256sum hello.txt
md5sum hello.txt
printf '' | sha256sum
printf 'abc' | md5sum
sha256sum hello.txt > sums
sha256sum -c sums
