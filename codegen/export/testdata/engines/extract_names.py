#!/usr/bin/env python3
"""Extract the argument and configuration-key names that an engine's sources
define, one per line, for planc's known-names test (codegen/export).

It reads Python source statically (ast), never imports or runs the engine:

    extract_names.py megatron   REPO_GIT_DIR REV   > megatron-lm.txt
    extract_names.py mds        REPO_GIT_DIR REV DEEPSPEED_GIT_DIR DEEPSPEED_REV > megatron-deepspeed.txt
    extract_names.py deepspeed  REPO_GIT_DIR REV   > deepspeed.txt
    extract_names.py titan-v02  REPO_GIT_DIR REV   > torchtitan-v0.2.txt
    extract_names.py titan-cli  REPO_GIT_DIR REV   > torchtitan-cli.txt

Megatron-LM: every literal '--flag' given to add_argument in
megatron/training/arguments.py, plus the flags that ArgumentGroupFactory
derives from the dataclasses it is called on (field foo_bar -> --foo-bar; a
bool defaulting to True -> --no-foo-bar and --disable-foo-bar; an
argparse_meta arg_names list wins), minus the factory's exclude list.
DeepSpeed: the string constants of deepspeed/runtime/constants.py and the
fields and aliases of the ZeRO pydantic model. torchtitan: SECTION.FIELD for
every dataclass field reachable from the job configuration.
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
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
            for a in node.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str) and FLAG.match(a.value):
                    names.add(a.value)
    return names


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
    if not isinstance(value, ast.Call):
        return None, True
    init = True
    names = None
    for kw in value.keywords:
        if kw.arg == "init" and isinstance(kw.value, ast.Constant) and kw.value.value is False:
            init = False
        if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
            for k, v in zip(kw.value.keys, kw.value.values):
                if isinstance(k, ast.Constant) and k.value == "argparse_meta" and isinstance(v, ast.Dict):
                    for k2, v2 in zip(v.keys, v.values):
                        if isinstance(k2, ast.Constant) and k2.value == "arg_names" and isinstance(v2, ast.List):
                            names = [e.value for e in v2.elts if isinstance(e, ast.Constant)]
    return names, init


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
    names = add_argument_flags(tree)
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
            meta, init = meta_arg_names(value)
            if not init:
                continue
            if meta:
                names.update(meta)
            elif ann in ("bool", "Optional[bool]", "bool | None") and default_of(value) is True:
                names.add("--no-" + name.replace("_", "-"))
                names.add("--disable-" + name.replace("_", "-"))
            else:
                names.add("--" + name.replace("_", "-"))
    return names


def megatron_deepspeed(git, rev, ds_git, ds_rev):
    """megatron/arguments.py, plus deepspeed.add_config_arguments, which it calls."""
    names = add_argument_flags(ast.parse(show(git, rev, "megatron/arguments.py")))
    return names | add_argument_flags(ast.parse(show(ds_git, ds_rev, "deepspeed/__init__.py")))


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


def titan(git, rev, root_file, root_class, under):
    """SECTION.FIELD names of the dataclass tree under root_class."""
    names = set()

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
                names.add(prefix + name)

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
    for n in sorted(names):
        print(n)


if __name__ == "__main__":
    main()
