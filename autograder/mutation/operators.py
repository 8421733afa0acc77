"""Mutants of the references: small, systematic changes to ``solutions/*.py``.

Why our own AST mutations rather than mutmut or cosmic-ray: both drive a project's own
test suite (one pytest run, or one process, per mutant) and judge a mutant by that
suite's exit status. What we must learn instead is what the *grader* does with each
mutant: its score per exercise and the hints it gives. Grading a mutant as a submission
through the engine takes a few tens of milliseconds, and the mutation operators the
course needs (swapped axes, dropped keyword arguments such as ``keepdims``, a float64
scalar leaking into float32 code, an input written in place) are NumPy-specific ones
neither tool has.

Each operator rewrites one node of a top-level function's syntax tree; the mutated file
is ``ast.unparse``'d (comments are lost, which changes nothing that runs). A mutant's
key, ``function: before -> after``, names it by text rather than by line, so the table
of equivalent mutants (``solutions/mutants.yaml``) survives edits elsewhere in the file.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

SWAPPED_NAMES = {  # a NumPy function or method for a plausible wrong neighbour
    "max": "min", "min": "max", "sum": "mean", "mean": "sum", "var": "std", "std": "var",
    "sin": "cos", "cos": "sin", "exp": "exp2", "tril": "triu", "triu": "tril",
    "maximum": "minimum", "minimum": "maximum", "sqrt": "abs", "ones": "zeros",
    "float64": "float32", "float32": "float64", "swapaxes": "transpose",
}
SWAPPED_OPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
               ast.Pow: ast.Mult, ast.MatMult: ast.Mult, ast.FloorDiv: ast.Div,
               ast.Mod: ast.FloorDiv}
SWAPPED_COMPARISONS = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                       ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
IN_PLACE = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}
MODULES = {"np", "numpy", "math"}
DELETED = object()  # a statement replaced by `pass`


@dataclass(frozen=True)
class Mutant:
    file: str           # the solutions file, e.g. "encoder.py"
    function: str       # the top-level function the change sits in
    line: int
    operator: str
    before: str
    after: str
    source: str         # the whole mutated file

    @property
    def key(self) -> str:
        return f"{self.function}: {self.before} -> {self.after}"


def _np(attr: str) -> ast.expr:
    return ast.Attribute(ast.Name("np", ast.Load()), attr, ast.Load())


def _call(func: ast.expr, *args: ast.expr, **kwargs: ast.expr) -> ast.Call:
    return ast.Call(func, list(args), [ast.keyword(k, v) for k, v in kwargs.items()])


def _as_float64(node: ast.expr) -> ast.expr:
    return _call(ast.Attribute(node, "astype", ast.Load()), _np("float64"))


def _replace(node, **fields):
    new = copy.copy(node)
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def _numbers(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    value = node.value
    if isinstance(value, bool):
        yield "flipped boolean", ast.Constant(not value)
    elif isinstance(value, int):
        yield "constant + 1", ast.Constant(value + 1)
        yield "constant - 1", ast.Constant(value - 1)
    elif isinstance(value, float):
        yield "changed constant", ast.Constant(1.0 if value == 0 else 2 * value)
        yield "float64 scalar", _call(_np("float64"), node)


def _binop(node: ast.BinOp, params: set[str]) -> Iterator[tuple[str, ast.AST]]:
    swapped = SWAPPED_OPS.get(type(node.op))
    if swapped:
        yield "swapped operator", _replace(node, op=swapped())
    if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult, ast.Pow)):
        yield "dropped term", node.left
        yield "dropped term", node.right
    if isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        yield "duplicated term", ast.BinOp(node, node.op, node.right)
    if isinstance(node.left, ast.Name) and node.left.id in params and type(node.op) in IN_PLACE:
        yield "in-place update", _call(_np(IN_PLACE[type(node.op)]), node.left, node.right,
                                       out=ast.Name(node.left.id, ast.Load()))


def _call_mutants(node: ast.Call) -> Iterator[tuple[str, ast.AST]]:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in SWAPPED_NAMES and isinstance(func, ast.Attribute):
        yield "swapped function", _replace(node, func=_replace(func, attr=SWAPPED_NAMES[name]))
    on_module = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and func.value.id in MODULES
    if isinstance(func, ast.Attribute) and not on_module:
        yield "dropped method call", func.value  # x.swapaxes(...) -> x
    if name == "var" and isinstance(func, ast.Attribute) and not on_module and not node.args:
        # x.var() = E[x²] - E[x]²: algebraically right, numerically fragile far from zero.
        def mean(of):
            return _replace(node, func=ast.Attribute(of, "mean", ast.Load()))

        x = func.value
        yield "fragile formula", ast.BinOp(mean(ast.BinOp(x, ast.Mult(), x)), ast.Sub(),
                                           ast.BinOp(mean(x), ast.Pow(), ast.Constant(2)))
    if name == "exp" and on_module and len(node.args) == 1 and isinstance(node.args[0], ast.BinOp) \
            and isinstance(node.args[0].op, ast.Sub):
        # exp(a - b) = exp(a) / exp(b): right on paper, overflows on large logits.
        a, b = node.args[0].left, node.args[0].right
        yield "fragile formula", ast.BinOp(_replace(node, args=[a]), ast.Div(),
                                           _replace(node, args=[b]))
    if on_module and func.value.id == "math":
        yield "float64 scalar", _call(_np("float64"), node)
    if len(node.args) >= 2:
        yield "dropped argument", _replace(node, args=node.args[:-1])
        for i in range(len(node.args) - 1):
            args = list(node.args)
            args[i], args[i + 1] = args[i + 1], args[i]
            yield "swapped arguments", _replace(node, args=args)
    for i in range(len(node.keywords)):
        yield "dropped keyword", _replace(node, keywords=node.keywords[:i] + node.keywords[i + 1:])


def _mutations(node: ast.AST, params: set[str], assigned_before) -> Iterator[tuple[str, object]]:
    if isinstance(node, ast.Constant) and not isinstance(node.value, str):
        yield from _numbers(node)
    elif isinstance(node, ast.BinOp):
        yield from _binop(node, params)
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
        yield "dropped unary operator", node.operand
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        swapped = SWAPPED_COMPARISONS.get(type(node.ops[0]))
        if swapped:
            yield "swapped comparison", _replace(node, ops=[swapped()])
    elif isinstance(node, ast.BoolOp):
        yield "swapped boolean operator", _replace(
            node, op=ast.Or() if isinstance(node.op, ast.And) else ast.And())
        for value in node.values:
            yield "dropped condition", value
    elif isinstance(node, ast.Call):
        yield from _call_mutants(node)
    elif isinstance(node, ast.Attribute):
        if node.attr == "T":
            yield "dropped transpose", node.value
        elif node.attr in SWAPPED_NAMES and isinstance(node.value, ast.Name) \
                and node.value.id in MODULES:
            yield "swapped dtype or function", _replace(node, attr=SWAPPED_NAMES[node.attr])
    elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) \
            and len(node.slice.elts) == 2:
        yield "swapped index", _replace(node, slice=ast.Tuple(node.slice.elts[::-1], ast.Load()))
    elif isinstance(node, (ast.If, ast.IfExp)):
        yield "condition always true", _replace(node, test=ast.Constant(True))
        yield "condition always false", _replace(node, test=ast.Constant(False))
    elif isinstance(node, ast.Raise):
        yield "dropped raise", DELETED
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(node.targets[0], ast.Name) and assigned_before(node):
        yield "dropped update", DELETED
    elif isinstance(node, ast.Return) and node.value is not None:
        value = node.value
        new = (ast.Tuple([_as_float64(e) for e in value.elts], ast.Load())
               if isinstance(value, ast.Tuple) else _as_float64(value))
        yield "float64 result", _replace(node, value=new)


def _parents(tree: ast.AST) -> dict[int, ast.AST]:
    return {id(child): parent for parent in ast.walk(tree)
            for child in ast.iter_child_nodes(parent)}


def _substitute(parent: ast.AST, old: ast.AST, new) -> None:
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list) and any(v is old for v in value):
            index = next(i for i, v in enumerate(value) if v is old)
            value[index] = ast.Pass() if new is DELETED else new
            return
    raise LookupError("node not found in its parent")


def _statement(node: ast.AST, parents: dict[int, ast.AST]) -> ast.AST:
    """The statement holding ``node`` (itself when it is one): a key's context."""
    while not isinstance(node, ast.stmt):
        node = parents[id(node)]
    return node


