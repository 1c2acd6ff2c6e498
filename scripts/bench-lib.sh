# Shared by the benchmarks of an example (sourced; expects $root, and
# $example, default rest-api): the emulator environment of bench-env.sh,
# then a copy of the example in $work as a module of its own (the shell is
# left in it), and the timing helpers now, secs and median.
# shellcheck source=scripts/bench-env.sh
source "$root/scripts/bench-env.sh"

work="$(mktemp -d)"
cp -r "$root/examples/${example:-rest-api}/." "$work/"
# The copy is outside the module; point it back at this checkout.
cat > "$work/go.mod" <<MOD
module bench
go 1.26
require github.com/sst-tf/sst v0.0.0
replace github.com/sst-tf/sst => $root
MOD
cp "$root/go.sum" "$work/go.sum"
(cd "$work" && GOFLAGS=-mod=mod go mod tidy -e >/dev/null 2>&1 || true)
cd "$work"

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float,sys.argv[1:])):.2f}')" "$@"; }
