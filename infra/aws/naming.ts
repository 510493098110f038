/** `tableEventsDlq` -> `TableEventsDlq`: manifest ids as construct ids. */
export function pascal(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}
