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
 * coefficient of the result from the earlier ones), except gamma, lgamma and
 * psi: O(K^3), by composing the series of their derivatives (see below).
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
        double s = a[0] * b[k]; /* not 0.0 + a0 b0: the product's signed zero is kept */
        for (j = 1; j <= k; j++) s += a[j] * b[k - j];
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

/* y = exp(c u) given y0 (exp(c u0), or any multiple of it: the recurrence
 * is linear in y; e.g. pow(c, b0) for c**b with c u = b log c):
 *   y' = c y u'  =>  k y_k = sum_{j=1..k} j u_j (c y_{k-j}).
 * y may not alias u. */
static inline void dd__tay_exp(double *y, const double *u, double y0, double c, size_t K)
{
    size_t k, j;
    y[0] = y0;
    for (k = 1; k <= K; k++) {
        double s = 0.0;
        for (j = 1; j <= k; j++) s += ((double)j * u[j]) * (c * y[k - j]);
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

/* y_k = (1/k) sum_{j=1..k} j u_j g_{k-j} for k = from..K: the integral of
 * y' = g u', the chain rule, given the series g of f'(u(t)). */
static inline void dd__tay_integ(double *y, const double *u, const double *g, size_t from, size_t K)
{
    size_t k, j;
    for (k = from; k <= K; k++) {
        double s = 0.0;
        for (j = 1; j <= k; j++) s += ((double)j * u[j]) * g[k - j];
        y[k] = s / (double)k;
    }
}

/* g = w^p for a constant p, for k = from..K given g[0..from-1]:
 *   w g' = p g w'  =>  k w0 g_k = sum_{j=1..k} (p j - (k - j)) w_j g_{k-j}.
 * Linear in g: seeded with c w0^p it gives c w^p. Only ratios w_j / w0 enter,
 * so w may be scaled by any constant. Needs w0 != 0. */
static inline void dd__tay_pow_ode(double *g, const double *w, double p, size_t from, size_t K)
{
    size_t k, j;
    for (k = from; k <= K; k++) {
        double s = 0.0;
        for (j = 1; j <= k; j++) s += ((p * (double)j - (double)(k - j)) * w[j]) * g[k - j];
        g[k] = s / ((double)k * w[0]);
    }
}

/* y = sqrt(u) for k = from..K given y0 and h = 0.5 / y0 (the rule's f'):
 *   y^2 = u  =>  y_k = (u_k - sum_{j=1..k-1} y_j y_{k-j}) h. */
static inline void dd__tay_sqrt(double *y, const double *u, size_t from, double h, size_t K)
{
    size_t k, j;
    for (k = from; k <= K; k++) {
        double s = 0.0;
        for (j = 1; 2 * j < k; j++) s += y[j] * y[k - j];
        s *= 2.0;
        if (k % 2 == 0) s += y[k / 2] * y[k / 2];
        y[k] = (u[k] - s) * h;
    }
}

/* w = sg (u s)^2 + c0 for a scale s (a power of 2, exact): the series of
 * 1 + u^2, u^2 - 1, 1 - u^2 up to a constant factor, with w0 given (computed
 * by the caller in the form that keeps its accuracy). */
static inline void dd__tay_quad(double *w, const double *u, double s, double sg, double w0, size_t K)
{
    double us[DD_TAYLOR_MAX + 1];
    size_t k;
    for (k = 0; k <= K; k++) us[k] = u[k] * s;
    dd__tay_square(w, us, K);
    for (k = 1; k <= K; k++) w[k] *= sg;
    w[0] = w0;
}

/* 2^-e for |x| = m 2^e (m in [0.5, 1)), e clamped to [-1000, 1000]; 1 for
 * 0, inf or NaN: an exact scale that brings x near 1. */
static inline double dd__tay_scale(double x)
{
    int e;
    if (x == 0.0 || !isfinite(x)) return 1.0;
    frexp(x, &e);
    if (e > 1000) e = 1000;
    if (e < -1000) e = -1000;
    return ldexp(1.0, -e);
}

/* x is an integer (finite). */
static inline int dd__tay_is_int(double x)
{
    return isfinite(x) && x == floor(x);
}

/* ------------------------------------------------------------ polygamma */

/* Hurwitz zeta(s, x) = sum_{k>=0} (x + k)^-s for x > 0 and integer s >= 2:
 * the terms up to x + N >= s + 20, then the Euler-Maclaurin tail
 *   y^(1-s)/(s-1) + y^-s / 2 + sum_{j=1..10} B_2j/(2j)! s(s+1)...(s+2j-2) y^(1-s-2j)
 * whose first omitted term is below 1e-17 of the sum there. */
static inline double dd__hurwitz(double s, double x)
{
    static const double b[10] = {
        0.08333333333333333, -0.001388888888888889, 3.306878306878307e-05, -8.267195767195768e-07,
        2.08767569878681e-08, -5.284190138687493e-10, 1.3382536530684679e-11, -3.3896802963225827e-13,
        8.586062056277845e-15, -2.174868698558062e-16};
    double sum = 0.0, y = x, tail, t, y2, rise;
    int j;
    while (y < s + 20.0) {
        sum += pow(y, -s);
        y += 1.0;
    }
    t = pow(y, -s);  /* y^-s */
    y2 = 1.0 / (y * y);
    tail = t * y / (s - 1.0) + 0.5 * t;
    t *= y;          /* y^(1-s) */
    rise = 1.0;      /* s (s+1) ... (s+2j-2) */
    for (j = 1; j <= 10; j++) {
        rise *= (j == 1) ? s : (s + 2.0 * j - 3.0) * (s + 2.0 * j - 2.0);
        t *= y2;     /* y^(1-s-2j) */
        tail += b[j - 1] * rise * t;
    }
    return sum + tail;
}

/* cot(pi x) accurate relative to its value near its zeros x = k + 1/2 too
 * (exactly 0 there): x is reduced to r in [-1/2, 1/2], exactly, and past
 * |r| = 1/4 cot(pi r) = tan(pi (1/2 - |r|)) with the sign of r. */
static inline double dd__tay_cotpi(double x)
{
    double r = x - nearbyint(x), m = fabs(r);
    if (m > 0.25) return copysign(tan(DD_PI * (0.5 - m)), r);
    return cos(DD_PI * r) / sin(DD_PI * r);
}

/* out[n] = psi^(n)(x) / n! for n = 0..nmax (nmax <= DD_TAYLOR_MAX), the
 * Taylor coefficients of digamma at x.
 *   x > 0:  psi^(n)(x) / n! = (-1)^(n+1) zeta(n+1, x) for n >= 1;
 *   x < 0 (not an integer): the reflection psi(x) = psi(1 - x) - pi cot(pi x),
 *           with the Taylor coefficients of cot(pi (x + h)) from its ODE
 *           T' = -pi (1 + T^2) (the recurrence of tan);
 *   x = 0, -1, -2, ...: poles, NaN. n = 0 and 1 are dd_digamma, dd_trigamma. */
static inline void dd__polygamma_coeffs(double x, size_t nmax, double *out)
{
    size_t n, i;
    if (isnan(x) || x == -INFINITY || (x <= 0.0 && x == floor(x))) {
        for (n = 0; n <= nmax; n++) out[n] = NAN;
        return;
    }
    out[0] = dd_digamma(x);
    if (nmax >= 1) out[1] = dd_trigamma(x);
    if (x == INFINITY) {
        for (n = 2; n <= nmax; n++) out[n] = 0.0;
        return;
    }
    if (x > 0.0) {
        for (n = 2; n <= nmax; n++) out[n] = (n % 2 ? 1.0 : -1.0) * dd__hurwitz((double)n + 1.0, x);
        return;
    } else {
        double T[DD_TAYLOR_MAX + 1], g;
        T[0] = dd__tay_cotpi(x);
        for (n = 1; n <= nmax; n++) {
            /* g_{n-1} = coefficient n-1 of 1 + T^2 */
            g = (n == 1) ? 1.0 : 0.0;
            for (i = 0; i <= n - 1; i++) g += T[i] * T[n - 1 - i];
            T[n] = -DD_PI * g / (double)n;
        }
        /* (-1)^n psi^(n)(1 - x) / n! = -zeta(n + 1, 1 - x) */
        for (n = 2; n <= nmax; n++) out[n] = -dd__hurwitz((double)n + 1.0, 1.0 - x) - DD_PI * T[n];
    }
}

/* The polygamma function psi^(n)(x) = (d/dx)^(n+1) log|gamma(x)|, n >= 0:
 * digamma (n = 0), trigamma (n = 1), ... Relative accuracy about 1e-14 away
 * from the zeros of psi^(n) for negative x (where the reflection cancels).
 * NaN at the poles x = 0, -1, -2, ..., for n < 0, and, for negative x only,
 * for n > DD_TAYLOR_MAX (the reflection keeps its series on the stack).
 * Overflows to +-inf where psi^(n) is beyond the double range (large n
 * near a pole). */
static inline double dd_polygamma(int n, double x)
{
    double c[DD_TAYLOR_MAX + 1], f = 1.0;
    int i;
    if (n < 0) return NAN;
    if (n == 0) return dd_digamma(x);
    if (n == 1) return dd_trigamma(x);
    for (i = 2; i <= n; i++) f *= (double)i;
    if (x > 0.0 || x == INFINITY || isnan(x)) {
        if (x == INFINITY) return 0.0;
        if (isnan(x)) return x;
        return (n % 2 ? f : -f) * dd__hurwitz((double)n + 1.0, x);
    }
    if ((size_t)n > DD_TAYLOR_MAX) return NAN;
    dd__polygamma_coeffs(x, (size_t)n, c);
    return c[n] * f;
}

/* y = sum_{m=0..K} d[m] (u(t) - u0)^m: the composition of a function with
 * Taylor coefficients d at u0 (d[m] = f^(m)(u0) / m!) with u. O(K^3).
 * y may not alias u. */
static inline void dd__tay_compose(double *y, const double *u, const double *d, size_t K)
{
    double P[DD_TAYLOR_MAX + 1], Q[DD_TAYLOR_MAX + 1];
    size_t k, j, m;
    y[0] = d[0];
    for (k = 1; k <= K; k++) y[k] = 0.0;
    P[0] = 0.0; /* P = (u - u0)^m, whose first m coefficients are 0 */
    for (k = 1; k <= K; k++) P[k] = u[k];
    for (m = 1; m <= K; m++) {
        for (k = m; k <= K; k++) y[k] += d[m] * P[k];
        if (m == K) break;
        for (k = m + 1; k <= K; k++) { /* Q = P (u - u0), from index m + 1 */
            double s = 0.0;
            for (j = m; j < k; j++) s += P[j] * u[k - j];
            Q[k] = s;
        }
        for (k = 0; k <= m; k++) P[k] = 0.0;
        for (k = m + 1; k <= K; k++) P[k] = Q[k];
    }
}

/* The Taylor coefficients of lgamma(u0 + h) from h^1 on: d[m] =
 * psi^(m-1)(u0) / m!; d[0] is set to lgamma(u0). */
static inline void dd__lgamma_coeffs(double x, double *d, size_t K)
{
    double c[DD_TAYLOR_MAX + 1];
    size_t m;
    d[0] = lgamma(x);
    if (K == 0) return;
    dd__polygamma_coeffs(x, K - 1, c);
    for (m = 1; m <= K; m++) d[m] = (m == 1) ? c[0] : c[m - 1] / (double)m;
}

/* The pair (Z0, Z1) of Bessel functions of u by their differential equations
 *   Z0' = (sj Z1 - s Z0) u',  Z1' = (Z0 - Z1/u - s Z1) u'
 * (J and Y: sj = -1, s = 0; I: sj = 1, s = 0; exp(-|u|) I: sj = 1, s the sign
 * of u0), given Z0(u0) and Z1(u0); Z1/u term by term (u0 != 0). y and z may
 * not alias u or each other. */
static inline void dd__tay_bessel(double *y, double *z, const double *u, double y0, double z0, double sj,
                                  double s, size_t K)
{
    double g[DD_TAYLOR_MAX + 1], h[DD_TAYLOR_MAX + 1], q[DD_TAYLOR_MAX + 1];
    size_t k, i;
    y[0] = y0;
    z[0] = z0;
    for (k = 1; k <= K; k++) {
        size_t m = k - 1;
        double t = z[m];
        for (i = 0; i < m; i++) t -= q[i] * u[m - i];
        q[m] = t / u[0];
        g[m] = sj * z[m] - s * y[m];
        h[m] = (y[m] - q[m]) - s * z[m];
        dd__tay_integ(y, u, g, k, k);
        dd__tay_integ(z, u, h, k, k);
    }
}

/* ------------------------------------------------------------- powers */

/* y = a^p for a constant exponent p (the conventions of dd_rule_pow_const):
 *   p = 0:     [1, 0, ..., 0] for every a (x**0 is 1 with zero derivatives);
 *   p = 1:     a;
 *   p an integer >= 2: repeated Cauchy products (squaring), exact in form
 *              at a0 = 0 too (a^n at 0 has the coefficients of the product),
 *              and used for every a0 when p <= 64;
 *   otherwise, a0 != 0: the ODE a y' = p y a' (dd__tay_pow_ode); a0 < 0
 *              with p not an integer: NaN (y0 is);
 *   a0 = 0, p not an integer: c_k = 0 for 2 <= k < p (the derivatives of
 *              |t|^p that exist), NaN for k > p; negative p (a pole): inf or
 *              NaN from the ODE.
 * c0 and c1 are the rule's value and derivative times a1 in every case.
 * y may not alias a. */
static inline void dd__tay_powc(double *y, const double *a, double p, size_t K)
{
    double r[3];
    size_t k;
    dd_rule_pow_const(a[0], p, 1, r);
    if (p == 0.0) {
        dd__tay_const(y, r[0], K);
        return;
    }
    if (p == 1.0) {
        memcpy(y, a, (K + 1) * sizeof(double));
    } else if (p == 2.0) {
        dd__tay_square(y, a, K);
    } else if (dd__tay_is_int(p) && p > 0.0 && (p <= 64.0 || a[0] == 0.0)) {
        double base[DD_TAYLOR_MAX + 1], tmp[DD_TAYLOR_MAX + 1];
        double e = p;
        int have = 0;
        memcpy(base, a, (K + 1) * sizeof(double));
        for (;;) {
            double half = floor(e / 2.0);
            if (e - 2.0 * half == 1.0) { /* odd: multiply the base in */
                if (have) {
                    dd__tay_cauchy(tmp, y, base, K);
                    memcpy(y, tmp, (K + 1) * sizeof(double));
                } else {
                    memcpy(y, base, (K + 1) * sizeof(double));
                    have = 1;
                }
            }
            e = half;
            if (e == 0.0) break;
            dd__tay_square(tmp, base, K);
            memcpy(base, tmp, (K + 1) * sizeof(double));
        }
    } else if (a[0] == 0.0 && !dd__tay_is_int(p) && p > 0.0) {
        for (k = 2; k <= K; k++) y[k] = ((double)k < p) ? 0.0 : NAN;
    } else {
        y[0] = r[0];
        if (K >= 1) y[1] = r[1] * a[1];
        dd__tay_pow_ode(y, a, p, 2, K);
    }
    y[0] = r[0];
    if (K >= 1) y[1] = r[1] * a[1];
}

/* y = c^b for a constant base c (the conventions of dd_rule_const_pow):
 * c = 0 and b0 > 0: [0, ..., 0] (identically 0 nearby); otherwise
 * exp(b log c): y' = (log c) y b'. c < 0: NaN past c0 (no real log). */
static inline void dd__tay_cpow(double *y, double c, const double *b, size_t K)
{
    double r[3];
    dd_rule_const_pow(c, b[0], 1, r);
    if (c == 0.0 && b[0] > 0.0) {
        dd__tay_const(y, r[0], K);
        return;
    }
    dd__tay_exp(y, b, r[0], log(c), K);
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

/* out = f(a) for the unary rule op (DD_OP_name). How each is computed, and
 * what it gives where f has no Taylor series:
 *   exp exp2 expm1           y' = c y u' (c = 1, ln 2); expm1: the series of exp past c0
 *   log log2 log10 log1p     u y' = u' / c; at u0 = 0 (log1p: -1): -inf, then inf/NaN;
 *                            below: NaN
 *   sin cos sinh cosh        computed as a pair: s' = c u', c' = -+s u'
 *   tan tanh                 y' = (1 +- y^2) u' (tanh seeded with 1/cosh^2 u0 as its rule)
 *   sqrt                     y^2 = u; at 0: c1 = +inf a1, then inf/NaN
 *   cbrt                     the ODE of u^(1/3); at 0: inf/NaN past c0
 *   asin acos                y' = +-u' (1 - u^2)^(-1/2); at +-1: inf/NaN past c0
 *   atan atanh               y' = u' / (1 +- u^2) (the series of 1/w by its ODE); atanh at +-1: inf/NaN
 *   asinh acosh              y' = u' (u^2 +- 1)^(-1/2), u scaled by a power of 2 so that u^2
 *                            does not overflow; acosh at 1: inf/NaN past c0, below: NaN
 *   erf erfc                 y' = +-(2/sqrt(pi)) exp(-u^2) u' (the exp series of -u^2,
 *                            seeded with the rule's exp(-u0^2) without rounding error)
 *   lgamma                   composition with the Taylor series of lgamma at u0, whose
 *                            coefficients are psi^(m-1)(u0) / m! (dd_polygamma); O(K^3).
 *                            At the poles 0, -1, ...: inf, then NaN
 *   gamma                    exp of that series, seeded with tgamma(u0): the sign of gamma
 *                            comes with c0. At the poles: tgamma's value, then NaN
 *   fabs                     sign(u0) u, with the sign of a zero as dd_rule_fabs: +u at +0.0,
 *                            -u at -0.0 (a one-sided series)
 *   floor ceil trunc rint sign   [f(u0), 0, ..., 0] (derivative 0, at the jumps too)
 *   degrees radians          a constant times u
 *   square reciprocal        u * u; 1 / u (at 0: inf/NaN)
 * SciPy's special functions:
 *   psi                      composition with psi^(m)(u0) / m! (as lgamma); O(K^3).
 *                            At the poles: the rule's value and c1, then NaN
 *   expit                    y' = y v u', v = 1 - y (v0 = expit(-u0) without cancellation)
 *   log_expit                y' = v u', v the series of 1 - expit(u) above
 *   logit                    y' = u' / w, w = u (1 - u); at 0 and 1: inf/NaN; outside: NaN
 *   erfcx                    y' = (2 u y - 2/sqrt(pi)) u', g0 the rule's erfcx'(u0); the
 *                            higher g_k = 2 (u y)_k lose about u0^2 ulps for large u0
 *   ndtr                     y' = phi(u) u', the exp series of -u^2/2 seeded with phi(u0)
 *   erfinv ndtri             y' = g u', g = f'(u0) exp(c (y^2 - y0^2)) (c = 1, 1/2),
 *                            coupled with y; at the ends (+-1; 0, 1): inf/NaN
 *   log_ndtr                 y' = g u' with g = phi/Phi, g' = -g (u + g) u', g0 and
 *                            u0 + g0 from the rule (finite where phi and Phi underflow);
 *                            the higher u_k + g_k lose about u0^2 ulps in the lower tail
 *   entr                     y' = -(1 + log u) u'; at 0: c1 = +inf a1, then inf/NaN;
 *                            below 0: the rule's -inf, then NaN
 *   rgamma                   u0 >= 1/2: exp of minus the lgamma series (as gamma), seeded
 *                            with 1/gamma(u0); below, the reflection gamma(1 - u) sin(pi u)/pi
 *                            (the series of gamma(1 - u) times that of sin), through the poles
 *   gammasgn                 [f(u0), 0, ..., 0]; at the poles (NaN value): NaN
 *   erfcinv                  as erfinv: y' = g u', g = f'(u0) exp(y^2 - y0^2); at 0 and 2:
 *                            inf/NaN
 *   j0 j1 y0 y1 i0 i1        the pair (Z0, Z1) of the kind by Z0' = (sj Z1 - s Z0) u',
 *   i0e i1e                  Z1' = (Z0 - Z1/u - s Z1) u' (dd__tay_bessel); for |u0| < 2 J and I
 *                            compose with their series at 0 shifted to u0 (i0e, i1e times
 *                            that of exp(-s u), s the sign of u0); Y at 0: -inf, c1, then NaN
 * c0 and c1 are the rule's value and f'(u0) a1 (see the top of this file). */
static inline int dd_taylor_unary(int op, double *out, const double *a, size_t K)
{
    double y[DD_TAYLOR_MAX + 1], z[DD_TAYLOR_MAX + 1], w[DD_TAYLOR_MAX + 1], r[3];
    dd_unary_rule rule = dd_unary_rule_of(op);
    double u0 = a[0], s;
    size_t k, j;
    if (K > DD_TAYLOR_MAX) return -1;
    if (rule == NULL) return -2;
    rule(u0, 1, r);
    if (dd__tay_is_const(a, K)) {
        dd__tay_const(out, r[0], K);
        return 0;
    }
    switch (op) {
    case DD_OP_sqrt:
        y[0] = r[0];
        dd__tay_sqrt(y, a, 1, r[1], K);
        break;
    case DD_OP_cbrt:
        y[0] = r[0];
        y[1] = r[1] * a[1];
        dd__tay_pow_ode(y, a, 1.0 / 3.0, 2, K);
        break;
    case DD_OP_exp:
        dd__tay_exp(y, a, r[0], 1.0, K);
        break;
    case DD_OP_exp2:
        dd__tay_exp(y, a, r[0], DD_LN2, K);
        break;
    case DD_OP_expm1:
        dd__tay_exp(y, a, r[1], 1.0, K);
        y[0] = r[0];
        break;
    case DD_OP_log:
    case DD_OP_log1p:
        dd__tay_log(y, a, r[0], r[1], 1.0, K);
        break;
    case DD_OP_log2:
        dd__tay_log(y, a, r[0], r[1], DD_LN2, K);
        break;
    case DD_OP_log10:
        dd__tay_log(y, a, r[0], r[1], DD_LN10, K);
        break;
    case DD_OP_sin:
        dd__tay_sincos(y, z, a, r[0], r[1], -1.0, K);
        break;
    case DD_OP_cos:
        dd__tay_sincos(z, y, a, -r[1], r[0], -1.0, K);
        break;
    case DD_OP_sinh:
        dd__tay_sincos(y, z, a, r[0], r[1], 1.0, K);
        break;
    case DD_OP_cosh:
        dd__tay_sincos(z, y, a, r[1], r[0], 1.0, K);
        break;
    case DD_OP_tan:
    case DD_OP_tanh: {
        /* g = f'(u) = 1 + y^2 (tan) or 1 - y^2 (tanh), g0 from the rule */
        double sg = (op == DD_OP_tan) ? 1.0 : -1.0;
        y[0] = r[0];
        w[0] = r[1];
        for (k = 1; k <= K; k++) {
            if (k >= 2) {
                double t = 0.0;
                for (j = 1; 2 * j < k - 1; j++) t += y[j] * y[k - 1 - j];
                t *= 2.0;
                if ((k - 1) % 2 == 0) t += y[(k - 1) / 2] * y[(k - 1) / 2];
                w[k - 1] = sg * (t + 2.0 * (y[0] * y[k - 1]));
            }
            dd__tay_integ(y, a, w, k, k);
        }
        break;
    }
    case DD_OP_asin:
    case DD_OP_acos:
        /* g = +-(1 - u^2)^(-1/2), w0 = (1 - u0)(1 + u0) as in the rule */
        dd__tay_quad(w, a, 1.0, -1.0, (1.0 - u0) * (1.0 + u0), K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -0.5, 1, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_asinh:
        s = fmin(dd__tay_scale(u0), 1.0); /* u^2 + 1 scaled by s^2 <= 1 */
        dd__tay_quad(w, a, s, 1.0, (u0 * s) * (u0 * s) + s * s, K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -0.5, 1, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_acosh:
        s = fmin(dd__tay_scale(u0), 1.0);
        dd__tay_quad(w, a, s, 1.0, ((u0 - 1.0) * s) * ((u0 + 1.0) * s), K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -0.5, 1, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_atan:
        s = fmin(dd__tay_scale(u0), 1.0);
        dd__tay_quad(w, a, s, 1.0, (u0 * s) * (u0 * s) + s * s, K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -1.0, 1, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_atanh:
        dd__tay_quad(w, a, 1.0, -1.0, (1.0 - u0) * (1.0 + u0), K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -1.0, 1, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_erf:
    case DD_OP_erfc:
        /* z = f'(u) = r[1] exp(-(u^2 - u0^2)): the exp series of w = -u^2 */
        dd__tay_quad(w, a, 1.0, -1.0, 0.0, K);
        dd__tay_exp(z, w, r[1], 1.0, K - 1);
        y[0] = r[0];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_lgamma:
        dd__lgamma_coeffs(u0, w, K);
        dd__tay_compose(y, a, w, K);
        y[0] = r[0];
        break;
    case DD_OP_gamma:
        dd__lgamma_coeffs(u0, w, K);
        dd__tay_compose(z, a, w, K);
        y[0] = r[0];
        y[1] = r[1] * a[1];
        for (k = 2; k <= K; k++) {
            double t = 0.0;
            for (j = 1; j <= k; j++) t += ((double)j * z[j]) * y[k - j];
            y[k] = t / (double)k;
        }
        break;
    case DD_OP_fabs:
    case DD_OP_degrees:
    case DD_OP_radians:
        /* r[1] is the sign of u0 (fabs) or the constant factor */
        y[0] = r[0];
        for (k = 1; k <= K; k++) y[k] = r[1] * a[k];
        break;
    case DD_OP_floor:
    case DD_OP_ceil:
    case DD_OP_trunc:
    case DD_OP_rint:
    case DD_OP_sign:
        dd__tay_const(y, r[0], K);
        break;
    case DD_OP_square:
        dd__tay_square(y, a, K);
        y[0] = r[0];
        break;
    case DD_OP_reciprocal:
        y[0] = r[0];
        for (k = 1; k <= K; k++) {
            double t = 0.0;
            for (j = 1; j <= k; j++) t += a[j] * y[k - j];
            y[k] = (k == 1) ? r[1] * a[1] : -t / u0;
        }
        break;
    case DD_OP_psi:
        /* composition with psi's own Taylor coefficients psi^(m)(u0) / m! */
        dd__polygamma_coeffs(u0, K, w);
        dd__tay_compose(y, a, w, K);
        break;
    case DD_OP_expit:
    case DD_OP_log_expit: {
        /* e = expit(u): e' = e v u' with v = 1 - e = expit(-u), v0 from
         * exp(-|u0|) (no cancellation); the product g = e v built term by term */
        double ee = exp(-fabs(u0)), dd = 1.0 + ee;
        y[0] = u0 >= 0.0 ? 1.0 / dd : ee / dd;  /* expit(u0) */
        z[0] = u0 >= 0.0 ? ee / dd : 1.0 / dd;  /* expit(-u0) */
        w[0] = ee / (dd * dd);                  /* e v */
        for (k = 1; k <= K; k++) {
            dd__tay_integ(y, a, w, k, k);
            z[k] = -y[k];
            if (k < K) {
                double t = 0.0;
                for (j = 0; j <= k; j++) t += y[j] * z[k - j];
                w[k] = t;
            }
        }
        if (op == DD_OP_log_expit) {
            /* log_expit' = expit(-u) u' */
            dd__tay_integ(y, a, z, 1, K);
        }
        break;
    }
    case DD_OP_logit:
        /* y' = g u', g = 1 / w with w = u (1 - u) (the ODE of w^-1) */
        for (k = 0; k <= K; k++) z[k] = (k == 0) ? 1.0 - u0 : -a[k];
        dd__tay_cauchy(w, a, z, K);
        z[0] = r[1];
        dd__tay_pow_ode(z, w, -1.0, 1, K - 1);
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_erfcx:
        /* y' = g u', g = 2 u y - 2/sqrt(pi): g0 the rule's derivative, then
         * g_k = 2 (u y)_k, built as y grows */
        y[0] = r[0];
        z[0] = r[1];
        for (k = 1; k <= K; k++) {
            dd__tay_integ(y, a, z, k, k);
            if (k < K) {
                double t = 0.0;
                for (j = 0; j <= k; j++) t += a[j] * y[k - j];
                z[k] = 2.0 * t;
            }
        }
        break;
    case DD_OP_ndtr:
        /* y' = phi(u) u', phi(u) = phi(u0) exp(-(u^2 - u0^2)/2) */
        dd__tay_quad(w, a, 1.0, -1.0, 0.0, K);
        dd__tay_exp(z, w, r[1], 0.5, K - 1);
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_erfinv:
    case DD_OP_erfcinv:
    case DD_OP_ndtri: {
        /* y' = g u' with g = f'(u0) exp(c (y^2 - y0^2)) (c = 1 for erfinv and
         * erfcinv, 1/2 for ndtri): g' = c (y^2)' g, coupled with y term by term */
        double c = (op == DD_OP_ndtri) ? 0.5 : 1.0;
        y[0] = r[0];
        z[0] = r[1];
        w[0] = 0.0; /* y^2 - y0^2 */
        for (k = 1; k <= K; k++) {
            double t = 0.0;
            dd__tay_integ(y, a, z, k, k);
            if (k == K) break;
            for (j = 1; 2 * j < k; j++) t += y[j] * y[k - j];
            t *= 2.0;
            if (k % 2 == 0) t += y[k / 2] * y[k / 2];
            w[k] = t + 2.0 * (y[0] * y[k]);
            t = 0.0;
            for (j = 1; j <= k; j++) t += ((double)j * w[j]) * z[k - j];
            z[k] = c * (t / (double)k);
        }
        break;
    }
    case DD_OP_log_ndtr: {
        /* y' = g u' with g = phi(u)/Phi(u), g' = -g h u', h = u + g.
         * g0 and h0 come from the rule (h0 = -f''(u0)/f'(u0), which the rule
         * forms without the cancellation of u0 + g0 in the lower tail, and
         * g0 stays finite where phi and Phi underflow). */
        double p[DD_TAYLOR_MAX + 1], r2[3];
        dd_rule_log_ndtr(u0, 2, r2);
        y[0] = r[0];
        z[0] = r[1];
        w[0] = (r2[1] != 0.0 && isfinite(r2[1])) ? -r2[2] / r2[1] : u0 + r[1];
        p[0] = z[0] * w[0];
        for (k = 1; k <= K; k++) {
            double t = 0.0;
            dd__tay_integ(y, a, z, k, k);
            if (k == K) break;
            for (j = 1; j <= k; j++) t += ((double)j * a[j]) * p[k - j];
            z[k] = -t / (double)k;
            w[k] = a[k] + z[k];
            t = 0.0;
            for (j = 0; j <= k; j++) t += z[j] * w[k - j];
            p[k] = t;
        }
        break;
    }
    case DD_OP_entr:
        /* y' = -(1 + log u) u': g0 the rule's derivative, then -log(u)'s series */
        dd__tay_log(w, a, log(u0), 1.0 / u0, 1.0, K - 1);
        z[0] = r[1];
        for (k = 1; k < K; k++) z[k] = -w[k];
        dd__tay_integ(y, a, z, 1, K);
        break;
    case DD_OP_rgamma:
        if (u0 >= 0.5) {
            /* 1/gamma(u) = exp(-(lgamma(u) - lgamma(u0))) / gamma(u0) */
            dd__lgamma_coeffs(u0, w, K);
            dd__tay_compose(z, a, w, K);
            y[0] = r[0];
            for (k = 1; k <= K; k++) {
                double t = 0.0;
                for (j = 1; j <= k; j++) t -= ((double)j * z[j]) * y[k - j];
                y[k] = t / (double)k;
            }
        } else {
            /* the reflection gamma(1 - u) sin(pi u) / pi (as the rule), a
             * product of series that holds through the poles */
            double v[DD_TAYLOR_MAX + 1], S[DD_TAYLOR_MAX + 1], C[DD_TAYLOR_MAX + 1], sn, cs;
            dd__sincospi(u0, &sn, &cs);
            v[0] = 0.0;
            for (k = 1; k <= K; k++) v[k] = DD_PI * a[k];
            dd__tay_sincos(S, C, v, sn, cs, -1.0, K);
            v[0] = 1.0 - u0;
            for (k = 1; k <= K; k++) v[k] = -a[k];
            dd__lgamma_coeffs(v[0], w, K);
            dd__tay_compose(z, v, w, K); /* lgamma(1 - u) */
            dd__tay_exp(C, z, tgamma(v[0]), 1.0, K); /* gamma(1 - u) */
            dd__tay_cauchy(y, C, S, K);
            for (k = 0; k <= K; k++) y[k] /= DD_PI;
        }
        break;
    case DD_OP_j0: case DD_OP_j1: case DD_OP_y0: case DD_OP_y1:
    case DD_OP_i0: case DD_OP_i0e: case DD_OP_i1: case DD_OP_i1e: {
        double P[DD_TAYLOR_MAX + 1], Q[DD_TAYLOR_MAX + 1], p0[3], p1[3];
        int first = op == DD_OP_j0 || op == DD_OP_y0 || op == DD_OP_i0 || op == DD_OP_i0e;
        int isy = op == DD_OP_y0 || op == DD_OP_y1;
        int isi = op == DD_OP_i0 || op == DD_OP_i0e || op == DD_OP_i1 || op == DD_OP_i1e;
        int scaled = op == DD_OP_i0e || op == DD_OP_i1e;
        double s = scaled ? (signbit(u0) ? -1.0 : 1.0) : 0.0;
        if (u0 == 0.0 && isy) {
            y[0] = r[0];
            for (k = 1; k <= K; k++) y[k] = NAN;
            break;
        }
        if (!isy && fabs(u0) < 2.0) {
            /* J and I from their series at 0 (J0: sum_k (-1)^k (u/2)^2k / k!^2,
             * J1: sum_k (-1)^k (u/2)^(2k+1) / (k! (k+1)!), I without the signs),
             * shifted to u0 (a Taylor shift of its first K + 40 terms) and
             * composed with u: the differential equations' division by u is
             * unstable for small u0, where the singular solutions (Y, K) grow
             * like u0^-k. The scaled I times the series of exp(-s u). */
            double d[DD_TAYLOR_MAX + 41];
            double sgn = isi ? 1.0 : -1.0, c = first ? 1.0 : 0.5;
            size_t M = K + 40, i;
            for (k = 0; k <= M; k++) d[k] = 0.0;
            for (k = first ? 0 : 1; k <= M; k += 2) {
                double h = (double)(k / 2);
                if (k >= 2) c *= sgn / (4.0 * h * (first ? h : h + 1.0));
                d[k] = c;
            }
            if (u0 != 0.0)
                for (i = 0; i < M; i++)
                    for (k = M - 1; k + 1 > i; k--) d[k] += u0 * d[k + 1];
            dd__tay_compose(P, a, d, K);
            if (scaled) {
                dd__tay_exp(Q, a, exp(-s * u0), -s, K);
                dd__tay_cauchy(y, P, Q, K);
            } else {
                memcpy(y, P, (K + 1) * sizeof(double));
            }
            break;
        }
        if (isy) {
            dd_rule_y0(u0, 1, p0);
            dd_rule_y1(u0, 1, p1);
        } else if (!isi) {
            dd_rule_j0(u0, 1, p0);
            dd_rule_j1(u0, 1, p1);
        } else if (scaled) {
            dd_rule_i0e(u0, 1, p0);
            dd_rule_i1e(u0, 1, p1);
        } else {
            dd_rule_i0(u0, 1, p0);
            dd_rule_i1(u0, 1, p1);
        }
        dd__tay_bessel(P, Q, a, p0[0], p1[0], isi ? 1.0 : -1.0, s, K);
        memcpy(y, first ? P : Q, (K + 1) * sizeof(double));
        break;
    }
    case DD_OP_gammasgn:
        dd__tay_const(y, r[0], K);
        if (isnan(r[1]))
            for (k = 1; k <= K; k++) y[k] = NAN;
        break;
    default:
        return -2;
    }
    if (op >= DD_OP_psi) { /* the special functions: c0, c1 of the first-order rule */
        y[0] = r[0];
        y[1] = r[1] * a[1];
    }
    memcpy(out, y, (K + 1) * sizeof(double));
    return 0;
}

/* out = f(a, b) for the binary rule op (DD_OP2_name), arguments in the order
 * of dd_rule2_NAME:
 *   mul div add sub       the Cauchy product and quotient, sums
 *   pow                   b constant: a^b0 (dd__tay_powc: integer exponents by products,
 *                         exact at 0; x**0 is [1, 0, ...]); a constant: c^b (0^b is 0
 *                         for b0 > 0); else exp(b log a) seeded with pow(a0, b0), which
 *                         needs a0 > 0 (a0 = 0: c1 from the rule, then inf/NaN; a0 < 0: NaN)
 *   floordiv              [f, 0, ..., 0]
 *   fmod remainder mod    a - n b with the rule's integer quotient n frozen
 *   copysign              +-a, the sign of the rule's x-partial (b only picks it)
 *   maximum minimum fmax fmin   the whole series of the operand the rule picks (ties and
 *                         NaN as the rules: the first argument at a tie)
 *   atan2                 y' = (b a' - a b') / (a^2 + b^2), a and b scaled by a power of 2;
 *                         NaN at the origin
 *   hypot                 sqrt(a^2 + b^2) with a and b scaled by a power of 2 (no
 *                         overflow); at the origin NaN past c0 (|t| has no series)
 *   xlogy xlog1py         a L, L the series of log b (log1p b); a constant a = 0 gives
 *                         [0, ..., 0] for any b but NaN (the rule's convention), and a
 *                         varying a through 0 drops the terms a0 L_k (d/dy is 0 there)
 *   rel_entr              a (log a - log b), L0 the rule's log ratio; a constant a = 0
 *                         with b0 >= 0 gives [0, ..., 0]; at a0 = 0 otherwise: c1 from the
 *                         rule, then inf/NaN (a log a has no series); where the rule's
 *                         value is the +inf of the convention: NaN past c0
 *   betaln                L(a) + L(b) - L(a + b), L the lgamma series (composition, O(K^3));
 *                         at the poles of gamma: NaN past c1
 *   beta                  exp of the betaln series, seeded with the rule's value (which
 *                         carries the sign); NaN past c1 where beta or its logarithm has no
 *                         series from it (the poles, and where a + b is a pole: beta = 0)
 * c0 and c1 are the rule's value and fx a1 + fy b1. */
static inline int dd_taylor_binary(int op, double *out, const double *a, const double *b, size_t K)
{
    double y[DD_TAYLOR_MAX + 1], z[DD_TAYLOR_MAX + 1], w[DD_TAYLOR_MAX + 1], r[6];
    dd_binary_rule rule = dd_binary_rule_of(op);
    int ca, cb;
    size_t k;
    if (K > DD_TAYLOR_MAX) return -1;
    if (rule == NULL) return -2;
    ca = dd__tay_is_const(a, K);
    cb = dd__tay_is_const(b, K);
    if (op == DD_OP2_pow && cb && !ca)
        r[0] = 0.0; /* a^b0: dd__tay_powc takes its own rule (the full one would take
                     * log a0, an invalid operation for a0 < 0 that leaves a flag) */
    else
        rule(a[0], b[0], 1, r);
    if (ca && cb) {
        dd__tay_const(out, r[0], K);
        return 0;
    }
    switch (op) {
    case DD_OP2_mul:
        if (cb) {
            for (k = 0; k <= K; k++) y[k] = a[k] * b[0];
        } else if (ca) {
            for (k = 0; k <= K; k++) y[k] = a[0] * b[k];
        } else {
            dd__tay_cauchy(y, a, b, K);
        }
        break;
    case DD_OP2_div:
        dd__tay_div(y, a, b, K);
        break;
    case DD_OP2_pow:
        if (cb) {
            dd__tay_powc(y, a, b[0], K);
        } else if (ca) {
            dd__tay_cpow(y, a[0], b, K);
        } else {
            /* w = b log a, y = exp(w) */
            dd__tay_log(z, a, log(a[0]), 1.0 / a[0], 1.0, K);
            dd__tay_cauchy(w, b, z, K);
            y[0] = r[0];
            y[1] = r[1] * a[1] + r[2] * b[1];
            for (k = 2; k <= K; k++) {
                double t = 0.0;
                size_t j;
                for (j = 1; j <= k; j++) t += ((double)j * w[j]) * y[k - j];
                y[k] = t / (double)k;
            }
        }
        break;
    case DD_OP2_add:
    case DD_OP2_sub:
    case DD_OP2_fmod:
    case DD_OP2_remainder:
    case DD_OP2_mod:
        /* r[1] = 1 and r[2] = 1, -1 or minus the frozen quotient */
        for (k = 1; k <= K; k++)
            y[k] = (op == DD_OP2_add) ? a[k] + b[k] : (op == DD_OP2_sub) ? a[k] - b[k] : a[k] + r[2] * b[k];
        y[0] = r[0];
        break;
    case DD_OP2_floordiv:
        dd__tay_const(y, r[0], K);
        break;
    case DD_OP2_copysign:
        for (k = 1; k <= K; k++) y[k] = r[1] * a[k];
        y[0] = r[0];
        break;
    case DD_OP2_maximum:
    case DD_OP2_minimum:
    case DD_OP2_fmax:
    case DD_OP2_fmin:
        for (k = 1; k <= K; k++) y[k] = (r[1] != 0.0) ? a[k] : b[k];
        y[0] = r[0];
        break;
    case DD_OP2_atan2:
    case DD_OP2_hypot: {
        double sa[DD_TAYLOR_MAX + 1], sb[DD_TAYLOR_MAX + 1];
        double m = fmax(fabs(a[0]), fabs(b[0])), s = dd__tay_scale(m);
        size_t j;
        for (k = 0; k <= K; k++) {
            sa[k] = a[k] * s;
            sb[k] = b[k] * s;
        }
        /* w = sa^2 + sb^2 */
        dd__tay_square(w, sa, K);
        dd__tay_square(z, sb, K);
        for (k = 0; k <= K; k++) w[k] += z[k];
        if (op == DD_OP2_hypot) {
            /* sqrt of the scaled sum, then scaled back (c0 is hypot itself) */
            z[0] = r[0] * s;
            dd__tay_sqrt(z, w, 1, 0.5 / z[0], K);
            for (k = 1; k <= K; k++) y[k] = z[k] / s;
        } else {
            /* z = sb sa' - sa sb' (degree K - 1), then y' = z / w */
            for (k = 0; k < K; k++) {
                double t = 0.0;
                for (j = 0; j <= k; j++)
                    t += (double)(k - j + 1) * (sb[j] * sa[k - j + 1] - sa[j] * sb[k - j + 1]);
                z[k] = t;
            }
            dd__tay_div(sa, z, w, K - 1);
            for (k = 1; k <= K; k++) y[k] = sa[k - 1] / (double)k;
        }
        y[0] = r[0];
        if (K >= 1) y[1] = r[1] * a[1] + r[2] * b[1];
        break;
    }
    case DD_OP2_xlogy:
    case DD_OP2_xlog1py:
    case DD_OP2_rel_entr: {
        /* a L with L = log b, log1p b, or log a - log b (rel_entr; L0 from the
         * rule's log ratio). On the line a = 0 the function is identically 0
         * in b (a constant a = 0: all zeros, for xlogy and xlog1py at any b
         * but NaN, for rel_entr at b0 >= 0); a varying a through 0 drops the
         * a0 L_k terms (0 even where L has no series: the rule's d/dy = 0). */
        double b0 = b[0], a0 = a[0];
        size_t j;
        int zero_line = a0 == 0.0 && (op == DD_OP2_rel_entr ? b0 >= 0.0 : !isnan(b0));
        if (ca && zero_line) {
            dd__tay_const(y, r[0], K);
            break;
        }
        if (op == DD_OP2_xlog1py) dd__tay_log(w, b, log1p(b0), 1.0 / (1.0 + b0), 1.0, K);
        else dd__tay_log(w, b, log(b0), 1.0 / b0, 1.0, K);
        if (cb)
            for (k = 1; k <= K; k++) w[k] = 0.0;
        if (op == DD_OP2_rel_entr) {
            dd__tay_log(z, a, log(a0), 1.0 / a0, 1.0, K);
            for (k = 1; k <= K; k++) w[k] = z[k] - w[k];
            w[0] = (a0 > 0.0 && b0 > 0.0) ? dd__log_ratio(a0, b0) : log(a0) - log(b0);
        }
        for (k = 0; k <= K; k++) {
            double t = zero_line ? 0.0 : a0 * w[k];
            for (j = 1; j <= k; j++) t += a[j] * w[k - j];
            y[k] = t;
        }
        y[0] = r[0];
        if (K >= 1) y[1] = ca ? r[2] * b[1] : cb ? r[1] * a[1] : r[1] * a[1] + r[2] * b[1];
        break;
    }
    case DD_OP2_beta:
    case DD_OP2_betaln: {
        /* w = lgamma(a) + lgamma(b) - lgamma(a + b) as series (w0 unused) */
        double s[DD_TAYLOR_MAX + 1], d[DD_TAYLOR_MAX + 1];
        size_t j;
        for (k = 0; k <= K; k++) s[k] = a[k] + b[k];
        for (k = 0; k <= K; k++) w[k] = 0.0;
        if (!ca) {
            dd__lgamma_coeffs(a[0], d, K);
            dd__tay_compose(z, a, d, K);
            for (k = 1; k <= K; k++) w[k] += z[k];
        }
        if (!cb) {
            dd__lgamma_coeffs(b[0], d, K);
            dd__tay_compose(z, b, d, K);
            for (k = 1; k <= K; k++) w[k] += z[k];
        }
        dd__lgamma_coeffs(a[0] + b[0], d, K);
        dd__tay_compose(z, s, d, K);
        for (k = 1; k <= K; k++) w[k] -= z[k];
        y[0] = r[0];
        if (op == DD_OP2_betaln) {
            for (k = 1; k <= K; k++) y[k] = w[k];
        } else {
            for (k = 1; k <= K; k++) {
                double t = 0.0;
                for (j = 1; j <= k; j++) t += ((double)j * w[j]) * y[k - j];
                y[k] = t / (double)k;
            }
        }
        if (K >= 1) y[1] = ca ? r[2] * b[1] : cb ? r[1] * a[1] : r[1] * a[1] + r[2] * b[1];
        break;
    }
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
