//! One module per subcommand: its arguments (clap) and its `run`.

pub mod design;
pub mod equilibrium;
pub mod nash;
pub mod test;
