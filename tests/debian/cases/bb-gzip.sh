seq 1 5000 > data
cp data orig
gzip data
[ -f data ] || echo "data replaced by data.gz"
gunzip data.gz
cmp data orig && echo "gzip/gunzip round trip ok"
gzip -9 -c orig > orig.gz
zcat orig.gz | cmp - orig && echo "zcat ok"
gunzip -c orig.gz | md5sum
gzip -t orig.gz && echo "gzip -t ok"
wc -l < orig
