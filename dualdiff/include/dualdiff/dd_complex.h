/*
 * dualdiff/dd_complex.h - the rules of the table at complex arguments.
 *
 * The holomorphic functions of the table (dd_rules.h) keep their derivative
 * formulas on the complex plane: f'(z) and f''(z) are the real formulas read
 * with complex z. This header evaluates them in C99 double complex for the
 * subset of the table that NumPy defines on complex numbers, under the same
 * op codes (DD_OP_name, DD_OP2_name):
 *
 * Unary rule:   void dd_crule_NAME(double complex z, int order, double complex r[3])
 *               r[0] = f(z), r[1] = f'(z), r[2] = f''(z) (r[2] only when order >= 2)
 * Binary rule:  void dd_crule2_NAME(double complex z, double complex w, int order,
 *               double complex r[6]), r as for dd_rule2_NAME in dd_rules.h.
 *
 * The functions that are not holomorphic (abs, angle, conj, real, imag) have
 * no complex derivative; the Python layer writes their derivatives along real
 * directions, where they exist (dualdiff/_complex.py).
 *
 * Branch cuts: each value is the C library's principal branch, and each
 * derivative is written in terms of that value (sqrt: 1/(2 sqrt z)), so the
 * derivative is the one of the side of the cut the value was taken from.
 *
 * Plain C99, no Python. Every function is static inline.
 */
#ifndef DUALDIFF_DD_COMPLEX_H
#define DUALDIFF_DD_COMPLEX_H

#include <complex.h>
#include <stddef.h>

#include "dd_rules.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(name) for every unary rule of the table that is holomorphic where NumPy
 * defines it on complex numbers (a subset of DD_UNARY_RULES, in its order). */
#define DD_COMPLEX_UNARY_RULES(X) \
    X(sqrt) X(exp) X(exp2) X(expm1) X(log) X(log2) X(log10) X(log1p) \
    X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) \
    X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) X(atanh) \
    X(square) X(reciprocal)

/* The binary rules with complex arguments (a subset of DD_BINARY_RULES). */
#define DD_COMPLEX_BINARY_RULES(X) X(mul) X(div) X(pow) X(add) X(sub)

typedef void (*dd_complex_unary_rule)(double complex z, int order, double complex *r);
typedef void (*dd_complex_binary_rule)(double complex z, double complex w, int order,
                                       double complex *r);

/* ---------------------------------------------------------- unary rules */

static inline void dd_crule_sqrt(double complex z, int order, double complex *r)
{
    double complex s = csqrt(z);
    r[0] = s;
    r[1] = 0.5 / s; /* infinite at 0, as for real sqrt */
    if (order > 1) r[2] = -0.25 / (s * z);
}

static inline void dd_crule_exp(double complex z, int order, double complex *r)
{
    double complex e = cexp(z);
    r[0] = r[1] = e;
    if (order > 1) r[2] = e;
}

static inline void dd_crule_exp2(double complex z, int order, double complex *r)
{
    double complex e = cexp(z * DD_LN2);
    r[0] = e;
    r[1] = DD_LN2 * e;
    if (order > 1) r[2] = DD_LN2 * DD_LN2 * e;
}

static inline void dd_crule_expm1(double complex z, int order, double complex *r)
{
    double complex e = cexp(z);
    /* the value is only a fallback: the Python layer takes NumPy's expm1 */
    r[0] = e - 1.0;
    r[1] = e;
    if (order > 1) r[2] = e;
}

static inline void dd_crule_log(double complex z, int order, double complex *r)
{
    r[0] = clog(z);
    r[1] = 1.0 / z; /* infinite at 0 */
    if (order > 1) r[2] = -1.0 / (z * z);
}

static inline void dd_crule_log2(double complex z, int order, double complex *r)
{
    r[0] = clog(z) / DD_LN2;
    r[1] = 1.0 / (z * DD_LN2);
    if (order > 1) r[2] = -1.0 / (z * z * DD_LN2);
}

static inline void dd_crule_log10(double complex z, int order, double complex *r)
{
    r[0] = clog(z) / DD_LN10;
    r[1] = 1.0 / (z * DD_LN10);
    if (order > 1) r[2] = -1.0 / (z * z * DD_LN10);
}

static inline void dd_crule_log1p(double complex z, int order, double complex *r)
{
    double complex u = 1.0 + z;
    r[0] = clog(u); /* a fallback: the Python layer takes NumPy's log1p */
    r[1] = 1.0 / u;
    if (order > 1) r[2] = -1.0 / (u * u);
}

static inline void dd_crule_sin(double complex z, int order, double complex *r)
{
    double complex s = csin(z);
    r[0] = s;
    r[1] = ccos(z);
    if (order > 1) r[2] = -s;
}

static inline void dd_crule_cos(double complex z, int order, double complex *r)
{
    double complex c = ccos(z);
    r[0] = c;
    r[1] = -csin(z);
    if (order > 1) r[2] = -c;
}

