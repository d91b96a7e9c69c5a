import { appendFileSync } from 'node:fs';
import type { RecordedMessage } from './types.js';

/** Keeps every call received and event sent, in memory and (optionally) as JSON lines in a file. */
export class Recorder {
  readonly messages: RecordedMessage[] = [];

  constructor(private readonly file: string | undefined) {}

  /** Records a call body as received (parsed JSON, or the raw text when it was not JSON). */
  call(body: unknown, port: number): void {
    this.#add({ dir: 'call', body, port });
  }

  /** Records an event exactly as serialised on the stream. */
  event(json: string, port: number): void {
    this.#add({ dir: 'event', body: JSON.parse(json) as unknown, port });
  }

  #add(message: RecordedMessage): void {
    this.messages.push(message);
    if (this.file) appendFileSync(this.file, `${JSON.stringify({ dir: message.dir, body: message.body })}\n`);
  }
}
