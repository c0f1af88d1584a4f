import { atom, bin, charlist, float, tuple } from '../../codec';
import { ioFormat } from '../../src/node/io-format';

describe('ioFormat (what erl prints through our group leader)', () => {
  it('formats the common directives like io_lib:format', () => {
    // erl: lists:flatten(io_lib:format("~p and ~s, ~w~n~~ ~b ~c ~ts", [{a,1}, "str", [1,2], 42, $x, <<"λ"/utf8>>]))
    expect(ioFormat('~p and ~s, ~w~n~~ ~b ~c ~ts', [tuple(atom('a'), 1), charlist('str'), [1, 2], 42, 120, bin('λ')])).toBe(
      '{a,1} and str, [1,2]\n~ 42 x λ',
    );
    expect(ioFormat('~s~i|~10.2f', [atom('atom'), 'skipped', float(1.5)])).toBe('atom|1.5');
    expect(ioFormat('~s', [[charlist('deep'), [32, bin('list')]]])).toBe('deep list');
  });
});
