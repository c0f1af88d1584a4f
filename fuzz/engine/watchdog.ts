/**
 * Catches a synchronous hang, which no timer on the fuzzing thread can: before each input the loop
 * copies it into shared memory and bumps a counter; a worker thread that sees the counter stand
 * still for longer than the bound saves that input as a `hang` finding and kills the process.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { findingsFolder } from './findings';

/** Inputs longer than this are saved cut short. */
const MAX_SAVED = 1 << 20;

const WORKER = `
const { workerData } = require('worker_threads');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { shared, folder, limitMs } = workerData;
const header = new Int32Array(shared, 0, 2);
const bytes = new Uint8Array(shared, 8);
let last = -1;
let since = Date.now();
setInterval(() => {
  const count = Atomics.load(header, 0);
  if (count !== last || count === 0) { last = count; since = Date.now(); return; }
  if (Date.now() - since < limitMs) return;
  const input = Buffer.from(bytes.subarray(0, Atomics.load(header, 1)));
  const file = path.join(folder, crypto.createHash('sha1').update(input).digest('hex'));
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(file, input);
  fs.writeFileSync(file + '.txt', 'hang: a synchronous run did not return within ' + limitMs + ' ms\\nkey: hang sync\\ninput (hex): ' + input.toString('hex').slice(0, 4096) + '\\n');
  fs.writeSync(2, 'fuzz: synchronous hang, input saved to ' + path.relative(process.cwd(), file) + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, Math.min(250, limitMs / 4));
`;

export class Watchdog {
  private readonly header: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly worker: Worker;

  constructor(target: string, limitMs: number) {
    const shared = new SharedArrayBuffer(8 + MAX_SAVED);
    this.header = new Int32Array(shared, 0, 2);
    this.bytes = new Uint8Array(shared, 8);
    this.worker = new Worker(WORKER, { eval: true, workerData: { shared, folder: path.resolve(findingsFolder(target)), limitMs } });
    this.worker.unref();
  }

  /** Note `input` as the one about to run. */
  arm(input: Buffer): void {
    const n = Math.min(input.length, MAX_SAVED);
    this.bytes.set(n === input.length ? input : input.subarray(0, n));
    Atomics.store(this.header, 1, n);
    Atomics.add(this.header, 0, 1);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
