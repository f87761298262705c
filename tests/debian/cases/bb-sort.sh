printf 'pear\napple\nfig\nbanana\napple\ncherry\n' > fruit
sort fruit
echo --
sort -u -r fruit
echo --
printf '10 x\n9 y\n100 z\n-3 w\n9 a\n' | sort -n
echo --
printf 'b 2\na 3\nc 1\n' | sort -k2,2n
