# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True
"""C loops of the dual array type (dualdiff/_ndarray.py).

Every buffer is C-contiguous float64 holding `count` numbers of
m = dd_size(n, order) doubles each, in the frozen layout of dualdiff.h, so
each loop applies one rule of the C core per element. The GIL is released.

Each elementwise loop returns a bit mask of floating-point events seen in the
values, for NumPy-style warnings: 1 = NaN from non-NaN input (invalid),
2 = infinity from finite input (divide by zero or overflow).
"""
from libc.math cimport isnan, isfinite
from libc.stdint cimport int64_t
from dualdiff.dualdiff cimport *

# Arithmetic codes beside the binary rule codes (which are >= 0).
MUL = -3
DIV = -4
POW = -5
cdef enum:
    C_MUL = -3
    C_DIV = -4
    C_POW = -5


cdef extern from *:
    """
    /* the product of width-1 numbers, and 1 if any value is not finite: z
     * sums 0 * value, which is NaN only for an infinite or NaN value (a sum
     * that vectorizes, where an int flag stops GCC). The loop is inlined with
     * a constant order for each mode, so each copy vectorizes. */
    static inline int dd__mul1_loop(double *restrict o, const double *restrict a, const double *restrict b,
                                    Py_ssize_t count, int order)
    {
        Py_ssize_t i;
        double z = 0.0;
        for (i = 0; i < count; i++) {
            dd_mul(o + 2 * i, a + 2 * i, b + 2 * i, 1, order);
            z += 0.0 * o[2 * i];
        }
        return z != 0.0;
    }
    static int dd__mul1(double *restrict o, const double *restrict a, const double *restrict b, Py_ssize_t count,
                        int order)
    {
        return order & DD_IEEE ? dd__mul1_loop(o, a, b, count, 1 | DD_IEEE) : dd__mul1_loop(o, a, b, count, 1);
    }
    """
    int _mul1 "dd__mul1"(double *o, const double *a, const double *b, Py_ssize_t count, int order) noexcept nogil


# ------------------------------------------------------------ buffer cache
#
# Each operation on a dual array of n numbers and w directions makes a new
# buffer of (w + 1) n doubles. Past a few hundred KiB, glibc gives such blocks
# back to the system when they are freed and takes them again, page by page, on
# the next operation; those page faults can cost more than the arithmetic. So
# while a transform runs on a large input, NumPy allocates array data through
# the handler below, which keeps freed blocks of at least DD_CACHE_MIN bytes
# (at most DD_CACHE_SLOTS of them, DD_CACHE_LIMIT bytes in all, the oldest
# released first) and hands them out again for requests of nearly their size.
# Every block starts with a 16-byte header holding its size, so a block never
# depends on the size NumPy reports when it frees it.

