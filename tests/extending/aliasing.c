/* Every function of the C API that writes a result, called out of place and
 * then with its result written over each of its inputs in turn (and with one
 * number passed as both inputs), must give the same bits. Built and run by
 * tests/test_extending.py against the installed headers.
 *
 * The functions come from the rule lists (DD_UNARY_RULES, DD_BINARY_RULES,
 * DD_BINARY_FUNCTIONS), so a new rule is checked without an edit here, and from
 * the list below of every other function of dualdiff.h that writes a number.
 * Each runs at widths 0 to 3, in the pattern order, orders 1 and 2 and both
 * with DD_IEEE, at points that take the finite and the non-finite paths.
 * Nothing may be written past the number, and width 0 must give the value of
 * the wider numbers. The drivers are checked with their outputs over x and v.
 *
 * Prints one line per failure, then "functions F cases C failures N".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dualdiff/dualdiff.h"

#define MAXM 16     /* room for dd_size(3, 2) = 10 doubles and a guard */
#define GUARD 7.25  /* what the room past the number holds */

enum kind {
    K_UNARY,         /* f(out, a, n, order) */
    K_BINARY,        /* f(out, a, b, n, order) */
    K_UNARY_OP,      /* dd_unary(op, ...) */
    K_BINARY_OP,     /* dd_binary(op, ...) */
    K_BINARY_X,      /* dd_binary_x(op, out, a, c, ...) */
    K_BINARY_Y,      /* dd_binary_y(op, out, c, b, ...) */
    K_AC,            /* f(out, a, c, n, order) */
    K_CA,            /* f(out, c, b, n, order) */
    K_LINEAR1,       /* f(out, a, m) */
    K_LINEAR2,       /* f(out, a, b, m) */
    K_LINEAR_AC,     /* f(out, a, c, m) */
    K_LINEAR_CA,     /* f(out, c, a, m) */
    K_CHAIN_UNARY,   /* dd_chain_unary(out, a, n, order, r) */
    K_CHAIN_BINARY,  /* dd_chain_binary(out, a, b, n, order, r) */
    K_CHAIN_X,       /* dd_chain_binary_x(out, a, n, order, r) */
    K_CHAIN_Y,       /* dd_chain_binary_y(out, b, n, order, r) */
    K_HYPOT1,        /* dd_hypot_n(out, {a}, 1, n, order) */
    K_HYPOT2,        /* dd_hypot_n(out, {a, b}, 2, n, order) */
    K_HYPOT3         /* dd_hypot_n(out, {a, b, a}, 3, n, order) */
};

typedef void (*unary_fn)(double *, const double *, size_t, int);
typedef void (*binary_fn)(double *, const double *, const double *, size_t, int);
typedef void (*ac_fn)(double *, const double *, double, size_t, int);
typedef void (*ca_fn)(double *, double, const double *, size_t, int);
typedef void (*linear1_fn)(double *, const double *, size_t);
typedef void (*linear2_fn)(double *, const double *, const double *, size_t);
typedef void (*linear_ac_fn)(double *, const double *, double, size_t);
typedef void (*linear_ca_fn)(double *, double, const double *, size_t);

struct fn {
    const char *name;
    enum kind kind;
    unary_fn unary;
    binary_fn binary;
    ac_fn ac;
    ca_fn ca;
    linear1_fn linear1;
    linear2_fn linear2;
    linear_ac_fn linear_ac;
    linear_ca_fn linear_ca;
    int op;
};

#define UNARY(name) {"dd_" #name, K_UNARY, dd_##name, 0, 0, 0, 0, 0, 0, 0, 0},
#define UNARY_OP(name) {"dd_unary(DD_OP_" #name ")", K_UNARY_OP, 0, 0, 0, 0, 0, 0, 0, 0, DD_OP_##name},
#define BINARY(name) {"dd_" #name, K_BINARY, 0, dd_##name, 0, 0, 0, 0, 0, 0, 0},
#define BINARY_OP(name) {"dd_binary(DD_OP2_" #name ")", K_BINARY_OP, 0, 0, 0, 0, 0, 0, 0, 0, DD_OP2_##name},
#define BINARY_X(name) {"dd_binary_x(DD_OP2_" #name ")", K_BINARY_X, 0, 0, 0, 0, 0, 0, 0, 0, DD_OP2_##name},
#define BINARY_Y(name) {"dd_binary_y(DD_OP2_" #name ")", K_BINARY_Y, 0, 0, 0, 0, 0, 0, 0, 0, DD_OP2_##name},

