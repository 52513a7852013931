/**
 * Applies stop sequences on the client, for endpoints or models that do not accept `stop`
 * (the Responses API, reasoning models). Text up to the first stop sequence passes; the rest is
 * dropped. Streaming-safe: it holds back just enough characters to catch a stop sequence that
 * spans two deltas.
 */
export class StopSequenceFilter {
  private buffer = '';
  private readonly holdBack: number;
  /** True once a stop sequence was seen. */
  stopped = false;

  constructor(private readonly stopSequences: readonly string[]) {
    this.holdBack = Math.max(0, ...stopSequences.map((stop) => stop.length - 1));
  }

  /** Feeds a delta; returns the text that is safe to emit now. */
  push(delta: string): string {
    if (this.stopped) return '';
    this.buffer += delta;
    const cut = firstStopIndex(this.buffer, this.stopSequences);
    if (cut !== -1) {
      this.stopped = true;
      const out = this.buffer.slice(0, cut);
      this.buffer = '';
      return out;
    }
    const emit = Math.max(0, this.buffer.length - this.holdBack);
    const out = this.buffer.slice(0, emit);
    this.buffer = this.buffer.slice(emit);
    return out;
  }

  /** Returns what is still held back (call once the stream ended). */
  flush(): string {
    const out = this.stopped ? '' : this.buffer;
    this.buffer = '';
    return out;
  }
}

/** Cuts `text` at the first stop sequence. */
export function applyStopSequences(text: string, stopSequences: readonly string[]): { text: string; stopped: boolean } {
  const cut = firstStopIndex(text, stopSequences);
  return cut === -1 ? { text, stopped: false } : { text: text.slice(0, cut), stopped: true };
}

function firstStopIndex(text: string, stopSequences: readonly string[]): number {
  let first = -1;
  for (const stop of stopSequences) {
    if (stop === '') continue;
    const index = text.indexOf(stop);
    if (index !== -1 && (first === -1 || index < first)) first = index;
  }
  return first;
}
