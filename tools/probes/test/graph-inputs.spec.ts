// The in-process half of tools/probes/graph-inputs.mjs, kept as a test: every
// hostile input of the catalogue (and the seeded fuzz set) goes through the
// packed plugin's createNodesV2 and createDependencies, and every invariant
// holds. The real-Nx half and the table are the script's.
import { describe, expect, it } from 'vitest';
import { probeGraphInputs } from '../graph-inputs.mjs';

describe('hostile graph inputs, in-process', () => {
  it('each returns, keeps every project and the healthy edge, says little and nothing of files outside', async () => {
    const { rows, failures, inputs } = (await probeGraphInputs({ seed: 1, fuzz: 300, nx: false })) as {
      rows: unknown[][];
      failures: string[];
      inputs: number;
    };
    expect(inputs).toBeGreaterThan(400);
    expect(failures).toEqual([]);
    const tried = rows.filter((row) => row[0] !== 'all at once, in-process').reduce((sum, row) => sum + Number(row[1]), 0);
    expect(tried).toBe(inputs);
  });
});
