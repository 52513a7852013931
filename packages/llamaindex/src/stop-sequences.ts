/**
 * Stop sequences applied on the client: LlamaIndex's `LLM.chat` has no `stop` parameter, so the
 * reply is cut at the first stop sequence here (the sequence itself is dropped, as backends do).
 */

/** Index of the earliest stop sequence in `text`, or -1. */
export function firstStopIndex(text: string, stopSequences: readonly string[]): number {
  let first = -1;
  for (const stop of stopSequences) {
    if (stop.length === 0) continue;
    const at = text.indexOf(stop);
    if (at !== -1 && (first === -1 || at < first)) first = at;
  }
  return first;
}

/** Cuts `text` before its first stop sequence; `stopped` says whether one was found. */
export function applyStopSequences(text: string, stopSequences: readonly string[]): { text: string; stopped: boolean } {
  const at = firstStopIndex(text, stopSequences);
  return at === -1 ? { text, stopped: false } : { text: text.slice(0, at), stopped: true };
}

/**
 * Streaming version: `push` returns the text safe to emit now, holding back just enough
 * characters to catch a stop sequence split across deltas; `flush` returns the rest at the end.
 */
export class StopSequenceCutter {
  private pending = '';
  private readonly holdBack: number;
  private readonly stopSequences: readonly string[];
  /** True once a stop sequence was seen; later deltas are dropped. */
  stopped = false;

  constructor(stopSequences: readonly string[]) {
    this.stopSequences = stopSequences.filter((stop) => stop.length > 0);
    this.holdBack = this.stopSequences.reduce((longest, stop) => Math.max(longest, stop.length - 1), 0);
  }

  push(delta: string): string {
    if (this.stopped) return '';
    this.pending += delta;
    const at = firstStopIndex(this.pending, this.stopSequences);
    if (at !== -1) {
      this.stopped = true;
      const out = this.pending.slice(0, at);
      this.pending = '';
      return out;
    }
    const safe = Math.max(0, this.pending.length - this.holdBack);
    const out = this.pending.slice(0, safe);
    this.pending = this.pending.slice(safe);
    return out;
  }

  flush(): string {
    const out = this.stopped ? '' : this.pending;
    this.pending = '';
    return out;
  }
}
