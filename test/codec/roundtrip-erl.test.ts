/**
 * Our encoder and decoder against a live BEAM, on every OTP found (host OTP 25, OTP 27 and 29 in
 * their chroots): random terms go encode -> erl binary_to_term/term_to_binary -> decode and must
 * come back equal; on OTP 25 our bytes must be BEAM's bytes. Plus the extremes: a list nested
 * 100,000 deep and a 10 MB binary.
 *
 * Property runs: ERLBRIDGE_FC_RUNS (default 300 per OTP); seed: FC_SEED (default random, printed
 * on failure with the shrunk term and its bytes).
 */
import * as zlib from 'zlib';
import fc from 'fast-check';
import { decode } from '../../codec/decoder';
import { encode } from '../../codec/encoder';
import { equals } from '../../codec/compare';
import { ErlMap } from '../../codec/erlmap';
import { Atom, BitBinary, ErlFloat, Port, Term, Tuple } from '../../codec/terms';
import { describeOtp } from '../support/otp';
import { ErlTermServer } from '../support/erl-term-server';
import { hasLargeMap, loadVectorFile, showTerm, termArb, VECTOR_FILES, vectorBytes } from '../support/arbitrary';

const RUNS = Number(process.env.ERLBRIDGE_FC_RUNS ?? 300);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);

function hexShort(b: Buffer, max = 600): string {
  const h = b.toString('hex');
  return h.length > max ? `${h.slice(0, max)}... (${b.length} bytes)` : h;
}

/** The vector file written by this OTP release, if there is one. */
function vectorsFor(release: string) {
  const file = VECTOR_FILES.map(loadVectorFile).find((f) => f.otp === release);
  return file ?? null;
}

