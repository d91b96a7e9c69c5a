import type { Phase } from '../../api/status.js';

/** Whether to colour output: only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colourEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90 } as const;

/** A colour name for terminal output. */
export type Colour = keyof typeof CODES;

/** Wraps text in an ANSI colour, or returns it unchanged when colour is off. */
export function paint(text: string, colour: Colour | undefined, enabled: boolean): string {
  if (!enabled || colour === undefined) return text;
  return `\u001b[${CODES[colour]}m${text}\u001b[0m`;
}

/** The colour a phase is shown in: green done, red failed, yellow waiting, cyan working. */
export function phaseColour(phase: Phase | string): Colour | undefined {
  switch (phase) {
    case 'Succeeded':
      return 'green';
    case 'Failed':
    case 'Invalid':
      return 'red';
    case 'Retrying':
    case 'Suspended':
    case 'Pending':
      return 'yellow';
    case 'Running':
    case 'Connecting':
    case 'RequestingResources':
    case 'Collecting':
    case 'Releasing':
      return 'cyan';
    default:
      return undefined;
  }
}

/** The colour of an event type: warnings yellow. */
export function eventColour(type: string): Colour | undefined {
  return type === 'Warning' ? 'yellow' : undefined;
}
