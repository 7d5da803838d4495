//! Finite normal-form games: payoff tensors, mixed strategies, regret, Gambit `.nfg` files and
//! Nash equilibrium solvers (THEORY §5).