cdef extern from *:
    """
    #include <numpy/arrayobject.h>
    #include <pythread.h>

    /* Under AddressSanitizer a kept block is poisoned, so a use after free
     * is still reported. */
    #if defined(__SANITIZE_ADDRESS__)
    #define DD__ASAN 1
    #elif defined(__has_feature)
    #if __has_feature(address_sanitizer)
    #define DD__ASAN 1
    #endif
    #endif
    #ifdef DD__ASAN
    #include <sanitizer/asan_interface.h>
    #define DD__POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
    #define DD__UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
    #else
    #define DD__POISON(p, n) ((void)0)
    #define DD__UNPOISON(p, n) ((void)0)
    #endif

    #define DD_CACHE_MIN ((size_t)256 << 10)
    #define DD_CACHE_MAX ((size_t)64 << 20)
    #define DD_CACHE_LIMIT ((size_t)128 << 20)
    #define DD_CACHE_SLOTS 32
    #define DD_CACHE_HEAD 16

    static struct {
        PyThread_type_lock lock;
        int count;
        size_t bytes;
        char *block[DD_CACHE_SLOTS];   /* oldest first */
        size_t size[DD_CACHE_SLOTS];
    } dd__cache;

    /* Take entry i out of the cache (lock held); returns its block, unpoisoned. */
    static char *dd__cache_remove(int i)
    {
        char *h = dd__cache.block[i];
        DD__UNPOISON(h, dd__cache.size[i]);
        dd__cache.bytes -= dd__cache.size[i];
        for (i = i + 1; i < dd__cache.count; i++) {
            dd__cache.block[i - 1] = dd__cache.block[i];
            dd__cache.size[i - 1] = dd__cache.size[i];
        }
        dd__cache.count--;
        return h;
    }

    /* A cached block of at least `need` bytes and at most 1.25 `need`, or NULL:
     * the smallest such, and of those the newest, whose memory is most likely
     * still in the CPU caches. */
    static char *dd__cache_take(size_t need)
    {
        int i, best = -1;
        char *h = NULL;
        if (need < DD_CACHE_MIN || need > DD_CACHE_MAX) return NULL;
        PyThread_acquire_lock(dd__cache.lock, WAIT_LOCK);
        for (i = dd__cache.count - 1; i >= 0; i--)
            if (dd__cache.size[i] >= need && dd__cache.size[i] - need <= need / 4
                && (best < 0 || dd__cache.size[i] < dd__cache.size[best]))
                best = i;
        if (best >= 0) h = dd__cache_remove(best);
        PyThread_release_lock(dd__cache.lock);
        return h;
    }

    /* Keep a freed block (header pointer) or free it; older blocks make room. */
    static void dd__cache_give(char *h)
    {
        size_t size = *(size_t *)h;
        char *drop[DD_CACHE_SLOTS];
        int i, k = 0;
        if (size < DD_CACHE_MIN || size > DD_CACHE_MAX) {
            free(h);
            return;
        }
        PyThread_acquire_lock(dd__cache.lock, WAIT_LOCK);
        while (dd__cache.count > 0 && (dd__cache.count == DD_CACHE_SLOTS || dd__cache.bytes + size > DD_CACHE_LIMIT))
            drop[k++] = dd__cache_remove(0);
        DD__POISON(h, size);
        dd__cache.block[dd__cache.count] = h;
        dd__cache.size[dd__cache.count] = size;
        dd__cache.count++;
        dd__cache.bytes += size;
        PyThread_release_lock(dd__cache.lock);
        for (i = 0; i < k; i++) free(drop[i]);
    }

    static void *dd__data_malloc(void *ctx, size_t size)
    {
        size_t need = size + DD_CACHE_HEAD;
        char *h;
        (void)ctx;
        if (need < size) return NULL;
        h = dd__cache_take(need);
        if (h == NULL) {
            h = (char *)malloc(need);
            if (h == NULL) return NULL;
            *(size_t *)h = need;
        }
        return h + DD_CACHE_HEAD;
    }

    static void *dd__data_calloc(void *ctx, size_t nelem, size_t elsize)
    {
        size_t size, need;
        char *h;
        (void)ctx;
        if (elsize != 0 && nelem > ((size_t)-1 - DD_CACHE_HEAD) / elsize) return NULL;
        size = nelem * elsize;
        need = size + DD_CACHE_HEAD;
        h = dd__cache_take(need);
        if (h != NULL) {
            memset(h + DD_CACHE_HEAD, 0, size);
        } else {
            h = (char *)calloc(1, need);
            if (h == NULL) return NULL;
            *(size_t *)h = need;
        }
        return h + DD_CACHE_HEAD;
    }

    static void *dd__data_realloc(void *ctx, void *ptr, size_t size)
    {
        size_t need = size + DD_CACHE_HEAD;
        char *h;
        if (ptr == NULL) return dd__data_malloc(ctx, size);
        if (need < size) return NULL;
        h = (char *)realloc((char *)ptr - DD_CACHE_HEAD, need);
        if (h == NULL) return NULL;
        *(size_t *)h = need;
        return h + DD_CACHE_HEAD;
    }

    static void dd__data_free(void *ctx, void *ptr, size_t size)
    {
        (void)ctx;
        (void)size;
        if (ptr != NULL) dd__cache_give((char *)ptr - DD_CACHE_HEAD);
    }

    static PyDataMem_Handler dd__handler = {
        "dualdiff_buffer_cache", 1,
        {NULL, dd__data_malloc, dd__data_calloc, dd__data_realloc, dd__data_free}
    };

    /* The handler as a capsule NumPy accepts, or NULL with an exception set. */
    static PyObject *dd__cache_handler(void)
    {
        if (_import_array() < 0) return NULL;
        if (dd__cache.lock == NULL) {
            dd__cache.lock = PyThread_allocate_lock();
            if (dd__cache.lock == NULL) return PyErr_NoMemory();
        }
        return PyCapsule_New(&dd__handler, "mem_handler", NULL);
    }

    /* NumPy's data allocator for this context; returns the previous one. */
    static PyObject *dd__set_handler(PyObject *handler)
    {
        return PyDataMem_SetHandler(handler);
    }

    static void dd__cache_clear(void)
    {
        char *drop[DD_CACHE_SLOTS];
        int i, k;
        if (dd__cache.lock == NULL) return;
        PyThread_acquire_lock(dd__cache.lock, WAIT_LOCK);
        for (k = 0; dd__cache.count > 0; k++) drop[k] = dd__cache_remove(dd__cache.count - 1);
        PyThread_release_lock(dd__cache.lock);
        for (i = 0; i < k; i++) free(drop[i]);
    }
    """
    object dd__cache_handler()
    object dd__set_handler(object handler)
    void dd__cache_clear()
    size_t DD_CACHE_MIN, DD_CACHE_MAX, DD_CACHE_LIMIT
    int DD_CACHE_SLOTS
    int dd__cache_count "dd__cache.count"
    size_t dd__cache_bytes "dd__cache.bytes"


#: Inputs of at least this many doubles run their transform with the cache.
CACHE_FROM = 1 << 15


def set_data_handler(handler):
    """set_data_handler(handler) -> the previous one: NumPy's data allocator for
    this context (CACHE_HANDLER for the buffer cache, or a handler returned
    before, to restore it)."""
    return dd__set_handler(handler)


def clear_buffer_cache():
    """clear_buffer_cache(): free every block the cache keeps."""
    dd__cache_clear()


def buffer_cache_info():
    """buffer_cache_info() -> (blocks kept, bytes kept)."""
    return dd__cache_count, dd__cache_bytes


CACHE_HANDLER = dd__cache_handler()
#: (smallest and largest block kept, most bytes kept, most blocks kept)
CACHE_LIMITS = (DD_CACHE_MIN, DD_CACHE_MAX, DD_CACHE_LIMIT, DD_CACHE_SLOTS)


# ------------------------------------------------------------ placeholder data
#
# A DualArray is an ndarray subclass (so that SciPy's np.asanyarray passes it
# through), and NumPy lets no subclass intercept np.asarray or np.array. So the
# ndarray a DualArray is holds no numbers: it is an object array whose every
# element is the same placeholder object, whose every operation raises an error
# that names the cause. Code that strips the type (np.asarray, writing into a
# float array, a library routine that converts its input) fails on its first
# use of a value, comparisons included, instead of computing with values that
# lost their derivatives. The numbers live in the DualArray's own buffer.

cdef extern from *:
    """
    static PyObject *dd__stripped_cell[1];

    static PyObject *dd__stripped_view(PyObject *type, PyObject *shape, PyObject *placeholder)
    {
        npy_intp dims[NPY_MAXDIMS], strides[NPY_MAXDIMS];
        Py_ssize_t i, nd = PyTuple_GET_SIZE(shape);
        if (nd > NPY_MAXDIMS) {
            PyErr_SetString(PyExc_ValueError, "too many dimensions");
            return NULL;
        }
        for (i = 0; i < nd; i++) {
            dims[i] = PyLong_AsSsize_t(PyTuple_GET_ITEM(shape, i));
            if (dims[i] == -1 && PyErr_Occurred()) return NULL;
            strides[i] = 0;
        }
        if (dd__stripped_cell[0] != placeholder) {
            /* the cell keeps its own reference for as long as the module lives */
            Py_INCREF(placeholder);
            Py_XSETREF(dd__stripped_cell[0], placeholder);
        }
        /* flags 0: read-only, not owning its data (nothing is released with it) */
        return PyArray_NewFromDescr((PyTypeObject *)type, PyArray_DescrFromType(NPY_OBJECT),
                                    (int)nd, dims, strides, (void *)dd__stripped_cell, 0, NULL);
    }
    """
    object dd__stripped_view(object type, tuple shape, object placeholder)


