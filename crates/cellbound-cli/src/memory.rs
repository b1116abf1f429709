//! The memory budget: a model whose solve would need more than it is
//! refused (exit 2) before the linear system is built, naming the size
//! and the flag that raises the budget, instead of the machine running
//! out of memory half way.

use std::path::Path;

use cellbound_core::Model;
use cellbound_solver::Size;

use crate::CliError;

/// The default budget's ceiling, when the machine has more.
const DEFAULT_CEILING: u64 = 8 << 30;

/// `--memory-limit SIZE`: bytes, or a number with K, M, G or T (powers of
/// 1024, an optional `iB` or `B` after them, any case): `512M`, `8GiB`,
/// `1.5G`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "{s:?} is not a size: give bytes, or a number with K, M, G or T (e.g. 512M, 8G)"
            ))
        }
    };
    let n: f64 = number.parse().map_err(|_| {
        format!("{s:?} is not a size: give bytes, or a number with K, M, G or T (e.g. 512M, 8G)")
    })?;
    let bytes = n * scale as f64;
    if !(bytes.is_finite() && (1.0..=(1u64 << 60) as f64).contains(&bytes)) {
        return Err(format!(
            "{s} is out of range: give a size from 1 byte to 1024P"
        ));
    }
    Ok(bytes as u64)
}

/// A size for a person: `1.3 GiB`, `512 MiB`, `800 B`.
pub fn shown(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for (scale, name) in UNITS {
        if bytes >= scale {
            let x = bytes as f64 / scale as f64;
            return if x < 10.0 {
                format!("{x:.1} {name}")
            } else {
                format!("{x:.0} {name}")
            };
        }
    }
    format!("{bytes} B")
}

/// The smallest whole number of GiB (MiB below one GiB) at or above
/// `bytes`, as `--memory-limit` takes it.
fn flag_value(bytes: u64) -> String {
    if bytes > 1 << 30 {
        format!("{}G", bytes.div_ceil(1 << 30))
    } else {
        format!("{}M", bytes.div_ceil(1 << 20).max(1))
    }
}

/// What the machine (or the control group the process runs in) has.
fn machine_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map(|kb| kb.saturating_mul(1024))
    });
    let group = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|s| s.trim().parse::<u64>().ok())
    .min();
    [total, group].into_iter().flatten().min()
}

/// The budget: `--memory-limit`, else the lesser of 8 GiB and what the
/// machine has.
pub fn budget(limit: Option<u64>) -> u64 {
    limit.unwrap_or_else(|| machine_memory().map_or(DEFAULT_CEILING, |m| m.min(DEFAULT_CEILING)))
}

/// Where the budget comes from, as the refusals say it.
fn whose(limit: Option<u64>) -> &'static str {
    if limit.is_some() {
        "--memory-limit"
    } else {
        "the default: the lesser of 8 GiB and this machine's memory"
    }
}

/// Refuses (exit 2) a model whose solve is estimated past the budget;
/// else gives the estimate.
pub fn check(file: &Path, model: &Model, limit: Option<u64>) -> Result<u64, CliError> {
    let size = Size::of(model);
    let need = size.memory_estimate();
    let budget = budget(limit);
    if need <= budget {
        return Ok(need);
    }
    let whose = whose(limit);
    Err(CliError::usage(format!(
        "{}: solving this table needs about {} of memory ({} cells, {} hidden, {} terms of lines on hidden cells), more than the limit of {} ({whose}): raise it with --memory-limit {}, if the machine has that much, or solve a smaller table",
        file.display(),
        shown(need),
        size.cells,
        size.hidden,
        size.terms,
        shown(budget),
        flag_value(need),
    )))
}

/// Refuses (exit 2) to keep every bound's witness table (`--witnesses`,
/// or, without it, a page with derivations) when the tables would take
/// the budget on top of the solve's estimate `solve` ([`check`]'s): on a
/// component that is not a network they are whole, and grow with the
/// square of its size (a network's are kept as changes, linear), and past
/// the machine's memory the process would be killed, not refused.
pub fn check_tables(
    file: &Path,
    system: &cellbound_core::LinearSystem,
    solve: u64,
    limit: Option<u64>,
    witnesses: bool,
) -> Result<(), CliError> {
    let tables = cellbound_solver::witness_tables_estimate(system);
    let need = solve.saturating_add(tables);
    let budget = budget(limit);
    if need <= budget {
        return Ok(());
    }
    let whose = whose(limit);
    let what = if witnesses {
        "--witnesses"
    } else {
        "the page's derivations (--format html)"
    };
    Err(CliError::usage(format!(
        "{}: {what} keeps a table reaching each bound, up to two per hidden cell, each as large as the cell's group of linked cells where that group is not a network (2-D tables with their margins, 1-D hierarchies): about {} of tables here ({} in all), more than the limit of {} ({whose}); leave {what} out (`explain --cell` shows one cell's tables and derivations), or raise --memory-limit to {} if the machine has that much",
        file.display(),
        shown(tables),
        shown(need),
        shown(budget),
        flag_value(need),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2 kb"), Ok(2048));
        for bad in [
            "",
            "M",
            "-1G",
            "0",
            "1.2.3G",
            "8X",
            "1e3",
            "nanG",
            "99999999999P",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_show_for_a_person_and_as_a_flag() {
        assert_eq!(shown(800), "800 B");
        assert_eq!(shown(3 << 29), "1.5 GiB");
        assert_eq!(shown(512 << 20), "512 MiB");
        assert_eq!(flag_value(3 << 29), "2G");
        assert_eq!(flag_value(300 << 20), "300M");
        assert_eq!(flag_value((300 << 20) + 1), "301M");
    }
}
