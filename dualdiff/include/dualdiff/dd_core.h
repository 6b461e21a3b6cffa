/*
 * dualdiff/dd_core.h - dual numbers of run-time width, first and second order.
 *
 * Layout (frozen ABI; see dualdiff.h):
 *   first order, width n:   n + 1 doubles        [v, t_1, ..., t_n]
 *   second order, width n:  1 + n + n(n+1)/2      [v, g_1..g_n, H_11, H_12, ..., H_1n, H_22, ..., H_nn]
 *                           (the Hessian's upper triangle, row by row)
 *   pattern (order 0), width n: n + 1 doubles [v, s_1, ..., s_n] with s_k = 1
 *                           when the number depends on input k, else 0; the
 *                           value is computed as usual (for sparsity detection)
 * A number is just a pointer to that many doubles; the caller owns the memory.
 *
 * Aliasing: every function here may write its result over any of its inputs
 * (out == a or out == b, also with a == b; for dd_hypot_n, out may be any of
 * its arguments). Each reads the old values it needs before it overwrites
 * them, so the result has the same bits as out of place (where a result is
 * NaN, its sign, as for any two calls, may depend on how the compiler
 * arranged each call). The numbers must otherwise not overlap: out == a + 1
 * is not allowed.
 *
 * Width 0: every function accepts n = 0, a number that is its value alone
 * (dd_size(0, order) = 1), and then computes only the value.
 *
 * Zero tangents: a tangent component that is exactly 0 contributes exactly 0,
 * even through an infinite or NaN partial derivative (0 * inf is taken as 0
 * in the chain rule). So a direction that a function does not depend on never
 * picks up a NaN from a singular point elsewhere, e.g. the gradient of
 * sqrt(x) + y at (0, 1) is [inf, 1]. The check costs one branch per operation
 * and only runs element by element when the partial is not finite. The
 * product of two numbers of width 1 has no branch at all (its two terms are
 * masked instead), so a caller's loop of width-1 products vectorizes in this
 * mode too.
 *
 * IEEE mode: with DD_IEEE or'ed into the order (1 | DD_IEEE, 2 | DD_IEEE),
 * every function taking an order skips that check and multiplies partials and
 * tangents as plain IEEE doubles, so 0 * inf gives NaN as in most other AD
 * tools; the gradient of sqrt(x) + y at (0, 1) is then [inf, NaN]. Results
 * are identical wherever every partial is finite. The loops are then free of
 * branches, which lets compilers vectorize a caller's loop over numbers.
 * dd_scalar_mul and dd_div_scalar take no order: a plain constant times a
 * zero tangent stays 0 in both modes. The pattern order ignores the flag.
 */
#ifndef DUALDIFF_DD_CORE_H
#define DUALDIFF_DD_CORE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dd_rules.h"
#include "dd_taylor.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DD_PATTERN 0 /* the order of a pattern number */
#define DD_TAYLOR 3  /* the "order" of a Taylor number: n + 1 coefficients (see dd_taylor.h) */
#define DD_IEEE 4    /* flag or'ed into an order: IEEE tangent products (see above) */
#define DD_ORDER(order) ((order) & 3) /* the order without its flags: 0, 1, 2 or DD_TAYLOR */

/* Number of doubles in a dual of width n and order 0, 1, 2 or DD_TAYLOR (flags
 * allowed); a Taylor number of degree n has n + 1 coefficients. */
static inline size_t dd_size(size_t n, int order)
{
    return DD_ORDER(order) == 2 ? 1 + n + n * (n + 1) / 2 : 1 + n;
}

/* Before a loop whose out[k] aliases its inputs only at the same index k (the
 * aliasing allowed above): the compiler need not check for other overlaps. */
#if defined(__clang__)
#define DD__IVDEP _Pragma("clang loop vectorize(assume_safety)")
#elif defined(__GNUC__)
#define DD__IVDEP _Pragma("GCC ivdep")
#else
#define DD__IVDEP
#endif

/* ---------------------------------------------------------- the chain rule */

/* c * t, with 0 when t == 0 even for an infinite or NaN c (see above). The
 * zero keeps the sign c * t would have, so a direction's result never depends
 * on whether another direction took this path: it is copysign(0, c) * t.
 * Written without a branch (c's bits masked down to its sign when t == 0), so
 * that compilers vectorize a caller's loop over numbers in the default mode. */
