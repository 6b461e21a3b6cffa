/*
 * dualdiff/dd_rules.h - the table of derivative rules.
 *
 * This file is the single source of truth for every elementary function:
 * each rule maps a point to the value and the first two derivatives there.
 * Everything else (first- and second-order numbers, the Python types, the
 * array kernels) applies the chain rule to what these functions return.
 *
 * Unary rule:   void dd_rule_NAME(double x, int order, double r[3])
 *               r[0] = f(x), r[1] = f'(x), r[2] = f''(x) (r[2] only when order >= 2)
 * Binary rule:  void dd_rule2_NAME(double x, double y, int order, double r[6])
 *               r[0] = f, r[1] = df/dx, r[2] = df/dy,
 *               r[3] = d2f/dx2, r[4] = d2f/dxdy, r[5] = d2f/dy2 (r[3..5] only when order >= 2)
 *
 * The lists DD_UNARY_RULES and DD_BINARY_RULES at the end name every rule once;
 * the op codes (dd_unary_op, dd_binary_op) and dispatch tables come from them.
 *
 * Plain C99, no Python. Every function is static inline, so users link nothing.
 */
#ifndef DUALDIFF_DD_RULES_H
#define DUALDIFF_DD_RULES_H

#include <math.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DD_PI 3.141592653589793238462643383279502884
#define DD_LN2 0.693147180559945309417232121458176568
#define DD_LN10 2.302585092994045684017991454684364208
#define DD_2_SQRTPI 1.128379167095512573896158903121545172 /* 2/sqrt(pi) */

/* ---------------------------------------------------------------- helpers */

/* cot(pi x) and 1/sin(pi x)^2 for the reflection formulas; x is reduced to
 * [-1/2, 1/2] first so that the argument to sin/cos is exact. */
static inline double dd__cotpi(double x)
{
    double r = x - nearbyint(x);
    return cos(DD_PI * r) / sin(DD_PI * r);
}

static inline double dd__csc2pi(double x)
{
    double s = sin(DD_PI * (x - nearbyint(x)));
    return 1.0 / (s * s);
}

/* digamma psi(x) = d/dx log|gamma(x)|.
 * Reflection for x < 0, recurrence up to x >= 10, then the asymptotic series
 * (Bernoulli terms through x^-14, truncation error below 1e-17 at x = 10). */
static inline double dd_digamma(double x)
{
    double acc = 0.0, x2, s;
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return INFINITY;
    if (x <= 0.0) {
        if (x == floor(x)) return NAN; /* pole */
        /* psi(x) = psi(1 - x) - pi cot(pi x) */
        return dd_digamma(1.0 - x) - DD_PI * dd__cotpi(x);
    }
    while (x < 10.0) {
        acc -= 1.0 / x;
        x += 1.0;
    }
    x2 = 1.0 / (x * x);
    s = x2 * (1.0 / 12 - x2 * (1.0 / 120 - x2 * (1.0 / 252 - x2 * (1.0 / 240
          - x2 * (1.0 / 132 - x2 * (691.0 / 32760 - x2 * (1.0 / 12)))))));
    return acc + log(x) - 0.5 / x - s;
}

