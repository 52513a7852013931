import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { createTarStream } from '../src/tar-writer.js';

interface ParsedEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  data: Buffer;
}

/** A minimal ustar reader that also verifies each header checksum. */
function parseTar(archive: Buffer): { entries: ParsedEntry[]; trailingZeroBlocks: number } {
  const entries: ParsedEntry[] = [];
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const octal = (start: number, length: number) => parseInt(field(start, length).trim() || '0', 8);
    const stored = octal(148, 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
    expect(sum).toBe(stored);
    expect(header.toString('binary', 257, 263)).toBe('ustar\0');
    const size = octal(124, 12);
    entries.push({
      name: field(0, 100),
      type: field(156, 1),
      mode: octal(100, 8),
      uid: octal(108, 8),
      gid: octal(116, 8),
      data: archive.subarray(offset + 512, offset + 512 + size),
    });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  const rest = archive.subarray(offset);
  return { entries, trailingZeroBlocks: rest.every((byte) => byte === 0) ? rest.length / 512 : -1 };
}

describe('createTarStream', () => {
  it('writes directories and files with modes, owners and padded data', async () => {
    const big = new Uint8Array(3 * 1024 * 1024 + 7).map((_, index) => index % 251);
    const archive = await buffer(
      createTarStream([
        { name: 'rlms', type: 'directory', mode: 0o700, uid: 65534, gid: 65534 },
        { name: 'rlms/hello.txt', data: new TextEncoder().encode('héllo\n'), uid: 65534, gid: 100 },
        { name: 'rlms/big.bin', data: big, mode: 0o600 },
        { name: 'rlms/empty', data: new Uint8Array(0) },
      ]),
    );
    expect(archive.length % 512).toBe(0);
    const { entries, trailingZeroBlocks } = parseTar(archive);
    expect(trailingZeroBlocks).toBe(2);
    expect(entries.map((entry) => [entry.name, entry.type, entry.mode, entry.uid, entry.gid])).toEqual([
      ['rlms/', '5', 0o700, 65534, 65534],
      ['rlms/hello.txt', '0', 0o644, 65534, 100],
      ['rlms/big.bin', '0', 0o600, 0, 0],
      ['rlms/empty', '0', 0o644, 0, 0],
    ]);
    expect(entries[1]?.data.toString('utf8')).toBe('héllo\n');
    expect(Buffer.compare(entries[2]?.data ?? Buffer.alloc(0), Buffer.from(big))).toBe(0);
    expect(entries[3]?.data.length).toBe(0);
  });

  it('rejects names that do not fit a ustar header', () => {
    expect(() => createTarStream([{ name: 'x'.repeat(101), data: new Uint8Array(1) }])).toThrow(RangeError);
    expect(() => createTarStream([{ name: '', data: new Uint8Array(1) }])).toThrow(/1-100 bytes/);
  });
});