def stripped_view(type cls, tuple shape, object placeholder):
    """stripped_view(cls, shape, placeholder): a read-only object ndarray of
    subclass cls and the given shape whose every element is placeholder (no
    memory per element)."""
    return dd__stripped_view(cls, shape, placeholder)


cdef extern from *:
    """
    /* First-order loops, one per unary rule, so that the compiler inlines the
     * rule into its loop (and merges sin and cos of one argument into one
     * sincos call). The loop applies the chain rule with plain products and
     * no branch; in the NaN-safe mode, the numbers whose partial is not
     * finite are then redone through dd_chain_unary, with its zero-tangent
     * rule. flatten makes GCC and clang inline the rule even where their
     * heuristics would not. Returns 1 if a value is not finite. */
    #if defined(__GNUC__)
    #define DD__FLATTEN __attribute__((flatten))
    #else
    #define DD__FLATTEN
    #endif
    /* BODY(W) for the run-time width w, with W a constant for the common
     * widths 1 to 4 (constant strides, which the compiler unrolls and
     * vectorizes), else w itself. */
    #define DD__BY_WIDTH(w, BODY) \
        switch (w) { \
        case 1: BODY(1) break; \
        case 2: BODY(2) break; \
        case 3: BODY(3) break; \
        case 4: BODY(4) break; \
        default: BODY(w) \
        }

    #define DD__LOOP1(name) \
    static DD__FLATTEN int dd__loop1_##name(double *po, const double *pa, Py_ssize_t count, size_t m, size_t n, int order) \
    { \
        Py_ssize_t i; \
        size_t k; \
        int bad = 0, singular = 0; \
        double r[3]; \
        if (m == 2) { /* width 1, the commonest: no inner loop */ \
            for (i = 0; i < count; i++) { \
                dd_rule_##name(pa[2 * i], 1, r); \
                po[2 * i + 1] = r[1] * pa[2 * i + 1]; \
                po[2 * i] = r[0]; \
                bad |= !isfinite(r[0]); \
                singular |= !isfinite(r[1]); \
            } \
        } else { \
            for (i = 0; i < count; i++) { \
                dd_rule_##name(pa[i * m], 1, r); \
                for (k = 1; k < m; k++) po[i * m + k] = r[1] * pa[i * m + k]; \
                po[i * m] = r[0]; \
                bad |= !isfinite(r[0]); \
                singular |= !isfinite(r[1]); \
            } \
        } \
        if (singular && !(order & DD_IEEE)) { \
            for (i = 0; i < count; i++) { \
                dd_rule_##name(pa[i * m], 1, r); \
                if (!isfinite(r[1])) dd_chain_unary(po + i * m, pa + i * m, n, order, r); \
            } \
        } \
        return bad; \
    }
    DD_UNARY_RULES(DD__LOOP1)
    #undef DD__LOOP1

    /* exp, vectorized. The scalar loop above calls libm's exp once per
     * number; on x86-64 CPUs with AVX2 and FMA (or AVX-512) the loops below
     * compute e^x inline, so the compiler runs several numbers per
     * instruction: e^x = 2^e 2^(j/64) e^r with x = (64 e + j) ln2/64 + r,
     * |r| <= ln2/128, 2^(j/64) from a table of two doubles (value, and the
     * rest to double precision; printed from 200-bit values of 2^(j/64)) and
     * e^r - 1 from its Taylor polynomial of degree 6 (the next term is
     * below 1e-19 relative). The result is within 0.51 ulp (libm: 0.50).
     * Numbers with |x| > 708 or NaN x, whose results leave the normal range,
     * are redone afterwards with the scalar rule. */
    #if defined(__GNUC__) && defined(__x86_64__)
    #define DD__VEXP 1
    #include <stdint.h>
    static const double dd__exp2_hi[64] = {
        0x1.0000000000000p+0, 0x1.02c9a3e778061p+0, 0x1.059b0d3158574p+0, 0x1.0874518759bc8p+0,
        0x1.0b5586cf9890fp+0, 0x1.0e3ec32d3d1a2p+0, 0x1.11301d0125b51p+0, 0x1.1429aaea92de0p+0,
        0x1.172b83c7d517bp+0, 0x1.1a35beb6fcb75p+0, 0x1.1d4873168b9aap+0, 0x1.2063b88628cd6p+0,
        0x1.2387a6e756238p+0, 0x1.26b4565e27cddp+0, 0x1.29e9df51fdee1p+0, 0x1.2d285a6e4030bp+0,
        0x1.306fe0a31b715p+0, 0x1.33c08b26416ffp+0, 0x1.371a7373aa9cbp+0, 0x1.3a7db34e59ff7p+0,
        0x1.3dea64c123422p+0, 0x1.4160a21f72e2ap+0, 0x1.44e086061892dp+0, 0x1.486a2b5c13cd0p+0,
        0x1.4bfdad5362a27p+0, 0x1.4f9b2769d2ca7p+0, 0x1.5342b569d4f82p+0, 0x1.56f4736b527dap+0,
        0x1.5ab07dd485429p+0, 0x1.5e76f15ad2148p+0, 0x1.6247eb03a5585p+0, 0x1.6623882552225p+0,
        0x1.6a09e667f3bcdp+0, 0x1.6dfb23c651a2fp+0, 0x1.71f75e8ec5f74p+0, 0x1.75feb564267c9p+0,
        0x1.7a11473eb0187p+0, 0x1.7e2f336cf4e62p+0, 0x1.82589994cce13p+0, 0x1.868d99b4492edp+0,
        0x1.8ace5422aa0dbp+0, 0x1.8f1ae99157736p+0, 0x1.93737b0cdc5e5p+0, 0x1.97d829fde4e50p+0,
        0x1.9c49182a3f090p+0, 0x1.a0c667b5de565p+0, 0x1.a5503b23e255dp+0, 0x1.a9e6b5579fdbfp+0,
        0x1.ae89f995ad3adp+0, 0x1.b33a2b84f15fbp+0, 0x1.b7f76f2fb5e47p+0, 0x1.bcc1e904bc1d2p+0,
        0x1.c199bdd85529cp+0, 0x1.c67f12e57d14bp+0, 0x1.cb720dcef9069p+0, 0x1.d072d4a07897cp+0,
        0x1.d5818dcfba487p+0, 0x1.da9e603db3285p+0, 0x1.dfc97337b9b5fp+0, 0x1.e502ee78b3ff6p+0,
        0x1.ea4afa2a490dap+0, 0x1.efa1bee615a27p+0, 0x1.f50765b6e4540p+0, 0x1.fa7c1819e90d8p+0
    };
    static const double dd__exp2_lo[64] = {
        0x0.0p+0, -0x1.19083535b085dp-56, 0x1.d73e2a475b465p-55, 0x1.186be4bb284ffp-57,
        0x1.8a62e4adc610bp-54, 0x1.03a1727c57b53p-59, -0x1.6c51039449b3ap-54,
        -0x1.32fbf9af1369ep-54, -0x1.19041b9d78a76p-55, 0x1.e5b4c7b4968e4p-55,
        0x1.e016e00a2643cp-54, 0x1.dc775814a8495p-55, 0x1.9b07eb6c70573p-54, 0x1.2bd339940e9d9p-55,
        0x1.612e8afad1255p-55, 0x1.0024754db41d5p-54, 0x1.6f46ad23182e4p-55, 0x1.32721843659a6p-54,
        -0x1.63aeabf42eae2p-54, -0x1.5e436d661f5e3p-56, 0x1.ada0911f09ebcp-55,
        -0x1.ef3691c309278p-58, 0x1.89b7a04ef80d0p-59, 0x1.3c1a3b69062f0p-56,
        0x1.d4397afec42e2p-56, -0x1.4b309d25957e3p-54, -0x1.07abe1db13cadp-55,
        0x1.9bb2c011d93adp-54, 0x1.6324c054647adp-54, 0x1.ba6f93080e65ep-54,
        -0x1.383c17e40b497p-54, -0x1.bb60987591c34p-54, -0x1.bdd3413b26456p-54,
        -0x1.bbe3a683c88abp-57, -0x1.16e4786887a99p-55, -0x1.0245957316dd3p-54,
        -0x1.41577ee04992fp-55, 0x1.05d02ba15797ep-56, -0x1.d4c1dd41532d8p-54,
        -0x1.fc6f89bd4f6bap-54, 0x1.6e9f156864b27p-54, 0x1.5cc13a2e3976cp-55,
        -0x1.75fc781b57ebcp-57, -0x1.d185b7c1b85d1p-54, 0x1.c7c46b071f2bep-56,
        -0x1.359495d1cd533p-54, -0x1.d2f6edb8d41e1p-54, 0x1.0fac90ef7fd31p-54,
        0x1.7a1cd345dcc81p-54, -0x1.2805e3084d708p-57, -0x1.5584f7e54ac3bp-56,
        0x1.23dd07a2d9e84p-55, 0x1.11065895048ddp-55, 0x1.2884dff483cadp-54, 0x1.503cbd1e949dbp-56,
        -0x1.cbc3743797a9cp-54, 0x1.2ed02d75b3707p-55, 0x1.c2300696db532p-54,
        -0x1.1a5cd4f184b5cp-54, 0x1.39e8980a9cc8fp-55, -0x1.e9c23179c2893p-54,
        0x1.dc7f486a4b6b0p-54, 0x1.9d3e12dd8a18bp-54, 0x1.74853f3a5931ep-55
    };

    #define DD__EXP_TABLE(x, res) do { \
        const double sh_ = 0x1.8p52; /* x * 64/ln2 + sh_ holds round(x * 64/ln2) in its low bits */ \
        double kd_ = __builtin_fma((x), 0x1.71547652b82fep+6, sh_), r_, p_, t_, s_; \
        int64_t ki_, bits_; \
        memcpy(&ki_, &kd_, sizeof ki_); \
        kd_ -= sh_; \
        ki_ = (int64_t)((uint64_t)ki_ - 0x4338000000000000u); /* minus the bits of sh_; no overflow for any x */ \
        r_ = __builtin_fma(kd_, -0x1.62e42fefa39efp-7, (x)); /* ln2/64, high part */ \
        r_ = __builtin_fma(kd_, -0x1.abc9e3b39803fp-62, r_); /* and the rest */ \
        p_ = __builtin_fma(r_, 1.0 / 720.0, 1.0 / 120.0); \
        p_ = __builtin_fma(p_, r_, 1.0 / 24.0); \
        p_ = __builtin_fma(p_, r_, 1.0 / 6.0); \
        p_ = __builtin_fma(p_, r_, 0.5); \
        p_ = __builtin_fma(p_ * r_, r_, r_); /* e^r - 1 */ \
        t_ = dd__exp2_hi[ki_ & 63]; \
        t_ = t_ + __builtin_fma(t_, p_, dd__exp2_lo[ki_ & 63]); \
        bits_ = (int64_t)((uint64_t)((ki_ >> 6) + 1023) << 52); /* 2^e */ \
        memcpy(&s_, &bits_, sizeof s_); \
        (res) = t_ * s_; \
    } while (0)

    /* The numbers the vector loop left out, through the scalar loop. */
    static int dd__exp_redo(double *po, const double *pa, Py_ssize_t count, size_t m, size_t n, int order)
    {
        Py_ssize_t i;
        int bad = 0;
        for (i = 0; i < count; i++)
            if (!(fabs(pa[i * m]) <= 708.0)) bad |= dd__loop1_exp(po + i * m, pa + i * m, 1, m, n, order);
        return bad;
    }

    #define DD__EXP_BODY(W) \
        for (i = 0; i < count; i++) { \
            double x = pa[i * ((W) + 1)], e; \
            DD__EXP_TABLE(x, e); \
            redo |= !(fabs(x) <= 708.0); \
            po[i * ((W) + 1)] = e; \
            for (k = 1; k <= (W); k++) po[i * ((W) + 1) + k] = e * pa[i * ((W) + 1) + k]; \
        }
    #define DD__EXP_LOOP(suffix, isa) \
    static __attribute__((target(isa))) int dd__loop1_exp_##suffix(double *restrict po, const double *restrict pa, Py_ssize_t count, size_t m, size_t n, int order) \
    { \
        Py_ssize_t i; \
        size_t k; \
        int redo = 0; \
        DD__BY_WIDTH(n, DD__EXP_BODY) \
        return redo ? dd__exp_redo(po, pa, count, m, n, order) : 0; \
    }
    DD__EXP_LOOP(avx2, "avx2,fma")
    DD__EXP_LOOP(avx512, "avx512f,avx512vl,avx512dq,avx2,fma")
    #undef DD__EXP_LOOP
    #undef DD__EXP_BODY
    #endif

    /* 0: libm's exp; 1: AVX2 and FMA; 2: AVX-512. Set once at import. */
    static int dd__exp_level = 0, dd__exp_max = 0;

    static void dd__exp_init(void)
    {
    #ifdef DD__VEXP
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) dd__exp_max = 1;
        if (dd__exp_max && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512dq")) dd__exp_max = 2;
    #endif
        dd__exp_level = dd__exp_max;
    }

    /* The loop of unary rule op, or -1 for an unknown op. */
    static int dd__unary_loop1(int op, double *po, const double *pa, Py_ssize_t count, size_t n, int order)
    {
    #ifdef DD__VEXP
        if (op == DD_OP_exp && dd__exp_level == 2) return dd__loop1_exp_avx512(po, pa, count, n + 1, n, order);
        if (op == DD_OP_exp && dd__exp_level == 1) return dd__loop1_exp_avx2(po, pa, count, n + 1, n, order);
    #endif
        switch (op) {
    #define DD__CASE1(name) case DD_OP_##name: return dd__loop1_##name(po, pa, count, n + 1, n, order);
            DD_UNARY_RULES(DD__CASE1)
    #undef DD__CASE1
        default: return -1;
        }
    }
    """
    int dd__unary_loop1(int op, double *po, const double *pa, Py_ssize_t count, size_t n, int order) noexcept nogil
    void dd__exp_init()
    int dd__exp_level, dd__exp_max


