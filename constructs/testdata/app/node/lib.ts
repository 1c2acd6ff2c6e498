export function greeting(stage: string): string {
  return `hello from ${stage}`;
}
