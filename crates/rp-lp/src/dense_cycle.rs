//! Maximum cycle mean on a complete digraph with row-scaled weights (crate-internal).
//!
//! What it is for: the pricing step of the cycle-cut method ([`crate::cycle_cuts`]). For one
//! agent and fixed multipliers `lambda`, the min-slack rows `u_j - u_k - lambda_k d_kj <= t`
//! (all `j != k`) are a system of difference constraints; it is feasible iff no cycle has a mean
//! of `w_kj = -lambda_k d_kj` above `t`. So the smallest `t` is the maximum cycle mean of `w`,
//! and Howard's potentials are a `u` attaining it.
//!
//! Why not [`crate::cycle_ratio`]: that one works on any implicit graph through closures and
//! collects no cycles. Here the graph is complete (every `k -> j`, `j != k`, is a row), the
//! weights are a dense matrix times one scale per row, the previous policy is a good start
//! (`lambda` moves little between rounds), and every cycle the iteration evaluates is a
//! candidate cut, reported to the caller. Same algorithm otherwise: Howard's policy iteration
//! (Cochet-Terrasson et al. 1998) with unit costs; the final policy's value and bias certify
//! optimality (`w_kj - chi + h_j <= h_k` on every edge, up to the improvement threshold).
//! What it is not: a general cycle-ratio code (no costs, no missing edges).

/// The result of [`max_cycle_mean`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct MeanCycle {
    /// The largest cycle mean of `w`.
    pub chi: f64,
    /// Potentials `h` with `w_kj - chi + h_j <= h_k` for every edge, up to the threshold.
    pub bias: Vec<f64>,
    /// The final policy (one successor per node), a warm start for the next call.
    pub policy: Vec<usize>,
    /// Policy iterations run.
    pub iterations: usize,
    /// Whether the iteration cap stopped it (the result is then the last policy's, possibly
    /// below the maximum).
    pub capped: bool,
}

/// Relative improvement thresholds of the iteration (rounding noise is far below them: bias
/// sums run along paths of at most `n` edges).
const EPS_CHI: f64 = 1e-13;
const EPS_BIAS: f64 = 1e-13;

/// Howard's iteration for the maximum cycle mean of `w_kj = scale[k] * c[k * n + j]` over the
/// complete digraph on `0..n` (`n >= 2`, self-loops excluded, `c` row-major `n x n`).
///
/// `start` is a policy to start from (ignored unless it is a valid policy); `on_cycle(mean,
/// nodes)` is called for every cycle of every policy evaluated (nodes in order, `k -> next`),
/// possibly more than once for the same cycle. The iterations are capped at `100 + 20 n` (a
/// guard against float-induced cycling, reported in [`MeanCycle::capped`]).
pub(crate) fn max_cycle_mean(
    n: usize,
    c: &[f64],
    scale: &[f64],
    start: Option<&[usize]>,
    on_cycle: &mut dyn FnMut(f64, &[usize]),
) -> MeanCycle {
    let cap = 100 + 20 * n;
    debug_assert!(n >= 2 && c.len() == n * n && scale.len() == n);
    let w = |k: usize, j: usize| scale[k] * c[k * n + j];
    let wmax = (0..n)
        .map(|k| {
            scale[k].abs()
                * c[k * n..(k + 1) * n]
                    .iter()
                    .fold(0.0f64, |m, x| m.max(x.abs()))
        })
        .fold(f64::MIN_POSITIVE, f64::max);
    let eps_chi = EPS_CHI * wmax;
    let eps_bias = EPS_BIAS * n as f64 * wmax;
    let valid = |p: &[usize]| p.len() == n && p.iter().enumerate().all(|(k, &j)| j < n && j != k);
    let mut succ: Vec<usize> = match start {
        Some(p) if valid(p) => p.to_vec(),
        _ => (0..n).map(|k| best_successor(n, k, &w, |_| 0.0)).collect(),
    };
    let mut value = Value::new(n);
    let mut iterations = 0;
    let capped = loop {
        iterations += 1;
        value.evaluate(&succ, &w, on_cycle);
        if !improve(&mut succ, &value, &w, eps_chi, eps_bias) {
            break false;
        }
        if iterations >= cap {
            break true;
        }
    };
    let chi = value.chi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    MeanCycle {
        chi,
        bias: value.bias,
        policy: succ,
        iterations,
        capped,
    }
}