static inline double dd__term(double c, double t)
{
    uint64_t bits, keep = t != 0.0 ? ~(uint64_t)0 : (uint64_t)1 << 63;
    memcpy(&bits, &c, sizeof bits);
    bits &= keep;
    memcpy(&c, &bits, sizeof c);
    return c * t;
}

/* s * t, with 0 when either is 0: the product of two gradient components in
 * the Hessian's chain rule, so that a direction a number does not depend on
 * (component exactly 0) stays 0 beside an infinite component. */
static inline double dd__prod(double s, double t)
{
    return (s == 0.0 || t == 0.0) ? copysign(0.0, s) * copysign(0.0, t) : s * t;
}

/* 1 when all n gradient components are finite (the fast paths need it). */
static inline int dd__finite_n(const double *g, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(g[i])) return 0;
    return 1;
}

/* out = f(a) given r = {f, f', f''} at a's value (order 1 uses r[0..1]). */
static inline void dd_chain_unary(double *out, const double *a, size_t n, int order, const double *r)
{
    size_t i, j, k, m = dd_size(n, order);
    double d1 = r[1];
    int ieee = order & DD_IEEE;
    order = DD_ORDER(order);
    if (order == DD_PATTERN) { /* r[1] is 1 where f can depend on its argument */
        for (i = 1; i < m; i++) out[i] = (d1 != 0.0 && a[i] != 0.0) ? 1.0 : 0.0;
        out[0] = r[0];
        return;
    }
    if (order == DD_TAYLOR) { /* f, f', f'' give two coefficients: the rest NaN (use dd_unary) */
        double c1 = ieee ? d1 * a[1] : dd__term(d1, a[1]);
        for (i = 2; i < m; i++) out[i] = NAN;
        if (m > 1) out[1] = c1;
        out[0] = r[0];
        return;
    }
    if (order == 1 && n == 1) { /* the commonest, a derivative: no loop */
        out[1] = (ieee || isfinite(d1)) ? d1 * a[1] : dd__term(d1, a[1]);
        out[0] = r[0];
        return;
    }
    if (order == 2) {
        /* H = f' H_a + f'' g g^T, written before g is overwritten */
        const double *g = a + 1;
        double d2 = r[2];
        if (ieee || (isfinite(d1) && isfinite(d2) && dd__finite_n(g, n))) {
            for (i = 0, k = n + 1; i < n; i++)
                for (j = i; j < n; j++, k++) out[k] = d1 * a[k] + d2 * (g[i] * g[j]); /* as below */
        } else {
            for (i = 0, k = n + 1; i < n; i++)
                for (j = i; j < n; j++, k++)
                    out[k] = dd__term(d1, a[k]) + dd__term(d2, dd__prod(g[i], g[j]));
        }
        m = n + 1;
    }
    if (ieee || isfinite(d1)) {
        DD__IVDEP
        for (i = 1; i < m; i++) out[i] = d1 * a[i];
    } else {
        for (i = 1; i < m; i++) out[i] = dd__term(d1, a[i]);
    }
    out[0] = r[0];
}