static inline void dd_crule_tan(double complex z, int order, double complex *r)
{
    double complex t = ctan(z), d = 1.0 + t * t;
    r[0] = t;
    r[1] = d;
    if (order > 1) r[2] = 2.0 * t * d;
}

/* 1/sqrt(1 - z^2) as 1/(sqrt(1 - z) sqrt(1 + z)): no cancellation near +-1,
 * and the product of the two principal roots is analytic off the cuts of
 * asin (real |z| > 1), where NumPy's casin is. */
static inline double complex dd__casin_d(double complex z)
{
    return 1.0 / (csqrt(1.0 - z) * csqrt(1.0 + z));
}

static inline void dd_crule_asin(double complex z, int order, double complex *r)
{
    double complex d = dd__casin_d(z);
    r[0] = casin(z);
    r[1] = d;
    if (order > 1) r[2] = z * d * d * d;
}

static inline void dd_crule_acos(double complex z, int order, double complex *r)
{
    double complex d = dd__casin_d(z);
    r[0] = cacos(z);
    r[1] = -d;
    if (order > 1) r[2] = -z * d * d * d;
}

static inline void dd_crule_atan(double complex z, int order, double complex *r)
{
    double complex d = 1.0 / (1.0 + z * z); /* poles at +-i, the ends of the cuts */
    r[0] = catan(z);
    r[1] = d;
    if (order > 1) r[2] = -2.0 * z * d * d;
}

static inline void dd_crule_sinh(double complex z, int order, double complex *r)
{
    double complex s = csinh(z);
    r[0] = s;
    r[1] = ccosh(z);
    if (order > 1) r[2] = s;
}

static inline void dd_crule_cosh(double complex z, int order, double complex *r)
{
    double complex c = ccosh(z);
    r[0] = c;
    r[1] = csinh(z);
    if (order > 1) r[2] = c;
}

static inline void dd_crule_tanh(double complex z, int order, double complex *r)
{
    double complex t = ctanh(z), d = 1.0 - t * t;
    r[0] = t;
    r[1] = d;
    if (order > 1) r[2] = -2.0 * t * d;
}

/* 1/sqrt(1 + z^2) as 1/(sqrt(1 + i z) sqrt(1 - i z)), analytic off asinh's cuts */
static inline void dd_crule_asinh(double complex z, int order, double complex *r)
{
    double complex d = 1.0 / (csqrt(1.0 + I * z) * csqrt(1.0 - I * z));
    r[0] = casinh(z);
    r[1] = d;
    if (order > 1) r[2] = -z * d * d * d;
}

/* 1/(sqrt(z - 1) sqrt(z + 1)), analytic off acosh's cut (real z < 1) */
static inline void dd_crule_acosh(double complex z, int order, double complex *r)
{
    double complex d = 1.0 / (csqrt(z - 1.0) * csqrt(z + 1.0));
    r[0] = cacosh(z);
    r[1] = d;
    if (order > 1) r[2] = -z * d * d * d;
}

static inline void dd_crule_atanh(double complex z, int order, double complex *r)
{
    double complex d = 1.0 / ((1.0 - z) * (1.0 + z)); /* poles at +-1, the ends of the cuts */
    r[0] = catanh(z);
    r[1] = d;
    if (order > 1) r[2] = 2.0 * z * d * d;
}

static inline void dd_crule_square(double complex z, int order, double complex *r)
{
    r[0] = z * z;
    r[1] = 2.0 * z;
    if (order > 1) r[2] = 2.0;
}

static inline void dd_crule_reciprocal(double complex z, int order, double complex *r)
{
    double complex q = 1.0 / z;
    r[0] = q;
    r[1] = -q * q;
    if (order > 1) r[2] = 2.0 * q * q * q;
}

/* --------------------------------------------------------- binary rules */

static inline void dd_crule2_mul(double complex z, double complex w, int order, double complex *r)
{
    r[0] = z * w;
    r[1] = w;
    r[2] = z;
    if (order > 1) {
        r[3] = 0.0;
        r[4] = 1.0;
        r[5] = 0.0;
    }
}

static inline void dd_crule2_div(double complex z, double complex w, int order, double complex *r)
{
    double complex q = 1.0 / w, f = z * q;
    r[0] = z / w;
    r[1] = q;
    r[2] = -f * q;
    if (order > 1) {
        r[3] = 0.0;
        r[4] = -q * q;
        r[5] = 2.0 * f * q * q;
    }
}

static inline void dd_crule2_add(double complex z, double complex w, int order, double complex *r)
{
    r[0] = z + w;
    r[1] = r[2] = 1.0;
    if (order > 1) r[3] = r[4] = r[5] = 0.0;
}

static inline void dd_crule2_sub(double complex z, double complex w, int order, double complex *r)
{
    r[0] = z - w;
    r[1] = 1.0;
    r[2] = -1.0;
    if (order > 1) r[3] = r[4] = r[5] = 0.0;
}