/// `argmax_{j != k} w(k, j) + extra(j)`, ties to the smallest `j`.
fn best_successor(
    n: usize,
    k: usize,
    w: &impl Fn(usize, usize) -> f64,
    extra: impl Fn(usize) -> f64,
) -> usize {
    let mut best = (f64::NEG_INFINITY, if k == 0 { 1 } else { 0 });
    for j in (0..n).filter(|&j| j != k) {
        let v = w(k, j) + extra(j);
        if v > best.0 {
            best = (v, j);
        }
    }
    best.1
}

/// Value determination of a policy: the mean of the cycle each node reaches and a bias with
/// `bias(k) = w(k, succ k) - chi(k) + bias(succ k)`, zero at one node of each cycle.
struct Value {
    chi: Vec<f64>,
    bias: Vec<f64>,
    state: Vec<u8>,
    path: Vec<usize>,
}

impl Value {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;

    fn new(n: usize) -> Self {
        Self {
            chi: vec![0.0; n],
            bias: vec![0.0; n],
            state: vec![Self::NEW; n],
            path: Vec::with_capacity(n),
        }
    }

    fn evaluate(
        &mut self,
        succ: &[usize],
        w: &impl Fn(usize, usize) -> f64,
        on_cycle: &mut dyn FnMut(f64, &[usize]),
    ) {
        self.state.fill(Self::NEW);
        for start in 0..succ.len() {
            self.path.clear();
            let mut v = start;
            while self.state[v] == Self::NEW {
                self.state[v] = Self::ON_PATH;
                self.path.push(v);
                v = succ[v];
            }
            if self.state[v] == Self::ON_PATH {
                let at = self
                    .path
                    .iter()
                    .position(|&x| x == v)
                    .expect("invariant: v was just reached on the current path");
                let cycle = &self.path[at..];
                let mean = cycle.iter().map(|&x| w(x, succ[x])).sum::<f64>() / cycle.len() as f64;
                on_cycle(mean, cycle);
                self.bias[v] = 0.0;
                self.chi[v] = mean;
                self.state[v] = Self::DONE;
                for &x in cycle[1..].iter().rev() {
                    self.chi[x] = mean;
                    self.bias[x] = w(x, succ[x]) - mean + self.bias[succ[x]];
                    self.state[x] = Self::DONE;
                }
                self.path.truncate(at);
            }
            for &x in self.path.iter().rev() {
                self.chi[x] = self.chi[succ[x]];
                self.bias[x] = w(x, succ[x]) - self.chi[x] + self.bias[succ[x]];
                self.state[x] = Self::DONE;
            }
        }
    }
}

