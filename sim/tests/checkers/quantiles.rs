//! Jepsen's quantile indexing: sorted ascending, point p at index min(n − 1, ⌊n·p⌋).

use glomers_sim::checkers::quantiles::quantiles;

#[test]
fn points_take_index_floor_n_p_capped_at_the_last() {
    let q = quantiles(&[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]).expect("values");
    assert_eq!((q.q0, q.q50, q.q95, q.q99, q.q100), (0, 5, 9, 9, 9));
    let hundred: Vec<u64> = (1..=100).collect();
    let q = quantiles(&hundred).expect("values");
    assert_eq!((q.q0, q.q50, q.q95, q.q99, q.q100), (1, 51, 96, 100, 100));
}

#[test]
fn the_median_is_the_upper_one() {
    assert_eq!(quantiles(&[1, 2, 3, 4]).expect("values").q50, 3);
    assert_eq!(quantiles(&[10, 20, 30]).expect("values").q50, 20);
    assert_eq!(quantiles(&[42]).expect("values").q100, 42);
    assert_eq!(quantiles(&[]), None);
}

#[test]
fn zeros_count_like_any_other_sample() {
    let mut v = vec![0; 60];
    v.extend([100; 40]);
    let q = quantiles(&v).expect("values");
    assert_eq!((q.q0, q.q50, q.q95), (0, 0, 100));
}
