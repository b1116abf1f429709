//! Writing the answer: to standard output, or to the file of `-o`.
//!
//! A regular file is written atomically: a temporary file in the target's
//! folder, renamed over the target once complete. The temporary is named
//! after the target and the process (`.out.json.cellbound-PID-XXXXXX`): it
//! is removed on SIGINT and SIGTERM (exit 130 and 143), and one left by a
//! process that no longer exists (kill -9, a power cut) is removed by the
//! next run writing the same target. A symlink's target is written that
//! way, in the target's folder, and the link kept; a device, a FIFO or a
//! socket is opened and written in place, never replaced. The output path
//! is checked before any work, and a run that ends with exit 3 or 4 and no
//! output removes the file an earlier run left there.

use std::fs::{self, OpenOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::args::{OutputArgs, OutputFormat};
use crate::CliError;

/// The format in force: the flag, else the output file's extension, else
/// a table for a person at a terminal and JSON for a program.
pub fn resolve_format(args: &OutputArgs) -> OutputFormat {
    if let Some(f) = args.format {
        return f;
    }
    if let Some(out) = &args.output {
        match out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => return OutputFormat::Json,
            Some("csv") => return OutputFormat::Csv,
            Some("jj") => return OutputFormat::Jj,
            Some("html" | "htm") => return OutputFormat::Html,
            _ => return OutputFormat::Table,
        }
    }
    if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    }
}

/// Checks the output path before any work is done: it must not name an
/// input, must not be a folder, and its folder must exist and take a new
/// file. The path is remembered, so that [`finish`] can remove a file an
/// earlier run left there when this run ends without output.
pub fn check_not_input(output: &Path, inputs: &[&Path]) -> Result<(), CliError> {
    for input in inputs {
        let same = output == *input
            || match (output.canonicalize(), input.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
        if same {
            return Err(CliError::usage(format!(
                "{}: the output would overwrite the input; choose another -o",
                output.display()
            )));
        }
    }
    check_writable(output)?;
    *lock(&CLAIMED) = Some(output.to_path_buf());
    Ok(())
}

/// Where `-o PATH` goes.
enum Target {
    /// A regular file (or none yet), replaced atomically: the path after
    /// following symlinks.
    File(PathBuf),
    /// A device, FIFO or socket, or a file reached through `/dev/stdout`,
    /// `/dev/stderr`, `/dev/fd` or `/proc`: opened for writing, never
    /// replaced.
    InPlace(PathBuf),
}

/// Follows `path`'s symlinks (40 at most, as the kernel does).
fn follow(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&p) {
                Ok(t) if t.is_absolute() => p = t,
                Ok(t) => p = parent(&p).join(t),
                Err(_) => break,
            },
            _ => break,
        }
    }
    p
}

/// The folder a path's file lives in (`.` for a bare name).
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn target(path: &Path) -> Target {
    // The links to a process's own files (`/dev/stdout` to a file opened
    // by the shell): replacing the file would bypass the shell's redirection.
    let system = ["/dev/stdout", "/dev/stderr", "/dev/fd", "/proc"]
        .iter()
        .any(|p| path.starts_with(p));
    match fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => Target::InPlace(path.to_path_buf()),
        Ok(m) if m.is_file() && system => Target::InPlace(path.to_path_buf()),
        _ => Target::File(follow(path)),
    }
}

/// The checks of [`check_not_input`] on the path itself.
fn check_writable(output: &Path) -> Result<(), CliError> {
    let shown = output.display();
    let folder = |why: &str| {
        CliError::usage(format!(
            "{shown}: {why}; give a file name (-o FOLDER/out.json)"
        ))
    };
    let text = output.as_os_str().to_string_lossy();
    if fs::metadata(output).is_ok_and(|m| m.is_dir()) {
        return Err(folder("is a folder"));
    }
    if text.ends_with('/') {
        return Err(folder("names a folder (it ends with /)"));
    }
    let Target::File(file) = target(output) else {
        return Ok(());
    };
    let dir = parent(&file);
    match fs::metadata(dir) {
        Err(_) => Err(CliError::usage(format!(
            "{shown}: the folder {} does not exist; create it or choose another -o",
            dir.display()
        ))),
        Ok(m) if !m.is_dir() => Err(CliError::usage(format!(
            "{shown}: {} is not a folder; choose another -o",
            dir.display()
        ))),
        Ok(_) => {
            // The only sure test that a file can be made there is making one.
            temporary(&file).map(drop).map_err(|e| {
                CliError::usage(format!(
                    "{shown}: cannot create a file in the folder {}: {e}; choose another -o",
                    dir.display()
                ))
            })
        }
    }
}

