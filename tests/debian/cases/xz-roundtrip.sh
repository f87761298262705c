seq 1 30000 > data
xz -T1 -6 -k data
xz -t data.xz && echo tested
wc -c < data.xz
xz -dc data.xz | sha256sum
sha256sum data
xz -T1 -9e -c data | xz -d | cmp - data && echo same after -9e
printf 'not xz' > bad.xz
xz -t bad.xz 2>/dev/null; echo "bad: $?"
