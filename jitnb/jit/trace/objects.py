"""The object model of traces: plain classes, attribute lookup, virtuals and their rebuilding.

A trace handles instances of *plain* classes only: heap classes whose metaclass is
``type``, without ``__slots__``, without custom ``__getattribute__``/``__setattr__``/
``__delattr__``/``__getattr__``, and (checked per attribute name) without data
descriptors.  For those, ``obj.name`` is ``obj.__dict__[name]`` if present, else the
class attribute found along the MRO, which the trace treats as a constant checked at
loop entry (``Loc("clsattr", (cls, name))``).

Three kinds of instance shadows:

* an object that exists at loop entry (``Known``): its attributes used by the loop are
  trace inputs at ``Loc("objattr", (ObjKey, name))`` and are written back at every exit;
* ``VObject``: an instance made inside the loop (``Cls(...)`` with a jitnb ``__init__``):
  class and field shadows only, no allocation; rebuilt from the snapshot on a guard failure;
* ``VTuple``: a tuple built in the loop, likewise (a tuple that exists at entry is read by
  address, ``lists.SeqRef``, unless its local is carried around the loop).

**Register-held state.**  While machine code runs, the attributes in
``Recorder.attrs`` live in registers, not in the objects' ``__dict__`` (``held_in_registers``
names them).  Anything that runs Python code in the middle of a trace could see or change
them, so a trace that holds any (or relies on entry checks of classes and instances) makes
no residual call (``Recorder._relies_on_objects``: recording aborts).
"""
from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()      # what an absent attribute reads as (entry checks compare it)
_HEAPTYPE = 1 << 9
_GUARDED = ("__getattribute__", "__setattr__", "__delattr__")


class ObjKey:
    """An object that exists at loop entry, found at ``root`` (a location of the frame, or an
    attribute of another ObjKey's object); keys compare by identity (instances may define
    __hash__/__eq__).  ``obj`` is the one seen while recording: machine code works on whatever
    object ``root`` holds at entry (``resolve``), checked for its class and aliasing.
    ``label`` names it in snapshots."""

    __slots__ = ("obj", "label", "root")

    def __init__(self, obj: Any, label: str, root: Any):
        self.obj, self.label, self.root = obj, label, root

    def __repr__(self) -> str:
        return self.label


def resolve(key: ObjKey, read) -> Any:
    """The object at `key`'s root in a frame (`read(loc)` reads a frame location)."""
    root = key.root
    if root.where == "objattr":
        parent, name = root.key
        return read_attr(resolve(parent, read), name)
    return read(root)


class VObject:
    """An instance that exists only in the trace: its class and its fields' shadows, in the
    order they were first set (the order of the rebuilt ``__dict__``)."""

    __slots__ = ("cls", "fields", "origin")

    def __init__(self, cls: type, fields: dict | None = None, origin: Any = None):
        self.cls, self.fields = cls, dict(fields or {})
        self.origin = origin   # carried around the loop: the location it was read from

    @property
    def shape(self) -> tuple:
        return self.cls, tuple(self.fields)

    def __repr__(self) -> str:
        return f"<virtual {self.cls.__name__}>"


@dataclass(frozen=True)
class BoundMethod:
    """``obj.m`` for a function ``m`` found on a plain class: called by inlining ``m``."""
    self_sh: Any
    func: Any


def lookup(cls: type, name: str) -> Any:
    """The class attribute `name` as attribute lookup finds it along the MRO (or MISSING)."""
    for k in cls.__mro__:
        d = k.__dict__
        if name in d:
            return d[name]
    return MISSING


def not_plain(cls: type) -> str | None:
    """Why instances of `cls` are outside the trace's object model, or None."""
    if type(cls) is not type:
        return f"class {cls.__name__} has a metaclass"
    for k in cls.__mro__[:-1]:
        if not k.__flags__ & _HEAPTYPE:
            return f"class {cls.__name__} derives from {k.__name__}"
        if "__slots__" in k.__dict__:
            return f"class {cls.__name__} has __slots__"
    for name in _GUARDED:
        if lookup(cls, name) is not getattr(object, name):
            return f"class {cls.__name__} defines {name}"
    if lookup(cls, "__getattr__") is not MISSING:
        return f"class {cls.__name__} defines __getattr__"
    return None


def plain_checks(cls: type) -> list[tuple[tuple, Any]]:
    """(clsattr key, expected) pairs that keep `cls` plain while the loop's code is used."""
    return [((cls, n), getattr(object, n)) for n in _GUARDED] + [((cls, "__getattr__"), MISSING)]


def is_data_descriptor(v: Any) -> bool:
    t = type(v)
    return hasattr(t, "__set__") or hasattr(t, "__delete__")


def is_instance(obj: Any) -> bool:
    """An instance of a user class (a candidate for the object model)."""
    t = type(obj)
    return bool(t.__flags__ & _HEAPTYPE) and not isinstance(obj, (type, types.FunctionType,
                                                                   types.MethodType,
                                                                   types.ModuleType))


def is_instance_class(cls: type) -> bool:
    """A class defined by Python code (not a builtin or extension type)."""
    return bool(cls.__flags__ & _HEAPTYPE)


def instance_dict(obj: Any) -> dict | None:
    try:
        d = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        return None
    return d if type(d) is dict else None


def read_attr(obj: Any, name: str) -> Any:
    d = instance_dict(obj)
    return MISSING if d is None else d.get(name, MISSING)