dd__exp_init()


def exp_path(int level=-1):
    """exp_path(level=-1) -> the exp of the first-order loops: 0 libm's, 1 the
    AVX2 loop, 2 the AVX-512 loop (the best the CPU runs is chosen at import).
    A level >= 0 selects it, capped at what the CPU runs; for tests."""
    global dd__exp_level
    if level >= 0:
        dd__exp_level = min(level, dd__exp_max)
    return dd__exp_level


cdef inline int _event(double x, double y, double r) noexcept nogil:
    if isnan(r):
        return 0 if (isnan(x) or isnan(y)) else 1
    if not isfinite(r) and isfinite(x) and isfinite(y):
        return 2
    return 0


def unary(int op, double[::1] out, const double[::1] a, Py_ssize_t n, int order):
    """unary(op, out, a, n, order) -> events: out[i] = f(a[i]) by unary rule op.

    out must not overlap a."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = a.shape[0] // m
    cdef int ev = 0
    cdef bint bad = 0
    cdef double *po
    cdef const double *pa
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    with nogil:
        if DD_ORDER(order) == 1:
            # first order: a loop with the rule inlined and the chain rule
            # written out (a third of the instructions of dd_unary per number)
            bad = dd__unary_loop1(op, po, pa, count, n, order)
        else:
            for i in range(count):
                dd_unary(op, po + i * m, pa + i * m, n, order)
                bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * m], 0.0, po[i * m])
    return ev


cdef inline void _apply2(int op, double *o, const double *a, const double *b, size_t n, int order) noexcept nogil:
    if op == C_MUL:
        dd_mul(o, a, b, n, order)
    elif op == C_DIV:
        dd_div(o, a, b, n, order)
    elif op == C_POW:
        dd_pow(o, a, b, n, order)
    else:
        dd_binary(op, o, a, b, n, order)


cdef inline void _apply_x(int op, double *o, const double *a, double c, size_t n, int order) noexcept nogil:
    cdef size_t m = dd_size(n, order)
    if op == C_MUL:
        dd_scalar_mul(o, c, a, m)
    elif op == C_DIV:
        dd_div_scalar(o, a, c, m)
    elif op == C_POW:
        dd_pow_scalar(o, a, c, n, order)
    else:
        dd_binary_x(op, o, a, c, n, order)


cdef inline void _apply_y(int op, double *o, double c, const double *b, size_t n, int order) noexcept nogil:
    cdef size_t m = dd_size(n, order)
    if op == C_MUL:
        dd_scalar_mul(o, c, b, m)
    elif op == C_DIV:
        dd_scalar_div(o, c, b, n, order)
    elif op == C_POW:
        dd_scalar_pow(o, c, b, n, order)
    else:
        dd_binary_y(op, o, c, b, n, order)


def chain_unary(double[::1] out, const double[::1] a, const double[:, ::1] r, Py_ssize_t n, int order):
    """chain_unary(out, a, r, n, order): out[i] = f(a[i]) given r[i] = (f, f', f'')
    at a[i]'s value, by dd_chain_unary (first and second order; f'' is read at
    second order only). For functions whose derivatives come from elsewhere
    (SciPy's functions of parameters). out must not overlap a."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = r.shape[0]
    if r.shape[1] != 3 or a.shape[0] != count * <Py_ssize_t>m or out.shape[0] != a.shape[0]:
        raise ValueError("chain_unary: the sizes of out, a and r do not match")
    for i in range(count):
        dd_chain_unary(&out[i * m], &a[i * m], n, order, &r[i, 0])


def binary(int op, double[::1] out, const double[::1] a, Py_ssize_t sa, const double[::1] b,
           Py_ssize_t sb, Py_ssize_t n, int order):
    """binary(op, out, a, sa, b, sb, n, order) -> events: out[i] = f(a[i*sa], b[i*sb]).

    sa and sb are 1 (one number per element) or 0 (one number for all);
    out must not overlap a or b."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = out.shape[0] // m
    cdef int ev = 0
    cdef bint bad = 0
    cdef double u, w
    cdef double *po
    cdef const double *pa
    cdef const double *pb
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    pb = &b[0]
    with nogil:
        if op == C_MUL and n == 1 and DD_ORDER(order) == 1 and sa == 1 and sb == 1:
            # width 1 has no branch in dd_mul, so this loop vectorizes
            bad = _mul1(po, pa, pb, count, order)
        else:
            for i in range(count):
                _apply2(op, po + i * m, pa + i * sa * m, pb + i * sb * m, n, order)
                bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * sa * m], pb[i * sb * m], po[i * m])
    return ev


def binary_const(int op, double[::1] out, const double[::1] a, Py_ssize_t sa, const double[::1] c,
                 Py_ssize_t sc, bint const_first, Py_ssize_t n, int order):
    """binary_const(op, out, a, sa, c, sc, const_first, n, order) -> events.

    out[i] = f(a[i*sa], c[i*sc]), or f(c[i*sc], a[i*sa]) when const_first;
    c holds plain doubles (constants); out must not overlap a."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = out.shape[0] // m
    cdef int ev = 0
    cdef bint bad = 0
    cdef double u, w
    cdef double *po
    cdef const double *pa
    cdef const double *pc
    if count == 0:
        return 0
    po = &out[0]
    pa = &a[0]
    pc = &c[0]
    with nogil:
        for i in range(count):
            if const_first:
                _apply_y(op, po + i * m, pc[i * sc], pa + i * sa * m, n, order)
            else:
                _apply_x(op, po + i * m, pa + i * sa * m, pc[i * sc], n, order)
            bad |= not isfinite(po[i * m])
        if bad:
            for i in range(count):
                ev |= _event(pa[i * sa * m], pc[i * sc], po[i * m])
    return ev


def prod_reduce(double[::1] out, const double[::1] a, Py_ssize_t rows, Py_ssize_t n, int order):
    """prod_reduce(out, a, rows, n, order): a holds rows x K numbers; out[k] = prod_r a[r, k]."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t r, k, K = out.shape[0] // m
    cdef double *po
    cdef const double *pa
    if K == 0:
        return
    po = &out[0]
    if rows == 0:
        for k in range(K):
            dd_set_constant(po + k * m, 1.0, n, order)
        return
    pa = &a[0]
    with nogil:
        for k in range(K):
            dd_copy(po + k * m, pa + k * m, m)
        for r in range(1, rows):
            for k in range(K):
                dd_mul(po + k * m, po + k * m, pa + (r * K + k) * m, n, order)


def prod_accumulate(double[::1] out, const double[::1] a, Py_ssize_t rows, Py_ssize_t n, int order):
    """prod_accumulate(out, a, rows, n, order): out[r, k] = prod_{s <= r} a[s, k]."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t r, k, K
    cdef double *po
    cdef const double *pa
    if rows == 0 or out.shape[0] == 0:
        return
    K = out.shape[0] // (m * rows)
    po = &out[0]
    pa = &a[0]
    with nogil:
        for k in range(K):
            dd_copy(po + k * m, pa + k * m, m)
        for r in range(1, rows):
            for k in range(K):
                dd_mul(po + (r * K + k) * m, po + ((r - 1) * K + k) * m, pa + (r * K + k) * m, n, order)


def seed(double[::1] out, const double[::1] x, Py_ssize_t start, Py_ssize_t n, int order):
    """seed(out, x, start, n, order): out[i] = x[i] as the variable along direction
    i - start when 0 <= i - start < n, else a constant."""
    cdef size_t m = dd_size(n, order)
    cdef Py_ssize_t i, count = x.shape[0]
    with nogil:
        for i in range(count):
            if start <= i < start + n:
                dd_set_variable(&out[i * m], x[i], <size_t>(i - start), n, order)
            else:
                dd_set_constant(&out[i * m], x[i], n, order)


cdef extern from *:
    """
    /* Numbers [x_i, t_i0, ..., t_i(w-1)]. */
    #define DD__SEED_TANGENTS(W) \
        for (i = 0; i < count; i++) { \
            po[i * ((W) + 1)] = x[i]; \
            for (k = 0; k < (W); k++) po[i * ((W) + 1) + 1 + k] = t[i * (W) + k]; \
        }
    static void dd__seed_tangents(double *restrict po, const double *restrict x, const double *restrict t,
                                  Py_ssize_t count, Py_ssize_t w)
    {
        Py_ssize_t i, k;
        DD__BY_WIDTH(w, DD__SEED_TANGENTS)
    }
    #undef DD__SEED_TANGENTS
    """
    void dd__seed_tangents(double *po, const double *x, const double *t, Py_ssize_t count,
                           Py_ssize_t w) noexcept nogil


def seed_tangents(double[::1] out, const double[::1] x, const double[:, ::1] t):
    """seed_tangents(out, x, t): out[i] = [x[i], t[i, 0], ..., t[i, w - 1]], the
    first-order numbers of width w = t.shape[1] with values x and tangents t."""
    cdef Py_ssize_t count = x.shape[0], w = t.shape[1]
    if t.shape[0] != count or out.shape[0] != count * (w + 1):
        raise ValueError("seed_tangents: out, x and t do not match")
    if count == 0:
        return
    with nogil:
        dd__seed_tangents(&out[0], &x[0], &t[0, 0] if w else NULL, count, w)


cdef extern from *:
    """
    /* Numbers [x_i, 0, ..., 1 at 1 + colors_i, ..., 0] of width w; returns 1
     * if a color lies outside 0..w-1 (its number then gets direction 0). */
    #define DD__SEED_COLORS(W) \
        for (i = 0; i < count; i++) { \
            uint64_t c = (uint64_t)colors[i]; \
            int ok = c < (uint64_t)(W); \
            bad |= !ok; \
            po[i * ((W) + 1)] = x[i]; \
            for (k = 0; k < (W); k++) po[i * ((W) + 1) + 1 + k] = 0.0; \
            po[i * ((W) + 1) + 1 + (ok ? c : 0)] = 1.0; \
        }
    static int dd__seed_colors(double *restrict po, const double *restrict x, const int64_t *restrict colors,
                               Py_ssize_t count, Py_ssize_t w)
    {
        Py_ssize_t i, k;
        int bad = 0;
        DD__BY_WIDTH(w, DD__SEED_COLORS)
        return bad;
    }
    #undef DD__SEED_COLORS
    """
    int dd__seed_colors(double *po, const double *x, const int64_t *colors, Py_ssize_t count,
                        Py_ssize_t w) noexcept nogil


def seed_colors(double[::1] out, const double[::1] x, const int64_t[::1] colors, Py_ssize_t w):
    """seed_colors(out, x, colors, w): out[i] = [x[i], 0, ..., 1, ..., 0], the
    first-order numbers of width w with values x whose tangent is the unit
    vector of direction colors[i] (0 <= colors[i] < w)."""
    cdef Py_ssize_t count = x.shape[0]
    cdef int bad
    if colors.shape[0] != count or out.shape[0] != count * (w + 1) or w < 1:
        raise ValueError("seed_colors: out, x and colors do not match")
    if count == 0:
        return
    with nogil:
        bad = dd__seed_colors(&out[0], &x[0], &colors[0], count, w)
    if bad:
        raise ValueError("seed_colors: a color outside 0..w-1")


def unpack_hessian(double[:, :, ::1] out, const double[::1] a, Py_ssize_t n, Py_ssize_t col):
    """unpack_hessian(out, a, n, col): out[i, col+j, col+k] = H_jk of the i-th
    second-order number in a (both triangles)."""
    cdef size_t m = dd_size(n, 2)
    cdef Py_ssize_t i, j, k, count = a.shape[0] // m
    cdef double h
    with nogil:
        for i in range(count):
            for j in range(n):
                for k in range(j, n):
                    h = a[i * m + dd_hessian_index(j, k, n)]
                    out[i, col + j, col + k] = h
                    out[i, col + k, col + j] = h


# ------------------------------------------------------------ seeded 1-d input
#
# grad(f) and hessian(f) of a 1-d float64 array hand f a DualArray whose class
# (_SeededVector in _ndarray.py) puts this base first: while nobody has asked
# for its buffer, x[i], len(x), iteration and unpacking answer in C from the
# list of seeded Duals, as on a list of Duals. The buffer (and the _Spec) are
# made on first use, from those Duals; from then on the list is dropped and
# every access goes through the buffer, so a write into the array (by any view
# of it, all of which start from the buffer) is always seen.

cimport cython
from cpython.ref cimport PyObject, Py_XDECREF, Py_INCREF
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE
from cpython.pycapsule cimport PyCapsule_New

cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object, object, object) except -1