/* out = f(a, b) given r = {f, fx, fy, fxx, fxy, fyy} at the values. */
static inline void dd_chain_binary(double *out, const double *a, const double *b, size_t n, int order,
                                   const double *r)
{
    size_t i, j, k, m = dd_size(n, order);
    double fx = r[1], fy = r[2];
    int ieee = order & DD_IEEE;
    order = DD_ORDER(order);
    if (order == DD_PATTERN) {
        for (i = 1; i < m; i++) out[i] = ((fx != 0.0 && a[i] != 0.0) || (fy != 0.0 && b[i] != 0.0)) ? 1.0 : 0.0;
        out[0] = r[0];
        return;
    }
    if (order == DD_TAYLOR) { /* as in dd_chain_unary: use dd_binary for every coefficient */
        double c1 = ieee ? fx * a[1] + fy * b[1] : dd__term(fx, a[1]) + dd__term(fy, b[1]);
        for (i = 2; i < m; i++) out[i] = NAN;
        if (m > 1) out[1] = c1;
        out[0] = r[0];
        return;
    }
    if (order == 2) {
        /* H = fx Ha + fy Hb + fxx ga ga^T + fxy (ga gb^T + gb ga^T) + fyy gb gb^T */
        const double *ga = a + 1, *gb = b + 1;
        double fxx = r[3], fxy = r[4], fyy = r[5];
        int finite = ieee || (isfinite(fx) && isfinite(fy) && isfinite(fxx) && isfinite(fxy) && isfinite(fyy)
                     && dd__finite_n(ga, n) && dd__finite_n(gb, n));
        if (finite) { /* two loops, so that the common one has no branch */
            for (i = 0, k = n + 1; i < n; i++) {
                for (j = i; j < n; j++, k++) {
                    double cross = ga[i] * gb[j] + gb[i] * ga[j];
                    out[k] = fx * a[k] + fy * b[k] + fxx * (ga[i] * ga[j]) + fxy * cross + fyy * (gb[i] * gb[j]);
                }
            }
        } else {
            for (i = 0, k = n + 1; i < n; i++) {
                for (j = i; j < n; j++, k++) {
                    double cross = dd__prod(ga[i], gb[j]) + dd__prod(gb[i], ga[j]);
                    out[k] = dd__term(fx, a[k]) + dd__term(fy, b[k]) + dd__term(fxx, dd__prod(ga[i], ga[j]))
                             + dd__term(fxy, cross) + dd__term(fyy, dd__prod(gb[i], gb[j]));
                }
            }
        }
        m = n + 1;
    }
    if (ieee || (isfinite(fx) && isfinite(fy))) {
        DD__IVDEP
        for (i = 1; i < m; i++) out[i] = fx * a[i] + fy * b[i];
    } else {
        for (i = 1; i < m; i++) out[i] = dd__term(fx, a[i]) + dd__term(fy, b[i]);
    }
    out[0] = r[0];
}

/* out = f(a, c) for a constant second argument: r[1], r[3] are the x-partials. */
static inline void dd_chain_binary_x(double *out, const double *a, size_t n, int order, const double *r)
{
    double u[3];
    u[0] = r[0];
    u[1] = r[1];
    u[2] = DD_ORDER(order) == 2 ? r[3] : 0.0;
    dd_chain_unary(out, a, n, order, u);
}

/* out = f(c, b) for a constant first argument: r[2], r[5] are the y-partials. */
static inline void dd_chain_binary_y(double *out, const double *b, size_t n, int order, const double *r)
{
    double u[3];
    u[0] = r[0];
    u[1] = r[2];
    u[2] = DD_ORDER(order) == 2 ? r[5] : 0.0;
    dd_chain_unary(out, b, n, order, u);
}

/* A Taylor rule that could not run (a degree above DD_TAYLOR_MAX, which the
 * callers refuse beforehand): every coefficient NaN rather than stale memory. */
static inline void dd__taylor_failed(double *out, size_t n)
{
    size_t i;
    for (i = 0; i <= n; i++) out[i] = NAN;
}

/* Apply a rule by op code. These are what the Python binding and the array
 * kernels call; the rule tables live in dd_rules.h. */
static inline void dd_unary(int op, double *out, const double *a, size_t n, int order)
{
    double r[3];
    int o = DD_ORDER(order);
    if (o == DD_TAYLOR) {
        if (dd_taylor_unary(op, out, a, n) != 0) dd__taylor_failed(out, n);
        return;
    }
    dd_unary_rule_of(op)(a[0], o > 0 ? o : 1, r);
    if (o == DD_PATTERN) r[1] = dd_unary_depends(op);
    dd_chain_unary(out, a, n, order, r);
}

/* In the pattern order the partials are replaced by the rule's structure. */
static inline void dd__binary_rule(int op, double x, double y, int order, double *r)
{
    order = DD_ORDER(order);
    dd_binary_rule_of(op)(x, y, order > 0 ? order : 1, r);
    if (order == DD_PATTERN) {
        int dx, dy;
        dd_binary_depends(op, &dx, &dy);
        r[1] = dx;
        r[2] = dy;
    }
}

static inline void dd_binary(int op, double *out, const double *a, const double *b, size_t n, int order)
{
    double r[6];
    if (DD_ORDER(order) == DD_TAYLOR) {
        if (dd_taylor_binary(op, out, a, b, n) != 0) dd__taylor_failed(out, n);
        return;
    }
    dd__binary_rule(op, a[0], b[0], order, r);
    dd_chain_binary(out, a, b, n, order, r);
}

