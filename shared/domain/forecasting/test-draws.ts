/** Deterministic pseudo-random draws for the forecasting tests' data (the domain never draws random numbers itself). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A Poisson draw of the given mean (Knuth's multiplication method; fine for the small means of daily demand). */
export function poisson(r: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  for (let p = r(); p > l; p *= r()) k++;
  return k;
}
