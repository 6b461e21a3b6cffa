/*
 * dualdiff/dd_drivers.h - derivatives of user functions, and a Newton solver.
 *
 * Included by dualdiff/dualdiff.h. Plain C99, no Python, every function
 * static inline: nothing to link, no global state. The Cython declarations in
 * dualdiff/dualdiff.pxd must match this header (a test compares the two).
 *
 * ---------------------------------------------------------- the callback
 *
 *   typedef int (*dd_func)(const double *x, double *f,
 *                          size_t n_in, size_t n_out, size_t width, void *data);
 *
 * A function R^n_in -> R^n_out written on first-order dual numbers of width
 * `width` (layout frozen, see dualdiff.h): each number is m = width + 1
 * doubles [value, t_1, ..., t_width] and the numbers lie one after another,
 *   input i  at x + i * m   (i < n_in),
 *   output k at f + k * m   (k < n_out).
 * The callback fills all n_out outputs using dd_add, dd_mul, dd_sin, ... with
 * n = width and order = 1, and returns 0. Any other return value stops the
 * driver, which returns that value unchanged; use positive codes so they are
 * told apart from the drivers' own negative codes (DD_ERR_*).
 *   - width is chosen by the driver, 1 <= width <= chunk (the chunk the caller
 *     passed; it is smaller for the last chunk when chunk does not divide
 *     n_in). Width 0 (values only, m = 1) works too with the dd_* functions,
 *     so the same callback can be called directly to evaluate f.
 *   - x and f never overlap. f arrives uninitialised.
 *   - data is the caller's pointer, passed through untouched.
 *   - x and f point into the driver's work buffer: do not keep them after
 *     returning.
 * Scratch numbers inside the callback need m doubles each; since width never
 * exceeds the chunk (n_in when chunk is 0), a fixed-size local array bounded
 * by the chunk is enough.
 *
 * No driver keeps state between calls, so threads may run them at the same
 * time, each with its own work buffer (and a thread-safe callback).
 *
 * ---------------------------------------------------------- the drivers
 *
 * All write into caller-owned buffers and return 0 on success, a DD_ERR_*
 * code (negative), or the callback's nonzero code.
 * Jacobians are row-major, n_out rows by n_in columns:
 *   jac[k * n_in + i] = d f_k / d x_i.
 * `chunk` is the number of directions per callback call (width <= chunk);
 * 0 means all n_in at once. Fewer, wider calls are usually faster for small
 * systems; a chunk bounds the width, and so the callback's scratch, for large
 * ones. `work` holds dd_work_size(n_in, n_out, chunk) doubles (the seeded
 * inputs and the outputs of one call) and may be reused between calls.
 *
 *   dd_work_size(n_in, n_out, chunk)                                  -> doubles
 *   dd_derivative(f, data, x, fx, dfdx)                   scalar R -> R, no work
 *   dd_gradient(f, data, x, n, chunk, fx, grad, work)     R^n -> R
 *   dd_jacobian(f, data, x, n_in, n_out, chunk, jac, work)
 *   dd_value_and_jacobian(f, data, x, n_in, n_out, chunk, fx, jac, work)
 *   dd_jvp(f, data, x, v, n_in, n_out, fx, jv, work)     J v in one width-1 call;
 *                                                         work: dd_work_size(n_in, n_out, 1)
 *   dd_taylor(f, data, x, v, n_in, n_out, degree, coef, work)
 *                                 Taylor coefficients of f(x + t v), any degree, one call
 *                                 (f a dd_taylor_func on Taylor numbers);
 *                                 work: dd_taylor_work_size(n_in, n_out, degree)
 *   dd_lu_solve(a, b, n)                                  solve a y = b in place
 *   dd_newton_work_size(n, chunk)                                     -> doubles
 *   dd_newton(f, data, x, n, chunk, ftol, xtol, maxiter, fx, work, iterations)
 * Output pointers documented as "may be NULL" are skipped when NULL.
 * Every input is read before any output is written, so an output may overlap
 * an input: fx or jac over x, jv over x or v (dd_value_and_jacobian reads x
 * once, for its first chunk). Outputs must not overlap each other or work;
 * dd_newton's x is an output too, so its fx must not overlap x. dd_lu_solve
 * works in place by design.
 */
