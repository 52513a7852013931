import { describe, expect, it } from 'vitest';
import { keptSections, spliceSection } from '../src/report/results-sections.js';

describe('RESULTS.md sections written by other bench commands', () => {
  it('appends a section, then replaces it in place', () => {
    const first = spliceSection('# rlms benchmark results\n\nbody\n', 'trajectories', '## Real trajectories\n\n74 / 117');
    expect(first).toContain('<!-- begin:trajectories -->\n## Real trajectories\n\n74 / 117\n<!-- end:trajectories -->');
    const second = spliceSection(first, 'trajectories', '## Real trajectories\n\n101 / 117');
    expect(second).toContain('101 / 117');
    expect(second).not.toContain('74 / 117');
    expect(second.match(/begin:trajectories/g)).toHaveLength(1);
  });

  it('keeps the sections across a regeneration of the rest of the file', () => {
    const text = spliceSection('# old generated part\n', 'trajectories', 'kept body $& $1');
    expect(keptSections(text)).toEqual(['<!-- begin:trajectories -->\nkept body $& $1\n<!-- end:trajectories -->\n']);
    expect(keptSections('# nothing kept\n')).toEqual([]);
  });
});