/* f(a, c) and f(c, b) with a plain double c on one side. */
/* The constant as a Taylor number of degree n (for the Taylor paths below). */
#define DD__TAYLOR_CONSTANT(name, c, n) \
    double name[DD_TAYLOR_MAX + 1]; \
    memset(name, 0, ((n) + 1) * sizeof(double)); \
    name[0] = (c)

static inline void dd_binary_x(int op, double *out, const double *a, double c, size_t n, int order)
{
    double r[6];
    if (DD_ORDER(order) == DD_TAYLOR) {
        DD__TAYLOR_CONSTANT(k, c, n);
        if (dd_taylor_binary(op, out, a, k, n) != 0) dd__taylor_failed(out, n);
        return;
    }
    dd__binary_rule(op, a[0], c, order, r);
    if (DD_ORDER(order) == DD_PATTERN && (op == DD_OP2_mul || op == DD_OP2_pow) && c == 0.0) r[1] = 0.0; /* a*0, a**0 */
    dd_chain_binary_x(out, a, n, order, r);
}

static inline void dd_binary_y(int op, double *out, double c, const double *b, size_t n, int order)
{
    double r[6];
    if (DD_ORDER(order) == DD_TAYLOR) {
        DD__TAYLOR_CONSTANT(k, c, n);
        if (dd_taylor_binary(op, out, k, b, n) != 0) dd__taylor_failed(out, n);
        return;
    }
    dd__binary_rule(op, c, b[0], order, r);
    if (DD_ORDER(order) == DD_PATTERN && ((op == DD_OP2_mul && c == 0.0) || (op == DD_OP2_pow && (c == 0.0 || c == 1.0))))
        r[2] = 0.0; /* 0*b, 0**b, 1**b */
    dd_chain_binary_y(out, b, n, order, r);
}

/* ----------------------------------------------------- linear operations */
/* Linear in the operands, so the same code serves both orders: it acts on
 * all m = dd_size(n, order) doubles. Not for the pattern order, where a
 * difference must not cancel: use dd_binary with DD_OP2_add / DD_OP2_sub. */

static inline void dd_copy(double *out, const double *a, size_t m)
{
    if (out != a) memmove(out, a, m * sizeof(double));
}

static inline void dd_add(double *out, const double *a, const double *b, size_t m)
{
    size_t i;
    DD__IVDEP
    for (i = 0; i < m; i++) out[i] = a[i] + b[i];
}

static inline void dd_sub(double *out, const double *a, const double *b, size_t m)
{
    size_t i;
    DD__IVDEP
    for (i = 0; i < m; i++) out[i] = a[i] - b[i];
}

static inline void dd_neg(double *out, const double *a, size_t m)
{
    size_t i;
    DD__IVDEP
    for (i = 0; i < m; i++) out[i] = -a[i];
}

/* a + c, c - a (the constant only touches the value) */
static inline void dd_add_scalar(double *out, const double *a, double c, size_t m)
{
    dd_copy(out + 1, a + 1, m - 1);
    out[0] = a[0] + c;
}

static inline void dd_scalar_sub(double *out, double c, const double *a, size_t m)
{
    size_t i;
    DD__IVDEP
    for (i = 1; i < m; i++) out[i] = -a[i];
    out[0] = c - a[0];
}

static inline void dd_sub_scalar(double *out, const double *a, double c, size_t m)
{
    dd_add_scalar(out, a, -c, m); /* IEEE defines a - c as a + (-c) */
}

/* c * a: an infinite or NaN c times a zero tangent gives 0 (see above) */
static inline void dd_scalar_mul(double *out, double c, const double *a, size_t m)
{
    size_t i;
    out[0] = c * a[0];
    if (isfinite(c)) {
        DD__IVDEP
        for (i = 1; i < m; i++) out[i] = c * a[i];
    } else {
        for (i = 1; i < m; i++) out[i] = dd__term(c, a[i]);
    }
}

/* a / c */
static inline void dd_div_scalar(double *out, const double *a, double c, size_t m)
{
    size_t i;
    out[0] = a[0] / c;
    if (c != 0.0 && isfinite(c)) {
        DD__IVDEP
        for (i = 1; i < m; i++) out[i] = a[i] / c;
    } else {
        for (i = 1; i < m; i++) out[i] = a[i] == 0.0 ? 0.0 : a[i] / c;
    }
}