#ifndef DUALDIFF_DD_DRIVERS_H
#define DUALDIFF_DD_DRIVERS_H

#include <math.h>
#include <stddef.h>

#include "dd_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of the drivers (a callback's own codes should be positive). */
#define DD_OK 0
#define DD_ERR_ARGS (-1)       /* NULL function or buffer, n_in or n_out of 0 */
#define DD_ERR_SINGULAR (-2)   /* the Jacobian has a zero or non-finite pivot */
#define DD_ERR_NONFINITE (-3)  /* the function value is NaN or infinite */
#define DD_ERR_MAXITER (-4)    /* Newton: maxiter iterations without convergence */
#define DD_ERR_NOPROGRESS (-5) /* Newton: no step length reduced |f| */

typedef int (*dd_func)(const double *x, double *f, size_t n_in, size_t n_out, size_t width, void *data);

/* ------------------------------------------------------------ seeding */

/* Effective chunk: 0 or anything above n_in means n_in. */
static inline size_t dd__chunk(size_t chunk, size_t n_in)
{
    return (chunk == 0 || chunk > n_in) ? n_in : chunk;
}

/* Doubles of workspace for dd_gradient, dd_jacobian, dd_value_and_jacobian
 * (and, with chunk 1, dd_jvp): (n_in + n_out) numbers of width chunk. */
static inline size_t dd_work_size(size_t n_in, size_t n_out, size_t chunk)
{
    return (n_in + n_out) * (dd__chunk(chunk, n_in) + 1);
}

/* One callback call over directions j0 .. j0 + w - 1: seeds the inputs into
 * work, runs f and copies its value (fx, may be NULL) and the w Jacobian
 * columns (jac, may be NULL) out. x is read for the first chunk only (j0 == 0);
 * later chunks take the values from the previous chunk's seeds in work, mprev
 * doubles apart (mprev >= w + 1: the chunks never widen), so that fx and jac
 * may overlap x. */
static inline int dd__chunk_call(dd_func f, void *data, const double *x, size_t n_in, size_t n_out,
                                 size_t j0, size_t w, size_t mprev, double *fx, double *jac, double *work)
{
    size_t i, k, j, m = w + 1;
    double *xd = work, *fd = work + n_in * m;
    int status;
    for (i = 0; i < n_in; i++) {
        double *xi = xd + i * m;
        /* with m <= mprev, number i's new place ends before number i + 1's old value */
        xi[0] = j0 == 0 ? x[i] : xd[i * mprev];
        for (j = 1; j < m; j++) xi[j] = 0.0;
        if (i >= j0 && i < j0 + w) xi[1 + (i - j0)] = 1.0;
    }
    status = f(xd, fd, n_in, n_out, w, data);
    if (status != 0) return status;
    for (k = 0; k < n_out; k++) {
        const double *fk = fd + k * m;
        if (fx) fx[k] = fk[0];
        if (jac)
            for (j = 0; j < w; j++) jac[k * n_in + j0 + j] = fk[1 + j];
    }
    return DD_OK;
}

/* ------------------------------------------------------------ the verbs */

/* dd_value_and_jacobian(f, data, x, n_in, n_out, chunk, fx, jac, work) -> status
 * The value f(x) into fx (n_out doubles, may be NULL) and the Jacobian into
 * jac (n_out * n_in doubles, row-major), in ceil(n_in / chunk) calls of f. */
