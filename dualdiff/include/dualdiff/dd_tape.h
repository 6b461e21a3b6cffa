/*
 * dualdiff/dd_tape.h - replay of a recorded function (a tape) on dual numbers.
 *
 * dualdiff.trace(f) records the operations f performs into a tape: one
 * instruction per operation, naming a rule of the table (dd_rules.h) by its
 * op code, the slots of its operands, a constant, and the slot it writes.
 * Replaying the tape runs the same rules through dd_unary / dd_binary and the
 * arithmetic of dd_core.h on numbers of any width and order (1, 2, DD_TAYLOR,
 * with or without DD_IEEE), so one tape gives values, gradients, Jacobians,
 * Hessians and Taylor coefficients.
 *
 * Slots are numbers of m = dd_size(n, order) doubles, one after another in a
 * buffer the caller owns: slot s at slots + s * m. The first n_inputs slots
 * hold the inputs, seeded by the caller; an instruction's output slot may be
 * one of its operands' (the recorder reuses slots that are no longer read;
 * every dd_* function allows out == a).
 *
 * Guards: a comparison of recorded values that decided the path f took is an
 * instruction too. When a replay finds the comparison going the other way the
 * tape does not describe f at that point: dd_tape_eval stops and returns
 * DD_TAPE_GUARD (record again). A value that is not finite (an operation at
 * a point where Python raises: a division by zero, a domain error; an
 * overflow; or inputs that are not finite) makes the replay return
 * DD_TAPE_NONFINITE, with every number computed as IEEE arithmetic gives it:
 * f itself, run on Duals, decides there.
 *
 * Plain C99, no Python; static inline, nothing to link, no global state.
 */
#ifndef DUALDIFF_DD_TAPE_H
#define DUALDIFF_DD_TAPE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>

#include "dd_core.h"
#include "dd_drivers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of a replay (positive, as a dd_func callback's own codes). */
#define DD_TAPE_GUARD 1     /* a guard failed: f takes another path at this point */
#define DD_TAPE_NONFINITE 2 /* a value or a constant is not finite (see above) */
#define DD_TAPE_NOMEMORY 3  /* malloc failed for the slots */
#define DD_TAPE_REVERSE 4   /* dd_tape_gradient: a partial is not finite, replay forward */

/* Instruction kinds. a, b: operand slots; c: a constant; op: a rule's op code
 * (dd_unary_op for DD_T_UNARY, dd_binary_op for the DD_T_BINARY kinds) or,
 * for the guards, a comparison code and the outcome seen when recording. */
typedef enum {
    DD_T_CONST,        /* out = c */
    DD_T_UNARY,        /* out = rule op (a) */
    DD_T_BINARY,       /* out = rule op (a, b) */
    DD_T_BINARY_X,     /* out = rule op (a, c) */
    DD_T_BINARY_Y,     /* out = rule op (c, b) */
    DD_T_ADD,          /* out = a + b */
    DD_T_SUB,          /* out = a - b */
    DD_T_MUL,          /* out = a * b */
    DD_T_DIV,          /* out = a / b */
    DD_T_NEG,          /* out = -a */
    DD_T_ADD_SCALAR,   /* out = a + c */
    DD_T_SCALAR_SUB,   /* out = c - a */
    DD_T_SCALAR_MUL,   /* out = c * a */
    DD_T_DIV_SCALAR,   /* out = a / c */
    DD_T_SCALAR_DIV,   /* out = c / b */
    DD_T_POW_SCALAR,   /* out = a ** c */
    DD_T_SCALAR_POW,   /* out = c ** b */
    DD_T_GUARD,        /* value(a) cmp value(b) must be the recorded outcome */
    DD_T_GUARD_SCALAR, /* value(a) cmp c must be the recorded outcome */
    DD_T_CHECK,        /* reads a (an output), so that its value is checked */
    DD_T_NUM_KINDS
} dd_tape_kind;

/* Comparison codes of the guards (Python's rich comparison codes); a guard's
 * op is code | (outcome << 3). */
