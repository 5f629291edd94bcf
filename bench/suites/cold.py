"""The ``cold`` suite: cells that do real work but whose loops never get hot.

What a notebook user pays for ``%%jit`` on ordinary code: every loop runs fewer
iterations in total than the threshold (200) and every function is called fewer
times than the function threshold (400), so jitnb never takes over and all that
is left is its cost: parsing, instrumenting and compiling the cell, and one
decrement and compare per loop iteration.  The runner checks that no loop of
these workloads gets hot (nested loops and loops in functions count all their
iterations in the cell, so they are kept small) and reports the most called
function (comprehensions and generator resumptions are not counted as calls).

No ``for`` header here contains a lambda or a comprehension: jitnb's compiler
does not accept those yet in a loop's iterable (``jitnb.run`` raises), and this
suite measures cost, not coverage.

The two ``tight-loop`` workloads are the worst case for the counters: a loop
whose body is a single ``s += i``, kept cold by a threshold of 10**9.
"""
from __future__ import annotations

from ..runner import Suite, Workload

CONFIGS = ("cpython", "jitnb", "cpython-exec", "jitnb-exec", "ipython", "ipython-jit")

# -- a notebook cell: make data, parse it, aggregate it, print a report -----------------------
REPORT = """\
import math
import random
from collections import Counter, defaultdict, namedtuple
from itertools import groupby
from operator import attrgetter

Order = namedtuple("Order", "id region product qty price day customer")
REGIONS = ["north", "south", "east", "west", "central"]
PRODUCTS = ["widget", "gadget", "doohickey", "gizmo", "sprocket", "flange", "grommet", "bracket"]

rng = random.Random(20240601)
orders = [Order(i, rng.choice(REGIONS), rng.choice(PRODUCTS), rng.randrange(1, 41),
                round(rng.uniform(2.5, 92.5), 2), rng.randrange(1, 29), f"C{rng.randrange(150):03d}")
          for i in range(1500)]

# a round trip through CSV text, as when the cell reads a file
csv_text = "\\n".join(["id,region,product,qty,price,day,customer"]
                      + [",".join(map(str, o)) for o in orders])
rows = [line.split(",") for line in csv_text.splitlines()[1:]]
orders = [Order(int(r[0]), r[1], r[2], int(r[3]), float(r[4]), int(r[5]), r[6]) for r in rows]
amount = {o.id: round(o.qty * o.price, 2) for o in orders}

def mean(xs):
    return sum(xs) / len(xs) if xs else 0.0

def stdev(xs):
    if len(xs) < 2:
        return 0.0
    m = mean(xs)
    return math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))

def percentile(xs, p):
    s = sorted(xs)
    k = (len(s) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)

def money(x):
    return f"${x:,.2f}"

def amounts(field, value):
    return [amount[o.id] for o in orders if getattr(o, field) == value]

def summarize(xs):
    return {"n": len(xs), "total": sum(xs), "mean": mean(xs), "sd": stdev(xs),
            "p50": percentile(xs, 50), "p90": percentile(xs, 90)}

def group_total(group):
    return round(sum(amount[o.id] for o in group), 2)

region_stats = {}
for r in REGIONS:
    region_stats[r] = summarize(amounts("region", r))
product_stats = {}
for p in PRODUCTS:
    product_stats[p] = summarize(amounts("product", p))
grand_total = sum(amount.values())

key = attrgetter("region", "product")
cross = {}
for k, group in groupby(sorted(orders, key=key), key=key):
    cross[k] = group_total(group)

# the report
out = []
out.append("Sales report".center(78, "="))
out.append(f"{len(orders)} orders, {len({o.customer for o in orders})} customers, "
           f"total {money(grand_total)}")
out.append("")
out.append(f"{'':<10}{'orders':>8}{'total':>14}{'mean':>10}{'sd':>10}{'p50':>10}{'p90':>10}")
ranked = sorted(region_stats, key=lambda r: -region_stats[r]["total"])
for name in ranked + PRODUCTS:
    st = region_stats[name] if name in region_stats else product_stats[name]
    out.append(f"{name:<10}{st['n']:>8}{money(st['total']):>14}{st['mean']:>10.2f}"
               f"{st['sd']:>10.2f}{st['p50']:>10.2f}{st['p90']:>10.2f}")
out.append("")
out.append("".ljust(10) + "".join(p[:8].rjust(9) for p in PRODUCTS))
for r in REGIONS:
    line = r.ljust(10)
    for p in PRODUCTS:
        line += f"{cross.get((r, p), 0.0):9.0f}"
    out.append(line)
out.append("")
product_totals = sorted(((st["total"], p) for p, st in product_stats.items()), reverse=True)
top = product_totals[0][0]
for total, p in product_totals:
    bar = "#" * int(40 * total / top)
    out.append(f"{p:<10} {bar:<40} {total / grand_total:6.1%}")
daily = Counter()
for day, group in groupby(sorted(orders, key=attrgetter("day")), key=attrgetter("day")):
    daily[day] = group_total(group)
week = [0.0] * 4
for day, total in sorted(daily.items()):
    week[(day - 1) // 7] += total
out.append("weeks: " + "  ".join(money(w) for w in week))
out.append(f"best days: {', '.join(f'{d} ({money(t)})' for d, t in daily.most_common(3))}")
spent = Counter()
for c, group in groupby(sorted(orders, key=attrgetter("customer")), key=attrgetter("customer")):
    spent[c] = group_total(group)
tiers = {"gold": [], "silver": [], "bronze": []}
for c, total in spent.most_common():
    tier = "gold" if total > 14000 else "silver" if total > 8000 else "bronze"
    tiers[tier].append(f"{c}:{total / 1000:.1f}k")
for tier, members in tiers.items():
    out.append(f"{tier:<7}{len(members):>4}  " + " ".join(members[:12]))
report = "\\n".join(out)
print(report)
"""