static inline int dd_value_and_jacobian(dd_func f, void *data, const double *x, size_t n_in, size_t n_out,
                                        size_t chunk, double *fx, double *jac, double *work)
{
    size_t j0, w = 0, c = dd__chunk(chunk, n_in);
    if (!f || !x || !jac || !work || n_in == 0 || n_out == 0) return DD_ERR_ARGS;
    for (j0 = 0; j0 < n_in; j0 += c) {
        size_t mprev = w + 1;
        int status;
        w = n_in - j0 < c ? n_in - j0 : c;
        /* the value comes with every chunk; keep the first */
        status = dd__chunk_call(f, data, x, n_in, n_out, j0, w, mprev, j0 == 0 ? fx : NULL, jac, work);
        if (status != 0) return status;
    }
    return DD_OK;
}

/* dd_jacobian(f, data, x, n_in, n_out, chunk, jac, work) -> status
 * The Jacobian of f at x into jac (n_out * n_in doubles, row-major). */
static inline int dd_jacobian(dd_func f, void *data, const double *x, size_t n_in, size_t n_out, size_t chunk,
                              double *jac, double *work)
{
    return dd_value_and_jacobian(f, data, x, n_in, n_out, chunk, NULL, jac, work);
}

/* dd_gradient(f, data, x, n, chunk, fx, grad, work) -> status
 * For f: R^n -> R (n_out = 1): f(x) into *fx (may be NULL) and the gradient
 * into grad (n doubles). work: dd_work_size(n, 1, chunk) doubles. */
static inline int dd_gradient(dd_func f, void *data, const double *x, size_t n, size_t chunk, double *fx,
                              double *grad, double *work)
{
    return dd_value_and_jacobian(f, data, x, n, 1, chunk, fx, grad, work);
}

/* dd_derivative(f, data, x, fx, dfdx) -> status
 * For f: R -> R (n_in = n_out = 1): f(x) into *fx (may be NULL) and f'(x)
 * into *dfdx, in one width-1 call. Needs no workspace. */
static inline int dd_derivative(dd_func f, void *data, double x, double *fx, double *dfdx)
{
    double work[4];
    if (!dfdx) return DD_ERR_ARGS;
    return dd_value_and_jacobian(f, data, &x, 1, 1, 1, fx, dfdx, work);
}

/* dd_jvp(f, data, x, v, n_in, n_out, fx, jv, work) -> status
 * The Jacobian-vector product J(x) v into jv (n_out doubles) and f(x) into fx
 * (may be NULL), in one width-1 call: the directional derivative along v.
 * work: dd_work_size(n_in, n_out, 1) doubles. */
static inline int dd_jvp(dd_func f, void *data, const double *x, const double *v, size_t n_in, size_t n_out,
                         double *fx, double *jv, double *work)
{
    size_t i, k;
    double *xd = work, *fd = work + 2 * n_in;
    int status;
    if (!f || !x || !v || !jv || !work || n_in == 0 || n_out == 0) return DD_ERR_ARGS;
    for (i = 0; i < n_in; i++) {
        xd[2 * i] = x[i];
        xd[2 * i + 1] = v[i];
    }
    status = f(xd, fd, n_in, n_out, 1, data);
    if (status != 0) return status;
    for (k = 0; k < n_out; k++) {
        if (fx) fx[k] = fd[2 * k];
        jv[k] = fd[2 * k + 1];
    }
    return DD_OK;
}

/* ------------------------------------------------------ Taylor coefficients */

/* A function R^n_in -> R^n_out written on Taylor numbers of degree K (see
 * dd_taylor.h): each number is K + 1 doubles [c_0, ..., c_K], input i at
 * x + i * (K + 1), output k at f + k * (K + 1). The callback computes with the
 * dd_* functions with n = K and order DD_TAYLOR (dd_mul(out, a, b, K,
 * DD_TAYLOR), dd_unary(DD_OP_sin, out, a, K, DD_TAYLOR), ...) and returns 0;
 * any other value stops the driver, which returns it. Otherwise as dd_func. */
typedef int (*dd_taylor_func)(const double *x, double *f, size_t n_in, size_t n_out, size_t degree, void *data);

/* Doubles of work dd_taylor needs. */
static inline size_t dd_taylor_work_size(size_t n_in, size_t n_out, size_t degree)
{
    return (n_in + n_out) * (degree + 1);
}

