const PLACEHOLDER = /\$\{([^}\s]+)\}/g;

/**
 * Fills `${Name}` placeholders the way CDK `definitionSubstitutions` does on AWS: the value is inserted as raw text.
 * Throws naming every placeholder left unfilled, so a missing ARN fails at start-up and not inside an execution.
 */
export function substituteDefinition(aslText: string, substitutions: Record<string, string>): string {
  const missing = new Set<string>();
  const substituted = aslText.replace(PLACEHOLDER, (placeholder, name: string) => {
    const value = Object.hasOwn(substitutions, name) ? substitutions[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return placeholder;
    }
    return value;
  });
  if (missing.size > 0) {
    throw new Error(`State machine definition has unfilled placeholders: ${[...missing].map((n) => `\${${n}}`).join(', ')}`);
  }
  try {
    JSON.parse(substituted);
  } catch (error) {
    throw new Error(`State machine definition is not valid JSON after substitution: ${(error as Error).message}`);
  }
  return substituted;
}

/** Placeholders still present in a definition (used to refuse definitions that were never substituted). */
export function findPlaceholders(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}
