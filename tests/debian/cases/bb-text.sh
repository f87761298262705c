seq 1 100 | awk '{s+=$1} END {print s}'
printf '3 apples\n5 pears\n10 plums\n' | awk '{s+=$1; n++} END {printf "%d items, avg %.2f\n", s, s/n}'
printf 'a:b:c\nd:e:f\n' | awk -F: '{print $3 $2 $1}'
echo banana | sed 's/a/b/g'
printf 'one\ntwo\nthree\n' | sed -n '2p'
printf 'x=1\ny=2\n' | sed -e 's/=/ is /' -e '/y/d'
printf 'one two\nthree\n' > w
wc < w
wc -l w
wc -w < w
wc -c < w
echo "Hello World" | tr 'a-z' 'A-Z'
echo "a,b,c" | cut -d, -f2
