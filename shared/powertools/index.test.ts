import { describe, expect, it, vi } from 'vitest';
import { logger, metrics } from './index.ts';

describe("Metrics' notices", () => {
  it('drop the empty-flush notice and pass the others to the structured logger', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    metrics.publishStoredMetrics();
    expect(warn).not.toHaveBeenCalled();

    metrics.addDimension('', 'no name');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("doesn't meet the requirements"));
    warn.mockRestore();
  });
});
