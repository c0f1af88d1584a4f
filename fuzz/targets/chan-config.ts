/**
 * The lib_chan config reader (the book's `{port, N}.` and `{service, ...}.` terms) fed hostile
 * text: every refusal must be a `ChanConfigError` naming the offending term.
 *
 * Input: the file's text, as UTF-8.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ChanConfigError, parseChanConfig } from '../../src/chan';
import type { FuzzTarget } from '../target';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'lib_chan', 'lib_chan.conf');

export const target: FuzzTarget = {
  name: 'chan-config',
  covers: ['src/chan/config.ts'],
  seeds: () => {
    const fixture = fs.readFileSync(FIXTURE, 'utf8');
    return [fixture, fixture.replace('{port, 2233}', '{port, 0}'), '{port, 0}.'].map((text) => Buffer.from(text, 'utf8'));
  },
  run(input) {
    parseChanConfig(input.toString('utf8'), 'lib_chan.conf');
  },
  expected: (error) => error instanceof ChanConfigError,
  dictionary: ['{port, ', '{service, ', 'password, ', 'none', 'mfa, ', '"', '}.', '%'].map((token) => Buffer.from(token)),
};
