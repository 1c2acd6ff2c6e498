// Runs once when the stage is created (a Script): reports what it was given.
export async function handler(input: { params?: Record<string, unknown> }) {
  return { seeded: input.params?.rows ?? 0 };
}