def _text(node) -> str:
    return "pass" if node is DELETED else ast.unparse(node).splitlines()[0]


def mutants_of_file(path: Path) -> list[Mutant]:
    """Every mutant of every top-level function of one file, in file order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    original = ast.unparse(tree) + "\n"
    found = []
    for top, function in enumerate(tree.body):
        if not isinstance(function, ast.FunctionDef):
            continue
        args = function.args
        params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
        stores = [(n.lineno, n.id) for n in ast.walk(function)
                  if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]

        def assigned_before(node, stores=stores, params=params):
            name = node.targets[0].id
            return name in params or any(line < node.lineno and n == name for line, n in stores)

        nodes = list(ast.walk(function))
        for index, node in enumerate(nodes):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a docstring
            early = {(line, n) for line, n in stores if line < getattr(node, "lineno", 0)}
            in_place_params = {p for p in params if all(n != p for _, n in early)}
            for operator, replacement in _mutations(node, in_place_params, assigned_before):
                mutated = copy.deepcopy(tree)
                target_function = mutated.body[top]
                target = list(ast.walk(target_function))[index]
                new = replacement if replacement is DELETED else copy.deepcopy(replacement)
                if target is target_function:
                    continue
                parents = _parents(target_function)
                statement = _statement(target, parents)
                before = _text(statement)
                _substitute(parents[id(target)], target, new)
                ast.fix_missing_locations(mutated)
                after = _text(new) if statement is target else _text(statement)
                found.append(Mutant(path.name, function.name, node.lineno, operator,
                                    before, after, ast.unparse(mutated) + "\n"))
    return _unique([m for m in found if m.source != original])


def _unique(mutants: list[Mutant]) -> list[Mutant]:
    """Drop mutants whose file is the same as an earlier one's; number repeated keys."""
    seen_sources, seen_keys, kept = set(), {}, []
    for m in mutants:
        if m.source in seen_sources:
            continue
        seen_sources.add(m.source)
        count = seen_keys[m.key] = seen_keys.get(m.key, 0) + 1
        if count > 1:
            m = Mutant(m.file, m.function, m.line, m.operator, m.before, f"{m.after} #{count}",
                       m.source)
        kept.append(m)
    return kept


def mutants(solutions: Path) -> list[Mutant]:
    """Every mutant of every reference file of ``solutions/``."""
    return [m for path in sorted(Path(solutions).glob("*.py")) for m in mutants_of_file(path)]