/* trigamma psi'(x). Same scheme as dd_digamma. */
static inline double dd_trigamma(double x)
{
    double acc = 0.0, x2, s;
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return 0.0;
    if (x <= 0.0) {
        if (x == floor(x)) return NAN; /* pole */
        /* psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x) */
        return DD_PI * DD_PI * dd__csc2pi(x) - dd_trigamma(1.0 - x);
    }
    while (x < 10.0) {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    x2 = 1.0 / (x * x);
    s = 1.0 / 6 - x2 * (1.0 / 30 - x2 * (1.0 / 42 - x2 * (1.0 / 30
          - x2 * (5.0 / 66 - x2 * (691.0 / 2730 - x2 * (7.0 / 6))))));
    return acc + 1.0 / x + 0.5 * x2 + s * x2 / x;
}

/* exp(-x*x) without the rounding error of x*x, which exp would magnify to
 * about x^2 ulps: x*x = h + l exactly (Dekker's product), and
 * exp(-h - l) = exp(-h) (1 - l) to within l^2 since |l| <= ulp(h)/2.
 * Past |x| = 40 the result underflows to 0 (and the split could overflow). */
static inline double dd__exp_neg_sq(double x)
{
    double c, xh, xl, h, l;
    if (fabs(x) > 40.0) return 0.0;
    c = 134217729.0 * x; /* 2^27 + 1 */
    xh = c - (c - x);
    xl = x - xh;
    h = x * x;
    l = ((xh * xh - h) + 2.0 * xh * xl) + xl * xl;
    return exp(-h) * (1.0 - l);
}

/* ----------------------------------------------------------- unary rules */

#define DD_RULE(name) static inline void dd_rule_##name(double x, int order, double *r)

DD_RULE(sqrt)
{
    double s = sqrt(x);
    r[0] = s;
    r[1] = 0.5 / s; /* +inf at 0: the one-sided derivative */
    if (order > 1) r[2] = -0.25 / (s * x);
}

DD_RULE(cbrt)
{
    double c = cbrt(x);
    r[0] = c;
    r[1] = 1.0 / (3.0 * c * c); /* +inf at 0 */
    if (order > 1) r[2] = -2.0 / (9.0 * c * c * x);
}

DD_RULE(exp)
{
    double e = exp(x);
    r[0] = e;
    r[1] = e;
    if (order > 1) r[2] = e;
}

DD_RULE(exp2)
{
    double e = exp2(x);
    r[0] = e;
    r[1] = DD_LN2 * e;
    if (order > 1) r[2] = DD_LN2 * DD_LN2 * e;
}

DD_RULE(expm1)
{
    double e = exp(x);
    r[0] = expm1(x);
    r[1] = e;
    if (order > 1) r[2] = e;
}

DD_RULE(log)
{
    r[0] = log(x);
    r[1] = 1.0 / x;
    if (order > 1) r[2] = -1.0 / (x * x);
}

DD_RULE(log2)
{
    r[0] = log2(x);
    r[1] = 1.0 / (x * DD_LN2);
    if (order > 1) r[2] = -1.0 / (x * x * DD_LN2);
}

DD_RULE(log10)
{
    r[0] = log10(x);
    r[1] = 1.0 / (x * DD_LN10);
    if (order > 1) r[2] = -1.0 / (x * x * DD_LN10);
}

DD_RULE(log1p)
{
    double u = 1.0 + x; /* the rounding of 1 + x only touches the derivative */
    r[0] = log1p(x);
    r[1] = 1.0 / u;
    if (order > 1) r[2] = -1.0 / (u * u);
}

DD_RULE(sin)
{
    double s = sin(x), c = cos(x);
    r[0] = s;
    r[1] = c;
    if (order > 1) r[2] = -s;
}

DD_RULE(cos)
{
    double s = sin(x), c = cos(x);
    r[0] = c;
    r[1] = -s;
    if (order > 1) r[2] = -c;
}

DD_RULE(tan)
{
    double t = tan(x), d = 1.0 + t * t;
    r[0] = t;
    r[1] = d;
    if (order > 1) r[2] = 2.0 * t * d;
}

DD_RULE(asin)
{
    /* (1 - x)(1 + x) keeps full accuracy near |x| = 1 */
    double d = 1.0 / sqrt((1.0 - x) * (1.0 + x));
    r[0] = asin(x);
    r[1] = d;
    if (order > 1) r[2] = x * d * d * d;
}

DD_RULE(acos)
{
    double d = 1.0 / sqrt((1.0 - x) * (1.0 + x));
    r[0] = acos(x);
    r[1] = -d;
    if (order > 1) r[2] = -x * d * d * d;
}

DD_RULE(atan)
{
    double d = 1.0 / (1.0 + x * x);
    r[0] = atan(x);
    r[1] = d;
    if (order > 1) r[2] = -2.0 * x * d * d;
}

DD_RULE(sinh)
{
    double s = sinh(x), c = cosh(x);
    r[0] = s;
    r[1] = c;
    if (order > 1) r[2] = s;
}

DD_RULE(cosh)
{
    double s = sinh(x), c = cosh(x);
    r[0] = c;
    r[1] = s;
    if (order > 1) r[2] = c;
}

DD_RULE(tanh)
{
    /* 1/cosh^2 rather than 1 - tanh^2, which cancels to 0 for |x| > 19 */
    double t = tanh(x), c = cosh(x), d = 1.0 / (c * c);
    r[0] = t;
    r[1] = d;
    if (order > 1) r[2] = -2.0 * t * d;
}

DD_RULE(asinh)
{
    /* 1/hypot(x, 1) does not overflow for huge x */
    double d = 1.0 / hypot(x, 1.0);
    r[0] = asinh(x);
    r[1] = d;
    if (order > 1) r[2] = -x * d * d * d;
}

DD_RULE(acosh)
{
    double d = 1.0 / (sqrt(x - 1.0) * sqrt(x + 1.0));
    r[0] = acosh(x);
    r[1] = d;
    if (order > 1) r[2] = -x * d * d * d;
}

DD_RULE(atanh)
{
    double d = 1.0 / ((1.0 - x) * (1.0 + x));
    r[0] = atanh(x);
    r[1] = d;
    if (order > 1) r[2] = 2.0 * x * d * d;
}

DD_RULE(erf)
{
    double d = DD_2_SQRTPI * dd__exp_neg_sq(x);
    r[0] = erf(x);
    r[1] = d;
    if (order > 1) r[2] = -2.0 * x * d;
}

DD_RULE(erfc)
{
    double d = -DD_2_SQRTPI * dd__exp_neg_sq(x);
    r[0] = erfc(x);
    r[1] = d;
    if (order > 1) r[2] = -2.0 * x * d;
}

DD_RULE(gamma)
{
    double g = tgamma(x), p = dd_digamma(x);
    r[0] = g;
    r[1] = g * p;
    if (order > 1) r[2] = g * (p * p + dd_trigamma(x));
}

DD_RULE(lgamma)
{
    /* d/dx log|gamma(x)| is digamma for negative x too */
    r[0] = lgamma(x);
    r[1] = dd_digamma(x);
    if (order > 1) r[2] = dd_trigamma(x);
}

DD_RULE(fabs)
{
    /* The sign of the zero picks the side: +1 at +0.0, -1 at -0.0. */
    r[0] = fabs(x);
    r[1] = copysign(1.0, x);
    if (order > 1) r[2] = 0.0;
}

/* Step functions: derivative 0 everywhere (also at the jumps, by convention). */
DD_RULE(floor) { r[0] = floor(x); r[1] = 0.0; if (order > 1) r[2] = 0.0; }
DD_RULE(ceil)  { r[0] = ceil(x);  r[1] = 0.0; if (order > 1) r[2] = 0.0; }
DD_RULE(trunc) { r[0] = trunc(x); r[1] = 0.0; if (order > 1) r[2] = 0.0; }
DD_RULE(rint)  { r[0] = nearbyint(x); r[1] = 0.0; if (order > 1) r[2] = 0.0; }

DD_RULE(sign)
{
    r[0] = x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : (x == 0.0 ? 0.0 : x));
    r[1] = 0.0;
    if (order > 1) r[2] = 0.0;
}

