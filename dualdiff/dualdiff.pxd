# dualdiff/dualdiff.pxd - the public Cython declarations of dualdiff's C API.
#
# Use it with `from dualdiff.dualdiff cimport *` (or cimport single names);
# compile with include_dirs=[dualdiff.get_include()]. Every function is
# declared nogil and noexcept: none touches Python.
#
# This file must match dualdiff/include/dualdiff/dualdiff.h (and the headers
# it includes); a test compares the two. The number layout is frozen:
#   first order, width n:   n + 1 doubles   [value, t_1, ..., t_n]
#   second order, width n:  1 + n + n(n+1)/2 doubles
#                           [value, g_1..g_n, upper triangle of H row by row]

cdef extern from "dualdiff/dualdiff.h" nogil:
    int DUALDIFF_VERSION_MAJOR
    int DUALDIFF_VERSION_MINOR
    int DUALDIFF_VERSION_PATCH
    int DUALDIFF_VERSION_HEX
    int DUALDIFF_ABI_VERSION

    double DD_PI
    double DD_LN2
    double DD_LN10
    double DD_2_SQRTPI

    ctypedef enum dd_unary_op:
        DD_OP_sqrt
        DD_OP_cbrt
        DD_OP_exp
        DD_OP_exp2
        DD_OP_expm1
        DD_OP_log
        DD_OP_log2
        DD_OP_log10
        DD_OP_log1p
        DD_OP_sin
        DD_OP_cos
        DD_OP_tan
        DD_OP_asin
        DD_OP_acos
        DD_OP_atan
        DD_OP_sinh
        DD_OP_cosh
        DD_OP_tanh
        DD_OP_asinh
        DD_OP_acosh
        DD_OP_atanh
        DD_OP_erf
        DD_OP_erfc
        DD_OP_gamma
        DD_OP_lgamma
        DD_OP_fabs
        DD_OP_floor
        DD_OP_ceil
        DD_OP_trunc
        DD_OP_rint
        DD_OP_sign
        DD_OP_degrees
        DD_OP_radians
        DD_OP_square
        DD_OP_reciprocal
        DD_OP_psi
        DD_OP_expit
        DD_OP_logit
        DD_OP_log_expit
        DD_OP_erfcx
        DD_OP_erfinv
        DD_OP_ndtr
        DD_OP_log_ndtr
        DD_OP_ndtri
        DD_OP_entr
        DD_OP_rgamma
        DD_OP_gammasgn
        DD_OP_erfcinv
        DD_OP_j0
        DD_OP_j1
        DD_OP_y0
        DD_OP_y1
        DD_OP_i0
        DD_OP_i0e
        DD_OP_i1
        DD_OP_i1e
        DD_NUM_UNARY
    ctypedef enum dd_binary_op:
        DD_OP2_mul
        DD_OP2_div
        DD_OP2_pow
        DD_OP2_floordiv
        DD_OP2_mod
        DD_OP2_add
        DD_OP2_sub
        DD_OP2_atan2
        DD_OP2_hypot
        DD_OP2_fmod
        DD_OP2_remainder
        DD_OP2_copysign
        DD_OP2_maximum
        DD_OP2_minimum
        DD_OP2_fmax
        DD_OP2_fmin
        DD_OP2_xlogy
        DD_OP2_xlog1py
        DD_OP2_rel_entr
        DD_OP2_beta
        DD_OP2_betaln
        DD_NUM_BINARY

    ctypedef void (*dd_unary_rule)(double x, int order, double *r) noexcept
    ctypedef void (*dd_binary_rule)(double x, double y, int order, double *r) noexcept

    # rules: value and derivatives (dd_rules.h)
    dd_unary_rule dd_unary_rule_of(int op)
    dd_binary_rule dd_binary_rule_of(int op)
    const char *dd_unary_name(int op)
    const char *dd_binary_name(int op)
    void dd_rule_pow_const(double x, double c, int order, double *r)
    void dd_rule_const_pow(double c, double y, int order, double *r)
    double dd_digamma(double x)
    double dd_trigamma(double x)
    double dd_tetragamma(double x)
    int dd_unary_depends(int op)
    void dd_binary_depends(int op, int *dx, int *dy)

    # one rule per function: r = {f, f', f''} or {f, fx, fy, fxx, fxy, fyy}
    void dd_rule_sqrt(double x, int order, double *r)
    void dd_rule_cbrt(double x, int order, double *r)
    void dd_rule_exp(double x, int order, double *r)
    void dd_rule_exp2(double x, int order, double *r)
    void dd_rule_expm1(double x, int order, double *r)
    void dd_rule_log(double x, int order, double *r)
    void dd_rule_log2(double x, int order, double *r)
    void dd_rule_log10(double x, int order, double *r)
    void dd_rule_log1p(double x, int order, double *r)
    void dd_rule_sin(double x, int order, double *r)
    void dd_rule_cos(double x, int order, double *r)
    void dd_rule_tan(double x, int order, double *r)
    void dd_rule_asin(double x, int order, double *r)
    void dd_rule_acos(double x, int order, double *r)
    void dd_rule_atan(double x, int order, double *r)
    void dd_rule_sinh(double x, int order, double *r)
    void dd_rule_cosh(double x, int order, double *r)
    void dd_rule_tanh(double x, int order, double *r)
    void dd_rule_asinh(double x, int order, double *r)
    void dd_rule_acosh(double x, int order, double *r)
    void dd_rule_atanh(double x, int order, double *r)
    void dd_rule_erf(double x, int order, double *r)
    void dd_rule_erfc(double x, int order, double *r)
    void dd_rule_gamma(double x, int order, double *r)
    void dd_rule_lgamma(double x, int order, double *r)
    void dd_rule_fabs(double x, int order, double *r)
    void dd_rule_floor(double x, int order, double *r)
    void dd_rule_ceil(double x, int order, double *r)
    void dd_rule_trunc(double x, int order, double *r)
    void dd_rule_rint(double x, int order, double *r)
    void dd_rule_sign(double x, int order, double *r)
    void dd_rule_degrees(double x, int order, double *r)
    void dd_rule_radians(double x, int order, double *r)
    void dd_rule_square(double x, int order, double *r)
    void dd_rule_reciprocal(double x, int order, double *r)
    void dd_rule_psi(double x, int order, double *r)
    void dd_rule_expit(double x, int order, double *r)
    void dd_rule_logit(double x, int order, double *r)
    void dd_rule_log_expit(double x, int order, double *r)
    void dd_rule_erfcx(double x, int order, double *r)
    void dd_rule_erfinv(double x, int order, double *r)
    void dd_rule_ndtr(double x, int order, double *r)
    void dd_rule_log_ndtr(double x, int order, double *r)
    void dd_rule_ndtri(double x, int order, double *r)
    void dd_rule_entr(double x, int order, double *r)
    void dd_rule_rgamma(double x, int order, double *r)
    void dd_rule_gammasgn(double x, int order, double *r)
    void dd_rule_erfcinv(double x, int order, double *r)
    void dd_rule_j0(double x, int order, double *r)
    void dd_rule_j1(double x, int order, double *r)
    void dd_rule_y0(double x, int order, double *r)
    void dd_rule_y1(double x, int order, double *r)
    void dd_rule_i0(double x, int order, double *r)
    void dd_rule_i0e(double x, int order, double *r)
    void dd_rule_i1(double x, int order, double *r)
    void dd_rule_i1e(double x, int order, double *r)
    void dd_rule2_mul(double x, double y, int order, double *r)
    void dd_rule2_div(double x, double y, int order, double *r)
    void dd_rule2_pow(double x, double y, int order, double *r)
    void dd_rule2_floordiv(double x, double y, int order, double *r)
    void dd_rule2_mod(double x, double y, int order, double *r)
    void dd_rule2_add(double x, double y, int order, double *r)
    void dd_rule2_sub(double x, double y, int order, double *r)
    void dd_rule2_atan2(double x, double y, int order, double *r)
    void dd_rule2_hypot(double x, double y, int order, double *r)
    void dd_rule2_fmod(double x, double y, int order, double *r)
    void dd_rule2_remainder(double x, double y, int order, double *r)
    void dd_rule2_copysign(double x, double y, int order, double *r)
    void dd_rule2_maximum(double x, double y, int order, double *r)
    void dd_rule2_minimum(double x, double y, int order, double *r)
    void dd_rule2_fmax(double x, double y, int order, double *r)
    void dd_rule2_fmin(double x, double y, int order, double *r)
    void dd_rule2_xlogy(double x, double y, int order, double *r)
    void dd_rule2_xlog1py(double x, double y, int order, double *r)
    void dd_rule2_rel_entr(double x, double y, int order, double *r)
    void dd_rule2_beta(double x, double y, int order, double *r)
    void dd_rule2_betaln(double x, double y, int order, double *r)

    # numbers (dd_core.h)
    int DD_PATTERN
    int DD_TAYLOR
    int DD_IEEE
    int DD_ORDER(int order)
    size_t dd_size(size_t n, int order)
    void dd_chain_unary(double *out, const double *a, size_t n, int order, const double *r)
    void dd_chain_binary(double *out, const double *a, const double *b, size_t n, int order, const double *r)
    void dd_chain_binary_x(double *out, const double *a, size_t n, int order, const double *r)
    void dd_chain_binary_y(double *out, const double *b, size_t n, int order, const double *r)
    void dd_unary(int op, double *out, const double *a, size_t n, int order)
    void dd_binary(int op, double *out, const double *a, const double *b, size_t n, int order)
    void dd_binary_x(int op, double *out, const double *a, double c, size_t n, int order)
    void dd_binary_y(int op, double *out, double c, const double *b, size_t n, int order)

    void dd_copy(double *out, const double *a, size_t m)
    void dd_add(double *out, const double *a, const double *b, size_t m)
    void dd_sub(double *out, const double *a, const double *b, size_t m)
    void dd_neg(double *out, const double *a, size_t m)
    void dd_add_scalar(double *out, const double *a, double c, size_t m)
    void dd_sub_scalar(double *out, const double *a, double c, size_t m)
    void dd_scalar_sub(double *out, double c, const double *a, size_t m)
    void dd_scalar_mul(double *out, double c, const double *a, size_t m)
    void dd_div_scalar(double *out, const double *a, double c, size_t m)
    void dd_mul(double *out, const double *a, const double *b, size_t n, int order)
    void dd_div(double *out, const double *a, const double *b, size_t n, int order)
    void dd_scalar_div(double *out, double c, const double *b, size_t n, int order)
    void dd_pow(double *out, const double *a, const double *b, size_t n, int order)
    void dd_pow_scalar(double *out, const double *a, double c, size_t n, int order)
    void dd_scalar_pow(double *out, double c, const double *b, size_t n, int order)
    void dd_hypot_n(double *out, const double *const *args, size_t count, size_t n, int order)

    void dd_set_constant(double *out, double v, size_t n, int order)
    void dd_set_variable(double *out, double v, size_t k, size_t n, int order)
    size_t dd_hessian_index(size_t i, size_t j, size_t n)
    int dd_isfinite(const double *a, size_t n, int order)

    # one function per rule (dualdiff.h)
    void dd_sqrt(double *out, const double *a, size_t n, int order)
    void dd_cbrt(double *out, const double *a, size_t n, int order)
    void dd_exp(double *out, const double *a, size_t n, int order)
    void dd_exp2(double *out, const double *a, size_t n, int order)
    void dd_expm1(double *out, const double *a, size_t n, int order)
    void dd_log(double *out, const double *a, size_t n, int order)
    void dd_log2(double *out, const double *a, size_t n, int order)
    void dd_log10(double *out, const double *a, size_t n, int order)
    void dd_log1p(double *out, const double *a, size_t n, int order)
    void dd_sin(double *out, const double *a, size_t n, int order)
    void dd_cos(double *out, const double *a, size_t n, int order)
    void dd_tan(double *out, const double *a, size_t n, int order)
    void dd_asin(double *out, const double *a, size_t n, int order)
    void dd_acos(double *out, const double *a, size_t n, int order)
    void dd_atan(double *out, const double *a, size_t n, int order)
    void dd_sinh(double *out, const double *a, size_t n, int order)
    void dd_cosh(double *out, const double *a, size_t n, int order)
    void dd_tanh(double *out, const double *a, size_t n, int order)
    void dd_asinh(double *out, const double *a, size_t n, int order)
    void dd_acosh(double *out, const double *a, size_t n, int order)
    void dd_atanh(double *out, const double *a, size_t n, int order)
    void dd_erf(double *out, const double *a, size_t n, int order)
    void dd_erfc(double *out, const double *a, size_t n, int order)
    void dd_gamma(double *out, const double *a, size_t n, int order)
    void dd_lgamma(double *out, const double *a, size_t n, int order)
    void dd_fabs(double *out, const double *a, size_t n, int order)
    void dd_floor(double *out, const double *a, size_t n, int order)
    void dd_ceil(double *out, const double *a, size_t n, int order)
    void dd_trunc(double *out, const double *a, size_t n, int order)
    void dd_rint(double *out, const double *a, size_t n, int order)
    void dd_sign(double *out, const double *a, size_t n, int order)
    void dd_degrees(double *out, const double *a, size_t n, int order)
    void dd_radians(double *out, const double *a, size_t n, int order)
    void dd_square(double *out, const double *a, size_t n, int order)
    void dd_reciprocal(double *out, const double *a, size_t n, int order)
    void dd_psi(double *out, const double *a, size_t n, int order)
    void dd_expit(double *out, const double *a, size_t n, int order)
    void dd_logit(double *out, const double *a, size_t n, int order)
    void dd_log_expit(double *out, const double *a, size_t n, int order)
    void dd_erfcx(double *out, const double *a, size_t n, int order)
    void dd_erfinv(double *out, const double *a, size_t n, int order)
    void dd_ndtr(double *out, const double *a, size_t n, int order)
    void dd_log_ndtr(double *out, const double *a, size_t n, int order)
    void dd_ndtri(double *out, const double *a, size_t n, int order)
    void dd_entr(double *out, const double *a, size_t n, int order)
    void dd_rgamma(double *out, const double *a, size_t n, int order)
    void dd_gammasgn(double *out, const double *a, size_t n, int order)
    void dd_erfcinv(double *out, const double *a, size_t n, int order)
    void dd_j0(double *out, const double *a, size_t n, int order)
    void dd_j1(double *out, const double *a, size_t n, int order)
    void dd_y0(double *out, const double *a, size_t n, int order)
    void dd_y1(double *out, const double *a, size_t n, int order)
    void dd_i0(double *out, const double *a, size_t n, int order)
    void dd_i0e(double *out, const double *a, size_t n, int order)
    void dd_i1(double *out, const double *a, size_t n, int order)
    void dd_i1e(double *out, const double *a, size_t n, int order)
    void dd_atan2(double *out, const double *a, const double *b, size_t n, int order)
    void dd_hypot(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmod(double *out, const double *a, const double *b, size_t n, int order)
    void dd_remainder(double *out, const double *a, const double *b, size_t n, int order)
    void dd_copysign(double *out, const double *a, const double *b, size_t n, int order)
    void dd_maximum(double *out, const double *a, const double *b, size_t n, int order)
    void dd_minimum(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmax(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmin(double *out, const double *a, const double *b, size_t n, int order)
    void dd_xlogy(double *out, const double *a, const double *b, size_t n, int order)
    void dd_xlog1py(double *out, const double *a, const double *b, size_t n, int order)
    void dd_rel_entr(double *out, const double *a, const double *b, size_t n, int order)
    void dd_beta(double *out, const double *a, const double *b, size_t n, int order)
    void dd_betaln(double *out, const double *a, const double *b, size_t n, int order)

    # Taylor numbers of degree K: K + 1 doubles [c0, ..., cK] (dd_taylor.h);
    # 0 on success, -1 for K > DD_TAYLOR_MAX, -2 for an unknown op code
    int DD_TAYLOR_MAX
    int dd_taylor_mul(double *out, const double *a, const double *b, size_t K)
    int dd_taylor_div(double *out, const double *a, const double *b, size_t K)
    int dd_taylor_unary(int op, double *out, const double *a, size_t K)
    int dd_taylor_binary(int op, double *out, const double *a, const double *b, size_t K)
    double dd_polygamma(int n, double x)

    # drivers for solvers (dd_drivers.h)
    int DD_OK
    int DD_ERR_ARGS
    int DD_ERR_SINGULAR
    int DD_ERR_NONFINITE
    int DD_ERR_MAXITER
    int DD_ERR_NOPROGRESS

    # f(x duals, f duals, n_in, n_out, width, data) -> 0 or an error code;
    # input i at x + i * (width + 1), output k at f + k * (width + 1).
    # Write one as `cdef int f(const double *x, double *f, size_t n_in,
    # size_t n_out, size_t width, void *data) noexcept nogil:`
    ctypedef int (*dd_func)(const double *x, double *f, size_t n_in, size_t n_out, size_t width,
                            void *data) noexcept nogil

    size_t dd_work_size(size_t n_in, size_t n_out, size_t chunk)
    int dd_value_and_jacobian(dd_func f, void *data, const double *x, size_t n_in, size_t n_out,
                              size_t chunk, double *fx, double *jac, double *work)
    int dd_jacobian(dd_func f, void *data, const double *x, size_t n_in, size_t n_out, size_t chunk,
                    double *jac, double *work)
    int dd_gradient(dd_func f, void *data, const double *x, size_t n, size_t chunk, double *fx,
                    double *grad, double *work)
    int dd_derivative(dd_func f, void *data, double x, double *fx, double *dfdx)
    int dd_jvp(dd_func f, void *data, const double *x, const double *v, size_t n_in, size_t n_out,
               double *fx, double *jv, double *work)
    ctypedef int (*dd_taylor_func)(const double *x, double *f, size_t n_in, size_t n_out, size_t degree,
                                   void *data) noexcept nogil
    size_t dd_taylor_work_size(size_t n_in, size_t n_out, size_t degree)
    int dd_taylor(dd_taylor_func f, void *data, const double *x, const double *v, size_t n_in, size_t n_out,
                  size_t degree, double *coef, double *work)
    int dd_lu_solve(double *a, double *b, size_t n)
    size_t dd_newton_work_size(size_t n, size_t chunk)
    int dd_newton(dd_func f, void *data, double *x, size_t n, size_t chunk, double ftol, double xtol,
                  int maxiter, double *fx, double *work, int *iterations)

    # tapes of traced Python functions (dd_tape.h): dualdiff.trace records,
    # Traced.export hands out a dd_tape as the void * data of these functions
    ctypedef signed int int32_t
    int DD_TAPE_GUARD
    int DD_TAPE_NONFINITE
    int DD_TAPE_NOMEMORY
    int DD_TAPE_STACK
    int DD_TAPE_REVERSE
    ctypedef enum dd_tape_kind:
        DD_T_CONST
        DD_T_UNARY
        DD_T_BINARY
        DD_T_BINARY_X
        DD_T_BINARY_Y
        DD_T_ADD
        DD_T_SUB
        DD_T_MUL
        DD_T_DIV
        DD_T_NEG
        DD_T_ADD_SCALAR
        DD_T_SCALAR_SUB
        DD_T_SCALAR_MUL
        DD_T_DIV_SCALAR
        DD_T_SCALAR_DIV
        DD_T_POW_SCALAR
        DD_T_SCALAR_POW
        DD_T_GUARD
        DD_T_GUARD_SCALAR
        DD_T_CHECK
        DD_T_NUM_KINDS
    ctypedef enum dd_tape_cmp:
        DD_CMP_LT
        DD_CMP_LE
        DD_CMP_EQ
        DD_CMP_NE
        DD_CMP_GT
        DD_CMP_GE
    ctypedef struct dd_tape_op:
        int32_t kind
        int32_t op
        int32_t a
        int32_t b
        int32_t out
        int32_t pad_
        double c
    ctypedef struct dd_tape:
        const dd_tape_op *ops
        size_t n_ops
        const int32_t *outputs
        size_t n_out
        size_t n_slots
        size_t n_inputs
        size_t n_x
        const double *args
    ctypedef int (*dd_tape_vj_func)(const double *x, double *fx, double *jac, void *data) noexcept nogil
    int dd_tape_eval(const dd_tape_op *ops, size_t n_ops, double *slots, size_t n, int order)
    int dd_tape_gradient(const dd_tape_op *ops, size_t n_ops, double *v, double *d, double *adj,
                         size_t n_slots, int32_t out)
    int dd_tape_value_and_jacobian(const double *x, double *fx, double *jac, void *data)
    int dd_tape_value_and_gradient(const double *x, double *fx, double *grad, void *data)
    int dd_tape_func(const double *x, double *f, size_t n_in, size_t n_out, size_t width, void *data)
    double dd_tape_scalar_value(double x, void *data)
    double dd_tape_scalar_derivative(double x, void *data)
