/**
 * Finds which of many strings occur in a text, in one pass over the text (Aho–Corasick): building
 * is linear in the total length of the strings, a search linear in the text plus the hits.
 * Used to find the few `.gitignore` patterns that can match a path among thousands.
 */
export class SubstringIndex {
  /** Trie edges: `node * 65536 + UTF-16 code unit` → child node. Node 0 is the root. */
  private readonly edges = new Map<number, number>();
  /** Per node: its first child and next sibling (for the breadth-first pass), and its last character. */
  private readonly firstChild: number[] = [0];
  private readonly nextSibling: number[] = [0];
  private readonly code: number[] = [0];
  /** Per node: the first string ending there (index into `ids`, -1: none); per string: the next one ending at the same node. */
  private readonly outputHead: number[] = [-1];
  private readonly outputNext: number[] = [];
  private readonly ids: number[] = [];
  private readonly fail: number[] = [0];
  /** The nearest node on the failure chain with outputs (0: none). */
  private readonly outputLink: number[] = [0];
  private built = false;

  /** Adds `text` (not empty) with an id reported by {@link search}. Call before the first search. */
  add(text: string, id: number): void {
    if (this.built) throw new Error('SubstringIndex: add() after search()');
    let node = 0;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      const key = node * 65536 + code;
      let next = this.edges.get(key);
      if (next === undefined) {
        next = this.code.length;
        this.code.push(code);
        this.firstChild.push(0);
        this.nextSibling.push(this.firstChild[node]!);
        this.firstChild[node] = next;
        this.outputHead.push(-1);
        this.fail.push(0);
        this.outputLink.push(0);
        this.edges.set(key, next);
      }
      node = next;
    }
    this.outputNext.push(this.outputHead[node]!);
    this.outputHead[node] = this.ids.length;
    this.ids.push(id);
  }

  /** Whether no string was added. */
  get empty(): boolean {
    return this.ids.length === 0;
  }

  private build(): void {
    this.built = true;
    const queue: number[] = [];
    for (let child = this.firstChild[0]!; child !== 0; child = this.nextSibling[child]!) queue.push(child);
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (let child = this.firstChild[node]!; child !== 0; child = this.nextSibling[child]!) {
        const code = this.code[child]!;
        let fallback = this.fail[node]!;
        while (fallback !== 0 && !this.edges.has(fallback * 65536 + code)) fallback = this.fail[fallback]!;
        const target = this.edges.get(fallback * 65536 + code) ?? 0;
        const failNode = target === child ? 0 : target;
        this.fail[child] = failNode;
        this.outputLink[child] = this.outputHead[failNode] === -1 ? this.outputLink[failNode]! : failNode;
        queue.push(child);
      }
    }
  }

  /** Calls `onHit` with the id of every added string occurring in `text` (once per occurrence). */
  search(text: string, onHit: (id: number) => void): void {
    if (!this.built) this.build();
    if (this.empty) return;
    let node = 0;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      let next = this.edges.get(node * 65536 + code);
      while (next === undefined && node !== 0) {
        node = this.fail[node]!;
        next = this.edges.get(node * 65536 + code);
      }
      node = next ?? 0;
      for (let hit = this.outputHead[node] === -1 ? this.outputLink[node]! : node; hit !== 0; hit = this.outputLink[hit]!) {
        for (let output = this.outputHead[hit]!; output !== -1; output = this.outputNext[output]!) onHit(this.ids[output]!);
      }
    }
  }
}