cdef extern from *:
    """
    /* PyArrayObject_fields: the whole array struct (PyArrayObject is only
     * its head under NPY_NO_DEPRECATED_API), so that fields of a subclass
     * come after NumPy's */
    static int dd__ndim(PyObject *a) { return PyArray_NDIM((PyArrayObject *)a); }
    static Py_ssize_t dd__dim0(PyObject *a) { return PyArray_DIM((PyArrayObject *)a, 0); }
    /* the value of an exact int of one digit or less (every index of a
     * seeded input, whose length is at most grad's limit): 1 and *i, else 0 */
    static int dd__small_int(PyObject *k, Py_ssize_t *i)
    {
    #if PY_VERSION_HEX >= 0x030C0000
        if (!PyUnstable_Long_IsCompact((PyLongObject *)k))
            return 0;
        *i = PyUnstable_Long_CompactValue((PyLongObject *)k);
        return 1;
    #else
        Py_ssize_t size = Py_SIZE(k);
        if (size < -1 || size > 1)
            return 0;
        *i = size == 0 ? 0 : size * (Py_ssize_t)((PyLongObject *)k)->ob_digit[0];
        return 1;
    #endif
    }
    /* a seeded input of n numbers as made, with no weak reference (the
     * caller checked that it holds the only strong one): reusable */
    static int dd__spare(PyObject *a, Py_ssize_t n)
    {
        PyArrayObject_fields *f = (PyArrayObject_fields *)a;
        return f->weakreflist == NULL && f->nd == 1 && f->dimensions[0] == n && f->strides[0] == 0;
    }
    """
    ctypedef class numpy.ndarray [object PyArrayObject_fields]:
        pass
    int dd__ndim(object a)
    Py_ssize_t dd__dim0(object a)
    bint dd__small_int(object k, Py_ssize_t *i)
    bint dd__spare(PyObject *a, Py_ssize_t n)

