/* Width-1 dual multiply-add against plain doubles, in C, over N elements.
 *   bench_madd time N           ns per element of each kernel (medians of interleaved repeats)
 *   bench_madd count K N REPS   run kernel K REPS times only (for instruction counts) */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dualdiff/dualdiff.h"

static size_t N;
double *a, *x, *c, *out; /* external: stores are observable */
double *da, *dx, *dc, *dout;
volatile double sink;

/* out_i = a_i x_i + c_i */
__attribute__((noinline)) static void plain_axpy(void)
{
    for (size_t i = 0; i < N; i++) out[i] = a[i] * x[i] + c[i];
}

__attribute__((noinline)) static void dual_axpy(void)
{
    double t[2];
    for (size_t i = 0; i < N; i++) {
        dd_mul(t, da + 2 * i, dx + 2 * i, 1, 1);
        dd_add(dout + 2 * i, t, dc + 2 * i, 2);
    }
}

/* the same with IEEE tangent products (no masks on the two terms) */
__attribute__((noinline)) static void dual_axpy_ieee(void)
{
    double t[2];
    for (size_t i = 0; i < N; i++) {
        dd_mul(t, da + 2 * i, dx + 2 * i, 1, 1 | DD_IEEE);
        dd_add(dout + 2 * i, t, dc + 2 * i, 2);
    }
}

/* acc += a_i x_i */
__attribute__((noinline)) static void plain_dot(void)
{
    double acc = 0.0;
    for (size_t i = 0; i < N; i++) acc += a[i] * x[i];
    sink = acc;
}

__attribute__((noinline)) static void dual_dot(void)
{
    double acc[2] = {0.0, 0.0}, t[2];
    for (size_t i = 0; i < N; i++) {
        dd_mul(t, da + 2 * i, dx + 2 * i, 1, 1);
        dd_add(acc, acc, t, 2);
    }
    sink = acc[0] + acc[1];
}

__attribute__((noinline)) static void dual_dot_ieee(void)
{
    double acc[2] = {0.0, 0.0}, t[2];
    for (size_t i = 0; i < N; i++) {
        dd_mul(t, da + 2 * i, dx + 2 * i, 1, 1 | DD_IEEE);
        dd_add(acc, acc, t, 2);
    }
    sink = acc[0] + acc[1];
}

#define NKERNELS 6
static const char *names[] = {"plain_axpy", "dual_axpy", "ieee_axpy", "plain_dot", "dual_dot", "ieee_dot"};
static void (*kernels[])(void) = {plain_axpy, dual_axpy, dual_axpy_ieee, plain_dot, dual_dot, dual_dot_ieee};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *p, const void *q)
{
    double u = *(const double *)p, v = *(const double *)q;
    return (u > v) - (u < v);
}

int main(int argc, char **argv)
{
    size_t i;
    int k, r, rep;
    if (argc < 3) return 1;
    N = (size_t)atol(argv[argc == 5 ? 3 : 2]);
    a = malloc(N * sizeof(double)); x = malloc(N * sizeof(double));
    c = malloc(N * sizeof(double)); out = malloc(N * sizeof(double));
    da = malloc(2 * N * sizeof(double)); dx = malloc(2 * N * sizeof(double));
    dc = malloc(2 * N * sizeof(double)); dout = malloc(2 * N * sizeof(double));
    if (!a || !x || !c || !out || !da || !dx || !dc || !dout) return 1;
    for (i = 0; i < N; i++) {
        a[i] = 1.0 + 1e-3 * i; x[i] = 0.5 - 1e-4 * i; c[i] = 0.25 * i;
        da[2 * i] = a[i]; da[2 * i + 1] = 1.0;
        dx[2 * i] = x[i]; dx[2 * i + 1] = 0.0;
        dc[2 * i] = c[i]; dc[2 * i + 1] = 0.5;
    }
    if (argc == 5 && strcmp(argv[1], "count") == 0) {
        int reps = atoi(argv[4]);
        for (k = 0; k < NKERNELS; k++)
            if (strcmp(argv[2], names[k]) == 0)
                for (r = 0; r < reps; r++) kernels[k]();
        return 0;
    }
    {
        enum { REPEATS = 15 };
        static double t[NKERNELS][REPEATS];
        int INNER = (int)((1 << 22) / N) + 1; /* about 2^22 elements a sample */
        for (rep = 0; rep < REPEATS; rep++)
            for (k = 0; k < NKERNELS; k++) {
                double t0 = now();
                for (r = 0; r < INNER; r++) kernels[k]();
                t[k][rep] = (now() - t0) / INNER / N * 1e9;
            }
        for (k = 0; k < NKERNELS; k++) {
            qsort(t[k], REPEATS, sizeof(double), cmp);
            printf("%s %.4f\n", names[k], t[k][REPEATS / 2]);
        }
    }
    /* a check that the dual kernels compute the right thing */
    dual_axpy();
    for (i = 0; i < N; i++)
        if (dout[2 * i] != a[i] * x[i] + c[i] || dout[2 * i + 1] != x[i] + 0.5) return 2;
    dual_axpy_ieee();
    for (i = 0; i < N; i++)
        if (dout[2 * i] != a[i] * x[i] + c[i] || dout[2 * i + 1] != x[i] + 0.5) return 2;
    return 0;
}
