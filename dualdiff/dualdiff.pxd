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
    int dd_unary_depends(int op)
    void dd_binary_depends(int op, int *dx, int *dy)

    # numbers (dd_core.h)
    int DD_PATTERN
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
    void dd_atan2(double *out, const double *a, const double *b, size_t n, int order)
    void dd_hypot(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmod(double *out, const double *a, const double *b, size_t n, int order)
    void dd_remainder(double *out, const double *a, const double *b, size_t n, int order)
    void dd_copysign(double *out, const double *a, const double *b, size_t n, int order)
    void dd_maximum(double *out, const double *a, const double *b, size_t n, int order)
    void dd_minimum(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmax(double *out, const double *a, const double *b, size_t n, int order)
    void dd_fmin(double *out, const double *a, const double *b, size_t n, int order)