typedef enum { DD_CMP_LT, DD_CMP_LE, DD_CMP_EQ, DD_CMP_NE, DD_CMP_GT, DD_CMP_GE } dd_tape_cmp;

typedef struct {
    int32_t kind; /* a dd_tape_kind */
    int32_t op;
    int32_t a;
    int32_t b;
    int32_t out;
    int32_t pad_; /* keeps c aligned; 0 */
    double c;
} dd_tape_op;

static inline int dd__tape_compare(int cmp, double u, double w)
{
    switch (cmp) {
    case DD_CMP_LT: return u < w;
    case DD_CMP_LE: return u <= w;
    case DD_CMP_EQ: return u == w;
    case DD_CMP_NE: return u != w;
    case DD_CMP_GT: return u > w;
    default: return u >= w;
    }
}

/* dd_tape_eval(ops, n_ops, slots, n, order) -> DD_OK, DD_TAPE_GUARD or DD_TAPE_NONFINITE
 * Runs the instructions in order on numbers of width n and the given order
 * (1, 2 or DD_TAYLOR, optionally | DD_IEEE; n is the degree for DD_TAYLOR).
 * slots: the caller's buffer of (number of slots) * dd_size(n, order) doubles,
 * with the input slots seeded. On DD_OK every output slot holds its number. */
static inline int dd_tape_eval(const dd_tape_op *ops, size_t n_ops, double *slots, size_t n, int order)
{
    size_t k, m = dd_size(n, order);
    int bad = 0;
    for (k = 0; k < n_ops; k++) {
        const dd_tape_op *p = ops + k;
        double *out = slots + (size_t)p->out * m;
        const double *a = slots + (size_t)p->a * m, *b = slots + (size_t)p->b * m;
        double av = a[0], bv = b[0], c = p->c;
        /* Every operand's value and every constant is checked (an instruction
         * that reads one slot reads slot b = 0 as well; what is there was
         * checked when it was computed). With finite inputs, the first value
         * that is not finite comes from an operation on finite values, and
         * every kept value is read later (outputs by DD_T_CHECK): so this
         * finds it, without reading a result back right after writing it. */
        bad |= !isfinite(av) | !isfinite(bv) | !isfinite(c);
        switch (p->kind) {
        case DD_T_CONST: dd_set_constant(out, c, n, order); break;
        case DD_T_UNARY: dd_unary(p->op, out, a, n, order); break;
        case DD_T_BINARY: dd_binary(p->op, out, a, b, n, order); break;
        case DD_T_BINARY_X: dd_binary_x(p->op, out, a, c, n, order); break;
        case DD_T_BINARY_Y: dd_binary_y(p->op, out, c, b, n, order); break;
        case DD_T_ADD: dd_add(out, a, b, m); break;
        case DD_T_SUB: dd_sub(out, a, b, m); break;
        case DD_T_MUL: dd_mul(out, a, b, n, order); break;
        case DD_T_DIV: dd_div(out, a, b, n, order); break;
        case DD_T_NEG: dd_neg(out, a, m); break;
        case DD_T_ADD_SCALAR: dd_add_scalar(out, a, c, m); break;
        case DD_T_SCALAR_SUB: dd_scalar_sub(out, c, a, m); break;
        case DD_T_SCALAR_MUL: dd_scalar_mul(out, c, a, m); break;
        case DD_T_DIV_SCALAR: dd_div_scalar(out, a, c, m); break;
        case DD_T_SCALAR_DIV: dd_scalar_div(out, c, b, n, order); break;
        case DD_T_POW_SCALAR: dd_pow_scalar(out, a, c, n, order); break;
        case DD_T_SCALAR_POW: dd_scalar_pow(out, c, b, n, order); break;
        case DD_T_GUARD:
            if (dd__tape_compare(p->op & 7, av, bv) != (p->op >> 3)) return DD_TAPE_GUARD;
            break;
        case DD_T_GUARD_SCALAR:
            if (dd__tape_compare(p->op & 7, av, c) != (p->op >> 3)) return DD_TAPE_GUARD;
            break;
        case DD_T_CHECK: break;
        default: return DD_TAPE_GUARD; /* not a tape this header knows: never a number */
        }
    }
    return bad ? DD_TAPE_NONFINITE : DD_OK;
}

