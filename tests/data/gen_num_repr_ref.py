#!/usr/bin/python3
# gen_num_repr_ref.py: write tests/data/num_repr_ref.txt, the reference for
# num_format: lines "HEXBITS<TAB>repr(x)" from Python's shortest repr.
#
#   /usr/bin/python3 tests/data/gen_num_repr_ref.py > tests/data/num_repr_ref.txt
#
# Development tool only; tests/unit/test_num.c reads the committed output.

import math
import random
import struct
import sys
from decimal import Decimal

rng = random.Random(20240917)


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


values = []


def add(x):
    if math.isfinite(x):
        values.append(x)


# Boundary cases and the layout corners.
for x in [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
          2.225073858507201e-308, 1.7976931348623157e308,
          -1.7976931348623157e308, 1.0, -1.0, 0.1, 0.2, 0.3, 2 / 3, 1 / 3,
          1e-4, 1e-5, 1.5e-7, 1e15, 1e16, 1e22, 1e23, 9007199254740992.0,
          9007199254740994.0, 9007199254740991.0, 123456789012345680.0,
          2.0 ** 63, 2.0 ** 64, 0.5, 1e-323, 1e308, 4.35, 0.015, 1.005]:
    add(x)
add(math.nextafter(2.2250738585072014e-308, 0))
add(math.nextafter(1.7976931348623157e308, 0))

# Powers of two (the asymmetric interval), their neighbours, powers of ten.
for e in range(-1074, 1024, 5):
    x = math.ldexp(1.0, e)
    add(x)
    add(math.nextafter(x, 0))
    add(math.nextafter(x, math.inf))
for e in range(-323, 309, 2):
    add(float("1e%d" % e))

# Random 64-bit patterns.
while len(values) < 2000:
    add(from_bits(rng.getrandbits(64)))

# Random doubles of many magnitudes.
for _ in range(500):
    add(rng.random() * 10.0 ** rng.randint(-320, 300))

# Short decimals: round(random, k), prices, percentages.
for _ in range(500):
    k = rng.randint(0, 8)
    add(round(rng.random() * 10 ** rng.randint(0, 7), k) *
        rng.choice([1, -1]))

# Integers: small, around 2^53, large.
for _ in range(200):
    add(float(rng.randint(0, 10 ** rng.randint(1, 15))))
for k in range(-40, 41, 3):
    add(float(2 ** 53 + k))
for _ in range(100):
    add(float(rng.getrandbits(rng.randint(54, 120))))

# Subnormals.
for k in list(range(1, 40)) + [rng.getrandbits(52) for _ in range(200)]:
    add(from_bits(k))
    add(-from_bits(k))

# Values where another number of the same (shortest) length also reads
# back: the choice must be the closest.
found = 0
while found < 300:
    x = from_bits(rng.getrandbits(63))
    if not math.isfinite(x) or x == 0:
        continue
    d = Decimal(repr(x))
    step = Decimal((0, (1,), d.as_tuple().exponent))
    if float(d + step) == x or float(d - step) == x:
        add(x)
        found += 1

out = sys.stdout
seen = set()
for x in values:
    b = bits(x)
    if b in seen:
        continue
    seen.add(b)
    out.write("%016x\t%r\n" % (b, x))
