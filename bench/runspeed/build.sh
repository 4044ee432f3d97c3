# Sourced by compare.sh and parallel.sh: builds planc at revision $BASE
# (in a temporary worktree) as $TMP/planc-old and the working tree as
# $TMP/planc-new; the worktree and $TMP are removed on exit.
TMP=$(mktemp -d)
trap 'git worktree remove --force "$TMP/old" >/dev/null 2>&1 || true; rm -rf "$TMP"' EXIT
git worktree add --detach "$TMP/old" "$BASE" >/dev/null 2>&1
(cd "$TMP/old" && go build -o "$TMP/planc-old" ./cmd/planc)
go build -o "$TMP/planc-new" ./cmd/planc
