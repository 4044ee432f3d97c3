#!/usr/bin/env python3
"""Extract the argument and configuration-key names that an engine's sources
define, one per line, for planc's known-names test (codegen/export).

It reads Python source statically (ast), never imports or runs the engine:

    extract_names.py megatron   REPO_GIT_DIR REV   > megatron-lm.txt
    extract_names.py mds        REPO_GIT_DIR REV DEEPSPEED_GIT_DIR DEEPSPEED_REV > megatron-deepspeed.txt
    extract_names.py deepspeed  REPO_GIT_DIR REV   > deepspeed.txt
    extract_names.py titan-v02  REPO_GIT_DIR REV   > torchtitan-v0.2.txt
    extract_names.py titan-cli  REPO_GIT_DIR REV   > torchtitan-cli.txt

A flag's line is FLAG, a tab and its kind: switch (takes no value), list
(nargs), or value, then for a value with literal choices a tab and the
choices separated by |. Configuration keys are bare names.

Megatron-LM: every literal '--flag' given to add_argument in
megatron/training/arguments.py, plus the flags that ArgumentGroupFactory
derives from the dataclasses it is called on (field foo_bar -> --foo-bar; a
bool defaulting to True -> --no-foo-bar and --disable-foo-bar; an
argparse_meta arg_names list wins), minus the factory's exclude list.
DeepSpeed: the string constants of deepspeed/runtime/constants.py and the
fields and aliases of the ZeRO pydantic model. torchtitan: SECTION.FIELD for
every dataclass field reachable from the job configuration, a tab and its
type (int, float, str, bool, list; str with a tab and its Literal choices).
"""
import ast
import re
import subprocess
import sys

FLAG = re.compile(r"^--[a-z0-9][a-z0-9_-]*$")


def show(git, rev, path):
    return subprocess.run(["git", "-C", git, "show", f"{rev}:{path}"], check=True,
                          capture_output=True, text=True).stdout


def grep_class(git, rev, name, under):
    out = subprocess.run(["git", "-C", git, "grep", "-l", f"^class {name}\\b", rev, "--", under],
                         capture_output=True, text=True).stdout.split()
    return [o.split(":", 1)[1] for o in out]


def add_argument_flags(tree):
    """flag -> spec of every add_argument call: switch, list, or value with
    its choices when it has literal ones."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
            spec = argument_spec({kw.arg: kw.value for kw in node.keywords if kw.arg})
            for a in node.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and FLAG.match(a.value):
                    names[a.value] = spec
    return names


def argument_spec(kw):
    action = kw.get("action")
    if action is not None:
        text = ast.unparse(action)
        if "store_true" in text or "store_false" in text or "store_const" in text or "BooleanOptional" in text:
            return "switch"
    if "nargs" in kw:
        return "list"
    choices = kw.get("choices")
    if isinstance(choices, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) for e in choices.elts):
        return "value\t" + "|".join(str(e.value) for e in choices.elts)
    return "value"


def annotation_spec(ann):
    """The spec of a dataclass field from its annotation's source."""
    if ann in ("bool", "Optional[bool]", "bool | None"):
        return "switch"
    if re.match(r"^(Optional\[)?(List|list)\[", ann):
        return "list"
    m = re.search(r"Literal\[([^\]]*)\]", ann)
    if m and "Union" not in ann and "List" not in ann and "list[" not in ann:
        choices = [c.strip().strip("'\"") for c in m.group(1).split(",")]
        return "value\t" + "|".join(choices)
    return "value"


