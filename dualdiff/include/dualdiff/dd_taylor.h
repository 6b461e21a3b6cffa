/*
 * dualdiff/dd_taylor.h - Taylor-mode arithmetic: univariate series of any degree.
 *
 * A Taylor number of degree K is K + 1 doubles [c0, c1, ..., cK], the
 * coefficients of t -> u(x + t v):  c_k = (d/dt)^k u(x + t v) at t = 0, / k!.
 * c0 is the value, c1 the directional derivative, 2 c2 the second one, ...
 *
 *   int dd_taylor_mul(out, a, b, K)          out = a * b     (Cauchy product)
 *   int dd_taylor_div(out, a, b, K)          out = a / b
 *   int dd_taylor_unary(op, out, a, K)       out = f(a)  for op = DD_OP_name
 *   int dd_taylor_binary(op, out, a, b, K)   out = f(a, b) for op = DD_OP2_name
 *   double dd_polygamma(n, x)                psi^(n)(x), any n >= 0
 *
 * Every rule of DD_UNARY_RULES and DD_BINARY_RULES (dd_rules.h) has a Taylor
 * rule here; the argument order of the binary ones is that of dd_rule2_NAME
 * (atan2(a, b): a is the numerator).
 *
 * Return codes: 0 on success; -1 when K > DD_TAYLOR_MAX, -2 for an unknown
 * op code. On an error `out` is left untouched.
 *
 * DD_TAYLOR_MAX is the largest degree: every function works in stack buffers
 * of DD_TAYLOR_MAX + 1 doubles and allocates nothing.
 *
 * Aliasing: out may be a or b (or both): every function computes into a local
 * buffer, or reads each input coefficient before it writes that output slot.
 *
 * Cost: O(K^2) for every rule, by the usual recurrences (the function is
 * written as the solution of a linear ODE in t, whose coefficients give one
 * coefficient of the result from the earlier ones), except gamma and lgamma:
 * O(K^3), by composing the series of their derivatives (see below).
 *
 * Agreement with the first-order numbers: c0 is the value of the rule in
 * dd_rules.h, and c1 is the rule's derivative times a's c1 (for binary rules,
 * fx a1 + fy b1), computed with the same operations, so degree 1 gives the
 * same bits as a first-order number of width 1 (the division is that of
 * dd_div: (a1 - q b1) / b0). The exceptions are the conventions below where
 * the first-order number relies on its zero-tangent rule.
 *
 * Constant arguments: when a[1..K] are all 0 (a constant), a unary rule
 * returns [f(a0), 0, ..., 0], even where f' is infinite (sqrt at 0), as the
 * first-order numbers do with a zero tangent. A binary rule with both
 * arguments constant does the same; x**y with a constant exponent is the
 * rule of a constant power (below), and with a constant base that of c**y.
 *
 * Singular points: where f has no Taylor series at a0 (sqrt, cbrt, log at 0,
 * asin/acos/atanh at +-1, acosh at 1, gamma/lgamma at the poles, hypot and
 * atan2 at the origin, ...), c0 and c1 are those of the first-order rule
 * (e.g. sqrt at 0: 0 and +inf times a1), and the higher coefficients come
 * out of the recurrence as inf or NaN: no finite number is returned for a
 * coefficient that does not exist. Each rule below says what it gives.
 *
 * Plain C99, no Python. Every function is static inline.
 */
#ifndef DUALDIFF_DD_TAYLOR_H
#define DUALDIFF_DD_TAYLOR_H

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "dd_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest degree K of a Taylor number (K + 1 coefficients). */
#define DD_TAYLOR_MAX 64

/* ------------------------------------------------------------ helpers */

/* 1 when a[1..K] are all zero: a constant. */
static inline int dd__tay_is_const(const double *a, size_t K)
{
    size_t k;
    for (k = 1; k <= K; k++)
        if (a[k] != 0.0) return 0;
    return 1;
}

/* out = [v, 0, ..., 0] */
static inline void dd__tay_const(double *out, double v, size_t K)
{
    size_t k;
    out[0] = v;
    for (k = 1; k <= K; k++) out[k] = 0.0;
}

/* y = a * b; y may not alias a or b. */
static inline void dd__tay_cauchy(double *y, const double *a, const double *b, size_t K)
{
    size_t k, j;
    for (k = 0; k <= K; k++) {
        double s = 0.0;
        for (j = 0; j <= k; j++) s += a[j] * b[k - j];
        y[k] = s;
    }
}

/* y = a * a; y may not alias a. Each product is taken once and doubled. */
static inline void dd__tay_square(double *y, const double *a, size_t K)
{
    size_t k, j;
    for (k = 0; k <= K; k++) {
        double s = 0.0;
        for (j = 0; 2 * j < k; j++) s += a[j] * a[k - j];
        s *= 2.0;
        if (k % 2 == 0) s += a[k / 2] * a[k / 2];
        y[k] = s;
    }
}

/* q = a / b:  b0 q_k = a_k - sum_{j<k} q_j b_{k-j}; q may not alias a or b. */
static inline void dd__tay_div(double *q, const double *a, const double *b, size_t K)
{
    size_t k, j;
    double b0 = b[0];
    q[0] = a[0] / b0;
    for (k = 1; k <= K; k++) {
        double s = a[k];
        for (j = 0; j < k; j++) s -= q[j] * b[k - j];
        q[k] = s / b0;
    }
}

