import { tool } from 'ai';
import { z } from 'zod';

/**
 * The demo tool: what time it is, on the server's clock. Small enough to read at a glance,
 * and its call and result show how tool parts round-trip through the store and render.
 */
export const clockTool = tool({
  description: 'The current date and time on the server, optionally in an IANA time zone such as Europe/Paris.',
  inputSchema: z.object({ timeZone: z.string().max(64).optional() }),
  execute: async ({ timeZone }) => {
    const now = new Date();
    const zone = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
    const formatted = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: zone }).format(now);
    return { iso: now.toISOString(), timeZone: zone, formatted };
  },
});

export const demoTools = { clock: clockTool };

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