# -- many small loops, as in a long exploratory cell --------------------------------------------
_LOOP_TEMPLATES = [
    # arithmetic accumulation
    "acc{k} = 0\nfor i in range({n}):\n    v = (i * {k} + 3) % 17\n"
    "    acc{k} += v * v - (i >> 2) + (v if v % 2 else -v)\n",
    # filtering into a list
    "sq{k} = []\nfor i in range({n}):\n    if i % 3 != {m}:\n        sq{k}.append((i * i + {k}) % 1000)\n"
    "    elif i % 7 == 0:\n        sq{k}.append(-i)\nsq{k}.sort()\n",
    # counting into a dict
    "cnt{k} = {{}}\nfor i in range({n}):\n    key = (i * {k}) % {m5}\n"
    "    cnt{k}[key] = cnt{k}.get(key, 0) + 1\nbest{k} = max(cnt{k}, key=cnt{k}.get)\n",
    # string building with formatting
    "parts{k} = []\nfor i in range({n}):\n    parts{k}.append(f\"{{i:03d}}:{{i * {k}:x}}/{{i / 7:.2f}}\")\n"
    "joined{k} = \",\".join(parts{k}).upper()\n",
    # a while loop (Collatz steps, capped)
    "x{k} = {big}\nsteps{k} = 0\nwhile x{k} != 1 and steps{k} < {n}:\n"
    "    x{k} = x{k} // 2 if x{k} % 2 == 0 else 3 * x{k} + 1\n    steps{k} += 1\n",
    # calling a small function
    "def f{k}(a, b):\n    return (a * {k} + b) % 1000 + len(str(a))\ntot{k} = 0\nfor i in range({n}):\n"
    "    tot{k} += f{k}(i, tot{k})\n",
    # tuple unpacking over zip, floats, builtins
    "fsum{k} = 0.0\nfor a, b in zip(range({n}), range({n}, 0, -1)):\n"
    "    fsum{k} += round(a / b, 3) + abs(a - b) ** 0.5\n",
    # min/max tracking with a tuple record
    "lo{k}, hi{k} = (10 ** 9, 0), (-1, 0)\nfor i in range({n}):\n    v = ((i * 2654435761 + {k}) % 1000003, i)\n"
    "    if v < lo{k}:\n        lo{k} = v\n    if v > hi{k}:\n        hi{k} = v\n",
    # nested data: list of dicts
    "recs{k} = []\nfor i in range({n}):\n    recs{k}.append({{\"id\": i, \"tag\": \"t\" + str(i % 9), \"w\": i * 0.5}})\n"
    "heavy{k} = sum(r[\"w\"] for r in recs{k} if r[\"tag\"] == \"t{m}\")\n",
    # string scanning
    "word{k} = \"abracadabra{k}\" * 14\nvow{k} = 0\nfor ch in word{k}[:{n}]:\n"
    "    if ch in \"aeiou\":\n        vow{k} += 1\n    elif ch.isdigit():\n        vow{k} -= 1\n",
]


