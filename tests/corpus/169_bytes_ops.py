# bytes and bytearray operations in a loop
b = b""
ba = bytearray()
for i in range(40):
    b += bytes([i % 256])
    ba.append((i * 7) % 256)
print(b[:8], len(b), ba[-3:], bytes(ba[:4]), b.hex()[:10])
