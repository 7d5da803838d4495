//! Maximum cycle ratio and maximum cycle mean on dense implicit graphs (crate-internal).
//!
//! Both the money pump (a max-ratio cycle: pump over expenditure) and the `lambda = 1` gap bound
//! (a max-mean cycle) reduce to: given edge weights `w(v, u)` and positive node costs `c(v)`,
//! find a cycle `C` maximizing `sum_C w / sum_C c`.
//!
//! [`max_ratio_cycle`] is Howard's policy iteration (Cochet-Terrasson, Cohen, Gaubert, McGettrick
//! and Quadrat 1998; Dasdan 2004 measured it the fastest of the exact cycle-ratio algorithms): a
//! policy picks one successor per node, its value is computed exactly from the cycles of the
//! policy graph, and the policy is improved until no edge improves it; the final policy's value
//! and bias are an optimality certificate, so the answer is exact up to floating-point rounding.
//! Each iteration costs `O(n^2)` on a dense graph. No polynomial bound on the number of iterations
//! is known in general, but it is small in practice; a generous cap guards against float-induced
//! cycling and is reported (`tracing::warn`) if ever reached.
//!
//! [`karp_max_mean_cycle`] is Karp's strongly polynomial `O(n^3)` algorithm for unit costs, kept
//! as an independent reference (tests compare the two).

/// Edge weight of `v -> u` (global ids), `None` when the edge is absent.
pub(crate) trait Weights: Fn(usize, usize) -> Option<f64> {}
impl<F: Fn(usize, usize) -> Option<f64>> Weights for F {}

/// A best cycle: its ratio and its nodes (global ids) in order.
pub(crate) type BestCycle = (f64, Vec<usize>);

/// Improvement thresholds of Howard's iteration.
struct Eps {
    /// For cycle ratios.
    chi: f64,
    /// For biases.
    bias: f64,
}

/// Howard's state for one policy: successor, cycle ratio reached and bias of each local node.
struct Policy {
    succ: Vec<usize>,
    chi: Vec<f64>,
    bias: Vec<f64>,
}

/// The cycle of largest ratio `sum w / sum cost` on the graph induced by `nodes`.
///
/// `None` when some node has no out-edge inside `nodes` (callers pass strongly connected node
/// sets or complete graphs, where this cannot happen) or `nodes` is empty.
pub(crate) fn max_ratio_cycle(
    nodes: &[usize],
    weight: impl Weights,
    cost: impl Fn(usize) -> f64,
) -> Option<BestCycle> {
    let n = nodes.len();
    let w = |v: usize, u: usize| weight(nodes[v], nodes[u]);
    let c = |v: usize| cost(nodes[v]);
    let mut succ = Vec::with_capacity(n);
    let (mut wmax, mut rmax, mut cmax) = (0.0f64, 0.0f64, 0.0f64);
    for v in 0..n {
        let best = (0..n)
            .filter_map(|u| w(v, u).map(|x| (x, u)))
            .inspect(|(x, _)| {
                wmax = wmax.max(x.abs());
                rmax = rmax.max(x.abs() / c(v));
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))?;
        succ.push(best.1);
        cmax = cmax.max(c(v));
    }
    // Improvements below these are rounding noise: ignoring them keeps Howard finite. Ratios are
    // compared relative to the largest edge ratio, biases (sums along paths of up to n edges)
    // relative to n times the largest term.
    let eps = Eps {
        chi: 1e-12 * rmax.max(f64::MIN_POSITIVE),
        bias: 1e-12 * (n as f64) * (wmax + rmax * cmax).max(f64::MIN_POSITIVE),
    };
    let mut policy = evaluate(succ, &w, &c);
    let cap = 100 + 20 * n;
    for _ in 0..cap {
        if !improve(&mut policy, &w, &c, &eps) {
            return Some(best_cycle(&policy, nodes, &w, &c));
        }
        policy = evaluate(policy.succ, &w, &c);
    }
    tracing::warn!(n, cap, "Howard's policy iteration hit its iteration cap");
    Some(best_cycle(&policy, nodes, &w, &c))
}

/// Value determination: the ratio of the cycle each node's policy path reaches, and a bias with
/// `bias(v) = w(v, succ v) - chi(v) c(v) + bias(succ v)`, zero at one node of each cycle.
fn evaluate(
    succ: Vec<usize>,
    w: &impl Fn(usize, usize) -> Option<f64>,
    c: &impl Fn(usize) -> f64,
) -> Policy {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let n = succ.len();
    let mut state = vec![NEW; n];
    let mut chi = vec![0.0; n];
    let mut bias = vec![0.0; n];
    let step = |v: usize| w(v, succ[v]).expect("invariant: a policy only uses existing edges");
    for start in 0..n {
        let mut path = Vec::new();
        let mut v = start;
        while state[v] == NEW {
            state[v] = ON_PATH;
            path.push(v);
            v = succ[v];
        }
        if state[v] == ON_PATH {
            // A new cycle: v .. end of path. Its ratio, then the biases around it from v.
            let at = path.iter().position(|&x| x == v).expect("v is on the path");
            let cycle = path.split_off(at);
            let ratio = cycle.iter().map(|&x| step(x)).sum::<f64>()
                / cycle.iter().map(|&x| c(x)).sum::<f64>();
            bias[v] = 0.0;
            chi[v] = ratio;
            state[v] = DONE;
            for &x in cycle[1..].iter().rev() {
                chi[x] = ratio;
                bias[x] = step(x) - ratio * c(x) + bias[succ[x]];
                state[x] = DONE;
            }
        }
        for &x in path.iter().rev() {
            chi[x] = chi[succ[x]];
            bias[x] = step(x) - chi[x] * c(x) + bias[succ[x]];
            state[x] = DONE;
        }
    }
    Policy { succ, chi, bias }
}