def many_loops_source(loops: int = 80, iterations: int = 150) -> str:
    """A generated cell of `loops` different loops of `iterations` iterations each."""
    parts = ["# a long cell: many small loops, none of them anywhere near hot\n"]
    for k in range(loops):
        t = _LOOP_TEMPLATES[k % len(_LOOP_TEMPLATES)]
        parts.append(t.format(k=k, n=iterations, m=k % 3, m5=5 + k % 11, big=27 + 6 * k))
    parts.append("checksum = sum(v for k, v in sorted(globals().items()) "
                 "if k[:3] in ('acc', 'tot', 'ste', 'vow') and isinstance(v, int))\n")
    return "".join(parts)


# -- small classes with methods, closures, comprehensions --------------------------------------
OBJECTS = """\
import copy
import json
import math
from dataclasses import dataclass, field
from operator import attrgetter


class Vec:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, other):
        return Vec(self.x + other.x, self.y + other.y)

    def rotated(self, angle):
        c, s = math.cos(angle), math.sin(angle)
        return Vec(self.x * c - self.y * s, self.x * s + self.y * c)

    def __abs__(self):
        return math.hypot(self.x, self.y)

    def __repr__(self):
        return f"Vec({self.x:.2f}, {self.y:.2f})"


class Shape:
    kind = "shape"

    def area(self):
        raise NotImplementedError

    def perimeter(self):
        raise NotImplementedError

    def describe(self):
        return f"{self.kind:<8} area={self.area():9.2f} perimeter={self.perimeter():8.2f}"


class Circle(Shape):
    kind = "circle"

    def __init__(self, r):
        self.r = r

    def area(self):
        return math.pi * self.r ** 2

    def perimeter(self):
        return 2 * math.pi * self.r


class Rect(Shape):
    kind = "rect"

    def __init__(self, w, h):
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    def perimeter(self):
        return 2 * (self.w + self.h)


class Triangle(Shape):
    kind = "triangle"

    def __init__(self, a, b, c):
        self.a, self.b, self.c = sorted((a, b, c))

    def perimeter(self):
        return self.a + self.b + self.c

    def area(self):
        s = self.perimeter() / 2
        return math.sqrt(max(s * (s - self.a) * (s - self.b) * (s - self.c), 0.0))


class Account:
    fee = 0.25

    def __init__(self, owner, balance=0.0):
        self.owner = owner
        self.balance = balance
        self.history = []

    def deposit(self, amount):
        self.balance += amount
        self.history.append(("deposit", amount))
        return self.balance

    def withdraw(self, amount):
        if amount + self.fee > self.balance:
            self.history.append(("refused", amount))
            return False
        self.balance -= amount + self.fee
        self.history.append(("withdraw", amount))
        return True

    @property
    def turnover(self):
        return sum(a for kind, a in self.history if kind != "refused")

    def statement(self):
        lines = [f"{kind:<9}{amount:>10.2f}" for kind, amount in self.history]
        return f"{self.owner}\\n" + "\\n".join(lines) + f"\\n{'balance':<9}{self.balance:>10.2f}"

    def __repr__(self):
        return f"{type(self).__name__}({self.owner!r}, {self.balance:.2f})"


class Savings(Account):
    rate = 0.015

    def add_interest(self):
        return self.deposit(round(self.balance * self.rate, 2))


class EventBus:
    def __init__(self):
        self.handlers = {}

    def on(self, topic, fn):
        self.handlers.setdefault(topic, []).append(fn)

    def emit(self, topic, payload):
        return [fn(payload) for fn in self.handlers.get(topic, ())]


@dataclass
class Task:
    priority: int
    name: str
    tags: list = field(default_factory=list)

    @property
    def label(self):
        return f"[{self.priority}] {self.name} ({', '.join(self.tags)})"


def make_scaler(factor):
    def scale(x):
        return x * factor
    return scale


def make_counter():
    count = 0
    def bump(step=1):
        nonlocal count
        count += step
        return count
    return bump


def make_log(prefix):
    lines = []
    def log(payload):
        lines.append(f"{prefix}: {payload}")
        return len(lines)
    return log, lines


def make_memo(fn):
    cache = {}
    def call(n):
        if n not in cache:
            cache[n] = fn(n)
        return cache[n]
    return call


# a walk with vectors
pos, vel, path = Vec(0.0, 0.0), Vec(1.0, 0.5), []
for step in range(150):
    vel = vel.rotated(0.04 if step % 50 < 30 else -0.07)
    pos = pos + vel
    path.append(pos)
length = sum(math.dist((a.x, a.y), (b.x, b.y)) for a, b in zip(path, path[1:]))
area = abs(sum(a.x * b.y - b.x * a.y for a, b in zip(path, path[1:] + path[:1]))) / 2
far = max(path, key=abs)

# shapes
shapes = []
for i in range(180):
    if i % 3 == 0:
        shapes.append(Circle(1 + i % 7))
    elif i % 3 == 1:
        shapes.append(Rect(1 + i % 5, 2 + i % 9))
    else:
        shapes.append(Triangle(3 + i % 4, 4 + i % 5, 5 + i % 3))
descriptions = [s.describe() for s in shapes]
by_kind = {}
for s in shapes:
    by_kind.setdefault(s.kind, []).append(s)
largest = {k: max(v, key=attrgetter("kind")).describe() for k, v in by_kind.items()}

# bank accounts and an event bus
names = [f"{first} {last}" for first in ("Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald",
                                         "John", "Frances", "Niklaus", "Leslie")
         for last in ("Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Hughes", "Clark",
                      "Walker", "Wright", "Green", "Baker")]
accounts = []
for i, name in enumerate(names[:110]):
    cls = Savings if i % 3 == 0 else Account
    accounts.append(cls(name, balance=float(10 * (i % 17))))
bus = EventBus()
moves = make_counter()
refused = make_counter()
audit, audit_lines = make_log("audit")
bus.on("move", lambda p: moves())
bus.on("move", audit)
bus.on("refused", lambda p: refused())
seed = 7
for step in range(190):
    seed = (seed * 48271) % 2147483647
    acct = accounts[seed % len(accounts)]
    amount = (seed >> 8) % 500 / 4
    if seed % 5 < 3:
        acct.deposit(amount)
    elif not acct.withdraw(amount):
        bus.emit("refused", acct.owner)
    bus.emit("move", (acct.owner, amount))
interest = 0.0
for acct in accounts:
    if isinstance(acct, Savings):
        before = acct.balance
        acct.add_interest()
        interest += acct.balance - before
to_euro = make_scaler(0.92)
to_yen = make_scaler(151.3)
balances = {a.owner: round(a.balance, 2) for a in accounts}
in_euro = {k: round(to_euro(v), 2) for k, v in balances.items()}
richest = sorted(accounts, key=lambda a: (-a.balance, a.owner))[:5]
busiest = max(accounts, key=attrgetter("turnover"))
statements = [a.statement() for a in accounts]

# a task list of dataclasses
tasks = [Task((i * 37) % 11, f"task-{i}", ["io" if i % 2 else "cpu", f"p{i % 4}"]) for i in range(150)]
tasks.sort(key=attrgetter("priority", "name"))
labels = [t.label for t in tasks]
urgent = [t.name for t in tasks if t.priority < 2]

# export, as a notebook would before saving
rows = [{"owner": a.owner, "kind": type(a).__name__, "balance": round(a.balance, 2),
         "history": a.history} for a in accounts]
blob = json.dumps({"accounts": rows, "tasks": [vars(t) for t in tasks]}, indent=1, sort_keys=True)
restored = json.loads(blob)
snapshot = copy.deepcopy(rows)
same = all(r["owner"] == s["owner"] for r, s in zip(restored["accounts"], snapshot))

@make_memo
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

fibs = [fib(n) for n in range(90)]
summary = (f"path {length:.1f} area {area:.1f} far {far!r}; {len(descriptions)} shapes, "
           f"{moves(0)} moves, {refused(0)} refused, {len(audit_lines)} audited, "
           f"interest {interest:.2f}, richest {richest[0]!r}, busiest {busiest!r}, "
           f"yen {to_yen(richest[0].balance):.0f}; {len(urgent)} urgent tasks; "
           f"fib(89) = {fibs[-1]}; {sum(map(len, statements + labels))} chars of text, "
           f"{len(blob)} of JSON, round trip {same}")
"""