static const struct fn FUNCTIONS[] = {
    DD_UNARY_RULES(UNARY)
    DD_UNARY_RULES(UNARY_OP)
    DD_BINARY_FUNCTIONS(BINARY)
    DD_BINARY_RULES(BINARY_OP)
    DD_BINARY_RULES(BINARY_X)
    DD_BINARY_RULES(BINARY_Y)
    /* every other function of dualdiff.h that writes a number */
    {"dd_mul", K_BINARY, 0, dd_mul, 0, 0, 0, 0, 0, 0, 0},
    {"dd_div", K_BINARY, 0, dd_div, 0, 0, 0, 0, 0, 0, 0},
    {"dd_pow", K_BINARY, 0, dd_pow, 0, 0, 0, 0, 0, 0, 0},
    {"dd_pow_scalar", K_AC, 0, 0, dd_pow_scalar, 0, 0, 0, 0, 0, 0},
    {"dd_scalar_pow", K_CA, 0, 0, 0, dd_scalar_pow, 0, 0, 0, 0, 0},
    {"dd_scalar_div", K_CA, 0, 0, 0, dd_scalar_div, 0, 0, 0, 0, 0},
    {"dd_copy", K_LINEAR1, 0, 0, 0, 0, dd_copy, 0, 0, 0, 0},
    {"dd_neg", K_LINEAR1, 0, 0, 0, 0, dd_neg, 0, 0, 0, 0},
    {"dd_add", K_LINEAR2, 0, 0, 0, 0, 0, dd_add, 0, 0, 0},
    {"dd_sub", K_LINEAR2, 0, 0, 0, 0, 0, dd_sub, 0, 0, 0},
    {"dd_add_scalar", K_LINEAR_AC, 0, 0, 0, 0, 0, 0, dd_add_scalar, 0, 0},
    {"dd_sub_scalar", K_LINEAR_AC, 0, 0, 0, 0, 0, 0, dd_sub_scalar, 0, 0},
    {"dd_div_scalar", K_LINEAR_AC, 0, 0, 0, 0, 0, 0, dd_div_scalar, 0, 0},
    {"dd_scalar_sub", K_LINEAR_CA, 0, 0, 0, 0, 0, 0, 0, dd_scalar_sub, 0},
    {"dd_scalar_mul", K_LINEAR_CA, 0, 0, 0, 0, 0, 0, 0, dd_scalar_mul, 0},
    {"dd_chain_unary", K_CHAIN_UNARY, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_chain_binary", K_CHAIN_BINARY, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_chain_binary_x", K_CHAIN_X, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_chain_binary_y", K_CHAIN_Y, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_hypot_n (1 argument)", K_HYPOT1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_hypot_n (2 arguments)", K_HYPOT2, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    {"dd_hypot_n (a, b, a)", K_HYPOT3, 0, 0, 0, 0, 0, 0, 0, 0, 0},
};
#define NFUNCTIONS (sizeof FUNCTIONS / sizeof FUNCTIONS[0])

static const int ORDERS[] = {DD_PATTERN, 1, 2, 1 | DD_IEEE, 2 | DD_IEEE, DD_TAYLOR};
static const size_t WIDTHS[] = {0, 1, 2, 3};
/* values of the inputs: ordinary, zeros of both signs, the edges of the
 * domains, infinities, NaN */
static const double VALUES[] = {0.37, -1.7, 2.5, 0.0, -0.0, 1.0, -1.0, 3.0, INFINITY, -INFINITY, NAN};
/* plain constants of the scalar forms; integers matter to the powers */
static const double CONSTANTS[] = {2.0, -0.5, 0.0, 3.0, INFINITY};
/* derivative parts: with zeros, so the NaN-safe terms are taken */
static const double PARTS_A[] = {1.0, -0.5, 0.0, 0.25, 2.0, -1.5, 0.0, 3.0, 0.125, -2.0};
static const double PARTS_B[] = {0.5, 0.0, 3.0, -2.0, 0.0, 1.0, 0.75, 0.0, -0.25, 4.0};
/* partials for the chain rule: finite, and with infinities and NaN */
static const double R_FINITE[6] = {0.5, 2.0, -3.0, 0.25, -1.0, 1.5};
static const double R_SINGULAR[6] = {1.0, INFINITY, 0.5, NAN, 2.0, -INFINITY};

static long cases = 0, failures = 0;

static void call(const struct fn *f, double *out, const double *a, const double *b, double c, const double *r,
                 size_t n, int order)
{
    size_t m = dd_size(n, order);
    const double *args[3];
    args[0] = a;
    args[1] = b;
    args[2] = a;
    switch (f->kind) {
    case K_UNARY: f->unary(out, a, n, order); break;
    case K_BINARY: f->binary(out, a, b, n, order); break;
    case K_UNARY_OP: dd_unary(f->op, out, a, n, order); break;
    case K_BINARY_OP: dd_binary(f->op, out, a, b, n, order); break;
    case K_BINARY_X: dd_binary_x(f->op, out, a, c, n, order); break;
    case K_BINARY_Y: dd_binary_y(f->op, out, c, b, n, order); break;
    case K_AC: f->ac(out, a, c, n, order); break;
    case K_CA: f->ca(out, c, b, n, order); break;
    case K_LINEAR1: f->linear1(out, a, m); break;
    case K_LINEAR2: f->linear2(out, a, b, m); break;
    case K_LINEAR_AC: f->linear_ac(out, a, c, m); break;
    case K_LINEAR_CA: f->linear_ca(out, c, a, m); break;
    case K_CHAIN_UNARY: dd_chain_unary(out, a, n, order, r); break;
    case K_CHAIN_BINARY: dd_chain_binary(out, a, b, n, order, r); break;
    case K_CHAIN_X: dd_chain_binary_x(out, a, n, order, r); break;
    case K_CHAIN_Y: dd_chain_binary_y(out, b, n, order, r); break;
    case K_HYPOT1: dd_hypot_n(out, args, 1, n, order); break;
    case K_HYPOT2: dd_hypot_n(out, args, 2, n, order); break;
    case K_HYPOT3: dd_hypot_n(out, args, 3, n, order); break;
    }
}

/* which of a and b the function reads */
static int reads_a(const struct fn *f)
{
    return f->kind != K_CA && f->kind != K_BINARY_Y && f->kind != K_CHAIN_Y;
}

static int reads_b(const struct fn *f)
{
    switch (f->kind) {
    case K_BINARY: case K_BINARY_OP: case K_BINARY_Y: case K_CA: case K_LINEAR2:
    case K_CHAIN_BINARY: case K_CHAIN_Y: case K_HYPOT2: case K_HYPOT3:
        return 1;
    default:
        return 0;
    }
}

static void guard(double *x)
{
    size_t i;
    for (i = 0; i < MAXM; i++) x[i] = GUARD;
}

static void fill(double *x, double value, const double *parts, size_t m)
{
    size_t i;
    for (i = 0; i < MAXM; i++) x[i] = GUARD;
    x[0] = value;
    for (i = 1; i < m; i++) x[i] = parts[i - 1];
}

static void fail(const struct fn *f, const char *what, size_t n, int order, double va, double vb, double c)
{
    failures++;
    if (failures <= 50)
        printf("%s: %s, width %lu, order %d, a = %g, b = %g, c = %g\n", f->name, what, (unsigned long)n, order,
               va, vb, c);
}

/* same bits in the number, and the guard untouched past it */
static int same(const double *x, const double *y, size_t m)
{
    size_t i;
    if (memcmp(x, y, m * sizeof(double)) != 0) return 0;
    for (i = m; i < MAXM; i++)
        if (memcmp(&x[i], &y[i], sizeof(double)) != 0) return 0;
    return 1;
}

static void check(const struct fn *f, size_t n, int order, double va, double vb, double c, const double *r,
                  double *value_at_width0)
{
    size_t m = dd_size(n, order);
    double a[MAXM], b[MAXM], a0[MAXM], b0[MAXM], want[MAXM], got[MAXM], other[MAXM];
    int ra = reads_a(f), rb = reads_b(f);
    fill(a, va, PARTS_A, m);
    fill(b, vb, PARTS_B, m);
    memcpy(a0, a, sizeof a);
    memcpy(b0, b, sizeof b);

    /* out of place: the inputs are left alone */
    guard(want);
    call(f, want, a, b, c, r, n, order);
    cases++;
    if (!same(a, a0, m) || !same(b, b0, m)) fail(f, "changed an input", n, order, va, vb, c);
    if (n == 0) *value_at_width0 = want[0];
    else if (memcmp(value_at_width0, &want[0], sizeof(double)) != 0)
        fail(f, "value differs from width 0", n, order, va, vb, c);
    {
        size_t i;
        for (i = m; i < MAXM; i++)
            if (want[i] != GUARD) { fail(f, "wrote past the number", n, order, va, vb, c); break; }
    }

    if (ra) { /* out == a */
        memcpy(got, a0, sizeof got);
        call(f, got, got, b, c, r, n, order);
        cases++;
        if (!same(got, want, m)) fail(f, "out == a", n, order, va, vb, c);
    }
    if (rb) { /* out == b */
        memcpy(got, b0, sizeof got);
        call(f, got, a, got, c, r, n, order);
        cases++;
        if (!same(got, want, m)) fail(f, "out == b", n, order, va, vb, c);
    }
    if (ra && rb) { /* a == b, out of place and in place */
        guard(want);
        call(f, want, a0, a0, c, r, n, order);
        memcpy(got, a0, sizeof got);
        call(f, got, got, got, c, r, n, order);
        cases++;
        if (!same(got, want, m)) fail(f, "out == a == b", n, order, va, vb, c);
        memcpy(other, a0, sizeof other); /* a == b in another buffer than out */
        guard(got);
        call(f, got, other, other, c, r, n, order);
        if (!same(got, want, m)) fail(f, "a == b", n, order, va, vb, c);
    }
}

static int uses_constant(const struct fn *f)
{
    switch (f->kind) {
    case K_BINARY_X: case K_BINARY_Y: case K_AC: case K_CA: case K_LINEAR_AC: case K_LINEAR_CA:
        return 1;
    default:
        return 0;
    }
}

static int uses_partials(const struct fn *f)
{
    return f->kind == K_CHAIN_UNARY || f->kind == K_CHAIN_BINARY || f->kind == K_CHAIN_X || f->kind == K_CHAIN_Y;
}

static void check_function(const struct fn *f)
{
    size_t io, iw, ia, ib, ic, nv = sizeof VALUES / sizeof VALUES[0];
    size_t nc = uses_constant(f) ? sizeof CONSTANTS / sizeof CONSTANTS[0] : uses_partials(f) ? 2 : 1;
    for (io = 0; io < sizeof ORDERS / sizeof ORDERS[0]; io++) {
        int order = ORDERS[io];
        for (ia = 0; ia < nv; ia++) {
            for (ib = 0; ib < (reads_b(f) && reads_a(f) ? nv : 1); ib++) {
                double va = VALUES[ia], vb = reads_a(f) ? VALUES[ib] : VALUES[ia];
                for (ic = 0; ic < nc; ic++) {
                    double c = uses_constant(f) ? CONSTANTS[ic] : 0.0, value0 = 0.0;
                    const double *r = ic == 0 ? R_FINITE : R_SINGULAR;
                    for (iw = 0; iw < sizeof WIDTHS / sizeof WIDTHS[0]; iw++)
                        check(f, WIDTHS[iw], order, va, vb, c, r, &value0);
                }
            }
        }
    }
}

/* ------------------------------------------------------ wide dd_hypot_n */

/* dd_hypot_n works on wide numbers a block at a time, and past width 64 at
 * the second order recomputes the gradient for each Hessian entry. Every
 * entry of its result depends on the directions it belongs to only, so with
 * inputs made from a formula in the directions, entry (i, j) must come out
 * the same at every width, in place or not. */
#define WIDE 70
#define WIDE_M (1 + WIDE + WIDE * (WIDE + 1) / 2)

static double part(size_t k, size_t i, size_t j) /* direction i (gradient), or (i, j) */
{
    return (double)((int)((k * 7 + i * 3 + j * 5) % 11) - 5) / 4.0; /* a quarter of -5 .. 5: some zeros */
}

static void fill_wide(double *x, size_t k, size_t n, int order)
{
    size_t i, j, q;
    x[0] = 0.5 + (double)k;
    for (i = 0; i < n; i++) x[1 + i] = part(k, i, 97);
    if (DD_ORDER(order) > 1)
        for (i = 0, q = n + 1; i < n; i++)
            for (j = i; j < n; j++, q++) x[q] = part(k, i, j);
}

static double wide_args[3][WIDE_M], wide_out[WIDE_M], narrow_out[WIDE_M];

static void check_wide_hypot(void)
{
    static const size_t widths[] = {5, 40, 64, 65, WIDE};
    static const int orders[] = {1, 2, 1 | DD_IEEE, 2 | DD_IEEE};
    size_t iw, io, k, i, j, p;
    for (io = 0; io < sizeof orders / sizeof orders[0]; io++) {
        int order = orders[io];
        const double *args[3];
        /* the narrowest width gives the reference entries */
        for (k = 0; k < 3; k++) {
            fill_wide(wide_args[k], k, 5, order);
            args[k] = wide_args[k];
        }
        dd_hypot_n(narrow_out, args, 3, 5, order);
        for (iw = 0; iw < sizeof widths / sizeof widths[0]; iw++) {
            size_t n = widths[iw];
            for (p = 0; p < 4; p++) { /* out aside, then over each argument */
                for (k = 0; k < 3; k++) fill_wide(wide_args[k], k, n, order);
                dd_hypot_n(p < 3 ? wide_args[p] : wide_out, args, 3, n, order);
                {
                    const double *r = p < 3 ? wide_args[p] : wide_out;
                    int bad = memcmp(r, narrow_out, sizeof(double)) != 0;
                    for (i = 0; i < 5; i++) bad |= memcmp(&r[1 + i], &narrow_out[1 + i], sizeof(double)) != 0;
                    if (DD_ORDER(order) > 1)
                        for (i = 0; i < 5; i++)
                            for (j = i; j < 5; j++)
                                bad |= memcmp(&r[dd_hessian_index(i, j, n)], &narrow_out[dd_hessian_index(i, j, 5)],
                                              sizeof(double)) != 0;
                    cases++;
                    if (bad) {
                        failures++;
                        printf("dd_hypot_n, wide: width %lu, order %d, %s\n", (unsigned long)n, order,
                               p < 3 ? "out == an argument" : "out of place");
                    }
                }
            }
            /* in place and out of place agree on every entry */
            for (k = 0; k < 3; k++) fill_wide(wide_args[k], k, n, order);
            dd_hypot_n(wide_out, args, 3, n, order);
            dd_hypot_n(wide_args[1], args, 3, n, order);
            cases++;
            if (memcmp(wide_out, wide_args[1], dd_size(n, order) * sizeof(double)) != 0) {
                failures++;
                printf("dd_hypot_n, wide: width %lu, order %d, out == b differs\n", (unsigned long)n, order);
            }
        }
    }
}

/* ---------------------------------------------------------------- drivers */

/* f(x, y, z) = (x y + sin z, x / y - z^2, hypot(x, z)) on numbers of width w */
static int system3(const double *x, double *f, size_t n_in, size_t n_out, size_t w, void *data)
{
    size_t m = w + 1;
    double t[MAXM];
    const double *args[2];
    (void)data;
    if (m > MAXM || n_in != 3 || n_out < 1 || n_out > 3) return 1;
    dd_mul(f, x, x + m, w, 1);
    dd_sin(t, x + 2 * m, w, 1);
    dd_add(f, f, t, m);
    if (n_out > 1) {
        dd_div(f + m, x, x + m, w, 1);
        dd_square(t, x + 2 * m, w, 1);
        dd_sub(f + m, f + m, t, m);
    }
    if (n_out > 2) {
        args[0] = x;
        args[1] = x + 2 * m;
        dd_hypot_n(f + 2 * m, args, 2, w, 1);
    }
    return 0;
}

static const double X3[3] = {0.7, -1.3, 0.4};
static const double V3[3] = {0.25, 2.0, -1.5};

static void driver_fail(const char *what, size_t n_out, size_t chunk)
{
    failures++;
    printf("%s: n_out %lu, chunk %lu\n", what, (unsigned long)n_out, (unsigned long)chunk);
}

static void check_drivers(void)
{
    double work[64], fx[3], jac[9], buf[16];
    size_t n_out, chunk;
    for (n_out = 1; n_out <= 3; n_out++) {
        for (chunk = 0; chunk <= 3; chunk++) {
            if (dd_work_size(3, n_out, chunk) > 64) return;
            /* out of place */
            if (dd_value_and_jacobian(system3, NULL, X3, 3, n_out, chunk, fx, jac, work) != DD_OK) {
                driver_fail("dd_value_and_jacobian", n_out, chunk);
                continue;
            }
            /* fx over x */
            memcpy(buf, X3, sizeof X3);
            cases++;
            if (dd_value_and_jacobian(system3, NULL, buf, 3, n_out, chunk, buf, jac + 0, work) != DD_OK
                || memcmp(buf, fx, n_out * sizeof(double)) != 0)
                driver_fail("dd_value_and_jacobian, fx == x", n_out, chunk);
            /* jac over x */
            {
                double j2[16];
                memcpy(j2, X3, sizeof X3);
                cases++;
                if (dd_value_and_jacobian(system3, NULL, j2, 3, n_out, chunk, NULL, j2, work) != DD_OK
                    || memcmp(j2, jac, 3 * n_out * sizeof(double)) != 0)
                    driver_fail("dd_value_and_jacobian, jac == x", n_out, chunk);
                memcpy(j2, X3, sizeof X3);
                cases++;
                if (dd_jacobian(system3, NULL, j2, 3, n_out, chunk, j2, work) != DD_OK
                    || memcmp(j2, jac, 3 * n_out * sizeof(double)) != 0)
                    driver_fail("dd_jacobian, jac == x", n_out, chunk);
                if (n_out == 1) {
                    double g[3];
                    memcpy(j2, X3, sizeof X3);
                    cases++;
                    if (dd_gradient(system3, NULL, j2, 3, chunk, g, j2, work) != DD_OK
                        || memcmp(j2, jac, 3 * sizeof(double)) != 0 || memcmp(g, fx, sizeof(double)) != 0)
                        driver_fail("dd_gradient, grad == x", n_out, chunk);
                    memcpy(j2, X3, sizeof X3);
                    cases++;
                    if (dd_gradient(system3, NULL, j2, 3, chunk, &j2[1], g, work) != DD_OK
                        || memcmp(g, jac, 3 * sizeof(double)) != 0 || memcmp(&j2[1], fx, sizeof(double)) != 0)
                        driver_fail("dd_gradient, fx over x", n_out, chunk);
                }
            }
        }
        /* dd_jvp: outputs over x and over v */
        {
            double want_f[3], want_jv[3], x[3], v[3];
            if (dd_jvp(system3, NULL, X3, V3, 3, n_out, want_f, want_jv, work) != DD_OK) {
                driver_fail("dd_jvp", n_out, 1);
                continue;
            }
            memcpy(x, X3, sizeof x);
            memcpy(v, V3, sizeof v);
            cases++;
            if (dd_jvp(system3, NULL, x, v, 3, n_out, x, v, work) != DD_OK
                || memcmp(x, want_f, n_out * sizeof(double)) != 0 || memcmp(v, want_jv, n_out * sizeof(double)) != 0)
                driver_fail("dd_jvp, fx == x and jv == v", n_out, 1);
            memcpy(x, X3, sizeof x);
            memcpy(v, V3, sizeof v);
            cases++;
            if (dd_jvp(system3, NULL, x, v, 3, n_out, v, x, work) != DD_OK
                || memcmp(v, want_f, n_out * sizeof(double)) != 0 || memcmp(x, want_jv, n_out * sizeof(double)) != 0)
                driver_fail("dd_jvp, fx == v and jv == x", n_out, 1);
        }
    }
}

int main(void)
{
    size_t i;
    for (i = 0; i < NFUNCTIONS; i++) check_function(&FUNCTIONS[i]);
    check_wide_hypot();
    check_drivers();
    printf("functions %lu cases %ld failures %ld\n", (unsigned long)NFUNCTIONS, cases, failures);
    return failures != 0;
}
