"""Tools the agent can call instead of (or before) answering from the documents."""
import ast
import operator
import re

import vector_store as vs

_OPERATORS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: operator.mod,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_ARITHMETIC = re.compile(r"^\s*(?:what is|calculate|compute)?\s*([-+*/%().\d\s^]+?)\s*\??\s*$", re.IGNORECASE)


class ToolError(ValueError):
    pass


def _evaluate(node):
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand))
    raise ToolError("only arithmetic is supported")


def calculator(expression):
    """Evaluate plain arithmetic safely (no names, no calls)."""
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
        result = _evaluate(tree)
    except (SyntaxError, ZeroDivisionError) as error:
        raise ToolError(str(error)) from error
    if isinstance(result, float) and result.is_integer():
        result = int(result)
    return result


def search_documents(query, k=3):
    """The best matching chunks of the indexed documents, as dicts."""
    store = vs.VectorStore.from_database()
    return [hit.to_dict() for hit in store.search(query, k=k)]


TOOLS = {
    "calculator": calculator,
    "search": search_documents,
}


def pick_tool(question):
    """The name of the tool that should handle ``question``, or None."""
    match = _ARITHMETIC.match(question)
    if match and re.search(r"\d", match.group(1)) and re.search(r"[-+*/%^]", match.group(1)):
        return "calculator"
    return None


def call(name, question):
    if name not in TOOLS:
        raise ToolError(f"unknown tool {name!r}")
    if name == "calculator":
        return TOOLS[name](_ARITHMETIC.match(question).group(1))
    return TOOLS[name](question)
