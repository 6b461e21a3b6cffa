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
 * [-1/2, 1/2] first so that the argument to sin/cos is exact. Past |r| = 1/4
 * cot(pi r) = tan(pi (1/2 - r)) (with r's sign), where 1/2 - r is exact: the
 * cosine of a rounded pi r near pi/2 would keep only its absolute accuracy. */
static inline double dd__cotpi(double x)
{
    double r = x - nearbyint(x);
    if (fabs(r) <= 0.25) return cos(DD_PI * r) / sin(DD_PI * r);
    return tan(DD_PI * (copysign(0.5, r) - r));
}

static inline double dd__csc2pi(double x)
{
    double s = sin(DD_PI * (x - nearbyint(x)));
    return 1.0 / (s * s);
}

/* x*y = p + *e exactly (Dekker's product; no fma needed). Valid while the
 * factors stay below about 1e150 in magnitude, so that the splits cannot
 * overflow. */
static inline double dd__two_prod(double x, double y, double *e)
{
    double c, xh, xl, yh, yl, p = x * y;
    c = 134217729.0 * x; /* 2^27 + 1 */
    xh = c - (c - x);
    xl = x - xh;
    c = 134217729.0 * y;
    yh = c - (c - y);
    yl = y - yh;
    *e = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl;
    return p;
}

/* Taylor coefficients of psi(x + 1) at the positive root x0 of psi,
 * p[n-1] = (-1)^(n+1) zeta(n + 1, x0 + 1), n = 1..27 (printed from 60-digit
 * values). The series converges for |x - x0| < x0 + 1; at |x - x0| <= 1/2
 * the terms shrink by 0.2 each. */
static const double dd__psi_taylor[27] = {
    0.49958821066342546, -0.12251567278862602, 0.03939709733579885, -0.014039965293930434,
    0.00526559187211755, -0.0020324818225491725, 0.0007983109588290198, -0.0003170368244016943,
    0.0001268167281965579, -5.097190255450742e-05, 2.055414125395239e-05, -8.306859775003972e-06,
    3.3623594458438883e-06, -1.3624395717959079e-06, 5.524792977920754e-07, -2.241523416103308e-07,
    9.097694978453553e-08, -3.6934557862649377e-08, 1.499735247478639e-08, -6.090500964947203e-09,
    2.473612210913063e-09, -1.0047053252261424e-09, 4.08099443984292e-10, -1.6577065288159067e-10,
    6.733788627268473e-11, -2.735385546236437e-11, 1.1111757552226734e-11,
};

#define DD__PSI_X0 1.4616321449683622 /* the positive root of psi, rounded ... */
#define DD__PSI_X0_LO 9.549995429965697e-17 /* ... and the rest */

/* The sum of the series above, sum p[n-1] h^(n-1) = s + *se to
 * double-double accuracy (p[0] dominates the sum). */
static inline double dd__psi_series(double h, double *se)
{
    double t = dd__psi_taylor[26], s;
    int n;
    for (n = 25; n >= 1; n--) t = t * h + dd__psi_taylor[n];
    t *= h;
    s = dd__psi_taylor[0] + t;
    *se = ((dd__psi_taylor[0] - s) + t) - 2.0373158058412316e-17; /* and the rest of p[0] */
    return s;
}

/* psi(z) for z in [x0 - 1/2, x0 + 1/2], given h1 + h2 = z - x0 and
 * z + ze (each pair to double-double accuracy). psi(z) = psi(z + 1) - 1/z
 * and psi(x0 + 1) = 1/x0 give psi(z) = h (1/(z x0) + sum p[n-1] h^(n-1)):
 * h times a sum of two positive terms, so the value is accurate relative to
 * itself also near the root. The sum is formed to double-double accuracy
 * and multiplied by h with one rounding: within about an ulp. */
static inline double dd__psi_root(double h1, double h2, double z, double ze)
{
    double se, s = dd__psi_series(h1 + h2, &se), p, pe, a, ae, e, b, bb, be;
    p = dd__two_prod(z, DD__PSI_X0, &pe);
    pe += z * DD__PSI_X0_LO + ze * DD__PSI_X0;
    a = 1.0 / p; /* 1/(p + pe) = a + ae */
    e = dd__two_prod(a, p, &ae);
    ae = (((1.0 - e) - ae) - a * pe) / p;
    b = a + s;
    bb = b - a;
    be = ((a - (b - bb)) + (s - bb)) + (ae + se);
    p = dd__two_prod(h1, b, &pe);
    return p + (pe + (h1 * be + h2 * b));
}

/* Taylor coefficients of psi(x + 2) at the negative root x1 = -0.504... of
 * psi nearest 0, q[n-1] = (-1)^(n+1) zeta(n + 1, x1 + 2), n = 1..24 (from
 * 60-digit values; at |x - x1| < 1/4 the terms shrink by 1/6 each). */
static const double dd__psi_taylor_neg[24] = {
    0.9381979690834112, -0.41728953034468597, 0.23722825947363899, -0.1466662943236801,
    0.09410557231158634, -0.06150600545373637, 0.040595095830363755, -0.026938776410793626,
    0.017931311290499935, -0.011956729288150053, 0.007981037191019603, -0.0053305093968389755,
    0.0035615020417106057, -0.002380069950809624, 0.0015907466485162271, -0.0010632734592477787,
    0.0007107361968853117, -0.0004750983849279137, 0.00031758914424013574, -0.00021230094089949749,
    0.0001419190477992925, -9.487044889858041e-05, 6.341939860671127e-05, -4.2394920051921816e-05,
};

#define DD__PSI_X1 (-0.5040830082644554)    /* the negative root, rounded ... */
#define DD__PSI_X1_LO (-8.15428206243813e-18) /* ... and the rest */

/* 1/(u (v + vl)) = result + *lo, for the sums below. */
static inline double dd__recip_prod(double u, double v, double vl, double *lo)
{
    double pe, p = dd__two_prod(u, v, &pe), a, e, ae;
    pe += u * vl;
    a = 1.0 / p;
    e = dd__two_prod(a, p, &ae);
    *lo = (((1.0 - e) - ae) - a * pe) / p;
    return a;
}

/* psi(x) for |x - x1| < 1/4: psi(x) = psi(x + 2) - 1/x - 1/(x + 1) gives
 * psi(x) = h (sum q[n-1] h^(n-1) + 1/(x x1) + 1/((x + 1)(x1 + 1))), h = x - x1:
 * h times positive terms, so relative accuracy near the root, where the
 * reflection formula subtracts two numbers of about 0.04. The three terms
 * are summed to double-double accuracy and multiplied by h with one rounding. */
static inline double dd__psi_negroot(double x)
{
    double h1 = x - DD__PSI_X1, h = h1 - DD__PSI_X1_LO, t = dd__psi_taylor_neg[23];
    double a1, a1l, a2, a2l, s, sl, b, bb, be, p, pe;
    int n;
    for (n = 22; n >= 1; n--) t = t * h + dd__psi_taylor_neg[n];
    t *= h;
    s = dd__psi_taylor_neg[0] + t; /* q[0] dominates */
    sl = ((dd__psi_taylor_neg[0] - s) + t) + 1.428997008810433e-17; /* and the rest of q[0] */
    a1 = dd__recip_prod(x, DD__PSI_X1, DD__PSI_X1_LO, &a1l);               /* 1/(x x1) */
    a2 = dd__recip_prod(x + 1.0, 0.4959169917355446, DD__PSI_X1_LO, &a2l); /* x + 1 is exact */
    b = a1 + a2; /* either may be the larger: Knuth's two-sum */
    bb = b - a1;
    be = (a1 - (b - bb)) + (a2 - bb);
    bb = b + s;
    be += ((b - bb) + s) + (a1l + a2l + sl); /* b > s */
    p = dd__two_prod(h1, bb, &pe);
    return p + (pe + (h1 * be - DD__PSI_X1_LO * bb));
}

/* digamma psi(x) = d/dx log|gamma(x)|, with no cancellation worse than a
 * factor 2 for x > 0:
 * x < 0: reflection psi(x) = psi(1 - x) - pi cot(pi x), or near the root
 *   x1 = -0.504 its own series (dd__psi_negroot).
 * 0 < x < x0 - 1/2: psi(x) = psi(x + 1) - 1/x, x + 1 - x0 taken as
 *   x - (x0 - 1) so that it keeps x's digits, and 1/x to double-double.
 * x0 - 1/2 <= x < x0 + 1/2: the series at the root (dd__psi_root).
 * x0 + 1/2 <= x < 10: down to [x0 + 1/2, x0 + 3/2) by
 *   psi(x) = psi(x - 1) + 1/(x - 1) (positive terms, smallest first), and
 *   there psi(x) = 1/x0 + sum p[n-1] (x - x0 - 1)^n, the same series at x0 + 1.
 * x >= 10: the asymptotic series (Bernoulli terms through x^-14, truncation
 *   error below 1e-17 at x = 10). */
static inline double dd_digamma(double x)
{
    double acc = 0.0, x2, s, se, h, p, pe;
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return INFINITY;
    if (x <= 0.0) {
        if (x == floor(x)) return NAN; /* pole */
        if (fabs(x - DD__PSI_X1) < 0.25) return dd__psi_negroot(x);
        /* psi(x) = psi(1 - x) - pi cot(pi x) */
        return dd_digamma(1.0 - x) - DD_PI * dd__cotpi(x);
    }
    if (x < DD__PSI_X0 - 0.5) {
        double q = 1.0 / x, e, ql;
        /* x0 - 1 = 0.46163214496836236 - 1.5522348162858677e-17 */
        if (x > 1e-300) { /* 1/x = q + ql */
            e = dd__two_prod(q, x, &ql);
            ql = ((1.0 - e) - ql) / x;
        } else {
            ql = 0.0;
        }
        s = x + 1.0;
        return (dd__psi_root(x - 0.46163214496836236, 1.5522348162858677e-17, s, x - (s - 1.0)) - q) - ql;
    }
    if (x < DD__PSI_X0 + 0.5) return dd__psi_root(x - DD__PSI_X0, -DD__PSI_X0_LO, x, 0.0);
    if (x < 10.0) {
        while (x >= DD__PSI_X0 + 1.5) {
            x -= 1.0; /* exact */
            acc += 1.0 / x;
        }
        /* x0 + 1 = 2.4616321449683625 - 1.2654465062537432e-16,
         * 1/x0 = 0.6841666717870696 - 4.2470892676890727e-17 */
        h = x - 2.4616321449683625; /* exact */
        s = dd__psi_series(h + 1.2654465062537432e-16, &se);
        p = dd__two_prod(h, s, &pe);
        return 0.6841666717870696 + (p + (((pe + h * se) + 1.2654465062537432e-16 * s)
                                          - 4.2470892676890727e-17 + acc));
    }
    x2 = 1.0 / (x * x);
    s = x2 * (1.0 / 12 - x2 * (1.0 / 120 - x2 * (1.0 / 252 - x2 * (1.0 / 240
          - x2 * (1.0 / 132 - x2 * (691.0 / 32760 - x2 * (1.0 / 12)))))));
    return log(x) - 0.5 / x - s;
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

/* tetragamma psi''(x) = -2 sum 1/(x + k)^3.
 * Reflection for x < 0 (the second derivative of psi(x) = psi(1 - x) - pi cot(pi x)),
 * recurrence up to x >= 15, then the asymptotic series
 * -1/x^2 - 1/x^3 - sum B_2k (2k + 1) / x^(2k+2) through x^-16 (truncation
 * error below 1e-17 relative at x = 15). */
static inline double dd_tetragamma(double x)
{
    double acc = 0.0, z, z2, s;
    if (isnan(x) || x == -INFINITY) return NAN;
    if (x == INFINITY) return 0.0;
    if (x <= 0.0) {
        double c, q;
        if (x == floor(x)) return NAN; /* pole */
        /* psi2(x) = psi2(1 - x) - 2 pi^3 cot(pi x) / sin^2(pi x) */
        c = dd__cotpi(x);
        q = dd__csc2pi(x);
        return dd_tetragamma(1.0 - x) - 2.0 * DD_PI * DD_PI * DD_PI * c * q;
    }
    while (x < 15.0) {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    z = 1.0 / x;
    z2 = z * z;
    s = z2 * (0.5 - z2 * (1.0 / 6 - z2 * (1.0 / 6 - z2 * (3.0 / 10 - z2 * (5.0 / 6
          - z2 * (691.0 / 210 - z2 * (35.0 / 2)))))));
    return acc - z2 * (1.0 + z + s);
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

/* ------------------------------------------- helpers of the special functions */

/* exp(x*x), with the rounding of x*x taken into account as in dd__exp_neg_sq. */
static inline double dd__exp_sq(double x)
{
    double h, l;
    if (fabs(x) > 27.0) return INFINITY; /* beyond the largest double */
    h = dd__two_prod(x, x, &l);
    return exp(h) * (1.0 + l);
}

/* erfcx(x) = exp(x^2) erfc(x) near the centres c = k/4, k = -2..12, as
 * {erfcx(c) rounded, its remainder, erfcx'(c), erfcx''(c)/2}: the first
 * Taylor coefficients, printed from 60-digit values. The others follow from
 * the differential equation y' = 2xy - 2/sqrt(pi), which gives
 * a[n+1] = (2c a[n] + 2 a[n-1]) / (n+1) for n >= 1. */
static const double dd__erfcx_taylor[15][4] = {
    {1.952360489182557, 9.147891185959225e-17, -3.0807396562780696, 3.492730317321592},
    {1.358642370104722, 7.228199234484179e-18, -1.8077003521478736, 1.8105674581416906},
    {1.0, 0.0, -1.1283791670955126, 1.0},
    {0.7703465477309968, -1.1815041295276343e-17, -0.7432058932300142, 0.5845450744234932},
    {0.6156903441929259, -2.312175868623341e-17, -0.5126888229025867, 0.3593459327416325},
    {0.5069376502931449, -5.335681035462232e-17, -0.3679726916557954, 0.2309581315512983},
    {0.427583576155807, 5.235737283314228e-18, -0.27321201478389856, 0.15437156137190844},
    {0.3678229164523611, 1.387401093925035e-19, -0.20882187596460985, 0.1067955714965988},
    {0.3215854164543175, 1.7007985607722196e-17, -0.16362291773256007, 0.0761510398554774},
    {0.2849722347374364, 8.539813023973122e-18, -0.1309763455144852, 0.05576363008708727},
    {0.25539567631050575, -4.276022290165946e-18, -0.1067964618534896, 0.04180275260352655},
    {0.23108725873039188, -5.74762364596782e-18, -0.08848650280874916, 0.03199262741070626},
    {0.2108063640611436, -5.6277259093102524e-18, -0.07434734678979467, 0.024937997086656904},
    {0.1936620962790687, -1.2015846532739174e-17, -0.06323763756063484, 0.019758592987322864},
    {0.17900115118138996, -5.4272175920200274e-18, -0.05437226000717287, 0.015884371159871336},
};

/* 1/n, for the recurrence of the Taylor coefficients. */
static const double dd__inv_n[17] = {0.0, 1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6, 1.0 / 7, 1.0 / 8,
                                     1.0 / 9, 1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15, 1.0 / 16};

#define DD__1_SQRTPI 0.5641895835477563       /* 1/sqrt(pi), rounded ... */
#define DD__1_SQRTPI_LO 7.66772980658294e-18  /* ... and the rest */

/* erfcx(x) = exp(x^2) erfc(x) and its derivatives, without cancellation:
 *   r[0] erfcx(x), r[3] a correction (r[0] + r[3] is erfcx(x) to well below
 *   an ulp of r[0]; 0 for x < -0.625), r[1] erfcx'(x), r[4] erfcx'(x)/erfcx(x)
 *   (which does not underflow for huge x), r[2] erfcx''(x) when order >= 2.
 * x < -0.625: 2 exp(x^2) - erfcx(-x) (no cancellation: 2 exp(x^2) > 2.9 and
 *   erfcx(-x) < 0.57), derivatives from y' = 2xy - 2/sqrt(pi) and
 *   y'' = 2y + 2xy', whose terms have one sign there.
 * -0.625 <= x < 3.125: the Taylor series (16 terms, |x - c| <= 1/8) at the
 *   nearest centre of the table above, and its derivatives term by term.
 * x >= 3.125: Laplace's continued fraction
 *   erfcx(x) = (1/sqrt(pi)) / D0, D(k-1) = x + (k/2) / D(k),
 *   evaluated backwards from D(N) = x with N = 10 + 260/x^2 terms (enough for
 *   a relative truncation error below 1e-18 from x = 2 on). Then
 *   erfcx' = -erfcx / D1 and erfcx'' = 2 erfcx / (D1 D2) exactly: the
 *   textbook forms 2x erfcx - 2/sqrt(pi) and (4x^2 + 2) erfcx - 4x/sqrt(pi)
 *   would lose about 2x^2 and 2x^4 in relative accuracy. */
static inline void dd__erfcx(double x, int order, double *r)
{
    r[3] = 0.0;
    if (isnan(x)) {
        r[0] = r[1] = r[2] = r[4] = x;
        return;
    }
    if (x < -0.625) {
        double y, z[5], h, l, e;
        if (x < -27.0) {
            y = INFINITY;
        } else { /* 2 exp(h) (1 + l) - erfcx(-x) with x^2 = h + l, rounded once */
            dd__erfcx(-x, 1, z);
            h = dd__two_prod(x, x, &l);
            e = 2.0 * exp(h);
            y = e + (e * l - z[0]);
        }
        r[0] = y;
        r[1] = 2.0 * x * y - DD_2_SQRTPI;
        r[4] = r[1] / y;
        if (order > 1) r[2] = 2.0 * y + 2.0 * x * r[1];
        return;
    }
    if (x < 3.125) {
        int k = (int)floor(4.0 * x + 0.5), n;
        const double *t = dd__erfcx_taylor[k + 2];
        double c = 0.25 * k, h = x - c, a[17], q, s, d1, d2;
        a[0] = t[0];
        a[1] = t[2];
        a[2] = t[3];
        for (n = 2; n < 16; n++) a[n + 1] = (2.0 * c * a[n] + 2.0 * a[n - 1]) * dd__inv_n[n + 1];
        q = a[16];
        d1 = 16.0 * a[16];
        for (n = 15; n >= 1; n--) {
            q = q * h + a[n];
            d1 = d1 * h + n * a[n];
        }
        s = h * q + t[1];
        r[0] = t[0] + s;
        r[3] = (t[0] - r[0]) + s;
        r[1] = d1;
        r[4] = d1 / r[0];
        if (order > 1) {
            d2 = 240.0 * a[16];
            for (n = 15; n >= 2; n--) d2 = d2 * h + n * (n - 1) * a[n];
            r[2] = d2;
        }
        return;
    }
    if (x == INFINITY) {
        r[0] = r[1] = r[2] = 0.0;
        r[4] = -0.0;
        return;
    }
    {
        int n = 10 + (int)(260.0 / (x * x)), k;
        double d = x, d1, d2, q, d0, e, y, p, pe;
        for (k = n; k >= 3; k--) d = x + 0.5 * k / d;
        d2 = d;
        d1 = x + 1.0 / d2;
        q = 0.5 / d1;
        d0 = x + q;
        e = q - (d0 - x); /* d0 + e = x + q exactly */
        y = DD__1_SQRTPI / d0;
        if (x < 1e150) { /* the remainder of the division, for r[3] */
            p = dd__two_prod(y, d0, &pe);
            r[3] = (((DD__1_SQRTPI - p) - pe) + DD__1_SQRTPI_LO - y * e) / d0;
        }
        r[0] = y;
        r[1] = -y / d1;
        r[4] = -1.0 / d1;
        if (order > 1) r[2] = 2.0 * (y / d1) / d2;
    }
}

#define DD__1_SQRT2 0.7071067811865476
#define DD__1_SQRT2_LO (-4.833646656726457e-17)
#define DD__SQRT2 1.4142135623730951
#define DD__SQRT2_LO (-9.667293313452913e-17)
#define DD__1_SQRT2PI 0.3989422804014327 /* 1/sqrt(2 pi) */
#define DD__SQRT_2_PI 0.7978845608028654 /* sqrt(2/pi) */
#define DD__SQRT2PI 2.5066282746310007   /* sqrt(2 pi) */
#define DD__SQRT_PI_2 1.2533141373155003 /* sqrt(pi/2) */
#define DD__SQRTPI_2 0.886226925452758   /* sqrt(pi)/2 */

/* The parts of Phi(x) = erfc(t)/2 = exp(-x^2/2) erfcx(t)/2, t = -x/sqrt(2),
 * for x <= 0.6: r[0] + r[3] = erfcx(t) (with the rounding of t corrected
 * through erfcx'), r[1] = erfcx'(t), r[4] = erfcx'(t)/erfcx(t). */
static inline void dd__ndtr_parts(double x, double *r)
{
    double te = 0.0, t;
    if (fabs(x) < 1e150) {
        t = dd__two_prod(-x, DD__1_SQRT2, &te);
        te += -x * DD__1_SQRT2_LO;
    } else {
        t = -x * DD__1_SQRT2;
    }
    dd__erfcx(t, 1, r);
    r[3] += te * r[1];
}

/* Phi(x) = hi + *lo for x <= 0.6 (no cancellation: Phi is the product of
 * its parts). The pair carries the product of exp(-x^2/2) and
 * erfcx(t)/2 without its rounding, so that 1 - Phi and log(1 - Phi) are
 * off by little more than exp's own error. */
static inline double dd__ndtr_low(double x, double *lo)
{
    double r[5], h, l, e, f, fl, p;
    *lo = 0.0;
    if (x < -40.0) return 0.0; /* below 1e-349 */
    dd__ndtr_parts(x, r);
    h = dd__two_prod(x, x, &l); /* x^2 = h + l */
    e = exp(-0.5 * h);
    f = 0.5 * r[0];                     /* erfcx(t)/2 (1 - l/2) = f + fl */
    fl = 0.5 * (r[3] - 0.5 * l * r[0]);
    if (e < 1e-280) return (f + fl) * e; /* the one rounding that may be subnormal, last */
    p = dd__two_prod(e, f, lo);
    *lo += e * fl;
    return p;
}

/* The normal density exp(-x^2/2) / sqrt(2 pi). */
static inline double dd__npdf(double x)
{
    double h, l;
    if (fabs(x) > 40.0) return 0.0;
    h = dd__two_prod(x, x, &l);
    return (DD__1_SQRT2PI * (1.0 - 0.5 * l)) * exp(-0.5 * h);
}

/* erf(u) - e for |u| <= 1/2, accurate near a root: erf's Taylor series
 * (2/sqrt(pi)) u sum (-u^2)^n / (n! (2n+1)), its first term as an exact
 * product plus remainder, from which e is subtracted first. */
static inline double dd__erf_minus(double u, double e)
{
    double z = u * u, t, p, pe;
    t = z * (-1.0 / 3 + z * (1.0 / 10 + z * (-1.0 / 42 + z * (1.0 / 216 + z * (-1.0 / 1320
        + z * (1.0 / 9360 + z * (-1.0 / 75600 + z * (1.0 / 685440 + z * (-1.0 / 6894720
        + z * (1.0 / 76204800 + z * (-1.0 / 918086400.0 + z * (1.0 / 11975040000.0
        + z * (-1.0 / 168129561600.0)))))))))))));
    p = dd__two_prod(DD_2_SQRTPI, u, &pe);
    pe += 1.533545961316588e-17 * u; /* the rest of 2/sqrt(pi) */
    return (p - e) + (pe + p * t);
}

/* The root u >= 0 of erfc(u) = c, 0 < c <= 1, with e = 1 - c; c must be
 * exact where e >= 1/2 and e exact where e < 1/2 (so that each argument is
 * used only where it carries the information).
 * e < 1/2 (u < 0.477): Halley's iteration on F(u) = erf(u) - e, from the
 *   first three terms of erfinv's series.
 * e >= 1/2: Halley's iteration on G(u) = log erfc(u) - log c
 *   = log erfcx(u) - u^2 - log c, which is concave (so the iteration cannot
 *   overshoot into nonsense), from u^2 = L - log(pi L)/2, L = -log c (the
 *   first terms of the asymptotic inversion).
 * Returns the last iterate u; *du is its last correction, not yet applied
 * (the root is u - *du to far below an ulp: the residual of that step is
 * computed without cancellation), and *yx = erfcx(u - *du) when e >= 1/2. */
static inline double dd__erfc_root(double c, double e, double *du, double *yx)
{
    double u, d = 0.0;
    int i;
    *yx = 0.0;
    if (e < 0.5) {
        double z = e * e;
        u = DD__SQRTPI_2 * e * (1.0 + z * (0.2617993877991494 + z * 0.14393173084921979));
        for (i = 0; i < 8; i++) {
            d = dd__erf_minus(u, e) / (DD_2_SQRTPI * exp(-u * u)); /* F / F' */
            d = d / (1.0 + u * d);                                   /* F''/F' = -2u */
            if (!(fabs(d) > 1e-9 * u)) break;
            u -= d;
            d = 0.0;
        }
    } else {
        double L = -log(c), lc = log(c), y[5], h, l, g;
        u = sqrt(L - 0.5 * log(DD_PI * L));
        for (i = 0; i < 12; i++) {
            dd__erfcx(u, 1, y);
            h = dd__two_prod(u, u, &l);
            g = (((log(y[0]) - lc) - h) - l) + y[3] / y[0]; /* G(u) */
            d = -g * y[0] / DD_2_SQRTPI;                     /* G / G', G' = -(2/sqrt(pi)) / erfcx */
            d = d / (1.0 - 0.5 * g * y[1] / DD_2_SQRTPI);    /* G''/(2G'^2) = erfcx' / (2 (2/sqrt(pi))) */
            if (!(fabs(d) > 1e-9 * u)) break;
            u -= d;
            d = 0.0;
        }
        *yx = y[0] - d * y[1];
    }
    *du = d;
    return u;
}

/* log(x/y) for x, y > 0 without the cancellation of log near 1, and without
 * overflow or underflow of x/y. */
static inline double dd__log_ratio(double x, double y)
{
    double q = x / y;
    if (q >= 0.5 && q <= 2.0) return log1p((x - y) / y); /* x - y is exact (Sterbenz) */
    if (q > 2.2250738585072014e-308 && q < INFINITY) return log(q);
    return log(x) - log(y);
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

/* -------------------------------------------------- special functions (SciPy's) */

/* psi = digamma (SciPy's name of the ufunc); derivatives trigamma and tetragamma.
 * At the pole x = 0 the sign of the zero picks the side, as in SciPy:
 * psi(+0) = -inf and psi(-0) = +inf, with the one-sided limits of the
 * derivatives (+inf, and -inf or +inf). The other poles are NaN. */
DD_RULE(psi)
{
    if (x == 0.0) {
        r[0] = copysign(INFINITY, -x);
        r[1] = INFINITY;
        if (order > 1) r[2] = r[0];
        return;
    }
    r[0] = dd_digamma(x);
    r[1] = dd_trigamma(x);
    if (order > 1) r[2] = dd_tetragamma(x);
}

/* expit(x) = 1/(1 + exp(-x)). With e = exp(-|x|) <= 1 nothing cancels:
 * expit' = expit(x) expit(-x) = e/(1 + e)^2 and
 * expit'' = expit'(x) (1 - 2 expit(x)) = sign(x) expit' expm1(-|x|)/(1 + e). */
DD_RULE(expit)
{
    double e = exp(-fabs(x)), d = 1.0 + e, s1 = e / (d * d);
    r[0] = x >= 0.0 ? 1.0 / d : e / d;
    if (isnan(x)) r[0] = x;
    r[1] = s1;
    if (order > 1) r[2] = (x >= 0.0 ? s1 : -s1) * expm1(-fabs(x)) / d;
}

/* logit(x) = log(x/(1 - x)). Around 1/2, log1p of an exact difference
 * (2x - 1 and 1 - 2x are exact there) instead of log of a number near 1.
 * At 0 and 1 (value -inf and +inf) the derivatives are the limits from
 * inside: +inf, and -inf at 0, +inf at 1 for the second. Outside [0, 1]
 * all are NaN. */
DD_RULE(logit)
{
    double om = 1.0 - x, d;
    if (!(x >= 0.0 && x <= 1.0)) {
        r[0] = r[1] = NAN;
        if (order > 1) r[2] = NAN;
        return;
    }
    if (x >= 0.25 && x <= 0.75)
        r[0] = x < 0.5 ? -log1p((1.0 - 2.0 * x) / x) : log1p((2.0 * x - 1.0) / om);
    else
        r[0] = log(x / om);
    d = 1.0 / (x * om);
    r[1] = d;
    if (order > 1) r[2] = (2.0 * x - 1.0) * d * d;
}

/* log_expit(x) = log(expit(x)) = -log1p(exp(-x)), as x - log1p(exp(x)) for
 * x < 0 (no overflow). Derivatives 1 - expit(x) = expit(-x) and
 * -expit'(x), from e = exp(-|x|). */
DD_RULE(log_expit)
{
    double e = exp(-fabs(x)), d = 1.0 + e;
    r[0] = x < 0.0 ? x - log1p(e) : -log1p(e);
    r[1] = x < 0.0 ? 1.0 / d : e / d;
    if (order > 1) r[2] = -e / (d * d);
}

/* erfcx(x) = exp(x^2) erfc(x): see dd__erfcx. +inf for x < -26.6. */
DD_RULE(erfcx)
{
    double z[5];
    dd__erfcx(x, order, z);
    r[0] = z[0];
    r[1] = z[1];
    if (order > 1) r[2] = z[2];
}

/* erfinv(y): the root u of erf(u) = y, from dd__erfc_root with c = 1 - |y|
 * (exact for |y| >= 1/2, where it is used) and e = |y|.
 * erfinv' = (sqrt(pi)/2) exp(u^2), taken for |y| >= 1/2 as
 * (sqrt(pi)/2) erfcx(u) / (1 - |y|): exp(u^2) alone would turn the
 * relative error of u into 2u^2 times that (70 ulps at 1 - 1e-16).
 * erfinv'' = 2 u erfinv'^2. At y = +-1 the value is +-inf, the first
 * derivative +inf and the second +-inf (the limits); |y| > 1 gives NaN. */
DD_RULE(erfinv)
{
    double a = fabs(x), c = 1.0 - a, u, du, yx, d;
    if (!(a < 1.0)) {
        r[0] = a == 1.0 ? copysign(INFINITY, x) : NAN;
        r[1] = a == 1.0 ? INFINITY : NAN;
        if (order > 1) r[2] = r[0];
        return;
    }
    u = dd__erfc_root(c, a, &du, &yx);
    u -= du;
    r[0] = copysign(u, x);
    d = a >= 0.5 ? DD__SQRTPI_2 * yx / c : DD__SQRTPI_2 * dd__exp_sq(u);
    r[1] = d;
    if (order > 1) r[2] = 2.0 * r[0] * d * d;
}

/* ndtr(x) = Phi(x), the standard normal distribution function:
 * exp(-x^2/2) erfcx(-x/sqrt2) / 2 for x <= 0 (no cancellation, and no
 * underflow before Phi itself underflows, at x = -38.5), 1 - Phi(-x) for x > 0.
 * Derivatives: the normal density phi(x) and -x phi(x). */
DD_RULE(ndtr)
{
    double p = dd__npdf(x), q, ql;
    if (x <= 0.0) {
        q = dd__ndtr_low(x, &ql);
        r[0] = q + ql;
    } else {
        q = dd__ndtr_low(-x, &ql);
        r[0] = (1.0 - q) - ql;
    }
    if (isnan(x)) r[0] = x;
    r[1] = p;
    if (order > 1) r[2] = p == 0.0 ? 0.0 : -x * p;
}

/* log_ndtr(x) = log Phi(x).
 * x <= 0.6: log(erfcx(t)/2) - x^2/2 with t = -x/sqrt2 (a sum of terms of one
 *   sign for x <= 0; no overflow of exp(x^2), so x down to -1e150 and
 *   beyond). x > 0.6: log1p(-Phi(-x)).
 * The derivative R = phi/Phi is sqrt(2/pi)/erfcx(t) (the ratio form: phi and
 * Phi both underflow below x = -38.5), and R' = -R (x + R) with
 * x + R = -erfcx'(t) / (sqrt2 erfcx(t)) for x <= 0.6: the direct sum
 * cancels to 1/|x| for very negative x. At -inf: -inf, +inf and -1 (the limits). */
DD_RULE(log_ndtr)
{
    double z[5], rr;
    if (isnan(x)) {
        r[0] = r[1] = x;
        if (order > 1) r[2] = x;
        return;
    }
    if (x == -INFINITY) {
        r[0] = -INFINITY;
        r[1] = INFINITY;
        if (order > 1) r[2] = -1.0;
        return;
    }
    if (x <= 0.6) {
        double h, l = 0.0;
        dd__ndtr_parts(x, z);
        if (fabs(x) < 1e150) h = dd__two_prod(x, x, &l);
        else h = x * x;
        r[0] = (log(0.5 * z[0]) + (z[3] / z[0] - 0.5 * l)) - 0.5 * h;
        rr = DD__SQRT_2_PI / z[0];
        r[1] = rr;
        if (order > 1) r[2] = rr * z[4] / DD__SQRT2;
    } else {
        double ql, q = dd__ndtr_low(-x, &ql);
        r[0] = log1p(-q) - ql / (1.0 - q);
        rr = dd__npdf(x) / ((1.0 - q) - ql);
        r[1] = rr;
        if (order > 1) r[2] = -rr * (x + rr);
    }
}

/* ndtri(p) = Phi^-1(p) = -sqrt2 u, u the root of erfc(u) = 2q, q = min(p, 1 - p)
 * (exact), with the sign of p - 1/2; sqrt2 u is rounded once (from
 * dd__erfc_root's last iterate and correction).
 * ndtri' = 1/phi(x) = sqrt(2 pi) exp(u^2), taken for q < 1/4 as
 * sqrt(pi/2) erfcx(u) / q (see erfinv); ndtri'' = x ndtri'^2.
 * At p = 0 and 1 the value is -inf and +inf, the first derivative +inf and
 * the second -inf and +inf (the limits); outside [0, 1] NaN. */
DD_RULE(ndtri)
{
    double q, c, u, du, yx, d, ph, pl, v;
    if (!(x > 0.0 && x < 1.0)) {
        r[0] = x == 0.0 ? -INFINITY : (x == 1.0 ? INFINITY : NAN);
        r[1] = (x == 0.0 || x == 1.0) ? INFINITY : NAN;
        if (order > 1) r[2] = r[0];
        return;
    }
    if (x == 0.5) {
        r[0] = 0.0;
        r[1] = DD__SQRT2PI;
        if (order > 1) r[2] = 0.0;
        return;
    }
    q = x < 0.5 ? x : 1.0 - x;
    c = 2.0 * q;
    u = dd__erfc_root(c, 1.0 - c, &du, &yx);
    ph = dd__two_prod(DD__SQRT2, u, &pl);
    v = ph + ((pl + DD__SQRT2_LO * u) - DD__SQRT2 * du);
    r[0] = x < 0.5 ? -v : v;
    d = c <= 0.5 ? DD__SQRT_PI_2 * yx / q : DD__SQRT2PI * dd__exp_sq(u - du);
    r[1] = d;
    if (order > 1) r[2] = r[0] * d * d;
}

/* entr(x) = -x log x (SciPy's conventions: 0 at x = 0, -inf for x < 0).
 * At 0 the derivatives are the limits from the right, +inf and -inf; for
 * x < 0, where the value is the constant -inf of the convention rather than
 * a function, they are NaN. */
DD_RULE(entr)
{
    double l;
    if (x > 0.0) {
        l = log(x);
        r[0] = -x * l;
        r[1] = -l - 1.0;
        if (order > 1) r[2] = -1.0 / x;
    } else if (x == 0.0) {
        r[0] = 0.0;
        r[1] = INFINITY;
        if (order > 1) r[2] = -INFINITY;
    } else {
        r[0] = x < 0.0 ? -INFINITY : x;
        r[1] = NAN;
        if (order > 1) r[2] = NAN;
    }
}

/* sin(pi x) and cos(pi x), x reduced to r = x - n in [-1/2, 1/2] exactly, so
 * that sin(pi x) is exactly 0 at the integers; (-1)^n from n's parity. */
static inline void dd__sincospi(double x, double *s, double *c)
{
    double n = nearbyint(x), r = x - n, sg = (fmod(n, 2.0) != 0.0) ? -1.0 : 1.0;
    *s = sg * sin(DD_PI * r);
    *c = sg * cos(DD_PI * r);
}

/* rgamma(x) = 1/gamma(x), an entire function: 0 at the poles of gamma.
 * x >= 1/2: 1/tgamma(x) (tgamma overflows past 171.6: there gamma(x - n) and
 *   the product (x - 1) ... (x - n), so that the value underflows gradually;
 *   0 past 190), R' = -psi(x) R, R'' = R (psi(x)^2 - psi'(x)).
 * x < 1/2: the reflection R = G(x) S(x), G = gamma(1 - x), S = sin(pi x)/pi:
 *   R'  = G (cos(pi x) - psi(1 - x) S),
 *   R'' = G ((psi(1 - x)^2 + psi'(1 - x)) S - 2 psi(1 - x) cos(pi x) - pi sin(pi x)),
 *   which hold at the poles too (S = 0), where the derivatives are finite:
 *   R'(-k) = (-1)^k k!, R''(-k) = -2 (-1)^k k! psi(k + 1). psi(1 - x) and
 *   psi'(1 - x) are smooth there; R (psi^2 - psi') would cancel like 1/(x + k)^2
 *   near a pole. 1 - x is rounded; its rounding error e enters G as
 *   G (1 + psi(1 - x) e). Past x = -170 gamma(1 - x) overflows while R can be
 *   finite near a pole: there R = sign exp(lgamma(1 - x) + log|S|), whose
 *   relative error is that of the exponent (about 700 ulps of it).
 * The zeros are signed as 1/gamma's limit from the right of the pole:
 * rgamma(+0) = +0, rgamma(-0) = -0. rgamma(+inf) = 0 with derivatives
 * -0 and 0 (the limits); -inf and NaN give NaN. */
DD_RULE(rgamma)
{
    double y, e, g, p, p1, s, c;
    if (isnan(x) || x == -INFINITY) {
        r[0] = r[1] = NAN;
        if (order > 1) r[2] = NAN;
        return;
    }
    if (x >= 0.5) {
        double v;
        if (x == INFINITY) {
            r[0] = 0.0;
            r[1] = -0.0;
            if (order > 1) r[2] = 0.0;
            return;
        }
        if (x <= 171.0) {
            v = 1.0 / tgamma(x);
        } else if (x <= 190.0) {
            double z = x, q = 1.0;
            while (z > 171.0) {
                z -= 1.0;
                q *= z;
            }
            v = (1.0 / tgamma(z)) / q;
        } else {
            v = 0.0;
        }
        p = dd_digamma(x);
        r[0] = v;
        r[1] = -p * v;
        if (order > 1) r[2] = v * (p * p - dd_trigamma(x));
        return;
    }
    y = 1.0 - x;
    e = fabs(x) <= 1.0 ? (1.0 - y) - x : 1.0 - (y + x); /* 1 - x = y + e exactly */
    dd__sincospi(x, &s, &c);
    p = dd_digamma(y);
    p1 = order > 1 ? dd_trigamma(y) : 0.0;
    if (s == 0.0) s = x == 0.0 ? x : 0.0; /* +0 at the poles; rgamma(-0) = -0 */
    if (y <= 171.0) {
        g = tgamma(y);
        g += g * (p * e);
        r[0] = g * (s / DD_PI);
        r[1] = g * (c - p * (s / DD_PI));
        if (order > 1) r[2] = g * ((p * p + p1) * (s / DD_PI) - 2.0 * p * c - DD_PI * s);
        return;
    }
    /* exp(lgamma(y) + log|S|) with the sign of S; the derivatives are R times the
     * logarithmic derivatives (S = 0 here: R' and R'' overflow, as (-1)^k k! does) */
    if (s == 0.0) {
        r[0] = 0.0;
        r[1] = c * INFINITY;
        if (order > 1) r[2] = -c * INFINITY;
        return;
    }
    g = exp(lgamma(y) + log(fabs(s) / DD_PI));
    r[0] = copysign(g, s);
    r[1] = r[0] * (DD_PI * c / s - p);
    if (order > 1) {
        double q = DD_PI * c / s;
        r[2] = r[0] * ((p * p + p1) - 2.0 * p * q - DD_PI * DD_PI);
    }
}

/* gammasgn(x): the sign of gamma(x), a step function: 1 for x > 0, and for
 * x < 0 -1 on (-1, 0), +1 on (-2, -1), ... (-1 where floor(x) is odd). At
 * the zeros the sign of the zero picks the side (SciPy: gammasgn(-0) = -1).
 * Derivatives 0, as the step functions' (also at the jumps at +-0). At the
 * poles x = -1, -2, ... and at -inf the value is NaN (as SciPy), and so are
 * the derivatives: there is no function to differentiate. */
DD_RULE(gammasgn)
{
    double v;
    if (x > 0.0) v = 1.0;
    else if (x == 0.0) v = copysign(1.0, x);
    else if (x == floor(x) || isnan(x)) v = NAN; /* the poles, -inf, NaN */
    else v = (fmod(floor(x), 2.0) != 0.0) ? -1.0 : 1.0;
    r[0] = v;
    r[1] = isnan(v) ? NAN : 0.0;
    if (order > 1) r[2] = r[1];
}

/* erfcinv(y) = erfinv(1 - y), the root u of erfc(u) = y, for 0 <= y <= 2,
 * accurate for small y (where 1 - y would lose y's digits):
 * y <= 1: u = dd__erfc_root(c = y, e = 1 - y) (c is exact where e >= 1/2,
 *   and 1 - y is exact where e < 1/2);
 * y > 1: erfcinv(y) = -erfcinv(2 - y), 2 - y exact.
 * erfcinv' = -(sqrt(pi)/2) exp(u^2), for c <= 1/2 as -(sqrt(pi)/2) erfcx(u) / c
 * (see erfinv); erfcinv'' = 2 u erfcinv'^2. At y = 0 and 2 the value is +inf
 * and -inf, the first derivative -inf, the second +inf and -inf (the limits);
 * outside [0, 2] NaN. erfcinv(1) = 0 (SciPy: -0.0). */
DD_RULE(erfcinv)
{
    double c, u, du, yx, d;
    if (!(x > 0.0 && x < 2.0)) {
        r[0] = x == 0.0 ? INFINITY : (x == 2.0 ? -INFINITY : NAN);
        r[1] = (x == 0.0 || x == 2.0) ? -INFINITY : NAN;
        if (order > 1) r[2] = r[0];
        return;
    }
    c = x <= 1.0 ? x : 2.0 - x;
    if (c == 1.0) {
        r[0] = 0.0;
        r[1] = -DD__SQRTPI_2;
        if (order > 1) r[2] = 0.0;
        return;
    }
    u = dd__erfc_root(c, 1.0 - c, &du, &yx);
    u -= du;
    r[0] = x <= 1.0 ? u : -u;
    d = c <= 0.5 ? -DD__SQRTPI_2 * yx / c : -DD__SQRTPI_2 * dd__exp_sq(u);
    r[1] = d;
    if (order > 1) r[2] = 2.0 * r[0] * d * d;
}

/* ------------------------------------------------------- Bessel functions
 *
 * j0 j1 y0 y1 (the first and second kind, orders 0 and 1), i0 i1 (the modified
 * first kind) and i0e i1e (those times exp(-|x|)), as scipy.special's.
 * Derivatives from the neighbouring orders, which hold for J, Y and I alike up
 * to the sign s (-1 for J and Y, +1 for I):
 *   Z0' = s Z1,  Z0'' = (Z0 + s Z2) / 2 (J, Y: (Z2 - Z0) / 2),
 *   Z1' = (Z0 + s Z2) / 2,  Z1'' = (3 s Z1 + Z3) / 4 (J, Y: (Z3 - 3 Z1) / 4),
 * sums of positive terms for I, and without the cancellation of the
 * differential equation's form (Z1/x - Z0 ...) near 0.
 * Values: below DD__BESSEL_ASYM, J and exp(-x) I by Miller's backward
 * recurrence, Y by Neumann's series in those J; from
 * there on Hankel's expansions, whose terms fall below 1e-18 before they
 * would grow. J and Y have absolute errors of a few ulps (relative ones grow
 * near their zeros, as in every implementation that is not exact there). */
#define DD__EULER 0.57721566490153286   /* Euler's constant */
#define DD__BESSEL_ASYM 20.0

/* P and Q of Hankel's expansion for order n at x >= DD__BESSEL_ASYM:
 * sum_k (-1)^k a_2k / x^2k and sum_k (-1)^k a_2k+1 / x^2k+1 with
 * a_k = prod_{j <= k} (4 n^2 - (2j - 1)^2) / (k! 8^k). */
static inline void dd__bessel_pq(double n, double x, double *p, double *q)
{
    double mu = 4.0 * n * n, t = 1.0, P = 1.0, Q = 0.0;
    int k;
    for (k = 1; k < 80; k++) {
        double o = 2.0 * k - 1.0;
        t *= (mu - o * o) / (8.0 * k * x);
        if (k % 2) Q += (k % 4 == 1) ? t : -t;
        else P += (k % 4 == 2) ? -t : t;
        if (fabs(t) < 1e-18) break;
    }
    *p = P;
    *q = Q;
}

/* J0..J3 in j and, when y is not NULL, Y0..Y3 in y, for finite x > 0. */
static inline void dd__bessel_jy(double x, double *j, double *y)
{
    if (x >= DD__BESSEL_ASYM) {
        /* chi_n = x - (n/2 + 1/4) pi, whose cosines and sines come from those of
         * x (x - pi/4 would be rounded): chi_0: cos (c + s)/sqrt2, sin (s - c)/sqrt2;
         * chi_1: cos (s - c)/sqrt2, sin -(s + c)/sqrt2. */
        double s = sin(x), c = cos(x), f = sqrt(2.0 / (DD_PI * x)), p, q;
        double cp = (c + s) * DD__1_SQRT2, sm = (s - c) * DD__1_SQRT2;
        dd__bessel_pq(0.0, x, &p, &q);
        j[0] = f * (p * cp - q * sm);
        if (y) y[0] = f * (p * sm + q * cp);
        dd__bessel_pq(1.0, x, &p, &q);
        j[1] = f * (p * sm + q * cp);
        if (y) y[1] = f * (q * sm - p * cp);
        /* upward recurrence: stable for J below order x, and for Y always */
        j[2] = (2.0 / x) * j[1] - j[0];
        j[3] = (4.0 / x) * j[2] - j[1];
    } else if (x < 1e-5) {
        double x2 = x * x, L = log(0.5 * x) + DD__EULER;
        j[0] = 1.0 - 0.25 * x2;
        j[1] = 0.5 * x * (1.0 - 0.125 * x2);
        j[2] = 0.125 * x2 * (1.0 - x2 / 12.0);
        j[3] = x * x2 / 48.0;
        if (y) {
            y[0] = (2.0 / DD_PI) * (L * j[0] + 0.25 * x2);
            y[1] = (2.0 / DD_PI) * (L * (0.5 * x) - 1.0 / x - 0.25 * x);
        }
    } else {
        /* Miller: J_{k-1} = (2k/x) J_k - J_{k+1} from J_{N+1} = 0, J_N = 1, N even
         * far above x; then J0 + 2 (J2 + J4 + ...) = 1 fixes the scale. Neumann:
         *   Y0 = (2/pi) ((log(x/2) + gamma) J0 - 2 sum_{k>=1} (-1)^k J_2k / k),
         *   Y1 = -Y0' = (2/pi) ((log(x/2) + gamma) J1 - J0/x
         *               + sum_{k>=1} (-1)^k (J_{2k-1} - J_{2k+1}) / k),
         * whose second sum gives J_m (m odd, h = (m + 1)/2) the weight
         * (-1)^h (1/h + 1/(h - 1)) (-1 for m = 1). */
        int N = 2 * (int)((x + 14.0 + 6.0 * sqrt(x)) * 0.5), m;
        double t = 2.0 / x, up = 0.0, cur = 1.0, norm = 0.0, s0 = 0.0, s1 = 0.0, v;
        double jj[4] = {0.0, 0.0, 0.0, 0.0};
        for (m = N; m >= 0; m--) {
            if (m < N) { /* cur = J_{m+1}, up = J_{m+2} */
                v = ((double)(m + 1) * t) * cur - up;
                up = cur;
                cur = v;
            }
            v = cur; /* J_m */
            if (m <= 3) jj[m] = v;
            if (m % 2 == 0) {
                if (m > 0) {
                    norm += 2.0 * v;
                    s0 += ((m / 2) % 2 ? -v : v) / (double)(m / 2);
                } else {
                    norm += v;
                }
            } else {
                int h = (m + 1) / 2;
                double w = h == 1 ? 1.0 : 1.0 / h + 1.0 / (h - 1);
                s1 += (h % 2 ? -w : w) * v;
            }
            if (fabs(cur) > 1e250) { /* rescale everything kept */
                int i;
                cur *= 1e-250; up *= 1e-250; norm *= 1e-250; s0 *= 1e-250; s1 *= 1e-250;
                for (i = 0; i < 4; i++) jj[i] *= 1e-250;
            }
        }
        t = 1.0 / norm;
        for (m = 0; m < 4; m++) j[m] = jj[m] * t;
        if (y) {
            double L = log(0.5 * x) + DD__EULER;
            y[0] = (2.0 / DD_PI) * (L * j[0] - 2.0 * (s0 * t));
            y[1] = (2.0 / DD_PI) * (L * j[1] - j[0] / x + s1 * t);
        }
    }
    if (y) {
        y[2] = (2.0 / x) * y[1] - y[0];
        y[3] = isinf(y[2]) ? y[2] : (4.0 / x) * y[2] - y[1];
    }
}

/* J0 (n = 0) or J1 (n = 1) and derivatives; J0 is even, J1 odd. */
static inline void dd__bessel_j_rule(int n, double x, int order, double *r)
{
    double j[4], ax = fabs(x), sg = (n == 1 && x < 0.0) ? -1.0 : 1.0;
    if (isnan(x)) {
        r[0] = r[1] = NAN;
        if (order > 1) r[2] = NAN;
        return;
    }
    if (isinf(x)) {
        r[0] = r[1] = 0.0;
        if (order > 1) r[2] = 0.0;
        return;
    }
    dd__bessel_jy(ax, j, NULL);
    if (n == 0) {
        r[0] = j[0];
        r[1] = x < 0.0 ? j[1] : -j[1];
        if (order > 1) r[2] = 0.5 * (j[2] - j[0]);
    } else {
        r[0] = sg * j[1];
        r[1] = 0.5 * (j[0] - j[2]);
        if (order > 1) r[2] = sg * 0.25 * (j[3] - 3.0 * j[1]);
    }
    if (x == 0.0) { /* the signed zeros of -J1(x) and J1(x) */
        if (n == 0) r[1] = -x;
        else r[0] = x;
    }
}

/* Y0 (n = 0) or Y1 (n = 1) and derivatives: -inf at 0 (derivatives +inf,
 * -inf), NaN below. */
static inline void dd__bessel_y_rule(int n, double x, int order, double *r)
{
    double j[4], y[4];
    if (!(x >= 0.0)) {
        r[0] = r[1] = NAN;
        if (order > 1) r[2] = NAN;
        return;
    }
    if (x == 0.0 || isinf(x)) {
        r[0] = x == 0.0 ? -INFINITY : 0.0;
        r[1] = x == 0.0 ? INFINITY : 0.0;
        if (order > 1) r[2] = x == 0.0 ? -INFINITY : 0.0;
        return;
    }
    dd__bessel_jy(x, j, y);
    if (n == 0) {
        r[0] = y[0];
        r[1] = -y[1];
        if (order > 1) r[2] = 0.5 * (y[2] - y[0]);
    } else {
        r[0] = y[1];
        r[1] = 0.5 * (y[0] - y[2]);
        if (order > 1) r[2] = isinf(y[3]) ? y[3] : 0.25 * (y[3] - 3.0 * y[1]);
    }
}

/* exp(-x) I_k(x), k = 0..3, for 0 <= x < DD__BESSEL_ASYM: Miller's backward
 * recurrence I_{k-1} = (2k/x) I_k + I_{k+1} (stable downward, positive terms)
 * from an even N far above x, normalized by I0 + 2 (I1 + I2 + ...) = exp(x),
 * which gives the scaled values directly; below 1e-5 the power series. */
static inline void dd__bessel_i_scaled(double x, double *e)
{
    if (x < 1e-5) {
        double q = 0.25 * x * x, f = exp(-x);
        e[0] = f * (1.0 + q);
        e[1] = f * (0.5 * x * (1.0 + 0.5 * q));
        e[2] = f * (0.125 * x * x);
        e[3] = f * (x * x * x / 48.0);
        return;
    }
    {
        int N = 2 * (int)((x + 14.0 + 6.0 * sqrt(x)) * 0.5), m, i;
        double t = 2.0 / x, up = 0.0, cur = 1.0, norm = 0.0, v;
        double ii[4] = {0.0, 0.0, 0.0, 0.0};
        for (m = N; m >= 0; m--) {
            if (m < N) { /* cur = I_{m+1}, up = I_{m+2} */
                v = ((double)(m + 1) * t) * cur + up;
                up = cur;
                cur = v;
            }
            if (m <= 3) ii[m] = cur;
            norm += m ? 2.0 * cur : cur;
            if (cur > 1e250) {
                cur *= 1e-250; up *= 1e-250; norm *= 1e-250;
                for (i = 0; i < 4; i++) ii[i] *= 1e-250;
            }
        }
        for (i = 0; i < 4; i++) e[i] = ii[i] / norm;
    }
}

/* I_n(x) (scaled = 0) or exp(-x) I_n(x) (scaled = 1), n = 0 or 1, and
 * derivatives, for x >= 0. From DD__BESSEL_ASYM on, exp(-x) I_n(x) =
 * S(x) / sqrt(2 pi x), S = sum_k (-1)^k a_k / x^k (a_k as dd__bessel_pq), whose
 * derivatives come term by term: with g = (2 pi x)^(-1/2),
 *   (g S)' = g (S' - S/(2x)),  (g S)'' = g (S'' - S'/x + 3 S/(4 x^2)),
 * and I_n = exp(x) g S: I' = exp(x) (E + E'), I'' = exp(x) (E + 2 E' + E'').
 * Below, the scaled derivatives exp(-x) (I' - I), exp(-x) (I'' - 2 I' + I)
 * cancel: relative errors up to about x ulps (first) and x^2 ulps (second). */
static inline void dd__bessel_i_pos(int n, double x, int scaled, int order, double *r)
{
    if (x >= DD__BESSEL_ASYM) {
        double mu = 4.0 * n * n, t = 1.0, s0 = 1.0, s1 = 0.0, s2 = 0.0, g, e0, e1, e2;
        int k;
        if (isinf(x)) {
            r[0] = r[1] = scaled ? 0.0 : INFINITY;
            if (order > 1) r[2] = r[0];
            return;
        }
        for (k = 1; k < 80; k++) {
            double o = 2.0 * k - 1.0;
            t *= -(mu - o * o) / (8.0 * k * x);
            s0 += t;
            s1 -= (double)k * t / x;
            s2 += (double)k * (k + 1) * t / (x * x);
            if (fabs(t) < 1e-18) break;
        }
        g = 1.0 / sqrt(2.0 * DD_PI * x);
        e0 = g * s0;
        e1 = g * (s1 - s0 / (2.0 * x));
        e2 = g * (s2 - s1 / x + 0.75 * s0 / (x * x));
        if (scaled) {
            r[0] = e0;
            r[1] = e1;
            if (order > 1) r[2] = e2;
        } else { /* exp(x) in two halves: I_n is finite a little past exp's overflow */
            double h = exp(0.5 * x);
            r[0] = (h * e0) * h;
            r[1] = (h * (e0 + e1)) * h;
            if (order > 1) r[2] = (h * (e0 + 2.0 * e1 + e2)) * h;
        }
    } else {
        double e[4], v0, v1, v2;
        dd__bessel_i_scaled(x, e);
        if (n == 0) {
            v0 = e[0];
            v1 = e[1];
            v2 = 0.5 * (e[0] + e[2]);
        } else {
            v0 = e[1];
            v1 = 0.5 * (e[0] + e[2]);
            v2 = 0.25 * (3.0 * e[1] + e[3]);
        }
        if (scaled) {
            r[0] = v0;
            r[1] = v1 - v0;
            if (order > 1) r[2] = (v2 - 2.0 * v1) + v0;
        } else { /* exp(x) < 5e8 here */
            double f = exp(x);
            r[0] = v0 * f;
            r[1] = v1 * f;
            if (order > 1) r[2] = v2 * f;
        }
    }
}

/* I_n or its scaled form at any x: I0 is even, I1 odd (so are the scaled
 * forms, exp(-|x|) being even). At +-0 the scaled forms take the one-sided
 * slope of the side the zero's sign names (as fabs): i0e'(+0) = -1,
 * i0e'(-0) = +1. */
static inline void dd__bessel_i_rule(int n, double x, int scaled, int order, double *r)
{
    double p = n ? -1.0 : 1.0; /* the parity */
    if (isnan(x)) {
        r[0] = r[1] = NAN;
        if (order > 1) r[2] = NAN;
        return;
    }
    dd__bessel_i_pos(n, fabs(x), scaled, order, r);
    if (signbit(x)) {
        r[0] *= p;
        r[1] *= -p;
        if (order > 1) r[2] *= p;
    }
}

DD_RULE(j0) { dd__bessel_j_rule(0, x, order, r); }
DD_RULE(j1) { dd__bessel_j_rule(1, x, order, r); }
DD_RULE(y0) { dd__bessel_y_rule(0, x, order, r); }
DD_RULE(y1) { dd__bessel_y_rule(1, x, order, r); }
DD_RULE(i0) { dd__bessel_i_rule(0, x, 0, order, r); }
DD_RULE(i0e) { dd__bessel_i_rule(0, x, 1, order, r); }
DD_RULE(i1) { dd__bessel_i_rule(1, x, 0, order, r); }
DD_RULE(i1e) { dd__bessel_i_rule(1, x, 1, order, r); }

/* --------------------------------------------------- rules with a constant */

/* x**c for a constant exponent c.
 * Special cases (why): the coefficient c or c(c-1) is exactly 0 for c = 0 or
 * c = 1, and then the derivative is exactly 0 even where x**(c-1) is infinite
 * (x = 0), so x**0 has derivative 0 and x**1 second derivative 0 at 0.
 * Integer c >= 2 gives the exact values at 0 (x**2: 0 and 2). */
static inline void dd_rule_pow_const(double x, double c, int order, double *r)
{
    r[0] = (c == 2.0) ? x * x : pow(x, c); /* the same double: x * x is the correctly rounded square */
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

/* xlogy(x, y) = x log y, and 0 where x = 0 and y is not NaN (SciPy's
 * convention, also for y <= 0). On the line x = 0 the function is then
 * identically 0 in y, so d/dy and d2/dy2 are 0 there (the formulas x/y and
 * -x/y^2 would give NaN at y = 0); d/dx = log y and d2/dxdy = 1/y keep their
 * values (-inf and +inf at y = 0, NaN for y < 0). */
/* x log(u(y)) for u(y) = y (xlogy) or 1 + y (xlog1py): l = log(u), iy = 1 / u. */
static inline void dd__xlog_rule(double x, double y, double l, double iy, int order, double *r)
{
    int zero = x == 0.0 && !isnan(y);
    r[0] = zero ? 0.0 : x * l;
    r[1] = l;
    r[2] = zero ? 0.0 : x * iy;
    if (order > 1) {
        r[3] = 0.0;
        r[4] = iy;
        r[5] = zero ? 0.0 : -(x * iy) * iy;
    }
}

DD_RULE2(xlogy)
{
    dd__xlog_rule(x, y, log(y), 1.0 / y, order, r);
}

/* xlog1py(x, y) = x log1p(y), with xlogy's conventions at x = 0 (y = -1
 * plays the part of y = 0). 1 + y is exact near -1, where it matters. */
DD_RULE2(xlog1py)
{
    dd__xlog_rule(x, y, log1p(y), 1.0 / (1.0 + y), order, r);
}

/* rel_entr(x, y) = x log(x/y) for x, y > 0; 0 for x = 0, y >= 0; +inf
 * otherwise (SciPy's conventions); NaN if either is NaN. log(x/y) is taken
 * without cancellation near x = y (dd__log_ratio).
 * Derivatives: log(x/y) + 1, -x/y, 1/x, -1/y, x/y^2.
 * At x = 0, y > 0: the limits from x > 0 (d/dx = -inf, d2/dx2 = +inf) and,
 * in y, 0 (the function is identically 0 along x = 0). At (0, 0), where the
 * limits along different paths differ, the x-derivatives are NaN and the
 * y-derivatives 0. Where the value is the +inf of the convention, all the
 * derivatives are NaN. */
DD_RULE2(rel_entr)
{
    if (x > 0.0 && y > 0.0) {
        double l = dd__log_ratio(x, y), q = x / y;
        r[0] = x * l;
        r[1] = l + 1.0;
        r[2] = -q;
        if (order > 1) {
            r[3] = 1.0 / x;
            r[4] = -1.0 / y;
            r[5] = q / y;
        }
    } else if (x == 0.0 && y > 0.0) {
        r[0] = 0.0;
        r[1] = -INFINITY;
        r[2] = 0.0;
        if (order > 1) {
            r[3] = INFINITY;
            r[4] = -1.0 / y;
            r[5] = 0.0;
        }
    } else if (x == 0.0 && y == 0.0) {
        r[0] = 0.0;
        r[1] = NAN;
        r[2] = 0.0;
        if (order > 1) {
            r[3] = NAN;
            r[4] = NAN;
            r[5] = 0.0;
        }
    } else {
        r[0] = (isnan(x) || isnan(y)) ? NAN : INFINITY;
        r[1] = r[2] = NAN;
        if (order > 1) r[3] = r[4] = r[5] = NAN;
    }
}

/* ------------------------------------------------------- beta and betaln */

/* psi(a + b) - psi(a) for a, b > 0, as a sum of positive terms (the
 * difference of the two cancels when b << a): psi(x + 1) = psi(x) + 1/x
 * moves a up to 20 with the terms b/(x (x + b)), then, with L = log1p(b/x)
 * and c_k the coefficients of digamma's asymptotic series,
 *   psi(x + b) - psi(x) = L + b/(2 x (x + b)) - sum c_k x^-2k expm1(-2k L).
 * (At x = 10 the first omitted term would be 7e-16 of the difference: the
 * series of a difference converges more slowly.) Elsewhere the plain
 * difference. */
static inline double dd__psi_diff(double a, double b)
{
    static const double ck[7] = {1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132,
                                 -691.0 / 32760, 1.0 / 12};
    double s = 0.0, L, x2, xk, t;
    int k;
    if (!(a > 0.0 && b > 0.0 && a < INFINITY && b < INFINITY)) return dd_digamma(a + b) - dd_digamma(a);
    while (a < 20.0) {
        s += (b / (a + b)) / a;
        a += 1.0;
    }
    L = log1p(b / a);
    t = L + 0.5 * (b / (a + b)) / a;
    x2 = 1.0 / (a * a);
    xk = x2;
    for (k = 1; k <= 7; k++) {
        t -= ck[k - 1] * xk * expm1(-2.0 * k * L);
        xk *= x2;
    }
    return s + t;
}

/* psi'(a) - psi'(a + b) for a, b > 0, likewise: the terms
 * (1/x - 1/(x + b)) (1/x + 1/(x + b)) up to x = 20, then trigamma's
 * asymptotic series sum e_m x^-m, term by term as -e_m x^-m expm1(-m L). */
static inline double dd__trigamma_diff(double a, double b)
{
    static const double em[9] = {1.0, 0.5, 1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66,
                                 -691.0 / 2730, 7.0 / 6};
    static const int m[9] = {1, 2, 3, 5, 7, 9, 11, 13, 15};
    double s = 0.0, L, xi, t = 0.0;
    int k;
    if (!(a > 0.0 && b > 0.0 && a < INFINITY && b < INFINITY)) return dd_trigamma(a) - dd_trigamma(a + b);
    while (a < 20.0) {
        s += ((b / (a + b)) / a) * (1.0 / a + 1.0 / (a + b));
        a += 1.0;
    }
    L = log1p(b / a);
    xi = 1.0 / a;
    for (k = 8; k >= 0; k--) t -= em[k] * pow(xi, m[k]) * expm1(-m[k] * L);
    return s + t;
}

/* lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2) for x >= 10: Stirling's
 * series through x^-15 (truncation error below 1e-19 at x = 10). */
static inline double dd__lgamma_corr(double x)
{
    double z = 1.0 / (x * x);
    return (1.0 / 12 - z * (1.0 / 360 - z * (1.0 / 1260 - z * (1.0 / 1680 - z * (1.0 / 1188
           - z * (691.0 / 360360 - z * (1.0 / 156 - z * (3617.0 / 122400)))))))) / x;
}

#define DD__LOG_SQRT_2PI 0.9189385332046728 /* log(2 pi)/2 */

/* x + y = s + *e exactly (Knuth's two-sum). The gamma function magnifies
 * the rounding of a sum x + y near 170 to hundreds of ulps (by
 * psi(s) s / 2^53): the beta rules correct for *e. */
static inline double dd__two_sum(double x, double y, double *e)
{
    double s = x + y, bb = s - x;
    *e = (x - (s - bb)) + (y - bb);
    return s;
}

/* lgamma(q) - lgamma(q + p) for q >= 10, p > 0, from Stirling's formula as
 * (q - 1/2) log1p(-p/s) + p - p log s + corr(q) - corr(s), s = q + p:
 * lgamma(q) and lgamma(q + p) alone would cancel to about p log q. (The
 * rounding of s hardly moves this form: its slope in s at fixed p and q is
 * -p/(2 q s).) */
static inline double dd__lgamma_diff(double p, double q)
{
    double s = p + q;
    return (((q - 0.5) * log1p(-p / s) + p) - p * log(s)) + (dd__lgamma_corr(q) - dd__lgamma_corr(s));
}

/* tgamma(p) / tgamma(p + q) * tgamma(q) for p, q > 0, p + q <= 171 (no
 * overflow in between for p <= q), with the rounding e of p + q corrected:
 * gamma(s + e) = gamma(s) (1 + psi(s) e). */
static inline double dd__beta_ratio(double p, double q)
{
    double e, s = dd__two_sum(p, q, &e), v = tgamma(p) / tgamma(s) * tgamma(q);
    return e == 0.0 ? v : v - v * (dd_digamma(s) * e);
}

/* log|B(a, b)| for a, b > 0, p = min(a, b), q = max(a, b):
 * p >= 10: Stirling's formula, arranged as terms of one sign:
 *   -log(q)/2 + log(2 pi)/2 + (p - 1/2) log(p/(p + q)) + q log1p(-p/(p + q))
 *   + corr(p) + corr(q) - corr(p + q);
 * p < 10 <= q: lgamma(p) + (lgamma(q) - lgamma(p + q)) (dd__lgamma_diff);
 * q < 10: the log of dd__beta_ratio (lgamma's sum below p = 1e-300, where
 *   tgamma(p) overflows).
 * Near the zeros of log B (B = 1) the error is absolute, about an ulp of 1. */
static inline double dd__betaln_pos(double a, double b)
{
    double p = a < b ? a : b, q = a < b ? b : a, s = p + q, w = p / s;
    if (p >= 10.0)
        return ((-0.5 * log(q) + DD__LOG_SQRT_2PI) + ((p - 0.5) * log(w) + q * log1p(-w)))
               + ((dd__lgamma_corr(p) - dd__lgamma_corr(s)) + dd__lgamma_corr(q));
    if (q >= 10.0) return lgamma(p) + dd__lgamma_diff(p, q);
    if (p < 1e-300) return lgamma(p) + (lgamma(q) - lgamma(s));
    return log(dd__beta_ratio(p, q));
}

/* beta and betaln with one argument +inf and the other b finite and
 * positive: the limits B = 0 (B ~ gamma(b) a^-b, with all its partials) and
 * log B = -inf, with partials -0 along the infinite argument (-b/a), -inf
 * along b (psi(b) - log a); second partials 0, -0 and psi'(b). Returns
 * whether it applied. */
static inline int dd__beta_inf(double x, double y, int log, int order, double *r)
{
    int xi = x == INFINITY && y > 0.0 && y < INFINITY, yi = y == INFINITY && x > 0.0 && x < INFINITY;
    if (!xi && !yi) return 0;
    if (!log) {
        r[0] = r[1] = r[2] = 0.0;
        if (order > 1) r[3] = r[4] = r[5] = 0.0;
        return 1;
    }
    r[0] = -INFINITY;
    r[1] = xi ? -0.0 : -INFINITY;
    r[2] = xi ? -INFINITY : -0.0;
    if (order > 1) {
        r[3] = xi ? 0.0 : dd_trigamma(x);
        r[4] = -0.0;
        r[5] = xi ? dd_trigamma(y) : 0.0;
    }
    return 1;
}

/* Whether x is a pole of gamma (0, -1, -2, ...). */
static inline int dd__gamma_pole(double x)
{
    return x <= 0.0 && x == floor(x);
}

/* The arguments of beta (log 0) and betaln (log 1) whose values are not
 * computed: NaN (no value), a pole of gamma(a) or gamma(b) (+inf with NaN
 * partials) and the limits at +inf (dd__beta_inf). Returns whether it
 * applied. */
static inline int dd__beta_edge(double x, double y, int log, int order, double *r)
{
    int none = isnan(x + y) || (isinf(x) && isinf(y)); /* no value: NaN */
    if (none || dd__gamma_pole(x) || dd__gamma_pole(y)) {
        r[0] = none ? NAN : INFINITY;
        r[1] = r[2] = NAN;
        if (order > 1) r[3] = r[4] = r[5] = NAN;
        return 1;
    }
    return dd__beta_inf(x, y, log, order, r);
}

/* betaln(a, b) = log|B(a, b)|, B = gamma(a) gamma(b) / gamma(a + b).
 * Partials psi(a) - psi(a + b), psi(b) - psi(a + b); psi'(a) - psi'(a + b),
 * -psi'(a + b), psi'(b) - psi'(a + b), the differences for a, b > 0 without
 * cancellation (dd__psi_diff, dd__trigamma_diff).
 * Value for a, b > 0: dd__betaln_pos; for other arguments
 * lgamma(a) + lgamma(b) - lgamma(a + b) (absolute accuracy).
 * At a pole of gamma(a) or gamma(b): +inf (SciPy's value) and NaN partials;
 * where only a + b is a pole: B = 0, -inf, and NaN partials (log|B| has no
 * derivative where B vanishes). +inf with a finite positive argument: the
 * limits (dd__beta_inf); other infinite arguments and NaN give NaN. */
DD_RULE2(betaln)
{
    double s = x + y;
    if (dd__beta_edge(x, y, 1, order, r)) return;
    if (x > 0.0 && y > 0.0) {
        r[0] = dd__betaln_pos(x, y);
    } else {
        double e;
        dd__two_sum(x, y, &e);
        r[0] = lgamma(x) + lgamma(y) - lgamma(s);
        if (e != 0.0) r[0] -= dd_digamma(s) * e; /* the rounding of x + y */
    }
    r[1] = 0.0 - dd__psi_diff(x, y); /* no -0.0 where the difference is +0 */
    r[2] = 0.0 - dd__psi_diff(y, x);
    if (order > 1) {
        r[3] = dd__trigamma_diff(x, y);
        r[4] = -dd_trigamma(s);
        r[5] = dd__trigamma_diff(y, x);
    }
}

/* beta(a, b) = gamma(a) gamma(b) / gamma(a + b).
 * a, b > 0, p = min(a, b), q = max(a, b): a + b <= 171: the ratio
 *   tgamma(p) / tgamma(a + b) * tgamma(q) (dd__beta_ratio), as SciPy but with
 *   the rounding of a + b corrected,
 *   except for p < 10 <= q with |lgamma(q) - lgamma(p + q)| <= 1, where
 *   tgamma(p) exp(lgamma(q) - lgamma(p + q)) (dd__lgamma_diff) is the more
 *   accurate; a + b > 171: the same for p < 10, else exp(betaln). The
 *   relative error of exp(e) is the absolute error of e, about |e| ulps
 *   (SciPy's beta also goes through a logarithm past 171).
 *   Partials B da, B db with da = psi(a) - psi(a + b) = -dd__psi_diff(a, b);
 *   B (da^2 + psi'(a) - psi'(a + b)), B (da db - psi'(a + b)), B (db^2 + ...).
 * Other arguments: B = gamma(a) gamma(b) R(a + b) with R = rgamma and its
 *   derivatives from dd_rule_rgamma, which is smooth through the poles of
 *   gamma(a + b): B is 0 there with finite nonzero derivatives. With
 *   g = gamma(a) gamma(b): B_a = g (psi(a) R + R'),
 *   B_aa = g ((psi(a)^2 + psi'(a)) R + 2 psi(a) R' + R''),
 *   B_ab = g (psi(a) psi(b) R + (psi(a) + psi(b)) R' + R'').
 *   Where g overflows, sign exp(lgamma sum) and the logarithmic derivatives.
 * At a pole of gamma(a) or gamma(b): +inf with NaN partials (SciPy's value
 * is +inf there, -inf at some). +inf with a finite positive argument: 0 and
 * zero partials (dd__beta_inf); other infinite arguments and NaN give NaN. */
DD_RULE2(beta)
{
    double s = x + y, v;
    if (dd__beta_edge(x, y, 0, order, r)) return;
    if (x > 0.0 && y > 0.0) {
        double p = x < y ? x : y, q = x < y ? y : x, da, db;
        double e = (p < 10.0 && q >= 10.0) ? dd__lgamma_diff(p, q) : NAN;
        if (fabs(e) <= 1.0 || (s > 171.0 && p < 10.0)) v = tgamma(p) * exp(e);
        else if (s <= 171.0) v = dd__beta_ratio(p, q);
        else v = exp(dd__betaln_pos(x, y));
        da = 0.0 - dd__psi_diff(x, y);
        db = 0.0 - dd__psi_diff(y, x);
        r[0] = v;
        r[1] = v * da;
        r[2] = v * db;
        if (order > 1) {
            r[3] = v * (da * da + dd__trigamma_diff(x, y));
            r[4] = v * (da * db - dd_trigamma(s));
            r[5] = v * (db * db + dd__trigamma_diff(y, x));
        }
        return;
    }
    {
        double g = tgamma(x) * tgamma(y), R[3], pa = dd_digamma(x), pb = dd_digamma(y), e;
        dd__two_sum(x, y, &e);
        dd_rule_rgamma(s, order, R);
        R[0] += R[1] * e; /* the rounding of x + y */
        if (isfinite(g) && g != 0.0) {
            r[0] = g * R[0];
            r[1] = g * (pa * R[0] + R[1]);
            r[2] = g * (pb * R[0] + R[1]);
            if (order > 1) {
                r[3] = g * ((pa * pa + dd_trigamma(x)) * R[0] + 2.0 * pa * R[1] + R[2]);
                r[4] = g * (pa * pb * R[0] + (pa + pb) * R[1] + R[2]);
                r[5] = g * ((pb * pb + dd_trigamma(y)) * R[0] + 2.0 * pb * R[1] + R[2]);
            }
            return;
        }
        /* gamma(a) gamma(b) out of range: the value from the logarithm, with the
         * sign of the gammas and of R (a + b away from its poles here: R = 0
         * would make B 0 times an overflow) */
        {
            double sg = (x > 0.0 || fmod(floor(x), 2.0) == 0.0 ? 1.0 : -1.0)
                        * (y > 0.0 || fmod(floor(y), 2.0) == 0.0 ? 1.0 : -1.0)
                        * (s > 0.0 || fmod(floor(s), 2.0) == 0.0 ? 1.0 : -1.0);
            double ps = dd_digamma(s), da = pa - ps, db = pb - ps;
            v = sg * exp(lgamma(x) + lgamma(y) - lgamma(s));
            r[0] = v;
            r[1] = v * da;
            r[2] = v * db;
            if (order > 1) {
                double t = dd_trigamma(s);
                r[3] = v * (da * da + dd_trigamma(x) - t);
                r[4] = v * (da * db - t);
                r[5] = v * (db * db + dd_trigamma(y) - t);
            }
        }
    }
}

/* ------------------------------------------------------------- the table */

/* X(name) for every unary rule, in op-code order. */
#define DD_UNARY_RULES(X) \
    X(sqrt) X(cbrt) X(exp) X(exp2) X(expm1) X(log) X(log2) X(log10) X(log1p) \
    X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) \
    X(sinh) X(cosh) X(tanh) X(asinh) X(acosh) X(atanh) \
    X(erf) X(erfc) X(gamma) X(lgamma) X(fabs) \
    X(floor) X(ceil) X(trunc) X(rint) X(sign) \
    X(degrees) X(radians) X(square) X(reciprocal) \
    X(psi) X(expit) X(logit) X(log_expit) X(erfcx) X(erfinv) X(ndtr) X(log_ndtr) X(ndtri) X(entr) \
    X(rgamma) X(gammasgn) X(erfcinv) \
    X(j0) X(j1) X(y0) X(y1) X(i0) X(i0e) X(i1) X(i1e)

/* X(name) for every binary rule, in op-code order. */
#define DD_BINARY_RULES(X) \
    X(mul) X(div) X(pow) X(floordiv) X(mod) X(add) X(sub) DD_BINARY_FUNCTIONS(X)

/* The binary rules that are functions (not operators) in C, numpy and math. */
#define DD_BINARY_FUNCTIONS(X) \
    X(atan2) X(hypot) X(fmod) X(remainder) X(copysign) X(maximum) X(minimum) X(fmax) X(fmin) \
    X(xlogy) X(xlog1py) X(rel_entr) X(beta) X(betaln)

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
    case DD_OP_gammasgn:
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