/// Policy improvement: nodes reaching a cycle of lower mean than the best switch to the best
/// class (the complete graph reaches every node in one step); otherwise each node takes the
/// successor of largest `w + bias` if it beats the current by the threshold. False when optimal.
fn improve(
    succ: &mut [usize],
    value: &Value,
    w: &impl Fn(usize, usize) -> f64,
    eps_chi: f64,
    eps_bias: f64,
) -> bool {
    let n = succ.len();
    let top = value.chi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut changed = false;
    let on_top = |j: usize| {
        if value.chi[j] >= top - eps_chi {
            value.bias[j]
        } else {
            f64::NEG_INFINITY
        }
    };
    for (k, next) in succ.iter_mut().enumerate() {
        if value.chi[k] < top - eps_chi {
            *next = best_successor(n, k, w, on_top);
            changed = true;
        }
    }
    if changed {
        return true;
    }
    for (k, next) in succ.iter_mut().enumerate() {
        let j = best_successor(n, k, w, |j| value.bias[j]);
        let gain = w(k, j) + value.bias[j] - (w(k, *next) + value.bias[*next]);
        if j != *next && gain > eps_bias {
            *next = j;
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::cycle_ratio::karp_max_mean_cycle;

    /// Three nodes, `c` with scale 1. Cycles and means: 0->1->0: (2 + 0) / 2 = 1;
    /// 0->2->0: (1 - 1) / 2 = 0; 1->2->1: (3 + 1) / 2 = 2; 0->1->2->0: (2 + 3 - 1) / 3 = 4/3;
    /// 0->2->1->0: (1 + 1 + 0) / 3 = 2/3. The maximum is 2 (1 <-> 2).
    #[test]
    fn three_node_known_answer() {
        #[rustfmt::skip]
        let c = [
            0.0, 2.0, 1.0,
            0.0, 0.0, 3.0,
           -1.0, 1.0, 0.0,
        ];
        let mut seen = Vec::new();
        let m = max_cycle_mean(3, &c, &[1.0; 3], None, &mut |mean, nodes| {
            seen.push((mean, nodes.to_vec()))
        });
        assert_eq!(m.chi, 2.0);
        assert!(
            seen.iter()
                .any(|(mean, nodes)| *mean == 2.0 && nodes.len() == 2)
        );
        // Potentials certify it: w_kj - chi + h_j <= h_k on every edge.
        for k in 0..3 {
            for j in (0..3).filter(|&j| j != k) {
                assert!(
                    c[k * 3 + j] - m.chi + m.bias[j] <= m.bias[k] + 1e-12,
                    "{k}->{j}"
                );
            }
        }
        // Scaling row 1 by 1/3 turns 1 <-> 2 into (1 + 1) / 2 = 1, 0->1->2->0 into
        // (2 + 1 - 1) / 3 = 2/3, 0->1->0 stays 1: the maximum becomes 1.
        let m = max_cycle_mean(
            3,
            &c,
            &[1.0, 1.0 / 3.0, 1.0],
            Some(&m.policy),
            &mut |_, _| {},
        );
        assert!((m.chi - 1.0).abs() < 1e-15, "{}", m.chi);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Howard's maximum agrees with Karp's (an independent, strongly polynomial algorithm);
        /// its potentials certify it on every edge; every reported cycle's mean is recomputable;
        /// a warm start from another scale's policy changes nothing.
        #[test]
        fn agrees_with_karp(
            n in 2usize..9,
            c in prop::collection::vec(-1.0f64..1.0, 81),
            scale in prop::collection::vec(-3.0f64..-0.5, 9),
            other in prop::collection::vec(-3.0f64..-0.5, 9),
        ) {
            let c = &c[..n * n];
            let (scale, other) = (&scale[..n], &other[..n]);
            let w = |k: usize, j: usize| scale[k] * c[k * n + j];
            let mut cycles = Vec::new();
            let m = max_cycle_mean(n, c, scale, None, &mut |mean, nodes| cycles.push((mean, nodes.to_vec())));
            let nodes: Vec<usize> = (0..n).collect();
            let (karp, _) = karp_max_mean_cycle(&nodes, |k, j| (k != j).then(|| w(k, j))).unwrap();
            prop_assert!((m.chi - karp).abs() <= 1e-12, "howard {} karp {karp}", m.chi);
            prop_assert!(!m.capped);
            for k in 0..n {
                for j in (0..n).filter(|&j| j != k) {
                    prop_assert!(w(k, j) - m.chi + m.bias[j] <= m.bias[k] + 1e-11);
                }
            }
            for (mean, cycle) in &cycles {
                let len = cycle.len();
                let total: f64 = (0..len).map(|p| w(cycle[p], cycle[(p + 1) % len])).sum();
                prop_assert!((total / len as f64 - mean).abs() <= 1e-12);
            }
            let warm_policy = max_cycle_mean(n, c, other, None, &mut |_, _| {}).policy;
            let warm = max_cycle_mean(n, c, scale, Some(&warm_policy), &mut |_, _| {});
            prop_assert!((warm.chi - m.chi).abs() <= 1e-12);
        }
    }
}