# -- text processing: split, count, format ----------------------------------------------------
TEXT = """\
import random
import re
import textwrap
from collections import Counter

VOCAB = ("the quick brown fox jumps over lazy dog while a bright star rises above "
         "quiet river banks and old stone bridges carry weary travellers home again "
         "under silver clouds where small birds sing their morning songs level radar "
         "noon civic kayak of in to at by").split()

rng = random.Random(12345)
sentences = [(" ".join(rng.choice(VOCAB) for _ in range(rng.randrange(6, 18)))).capitalize()
             + rng.choice(".!?") for _ in range(900)]
text = " ".join(sentences)

tokens = re.findall(r"[a-z]+", text.lower())
freq = Counter(tokens)
bigrams = Counter(zip(tokens, tokens[1:]))
lengths = Counter(map(len, tokens))
vowels = {w: sum(ch in "aeiou" for ch in w) for w in freq}

def title_words(s):
    return " ".join(w if len(w) < 4 else w.title() for w in s.split())

def shout(s):
    return s.upper().replace(" ", "_")

def context(word, width=3):
    i = tokens.index(word)
    return " ".join(tokens[max(0, i - width):i + width + 1])

headlines = []
for s in sentences[:190]:
    if len(s) > 40:
        headlines.append(title_words(s[:40].rstrip()) + "...")
    else:
        headlines.append(shout(s))

table = []
for rank, (word, count) in enumerate(freq.most_common(40), 1):
    share = count / len(tokens)
    table.append(f"{rank:>3}. {word:<12}{count:>6}{share:>8.2%}  {vowels[word]}v  {context(word)}")
pairs = [f"{a} {b}" for (a, b), c in bigrams.most_common(25)]
hist = "\\n".join(f"{n:>2} | {'#' * (c // 50)}" for n, c in sorted(lengths.items()))
followers = {}
for (a, b), c in bigrams.most_common(190):
    followers.setdefault(a, []).append(b)
wrapped = textwrap.fill(" ".join(headlines), width=72)
palindromes = sorted({w for w in tokens if len(w) > 2 and w == w[::-1]})
endings = Counter(s[-1] for s in sentences)
result = "\\n".join(table) + "\\n" + ", ".join(pairs) + "\\n" + hist + "\\n" + wrapped
"""