/* Same constants as CPython's math.degrees and math.radians, so the values agree bit for bit. */
DD_RULE(degrees)
{
    const double k = 180.0 / DD_PI;
    r[0] = x * k;
    r[1] = k;
    if (order > 1) r[2] = 0.0;
}

DD_RULE(radians)
{
    const double k = DD_PI / 180.0;
    r[0] = x * k;
    r[1] = k;
    if (order > 1) r[2] = 0.0;
}

DD_RULE(square)
{
    r[0] = x * x;
    r[1] = 2.0 * x;
    if (order > 1) r[2] = 2.0;
}

DD_RULE(reciprocal)
{
    double q = 1.0 / x;
    r[0] = q;
    r[1] = -q * q;
    if (order > 1) r[2] = 2.0 * q * q * q;
}

/* --------------------------------------------------- rules with a constant */

/* x**c for a constant exponent c.
 * Special cases (why): the coefficient c or c(c-1) is exactly 0 for c = 0 or
 * c = 1, and then the derivative is exactly 0 even where x**(c-1) is infinite
 * (x = 0), so x**0 has derivative 0 and x**1 second derivative 0 at 0.
 * Integer c >= 2 gives the exact values at 0 (x**2: 0 and 2). */
static inline void dd_rule_pow_const(double x, double c, int order, double *r)
{
    r[0] = pow(x, c);
    if (c == 2.0) { /* squares and cubes are common: multiply instead of pow */
        r[1] = 2.0 * x;
        if (order > 1) r[2] = 2.0;
        return;
    }
    if (c == 3.0) {
        r[1] = 3.0 * (x * x);
        if (order > 1) r[2] = 6.0 * x;
        return;
    }
    r[1] = (c == 0.0) ? 0.0 : c * pow(x, c - 1.0);
    if (order > 1) r[2] = (c == 0.0 || c == 1.0) ? 0.0 : c * (c - 1.0) * pow(x, c - 2.0);
}

