// One handler for every event source: the emulator creates functions but
// does not run them, so what matters here is that it bundles.
export async function handler(event: unknown) {
  return { ok: true, bus: process.env.SST_EventBus_eventBusName_Bus, event };
}