# -- the worst case for the counters: a tight loop kept cold ----------------------------------
TIGHT_MODULE = '''\
s = 0
for i in range(100_000):
    s += i
'''

TIGHT_FUNCTION = '''\
def total(n):
    s = 0
    for i in range(n):
        s += i
    return s

s = total(100_000)
'''


def suite() -> Suite:
    never = {"threshold": 10 ** 9}
    return Suite("cold", "cells whose loops never get hot: what %%jit costs on ordinary code", [
        Workload("report", REPORT, CONFIGS, expect_cold=True,
                 description="notebook cell: generate CSV, parse, group, format and print a report"),
        Workload("many_loops", many_loops_source(), CONFIGS, expect_cold=True,
                 description="a long cell of 80 different loops of 150 iterations each"),
        Workload("objects", OBJECTS, CONFIGS, expect_cold=True,
                 description="classes, properties, dataclasses, closures, comprehensions, JSON"),
        Workload("text", TEXT, CONFIGS, expect_cold=True,
                 description="text processing: regex, Counter, string methods and formatting"),
        Workload("tight_loop_module", TIGHT_MODULE, CONFIGS, params=never, expect_cold=True,
                 tags=("worst-case",),
                 description="100k iterations of s += i at module level, threshold 10**9"),
        Workload("tight_loop_func", TIGHT_FUNCTION, CONFIGS, params=never, expect_cold=True,
                 tags=("worst-case",),
                 description="100k iterations of s += i in a function, threshold 10**9"),
    ])