cdef object _seeded_getitem = None   # DualArray.__getitem__
cdef object _seeded_finalize = None  # DualArray.__array_finalize__
cdef object _seeded_spec = None      # _Spec(n, code, tag)
cdef object _seeded_pack = None      # the (len, m) buffer of a list of Duals
cdef const char *_SEEDED_VECTOR = "dualdiff._array.seeded_vector"
cdef const char *_FLOAT_ARRAY = "dualdiff._array.float_array"


def _set_seeded_hooks(getitem, finalize, spec, pack):
    """Set by _ndarray: the fallbacks of _SeededBase."""
    global _seeded_getitem, _seeded_finalize, _seeded_spec, _seeded_pack
    _seeded_getitem, _seeded_finalize, _seeded_spec, _seeded_pack = getitem, finalize, spec, pack


cdef inline void _set_ref(PyObject **slot, object value):
    cdef PyObject *old = slot[0]
    if value is None:
        slot[0] = NULL
    else:
        Py_INCREF(value)
        slot[0] = <PyObject *>value
    Py_XDECREF(old)


@cython.auto_pickle(False)
cdef class _SeededBase(ndarray):
    """The C part of the seeded 1-d input (see _SeededVector in _ndarray.py).

    NumPy makes its instances without calling a constructor (the fields start
    NULL and 0), so every field is a raw reference, NULL for none."""
    cdef PyObject *duals  # list of the seeded Duals, until the buffer is handed out
    cdef PyObject *buf    # the buffer (shape + (m,)), once made or set
    cdef PyObject *spec   # the _Spec, once made or set
    cdef Py_ssize_t width
    cdef int code
    cdef long tag
    cdef bint lazy_spec   # width, code and tag describe the spec

    def __dealloc__(self):
        Py_XDECREF(self.duals)
        Py_XDECREF(self.buf)
        Py_XDECREF(self.spec)

    def __array_finalize__(self, obj):
        if obj is not None:  # a view or cast NumPy made of a seeded input
            _seeded_finalize(self, obj)

    @property
    def _buf(self):
        if self.duals is not NULL:
            if self.buf is NULL:
                _set_ref(&self.buf, _seeded_pack(<list>self.duals, self.width, self.code))
            _set_ref(&self.duals, None)
        return None if self.buf is NULL else <object>self.buf

    @_buf.setter
    def _buf(self, value):
        _set_ref(&self.duals, None)
        _set_ref(&self.buf, value)

    @property
    def _spec(self):
        if self.spec is NULL and self.lazy_spec:
            _set_ref(&self.spec, _seeded_spec(self.width, self.code, self.tag))
        return None if self.spec is NULL else <object>self.spec

    @_spec.setter
    def _spec(self, value):
        self.lazy_spec = False
        _set_ref(&self.spec, value)

    def __setattr__(self, name, value):
        # no attributes but these two: an instance the caller dropped holds
        # nothing of the call it served, and is reused (see _seeded_vector)
        if name == "_buf" or name == "_spec":
            PyObject_GenericSetAttr(self, name, value)
        else:
            raise AttributeError(f"cannot set attribute {name!r} of a seeded input array")

    def __getitem__(self, key):
        cdef Py_ssize_t i, count
        if self.duals is not NULL and type(key) is int and dd__small_int(key, &i):
            count = PyList_GET_SIZE(<list>self.duals)
            if i < 0:
                i += count
            if 0 <= i < count:
                return <object>PyList_GET_ITEM(<list>self.duals, i)
        return _seeded_getitem(self, key)

    def __len__(self):
        if dd__ndim(self) == 0:
            raise TypeError("len() of unsized object")
        return dd__dim0(self)

    def __iter__(self):
        if dd__ndim(self) == 0:
            raise TypeError("iteration over a 0-d array")
        return _SeededIter(self, dd__dim0(self))


