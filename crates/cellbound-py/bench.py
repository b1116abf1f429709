"""Python layer against the CLI on the same file: best of N wall-clock runs.
Usage: python bench.py CLI FILE [N]   (release builds of both)"""
import subprocess, sys, time
import cellbound

cli, path = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 3


def best(f):
    ts = []
    for _ in range(n):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return min(ts)


t_cli = best(lambda: subprocess.run([cli, "bounds", path, "--open", "--format", "json", "-o", "/dev/null" if False else "/tmp/cb-bench.json"], check=True, capture_output=True))
t_path = best(lambda: cellbound.bounds(path, open=True))
df = cellbound.read(path)
t_read = best(lambda: cellbound.read(path))
t_df = best(lambda: cellbound.bounds(df, open=True))
print(f"{path}: cells {len(df)}; CLI bounds --format json {t_cli:.3f} s; "
      f"bounds(path) {t_path:.3f} s ({100*(t_path/t_cli-1):+.0f}%); read() {t_read:.3f} s; "
      f"bounds(DataFrame) {t_df:.3f} s ({100*(t_df/t_cli-1):+.0f}%); read+bounds(DataFrame) {t_read+t_df:.3f} s ({100*((t_read+t_df)/t_cli-1):+.0f}%)")
