/**
 * A scripted stand-in for the root model and the sub-model, served by the local OpenAI-compatible
 * test server. The root "model" writes the Python an RLM would write for the analysis, with the
 * standard library only (csv, math, statistics: no pandas needed): probe → parse every file →
 * correlations and p-values → least squares with and without the interaction → residual checks per
 * experiment → llm_query_batched on the flagged ones → FINAL_VAR. The sub-"model" explains each
 * flagged experiment from the statistics in its prompt.
 */
import { scriptedReply } from '@rlms/examples-shared/testing';

const PROBE = String.raw`
print(type(context).__name__, len(context), "files")
names = sorted(context)
print(names[:5], "...", names[-2:])
print(context[names[0]][:300])
try:
    import pandas, numpy
    print("pandas", pandas.__version__, "numpy", numpy.__version__)
except ImportError:
    print("no pandas/numpy: using the standard library")
`;

const LOAD = String.raw`
import csv, io, math, statistics, collections
rows, skipped = [], 0
for name in sorted(context):
    for r in csv.DictReader(io.StringIO(context[name])):
        try:
            rows.append({
                "exp": name, "run": int(r["run"]), "T": float(r["temperature_c"]),
                "P": float(r["pressure_kpa"]) if r["pressure_kpa"].strip() else None,
                "cat": float(r["catalyst_pct"]), "stir": float(r["stir_rpm"]), "op": r["operator"], "y": float(r["yield_pct"]),
            })
        except (KeyError, ValueError, TypeError):
            skipped += 1
print(len(rows), "rows from", len(context), "files;", skipped, "unreadable;", sum(r["P"] is None for r in rows), "without pressure")
`;

const ANALYSE = String.raw`
def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    r = sxy / math.sqrt(sxx * syy)
    t = r * math.sqrt((n - 2) / max(1e-12, 1 - r * r))
    return r, math.erfc(abs(t) / math.sqrt(2)), n   # two-sided p, normal approximation (n in the thousands)

def ols(X, y):
    """Least squares: coefficients, their t statistics, and R squared."""
    k = len(X[0])
    M = [[sum(row[i] * row[j] for row in X) for j in range(k)] + [1.0 if i == j else 0.0 for j in range(k)] + [sum(row[i] * v for row, v in zip(X, y))] for i in range(k)]
    for c in range(k):
        p = max(range(c, k), key=lambda r: abs(M[r][c]))
        M[c], M[p] = M[p], M[c]
        pivot = M[c][c]
        M[c] = [v / pivot for v in M[c]]
        for r in range(k):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    beta = [M[i][2 * k] for i in range(k)]
    resid = [v - sum(b * x for b, x in zip(beta, row)) for row, v in zip(X, y)]
    sigma2 = sum(e * e for e in resid) / (len(y) - k)
    t = [beta[i] / math.sqrt(sigma2 * M[i][k + i]) for i in range(k)]
    my = sum(y) / len(y)
    r2 = 1 - sum(e * e for e in resid) / sum((v - my) ** 2 for v in y)
    return beta, t, r2, resid

def fmt_p(p):
    return "p < 1e-16" if p < 1e-16 else f"p = {p:.2g}"

def design(rs, interaction):
    return [[1.0, r["T"] - 60, r["cat"]] + ([(r["T"] - 60) * r["cat"]] if interaction else []) for r in rs]

# 3. Anomalies first, from the residuals of a pooled fit, so the other statistics can leave them out.
beta, _, _, resid = ols(design(rows, True), [r["y"] for r in rows])
by_exp = collections.defaultdict(list)
for r, e in zip(rows, resid):
    by_exp[r["exp"]].append((r, e))
stats = {}
for name, items in by_exp.items():
    es = [e for _, e in items]
    zeros = [r["run"] for r, _ in items if r["y"] == 0.0]
    stats[name] = {"n": len(items), "mean": statistics.fmean(es), "sd": statistics.pstdev(es), "zeros": zeros}
typical_sd = statistics.median(s["sd"] for s in stats.values())
flagged = {name: s for name, s in stats.items() if len(s["zeros"]) >= 3 or abs(s["mean"]) > 2 * typical_sd or s["sd"] > 2.5 * typical_sd}
prompts = [
    f"Experiment {name}: {s['n']} runs. Readings of exactly 0.0: {len(s['zeros'])}"
    + (f" (runs {s['zeros'][0]}-{s['zeros'][-1]})" if s["zeros"] else "")
    + f". Mean residual vs the pooled model: {s['mean']:+.2f}. Residual sd: {s['sd']:.2f} (typical: {typical_sd:.2f}).\n"
    "What is anomalous about this experiment, and what is the most likely cause? One sentence."
    for name, s in sorted(flagged.items())
]
explanations = llm_query_batched(prompts)
clean = [r for r in rows if r["exp"] not in flagged]

significant, not_significant = [], []
# 1. Correlations over the clean rows (rows without a pressure reading only drop out of that one).
lines = [f"Data: {len(context)} files, {len(rows):,} rows ({sum(r['P'] is None for r in rows)} without a pressure reading). "
         f"{len(flagged)} anomalous experiments are left out of the statistics below ({len(clean):,} rows remain).", "",
         "1. Correlation with yield_pct (Pearson r, two-sided p):"]
for label, key in [("temperature_c", "T"), ("catalyst_pct", "cat"), ("pressure_kpa", "P"), ("stir_rpm", "stir")]:
    pairs = [(r[key], r["y"]) for r in clean if r[key] is not None]
    r, p, n = pearson([a for a, _ in pairs], [b for _, b in pairs])
    lines.append(f"   {label:<14} r = {r:+.3f}  {fmt_p(p):<12} n = {n:,}  {'significant' if p < 0.01 else 'not significant'}")
    (significant if p < 0.01 else not_significant).append(label)
# 2. Interaction: the model with and without temperature x catalyst.
y = [r["y"] for r in clean]
b0, t0, r2_0, _ = ols(design(clean, False), y)
b1, t1, r2_1, resid1 = ols(design(clean, True), y)
p_int = math.erfc(abs(t1[3]) / math.sqrt(2))
(significant if p_int < 0.01 else not_significant).append("temperature x catalyst")
# Operators ran campaigns at different settings, so compare what the model does not explain.
by_op = collections.defaultdict(list)
for r, e in zip(clean, resid1):
    by_op[r["op"]].append(e)
op_means = {op: statistics.fmean(es) for op, es in sorted(by_op.items())}
op_gap = max(op_means.values()) - min(op_means.values())
(significant if op_gap > 1 else not_significant).append("operator")
lines += ["", "2. Interaction effects (least squares on the clean rows, temperature centred at 60 C):",
          f"   without interaction: yield = {b0[0]:.2f} + {b0[1]:.3f}*(T-60) + {b0[2]:.2f}*catalyst   R^2 = {r2_0:.3f}",
          f"   with interaction:    yield = {b1[0]:.2f} + {b1[1]:.3f}*(T-60) + {b1[2]:.2f}*catalyst + {b1[3]:.4f}*(T-60)*catalyst   R^2 = {r2_1:.3f}",
          f"   temperature x catalyst: coefficient {b1[3]:+.4f}, t = {t1[3]:.1f}, {fmt_p(p_int)}: "
          + ("a significant interaction: the effect of temperature grows with the catalyst concentration" if p_int < 0.01 and b1[3] > 0 else "no clear interaction")]

lines.append("   operator: mean residual of the interaction model " + ", ".join(f"{op} {m:+.2f}" for op, m in op_means.items())
             + f" (largest gap {op_gap:.2f} points: {'an operator effect' if op_gap > 1 else 'no operator effect once settings are accounted for'})")
lines += ["", "3. Anomalous experiments (residuals of the pooled model, typical residual sd " + f"{typical_sd:.2f}):"]
for (name, s), text in zip(sorted(flagged.items()), explanations):
    lines.append(f"   {name}: {text.strip()} [runs {s['n']}, mean residual {s['mean']:+.2f}, sd {s['sd']:.2f}, zero readings {len(s['zeros'])}]")

lines += ["", f"4. Significance (p < 0.01, n = {len(clean):,}): significant: {', '.join(significant)}; not significant: {', '.join(not_significant)}.",
          "   p-values use the normal approximation of the t distribution, accurate at these sample sizes."]
findings = "\n".join(lines)
print(findings)
`;