/* ------------------------------------------------------- reverse sweep */

/* Which operand slots an instruction reads: 1 for a, 2 for b, 3 for both. */
static inline int dd__tape_reads(int kind)
{
    switch (kind) {
    case DD_T_CONST: return 0;
    case DD_T_BINARY_Y: case DD_T_SCALAR_DIV: case DD_T_SCALAR_POW: return 2;
    case DD_T_BINARY: case DD_T_ADD: case DD_T_SUB: case DD_T_MUL: case DD_T_DIV: case DD_T_GUARD: return 3;
    default: return 1;
    }
}

/* dd_tape_gradient(ops, n_ops, v, d, adj, n_slots, out) -> status
 * The gradient of one output by a reverse sweep: one pass forward on values
 * that keeps each instruction's partial derivatives, one pass backward that
 * accumulates adjoints, whatever the number of inputs. v (n_slots doubles)
 * holds the inputs' values in its first slots and the values on return
 * (v[out] is f); d holds 2 * n_ops doubles; adj (n_slots doubles) holds on
 * DD_OK the adjoint of input i at adj[i]. A slot that instructions reuse
 * holds one value after another: the backward pass reads and clears a
 * slot's adjoint at the instruction that wrote it, so the adjoints of the
 * values before it accumulate from 0. Returns DD_OK, DD_TAPE_GUARD,
 * DD_TAPE_NONFINITE, or DD_TAPE_REVERSE where a partial derivative is not
 * finite: there the forward replay keeps the conventions of the package
 * (a zero tangent stays 0 through an infinite partial), so use it. */
static inline int dd_tape_gradient(const dd_tape_op *ops, size_t n_ops, double *v, double *d, double *adj,
                                   size_t n_slots, int32_t out)
{
    size_t k, i;
    int bad = 0, singular = 0;
    for (k = 0; k < n_ops; k++) {
        const dd_tape_op *p = ops + k;
        double av = v[p->a], bv = v[p->b], c = p->c, r[6], val = 0.0, da = 0.0, db = 0.0;
        bad |= !isfinite(av) | !isfinite(bv) | !isfinite(c);
        switch (p->kind) {
        case DD_T_CONST: val = c; break;
        case DD_T_UNARY: dd_unary_rule_of(p->op)(av, 1, r); val = r[0]; da = r[1]; break;
        case DD_T_BINARY: dd_binary_rule_of(p->op)(av, bv, 1, r); val = r[0]; da = r[1]; db = r[2]; break;
        case DD_T_BINARY_X: dd_binary_rule_of(p->op)(av, c, 1, r); val = r[0]; da = r[1]; break;
        case DD_T_BINARY_Y: dd_binary_rule_of(p->op)(c, bv, 1, r); val = r[0]; db = r[2]; break;
        case DD_T_ADD: val = av + bv; da = 1.0; db = 1.0; break;
        case DD_T_SUB: val = av - bv; da = 1.0; db = -1.0; break;
        case DD_T_MUL: val = av * bv; da = bv; db = av; break;
        case DD_T_DIV: val = av / bv; da = 1.0 / bv; db = -val / bv; break;
        case DD_T_NEG: val = -av; da = -1.0; break;
        case DD_T_ADD_SCALAR: val = av + c; da = 1.0; break;
        case DD_T_SCALAR_SUB: val = c - av; da = -1.0; break;
        case DD_T_SCALAR_MUL: val = c * av; da = c; break;
        case DD_T_DIV_SCALAR: val = av / c; da = 1.0 / c; break;
        case DD_T_SCALAR_DIV: dd_binary_rule_of(DD_OP2_div)(c, bv, 1, r); val = r[0]; db = r[2]; break;
        case DD_T_POW_SCALAR: dd_rule_pow_const(av, c, 1, r); val = r[0]; da = r[1]; break;
        case DD_T_SCALAR_POW: dd_rule_const_pow(c, bv, 1, r); val = r[0]; db = r[1]; break;
        case DD_T_GUARD:
            if (dd__tape_compare(p->op & 7, av, bv) != (p->op >> 3)) return DD_TAPE_GUARD;
            continue;
        case DD_T_GUARD_SCALAR:
            if (dd__tape_compare(p->op & 7, av, c) != (p->op >> 3)) return DD_TAPE_GUARD;
            continue;
        case DD_T_CHECK: continue;
        default: return DD_TAPE_GUARD;
        }
        singular |= !isfinite(da) | !isfinite(db);
        d[2 * k] = da;
        d[2 * k + 1] = db;
        v[p->out] = val;
    }
    if (bad) return DD_TAPE_NONFINITE;
    if (singular) return DD_TAPE_REVERSE;
    for (i = 0; i < n_slots; i++) adj[i] = 0.0;
    adj[out] = 1.0;
    for (k = n_ops; k-- > 0;) {
        const dd_tape_op *p = ops + k;
        int reads;
        double g;
        if (p->kind == DD_T_GUARD || p->kind == DD_T_GUARD_SCALAR || p->kind == DD_T_CHECK) continue;
        g = adj[p->out];
        adj[p->out] = 0.0;
        reads = dd__tape_reads(p->kind);
        if (reads & 1) adj[p->a] += d[2 * k] * g;
        if (reads & 2) adj[p->b] += d[2 * k + 1] * g;
    }
    return DD_OK;
}

