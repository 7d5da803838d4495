//! Project automation. Subcommands arrive with their issues (reproduce-figures, bench).

fn main() {
    eprintln!("xtask: no subcommand is implemented yet");
    std::process::exit(2);
}