/* dd_taylor(f, data, x, v, n_in, n_out, degree, coef, work) -> status
 * The Taylor coefficients of t -> f(x + t v) at t = 0 up to degree (at most
 * DD_TAYLOR_MAX), in one call: coef[k * n_out + j] = d^k/dt^k f_j / k!
 * (row k = 0 holds f(x)). work: dd_taylor_work_size(n_in, n_out, degree)
 * doubles. DD_ERR_ARGS for a NULL argument, n_in or n_out of 0, or a degree
 * above DD_TAYLOR_MAX. */
static inline int dd_taylor(dd_taylor_func f, void *data, const double *x, const double *v, size_t n_in,
                            size_t n_out, size_t degree, double *coef, double *work)
{
    size_t i, k, m = degree + 1;
    double *xt = work, *ft = work + n_in * m;
    int status;
    if (!f || !x || !v || !coef || !work || n_in == 0 || n_out == 0 || degree > DD_TAYLOR_MAX)
        return DD_ERR_ARGS;
    for (i = 0; i < n_in; i++) {
        dd_set_constant(xt + i * m, x[i], degree, DD_TAYLOR);
        if (degree > 0) xt[i * m + 1] = v[i];
    }
    status = f(xt, ft, n_in, n_out, degree, data);
    if (status != 0) return status;
    for (k = 0; k < m; k++)
        for (i = 0; i < n_out; i++) coef[k * n_out + i] = ft[i * m + k];
    return DD_OK;
}

/* ------------------------------------------------------ dense solve */

/* dd_lu_solve(a, b, n) -> status
 * Solve a y = b for a small dense n x n matrix a (row-major) by LU
 * factorisation with partial pivoting. b is overwritten by y, a by the LU
 * factors of a with its rows permuted. Returns DD_ERR_SINGULAR when a pivot is
 * zero or not finite (a and b are then partly overwritten). Rows are swapped
 * in place as the pivots are found, so no pivot array is needed. */
static inline int dd_lu_solve(double *a, double *b, size_t n)
{
    size_t i, j, k, p;
    for (k = 0; k < n; k++) {
        double big = fabs(a[k * n + k]);
        p = k;
        for (i = k + 1; i < n; i++) {
            double v = fabs(a[i * n + k]);
            if (v > big) { big = v; p = i; }
        }
        if (big == 0.0 || !isfinite(big)) return DD_ERR_SINGULAR;
        if (p != k) {
            double t;
            for (j = 0; j < n; j++) {
                t = a[k * n + j]; a[k * n + j] = a[p * n + j]; a[p * n + j] = t;
            }
            t = b[k]; b[k] = b[p]; b[p] = t;
        }
        for (i = k + 1; i < n; i++) {
            double l = a[i * n + k] / a[k * n + k];
            a[i * n + k] = l;
            for (j = k + 1; j < n; j++) a[i * n + j] -= l * a[k * n + j];
            b[i] -= l * b[k];
        }
    }
    for (k = n; k-- > 0;) {
        double s = b[k];
        for (j = k + 1; j < n; j++) s -= a[k * n + j] * b[j];
        b[k] = s / a[k * n + k];
    }
    return DD_OK;
}

/* ---------------------------------------------------------- Newton */

/* Doubles of workspace for dd_newton: two value/Jacobian pairs (current and
 * trial point), the step, the trial point, and one dd_work_size. */
static inline size_t dd_newton_work_size(size_t n, size_t chunk)
{
    return 2 * (n * n + n) + 2 * n + dd_work_size(n, n, chunk);
}

static inline double dd__norm2(const double *v, size_t n)
{
    size_t i;
    double big = 0.0, s = 0.0;
    for (i = 0; i < n; i++) {
        if (isnan(v[i])) return NAN; /* a comparison would skip it */
        if (fabs(v[i]) > big) big = fabs(v[i]);
    }
    if (big == 0.0 || !isfinite(big)) return big;
    for (i = 0; i < n; i++) s += (v[i] / big) * (v[i] / big);
    return big * sqrt(s);
}