/* ------------------------------------------------------- exported tapes */

/* A tape as a C object: what a traced function exports (Traced.export in
 * Python, which owns the memory). x has n_x numbers; the extra arguments'
 * values, fixed when exporting, fill inputs n_x .. n_inputs - 1. */
typedef struct {
    const dd_tape_op *ops;
    size_t n_ops;
    const int32_t *outputs;
    size_t n_out;
    size_t n_slots;
    size_t n_inputs;
    size_t n_x;
    const double *args;
} dd_tape;

/* The exported functions' type: value (fx, n_out doubles, may be NULL) and
 * Jacobian (jac, n_out * n_x doubles, row-major) or gradient at x; data is
 * the dd_tape. Returns DD_OK, DD_ERR_ARGS, DD_TAPE_GUARD (x takes another
 * path through f than the one recorded: record again from Python),
 * DD_TAPE_NONFINITE (f raises or overflows at x) or DD_TAPE_NOMEMORY. */
typedef int (*dd_tape_vj_func)(const double *x, double *fx, double *jac, void *data);

/* Slots of this many doubles live on the stack; more are malloc'd. */
#define DD_TAPE_STACK 1024

/* Seeds the inputs (x numbers of m doubles at xd, stride m; or, with xd NULL,
 * the values x with unit tangents), replays at width w, order 1. */
static inline int dd__tape_run(const dd_tape *t, const double *x, const double *xd, size_t w, double *s)
{
    size_t i, m = w + 1;
    for (i = 0; i < t->n_inputs; i++) {
        double *p = s + i * m;
        if (i >= t->n_x) {
            dd_set_constant(p, t->args[i - t->n_x], w, 1);
        } else if (xd) {
            memcpy(p, xd + i * m, m * sizeof(double));
        } else {
            dd_set_variable(p, x[i], i, w, 1);
        }
    }
    return dd_tape_eval(t->ops, t->n_ops, s, w, 1);
}

/* dd_tape_value_and_jacobian(x, fx, jac, data) -> status (a dd_tape_vj_func)
 * f(x) and its Jacobian from one replay of width n_x. */
