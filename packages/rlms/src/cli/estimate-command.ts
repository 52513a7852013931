import type { PricingTable } from '@rlms/core';
import { estimateCost, type CostEstimate, type Range } from '../estimate-cost.js';
import { formatInteger, formatUsd } from '../progress/format.js';
import type { CliIO } from './cli-io.js';
import { CONTEXT_FLAGS, loadContextFlags } from './context-flags.js';
import { ESTIMATE_HELP } from './help.js';
import { parseInteger, parseNumber } from './flag-values.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

const FLAGS = {
  ...CONTEXT_FLAGS,
  model: { type: 'string', short: 'm' },
  'sub-model': { type: 'string' },
  question: { type: 'string' },
  'context-window': { type: 'string' },
  'input-price': { type: 'string' },
  'output-price': { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function usdRange(range: Range | undefined): string {
  if (range === undefined) return 'unknown (no price for this model: pass --input-price and --output-price)';
  return range.low === range.high ? formatUsd(range.low) : `${formatUsd(range.low)}–${formatUsd(range.high)}`;
}

function intRange(range: Range): string {
  return range.low === range.high ? formatInteger(range.low) : `${formatInteger(range.low)}–${formatInteger(range.high)}`;
}

/** The human-readable report of an estimate. */
export function formatEstimate(estimate: CostEstimate, documents: number): string {
  const window = estimate.contextWindowTokens;
  const fit =
    window === undefined
      ? 'unknown window (pass --context-window)'
      : `${formatInteger(window)} tokens: ${estimate.fits === true ? 'fits' : 'does NOT fit'} (${Math.round((estimate.direct.inputTokens / window) * 100)} % of the window)`;
  const lines = [
    `Context:        ${formatInteger(documents)} document${documents === 1 ? '' : 's'}, ${formatInteger(estimate.contextChars)} characters`,
    `Tokens:         ${formatInteger(estimate.contextTokens)} (${estimate.tokenizer.description})`,
    `Window:         ${estimate.model}: ${fit}`,
    `Direct call:    ${usdRange(estimate.direct.costUsd)} (${formatInteger(estimate.direct.inputTokens)} input + ${intRange(estimate.direct.outputTokens)} output tokens)${estimate.fits === false ? ' — not possible, shown for comparison' : ''}`,
    `RLM run:        ${usdRange(estimate.rlm.costUsd)} (${intRange(estimate.rlm.rootCalls)} root turns on ${estimate.model}, ${intRange(estimate.rlm.subcalls)} sub-call${estimate.rlm.subcalls.high === 1 ? '' : 's'} on ${estimate.subModel}; ${intRange(estimate.rlm.inputTokens)} input + ${intRange(estimate.rlm.outputTokens)} output tokens)`,
    `Recommendation: ${estimate.recommendation.mode === 'direct' ? 'direct call' : 'RLM'}: ${estimate.recommendation.reason}.`,
    'Assumptions:',
    ...estimate.assumptions.map((assumption) => `  - ${assumption}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `rlms estimate`: tokens, fit, cost ranges and a recommendation. Returns the exit code. */
export async function runEstimate(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('estimate', argv, FLAGS, true);
  if (values.help === true) {
    io.stdout.write(ESTIMATE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}": estimate takes no question; use --question "…" to count one.`, 'estimate');
  const model = values.model ?? 'gpt-4o';
  const inputPrice = parseNumber('input-price', values['input-price'], 'estimate');
  const outputPrice = parseNumber('output-price', values['output-price'], 'estimate');
  if ((inputPrice === undefined) !== (outputPrice === undefined)) throw new UsageError('Pass both --input-price and --output-price (US dollars per million tokens).', 'estimate');
  const pricing: PricingTable | undefined =
    inputPrice === undefined || outputPrice === undefined
      ? undefined
      : Object.fromEntries(
          [...new Set([model, values['sub-model'] ?? model])].map((name) => [name, { inputPerMillion: inputPrice, outputPerMillion: outputPrice }]),
        );
  const contextWindow = parseInteger('context-window', values['context-window'], 'estimate');
  const loaded = await loadContextFlags(values, io, 'estimate', { quiet: values.quiet === true || values.json === true, verbose: false });
  const estimate = await estimateCost({
    context: loaded.context,
    model,
    ...(values['sub-model'] === undefined ? {} : { subModel: values['sub-model'] }),
    ...(values.question === undefined ? {} : { question: values.question }),
    ...(contextWindow === undefined ? {} : { contextWindowTokens: contextWindow }),
    ...(pricing === undefined ? {} : { pricing }),
  });
  io.stdout.write(values.json === true ? `${JSON.stringify({ documents: loaded.documents, ...estimate }, null, 2)}\n` : formatEstimate(estimate, loaded.documents));
  return 0;
}
