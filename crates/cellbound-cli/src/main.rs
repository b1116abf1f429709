fn main() -> std::process::ExitCode {
    cellbound_cli::main()
}