/* dd_newton(f, data, x, n, chunk, ftol, xtol, maxiter, fx, work, iterations) -> status
 * Damped Newton iteration for f(x) = 0 with f: R^n -> R^n, for small dense
 * systems. x holds the start on entry and the last iterate on return.
 * Each iteration solves J dx = -f (dd_lu_solve) and takes the longest step
 * x + s dx, s = 1, 1/2, 1/4, ... (at most 40 halvings) that decreases |f|_2
 * by the factor (1 - 1e-4 s) (backtracking on 0.5 |f|^2); the Jacobian at the
 * accepted point comes from the same call that gave its value.
 * Converged (DD_OK) when max_k |f_k| <= ftol, or when a full step (s = 1)
 * has |dx_i| <= xtol * max(1, |x_i|) for every i.
 * fx (n doubles, may be NULL): f at the returned x. iterations (may be NULL):
 * the number of Newton steps taken. work: dd_newton_work_size(n, chunk) doubles.
 * Returns DD_OK, DD_ERR_ARGS, DD_ERR_SINGULAR, DD_ERR_NONFINITE (f not finite
 * at the start), DD_ERR_MAXITER, DD_ERR_NOPROGRESS, or the callback's code. */
static inline int dd_newton(dd_func f, void *data, double *x, size_t n, size_t chunk, double ftol, double xtol,
                            int maxiter, double *fx, double *work, int *iterations)
{
    double *f0 = work, *j0 = f0 + n, *f1 = j0 + n * n, *j1 = f1 + n;
    double *dx = j1 + n * n, *xt = dx + n, *ework = xt + n;
    double norm0, *t;
    size_t i;
    int it = 0, status, halvings;
    if (iterations) *iterations = 0;
    if (!f || !x || !work || n == 0 || maxiter < 0) return DD_ERR_ARGS;
    status = dd_value_and_jacobian(f, data, x, n, n, chunk, f0, j0, ework);
    if (status != 0) return status;
    norm0 = dd__norm2(f0, n);
    if (!isfinite(norm0)) {
        status = DD_ERR_NONFINITE;
        goto done;
    }
    for (;;) {
        double fmax = 0.0, s = 1.0;
        int small = 1;
        for (i = 0; i < n; i++)
            if (fabs(f0[i]) > fmax) fmax = fabs(f0[i]);
        if (fmax <= ftol) { status = DD_OK; break; } /* f0 is finite here: norm0 is */
        if (it >= maxiter) { status = DD_ERR_MAXITER; break; }
        for (i = 0; i < n; i++) dx[i] = -f0[i];
        status = dd_lu_solve(j0, dx, n); /* j0 is overwritten; a new one comes with the next point */
        if (status != 0) break;
        for (halvings = 0;; halvings++) {
            double norm1;
            for (i = 0; i < n; i++) xt[i] = x[i] + s * dx[i];
            status = dd_value_and_jacobian(f, data, xt, n, n, chunk, f1, j1, ework);
            if (status != 0) goto done;
            norm1 = dd__norm2(f1, n);
            if (isfinite(norm1) && norm1 <= (1.0 - 1e-4 * s) * norm0) break;
            if (halvings == 40) { status = DD_ERR_NOPROGRESS; goto done; }
            s *= 0.5;
        }
        it++;
        if (s != 1.0) small = 0; /* a damped step says nothing about convergence */
        for (i = 0; i < n; i++) {
            if (fabs(xt[i] - x[i]) > xtol * (fabs(xt[i]) > 1.0 ? fabs(xt[i]) : 1.0)) small = 0;
            x[i] = xt[i];
        }
        t = f0; f0 = f1; f1 = t;
        t = j0; j0 = j1; j1 = t;
        norm0 = dd__norm2(f0, n);
        if (small) { status = DD_OK; break; }
    }
done:
    if (fx)
        for (i = 0; i < n; i++) fx[i] = f0[i];
    if (iterations) *iterations = it;
    return status;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_DRIVERS_H */