static inline int dd_tape_value_and_jacobian(const double *x, double *fx, double *jac, void *data)
{
    const dd_tape *t = (const dd_tape *)data;
    double stack[DD_TAPE_STACK], *s;
    size_t i, j, m, need;
    int status;
    if (!t || !x || !jac || t->n_x == 0 || t->n_out == 0 || t->n_inputs < t->n_x) return DD_ERR_ARGS;
    m = t->n_x + 1;
    need = t->n_slots * m;
    s = need <= DD_TAPE_STACK ? stack : (double *)malloc(need * sizeof(double));
    if (!s) return DD_TAPE_NOMEMORY;
    status = dd__tape_run(t, x, NULL, t->n_x, s);
    if (status == DD_OK) {
        for (i = 0; i < t->n_out; i++) {
            const double *o = s + (size_t)t->outputs[i] * m;
            if (fx) fx[i] = o[0];
            for (j = 0; j < t->n_x; j++) jac[i * t->n_x + j] = o[1 + j];
        }
    }
    if (s != stack) free(s);
    return status;
}

/* dd_tape_value_and_gradient(x, fx, grad, data) -> status (a dd_tape_vj_func)
 * For a tape of one output: f(x) into *fx (may be NULL), the gradient into
 * grad, by a reverse sweep (dd_tape_gradient; the forward replay where a
 * partial derivative is not finite). */
static inline int dd_tape_value_and_gradient(const double *x, double *fx, double *grad, void *data)
{
    const dd_tape *t = (const dd_tape *)data;
    double stack[DD_TAPE_STACK], *v;
    size_t i, need;
    int status;
    if (!t || !x || !grad || t->n_out != 1 || t->n_x == 0 || t->n_inputs < t->n_x) return DD_ERR_ARGS;
    need = 2 * t->n_slots + 2 * t->n_ops;
    v = need <= DD_TAPE_STACK ? stack : (double *)malloc(need * sizeof(double));
    if (!v) return DD_TAPE_NOMEMORY;
    for (i = 0; i < t->n_inputs; i++) v[i] = i < t->n_x ? x[i] : t->args[i - t->n_x];
    status = dd_tape_gradient(t->ops, t->n_ops, v, v + 2 * t->n_slots, v + t->n_slots, t->n_slots, t->outputs[0]);
    if (status == DD_OK) {
        if (fx) *fx = v[t->outputs[0]];
        for (i = 0; i < t->n_x; i++) grad[i] = v[t->n_slots + i];
    }
    if (v != stack) free(v);
    if (status == DD_TAPE_REVERSE) return dd_tape_value_and_jacobian(x, fx, grad, data);
    return status;
}

/* dd_tape_func: the tape as a dd_func for the drivers of dd_drivers.h
 * (dd_newton(dd_tape_func, tape, ...)); n_in and n_out must be the tape's. */
static inline int dd_tape_func(const double *x, double *f, size_t n_in, size_t n_out, size_t width, void *data)
{
    const dd_tape *t = (const dd_tape *)data;
    double stack[DD_TAPE_STACK], *s;
    size_t i, m = width + 1, need;
    int status;
    if (!t || n_in != t->n_x || n_out != t->n_out || t->n_inputs < t->n_x) return DD_ERR_ARGS;
    need = t->n_slots * m;
    s = need <= DD_TAPE_STACK ? stack : (double *)malloc(need * sizeof(double));
    if (!s) return DD_TAPE_NOMEMORY;
    status = dd__tape_run(t, NULL, x, width, s);
    if (status == DD_OK)
        for (i = 0; i < n_out; i++) memcpy(f + i * m, s + (size_t)t->outputs[i] * m, m * sizeof(double));
    if (s != stack) free(s);
    return status;
}

/* For a tape of one input and one output, as SciPy's LowLevelCallable
 * "double (double, void *)" (scipy.integrate.quad): the value, and the
 * derivative. NaN where the replay fails (a guard, see the status codes). */
static inline double dd_tape_scalar_value(double x, void *data)
{
    double fx, d;
    return dd_tape_value_and_gradient(&x, &fx, &d, data) == DD_OK ? fx : NAN;
}

static inline double dd_tape_scalar_derivative(double x, void *data)
{
    double fx, d;
    return dd_tape_value_and_gradient(&x, &fx, &d, data) == DD_OK ? d : NAN;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_TAPE_H */