/* c**y for a constant base c.
 * Special case: for c = 0 and y > 0 the function is identically 0 nearby, so
 * the derivative is 0 (the formula would give 0 * -inf = NaN).
 * For c < 0 log(c) is NaN: no real derivative in y exists. */
static inline void dd_rule_const_pow(double c, double y, int order, double *r)
{
    double p = pow(c, y), l;
    r[0] = p;
    if (c == 0.0 && y > 0.0) {
        r[1] = 0.0;
        if (order > 1) r[2] = 0.0;
        return;
    }
    l = log(c);
    r[1] = p * l;
    if (order > 1) r[2] = p * l * l;
}

/* ---------------------------------------------------------- binary rules */

#define DD_RULE2(name) static inline void dd_rule2_##name(double x, double y, int order, double *r)

DD_RULE2(mul)
{
    r[0] = x * y;
    r[1] = y;
    r[2] = x;
    if (order > 1) { r[3] = 0.0; r[4] = 1.0; r[5] = 0.0; }
}

DD_RULE2(div)
{
    double q = x / y, iy = 1.0 / y;
    r[0] = q;
    r[1] = iy;
    r[2] = -q * iy;
    if (order > 1) { r[3] = 0.0; r[4] = -iy * iy; r[5] = 2.0 * q * iy * iy; }
}

/* x**y with both arguments variable: the two one-sided rules above give
 * the partials, with their special cases. */
DD_RULE2(pow)
{
    double a[3], b[3];
    dd_rule_pow_const(x, y, order, a);
    dd_rule_const_pow(x, y, order, b);
    r[0] = a[0];
    r[1] = a[1];
    r[2] = b[1];
    if (order > 1) {
        r[3] = a[2];
        /* d/dy (y x^(y-1)) = x^(y-1) (1 + y log x); zero where the x-partial is
         * identically zero (y = 0). At x = 0, y > 0 it is the limit x -> 0+:
         * 0 for y > 1, -inf for 0 < y <= 1 (log x wins over x^(y-1)). */
        if (y == 0.0) r[4] = 0.0;
        else if (x == 0.0 && y > 0.0) r[4] = (y > 1.0) ? 0.0 : -INFINITY;
        else r[4] = pow(x, y - 1.0) * (1.0 + y * log(x));
        r[5] = b[2];
    }
}

/* x + y and x - y as rules (the linear fast paths in dd_core.h are what
 * arithmetic uses; these serve the pattern mode and the op-code tables). */
