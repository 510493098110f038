/**
 * Configuration is read once, through getters that fail at start-up naming the missing variable, so a misconfigured
 * function dies on its first cold start instead of half-working.
 */
export class MissingConfigurationError extends Error {
  override readonly name = 'MissingConfigurationError';
  constructor(readonly variable: string) {
    super(`Environment variable ${variable} is not set`);
  }
}

export function requireEnv(variable: string): string {
  const value = process.env[variable];
  if (value === undefined || value === '') throw new MissingConfigurationError(variable);
  return value;
}

/** A getter that reads the variable on first use and remembers it. */
export function envGetter(variable: string): () => string {
  let value: string | undefined;
  return () => (value ??= requireEnv(variable));
}