def find_class(git, rev, name, under, cache={}):
    key = (name, under)
    if key not in cache:
        cache[key] = None
        for path in grep_class(git, rev, name, under):
            tree = ast.parse(show(git, rev, path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name == name:
                    cache[key] = node
                    break
            if cache[key] is not None:
                break
    return cache[key]


def dataclass_fields(git, rev, cls, under):
    """(name, annotation source, default node, call node) of cls and its bases."""
    out = []
    for base in cls.bases:
        bname = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
        if bname:
            b = find_class(git, rev, bname, under)
            if b is not None:
                out += dataclass_fields(git, rev, b, under)
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            out.append((stmt.target.id, ast.unparse(stmt.annotation), stmt.value))
    return out


def meta_arg_names(value):
    """argparse_meta's arg_names, whether the field is an init field, and the
    other argparse_meta keywords."""
    if not isinstance(value, ast.Call):
        return None, True, {}
    init = True
    names = None
    meta_kw = {}
    for kw in value.keywords:
        if kw.arg == "init" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
            init = False
        if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
            for k, v in zip(kw.value.keys, kw.value.values):
                if isinstance(k, ast.Constant) and k.value == "argparse_meta" and isinstance(v, ast.Dict):
                    for k2, v2 in zip(v.keys, v.values):
                        if isinstance(k2, ast.Constant) and k2.value == "arg_names" and isinstance(v2, ast.List):
                            names = [e.value for e in v2.elts if isinstance(e, ast.Constant)]
                        elif isinstance(k2, ast.Constant):
                            meta_kw[k2.value] = v2
    return names, init, meta_kw


def default_of(value):
    if isinstance(value, ast.Constant):
        return value.value
    if isinstance(value, ast.Call):
        for kw in value.keywords:
            if kw.arg == "default" and isinstance(kw.value, ast.Constant):
                return kw.value.value
    return None


def megatron(git, rev):
    tree = ast.parse(show(git, rev, "megatron/training/arguments.py"))
    names = {}
    # Simple list assignments, for `exclude=exclude`.
    lists = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            lists[node.targets[0].id] = [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ArgumentGroupFactory"):
            continue
        cname = node.args[0].id
        exclude = set()
        for kw in node.keywords:
            if kw.arg == "exclude":
                if isinstance(kw.value, ast.List):
                    exclude = {e.value for e in kw.value.elts}
                elif isinstance(kw.value, ast.Name):
                    exclude = set(lists.get(kw.value.id, []))
        cls = find_class(git, rev, cname, "megatron")
        if cls is None:
            print(f"warning: class {cname} not found", file=sys.stderr)
            continue
        for name, ann, value in dataclass_fields(git, rev, cls, "megatron"):
            if name in exclude:
                continue
            meta, init, meta_kw = meta_arg_names(value)
            if not init:
                continue
            spec = annotation_spec(ann)
            if meta_kw:
                spec = argument_spec(meta_kw) if ("action" in meta_kw or "nargs" in meta_kw or "choices" in meta_kw) else spec
            if meta:
                for n in meta:
                    names[n] = spec
            elif spec == "switch" and default_of(value) is True:
                names["--no-" + name.replace("_", "-")] = spec
                names["--disable-" + name.replace("_", "-")] = spec
            else:
                names["--" + name.replace("_", "-")] = spec
    names.update(add_argument_flags(tree))  # explicit definitions win
    return names


def megatron_deepspeed(git, rev, ds_git, ds_rev):
    """megatron/arguments.py, plus deepspeed.add_config_arguments, which it calls."""
    names = add_argument_flags(ast.parse(show(git, rev, "megatron/arguments.py")))
    names.update(add_argument_flags(ast.parse(show(ds_git, ds_rev, "deepspeed/__init__.py"))))
    return names


def deepspeed(git, rev):
    names = set()
    for path in ["deepspeed/runtime/constants.py", "deepspeed/runtime/zero/config.py"]:
        tree = ast.parse(show(git, rev, path))
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str) and re.match(r"^[a-z][a-z0-9_]*$", node.value.value):
                names.add(node.value.value)
    cls = find_class(git, rev, "DeepSpeedZeroConfig", "deepspeed/runtime/zero")
    for name, _, value in dataclass_fields(git, rev, cls, "deepspeed/runtime/zero"):
        names.add(name)
        if isinstance(value, ast.Call):
            for kw in value.keywords:
                if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                    names.add(kw.value.value)
    return names


def titan_spec(ann):
    """The type of a torchtitan field: int, float, str, bool, list, or str
    with its Literal choices; empty when it is none of these."""
    m = re.search(r"Literal\[([^\]]*)\]", ann)
    if m and not ann.startswith("list"):
        choices = [c.strip().strip("'\"") for c in m.group(1).split(",")]
        return "str\t" + "|".join(choices)
    base = re.sub(r"\s*\|\s*None$", "", ann)
    if base.startswith(("list", "List")):
        return "list"
    if base in ("float | int", "int | float"):
        return "float"
    return base if base in ("int", "float", "str", "bool") else ""


def titan(git, rev, root_file, root_class, under):
    """SECTION.FIELD of the dataclass tree under root_class, with its type."""
    names = {}

    def walk(cls, prefix, depth):
        if depth > 4:
            return
        for name, ann, value in dataclass_fields(git, rev, cls, under):
            if "Suppress" in ann:
                continue
            sub = re.sub(r"[\[\]|]", " ", ann).split()
            child = None
            for t in sub:
                t = t.split(".")[0] if t.endswith(".Config") else t
                c = find_class(git, rev, t, under) if re.match(r"^[A-Z]", t) else None
                if c is not None and not ann.startswith(("list", "Literal")):
                    child = c
                    break
            if child is not None and ann.endswith(".Config"):
                inner = next((b for b in child.body if isinstance(b, ast.ClassDef) and b.name == "Config"), None)
                child = inner
            if child is not None:
                walk(child, prefix + name + ".", depth + 1)
            else:
                names[prefix + name] = titan_spec(ann)

    tree = ast.parse(show(git, rev, root_file))
    root = next(n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == root_class)
    if root_class == "Trainer":
        root = next(b for b in root.body if isinstance(b, ast.ClassDef) and b.name == "Config")
    walk(root, "", 0)
    return names


def main():
    kind, git, rev = sys.argv[1:4]
    if kind == "megatron":
        names = megatron(git, rev)
    elif kind == "mds":
        names = megatron_deepspeed(git, rev, sys.argv[4], sys.argv[5])
    elif kind == "deepspeed":
        names = deepspeed(git, rev)
    elif kind == "titan-v02":
        names = titan(git, rev, "torchtitan/config/job_config.py", "JobConfig", "torchtitan/config")
    elif kind == "titan-cli":
        names = titan(git, rev, "torchtitan/trainer.py", "Trainer", "torchtitan")
    else:
        sys.exit("unknown kind " + kind)
    if isinstance(names, dict):
        for n in sorted(names):
            print((n + "\t" + names[n]).rstrip("\t"))
    else:
        for n in sorted(names):
            print(n)


if __name__ == "__main__":
    main()
