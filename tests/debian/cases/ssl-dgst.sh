printf 'abc' > abc
openssl dgst -sha256 abc
openssl dgst -sha512 abc
openssl dgst -sha1 abc
openssl dgst -md5 abc
openssl dgst -sha3-256 abc
openssl dgst -sha256 -hmac key abc
seq 1 100000 | openssl dgst -sha256 -r
K=000102030405060708090a0b0c0d0e0f IV=0f0e0d0c0b0a09080706050403020100
seq 1 200 > msg
openssl enc -aes-128-cbc -K $K -iv $IV -in msg -out msg.enc
openssl dgst -sha256 -r msg.enc
openssl enc -d -aes-128-cbc -K $K -iv $IV -in msg.enc | cmp - msg && echo aes-128-cbc round trip
openssl enc -aes-256-ctr -K $K$K -iv $IV -in msg | openssl dgst -sha256 -r
openssl enc -chacha20 -K $K$K -iv $IV -in msg | openssl dgst -sha256 -r
openssl enc -base64 -in abc
