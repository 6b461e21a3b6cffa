"""eigh, svd and stacked eig of complex matrices: the returned vectors under
their documented phase convention, against central differences in the complex
plane of NumPy's own decompositions (normalized here, independently), hand
derivations, the equality of phase-invariant values with NumPy's, second
derivatives against differences of the first, repeated values (NaN, never a
finite wrong number) and compositions through the transforms."""
import numpy as np
import pytest

import dualdiff
import dualdiff.numpy
from dualdiff import ComplexDual

SEED = 2020
H = 1e-6  # central differences: errors near H^2 and eps / H


def crandn(rng, *shape):
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def convention(Q):
    """Q's columns times the unit numbers that make the first component of
    largest modulus (to a relative 1e-12) real and positive."""
    r = np.abs(Q)
    top = np.argmax(r >= (1 - 1e-12) * r.max(axis=-2, keepdims=True), axis=-2)
    q = np.take_along_axis(Q, top[..., None, :], axis=-2)
    return Q * (np.conj(q) / np.abs(q))


def herm(A, uplo):
    """The Hermitian matrix LAPACK reads from the triangle uplo of A."""
    t = np.tril(A, -1) if uplo == "L" else np.triu(A, 1)
    return t + np.conj(np.swapaxes(t, -1, -2)) + np.real(np.diagonal(A, axis1=-2, axis2=-1))[..., None] * np.eye(A.shape[-1])


def dagger(A):
    return np.conj(np.swapaxes(A, -1, -2))


def eigh_conv(A, uplo="L"):
    w, V = np.linalg.eigh(A, uplo)
    return w, convention(V)


def svd_conv(A, full_matrices=False):
    """NumPy's svd with u's columns under the convention, vh's rows turned to match
    (and the extra rows of a wide full vh by their own largest component)."""
    u, s, vh = np.linalg.svd(A, full_matrices=full_matrices)
    k = min(A.shape[-2:])
    uc = convention(u)
    c = np.sum(np.conj(u) * uc, axis=-2)  # uc = u * c, column by column
    vh = vh.copy()
    vh[..., :k, :] *= np.conj(c[..., :k])[..., :, None]
    if vh.shape[-2] > k:
        vh[..., k:, :] = dagger(convention(dagger(vh[..., k:, :])))
    return uc, s, vh


def central(f, A, dA):
    """Central differences of f (returning a tuple of arrays) at A along dA."""
    return [(p - m) / (2 * H) for p, m in zip(f(A + H * dA), f(A - H * dA))]


# ------------------------------------------------------------------- eigh


@pytest.mark.parametrize("uplo", ["L", "U"])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3, 3)])
def test_eigh_first_derivatives_against_differences(uplo, shape):
    rng = np.random.default_rng(SEED)
    A = crandn(rng, *shape)  # not Hermitian: eigh reads one triangle, as NumPy's
    for _ in range(2):
        dA = crandn(rng, *shape)
        (w, V), (dw, dV) = dualdiff.jvp(lambda a: np.linalg.eigh(a, uplo), A, dA)
        w0, V0 = np.linalg.eigh(A, uplo)
        assert np.array_equal(w, w0)
        assert np.allclose(V, convention(V0), rtol=0, atol=1e-15)
        # the phase-invariant values are NumPy's
        assert np.allclose(np.abs(V), np.abs(V0), rtol=0, atol=1e-15)
        assert np.allclose(V * w[..., None, :] @ dagger(V), herm(A, uplo), rtol=0, atol=1e-14)
        fw, fV = central(lambda a: eigh_conv(a, uplo), A, dA)
        assert np.allclose(dw, fw, rtol=1e-8, atol=1e-8)
        assert np.allclose(dV, fV, rtol=1e-7, atol=1e-8)
        # the largest component of each column is real and positive, along the path too
        top = np.argmax(np.abs(V), axis=-2)
        assert np.allclose(np.take_along_axis(np.imag(dV), top[..., None, :], axis=-2), 0, rtol=0, atol=1e-15)
        # phase-invariant functions: |V| and the projectors v v^H against NumPy's raw vectors
        _, fabs = central(lambda a: (0, np.abs(np.linalg.eigh(a, uplo)[1])), A, dA)
        assert np.allclose(np.real(np.conj(V) * dV) / np.abs(V), fabs, rtol=1e-7, atol=1e-8)
        P = lambda V: V[..., :, None, :] * np.conj(V[..., None, :, :])  # noqa: E731
        _, fP = central(lambda a: (0, P(np.linalg.eigh(a, uplo)[1])), A, dA)
        dP = dV[..., :, None, :] * np.conj(V[..., None, :, :]) + V[..., :, None, :] * np.conj(dV[..., None, :, :])
        assert np.allclose(dP, fP, rtol=1e-7, atol=1e-8)


