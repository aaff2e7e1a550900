"""Every audit action code and detail key the code base can emit, found by reading its
source: the calls of audit.record, a parameter followed back to the calls that pass it."""

import ast
import importlib
import itertools
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"


class Unresolved(Exception):
    pass


class _Module:
    def __init__(self, path: Path):
        self.name = ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts)
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents = {child: node for node in ast.walk(self.tree)
                        for child in ast.iter_child_nodes(node)}
        self._namespace = None

    @property
    def namespace(self):
        if self._namespace is None:
            self._namespace = vars(importlib.import_module(self.name.removesuffix(".__init__")))
        return self._namespace

    def function_of(self, node):
        while node is not None and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node = self.parents.get(node)
        return node

    def calls_to(self, function):
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _called_name(node) == function.name:
                yield node

    def values(self, expr, depth=0) -> set[str]:
        """The strings expr can take, following a parameter back to the calls that pass it."""
        if depth > 5:
            raise Unresolved(ast.unparse(expr))
        if isinstance(expr, ast.Constant):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.values(expr.body, depth) | self.values(expr.orelse, depth)
        if isinstance(expr, ast.JoinedStr):
            parts = [self.values(p.value if isinstance(p, ast.FormattedValue) else p, depth)
                     for p in expr.values]
            return {"".join(map(format, combination))
                    for combination in itertools.product(*parts)}
        function = self.function_of(expr)
        if isinstance(expr, ast.Name) and function is not None and expr.id in _params(function):
            found = set()
            for call in self.calls_to(function):
                argument = _argument(call, function, expr.id)
                if argument is not None:
                    found |= self.values(argument, depth + 1)
            return found
        if isinstance(expr, ast.Name) and function is not None:
            looked_up = self._looked_up_in_table(expr.id, function)
            if looked_up is not None:
                return looked_up
        return {self.lookup(expr)}

    def _looked_up_in_table(self, name, function):
        """A local bound to TABLE[key], TABLE a module-level dict: any of its values."""
        for node in ast.walk(function):
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == name
                    and isinstance(node.value, ast.Subscript)):
                table = self.lookup(node.value.value)
                if isinstance(table, dict):
                    return set(table.values())
        return None

    def lookup(self, expr):
        """A name or a dotted name (an enumeration's member) in the module's namespace."""
        if isinstance(expr, ast.Name) and expr.id in self.namespace:
            return self.namespace[expr.id]
        if isinstance(expr, ast.Attribute):
            return getattr(self.lookup(expr.value), expr.attr)
        raise Unresolved(f"{self.name}: {ast.unparse(expr)} (write the code out in full)")


def _called_name(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _params(function):
    a = function.args
    return [p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs)]


def _argument(call, function, name):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    positional = [p.arg for p in (*function.args.posonlyargs, *function.args.args)]
    if name in positional and positional.index(name) < len(call.args):
        return call.args[positional.index(name)]
    return None


def _is_audit_record(call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "record"
            and isinstance(func.value, ast.Name) and func.value.id == "audit")


def emitted_actions() -> set[str]:
    actions = set()
    for path in sorted(PORTAL.rglob("*.py")):
        module = _Module(path)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _is_audit_record(node):
                action = node.args[0] if node.args else next(
                    k.value for k in node.keywords if k.arg == "action")
                actions |= module.values(action)
    return actions


def _dict_keys(module, expr, function) -> set[str]:
    """The keys a details expression can hold: dict literals, ** of them, a local dict."""
    if isinstance(expr, ast.Dict):
        keys = set()
        for key, value in zip(expr.keys, expr.values, strict=True):
            if key is None:  # **other
                keys |= _dict_keys(module, value, function)
            else:
                keys |= module.values(key)
        return keys
    if isinstance(expr, ast.IfExp):
        return _dict_keys(module, expr.body, function) | _dict_keys(module, expr.orelse, function)
    if isinstance(expr, ast.Name) and function is not None:
        keys = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == expr.id for t in node.targets):
                keys |= _dict_keys(module, node.value, function)
        if keys:
            return keys
    raise Unresolved(f"{module.name}: details={ast.unparse(expr)}")


def emitted_detail_keys() -> set[str]:
    keys = set()
    for path in sorted(PORTAL.rglob("*.py")):
        module = _Module(path)
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _is_audit_record(node):
                for keyword in node.keywords:
                    if keyword.arg == "details":
                        keys |= _dict_keys(module, keyword.value, module.function_of(node))
    return keys
