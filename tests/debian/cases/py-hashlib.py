import hashlib, hmac
print(hashlib.sha256(b"hello world\n").hexdigest())
print(hashlib.sha256(b"").hexdigest())
print(hashlib.md5(b"abc").hexdigest())
print(hashlib.sha1(b"abc").hexdigest())
print(hashlib.sha512(b"abc").hexdigest()[:32])
h = hashlib.sha256()
for i in range(1000):
    h.update(str(i).encode())
print(h.hexdigest())
print(hmac.new(b"key", b"message", "sha256").hexdigest())
