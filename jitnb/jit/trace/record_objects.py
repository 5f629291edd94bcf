"""The recorder's object model: instances and tuples while recording (see objects.py).

A mixin of ``Recorder``; the shadow classes it uses come from recorder.py, imported at the
end of this module so that either module may be imported first.

    LOAD_ATTR/STORE_ATTR/CALL/operators ─► load_attr, construct, operator_call (inline)
    loop entry ─► _locate (objects by location, class and aliasing checks)
    snapshots ─► _encode (virtuals), bridges ─► _virtual_shadow, _post_shadow
    back-edge ─► _rebound_entry_objects, _no_virtual_at_back_edge, _carried_field
"""
from __future__ import annotations

import types
from typing import Any

from ..ir import ops as I
from ..ir.trace import Const, Value
from . import objects as OB
from .objects import MISSING, BoundMethod, ObjKey, VObject


class ObjectRecording:
    """Recorder methods for instances of plain classes, virtual objects and tuples."""

    def _current(self, key: ObjKey) -> Any:
        """The object a key stands for in the frames being recorded (a bridge's objects are
        those of the run it starts from, not those seen when the loop was recorded)."""
        f = self.loop_frame

        def read(loc: Loc) -> Any:
            if loc.where == "fast":
                return f.fast[loc.key]
            if loc.where == "global":
                return f.globals.get(loc.key, MISSING)
            if loc.where == "modattr":
                return getattr(loc.key[0], loc.key[1], MISSING)
            raise Abort(f"object at {loc.where}: NYI", self.line)
        obj = OB.resolve(key, read)
        if id(obj) not in self.located:
            self.located[id(obj)] = key
        return obj

    def _encode(self, sh: Any, name: str, values: list) -> tuple[str, Any]:
        """A value of a virtual's field (or an operand kept for a call's return) in a
        snapshot: ("num", (name, type)), ("obj", object) or ("virtual", id)."""
        if isinstance(sh, Num):
            values.append((name, sh.v))
            return "num", (name, sh.py)
        if isinstance(sh, Known):
            key = self.located.get(id(sh.obj))
            return ("obj", sh.obj) if key is None else ("eobj", key)
        if isinstance(sh, (VObject, VTuple, BoundMethod)):
            vid = self._snap_vids.get(id(sh))
            if vid is None:
                vid = self._snap_vids[id(sh)] = len(self._snap_vids)
                if isinstance(sh, BoundMethod):
                    spec = OB.VirtualSpec("method", sh.func)
                    pairs = [("self", sh.self_sh)]
                    label = f"{name}#method"
                else:
                    kind = ("object" if isinstance(sh, VObject) else "tuple") \
                        if sh.origin is None else \
                        "entry" if sh.origin in self.entry_objects else "carried"
                    spec = OB.VirtualSpec(kind, sh.cls, origin=sh.origin)
                    pairs = list(sh.fields.items())
                    label = f"{name}#{sh.cls.__name__}"
                self._snap_virtuals[vid] = spec
                spec.items = [(k, *self._encode(x, f"{label}.{k}", values)) for k, x in pairs]
            return "virtual", vid
        raise Abort(f"{type(sh).__name__} inside a virtual live across a guard: NYI", self.line)

    def _post_shadow(self, how: str, what: Any, by_name: dict[str, Value]) -> Any:
        if how == "num":
            return Num(by_name[what[0]], what[1])
        if how == "obj":
            return Known(what)
        if how == "eobj":
            return Known(self._current(what))
        return self._virtual_shadow(what, by_name)

    def _virtual_shadow(self, vid: int, by_name: dict[str, Value]) -> Any:
        """The shadow of a snapshot's virtual (for a bridge), one per virtual."""
        if vid in self._virt_memo:
            return self._virt_memo[vid]
        spec = self._virt_specs[vid]
        if spec.kind in ("carried", "entry") and getattr(self, "_inner_exit", None) is not None:
            sh = self._inner_instance(spec, by_name)
            if sh is not None:
                self._virt_memo[vid] = sh
                return sh
            spec = OB.VirtualSpec("tuple" if spec.cls is tuple else "object", spec.cls, spec.items)

        def item(how: str, what: Any) -> Any:
            if how == "num":
                return Num(by_name[what[0]], what[1])
            if how == "obj":
                return Known(what)
            if how == "eobj":
                return Known(self._current(what))
            return self._virtual_shadow(what, by_name)
        if spec.kind in ("tuple", "method") or spec.cls is tuple:
            items = [item(h, w) for _, h, w in spec.items]
            sh: Any = BoundMethod(items[0], spec.cls) if spec.kind == "method" else \
                VTuple(tuple(items), origin=spec.origin)
            self._virt_memo[vid] = sh
            return sh
        sh = self._virt_memo[vid] = VObject(spec.cls, origin=spec.origin)
        for k, h, w in spec.items:
            sh.fields[k] = item(h, w)
        return sh

    def _inner_instance(self, spec: OB.VirtualSpec, by_name: dict[str, Value]) -> Any:
        """An instance of the inner loop's, at its exit: the one we passed in if the inner
        loop did not replace it (read-only, or no iteration ran), else a new virtual."""
        pre, iters, concrete = self._inner_exit
        mine = pre.get(spec.origin)
        if mine is None:
            raise Abort("inner loop instance without its shape", self.line)
        if spec.kind == "entry":
            return mine
        self.guard(I.GUARD_TRUE if concrete else I.GUARD_FALSE, self.emit(I.INT_NE, iters, Const(0)))
        return mine if not concrete else None

    def _backfill_attrs(self) -> None:
        """Like globals: an attribute slot that became an input mid-trace is written back
        by the snapshots taken before (the value may have changed in an earlier iteration)."""
        for spec, inp in zip(self.specs, self.inputs):
            if spec.loc.where != "objattr" or spec.part:
                continue
            name = spec.loc.name(self.unit)
            for op in self.ops:
                snap = op.snapshot
                if snap is None or any(n == name for n, _ in snap.values):
                    continue
                snap.values.append((name, inp))
                snap.resume.entries.append((spec.loc, "ir", name))
                snap.resume.pytypes[name] = spec.py

    # -- an inner loop that reads objects, called by this trace: its objects are ours ------
    def _outer_object(self, key: ObjKey, base: int) -> Any:
        """The object an inner loop's `key` stands for now: one this trace knows from its
        own entry (so our entry checks its class and aliasing), else Abort."""
        if self.bridge:
            raise Abort("inner loop over objects in a bridge: NYI", self.line)
        root = key.root
        if root.where == "objattr":
            parent, name = root.key
            pobj = self._outer_object(parent, base)
            sh = self.load_attr(Known(pobj), pobj, name)
        elif root.where in ("fast", "global"):
            sh = self._shadow_at(root, base)
        else:
            raise Abort(f"inner loop object at {root.where}: NYI", self.line)
        if isinstance(sh, VObject) and sh.origin in self.entry_objects:
            self.loop.carried[sh.origin] = None   # not a copy of its fields: the object
            raise Abort(f"{sh.origin.name(self.loop_unit)} is an object of an inner loop's "
                        "(traced again)", self.line)
        if not (isinstance(sh, Known) and id(sh.obj) in self.located):
            raise Abort(f"inner loop object {key.label} is not one from this loop's entry",
                        self.line)
        return sh.obj

    def _is_entry_object(self, sh: Any) -> bool:
        """An instance this (loop) trace knows from its entry, by class and aliasing."""
        return not self.bridge and isinstance(sh, Known) and id(sh.obj) in self.located \
            and OB.is_instance(sh.obj)

    def _outer_attr(self, loc: Loc, base: int) -> Any:
        """Our shadow of an attribute an inner loop takes as an input (as we hold it)."""
        key, name = loc.key
        obj = self._outer_object(key, base)
        if name not in self.slots_of(obj)[1] and OB.read_attr(obj, name) is MISSING:
            raise Abort(f"inner loop input {loc.name(self.unit)} is missing", self.line)
        return self.load_attr(Known(obj), obj, name)

    def _outer_object_check(self, loc: Loc, expected: Any, base: int) -> None:
        """An inner loop's entry check on its objects, made a fact of this trace's: our own
        entry checks keep our objects' classes and keep distinct objects distinct."""
        w = loc.where
        if w == "type":
            ok = type(self._outer_object(loc.key, base)) is expected
        elif w == "distinct":
            ok = self._outer_object(loc.key[0], base) is not self._outer_object(loc.key[1], base)
        elif w == "same":
            where, key = loc.key
            ok = self._outer_object(ObjKey(None, where.where, where), base) is \
                self._outer_object(key, base)
        elif w == "objattr":
            key, name = loc.key
            obj = self._outer_object(key, base)
            if expected is MISSING:
                ok = name not in self.slots_of(obj)[1] and OB.read_attr(obj, name) is MISSING
                if ok:
                    self.checks.append((Loc("objattr", (self.located[id(obj)], name)), MISSING))
            else:
                sh = self.load_attr(Known(obj), obj, name)
                ok = isinstance(sh, Known) and sh.obj is expected
        else:   # distinct_loc: an instance the inner loop carries by shape
            raise Abort("inner loop carrying an instance by shape over objects: NYI", self.line)
        if not ok:
            raise Abort(f"inner loop's objects differ from ours ({w} check)", self.line)

    def _key_at_entry(self, obj: Any) -> Any:
        return self.located.get(id(obj)) if not self.bridge else \
            next((k for k in self.located.values() if k.obj is obj), None)

    def _entry_shadow(self, loc: Loc) -> Any:
        """The shadow at a location that held an object at entry (None: not touched)."""
        if loc.where == "fast":
            return self.fast[loc.key]
        if loc.where == "global":
            return self.globals.get(loc.key)
        key, name = loc.key
        for k, slots in self.attrs.values():
            if k is key:
                return slots.get(name)
        return None

    def _backfill_carried(self) -> None:
        """A global carrying an instance around the loop, in the snapshots taken before it
        was first touched: the instance from the label (new after the first iteration)."""
        fields: dict[Loc, list] = {}
        for spec, inp in zip(self.specs, self.inputs):
            if spec.loc.where == "vfield" and spec.loc.key[0].where == "global":
                fields.setdefault(spec.loc.key[0], []).append((spec.loc.key[1], spec.py, inp))
        for loc, items in fields.items():
            entry = loc in self.entry_objects
            cls = self.entry_objects[loc] if entry else self.loop.carried[loc][0][0]
            for op in self.ops:
                snap = op.snapshot
                if snap is None or any(l == loc for l, _, _ in snap.resume.entries):
                    continue
                r = snap.resume
                vid = max(r.virtuals, default=-1) + 1
                label = f"{loc.key}#{cls.__name__}"
                r.virtuals[vid] = OB.VirtualSpec("entry" if entry else "carried", cls, [
                    (n, "num", (f"{label}.{n}", py)) for n, py, _ in items], origin=loc)
                snap.values.extend((f"{label}.{n}", inp) for n, _, inp in items)
                r.entries.append((loc, "virtual", vid))

    def _rebound_entry_objects(self) -> None:
        """Read-only instances from entry that the loop rebinds: trace again, carrying the
        new instance (or keeping the location as an object from entry)."""
        rebound = []
        for loc in self.entry_objects:
            if loc.where == "global" and loc.key not in self.globals:
                continue
            sh = self._get(loc)
            if isinstance(sh, (VObject, VTuple)) and sh.origin == loc:
                continue
            fresh = isinstance(sh, (VObject, VTuple)) and sh.origin is None and all(
                isinstance(f, Num) for f in sh.fields.values())
            self.loop.carried[loc] = (sh.shape, tuple(f.py for f in sh.fields.values())) \
                if fresh else None
            rebound.append(loc.name(self.loop_unit))
        if rebound:
            raise Abort(f"{', '.join(rebound)} rebound in the loop (traced again)", self.loop.line)

    def _carried_field(self, spec: InputSpec) -> Value:
        loc, name = spec.loc.key
        sh = self._get(loc)
        if loc in self.entry_objects:   # read-only: the same instance at the back-edge
            if not (isinstance(sh, (VObject, VTuple)) and sh.origin == loc):
                fresh = isinstance(sh, (VObject, VTuple)) and sh.origin is None and all(
                    isinstance(f, Num) for f in sh.fields.values())
                self.loop.carried[loc] = (sh.shape, tuple(f.py for f in sh.fields.values())) \
                    if fresh else None
                raise Abort(f"{loc.name(self.unit)} rebound in the loop (traced again)",
                            self.loop.line)
            return sh.fields[name].v
        if not (isinstance(sh, (VObject, VTuple)) and sh.origin is None
                and sh.shape == self.loop.carried.get(loc, (None,))[0]):
            raise Abort(f"{loc.name(self.unit)} is not a new {self.loop.carried[loc][0][0].__name__} "
                        f"at the back-edge", self.loop.line)
        f = sh.fields[name]
        if not (isinstance(f, Num) and f.py is spec.py):
            raise Abort(f"type of {spec.loc.name(self.unit)} changes", self.loop.line)
        return f.v

    def _no_virtual_at_back_edge(self) -> None:
        """Virtuals may not live on at the back-edge, except a new instance in a local or
        global that each iteration makes for the next (all its fields numbers): then the
        loop is traced again, carrying that instance's fields as loop inputs."""
        frames = [(c.fast, c.stack) for c in self.callers] + [(self.fast, self.stack)]
        places = [(Loc("fast", i), sh) for i, sh in enumerate(self.fast)] + \
            [(Loc("global", n), sh) for n, sh in self.globals.items()]
        seen: dict[int, int] = {}
        for _, sh in places:
            seen[id(sh)] = seen.get(id(sh), 0) + 1
        live = [sh for fast, stack in frames for sh in fast + stack] + list(self.globals.values())
        hints = {}
        for loc, sh in places:
            if not isinstance(sh, (VObject, VTuple)) or sh.origin is not None or self.callers:
                continue
            if loc in self.loop.carried or seen[id(sh)] > 1 or not all(
                    isinstance(f, Num) for f in sh.fields.values()):
                continue
            hints[loc] = (sh.shape, tuple(f.py for f in sh.fields.values()))
        carried_ok = {id(self._get(loc)) for loc in list(self.loop.carried) + list(self.entry_objects)
                      if (loc.where == "fast" or loc.key in self.globals)
                      and isinstance(self._get(loc), (VObject, VTuple))}
        for sh in live:
            if not isinstance(sh, (VObject, VTuple)):
                continue
            if id(sh) in carried_ok and seen.get(id(sh)) == 1:
                continue
            if sh.origin in self.entry_objects:
                continue
            what = f"{sh.cls.__name__} instance" if isinstance(sh, VObject) else "tuple"
            if hints and not self.bridge:
                self.loop.carried.update(hints)
                raise Abort(f"virtual {what} live at the loop's back-edge (traced again, "
                            f"carrying it)", self.loop.line)
            raise Abort(f"virtual {what} live at the loop's back-edge: NYI", self.loop.line)

    @staticmethod
    def is_object(sh: Any, value: Any) -> bool:
        """An instance of a user class, as the trace sees it."""
        return isinstance(sh, VObject) or (isinstance(sh, Known) and OB.is_instance(value))

    def _locate(self, obj: Any, loc: Loc) -> None:
        """Remember where an object that exists at loop entry was first found; entry
        checks keep its class and its aliasing with the other located objects."""
        if not OB.is_instance(obj):
            return
        key = self.located.get(id(obj))
        if key is not None:
            if key.root != loc:
                self.checks.append((Loc("same", (loc, key)), True))
            return
        key = ObjKey(obj, loc.name(self.loop_unit), loc)
        for where, other in self.read_only:
            if other is obj:
                self.loop.carried[where] = None
                raise Abort(f"{where.name(self.loop_unit)} is also {loc.name(self.loop_unit)} "
                            f"(traced again)", self.line)
            self.checks.append((Loc("distinct_loc", (where, key)), True))
        self.checks.append((Loc("type", key), type(obj)))
        for other in self.located.values():
            self.checks.append((Loc("distinct", (other, key)), True))
        self.located[id(obj)] = key

    def _located_shadow(self, value: Any, loc: Loc) -> Any:
        self._locate(value, loc)
        return Known(value)

    def check_class(self, cls: type) -> None:
        """`cls` must be plain now and at every loop entry."""
        if id(cls) in self.class_checked:
            return
        why = OB.not_plain(cls)
        if why:
            self.nyi(why)
        self.class_checked.add(id(cls))
        for key, expected in OB.plain_checks(cls):
            self.checks.append((Loc("clsattr", key), expected))

    def class_attr(self, cls: type, name: str) -> Any:
        """The class attribute `name` (checked at entry); data descriptors are NYI."""
        self.check_class(cls)
        value = OB.lookup(cls, name)
        if OB.is_data_descriptor(value):
            self.nyi(f"{cls.__name__}.{name} is a {type(value).__name__}")
        self.checks.append((Loc("clsattr", (cls, name)), value))
        return value

    def slots_of(self, obj: Any) -> tuple[ObjKey, dict[str, Any]]:
        """The attribute shadows of an object that exists at loop entry."""
        entry = self.attrs.get(id(obj))
        if entry is None:
            key = self.located.get(id(obj))
            if key is None:
                self.nyi(f"{type(obj).__name__} instance of unknown origin")
            entry = self.attrs[id(obj)] = (key, {})
        return entry

    def load_attr(self, sh: Any, obj: Any, name: str) -> Any:
        """The shadow of ``obj.name`` (before the concrete load)."""
        cls = type(obj)
        cattr = self.class_attr(cls, name)
        if isinstance(sh, VObject):
            if name in sh.fields:
                return sh.fields[name]
        else:
            key, slots = self.slots_of(obj)
            if name in slots:
                return slots[name]
            value = OB.read_attr(obj, name)
            loc = Loc("objattr", (key, name))
            if value is not MISSING:
                slots[name] = self._shadow_value(loc, value)
                return slots[name]
            self.checks.append((loc, MISSING))
        if isinstance(cattr, types.FunctionType):
            return BoundMethod(sh, cattr)
        if cattr is MISSING or hasattr(type(cattr), "__get__"):
            self.nyi(f"attribute {name!r} of {cls.__name__}")
        return self._const_shadow(cattr)

    def _jitnb_function(self, fn: Any, what: str) -> Any:
        code = self.inline_unit(fn) if (self.inline_unit is not None
                                         and isinstance(fn, types.FunctionType)) else None
        if code is None:
            self.nyi(f"{what}: not a jitnb function")
        return code

    def construct(self, cls: type, n: int, kwnames: tuple) -> None:
        """``Cls(args)``: a virtual instance, initialised by inlining its ``__init__``."""
        if OB.lookup(type(cls), "__call__") is not type.__call__:
            self.nyi(f"class {cls.__name__} has a metaclass")
        new = self.class_attr(cls, "__new__")
        if new is not object.__dict__["__new__"]:
            self.nyi(f"class {cls.__name__} defines __new__")
        init = self.class_attr(cls, "__init__")
        code = self._jitnb_function(init, f"{cls.__name__}.__init__")
        obj = object.__new__(cls)
        sh = VObject(cls)
        self.inline(code, init, n, kwnames, (sh, obj), ("init", obj), (sh,))

    def operator_call(self, sym: str, dunder: str, a: Any, b: Any, va: Any, vb: Any,
                      kind: str, inplace: str = "") -> bool:
        """``a <op> b`` with an instance on the left: inline its dunder method.  Only
        operands of one class, or a number on the right, so that CPython would not try
        the right operand's reflected method first."""
        if not self.is_object(a, va):
            if self.is_object(b, vb):
                self.nyi(f"{sym} with an instance on the right")
            return False
        cls = type(va)
        if not (type(vb) is cls or isinstance(b, Num)):
            self.nyi(f"{sym} on {cls.__name__} and {type(vb).__name__}")
        if inplace and self.class_attr(cls, inplace) is not MISSING:
            self.nyi(f"{cls.__name__}.{inplace}")
        fn = self.class_attr(cls, dunder)
        code = self._jitnb_function(fn, f"{cls.__name__}.{dunder}")
        post = (kind, sym, va, vb) if kind != "call" else None
        self.enter(code, fn, [a, b], [va, vb], 2, post, (a, b) if post else ())
        return True


from .recorder import Abort, InputSpec, Known, Loc, Num, VTuple  # noqa: E402 (import cycle)
