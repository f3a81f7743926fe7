"""Covariance-based SEM and CFA by maximum likelihood, following lavaan's default conventions.

Model: ``Σ(θ) = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + Θ`` with

* Λ: the first item of each construct is the marker (loading fixed to 1);
* B: the structural paths (``target ~ source``);
* Ψ: variances of the constructs; covariances among *exogenous* constructs are free
  (lavaan ``auto.cov.lv.x``), residuals of endogenous constructs uncorrelated unless
  a ``~~`` line says otherwise;
* Θ: item residual variances, plus ``~~`` residual covariances. The residual variance
  of a single-item construct's item is fixed to 0 (the item *is* the construct;
  lavaan would leave the model unidentified).

Estimation: ``F = log|Σ| + tr(S Σ⁻¹) − log|S| − p`` with S the covariance matrix with
divisor N (lavaan ``likelihood = "normal"``), minimised by scipy's BFGS with the
analytic gradient, then polished by Fisher scoring to a gradient below 1e-10.
Standard errors: inverse expected information / N (lavaan ``information =
"expected"``). No mean structure (lavaan's default with complete data).

Fit indices (computed here, as lavaan's ``fitMeasures``): ``chisq = N·F``,
``df = p(p+1)/2 − q``, the independence baseline, CFI, TLI, RMSEA
``sqrt(max(χ² − df, 0) / (df·N))`` with its 90% interval from the non-central χ²,
SRMR (Bentler: covariance residuals scaled by the observed SDs, diagonal included), log-likelihood, AIC, BIC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distributions import norm_ppf, norm_sf
from ..errors import ConvergenceError, InputError
from .prepare import check_positive_definite, prepare
from .results import CBResult, ValidityResult

__all__ = ["fit_cb", "cfa_validity", "CBModel", "ml_fit", "fit_indices"]


@dataclass
class CBModel:
    """Free parameters of a CB-SEM: lists of (matrix, row, col) and the fixed pattern."""

    items: list
    constructs: list
    params: list  # (kind, i, j): kind in L, B, P, T
    labels: list  # (lhs, op, rhs) lavaan style
    lam_fixed: np.ndarray  # p × m fixed values (markers = 1)
    theta_fixed_zero: np.ndarray  # items with residual variance fixed at 0

    @classmethod
    def from_spec(cls, spec, cfa: bool = False) -> CBModel:
        items, cons = list(spec.items), list(spec.constructs)
        p, m = len(items), len(cons)
        lam = np.zeros((p, m))
        params, labels = [], []
        zero = np.zeros(p, bool)
        for j, c in enumerate(cons):
            own = [items.index(i) for i in spec.items_of(c)]
            lam[own[0], j] = 1.0
            labels.append((c, "=~", items[own[0]]))
            params.append(("Lfix", own[0], j))
            for i in own[1:]:
                params.append(("L", i, j))
                labels.append((c, "=~", items[i]))
            if len(own) == 1:
                zero[own[0]] = True
        structural = [] if cfa else list(zip(spec.structural["source"], spec.structural["target"], strict=False))
        for s, t in structural:
            params.append(("B", cons.index(t), cons.index(s)))
            labels.append((t, "~", s))
        endo = {t for _, t in structural}
        exo = [c for c in cons if c not in endo]
        for a, b in zip(spec.covariances["lhs"], spec.covariances["rhs"], strict=False):
            if a in items and b in items:
                i, j = items.index(a), items.index(b)
                params.append(("T", i, j) if i != j else ("T", i, i))
            else:
                i, j = cons.index(a), cons.index(b)
                params.append(("P", i, j))
            labels.append((a, "~~", b))
        for i, name in enumerate(items):
            if not zero[i] and ("T", i, i) not in params:
                params.append(("T", i, i))
                labels.append((name, "~~", name))
        for j, c in enumerate(cons):
            params.append(("P", j, j))
            labels.append((c, "~~", c))
        for x in range(len(exo)):
            for y in range(x + 1, len(exo)):
                i, j = cons.index(exo[x]), cons.index(exo[y])
                if ("P", i, j) not in params and ("P", j, i) not in params:
                    params.append(("P", i, j))
                    labels.append((exo[x], "~~", exo[y]))
        keep = [k for k, prm in enumerate(params) if prm[0] != "Lfix"]
        fixed_labels = [labels[k] for k, prm in enumerate(params) if prm[0] == "Lfix"]
        model = cls(items, cons, [params[k] for k in keep], [labels[k] for k in keep], lam, zero)
        model.marker_labels = fixed_labels
        return model

    def matrices(self, theta):
        p, m = len(self.items), len(self.constructs)
        lam, b = self.lam_fixed.copy(), np.zeros((m, m))
        psi, th = np.zeros((m, m)), np.zeros((p, p))
        for v, (kind, i, j) in zip(theta, self.params, strict=False):
            if kind == "L":
                lam[i, j] = v
            elif kind == "B":
                b[i, j] = v
            elif kind == "P":
                psi[i, j] = psi[j, i] = v
            else:
                th[i, j] = th[j, i] = v
        return lam, b, psi, th

    def sigma(self, theta):
        lam, b, psi, th = self.matrices(theta)
        a = np.linalg.inv(np.eye(len(b)) - b)
        la = lam @ a
        return la @ psi @ la.T + th

    def dsigma(self, theta) -> np.ndarray:
        """Derivatives of Σ with respect to each free parameter, (q, p, p)."""
        lam, b, psi, th = self.matrices(theta)
        a = np.linalg.inv(np.eye(len(b)) - b)
        la = lam @ a
        g = a @ psi @ la.T  # m × p
        h = psi @ la.T
        p = lam.shape[0]
        out = np.zeros((len(self.params), p, p))
        for k, (kind, i, j) in enumerate(self.params):
            if kind == "L":
                d = np.zeros((p, p))
                d[i, :] = g[j, :]
            elif kind == "B":
                d = np.outer(la[:, i], a[j, :] @ h)
            elif kind == "P":
                d = np.outer(la[:, i], la[:, j])
                if i == j:
                    out[k] = d
                    continue
            else:
                d = np.zeros((p, p))
                d[i, j] = 1.0
                if i == j:
                    out[k] = d
                    continue
            out[k] = d + d.T
        return out

    def start(self, s):
        m = len(self.constructs)
        markers = self.lam_fixed.argmax(axis=0)
        others = {j: [i for kind, i, jj in self.params if kind == "L" and jj == j] for j in range(m)}
        var_lv = np.empty(m)
        for j in range(m):
            marker = markers[j]
            cov = np.mean([s[marker, i] for i in others[j]]) if others[j] else 0.0
            var_lv[j] = cov if cov > 0.05 * s[marker, marker] else 0.5 * s[marker, marker]
        theta = []
        for kind, i, j in self.params:
            if kind == "L":
                theta.append(s[i, markers[j]] / var_lv[j])
            elif kind == "B":
                theta.append(0.0)
            elif kind == "P":
                theta.append(var_lv[i] if i == j else 0.0)
            else:
                theta.append(0.5 * s[i, i] if i == j else 0.0)
        return np.array(theta)


def _objective(model, s, logdet_s):
    p = s.shape[0]

    def f(theta):
        sig = model.sigma(theta)
        sign, logdet = np.linalg.slogdet(sig)
        if sign <= 0:
            return 1e10, np.zeros_like(theta)
        inv = np.linalg.inv(sig)
        val = logdet + np.trace(s @ inv) - logdet_s - p
        mm = inv @ (sig - s) @ inv
        grad = np.einsum("kab,ab->k", model.dsigma(theta), mm)
        return val, grad

    return f


def _information(model, theta):
    inv = np.linalg.inv(model.sigma(theta))
    pk = inv[None] @ model.dsigma(theta)
    return 0.5 * np.einsum("kab,lba->kl", pk, pk)


def ml_fit(model: CBModel, s: np.ndarray, max_iter: int = 10000):
    """Minimise the ML discrepancy; returns (theta, F, iterations). Raises ConvergenceError."""
    from scipy.optimize import minimize

    sign, logdet_s = np.linalg.slogdet(s)
    f = _objective(model, s, logdet_s)
    res = minimize(f, model.start(s), jac=True, method="BFGS",
                   options={"gtol": 1e-9, "maxiter": max_iter})
    theta, iterations = res.x, int(res.nit)
    for _ in range(min(50, max_iter)):  # Fisher scoring polish (expected Hessian of F = 2 · information)
        val, grad = f(theta)
        step = np.linalg.solve(2 * _information(model, theta), grad)
        theta = theta - step
        iterations += 1
        if np.max(np.abs(step)) < 1e-12:
            break
    val, grad = f(theta)
    if not np.isfinite(val) or np.max(np.abs(grad)) > 1e-6:
        raise ConvergenceError(
            f"the ML fit did not converge in {iterations} iterations "
            f"(largest gradient {np.max(np.abs(grad)):.2e})",
            value=iterations,
            hint="the model may be unidentified or misspecified (check markers, "
            "single-item constructs, negative variances)",
        )
    return theta, float(val), iterations


def fit_indices(fmin: float, s: np.ndarray, n: int, q: int) -> dict:
    """lavaan-style fit measures from the minimum of F (see the module notes)."""
    from scipy import optimize, stats

    p = s.shape[0]
    chisq, df = n * fmin, p * (p + 1) // 2 - q
    sign, logdet_s = np.linalg.slogdet(s)
    base = n * (np.log(np.diag(s)).sum() - logdet_s)
    base_df = p * (p - 1) // 2
    cfi_den = max(base - base_df, chisq - df, 0.0)
    out = {
        "chisq": chisq, "df": df, "pvalue": stats.chi2.sf(chisq, df) if df > 0 else np.nan,
        "baseline_chisq": base, "baseline_df": base_df,
        "cfi": 1 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0,
        "tli": ((base / base_df) - (chisq / df)) / ((base / base_df) - 1) if df > 0 else 1.0,
        "rmsea": np.sqrt(max(chisq - df, 0.0) / (df * n)) if df > 0 else 0.0,
    }

    def ncp_at(prob):
        g = lambda lam: stats.ncx2.cdf(chisq, df, lam) - prob  # noqa: E731
        if df <= 0 or g(1e-12) < 0:
            return 0.0
        hi = max(chisq, 1.0)
        while g(hi) > 0:
            hi *= 2
        return optimize.brentq(g, 1e-12, hi, xtol=1e-12)

    out["rmsea_ci_low"] = np.sqrt(ncp_at(0.95) / (n * df)) if df > 0 else 0.0
    out["rmsea_ci_high"] = np.sqrt(ncp_at(0.05) / (n * df)) if df > 0 else 0.0
    return out


def _srmr(s, sig):
    ds = np.sqrt(np.diag(s))
    r = (s - sig) / np.outer(ds, ds)
    iu = np.triu_indices(len(s))
    return float(np.sqrt(np.mean(r[iu] ** 2)))


def _cov_n(x, weights):
    w = np.full(len(x), 1 / len(x)) if weights is None else weights / weights.sum()
    xc = x - w @ x
    return (xc * w[:, None]).T @ xc


@dataclass
class CBFit:
    model: CBModel
    theta: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    s: np.ndarray
    n: int
    indices: dict
    iterations: int
    mean: np.ndarray

    def implied(self):
        lam, b, psi, th = self.model.matrices(self.theta)
        a = np.linalg.inv(np.eye(len(b)) - b)
        var_eta = a @ psi @ a.T
        return lam, b, psi, th, a, var_eta, self.model.sigma(self.theta)


def estimate_cb(prep, cfa=False) -> CBFit:
    """ML estimates, expected-information SEs and fit indices on prepared data."""
    model = CBModel.from_spec(prep.spec, cfa=cfa)
    s = _cov_n(prep.x, prep.weights)
    n = len(prep.x)
    check_positive_definite(s, model.items)
    q = len(model.params)
    if n <= q:
        raise InputError(f"{n} respondents for a model with {q} free parameters", value=n,
                         hint="collect more responses or simplify the model")
    theta, fmin, iterations = ml_fit(model, s)
    vcov = np.linalg.inv(_information(model, theta)) / n
    se = np.sqrt(np.clip(np.diag(vcov), 0, None))
    idx = fit_indices(fmin, s, n, q)
    idx["srmr"] = _srmr(s, model.sigma(theta))
    logl = -n / 2 * (len(s) * np.log(2 * np.pi) + np.linalg.slogdet(model.sigma(theta))[1]
                     + np.trace(s @ np.linalg.inv(model.sigma(theta))))
    idx.update(logl=logl, aic=-2 * logl + 2 * q, bic=-2 * logl + q * np.log(n))
    return CBFit(model, theta, se, vcov, s, n, idx, iterations, prep.x.mean(axis=0))


def _std_all(cb: CBFit) -> np.ndarray:
    lam, b, psi, th, a, var_eta, sig = cb.implied()
    sd_eta, sd_x = np.sqrt(np.diag(var_eta)), np.sqrt(np.diag(sig))
    out = []
    for v, (kind, i, j) in zip(cb.theta, cb.model.params, strict=False):
        if kind == "L":
            out.append(v * sd_eta[j] / sd_x[i])
        elif kind == "B":
            out.append(v * sd_eta[j] / sd_eta[i])
        elif kind == "P":
            out.append(v / (sd_eta[i] * sd_eta[j]) if i == j or not (b[i].any() or b[j].any())
                       else v / np.sqrt(psi[i, i] * psi[j, j]))
        else:
            out.append(v / sd_x[i] ** 2 if i == j else v / np.sqrt(th[i, i] * th[j, j]))
    return np.array(out)


def estimates_table(cb: CBFit) -> pd.DataFrame:
    """lavaan ``parameterEstimates`` style: lhs, op, rhs, est, se, z, pvalue, std_all."""
    lam, b, psi, th, a, var_eta, sig = cb.implied()
    rows = pd.DataFrame(cb.model.labels, columns=["lhs", "op", "rhs"])
    rows["est"], rows["se"] = cb.theta, cb.se
    rows["z"] = cb.theta / cb.se
    rows["pvalue"] = 2 * norm_sf(np.abs(rows["z"].to_numpy(float)))
    rows["std_all"] = _std_all(cb)
    sd_eta, sd_x = np.sqrt(np.diag(var_eta)), np.sqrt(np.diag(sig))
    markers = []
    for lhs, _, rhs in cb.model.marker_labels:
        i, j = cb.model.items.index(rhs), cb.model.constructs.index(lhs)
        markers.append({"lhs": lhs, "op": "=~", "rhs": rhs, "est": 1.0, "se": 0.0,
                        "z": np.nan, "pvalue": np.nan, "std_all": sd_eta[j] / sd_x[i]})
    return pd.concat([pd.DataFrame(markers), rows], ignore_index=True)


def _indirect(cb: CBFit, spec):
    """Specific indirect effects with delta-method SEs."""
    from .structural import _chains

    pos = {(i, j): k for k, (kind, i, j) in enumerate(cb.model.params) if kind == "B"}
    names = cb.model.constructs
    rows = []
    for ch in _chains(spec):
        keys = [pos[(t, s)] for s, t in zip(ch[:-1], ch[1:], strict=False)]
        vals = cb.theta[keys]
        est = float(np.prod(vals))
        grad = np.zeros(len(cb.theta))
        for n_, kk in enumerate(keys):
            grad[kk] += np.prod(np.delete(vals, n_))
        se = float(np.sqrt(grad @ cb.vcov @ grad))
        rows.append({"source": names[ch[0]], "target": names[ch[-1]],
                     "via": " → ".join(names[c] for c in ch), "estimate": est, "se": se,
                     "z": est / se, "p": 2 * norm_sf(abs(est / se))})
    return pd.DataFrame(rows, columns=["source", "target", "via", "estimate", "se", "z", "p"])


def _total_effects(cb: CBFit, level: float) -> pd.DataFrame:
    """Total effects (I − B)⁻¹ − I with delta-method SEs (central-difference Jacobian)."""
    def total(theta):
        b = cb.model.matrices(theta)[1]
        return np.linalg.inv(np.eye(len(b)) - b) - np.eye(len(b))

    t0 = total(cb.theta)
    pairs = [(i, j) for i in range(len(t0)) for j in range(len(t0)) if i != j and abs(t0[i, j]) > 0]
    if not pairs:
        return pd.DataFrame(columns=["source", "target", "estimate", "se", "z", "p", "ci_low", "ci_high"])
    jac = np.zeros((len(pairs), len(cb.theta)))
    for k in range(len(cb.theta)):
        h = 1e-6 * max(1.0, abs(cb.theta[k]))
        up, dn = cb.theta.copy(), cb.theta.copy()
        up[k] += h
        dn[k] -= h
        diff = (total(up) - total(dn)) / (2 * h)
        jac[:, k] = [diff[i, j] for i, j in pairs]
    se = np.sqrt(np.einsum("ik,kl,il->i", jac, cb.vcov, jac))
    est = np.array([t0[i, j] for i, j in pairs])
    names = cb.model.constructs
    z = norm_ppf(0.5 + level / 2)
    # B is [target, source]: total effect of j on i
    return pd.DataFrame({"source": [names[j] for _, j in pairs], "target": [names[i] for i, _ in pairs],
                         "estimate": est, "se": se, "z": est / se,
                         "p": 2 * norm_sf(np.abs(est / se)),
                         "ci_low": est - z * se, "ci_high": est + z * se})


def _fit_table(idx: dict) -> pd.DataFrame:
    return pd.DataFrame({"measure": list(idx), "value": [float(v) for v in idx.values()]})


def _scores(cb: CBFit, x, index):
    lam, b, psi, th, a, var_eta, sig = cb.implied()
    return pd.DataFrame((x - cb.mean) @ np.linalg.solve(sig, lam @ var_eta), index=index,
                        columns=cb.model.constructs)


def fit_cb(responses, instrument=None, model=None, weights=None, missing="mean", level=0.95):
    """CB-SEM by ML (lavaan ``sem()`` defaults); see the module notes. Called by ``sem.fit(method="cb")``."""
    prep = prepare(responses, instrument, model, weights, missing, acyclic=False)
    cb = estimate_cb(prep)
    est = estimates_table(cb)
    z = norm_ppf(0.5 + level / 2)
    paths = est[est["op"] == "~"].rename(columns={"rhs": "source", "lhs": "target", "est": "estimate",
                                                  "pvalue": "p"})[["source", "target", "estimate", "se", "z", "p", "std_all"]]
    paths = paths.assign(ci_low=paths["estimate"] - z * paths["se"], ci_high=paths["estimate"] + z * paths["se"])
    lam, b, psi, th, a, var_eta, sig = cb.implied()
    endo = [j for j in range(len(b)) if b[j].any()]
    r2 = pd.DataFrame({"construct": [cb.model.constructs[j] for j in endo],
                       "r2": [1 - psi[j, j] / var_eta[j, j] for j in endo]})
    indirect = _indirect(cb, prep.spec) if not paths.empty else None
    if indirect is not None:
        indirect["ci_low"] = indirect["estimate"] - z * indirect["se"]
        indirect["ci_high"] = indirect["estimate"] + z * indirect["se"]
    total = _total_effects(cb, level)
    problems = [f"{r.lhs} ~~ {r.rhs}: negative variance {r.est:.4f} (Heywood case)"
                for r in est.itertuples() if r.op == "~~" and r.lhs == r.rhs and r.est < 0]
    idx = cb.indices
    return CBResult(
        title=f"CB-SEM (ML): {cb.n} respondents, χ²({idx['df']}) = {idx['chisq']:.3f}, "
        f"CFI {idx['cfi']:.3f}, RMSEA {idx['rmsea']:.3f}",
        notes={"estimator": __doc__.split("Estimation: ")[1].split("\n\n")[0].replace("\n", " "),
               "effects": "indirect and total effects with delta-method SEs and Wald intervals",
               "survey weights": "weighted covariance matrix; SEs treat it as a simple random sample"},
        problems=problems, model=prep.spec, n=cb.n, estimates=est, paths=paths, r2=r2,
        indirect_effects=indirect, total_effects=total, fit_indices=_fit_table(idx),
        scores=_scores(cb, prep.x, prep.index), iterations=cb.iterations, _core=cb,
    )


def cfa_validity(responses, instrument=None, model=None, weights=None, missing="mean", lang="en"):
    """Construct validity from a CFA with all constructs correlated (``validity(method="cfa")``)."""
    from . import measures, pls
    from .validity import _fornell_larcker, htmt_table, problems_list, say

    prep = prepare(responses, instrument, model, weights, missing, acyclic=False)
    cb = estimate_cb(prep, cfa=True)
    est = estimates_table(cb)
    spec = prep.spec
    names, items, blk = list(spec.constructs), list(spec.items), spec.block
    lo = est[est["op"] == "=~"].set_index("rhs").loc[items]
    loadings = pd.DataFrame({"construct": [names[k] for k in blk], "item": items,
                             "loading": lo["est"].to_numpy(), "se": lo["se"].to_numpy(),
                             "std_loading": lo["std_all"].to_numpy()})
    loadings["indicator_reliability"] = loadings["std_loading"] ** 2
    k = len(names)
    _, _, r = pls.correlation(prep.x, prep.weights)
    rc, ave = measures.rho_c_ave(loadings["std_loading"].to_numpy(), blk, k)
    reliability = pd.DataFrame({"construct": names, "n_items": np.bincount(blk, minlength=k),
                                "alpha": measures.alpha(r, blk, k), "rho_a": np.nan,
                                "rho_c": rc, "ave": ave})
    lam, b, psi, th, a, var_eta, sig = cb.implied()
    sd = np.sqrt(np.diag(var_eta))
    fl = _fornell_larcker(var_eta / np.outer(sd, sd), ave, names)
    htmt = htmt_table(r, None, spec=spec)
    scores = _scores(cb, prep.x, prep.index).to_numpy()
    xc = prep.x - prep.x.mean(axis=0)
    sc = scores - scores.mean(axis=0)
    cross = pd.DataFrame((xc.T @ sc) / np.outer(np.linalg.norm(xc, axis=0), np.linalg.norm(sc, axis=0)),
                         columns=names)
    cross.insert(0, "item", items)
    cross.insert(1, "construct", [names[j] for j in blk])
    idx = cb.indices
    res = ValidityResult(
        title=f"Construct validity (CFA, ML): {cb.n} respondents, {k} constructs; "
        f"χ²({idx['df']}) = {idx['chisq']:.3f}, CFI {idx['cfi']:.3f}, RMSEA {idx['rmsea']:.3f}",
        method="cfa", loadings=loadings, reliability=reliability, fornell_larcker=fl, htmt=htmt,
        cross_loadings=cross, fit_indices=_fit_table(idx),
        notes={"loadings": "ML CFA, marker = first item, all constructs correlated; std_loading "
               "is lavaan's std.all", "rho_a": "not defined for a CFA (a PLS statistic)",
               "cross-loadings": "correlations of items with regression factor scores"},
    )
    res.problems = problems_list(loadings, reliability, htmt, fl, None, lang=lang)
    for name, cut, bad in (("CFI", 0.90, idx["cfi"] < 0.90), ("TLI", 0.90, idx["tli"] < 0.90),
                           ("RMSEA", 0.08, idx["rmsea"] > 0.08), ("SRMR", 0.08, idx["srmr"] > 0.08)):
        if bad:
            res.problems.append(say("model_fit", lang, name=name, value=idx[name.lower()],
                                    sign="<" if name in ("CFI", "TLI") else ">", cut=cut))
    return res
