/*
 * dualdiff/dualdiff.h - the public C API of dualdiff (include this one file).
 *
 * Find it with `python -c "import dualdiff; print(dualdiff.get_include())"`.
 * Header only: every function is static inline, so there is nothing to link.
 * The Cython declarations in dualdiff/dualdiff.pxd must match this header.
 *
 * Numbers (frozen ABI; a number is a pointer to doubles the caller owns):
 *   first order, width n:   n + 1 doubles   [value, t_1, ..., t_n]
 *   second order, width n:  dd_size(n, 2) = 1 + n + n(n+1)/2 doubles
 *                           [value, g_1..g_n, upper triangle of H row by row]
 * Width n >= 0 is chosen at run time (width 0 is the value alone, one double:
 * every function then computes just the value); `order` is 1 or 2. A zero tangent
 * component stays exactly 0 even through an infinite partial (NaN-safe, the
 * default); `order | DD_IEEE` multiplies tangents as plain IEEE doubles
 * instead (0 * inf = NaN; no checks, so loops vectorize; the width-1
 * product has no branch in either mode). See dd_core.h.
 *
 * Functions, all with `out` first. `out` may be any of the inputs, and the
 * inputs may be the same number (dd_mul(x, x, x, n, order) squares x in place):
 * the result has the same bits as out of place. Partial overlaps are not allowed.
 * The drivers, whose outputs are arrays, have their own rule (dd_drivers.h).
 *   dd_add(out, a, b, m)  dd_sub  dd_neg(out, a, m)       m = dd_size(n, order)
 *   dd_add_scalar(out, a, c, m)  dd_sub_scalar  dd_scalar_sub  dd_scalar_mul(out, c, a, m)
 *   dd_div_scalar(out, a, c, m)
 *   dd_mul(out, a, b, n, order)  dd_div  dd_pow  dd_scalar_div(out, c, b, n, order)
 *   dd_pow_scalar(out, a, c, n, order)  dd_scalar_pow(out, c, b, n, order)
 *   dd_NAME(out, a, n, order) for every unary rule in DD_UNARY_RULES
 *     (sqrt cbrt exp exp2 expm1 log log2 log10 log1p sin cos tan asin acos atan
 *      sinh cosh tanh asinh acosh atanh erf erfc gamma lgamma fabs floor ceil
 *      trunc rint sign degrees radians square reciprocal)
 *   dd_NAME(out, a, b, n, order) for every rule in DD_BINARY_FUNCTIONS
 *     (atan2 hypot fmod remainder copysign maximum minimum fmax fmin)
 *   dd_set_constant(out, v, n, order), dd_set_variable(out, v, k, n, order)
 *     (direction k is 0-based; k >= n gives the constant v, see dd_core.h)
 *   dd_hessian_index(i, j, n), dd_isfinite(a, n, order)
 *   dd_rule_NAME / dd_rule2_NAME: value and derivatives of each function (dd_rules.h)
 * Drivers for solvers, over a callback dd_func with a void * of user data
 * (documented in dd_drivers.h):
 *   dd_derivative, dd_gradient, dd_jacobian, dd_value_and_jacobian, dd_jvp,
 *   dd_work_size, dd_lu_solve, dd_newton, dd_newton_work_size; codes DD_OK, DD_ERR_*
 * Tapes of traced Python functions (dualdiff.trace; documented in dd_tape.h):
 *   dd_tape_eval, and for an exported tape (a dd_tape, the void * data):
 *   dd_tape_value_and_gradient, dd_tape_value_and_jacobian (dd_tape_vj_func),
 *   dd_tape_func (a dd_func for the drivers), dd_tape_scalar_value,
 *   dd_tape_scalar_derivative; codes DD_TAPE_*
 *
 * Conventions at singular points are those of the Python package (README,
 * "Conventions"); they live in the rules in dd_rules.h.
 */
#ifndef DUALDIFF_DUALDIFF_H
#define DUALDIFF_DUALDIFF_H

#define DUALDIFF_VERSION_MAJOR 0
#define DUALDIFF_VERSION_MINOR 12
#define DUALDIFF_VERSION_PATCH 0
#define DUALDIFF_VERSION_HEX ((DUALDIFF_VERSION_MAJOR << 16) | (DUALDIFF_VERSION_MINOR << 8) | DUALDIFF_VERSION_PATCH)
/* Bumped only if the number layout above ever changes. */
#define DUALDIFF_ABI_VERSION 1

#include "dd_rules.h"
#include "dd_core.h"
#include "dd_drivers.h"
#include "dd_tape.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The rule is called by name, not through dd_unary's table, so that the
 * compiler can inline it into the caller; Taylor numbers take dd_unary's
 * recurrences (a chain rule from f, f', f'' gives only two coefficients). */
#define DD__WRAP_UNARY(name) \
    static inline void dd_##name(double *out, const double *a, size_t n, int order) \
    { double r[3]; \
      if (DD_ORDER(order) == DD_TAYLOR) { dd_unary(DD_OP_##name, out, a, n, order); return; } \
      dd_rule_##name(a[0], DD_ORDER(order), r); dd_chain_unary(out, a, n, order, r); }
DD_UNARY_RULES(DD__WRAP_UNARY)
#undef DD__WRAP_UNARY

#define DD__WRAP_BINARY(name) \
    static inline void dd_##name(double *out, const double *a, const double *b, size_t n, int order) \
    { double r[6]; \
      if (DD_ORDER(order) == DD_TAYLOR) { dd_binary(DD_OP2_##name, out, a, b, n, order); return; } \
      dd_rule2_##name(a[0], b[0], DD_ORDER(order), r); dd_chain_binary(out, a, b, n, order, r); }
DD_BINARY_FUNCTIONS(DD__WRAP_BINARY)
#undef DD__WRAP_BINARY

#ifdef __cplusplus
}
#endif

#endif /* DUALDIFF_DUALDIFF_H */
