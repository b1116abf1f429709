//! Writing the answer: to standard output, or atomically to a file (a
//! temporary file in the same folder, renamed over the target once
//! complete), never over the input.

use std::io::{IsTerminal, Write};
use std::path::Path;

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
            _ => return OutputFormat::Table,
        }
    }
    if std::io::stdout().is_terminal() {
        OutputFormat::Table
    } else {
        OutputFormat::Json
    }
}

/// Refuses an output path that names an input file.
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
    Ok(())
}

/// Writes `text` to the output file atomically, or to standard output.
pub fn emit(output: Option<&Path>, text: &str) -> Result<(), CliError> {
    let Some(path) = output else {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
        {
            // A closed pipe (`| head`) is the reader's choice, not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => {
                other.map_err(|e| CliError::io(format!("cannot write to standard output: {e}")))
            }
        };
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| CliError::io(format!("{}: cannot write: {e}", path.display()));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cellbound-");
    // An overwritten file keeps its mode; a new one gets what the umask
    // gives a new file (0666 less the umask), not the temporary's 0600.
    let existing = std::fs::metadata(path).ok().filter(|m| m.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if existing.is_none() {
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
    }
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    if let Some(meta) = existing {
        std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(fail)?;
    }
    tmp.write_all(text.as_bytes()).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Writes one line on standard error. A full or closed standard error
/// (`2>/dev/full`) is no reason to panic: the exit status still tells.
pub fn stderr_line(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}
