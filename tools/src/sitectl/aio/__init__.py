"""The all-in-one cloud on a CI runner's throwaway VM: kayobe's sequence as resumable steps,
test resources, and a teardown that collects diagnostics."""