describeOtp('codec round trip through erl', (otp) => {
  let erl: ErlTermServer;

  beforeAll(async () => {
    erl = await ErlTermServer.start(otp);
  });

  afterAll(async () => {
    await erl?.close();
  });

  it(`random terms: encode -> binary_to_term/term_to_binary -> decode gives the same term, and re-encodes to erl's bytes (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(termArb(), async (t) => {
        const ours = encode(t);
        const reply = await erl.tryRoundtrip(ours);
        if ('error' in reply) {
          throw new Error(`erl refused our encoding: ${reply.error}\n  term: ${showTerm(t)}\n  ours: ${hexShort(ours)}`);
        }
        const back = decode(reply.ok);
        if (!equals(back, t)) {
          throw new Error(
            `came back different\n  term: ${showTerm(t)}\n  back: ${showTerm(back)}\n  ours: ${hexShort(ours)}\n  erl:  ${hexShort(reply.ok)}`,
          );
        }
        // And what this OTP wrote (its map orders, its port tags) decodes and encodes to the same bytes.
        const again = encode(back);
        if (!again.equals(reply.ok)) {
          throw new Error(
            `decode then encode of erl's bytes differs\n  term: ${showTerm(back)}\n  erl:  ${hexShort(reply.ok)}\n  ours: ${hexShort(again)}`,
          );
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  if (otp.release === '25') {
    it(`random terms: encode(T) is byte for byte term_to_binary(T, [{minor_version,2}]) (${RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(termArb(), async (t) => {
          const ours = encode(t);
          const theirs = await erl.roundtrip(ours);
          // Maps over 32 keys: BEAM writes them in hash order, our encoder in insertion order.
          if (hasLargeMap(t)) return;
          if (!ours.equals(theirs)) {
            throw new Error(`bytes differ\n  term: ${showTerm(t)}\n  ours: ${hexShort(ours)}\n  erl:  ${hexShort(theirs)}`);
          }
        }),
        { numRuns: RUNS, seed: SEED },
      );
    });

    it('map keys are written in map key order: every integer before every float, at any depth', async () => {
      const m = new ErlMap([
        [new ErlFloat(1), Atom.of('a')],
        [2, Atom.of('b')],
        [new Tuple([new ErlFloat(1)]), Atom.of('c')],
        [new Tuple([2]), Atom.of('d')],
      ]);
      const ours = encode(m);
      expect(ours.toString('hex')).toBe((await erl.roundtrip(ours)).toString('hex'));
    });

    it('ports: NEW_PORT_EXT below 2^28, V4_PORT_EXT from 2^28 on (as OTP 25 writes them)', async () => {
      for (const id of [0, 2 ** 28 - 1, 2 ** 28, 2 ** 32 - 1, 2 ** 32, 2n ** 64n - 1n]) {
        const ours = encode(new Port(Atom.of('a@b'), id, 1));
        expect(ours.toString('hex')).toBe((await erl.roundtrip(ours)).toString('hex'));
      }
    });

    it('a bitstring with junk in its unused bits is written as BEAM writes it (junk cleared)', async () => {
      const junk = new BitBinary(Buffer.from([0x12, 0xff]), 3);
      const ours = encode(junk);
      const theirs = await erl.roundtrip(ours);
      expect(theirs.toString('hex')).toBe('834d000000020312e0');
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    });
  }

  it('compressed encodings are read by erl as the same term', async () => {
    const big: Term = new Tuple([Array.from({ length: 2000 }, (_, i) => Atom.of(`a${i % 5}`)), Buffer.alloc(20000, 7)]);
    for (const level of [true, 1, 9] as const) {
      const ours = encode(big, { compressed: level });
      expect(ours[1]).toBe(80);
      expect(ours.length).toBeLessThan(2000);
      const back = decode(await erl.roundtrip(ours));
      expect(equals(back, big)).toBe(true);
    }
    // And BEAM's compressed encoding decodes to the same term here.
    const beamCompressed = await erl.roundtripCompressed(encode(big));
    expect(beamCompressed[1]).toBe(80);
    expect(equals(decode(beamCompressed), big)).toBe(true);
    // Same header (tag 80, uncompressed size) and same payload once inflated. The deflate bytes
    // themselves differ: Node's bundled zlib picks other matches than the zlib erts links.
    const oursCompressed = encode(big, { compressed: true });
    expect(oursCompressed.subarray(0, 6).toString('hex')).toBe(beamCompressed.subarray(0, 6).toString('hex'));
    expect(zlib.inflateSync(oursCompressed.subarray(6)).equals(zlib.inflateSync(beamCompressed.subarray(6)))).toBe(true);
    // A tiny term is kept plain, as BEAM keeps it.
    const tiny = encode(Buffer.from('hello'), { compressed: true });
    expect(tiny.toString('hex')).toBe(encode(Buffer.from('hello')).toString('hex'));
  });

  it('a list nested 100,000 deep goes through erl and back', async () => {
    let deep: Term = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const ours = encode(deep);
    expect(ours.length).toBe(1 + 100_000 * 6 + 1);
    const theirs = await erl.roundtrip(ours);
    expect(theirs.equals(ours)).toBe(true);
    let back = decode(theirs);
    expect(equals(back, deep)).toBe(true);
    let depth = 0;
    while (Array.isArray(back) && back.length === 1) {
      back = back[0];
      depth++;
    }
    expect(depth).toBe(100_000);
  });

  it('a 10 MB binary goes through erl and back', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 255;
    big[big.length - 1] = 42;
    const ours = encode(new Tuple([Atom.of('blob'), big]));
    const theirs = await erl.roundtrip(ours);
    expect(theirs.equals(ours)).toBe(true);
    const back = decode(theirs) as Tuple;
    expect(Buffer.compare(back.get(1) as Buffer, big)).toBe(0);
  });

  it('the large fixture vectors are what their Erlang expressions build in this OTP', async () => {
    const file = vectorsFor(otp.release);
    if (file === null) {
      process.stderr.write(`!!! erlbridge: no fixture vectors for OTP ${otp.release}; expression check skipped\n`);
      return;
    }
    const withExpr = file.vectors.filter((v) => v.expr !== undefined);
    expect(withExpr.length).toBeGreaterThan(10);
    for (const v of withExpr) {
      const built = decode(await erl.eval(v.expr as string));
      if (!equals(built, decode(vectorBytes(v, 'hex')))) throw new Error(`vector ${v.name}: ${v.expr} builds another term`);
    }
  });
});