/// The `-o` path of this run, once checked.
static CLAIMED: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Whether this run wrote its `-o` file (or any `-o` file).
static WRITTEN: Mutex<bool> = Mutex::new(false);
/// Temporary files being written, removed on SIGINT and SIGTERM.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// After the command: a run that ends with exit 3 or 4 and wrote no
/// output removes the regular file at its `-o` path, so that an earlier
/// run's answer never stands in for this one (one line on standard error
/// says so). Bad input (exit 2) leaves the file as it was.
pub fn finish(status: u8) {
    if !matches!(status, crate::exit::INFEASIBLE | crate::exit::SOLVER) || *lock(&WRITTEN) {
        return;
    }
    let Some(path) = lock(&CLAIMED).take() else {
        return;
    };
    if let Target::File(file) = target(&path) {
        if fs::symlink_metadata(&file).is_ok_and(|m| m.is_file()) && fs::remove_file(&file).is_ok()
        {
            stderr_line(&format!(
                "cellbound: removed {}, an earlier run's output: this run has none",
                file.display()
            ));
        }
    }
}

/// The start of the name of every temporary file for `file`.
fn temporary_prefix(file: &Path) -> String {
    let mut name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A file name has at most 255 bytes; keep room for the rest.
    if name.len() > 200 {
        let mut cut = 200;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name.truncate(cut);
    }
    format!(".{name}.cellbound-")
}

/// A new temporary file for `file`, in its folder, with the mode a new
/// file gets (0666 less the umask), or `file`'s mode if it exists.
fn temporary(file: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!("{}{}-", temporary_prefix(file), std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).rand_bytes(6);
    let existing = fs::metadata(file).ok().filter(|m| m.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if existing.is_none() {
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
    }
    let tmp = builder.tempfile_in(parent(file))?;
    if let Some(meta) = existing {
        fs::set_permissions(tmp.path(), meta.permissions())?;
    }
    Ok(tmp)
}

/// Removes the temporary files for `file` that a process which no longer
/// runs left behind (killed with SIGKILL, say). Only names of the exact
/// form `.NAME.cellbound-PID-XXXXXX` are touched, and only where the
/// system shows its processes in /proc.
fn remove_stale(file: &Path) {
    let proc_ = Path::new("/proc/self");
    if !proc_.exists() {
        return;
    }
    let prefix = temporary_prefix(file);
    let Ok(entries) = fs::read_dir(parent(file)) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, random)) = rest.split_once('-') else {
            continue;
        };
        let shape = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && random.len() == 6
            && random.bytes().all(|b| b.is_ascii_alphanumeric());
        if shape
            && pid != std::process::id().to_string()
            && !Path::new("/proc").join(pid).exists()
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes the pending temporary files and exits 128 + the signal on
/// SIGINT or SIGTERM, once a temporary file exists.
fn on_signals() {
    #[cfg(unix)]
    {
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
                return;
            };
            std::thread::spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    // Held until the exit: a rename under way finishes
                    // first, none starts after.
                    let pending = lock(&PENDING);
                    for p in pending.iter() {
                        let _ = fs::remove_file(p);
                    }
                    std::process::exit(128 + signal);
                }
            });
        });
    }
}

/// Writes `text` to the output file (see the module's doc), or to
/// standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<(), CliError> {
    emit_with(output, |w| w.write_all(text.as_bytes()))
}

/// [`emit`], with the text written by `write` as it is made, so that a
/// large output is never held whole in memory (the file is still written
/// whole or not at all).
pub fn emit_with(
    output: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let Some(path) = output else {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        return match write(&mut stdout).and_then(|_| stdout.flush()) {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => {
                other.map_err(|e| CliError::io(format!("cannot write to standard output: {e}")))
            }
        };
    };
    let fail = |e: std::io::Error| CliError::io(format!("{}: cannot write: {e}", path.display()));
    let shown = path.as_os_str().to_string_lossy();
    if shown.ends_with('/') || fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        check_writable(path)?;
    }
    let file = match target(path) {
        Target::InPlace(p) => {
            let regular = fs::metadata(&p).is_ok_and(|m| m.is_file());
            let f = OpenOptions::new()
                .write(true)
                .append(regular)
                .open(&p)
                .map_err(fail)?;
            *lock(&WRITTEN) = true;
            let mut f = std::io::BufWriter::new(f);
            return match write(&mut f).and_then(|_| f.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(fail),
            };
        }
        Target::File(file) => file,
    };
    remove_stale(&file);
    on_signals();
    let mut tmp = {
        let mut pending = lock(&PENDING);
        let tmp = temporary(&file).map_err(fail)?;
        pending.push(tmp.path().to_path_buf());
        tmp
    };
    let tmp_path = tmp.path().to_path_buf();
    let written = {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut w).and_then(|_| w.flush())
    }
    .and_then(|_| {
        test_pause();
        tmp.as_file().sync_all()
    })
    .map_err(fail);
    let mut pending = lock(&PENDING);
    pending.retain(|p| *p != tmp_path);
    written?;
    tmp.persist(&file).map_err(|e| fail(e.error))?;
    *lock(&WRITTEN) = true;
    Ok(())
}

/// For the tests of signal handling only: `CELLBOUND_TEST_WRITE_PAUSE=S`
/// waits S seconds with the temporary file written but not yet renamed.
fn test_pause() {
    if let Some(s) = std::env::var("CELLBOUND_TEST_WRITE_PAUSE")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_secs(s.min(60)));
    }
}

/// Writes one line on standard error. A full or closed standard error
/// (`2>/dev/full`) is no reason to panic: the exit status still tells.
pub fn stderr_line(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
