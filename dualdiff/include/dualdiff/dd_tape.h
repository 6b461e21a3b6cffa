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
 * DD_TAPE_GUARD (record again). An operation whose value is not finite
 * although its operands' values are (a division by zero, a domain error, an
 * overflow) stops the replay with DD_TAPE_NONFINITE: f itself, run on Duals,
 * decides there (it raises where Python raises).
 *
 * Plain C99, no Python; static inline, nothing to link, no global state.
 */
#ifndef DUALDIFF_DD_TAPE_H
#define DUALDIFF_DD_TAPE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "dd_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes of a replay (positive, as a dd_func callback's own codes). */
#define DD_TAPE_GUARD 1     /* a guard failed: f takes another path at this point */
#define DD_TAPE_NONFINITE 2 /* a finite operation gave a non-finite value */

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
    DD_T_NUM_KINDS
} dd_tape_kind;

/* Comparison codes of the guards; op = code | (outcome << 3). */
enum { DD_CMP_LT, DD_CMP_LE, DD_CMP_EQ, DD_CMP_NE, DD_CMP_GT, DD_CMP_GE };

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
    for (k = 0; k < n_ops; k++) {
        const dd_tape_op *p = ops + k;
        double *out = slots + (size_t)p->out * m;
        const double *a = slots + (size_t)p->a * m, *b = slots + (size_t)p->b * m;
        double av = a[0], bv = b[0], c = p->c;
        int finite; /* the operands' values, read before out may overwrite them */
        switch (p->kind) {
        case DD_T_CONST: dd_set_constant(out, c, n, order); continue;
        case DD_T_UNARY: finite = isfinite(av); dd_unary(p->op, out, a, n, order); break;
        case DD_T_BINARY: finite = isfinite(av) && isfinite(bv); dd_binary(p->op, out, a, b, n, order); break;
        case DD_T_BINARY_X: finite = isfinite(av) && isfinite(c); dd_binary_x(p->op, out, a, c, n, order); break;
        case DD_T_BINARY_Y: finite = isfinite(c) && isfinite(bv); dd_binary_y(p->op, out, c, b, n, order); break;
        case DD_T_ADD: finite = isfinite(av) && isfinite(bv); dd_add(out, a, b, m); break;
        case DD_T_SUB: finite = isfinite(av) && isfinite(bv); dd_sub(out, a, b, m); break;
        case DD_T_MUL: finite = isfinite(av) && isfinite(bv); dd_mul(out, a, b, n, order); break;
        case DD_T_DIV: finite = isfinite(av) && isfinite(bv); dd_div(out, a, b, n, order); break;
        case DD_T_NEG: dd_neg(out, a, m); continue;
        case DD_T_ADD_SCALAR: finite = isfinite(av) && isfinite(c); dd_add_scalar(out, a, c, m); break;
        case DD_T_SCALAR_SUB: finite = isfinite(av) && isfinite(c); dd_scalar_sub(out, c, a, m); break;
        case DD_T_SCALAR_MUL: finite = isfinite(av) && isfinite(c); dd_scalar_mul(out, c, a, m); break;
        case DD_T_DIV_SCALAR: finite = isfinite(av) && isfinite(c); dd_div_scalar(out, a, c, m); break;
        case DD_T_SCALAR_DIV: finite = isfinite(c) && isfinite(bv); dd_scalar_div(out, c, b, n, order); break;
        case DD_T_POW_SCALAR: finite = isfinite(av) && isfinite(c); dd_pow_scalar(out, a, c, n, order); break;
        case DD_T_SCALAR_POW: finite = isfinite(c) && isfinite(bv); dd_scalar_pow(out, c, b, n, order); break;
        case DD_T_GUARD:
            if (dd__tape_compare(p->op & 7, av, bv) != (p->op >> 3)) return DD_TAPE_GUARD;
            continue;
        case DD_T_GUARD_SCALAR:
            if (dd__tape_compare(p->op & 7, av, c) != (p->op >> 3)) return DD_TAPE_GUARD;
            continue;
        default: return DD_TAPE_GUARD; /* not a tape this header knows: never a number */
        }
        if (finite && !isfinite(out[0])) return DD_TAPE_NONFINITE;
    }
    return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DD_TAPE_H */