def test_eigh_reads_only_its_triangle_and_the_real_diagonal():
    rng = np.random.default_rng(SEED + 1)
    A = crandn(rng, 3, 3)
    up, low = np.triu(np.ones((3, 3)), 1), np.tril(np.ones((3, 3)), -1)
    idiag = 1j * np.eye(3)
    for uplo, unread in (("L", up), ("U", low)):
        for dA in (unread * crandn(rng, 3, 3), idiag):
            (w, V), (dw, dV) = dualdiff.jvp(lambda a: np.linalg.eigh(a, uplo), A, dA)
            assert np.all(dw == 0) and np.all(dV == 0)
        # the read triangle alone carries the whole derivative
        dA = crandn(rng, 3, 3)
        t = dualdiff.jvp(lambda a: np.linalg.eigh(a, uplo), A, dA)[1]
        t_read = dualdiff.jvp(lambda a: np.linalg.eigh(a, uplo), A, dA * (1 - unread))[1]
        assert all(np.array_equal(x, y) for x, y in zip(t, t_read))
    # "L" and "U" of a Hermitian matrix: the same values and vectors (to rounding)
    Ah = herm(A, "L")
    dA = herm(crandn(rng, 3, 3), "L")
    (wl, Vl), (dwl, dVl) = dualdiff.jvp(lambda a: np.linalg.eigh(a, "L"), Ah, dA)
    (wu, Vu), (dwu, dVu) = dualdiff.jvp(lambda a: np.linalg.eigh(a, "u"), Ah, dA)
    assert np.allclose(Vl, Vu, rtol=0, atol=1e-14) and np.allclose(dVl, dVu, rtol=1e-12, atol=1e-13)
    with pytest.raises(ValueError, match="UPLO"):
        dualdiff.jvp(lambda a: np.linalg.eigh(a, "X"), Ah, dA)


def test_eigvalsh_is_numpys_with_eighs_derivatives():
    rng = np.random.default_rng(SEED + 2)
    A, dA = crandn(rng, 2, 4, 4), crandn(rng, 2, 4, 4)
    for uplo in "LU":
        w, dw = dualdiff.jvp(lambda a: np.linalg.eigvalsh(a, UPLO=uplo), A, dA)
        assert np.array_equal(w, np.linalg.eigvalsh(A, uplo))
        assert np.array_equal(dw, dualdiff.jvp(lambda a: np.linalg.eigh(a, uplo)[0], A, dA)[1])
        # hand-derived: dw_i = Re(v_i^H dA_h v_i)
        V = np.linalg.eigh(A, uplo)[1]
        assert np.allclose(dw, np.real(np.einsum("...ji,...jk,...ki->...i", np.conj(V), herm(dA, uplo), V)),
                           rtol=1e-13, atol=1e-14)


def pauli(p):
    """[[p0, p1 - i p2], [p1 + i p2, -p0]]: eigenvalues -|p|, |p|; the projector
    on the top eigenvector is (I + p.sigma / |p|) / 2."""
    import dualdiff.numpy as dnp
    return dnp.array([[p[0], p[1] - 1j * p[2]], [p[1] + 1j * p[2], -p[0]]])


def test_eigh_of_a_hermitian_matrix_of_real_parameters_by_hand():
    # eigh inside jacobian and hessian of functions of real parameters that build
    # a complex Hermitian matrix; the references are derived by hand
    p = np.array([0.3, -0.5, 0.7])
    r = np.linalg.norm(p)
    J = dualdiff.jacobian(lambda p: np.linalg.eigh(pauli(p))[0])(p)
    assert np.allclose(J, [-p / r, p / r], rtol=1e-14, atol=1e-15)
    Hw = dualdiff.hessian(lambda p: np.linalg.eigh(pauli(p))[0][1])(p)
    assert np.allclose(Hw, np.eye(3) / r - np.outer(p, p) / r ** 3, rtol=1e-13, atol=1e-14)

    def proj(p):  # the projector on the top eigenvector: real and imaginary parts
        v = np.linalg.eigh(pauli(p))[1][:, 1]
        P = np.outer(v, np.conj(v))
        return np.stack([np.real(P), np.imag(P)])
    # (I + n.sigma) / 2 with n = p / r: Re P = [[1 + n0, n1], [n1, 1 - n0]] / 2,
    # Im P = [[0, -n2], [n2, 0]] / 2, and dn/dp = (I - n n^T) / r
    dn = (np.eye(3) - np.outer(p, p) / r ** 2) / r
    ref = np.zeros((2, 2, 2, 3))
    ref[0, 0, 0], ref[0, 1, 1], ref[0, 0, 1], ref[0, 1, 0] = dn[0] / 2, -dn[0] / 2, dn[1] / 2, dn[1] / 2
    ref[1, 0, 1], ref[1, 1, 0] = -dn[2] / 2, dn[2] / 2
    assert np.allclose(dualdiff.jacobian(proj)(p), ref, rtol=1e-13, atol=1e-14)
    # second derivatives of a projector entry: d2 n0 / dp2 by hand
    n = p / r
    d2n0 = (-(np.outer(n, np.eye(3)[0]) + np.outer(np.eye(3)[0], n) + n[0] * np.eye(3))
            + 3 * n[0] * np.outer(n, n)) / r ** 2
    H00 = dualdiff.hessian(lambda p: proj(p)[0, 0, 0])(p)
    assert np.allclose(H00, d2n0 / 2, rtol=1e-12, atol=1e-13)