/* z^k for an integer k, |k| <= 65, by repeated squaring (1/z^-k below 0). */
static inline double complex dd__cpowi(double complex z, int k)
{
    double complex p = 1.0, b = z;
    unsigned m = (unsigned)(k < 0 ? -k : k);
    while (m) {
        if (m & 1u) p *= b;
        b *= b;
        m >>= 1;
    }
    return k < 0 ? 1.0 / p : p;
}

/* z ** w on the principal branch, z^w = exp(w log z). At z = 0 the logarithm
 * is -inf, so the cases are written out. A real integer exponent k >= 0 gives
 * the polynomial z^k exactly: value 0^k (1 for k = 0), derivatives k z^(k-1)
 * and k (k-1) z^(k-2) at 0 (z**2: 0 and 2); the derivatives in w, z^w log z
 * and its kin, tend to 0 for k >= 2, and are NaN where they do not (k = 0, 1).
 * Any other w with Re w > 0: value 0, and each derivative 0 where its power
 * of z stays positive, NaN (no limit in the complex plane) where not. */
static inline void dd_crule2_pow(double complex z, double complex w, int order, double complex *r)
{
    double wr = creal(w), wi = cimag(w);
    if (z == 0.0) {
        if (wi == 0.0 && wr >= 0.0 && wr == nearbyint(wr) && wr < 9007199254740992.0) {
            r[0] = wr == 0.0 ? 1.0 : 0.0;
            r[1] = wr == 1.0 ? 1.0 : 0.0;
            r[2] = wr >= 1.0 ? 0.0 : NAN;
            if (order > 1) {
                r[3] = wr == 2.0 ? 2.0 : 0.0;
                r[4] = wr >= 2.0 ? 0.0 : NAN;
                r[5] = wr >= 1.0 ? 0.0 : NAN;
            }
        } else {
            r[0] = wr > 0.0 ? 0.0 : NAN;
            r[1] = wr > 1.0 ? 0.0 : NAN;
            r[2] = wr > 0.0 ? 0.0 : NAN;
            if (order > 1) {
                r[3] = wr > 2.0 ? 0.0 : NAN;
                r[4] = wr > 1.0 ? 0.0 : NAN;
                r[5] = wr > 0.0 ? 0.0 : NAN;
            }
        }
        return;
    }
    if (wi == 0.0 && wr == nearbyint(wr) && fabs(wr) <= 64.0) {
        /* an integer exponent: powers by products, exact where the products are */
        double complex g = dd__cpowi(z, (int)wr - 1), f = g * z, lz = clog(z);
        r[0] = f;
        r[1] = wr * g;
        r[2] = f * lz;
        if (order > 1) {
            r[3] = wr * (wr - 1.0) * dd__cpowi(z, (int)wr - 2);
            r[4] = g * (1.0 + wr * lz);
            r[5] = f * lz * lz;
        }
        return;
    }
    {
        double complex lz = clog(z), f = cpow(z, w), g = f / z;
        r[0] = f;
        r[1] = w * g;
        r[2] = f * lz;
        if (order > 1) {
            r[3] = w * (w - 1.0) * g / z;
            r[4] = g * (1.0 + w * lz);
            r[5] = f * lz * lz;
        }
    }
}

/* -------------------------------------------------------------- dispatch */

static inline dd_complex_unary_rule dd_complex_unary_rule_of(int op)
{
    switch (op) {
#define DD__CCASE_U(name) case DD_OP_##name: return dd_crule_##name;
        DD_COMPLEX_UNARY_RULES(DD__CCASE_U)
#undef DD__CCASE_U
    default: return NULL;
    }
}

static inline dd_complex_binary_rule dd_complex_binary_rule_of(int op)
{
    switch (op) {
#define DD__CCASE_B(name) case DD_OP2_##name: return dd_crule2_##name;
        DD_COMPLEX_BINARY_RULES(DD__CCASE_B)
#undef DD__CCASE_B
    default: return NULL;
    }
}

/* The rule at count points: r[3 i .. 3 i + 2] for z[i]. Returns -1 for an op
 * code without a complex rule, else 0. */
static inline int dd_complex_unary_n(int op, int order, size_t count, const double complex *z,
                                     double complex *r)
{
    dd_complex_unary_rule rule = dd_complex_unary_rule_of(op);
    size_t i;
    if (rule == NULL) return -1;
    for (i = 0; i < count; i++) rule(z[i], order, r + 3 * i);
    return 0;
}

/* The binary rule at count pairs: r[6 i .. 6 i + 5] for (z[i], w[i]). */
static inline int dd_complex_binary_n(int op, int order, size_t count, const double complex *z,
                                      const double complex *w, double complex *r)
{
    dd_complex_binary_rule rule = dd_complex_binary_rule_of(op);
    size_t i;
    if (rule == NULL) return -1;
    for (i = 0; i < count; i++) rule(z[i], w[i], order, r + 6 * i);
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_COMPLEX_H */
