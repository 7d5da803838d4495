//! Properties of the support functions of Wasserstein balls: the greedy closed form, the
//! transport LP and Kantorovich duality agree; worst cases are distributions in the ball; the
//! value is monotone in the radius and nominal at radius 0.

use proptest::prelude::*;
use rp_lp::Microlp;
use rp_robust::{GroundMetric, MetricMatrix, WassersteinBall, wasserstein_distance};

/// A distribution on `m` outcomes with some exact zeros (ties and empty outcomes matter).
fn distribution(m: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..1.0], m)
        .prop_filter("some mass", |w| w.iter().sum::<f64>() > 1e-3)
        .prop_map(|w| {
            let total: f64 = w.iter().sum();
            w.iter().map(|x| x / total).collect()
        })
}

/// A direction with repeated values (ties in the greedy order).
fn direction(m: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![Just(0.0), Just(1.0), -2.0f64..2.0], m)
}

/// A metric from points in the plane (Euclidean distances satisfy the triangle inequality).
fn metric(m: usize) -> impl Strategy<Value = GroundMetric> {
    prop::collection::vec((0.0f64..3.0, 0.0f64..3.0), m)
        .prop_filter("distinct points", |p| {
            (0..p.len()).all(|a| (0..a).all(|b| (p[a].0 - p[b].0).hypot(p[a].1 - p[b].1) > 1e-3))
        })
        .prop_map(|p| {
            let rows = p
                .iter()
                .map(|a| p.iter().map(|b| (a.0 - b.0).hypot(a.1 - b.1)).collect())
                .collect();
            GroundMetric::Matrix(
                MetricMatrix::new(rows).expect("Euclidean distances form a metric"),
            )
        })
}

fn case() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64)> {
    (2usize..7).prop_flat_map(|m| (distribution(m), direction(m), 0.0f64..1.2))
}

fn metric_case() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, f64, GroundMetric)> {
    (2usize..6).prop_flat_map(|m| (distribution(m), direction(m), 0.0f64..2.0, metric(m)))
}

/// A center, a direction and the 0-1 metric or a random one.
fn any_metric_case() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, GroundMetric)> {
    (2usize..6).prop_flat_map(|m| {
        let metric = prop_oneof![Just(GroundMetric::ZeroOne), metric(m)];
        (distribution(m), direction(m), metric)
    })
}

/// Two distributions and a metric on the same outcomes.
fn pair_case() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, GroundMetric)> {
    (2usize..6).prop_flat_map(|m| (distribution(m), distribution(m), metric(m)))
}

/// The support function of the ball `(center, rho, metric)` in direction `c`.
fn support(center: &[f64], rho: f64, metric: &GroundMetric, c: &[f64]) -> f64 {
    let ball = WassersteinBall::new(center.to_vec(), rho, metric.clone()).unwrap();
    ball.support(c).unwrap().value
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-8 * (1.0 + a.abs().max(b.abs()))
}

/// A worst case is a distribution in the ball attaining the reported value.
fn check_worst_case(
    ball: &WassersteinBall,
    c: &[f64],
    value: f64,
    q: &[f64],
) -> Result<(), TestCaseError> {
    prop_assert!(q.iter().all(|x| *x >= 0.0), "{q:?}");
    prop_assert!((q.iter().sum::<f64>() - 1.0).abs() <= 1e-9, "{q:?}");
    let distance = ball.distance_to_center(q).unwrap();
    prop_assert!(
        distance <= ball.radius() + 1e-8,
        "W1 {distance} > radius {}",
        ball.radius()
    );
    let at_q: f64 = c.iter().zip(q).map(|(a, b)| a * b).sum();
    prop_assert!(close(at_q, value), "{at_q} vs {value}");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Under the 0-1 metric the greedy closed form, the transport LP and the dual agree, and
    /// both maximizers are distributions in the ball.
    #[test]
    fn greedy_equals_lp_and_dual((center, c, rho) in case()) {
        let ball = WassersteinBall::new(center, rho, GroundMetric::ZeroOne).unwrap();
        let greedy = ball.support_greedy(&c).unwrap();
        let lp = ball.support_lp(&c, &Microlp::precise()).unwrap();
        let dual = ball.support_dual(&c).unwrap();
        prop_assert!(close(greedy.value, lp.value), "greedy {} vs LP {}", greedy.value, lp.value);
        prop_assert!(close(greedy.value, dual), "greedy {} vs dual {dual}", greedy.value);
        check_worst_case(&ball, &c, greedy.value, &greedy.distribution)?;
        check_worst_case(&ball, &c, lp.value, &lp.distribution)?;
    }

    /// Under any metric the transport LP and the dual agree, and the maximizer is in the ball.
    #[test]
    fn lp_equals_dual_for_any_metric((center, c, rho, metric) in metric_case()) {
        let ball = WassersteinBall::new(center, rho, metric).unwrap();
        let lp = ball.support(&c).unwrap();
        let dual = ball.support_dual(&c).unwrap();
        prop_assert!(close(lp.value, dual), "LP {} vs dual {dual}", lp.value);
        check_worst_case(&ball, &c, lp.value, &lp.distribution)?;
    }

    /// The support function is nondecreasing in the radius, nominal at radius 0, at least the
    /// nominal value, and at most `max c`.
    #[test]
    fn monotone_in_radius_and_nominal_at_zero(
        (center, c, metric) in any_metric_case(),
        radii in prop::collection::vec(0.0f64..2.0, 4),
    ) {
        let nominal: f64 = c.iter().zip(&center).map(|(a, b)| a * b).sum();
        let at_zero = support(&center, 0.0, &metric, &c);
        prop_assert!(close(at_zero, nominal), "{at_zero} vs {nominal}");
        let mut radii = radii;
        radii.sort_by(f64::total_cmp);
        let top = c.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut previous = at_zero;
        for rho in radii {
            let v = support(&center, rho, &metric, &c);
            prop_assert!(v >= previous - 1e-9, "rho {rho}: {v} < {previous}");
            prop_assert!(v <= top + 1e-9);
            previous = v;
        }
    }

    /// Under the 0-1 metric W1 is half the L1 distance; for any metric W1 is at most the
    /// diameter times it (the conversion of L1 radii).
    #[test]
    fn w1_is_half_l1_and_bounded_by_the_diameter((p, q, metric) in pair_case()) {
        let l1: f64 = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum();
        let tv = wasserstein_distance(&p, &q, &GroundMetric::ZeroOne).unwrap();
        prop_assert!(close(tv, l1 / 2.0));
        let w = wasserstein_distance(&p, &q, &metric).unwrap();
        prop_assert!(w <= metric.radius_from_l1(l1) + 1e-9, "{w} > D l1 / 2");
        prop_assert!(w >= -1e-12);
    }
}