/// Policy improvement: first on the cycle ratio reached, then (where no ratio improves) on the
/// bias. Returns false when the policy is optimal.
fn improve(
    p: &mut Policy,
    w: &impl Fn(usize, usize) -> Option<f64>,
    c: &impl Fn(usize) -> f64,
    eps: &Eps,
) -> bool {
    let n = p.succ.len();
    let mut changed = false;
    for v in 0..n {
        let mut best = (p.chi[v] + eps.chi, None);
        for u in 0..n {
            if w(v, u).is_some() && p.chi[u] > best.0 {
                best = (p.chi[u], Some(u));
            }
        }
        if let Some(u) = best.1 {
            p.succ[v] = u;
            changed = true;
        }
    }
    if changed {
        return true;
    }
    for v in 0..n {
        let mut best = (p.bias[v] + eps.bias, None);
        for u in 0..n {
            let Some(x) = w(v, u) else { continue };
            if (p.chi[u] - p.chi[v]).abs() > eps.chi {
                continue;
            }
            let value = x - p.chi[v] * c(v) + p.bias[u];
            if value > best.0 {
                best = (value, Some(u));
            }
        }
        if let Some(u) = best.1 {
            p.succ[v] = u;
            changed = true;
        }
    }
    changed
}

/// The policy cycle of largest ratio, in global ids, with its ratio recomputed from the cycle.
fn best_cycle(
    p: &Policy,
    nodes: &[usize],
    w: &impl Fn(usize, usize) -> Option<f64>,
    c: &impl Fn(usize) -> f64,
) -> BestCycle {
    let start = (0..p.succ.len())
        .max_by(|&a, &b| p.chi[a].total_cmp(&p.chi[b]))
        .expect("invariant: the policy has at least one node");
    // Walk n steps to be sure to stand on the cycle, then collect it.
    let mut v = start;
    for _ in 0..p.succ.len() {
        v = p.succ[v];
    }
    let mut cycle = vec![v];
    let mut u = p.succ[v];
    while u != v {
        cycle.push(u);
        u = p.succ[u];
    }
    let ratio = ratio_of(&cycle, w, c);
    (ratio, cycle.into_iter().map(|x| nodes[x]).collect())
}

/// `sum w / sum c` around a cycle of local ids.
fn ratio_of(
    cycle: &[usize],
    w: &impl Fn(usize, usize) -> Option<f64>,
    c: &impl Fn(usize) -> f64,
) -> f64 {
    let m = cycle.len();
    let total: f64 = (0..m)
        .map(|i| w(cycle[i], cycle[(i + 1) % m]).expect("invariant: cycle edges exist"))
        .sum();
    total / cycle.iter().map(|&x| c(x)).sum::<f64>()
}

/// Karp's algorithm: the largest cycle mean `sum w / |C|` on the graph induced by `nodes`, with a
/// cycle attaining it, in `O(n^3)` time and `O(n^2)` memory. `None` when there is no cycle.
pub(crate) fn karp_max_mean_cycle(nodes: &[usize], weight: impl Weights) -> Option<BestCycle> {
    let n = nodes.len();
    let w = |v: usize, u: usize| weight(nodes[v], nodes[u]);
    // best[m][v]: the heaviest walk of exactly m edges ending at v (any start); parent for the walk.
    let mut best = vec![vec![0.0; n]];
    let mut parent = vec![vec![usize::MAX; n]];
    for m in 1..=n {
        let (row, from) = karp_level(&best[m - 1], &w);
        best.push(row);
        parent.push(from);
    }
    let mut top: Option<(f64, usize)> = None;
    for (v, &last) in best[n].iter().enumerate() {
        if last == f64::NEG_INFINITY {
            continue;
        }
        let worst = (0..n)
            .filter(|&m| best[m][v] > f64::NEG_INFINITY)
            .map(|m| (last - best[m][v]) / (n - m) as f64)
            .fold(f64::INFINITY, f64::min);
        if top.is_none_or(|(t, _)| worst > t) {
            top = Some((worst, v));
        }
    }
    let (_, v) = top?;
    // The walk of n edges into v repeats a node; the best cycle on it attains the optimum
    // (Chaturvedi and McConnell 2017); we take the best of its cycles to be safe.
    let mut walk = vec![v];
    let mut x = v;
    for m in (1..=n).rev() {
        x = parent[m][x];
        walk.push(x);
    }
    walk.reverse();
    let unit = |_: usize| 1.0;
    let mut found: Option<BestCycle> = None;
    for (i, &a) in walk.iter().enumerate() {
        if let Some(len) = walk[i + 1..].iter().position(|&b| b == a) {
            let cycle = walk[i..=i + len].to_vec();
            let mean = ratio_of(&cycle, &w, &unit);
            if found.as_ref().is_none_or(|f| mean > f.0) {
                found = Some((mean, cycle));
            }
        }
    }
    found.map(|(mean, cycle)| (mean, cycle.into_iter().map(|x| nodes[x]).collect()))
}

/// One level of Karp's recursion: `next[u] = max_v prev[v] + w(v, u)` and its argmax.
fn karp_level(prev: &[f64], w: &impl Fn(usize, usize) -> Option<f64>) -> (Vec<f64>, Vec<usize>) {
    let n = prev.len();
    let mut next = vec![f64::NEG_INFINITY; n];
    let mut from = vec![usize::MAX; n];
    for (v, &start) in prev.iter().enumerate() {
        if start == f64::NEG_INFINITY {
            continue;
        }
        for u in 0..n {
            if let Some(x) = w(v, u) {
                let value = start + x;
                if value > next[u] {
                    next[u] = value;
                    from[u] = v;
                }
            }
        }
    }
    (next, from)
}