def write_attr(obj: Any, name: str, value: Any) -> None:
    instance_dict(obj)[name] = value


# -- operators on instances: the dunder a trace inlines, and CPython's fall-backs ----------
BINARY_DUNDERS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv",
                  "%": "mod", "<<": "lshift", ">>": "rshift", "&": "and", "|": "or",
                  "^": "xor", "@": "matmul"}
COMPARE_DUNDERS = {"<": ("__lt__", "__gt__"), "<=": ("__le__", "__ge__"),
                   "==": ("__eq__", "__eq__"), "!=": ("__ne__", "__ne__"),
                   ">": ("__gt__", "__lt__"), ">=": ("__ge__", "__le__")}


def complete(post: tuple | None, value: Any) -> tuple[bool, Any]:
    """What an inlined call's caller receives once the callee returned `value`: (push?, value).

    ``post`` says how the call was made: a constructor's ``__init__`` (the result is the new
    object), an operator dunder (``NotImplemented`` falls back as CPython does), a
    ``__setitem__`` (nothing is pushed), or None for a plain call."""
    if post is None:
        return True, value
    kind = post[0]
    if kind == "init":
        if value is not None:
            raise TypeError(f"__init__() should return None, not '{type(value).__name__}'")
        return True, post[1]
    if kind == "discard":
        return False, None
    if value is not NotImplemented:
        return True, value
    if kind == "binop":  # operands of one class, or a number on the right: no reflected method
        _, sym, a, b = post
        raise TypeError(f"unsupported operand type(s) for {sym}: '{type(a).__name__}' and "
                        f"'{type(b).__name__}'")
    _, sym, a, b = post   # comparison: the reflected method, then identity for == and !=
    r = getattr(type(b), COMPARE_DUNDERS[sym][1])(b, a)
    if r is not NotImplemented:
        return True, r
    if sym == "==":
        return True, a is b
    if sym == "!=":
        return True, a is not b
    raise TypeError(f"'{sym}' not supported between instances of '{type(a).__name__}' and "
                    f"'{type(b).__name__}'")


# -- virtuals in snapshots --------------------------------------------------------------
@dataclass
class VirtualSpec:
    """How to rebuild one virtual at a guard: ``kind`` "object" (``cls.__new__(cls)`` and its
    ``__dict__`` filled in field order), "tuple", or "method" (``cls`` is the function, the
    one item its ``self``); each item is (field, how, what) with the
    encodings of resume entries ("ir" name, "obj" object, "virtual" id)."""
    kind: str
    cls: Any
    items: list[tuple[str, str, Any]] = field(default_factory=list)
    origin: Any = None       # "carried": the location that held it at loop entry


def shape_matches(obj: Any, shape: tuple, types_: tuple) -> bool:
    """`obj` has exactly the class, attribute names and value types of a carried shape."""
    cls, names = shape
    d = numeric_fields(obj) if type(obj) is cls else None
    return d is not None and len(d) == len(names) and all(
        type(d.get(n, MISSING)) is t for n, t in zip(names, types_))


def numeric_fields(obj: Any) -> dict | None:
    """The fields of a plain instance (its ``__dict__``) or a tuple (by index, "0", "1"...),
    if it may be read by shape; None otherwise."""
    if type(obj) is tuple:
        return {str(i): x for i, x in enumerate(obj)} if 0 < len(obj) <= 16 else None
    if not is_instance(obj) or not_plain(type(obj)) is not None:
        return None
    return instance_dict(obj) or None


def read_field(obj: Any, name: str) -> Any:
    if type(obj) is tuple:
        i = int(name)
        return obj[i] if i < len(obj) else MISSING
    return read_attr(obj, name)


def materialise(vid: int, virtuals: dict[int, VirtualSpec], leaf, memo: dict[int, Any],
                carried=None) -> Any:
    """The Python object for virtual `vid`; `leaf(how, what)` gives the other values; one
    object per virtual and snapshot (`memo`), so aliases stay aliases.  A virtual carried
    around the loop is, in the first iteration, the entry object (`carried(spec)`), later
    one made by the previous iteration (never seen by anything else: a new object)."""
    if vid in memo:
        return memo[vid]
    spec = virtuals[vid]
    if spec.kind in ("carried", "entry") and carried is not None:
        obj = carried(spec)
        if obj is not None:     # the loop's first iteration: still the object from entry
            memo[vid] = obj
            return obj
    if spec.kind in ("tuple", "method") or spec.cls is tuple:
        items = [materialise(w, virtuals, leaf, memo, carried) if h == "virtual" else leaf(h, w)
                 for _, h, w in spec.items]
        obj = types.MethodType(spec.cls, items[0]) if spec.kind == "method" else tuple(items)
        memo[vid] = obj
        return obj
    obj = spec.cls.__new__(spec.cls)
    memo[vid] = obj
    d = instance_dict(obj)
    for name, h, w in spec.items:
        d[name] = materialise(w, virtuals, leaf, memo, carried) if h == "virtual" else leaf(h, w)
    return obj


def held_in_registers(recorder) -> list[tuple[Any, list[str]]]:
    """The objects whose attributes a trace keeps unboxed at this point of recording, with
    the attribute names: their ``__dict__`` entries are stale while machine code runs."""
    return [(key.obj, list(slots)) for key, slots in recorder.attrs.values()]
