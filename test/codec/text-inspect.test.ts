/**
 * prettyTerm's own choices (what erl's text cannot show: pids of other nodes, terms too deep to
 * lay out) and util.inspect of every term class. How erl prints is proven in text-pretty.test.ts.
 */
import { inspect } from 'util';
import { atom, BitBinary, ErlMap, ExportFun, float, Fun, improperList, map, Pid, Port, Reference, Term, tuple } from '../../codec';
import { formatTerm, parseTerm, prettyTerm } from '../../codec/text';
import { MAX_PRETTY_NESTING } from '../../codec/text/pretty';

const node = atom('rabbit@vm');
const pid = new Pid(node, 714, 0, 1796350851);
const port = new Port(node, 6, 1796350851);
const ref = new Reference(node, 1796350851, [1, 2, 3]);
const fun = new Fun(atom('m'), 1, Buffer.alloc(16), 0, 0, 123, pid, []);

describe('pids, ports, references and funs in prettyTerm', () => {
  it("names another node's instead of erl's meaningless index", () => {
    expect(prettyTerm(pid)).toBe('<rabbit@vm.714.0>');
    expect(prettyTerm(port)).toBe('#Port<rabbit@vm.6>');
    expect(prettyTerm(ref)).toBe('#Ref<rabbit@vm.3.2.1>');
    expect(prettyTerm(new Pid(atom('a-b@h'), 1, 2, 3))).toBe("<'a-b@h'.1.2>");
  });

  it("prints the local node's as erl does", () => {
    const local = { localNode: 'rabbit@vm' };
    expect(prettyTerm(pid, local)).toBe('<0.714.0>');
    expect(prettyTerm(port, local)).toBe('#Port<0.6>');
    expect(prettyTerm(ref, local)).toBe('#Ref<0.3.2.1>');
    expect(prettyTerm(tuple(atom('ok'), pid), local)).toBe('{ok,<0.714.0>}');
  });

  it('prints funs as erl does', () => {
    expect(prettyTerm(fun)).toBe('#Fun<m.0.123>');
    expect(prettyTerm(new ExportFun(atom('lists'), atom('map'), 2))).toBe('fun lists:map/2');
  });
});

describe('printable range', () => {
  it('takes only Latin-1 lists as strings by default, as erl does without +pc unicode', () => {
    expect(prettyTerm([955, 97])).toBe('[955,97]');
    expect(prettyTerm(Buffer.from('λ'))).toBe('<<206,187>>');
  });

  it("takes all of Unicode with printableRange 'unicode' under ~tp", () => {
    expect(prettyTerm([955, 97], { printableRange: 'unicode' })).toBe('"λa"');
    expect(prettyTerm(Buffer.from('λ'), { printableRange: 'unicode' })).toBe('<<"λ"/utf8>>');
    expect(prettyTerm([955, 97], { printableRange: 'unicode', encoding: 'latin1' })).toBe('[955,97]');
  });
});

describe('terms nested too deep to lay out', () => {
  function nested(levels: number): Term {
    let t: Term = atom('x');
    for (let i = 0; i < levels; i++) t = [i, t];
    return t;
  }

  it('print on one line as formatTerm does, without overflowing the stack', () => {
    const deep = nested(100000);
    const text = prettyTerm(deep);
    expect(text).toBe(formatTerm(deep));
    expect(text).not.toContain('\n');
  });

  it('are laid out up to the limit', () => {
    const text = prettyTerm(nested(MAX_PRETTY_NESTING - 1));
    expect(text).toContain('\n');
    expect(parseTerm(text)).toEqual(nested(MAX_PRETTY_NESTING - 1));
  });

  it('are laid out when the depth option cuts them short', () => {
    expect(prettyTerm(nested(100000), { depth: 4 })).toBe('[99999,[99998|...]]');
  });
});

describe('util.inspect of a term', () => {
  const samples: Array<[string, Term]> = [
    ['Atom', atom('hello world')],
    ['Tuple', tuple(atom('ok'), [104, 105])],
    ['ErlFloat', float(1)],
    ['ImproperList', improperList([1], atom('t'))],
    ['BitBinary', new BitBinary(Buffer.from([1, 0x40]), 3)],
    ['ErlMap', map({ a: Buffer.from('b') })],
    ['Pid', pid],
    ['Port', port],
    ['Reference', ref],
    ['Fun', fun],
    ['ExportFun', new ExportFun(atom('m'), atom('f'), 0)],
  ];

  it.each(samples)('shows a %s as its ~tp text', (_name, term) => {
    expect(inspect(term)).toBe(prettyTerm(term));
  });

  it('shows terms inside JS values as their text too', () => {
    expect(inspect({ reply: tuple(atom('ok'), new ErlMap([[atom('k'), 1]])) })).toBe('{ reply: {ok,#{k => 1}} }');
  });

  it('lays a big term out over lines', () => {
    const big = tuple(
      atom('state'),
      Array.from({ length: 40 }, (_, i) => i),
    );
    expect(inspect(big)).toBe(prettyTerm(big));
    expect(inspect(big).split('\n').length).toBeGreaterThan(1);
  });
});