def test_eigh_second_derivatives_against_differences_of_the_first():
    rng = np.random.default_rng(SEED + 3)
    for uplo, shape in (("L", (4, 4)), ("U", (2, 3, 3))):
        A = crandn(rng, *shape)
        E = crandn(rng, 2, *shape)
        G = crandn(rng, 2, 2, *shape)
        G = (G + np.swapaxes(G, 0, 1)) / 2  # a matrix with second derivatives of its own
        a = ComplexDual(A, E, G)
        w, V = np.linalg.eigh(a, uplo)
        assert np.array_equal(w.value, np.linalg.eigh(A, uplo)[0])

        def first(e):  # the matrix at A + e_l E_l + e_l e_m G_lm / 2, with its first derivatives
            return ComplexDual(A + np.tensordot(e, E, 1) + 0.5 * np.einsum("l,m,lm...->...", e, e, G),
                               E + np.einsum("l,kl...->k...", e, G))
        for l in range(2):
            e = np.eye(2)[l] * H
            wp, Vp = np.linalg.eigh(first(e), uplo)
            wm, Vm = np.linalg.eigh(first(-e), uplo)
            assert np.allclose(w.hessian[:, l], (wp.tangent - wm.tangent) / (2 * H), rtol=1e-6, atol=1e-7)
            assert np.allclose(V.hessian[:, l], (Vp.tangent - Vm.tangent) / (2 * H), rtol=1e-6, atol=1e-7)
        assert np.array_equal(V.hessian, np.swapaxes(V.hessian, 0, 1))
        assert w.hessian.dtype == np.float64