/* ------------------------------------------------------ multiplication */

static inline void dd_mul(double *out, const double *a, const double *b, size_t n, int order)
{
    size_t i, j;
    double av = a[0], bv = b[0];
    if (DD_ORDER(order) == 1) {
        if (n == 1) { /* the masked terms always run: no branch on the values */
            double t = (order & DD_IEEE) ? bv * a[1] + av * b[1] : dd__term(bv, a[1]) + dd__term(av, b[1]);
            out[1] = t;
        } else if ((order & DD_IEEE) || (isfinite(av) && isfinite(bv))) {
            DD__IVDEP
            for (i = 1; i <= n; i++) out[i] = bv * a[i] + av * b[i];
        } else {
            for (i = 1; i <= n; i++) out[i] = dd__term(bv, a[i]) + dd__term(av, b[i]);
        }
        out[0] = av * bv;
    } else if (DD_ORDER(order) == 2) {
        /* the product rule's terms alone: H = b Ha + a Hb + ga gb^T + gb ga^T,
         * written before g (the general chain rule with the partials b, a, 0,
         * 1, 0 gives the same numbers, up to the sign of a zero, except where
         * a gradient product overflows: there its zero partials times inf
         * would give NaN) */
        const double *ga = a + 1, *gb = b + 1, *ha = a + n + 1, *hb = b + n + 1;
        double *ho = out + n + 1;
        size_t len;
        if ((order & DD_IEEE) || (isfinite(av) && isfinite(bv) && dd__finite_n(ga, n) && dd__finite_n(gb, n))) {
            /* row i of the upper triangle: columns i..n-1 */
            for (i = 0; i < n; i++, ho += len, ha += len, hb += len) {
                double gai = ga[i], gbi = gb[i];
                const double *gaj = ga + i, *gbj = gb + i;
                len = n - i;
                DD__IVDEP
                for (j = 0; j < len; j++) ho[j] = bv * ha[j] + av * hb[j] + (gai * gbj[j] + gbi * gaj[j]);
            }
            DD__IVDEP
            for (i = 1; i <= n; i++) out[i] = bv * a[i] + av * b[i];
        } else { /* the same, a zero tangent contributing 0 (see above) */
            for (i = 0; i < n; i++, ho += len, ha += len, hb += len) {
                double gai = ga[i], gbi = gb[i];
                const double *gaj = ga + i, *gbj = gb + i;
                len = n - i;
                for (j = 0; j < len; j++)
                    ho[j] = dd__term(bv, ha[j]) + dd__term(av, hb[j]) + (dd__prod(gai, gbj[j]) + dd__prod(gbi, gaj[j]));
            }
            for (i = 1; i <= n; i++) out[i] = dd__term(bv, a[i]) + dd__term(av, b[i]);
        }
        out[0] = av * bv;
    } else {
        dd_binary(DD_OP2_mul, out, a, b, n, order);
    }
}

/* a / b. The first-order tangent is (ta - q tb) / b with q = a/b, so x/x has
 * derivative exactly 0. */
static inline void dd_div(double *out, const double *a, const double *b, size_t n, int order)
{
    if (DD_ORDER(order) == 1) {
        size_t i;
        double bv = b[0], q = a[0] / bv;
        if ((order & DD_IEEE) || (isfinite(q) && bv != 0.0 && isfinite(bv))) {
            DD__IVDEP
            for (i = 1; i <= n; i++) out[i] = (a[i] - q * b[i]) / bv;
        } else {
            for (i = 1; i <= n; i++) out[i] = dd__term(1.0 / bv, a[i]) + dd__term(-q / bv, b[i]);
        }
        out[0] = q;
    } else {
        dd_binary(DD_OP2_div, out, a, b, n, order);
    }
}

/* c / b */
static inline void dd_scalar_div(double *out, double c, const double *b, size_t n, int order)
{
    dd_binary_y(DD_OP2_div, out, c, b, n, order);
}

/* ---------------------------------------------------------------- powers */

