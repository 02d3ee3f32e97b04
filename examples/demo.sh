#!/usr/bin/env bash
# The main job, end to end, on a copy of the example backend (the repository is never touched):
# plan, apply, the backend's own tests in the new layout, the rewritten script command, check, undo.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$here/chat_backend" "$work/chat_backend"
cd "$work/chat_backend"
find . -name __pycache__ -prune -exec rm -rf {} +

echo "== organize-backend plan"
organize-backend plan
echo "== organize-backend apply"
organize-backend apply
echo "== the new layout"
find . -name '*.py' -not -path './.organize-backend/*' | sort | sed 's|^\./||' | head -60
echo "== the backend's own tests, in the new layout"
python3 -m pytest -q -p no:cacheprovider
echo "== the seed script, by its rewritten Procfile command"
grep seed_db Procfile
CHAT_DB="$work/seed.db" python3 -m scripts.seed_db
echo "== organize-backend check"
organize-backend check
echo "== organize-backend undo"
find . -name __pycache__ -prune -exec rm -rf {} +
organize-backend undo
ls