const ROOT_TURNS = [
  `First, the files and what Python has available.\n\`\`\`repl${PROBE}\`\`\``,
  `No pandas here, so I'll parse every file with the csv module.\n\`\`\`repl${LOAD}\`\`\``,
  `Now the statistics over all rows: anomalies from residuals first (a sub-model explains each), then correlations and the interaction model without them.\n\`\`\`repl${ANALYSE}\`\`\``,
  'The findings are complete.\n```repl\nFINAL_VAR("findings")\n```',
];

/** The sub-model: the anomaly the numbers in the prompt point at. */
function explain(prompt: string): string {
  const number = (label: string) => Number(new RegExp(`${label}: ([-+]?\\d+(?:\\.\\d+)?)`).exec(prompt)?.[1] ?? Number.NaN);
  const zeros = number('Readings of exactly 0\\.0');
  const runs = /\(runs (\d+-\d+)\)/.exec(prompt)?.[1];
  const mean = number('Mean residual vs the pooled model');
  const sd = number('Residual sd');
  const typical = number('typical');
  if ([zeros, mean, sd, typical].some(Number.isNaN)) throw new Error(`unexpected sub-prompt:\n${prompt}`);
  if (zeros >= 3) return `Sensor dropout: ${zeros} consecutive readings of exactly 0.0 (runs ${runs}), physically impossible for this process; the yield sensor most likely failed.`;
  if (Math.abs(mean) > 2 * typical) return `Calibration offset: yields are ${mean > 0 ? 'higher' : 'lower'} than the model predicts by ${Math.abs(mean).toFixed(1)} points on every run while the spread is normal; the yield measurement is probably miscalibrated.`;
  return `Noisy process: the residual spread is ${(sd / typical).toFixed(1)} times the typical one with no systematic offset; the process was unstable or poorly controlled.`;
}

/** Reply function for `startOpenAICompatibleServer`: root turns by their number, sub-calls by their prompt. */
export const reply = scriptedReply({ root: ROOT_TURNS, subModel: explain });
