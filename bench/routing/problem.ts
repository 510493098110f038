// The benchmark's normalised problem and plan formats (see ../shared/bench/routing/README.md).
import fs from 'node:fs';

export interface BenchLine {
  readonly lineId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly weightLb: number;
}

export interface BenchLocation {
  readonly id: string;
  readonly type: string;
  readonly distanceKm: number;
  readonly zone: number;
  readonly shipmentCost: number;
  readonly unitCost: number;
  readonly inventory: Readonly<Record<string, number>>;
}

export interface BenchProblem {
  readonly id: string;
  readonly order: { readonly lines: readonly BenchLine[] };
  readonly locations: readonly BenchLocation[];
}

export interface BenchAllocation {
  readonly locationId: string;
  readonly sku: string;
  readonly quantity: number;
}

export interface BenchPlan {
  readonly id: string;
  readonly allocations: readonly BenchAllocation[];
}

export interface BenchOptimum extends BenchPlan {
  readonly cost: number;
}

export function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}