def test_eigh_hessian_of_a_real_function_of_parameters():
    # a real function of eigh of A(p) (complex, quadratic in p; the upper
    # triangle read): hessian against differences of grad, grad against
    # differences of f, with eigh under the convention (NumPy's eigh has
    # other phases, so a function of the phases is another function with it)
    rng = np.random.default_rng(SEED + 4)
    A0, A1, A2 = (herm(crandn(rng, 3, 3), "L") for _ in range(3))
    C = crandn(rng, 3, 3)

    def f(p, eigh=np.linalg.eigh):
        A = A0 + p[0] * A1 + p[1] ** 2 * A2 + p[0] * p[1] * 1j * (A1 - A1.T)
        w, V = eigh(A, "U")
        return np.real(np.sum(C * V)) + np.sum(w ** 3) + np.sum(np.abs(V) ** 3)
    p = np.array([0.2, -0.3])
    Hf = dualdiff.hessian(f)(p)
    g = dualdiff.grad(f)
    fd = np.array([(g(p + 1e-6 * e) - g(p - 1e-6 * e)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(Hf, fd, rtol=1e-7, atol=1e-8) and np.array_equal(Hf, Hf.T)
    gd = np.array([(f(p + 1e-6 * e, eigh_conv) - f(p - 1e-6 * e, eigh_conv)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(g(p), gd, rtol=1e-7, atol=1e-8)
    assert np.isclose(dualdiff.value_and_grad(f)(p)[0], f(p, eigh_conv), rtol=1e-14)


def test_grad_of_a_real_function_of_a_complex_matrix_follows_jax():
    # grad(f)(A) = df/dRe(A) - i df/dIm(A), entry by entry
    rng = np.random.default_rng(SEED + 5)
    A = crandn(rng, 3, 3)
    C = crandn(rng, 3, 3)

    def f(a, eigh=np.linalg.eigh, svd=np.linalg.svd):
        w, V = eigh(a)
        u, s, vh = svd(a)
        return np.sum(w * np.arange(3)) + np.real(np.sum(C * V)) + np.sum(np.abs(u) * s) + np.imag(np.sum(vh))
    g = dualdiff.grad(f)(A)
    fd = np.zeros((3, 3), complex)
    for i in range(3):
        for j in range(3):
            e = np.zeros((3, 3))
            e[i, j] = 1e-6
            fc = lambda a: f(a, eigh_conv, svd_conv)  # noqa: E731
            fd[i, j] = (fc(A + e) - fc(A - e)) / 2e-6 - 1j * (fc(A + 1j * e) - fc(A - 1j * e)) / 2e-6
    assert np.allclose(g, fd, rtol=1e-7, atol=1e-8)


def test_eigh_at_repeated_eigenvalues_is_nan_never_a_wrong_number():
    # A(p) = I + p0 X + p1 Y (Pauli X, Y): eigenvalues 1 -+ |p|, not differentiable at 0
    X, Y = np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]])
    with np.errstate(all="raise"):
        J = dualdiff.jacobian(lambda p: np.linalg.eigh(np.eye(2) + p[0] * X + p[1] * Y + 0 * p[2])[0])
        Jw = J(np.zeros(3))
        assert np.all(np.isnan(Jw[:, :2])) and np.all(Jw[:, 2] == 0)  # NaN-safe: 0 where A does not move
        Hw = dualdiff.hessian(lambda p: np.linalg.eigh(np.eye(2) + p[0] * X + p[1] * Y)[0][1])(np.zeros(2))
        assert np.all(np.isnan(Hw))
        JV = dualdiff.jacobian(lambda p: np.real(np.linalg.eigh(np.eye(2) + p[0] * Y)[1]))(np.zeros(1))
        assert np.all(np.isnan(JV))
    assert np.all(np.isnan(dualdiff.jacobian(lambda p: np.linalg.eigh(np.eye(2) + p[0] * X + 0 * p[1])[0],
                                             nan_safe=False)(np.zeros(2))))
    # equal to rounding (a rotated diag(2, 2, -1)) counts as repeated; the other keeps its derivatives
    rng = np.random.default_rng(SEED + 6)
    Q = np.linalg.qr(crandn(rng, 3, 3))[0]
    A = Q @ np.diag([2.0, 2.0, -1.0]) @ dagger(Q)
    dA = herm(crandn(rng, 3, 3), "L")
    (w, V), (dw, dV) = dualdiff.jvp(np.linalg.eigh, A, dA)
    rep = np.abs(w - 2) < 1e-9
    assert rep.sum() == 2 and np.all(np.isnan(dw[rep])) and np.all(np.isnan(dV[:, rep]))
    v = V[:, ~rep][:, 0]
    assert np.isclose(dw[~rep][0], np.real(np.conj(v) @ dA @ v), rtol=1e-12)
    assert np.all(np.isfinite(dV[:, ~rep]))


def test_eigh_of_a_real_matrix_along_complex_directions():
    # NumPy's real eigenvectors keep their signs; along complex directions the
    # largest component stays real (continuous with NumPy's real vector)
    rng = np.random.default_rng(SEED + 7)
    A = rng.normal(size=(3, 3))
    A = A + A.T
    dA = herm(crandn(rng, 3, 3), "L")
    (w, V), (dw, dV) = dualdiff.jvp(np.linalg.eigh, A, dA)
    V0 = np.linalg.eigh(A)[1]
    assert np.array_equal(V, V0) and np.iscomplexobj(dV)
    top = np.argmax(np.abs(V0), axis=0)
    sign = np.sign(V0[top, np.arange(3)])
    fw, fV = central(eigh_conv, A, dA)
    assert np.allclose(dw, fw, rtol=1e-8, atol=1e-8)
    assert np.allclose(dV, fV * sign, rtol=1e-7, atol=1e-8)
    # and along real directions: the real eigh's derivatives (same as the real pass)
    dR = rng.normal(size=(3, 3))
    dR = dR + dR.T
    t_real = dualdiff.jvp(lambda a: np.linalg.eigh(a)[1], A, dR)[1]
    t_cplx = dualdiff.jvp(lambda a: np.linalg.eigh(a)[1] * (1 + 0j), A, dR)[1]  # the complex pass
    assert np.allclose(t_real, t_cplx, rtol=1e-13, atol=1e-14)


def test_eigh_and_svd_vectors_refuse_holomorphic():
    A = np.eye(2) + 0.5j
    for f in (lambda a: np.linalg.eigh(a)[1], np.linalg.eigvalsh, lambda a: np.linalg.svd(a)[0]):
        with pytest.raises(TypeError, match="not holomorphic"):
            dualdiff.jacobian(f, holomorphic=True)(A)


# -------------------------------------------------------------------- svd

SVD_SHAPES = [(3, 5), (5, 3), (4, 4), (2, 4, 3), (2, 3, 4)]


@pytest.mark.parametrize("shape", SVD_SHAPES)
@pytest.mark.parametrize("full", [False, True])
def test_svd_first_derivatives_against_differences(shape, full):
    rng = np.random.default_rng(SEED + 8)
    A = crandn(rng, *shape)
    k = min(shape[-2:])
    unique = abs(shape[-1] - shape[-2]) <= 1  # the extra columns of full matrices: one, or none
    for _ in range(2):
        dA = crandn(rng, *shape)
        (u, s, vh), (du, ds, dvh) = dualdiff.jvp(lambda a: tuple(np.linalg.svd(a, full_matrices=full)), A, dA)
        u0, s0, vh0 = np.linalg.svd(A, full_matrices=full)
        uc, _, vhc = svd_conv(A, full)
        assert np.array_equal(s, s0)
        assert np.allclose(u, uc, rtol=0, atol=1e-15) and np.allclose(vh, vhc, rtol=0, atol=1e-15)
        assert np.allclose(np.abs(u), np.abs(u0), rtol=0, atol=1e-15)
        assert np.allclose(np.abs(vh), np.abs(vh0), rtol=0, atol=1e-15)
        # u diag(s) vh is A, and its derivative dA
        uk, vk, duk, dvk = u[..., :k], vh[..., :k, :], du[..., :k], dvh[..., :k, :]
        assert np.allclose((uk * s[..., None, :]) @ vk, A, rtol=0, atol=1e-14)
        dA_ = (duk * s[..., None, :]) @ vk + (uk * ds[..., None, :]) @ vk + (uk * s[..., None, :]) @ dvk
        assert np.allclose(dA_, dA, rtol=1e-13, atol=1e-13)
        fu, fs, fvh = central(lambda a: svd_conv(a, full), A, dA)
        assert np.allclose(ds, fs, rtol=1e-8, atol=1e-8)
        assert np.allclose(duk, fu[..., :k], rtol=1e-7, atol=1e-8)
        assert np.allclose(dvk, fvh[..., :k, :], rtol=1e-7, atol=1e-8)
        if unique:
            assert np.allclose(du, fu, rtol=1e-7, atol=1e-8) and np.allclose(dvh, fvh, rtol=1e-7, atol=1e-8)
        # phase-invariant functions of NumPy's raw vectors: |u|, |vh| and the projector u u^H
        _, fau, favh = central(lambda a: (0, *[np.abs(x) for x in np.linalg.svd(a, full_matrices=full)[::2]]),
                               A, dA)
        assert np.allclose(np.real(np.conj(uk) * duk) / np.abs(uk), fau[..., :k], rtol=1e-7, atol=1e-8)
        assert np.allclose(np.real(np.conj(vk) * dvk) / np.abs(vk), favh[..., :k, :], rtol=1e-7, atol=1e-8)
        # the projector on the span of all of u's columns (the extra ones too)
        _, fP = central(lambda a: (0, (lambda u: u @ dagger(u))(np.linalg.svd(a, full_matrices=full)[0])), A, dA)
        assert np.allclose(du @ dagger(u) + u @ dagger(du), fP, rtol=1e-7, atol=1e-8)


def test_svd_second_derivatives_against_differences_of_the_first():
    rng = np.random.default_rng(SEED + 9)
    for shape, full in (((3, 4), False), ((4, 3), True), ((2, 3, 3), False), ((3, 4), True)):
        A = crandn(rng, *shape)
        E = crandn(rng, 2, *shape)
        a = ComplexDual(A, E, np.zeros((2, 2) + shape))
        u, s, vh = np.linalg.svd(a, full_matrices=full)
        for l in range(2):
            up, sp, vhp = np.linalg.svd(ComplexDual(A + H * E[l], E), full_matrices=full)
            um, sm, vhm = np.linalg.svd(ComplexDual(A - H * E[l], E), full_matrices=full)
            for x, p, m in ((u, up, um), (s, sp, sm), (vh, vhp, vhm)):
                assert np.allclose(x.hessian[:, l], (p.tangent - m.tangent) / (2 * H), rtol=1e-6, atol=1e-7)
        # the singular values: as compute_uv=False gives them
        s2 = np.linalg.svd(a, compute_uv=False)
        assert np.allclose(s.tangent, s2.tangent, rtol=1e-13, atol=1e-14)
        assert np.allclose(s.hessian, s2.hessian, rtol=1e-10, atol=1e-12)


def test_svd_hessian_of_a_real_function_of_parameters():
    rng = np.random.default_rng(SEED + 10)
    A0, A1, A2 = crandn(rng, 3, 3, 2)
    C = crandn(rng, 3, 3)

    def f(p, svd=np.linalg.svd):
        u, s, vh = svd(A0 + p[0] * A1 + p[0] * p[1] * A2 + 1j * p[1] ** 2 * A1, full_matrices=False)
        return np.real(np.sum(C[:, :2] * u)) + np.imag(np.sum(C[:2, :2] * vh)) + np.sum(s ** 2 * np.abs(u[0]))
    p = np.array([0.1, 0.4])
    Hf = dualdiff.hessian(f)(p)
    g = dualdiff.grad(f)
    fd = np.array([(g(p + 1e-6 * e) - g(p - 1e-6 * e)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(Hf, fd, rtol=1e-7, atol=1e-8)
    gd = np.array([(f(p + 1e-6 * e, svd_conv) - f(p - 1e-6 * e, svd_conv)) / 2e-6 for e in np.eye(2)])
    assert np.allclose(g(p), gd, rtol=1e-7, atol=1e-8)


def test_svd_extra_columns_that_are_not_unique():
    # full matrices with m - n >= 2: the extra columns are a basis of a space,
    # not unique; they stay orthonormal and span that space to second order,
    # so the derivatives of their projector are right, and they turn with the
    # other columns only (Q2^H dQ2 is diagonal: the phase convention's terms)
    rng = np.random.default_rng(SEED + 11)
    for shape in ((5, 2), (2, 5), (2, 4, 1)):
        A = crandn(rng, *shape)
        E = crandn(rng, 2, *shape)
        G = crandn(rng, 2, 2, *shape)
        G = G + np.swapaxes(G, 0, 1)
        tall = shape[-2] > shape[-1]
        k = min(shape[-2:])

        def frame(a):  # the extra columns and their derivatives
            u, s, vh = np.linalg.svd(a)
            if tall:
                return u.value[..., k:], u.tangent[..., k:], None if u.hessian is None else u.hessian[..., k:]
            return (dagger(vh.value[..., k:, :]), dagger(vh.tangent[..., k:, :]),
                    None if vh.hessian is None else dagger(vh.hessian[..., k:, :]))
        Q, dQ, d2Q = frame(ComplexDual(A, E, G))
        c = Q.shape[-1]
        assert np.allclose(dagger(Q) @ Q, np.eye(c), atol=1e-15)
        for d in range(2):  # first order: the projector against NumPy's
            QQ = dQ[d] @ dagger(Q) + Q @ dagger(dQ[d])
            fP = central(lambda a: [(lambda q: q @ dagger(q))(
                np.linalg.svd(a)[0][..., k:] if tall else dagger(np.linalg.svd(a)[2][..., k:, :]))], A, E[d])[0]
            assert np.allclose(QQ, fP, rtol=1e-7, atol=1e-8)
            M = dagger(Q) @ dQ[d]
            assert np.allclose(M - M * np.eye(c), 0, atol=1e-14)
        for k_, l_ in ((0, 0), (0, 1), (1, 1)):
            # second order: orthonormal (d2 (Q^H Q) = 0), and against differences of the first
            d2QQ = dagger(d2Q[k_, l_]) @ Q + dagger(dQ[k_]) @ dQ[l_] + dagger(dQ[l_]) @ dQ[k_] + dagger(Q) @ d2Q[k_, l_]
            assert np.allclose(d2QQ, 0, atol=1e-13)

            def first(e):
                a = ComplexDual(A + e * E[l_] + e * e / 2 * G[l_, l_], E + e * G[:, l_])
                q, dq, _ = frame(a)
                return q @ dagger(q), dq[k_] @ dagger(q) + q @ dagger(dq[k_])
            Pp, dPp = first(H)
            Pm, dPm = first(-H)
            d2P = (d2Q[k_, l_] @ dagger(Q) + dQ[k_] @ dagger(dQ[l_]) + dQ[l_] @ dagger(dQ[k_])
                   + Q @ dagger(d2Q[k_, l_]))
            assert np.allclose(d2P, (dPp - dPm) / (2 * H), rtol=1e-6, atol=1e-7)
            assert np.all(np.isfinite(d2Q))


def test_svd_at_repeated_or_zero_singular_values():
    # repeated: the vectors have no derivative (NaN), never a finite wrong number
    X = np.array([[0, 1], [1, 0]], complex)
    J = dualdiff.jacobian(lambda p: np.real(np.linalg.svd(np.eye(2) + p[0] * X * 1j + 0 * p[1])[0]))(np.zeros(2))
    assert np.all(np.isnan(J[..., 0])) and np.all(J[..., 1] == 0)
    # a zero singular value of a square matrix: its vectors too
    A = np.array([[1.0, 0.0], [0.0, 0.0]]) + 0j
    _, (du, ds, dvh) = dualdiff.jvp(lambda a: tuple(np.linalg.svd(a)), A, np.array([[0.3, 0.1], [0.2j, 0.5]]))
    assert np.all(np.isnan(du[:, 1])) and np.all(np.isnan(dvh[1])) and np.all(np.isfinite(du[:, 0]))
    # the first derivatives of the singular values stay as compute_uv=False gives them
    assert np.allclose(ds, dualdiff.jvp(lambda a: np.linalg.svd(a, compute_uv=False), A,
                                        np.array([[0.3, 0.1], [0.2j, 0.5]]))[1], rtol=1e-14)


def test_svd_hermitian():
    rng = np.random.default_rng(SEED + 12)
    A, dA = crandn(rng, 3, 3), crandn(rng, 3, 3)
    (u, s, vh), (du, ds, dvh) = dualdiff.jvp(lambda a: tuple(np.linalg.svd(a, hermitian=True)), A, dA)
    u0, s0, vh0 = np.linalg.svd(A, hermitian=True)
    assert np.array_equal(s, s0) and np.allclose(np.abs(u), np.abs(u0), atol=1e-15)
    assert np.allclose((u * s) @ vh, herm(A, "L"), atol=1e-14)
    assert np.allclose((du * s) @ vh + (u * ds) @ vh + (u * s) @ dvh, herm(dA, "L"), atol=1e-13)

    def conv(a):
        u, s, vh = np.linalg.svd(a, hermitian=True)
        uc = convention(u)
        return uc, s, vh * np.sum(u * np.conj(uc), axis=0)[:, None]
    fu, fs, fvh = central(conv, A, dA)
    assert np.allclose(du, fu, rtol=1e-7, atol=1e-8) and np.allclose(ds, fs, rtol=1e-8, atol=1e-8)
    assert np.allclose(dvh, fvh, rtol=1e-7, atol=1e-8)
    s1, ds1 = dualdiff.jvp(lambda a: np.linalg.svd(a, compute_uv=False, hermitian=True), A, dA)
    assert np.array_equal(s1, np.linalg.svd(A, compute_uv=False, hermitian=True))
    assert np.allclose(ds1, fs, rtol=1e-8, atol=1e-8)


# ------------------------------------------------------------ stacked eig


def test_eig_and_eigvals_of_stacks_of_matrices():
    rng = np.random.default_rng(SEED + 13)
    A = crandn(rng, 2, 3, 4, 4)
    E = crandn(rng, 2, 2, 3, 4, 4)
    a = ComplexDual(A, E, np.zeros((2, 2, 2, 3, 4, 4)))
    w, V = np.linalg.eig(a)
    w0, V0 = np.linalg.eig(A)
    assert np.array_equal(w.value, w0) and np.array_equal(V.value, V0)
    assert np.array_equal(np.linalg.eigvals(a).tangent, w.tangent)
    for i in np.ndindex(2, 3):  # each matrix as one
        wi, Vi = np.linalg.eig(ComplexDual(A[i], E[(slice(None),) + i], np.zeros((2, 2, 4, 4))))
        assert np.allclose(w.tangent[(slice(None),) + i], wi.tangent, rtol=1e-12, atol=1e-13)
        assert np.allclose(V.tangent[(slice(None),) + i], Vi.tangent, rtol=1e-12, atol=1e-13)
        assert np.allclose(V.hessian[(slice(None),) * 2 + i], Vi.hessian, rtol=1e-12, atol=1e-13)
    for d in range(2):
        fw = (np.linalg.eig(A + H * E[d])[0] - np.linalg.eig(A - H * E[d])[0]) / (2 * H)
        fV = (np.linalg.eig(A + H * E[d])[1] - np.linalg.eig(A - H * E[d])[1]) / (2 * H)
        assert np.allclose(w.tangent[d], fw, rtol=1e-7, atol=1e-8)
        assert np.allclose(V.tangent[d], fV, rtol=1e-6, atol=1e-7)
    # a function of real parameters through a stack, and a repeated eigenvalue in one matrix
    # of the stack leaves the others' derivatives finite
    B = A.copy()
    B[0, 0] = np.eye(4)
    Xp = np.zeros((4, 4))
    Xp[0, 1] = Xp[1, 0] = 1.0
    J = dualdiff.jacobian(lambda p: np.linalg.eigvals(B + p[0] * Xp))(np.zeros(1))
    assert np.all(np.isnan(J[0, 0, :2])) and np.all(np.isfinite(J[0, 1:])) and np.all(np.isfinite(J[1]))
    with pytest.raises(ValueError, match="square"):
        dualdiff.jvp(np.linalg.eigvals, A[..., :3], E[0, ..., :3])


@pytest.mark.parametrize("which", ["eigh", "svd tall", "svd wide", "svd square"])
def test_real_matrices_give_the_real_passs_derivatives(which):
    # a real matrix along real directions: NumPy's real vectors and the real
    # dual arrays' derivatives (the real pass): first order, the extra columns
    # of full matrices included, and second order (for two or more extra
    # columns, not unique, the real pass takes the second derivative of its
    # first-order frame along one order of the two directions; here the frame
    # is orthonormalized symmetrically, see test_svd_extra_columns_that_are_not_unique)
    rng = np.random.default_rng(SEED + 14)
    shape = {"eigh": (3, 3), "svd tall": (5, 2), "svd wide": (2, 4), "svd square": (3, 3)}[which]
    A0, A1, A2 = rng.normal(size=(3,) + shape)
    k = min(shape)
    if which == "eigh":
        def f(p, full=True):
            return np.linalg.eigh(A0 + p[0] * A1 + p[1] ** 2 * A2, "U")[1]
    else:
        def f(p, full=True):
            u, s, vh = np.linalg.svd(A0 + p[0] * A1 + p[0] * p[1] * A2)
            if not full:
                u, vh = u[:, :k], vh[:k]
            return np.concatenate([np.ravel(u), s, np.ravel(vh)])
    p = np.array([0.1, -0.2])
    J, Jc = (dualdiff.jacobian(g)(p) for g in (f, lambda p: f(p) * (1 + 0j)))
    assert np.allclose(J, Jc, rtol=1e-12, atol=1e-13)
    Hr = dualdiff.hessian(lambda p: np.sum(np.sin(f(p, False))))(p)
    Hc = dualdiff.hessian(lambda p: np.real(np.sum(np.sin(f(p, False) * (1 + 0j)))))(p)
    assert np.allclose(Hr, Hc, rtol=1e-11, atol=1e-12)


def test_sparse_jacobian_through_a_stack_of_eig():
    # each matrix of the stack depends on its own parameters: the detected
    # pattern keeps them apart, and the entries are the dense Jacobian's
    rng = np.random.default_rng(SEED + 15)
    A0 = crandn(rng, 2, 3, 3)
    E = rng.normal(size=(2, 3, 3))

    def f(p):
        A = A0 + np.stack([p[0] * E[0] + 1j * p[1] * E[1], p[2] * E[1]])
        w, V = np.linalg.eig(A)
        return np.concatenate([np.real(w).ravel(), np.abs(V).ravel()])
    p = np.array([0.3, 0.2, -0.1])
    P = dualdiff.jacobian_sparsity(f, p).toarray()
    assert np.array_equal(P[:6], np.repeat([[1, 1, 0], [0, 0, 1]], 3, axis=0))
    J = dualdiff.jacobian(f, sparsity="auto")(p)
    assert np.allclose(J.toarray(), dualdiff.jacobian(f)(p), rtol=1e-14, atol=1e-15)


def test_eigh_ties_in_modulus_go_to_the_first_component():
    # A(t) = [[a, r e^(it)], [r e^(-it), a]] ("L" reads r e^(-it)): eigenvalues
    # a -+ r, eigenvectors (1, -+e^(-it)) / sqrt(2), whose two components tie in
    # modulus for every t; the first is made real and positive, by hand
    a, r, t = 0.5, 2.0, 0.7
    A = lambda t: dualdiff.numpy.array([[a, r * np.exp(1j * t)], [r * np.exp(-1j * t), a]])  # noqa: E731
    for uplo in "LU":
        V, dV = dualdiff.jvp(lambda t: np.linalg.eigh(A(t), uplo)[1], t, 1.0)
        e = np.exp(-1j * t)
        assert np.allclose(V, np.array([[1, 1], [-e, e]]) / np.sqrt(2), rtol=0, atol=1e-15)
        assert np.allclose(dV, np.array([[0, 0], [1j * e, -1j * e]]) / np.sqrt(2), rtol=0, atol=1e-15)
        H = dualdiff.jacobian(lambda t: dualdiff.numpy.array(
            [np.real(np.linalg.eigh(A(t), uplo)[1][1, 1])]))(t)  # Re(e^(-it)) / sqrt(2)
        assert np.allclose(H, [[-np.sin(t) / np.sqrt(2)]], rtol=1e-14)
        Hs = dualdiff.hessian(lambda t: np.real(np.linalg.eigh(A(t[0]), uplo)[1][1, 1]))(np.array([t]))
        assert np.allclose(Hs, [[-np.cos(t) / np.sqrt(2)]], rtol=1e-13)
