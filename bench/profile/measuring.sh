# Sourced by the profile scripts: start_measured_bench LOG <delivery options> starts the delivery
# benchmark in the background (its pid in $bench, its output in LOG) and returns 2 s into its
# measured window, after the warm-up. DOTNET_* variables set by the caller reach the silos.
start_measured_bench() {
  local log=$1; shift
  dotnet bench/CIOPulse.Bench/bin/Release/net10.0/CIOPulse.Bench.dll delivery "$@" >"$log" 2>&1 &
  bench=$!
  until grep -q "^measuring" "$log"; do
    kill -0 "$bench" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.5
  done
  sleep 2
}