/* a ** c for a double exponent */
static inline void dd_pow_scalar(double *out, const double *a, double c, size_t n, int order)
{
    double r[3];
    int o = DD_ORDER(order);
    if (o == DD_TAYLOR) {
        dd_binary_x(DD_OP2_pow, out, a, c, n, order);
        return;
    }
    dd_rule_pow_const(a[0], c, o > 0 ? o : 1, r);
    if (o == DD_PATTERN) r[1] = (c != 0.0);
    dd_chain_unary(out, a, n, order, r);
}

/* c ** b for a double base */
static inline void dd_scalar_pow(double *out, double c, const double *b, size_t n, int order)
{
    double r[3];
    int o = DD_ORDER(order);
    if (o == DD_TAYLOR) {
        dd_binary_y(DD_OP2_pow, out, c, b, n, order);
        return;
    }
    dd_rule_const_pow(c, b[0], o > 0 ? o : 1, r);
    if (o == DD_PATTERN) r[1] = (c != 0.0 && c != 1.0);
    dd_chain_unary(out, b, n, order, r);
}

/* a ** b */
static inline void dd_pow(double *out, const double *a, const double *b, size_t n, int order)
{
    dd_binary(DD_OP2_pow, out, a, b, n, order);
}

/* ------------------------------------------------------- n-ary hypot */

/* dd_hypot_n computes this many doubles of its result at a time, aside. */
#define DD__HYPOT_LOCAL 64

/* dst[j] = sum over k of u_k args[k][start + j] for j < w, u_k = args[k][0] / h:
 * components of hypot's gradient, or the first part of Hessian entries */
static inline void dd__hypot_sum(double *dst, const double *const *args, size_t count, double h, size_t start,
                                 size_t w, int ieee)
{
    size_t j, k;
    for (j = 0; j < w; j++) dst[j] = 0.0;
    for (k = 0; k < count; k++) {
        const double *a = args[k] + start;
        double u = args[k][0] / h; /* not args[k][0] * (1/h): 1/h overflows when h is subnormal */
        if (ieee) {
            for (j = 0; j < w; j++) dst[j] += u * a[j];
        } else {
            for (j = 0; j < w; j++) dst[j] += dd__term(u, a[j]);
        }
    }
}

/* Hessian entry (i, j) of hypot given its first part hq and the gradient
 * components gi, gj: hq + (sum_k g_k,i g_k,j - gi gj) / h */
static inline double dd__hypot_hessian(const double *const *args, size_t count, double ih, size_t i, size_t j,
                                       double hq, double gi, double gj, int ieee)
{
    size_t k;
    double c = -gi * gj;
    for (k = 0; k < count; k++) c += args[k][1 + i] * args[k][1 + j];
    return hq + (ieee ? ih * c : dd__term(ih, c));
}

/* out = hypot(args[0], ..., args[count-1]) = sqrt(sum of squares), scaled by
 * the largest magnitude so it neither overflows nor underflows.
 * Partials u_k = x_k / h; second order adds (I - u u^T) / h.
 * At the origin the partials are NaN (no derivative there).
 * out may be any of the arguments (several may be the same number): the
 * result is computed aside, a block of DD__HYPOT_LOCAL doubles at a time,
 * the Hessian before the gradient (which the Hessian reads) and the value
 * last, so no argument is read after its place in out was written. */