@cython.auto_pickle(False)
@cython.final
cdef class _SeededIter:
    """Iterates a seeded input as DualArray.__iter__ does: x[0], x[1], ...,
    each read when it is reached."""
    cdef object x
    cdef Py_ssize_t i, count

    def __cinit__(self, x, Py_ssize_t count):
        self.x = x
        self.i = 0
        self.count = count

    def __iter__(self):
        return self

    def __next__(self):
        cdef _SeededBase s
        if self.i >= self.count:
            raise StopIteration
        self.i += 1
        s = <_SeededBase>self.x
        if s.duals is not NULL and self.i <= PyList_GET_SIZE(<list>s.duals):
            return <object>PyList_GET_ITEM(<list>s.duals, self.i - 1)
        return s[self.i - 1]


cdef object _seeded_vector(type cls, list duals, Py_ssize_t width, int code, long tag,
                           object placeholder, object spare):
    """The 1-d DualArray of class cls (a subclass of _SeededBase) over the
    seeded Duals (of width ``width``, order and flags ``code``, tag ``tag``).
    A ``spare`` (an earlier result the caller alone still refers to) of the
    same class and length, with no weak reference, is reset and returned
    instead of a new array."""
    cdef _SeededBase v
    cdef Py_ssize_t n = len(duals)
    if spare is not None and type(spare) is cls and dd__spare(<PyObject *>spare, n):
        v = <_SeededBase>spare
        _set_ref(&v.buf, None)
        _set_ref(&v.spec, None)
    else:
        v = <_SeededBase>dd__stripped_view(cls, (n,), placeholder)
    _set_ref(&v.duals, duals)
    v.width = width
    v.code = code
    v.tag = tag
    v.lazy_spec = True
    return v


def seeded_vector_capsule():
    """_seeded_vector(cls, duals, width, code, tag, placeholder, spare) as a
    C function in a capsule: the array input that _dual's grad and hessian
    make, with no Python call (see _set_seeded_hook there)."""
    return PyCapsule_New(<void *>_seeded_vector, _SEEDED_VECTOR, NULL)


cdef extern from *:
    """
    /* a new C-contiguous float64 array of shape (n,) (nd 1) or (n, n) (nd 2) */
    static PyObject *dd__float_array(int nd, Py_ssize_t n)
    {
        npy_intp dims[2] = {n, n};
        return PyArray_SimpleNew(nd, dims, NPY_DOUBLE);
    }
    """
    object dd__float_array(int nd, Py_ssize_t n)


def float_array_capsule():
    """dd__float_array(nd, n), a new float64 array of shape (n,) or (n, n)
    (NULL with an exception set on failure), as a C function in a capsule:
    the results of _dual's grad and hessian."""
    return PyCapsule_New(<void *>dd__float_array, _FLOAT_ARRAY, NULL)