DD_RULE2(add)
{
    r[0] = x + y;
    r[1] = 1.0;
    r[2] = 1.0;
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

DD_RULE2(sub)
{
    r[0] = x - y;
    r[1] = 1.0;
    r[2] = -1.0;
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* atan2(y, x) is called here as atan2(x=y, y=x) to keep one argument order:
 * the first argument is the numerator. Partials use h = hypot so that huge
 * arguments do not overflow; at the origin they are NaN. */
DD_RULE2(atan2)
{
    double h = hypot(x, y), u = x / h, v = y / h;
    r[0] = atan2(x, y);
    r[1] = (v / h);  /*  d/dx atan2(x, y) =  y / (x^2 + y^2) */
    r[2] = -(u / h); /*  d/dy atan2(x, y) = -x / (x^2 + y^2) */
    if (order > 1) {
        double h2 = h * h;
        r[3] = -2.0 * u * v / h2;
        r[4] = (u * u - v * v) / h2;
        r[5] = 2.0 * u * v / h2;
    }
}

DD_RULE2(hypot)
{
    double h = hypot(x, y), u = x / h, v = y / h;
    r[0] = h;
    r[1] = u; /* NaN at the origin, where hypot has no derivative */
    r[2] = v;
    if (order > 1) {
        r[3] = v * v / h;
        r[4] = -u * v / h;
        r[5] = u * u / h;
    }
}

/* fmod(x, y) = x - trunc(x/y) y: the quotient is a step function.
 * (x - f) / y is that integer up to rounding, which may fall on either side
 * of it: round to nearest, never truncate (2.9999999999999996 is 3). */
DD_RULE2(fmod)
{
    double f = fmod(x, y);
    r[0] = f;
    r[1] = 1.0;
    r[2] = -nearbyint((x - f) / y);
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* remainder(x, y) = x - n y with n = x/y rounded half to even. */
DD_RULE2(remainder)
{
    double f = remainder(x, y);
    r[0] = f;
    r[1] = 1.0;
    r[2] = -nearbyint((x - f) / y);
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* Python's floor division x // y = floor(x / y): derivative 0. */
DD_RULE2(floordiv)
{
    double m = fmod(x, y), q = (x - m) / y;
    if (m != 0.0 && ((y < 0.0) != (m < 0.0))) q -= 1.0;
    if (q != 0.0) { double f = floor(q); if (q - f > 0.5) f += 1.0; q = f; }
    else q = copysign(0.0, x / y);
    r[0] = q;
    r[1] = 0.0;
    r[2] = 0.0;
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* Python's modulo x % y = x - floor(x/y) y (the sign of y). */
DD_RULE2(mod)
{
    double m = fmod(x, y), k;
    if (m != 0.0) {
        if ((y < 0.0) != (m < 0.0)) m += y;
    } else {
        m = copysign(0.0, y);
    }
    k = nearbyint((x - m) / y);
    r[0] = m;
    r[1] = 1.0;
    r[2] = -k;
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* copysign(x, y): |x| with the sign of y. The x-tangent is negated when the
 * signs differ; the y-derivative is 0. */
DD_RULE2(copysign)
{
    double f = copysign(x, y);
    r[0] = f;
    r[1] = (signbit(f) == signbit(x)) ? 1.0 : -1.0;
    r[2] = 0.0;
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* maximum/minimum propagate NaN (numpy's maximum/minimum and the C99
 * behaviour of fmax/fmin differ; these are numpy's maximum/minimum).
 * At a tie the first argument wins, as Python's built-in max and min do. */
DD_RULE2(maximum)
{
    int first = (x >= y) || isnan(x);
    r[0] = (isnan(y) && !isnan(x)) ? y : (first ? x : y);
    r[1] = (first && !isnan(y)) ? 1.0 : 0.0;
    r[2] = 1.0 - r[1];
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

DD_RULE2(minimum)
{
    int first = (x <= y) || isnan(x);
    r[0] = (isnan(y) && !isnan(x)) ? y : (first ? x : y);
    r[1] = (first && !isnan(y)) ? 1.0 : 0.0;
    r[2] = 1.0 - r[1];
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* fmax/fmin ignore a NaN argument; tie as above. */
DD_RULE2(fmax)
{
    int first = (x >= y) || isnan(y);
    r[0] = first ? x : y;
    r[1] = first ? 1.0 : 0.0;
    r[2] = 1.0 - r[1];
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

DD_RULE2(fmin)
{
    int first = (x <= y) || isnan(y);
    r[0] = first ? x : y;
    r[1] = first ? 1.0 : 0.0;
    r[2] = 1.0 - r[1];
    if (order > 1) { r[3] = 0.0; r[4] = 0.0; r[5] = 0.0; }
}

/* ------------------------------------------------------------- the table */

/* X(name) for every unary rule, in op-code order. */
#define DD_UNARY_RULES(X) \
    X(sqrt) X(cbrt) X(exp) X(exp2) X(expm1) X(log) X(log2) X(log10) X(log1p) \
    X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) \
    X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) X(atanh) \
    X(erf) X(erfc) X(gamma) X(lgamma) X(fabs) \
    X(floor) X(ceil) X(trunc) X(rint) X(sign) \
    X(degrees) X(radians) X(square) X(reciprocal)

/* X(name) for every binary rule, in op-code order. */
#define DD_BINARY_RULES(X) \
    X(mul) X(div) X(pow) X(floordiv) X(mod) X(add) X(sub) DD_BINARY_FUNCTIONS(X)

/* The binary rules that are functions (not operators) in C, numpy and math. */
#define DD_BINARY_FUNCTIONS(X) \
    X(atan2) X(hypot) X(fmod) X(remainder) X(copysign) X(maximum) X(minimum) X(fmax) X(fmin)

#define DD__ENUM_U(name) DD_OP_##name,
#define DD__ENUM_B(name) DD_OP2_##name,
typedef enum { DD_UNARY_RULES(DD__ENUM_U) DD_NUM_UNARY } dd_unary_op;
typedef enum { DD_BINARY_RULES(DD__ENUM_B) DD_NUM_BINARY } dd_binary_op;
#undef DD__ENUM_U
#undef DD__ENUM_B

typedef void (*dd_unary_rule)(double x, int order, double *r);
typedef void (*dd_binary_rule)(double x, double y, int order, double *r);

/* Rule lookup by op code (NULL for an unknown code). */
static inline dd_unary_rule dd_unary_rule_of(int op)
{
    switch (op) {
#define DD__CASE_U(name) case DD_OP_##name: return dd_rule_##name;
        DD_UNARY_RULES(DD__CASE_U)
#undef DD__CASE_U
    default: return NULL;
    }
}

static inline dd_binary_rule dd_binary_rule_of(int op)
{
    switch (op) {
#define DD__CASE_B(name) case DD_OP2_##name: return dd_rule2_##name;
        DD_BINARY_RULES(DD__CASE_B)
#undef DD__CASE_B
    default: return NULL;
    }
}

/* Structure, for sparsity detection: whether a partial derivative can be
 * nonzero somewhere (0 only where it is identically zero: step functions). */
static inline int dd_unary_depends(int op)
{
    switch (op) {
    case DD_OP_floor: case DD_OP_ceil: case DD_OP_trunc: case DD_OP_rint: case DD_OP_sign:
        return 0;
    default:
        return 1;
    }
}

/* *dx, *dy: whether f(x, y) can depend on x and on y. */
static inline void dd_binary_depends(int op, int *dx, int *dy)
{
    *dx = 1;
    *dy = 1;
    if (op == DD_OP2_floordiv) *dx = *dy = 0;
    else if (op == DD_OP2_copysign) *dy = 0;
}

/* Rule name by op code, for error messages and tables. */
static inline const char *dd_unary_name(int op)
{
    switch (op) {
#define DD__NAME_U(name) case DD_OP_##name: return #name;
        DD_UNARY_RULES(DD__NAME_U)
#undef DD__NAME_U
    default: return NULL;
    }
}

static inline const char *dd_binary_name(int op)
{
    switch (op) {
#define DD__NAME_B(name) case DD_OP2_##name: return #name;
        DD_BINARY_RULES(DD__NAME_B)
#undef DD__NAME_B
    default: return NULL;
    }
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_RULES_H */