static inline void dd_hypot_n(double *out, const double *const *args, size_t count, size_t n, int order)
{
    size_t i, j, k, t, lo, w, m = dd_size(n, order);
    double big = 0.0, s = 0.0, h, ih, d[DD__HYPOT_LOCAL], g[DD__HYPOT_LOCAL];
    int ieee = order & DD_IEEE, keep = n <= DD__HYPOT_LOCAL;
    order = DD_ORDER(order);
    if (order == DD_TAYLOR) {
        /* hypot(a, b, c) = hypot(hypot(a, b), c), series by series, aside in d */
        double z[DD_TAYLOR_MAX + 1], acc[DD_TAYLOR_MAX + 1];
        if (n > DD_TAYLOR_MAX) {
            dd__taylor_failed(out, n);
            return;
        }
        memset(z, 0, m * sizeof(double));
        memcpy(acc, count > 0 ? args[0] : z, m * sizeof(double));
        if (count < 2) dd_taylor_binary(DD_OP2_hypot, acc, acc, z, n);
        for (k = 1; k < count; k++) dd_taylor_binary(DD_OP2_hypot, acc, acc, args[k], n);
        memcpy(out, acc, m * sizeof(double));
        return;
    }
    for (k = 0; k < count; k++) {
        double v = fabs(args[k][0]);
        if (v > big || isnan(v)) big = v;
    }
    if (isinf(big)) {
        h = INFINITY;
    } else if (big == 0.0 || isnan(big)) {
        h = big;
    } else {
        for (k = 0; k < count; k++) {
            double v = args[k][0] / big;
            s += v * v;
        }
        h = big * sqrt(s);
    }
    ih = 1.0 / h;
    if (order == DD_PATTERN) {
        for (i = 1; i < m; i++) {
            double p = 0.0;
            for (k = 0; k < count; k++)
                if (args[k][i] != 0.0) p = 1.0;
            out[i] = p;
        }
        out[0] = h;
        return;
    }
    if (order == 2) {
        /* H = sum_k u_k H_k + (sum_k g_k g_k^T - g g^T) / h with g = sum_k u_k g_k;
         * g is kept aside up to width DD__HYPOT_LOCAL, else recomputed for each entry */
        if (keep) dd__hypot_sum(g, args, count, h, 1, n, ieee);
        for (lo = n + 1, i = j = 0; lo < m; lo += w) {
            w = m - lo < DD__HYPOT_LOCAL ? m - lo : DD__HYPOT_LOCAL;
            dd__hypot_sum(d, args, count, h, lo, w, ieee);
            for (t = 0; t < w; j = ++i) { /* entries (i, j), (i, j + 1), ... of row i */
                double gi, gj;
                if (keep) {
                    for (gi = g[i]; j < n && t < w; j++, t++)
                        d[t] = dd__hypot_hessian(args, count, ih, i, j, d[t], gi, g[j], ieee);
                } else {
                    for (dd__hypot_sum(&gi, args, count, h, 1 + i, 1, ieee); j < n && t < w; j++, t++) {
                        dd__hypot_sum(&gj, args, count, h, 1 + j, 1, ieee);
                        d[t] = dd__hypot_hessian(args, count, ih, i, j, d[t], gi, gj, ieee);
                    }
                }
                if (j < n) break; /* the row goes on in the next block */
            }
            memcpy(out + lo, d, w * sizeof(double));
        }
    }
    if (order == 2 && keep) {
        memcpy(out + 1, g, n * sizeof(double));
    } else {
        for (lo = 1; lo <= n; lo += w) {
            w = n + 1 - lo < DD__HYPOT_LOCAL ? n + 1 - lo : DD__HYPOT_LOCAL;
            dd__hypot_sum(d, args, count, h, lo, w, ieee);
            memcpy(out + lo, d, w * sizeof(double));
        }
    }
    out[0] = h;
}

/* ------------------------------------------------------ seeds and queries */

/* Set out to the constant v (all derivatives 0). */
static inline void dd_set_constant(double *out, double v, size_t n, int order)
{
    memset(out, 0, dd_size(n, order) * sizeof(double));
    out[0] = v;
}

/* Set out to the variable v along direction k (0-based): tangent e_k, and a
 * zero Hessian at the second order. For k >= n (no such direction) out is the
 * constant v, as from dd_set_constant: a chunked seeding loop can pass every
 * input its index minus the chunk's first direction (as a size_t, so that
 * inputs before the chunk wrap around to huge k) and get constants for all
 * inputs outside the chunk. Check k < n first if a constant would be a bug. */
static inline void dd_set_variable(double *out, double v, size_t k, size_t n, int order)
{
    dd_set_constant(out, v, n, order);
    if (k < n) out[1 + k] = 1.0;
}

/* Index of H_ij (any order of i, j) in a second-order number. */
static inline size_t dd_hessian_index(size_t i, size_t j, size_t n)
{
    if (i > j) { size_t t = i; i = j; j = t; }
    /* row i of the upper triangle starts after n + (n-1) + ... + (n-i+1) entries */
    return 1 + n + i * n - i * (i - 1) / 2 + (j - i);
}

/* 1 when the value and every derivative are finite, else 0. */
static inline int dd_isfinite(const double *a, size_t n, int order)
{
    size_t i, m = dd_size(n, order);
    for (i = 0; i < m; i++)
        if (!isfinite(a[i])) return 0;
    return 1;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_CORE_H */