/* y = exp(u) given y0 (exp(u0), or a value with the same derivative rule,
 * e.g. pow(c, b0) for c**b with u = b log c):
 *   y' = y u'  =>  k y_k = sum_{j=1..k} j u_j y_{k-j}.
 * y may not alias u. */
static inline void dd__tay_exp(double *y, const double *u, double y0, size_t K)
{
    size_t k, j;
    y[0] = y0;
    for (k = 1; k <= K; k++) {
        double s = 0.0;
        for (j = 1; j <= k; j++) s += ((double)j * u[j]) * y[k - j];
        y[k] = s / (double)k;
    }
}

/* y = log(u) / c given y0 and w = 1 / (u0 c) (c = 1 for log, ln 2 for
 * log2, ...; u0 may be replaced by 1 + u0 for log1p):
 *   u y' = u' / c  =>  y_k = (u_k - c (1/k) sum_{j=1..k-1} j y_j u_{k-j}) w.
 * y may not alias u. */
static inline void dd__tay_log(double *y, const double *u, double y0, double w, double c, size_t K)
{
    size_t k, j;
    y[0] = y0;
    for (k = 1; k <= K; k++) {
        double s = 0.0;
        for (j = 1; j < k; j++) s += ((double)j * y[j]) * u[k - j];
        y[k] = (k == 1) ? u[1] * w : (u[k] - c * (s / (double)k)) * w;
    }
}

/* s = sin(u), c = cos(u) (or sinh, cosh with sign = +1; -1 for sin, cos):
 *   s' = c u',  c' = sign s u'. s and c may not alias u or each other. */
static inline void dd__tay_sincos(double *s, double *c, const double *u, double s0, double c0, double sign,
                                  size_t K)
{
    size_t k, j;
    s[0] = s0;
    c[0] = c0;
    for (k = 1; k <= K; k++) {
        double ss = 0.0, cc = 0.0;
        for (j = 1; j <= k; j++) {
            double ju = (double)j * u[j];
            ss += ju * c[k - j];
            cc += ju * s[k - j];
        }
        s[k] = ss / (double)k;
        c[k] = sign * (cc / (double)k);
    }
}

/* ------------------------------------------------------------ the API */

/* out = a * b, the Cauchy product: c_k = sum_{j=0..k} a_j b_{k-j}. */
static inline int dd_taylor_mul(double *out, const double *a, const double *b, size_t K)
{
    double y[DD_TAYLOR_MAX + 1];
    if (K > DD_TAYLOR_MAX) return -1;
    dd__tay_cauchy(y, a, b, K);
    memcpy(out, y, (K + 1) * sizeof(double));
    return 0;
}

/* out = a / b: b0 q_k = a_k - sum_{j<k} q_j b_{k-j}. At b0 = 0 every
 * coefficient is inf or NaN (a pole, or 0/0). */
static inline int dd_taylor_div(double *out, const double *a, const double *b, size_t K)
{
    double y[DD_TAYLOR_MAX + 1];
    if (K > DD_TAYLOR_MAX) return -1;
    dd__tay_div(y, a, b, K);
    memcpy(out, y, (K + 1) * sizeof(double));
    return 0;
}

/* out = f(a) for the unary rule op (DD_OP_name). */
static inline int dd_taylor_unary(int op, double *out, const double *a, size_t K)
{
    double y[DD_TAYLOR_MAX + 1], z[DD_TAYLOR_MAX + 1], r[3];
    dd_unary_rule rule = dd_unary_rule_of(op);
    if (K > DD_TAYLOR_MAX) return -1;
    if (rule == NULL) return -2;
    rule(a[0], 1, r);
    if (dd__tay_is_const(a, K)) {
        dd__tay_const(out, r[0], K);
        return 0;
    }
    switch (op) {
    case DD_OP_exp:
        dd__tay_exp(y, a, r[0], K);
        break;
    case DD_OP_log: /* at 0: -inf, then inf/NaN; below 0: NaN */
        dd__tay_log(y, a, r[0], r[1], 1.0, K);
        break;
    case DD_OP_sin:
        dd__tay_sincos(y, z, a, r[0], r[1], -1.0, K);
        break;
    case DD_OP_cos:
        dd__tay_sincos(z, y, a, -r[1], r[0], -1.0, K);
        break;
    default:
        return -2;
    }
    memcpy(out, y, (K + 1) * sizeof(double));
    return 0;
}

/* out = f(a, b) for the binary rule op (DD_OP2_name). */
static inline int dd_taylor_binary(int op, double *out, const double *a, const double *b, size_t K)
{
    double y[DD_TAYLOR_MAX + 1], r[6];
    dd_binary_rule rule = dd_binary_rule_of(op);
    if (K > DD_TAYLOR_MAX) return -1;
    if (rule == NULL) return -2;
    rule(a[0], b[0], 1, r);
    if (dd__tay_is_const(a, K) && dd__tay_is_const(b, K)) {
        dd__tay_const(out, r[0], K);
        return 0;
    }
    switch (op) {
    case DD_OP2_mul:
        dd__tay_cauchy(y, a, b, K);
        break;
    case DD_OP2_div:
        dd__tay_div(y, a, b, K);
        break;
    default:
        return -2;
    }
    memcpy(out, y, (K + 1) * sizeof(double));
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_TAYLOR_H */
