/**
 * `~f`, `~e` and `~g` as io_lib_format writes them. OTP does not round the float itself: it takes
 * the 21 significant digits of `float_to_list(F)` (C's `%.20e`, correctly rounded, ties to even)
 * and rounds those half up, one digit at a time. So `~.1f` of 0.05 is `0.1` (0.05 is
 * 0.05000000000000000277...) and `~.2f` of 0.125 is `0.13`, where C's printf gives `0.12`.
 */

/** The digits of `float_to_list(X)` (21, no dot) and the exponent plus one, as io_lib_format's float_data. */
function floatData(x: number): { digits: number[]; exponent: number } {
  if (x === 0) return { digits: new Array<number>(21).fill(0), exponent: 1 };
  // x = mantissa * 2^power exactly; make it digits * 10^scale exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const power = (biased === 0 ? 1 : biased) - 1075;
  const exact = power >= 0 ? (mantissa << BigInt(power)).toString() : (mantissa * 5n ** BigInt(-power)).toString();
  const scale = power >= 0 ? 0 : power;
  let sciExponent = exact.length - 1 + scale;
  const digits = Array.from(exact.slice(0, 21).padEnd(21, '0'), Number);
  if (exact.length > 21 && roundsUp(exact, digits[20])) {
    let i = 20;
    while (i >= 0 && digits[i] === 9) digits[i--] = 0;
    if (i >= 0) digits[i]++;
    else {
      digits.unshift(1);
      digits.pop();
      sciExponent++;
    }
  }
  return { digits, exponent: sciExponent + 1 };
}

/** Whether the exact digits beyond the 21st round the 21st (`last`) up: above half, or a tie to even. */
function roundsUp(exact: string, last: number): boolean {
  const first = exact.charCodeAt(21) - 48;
  if (first !== 5) return first > 5;
  for (let i = 22; i < exact.length; i++) if (exact[i] !== '0') return true;
  return last % 2 === 1;
}

/**
 * io_lib_format's float_man: `digits` as `whole` digits, a dot and `decimals` digits, padded with
 * zeros, rounded half up on the next digit. `carry` says the rounding carried out of the top.
 */
function mantissa(digits: number[], whole: number, decimals: number): { text: string; carry: boolean } {
  const n = whole + decimals;
  const out = digits.slice(0, n);
  while (out.length < n) out.push(0);
  let carry = n < digits.length && digits[n] >= 5;
  for (let i = n - 1; carry && i >= 0; i--) {
    if (out[i] === 9) out[i] = 0;
    else {
      out[i]++;
      carry = false;
    }
  }
  return { text: `${out.slice(0, whole).join('')}.${out.slice(whole).join('')}`, carry };
}

// -0.0 prints with its sign, as io_lib_format's signbit does.
function sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** `~.Pe` of `x` (P >= 2): `d.ddde+X`. */
export function floatE(x: number, precision: number): string {
  const { digits, exponent } = floatData(x);
  const { text, carry } = mantissa(digits, 1, precision - 1);
  const [m, e] = carry ? [`1${text.slice(1)}`, exponent] : [text, exponent - 1];
  return `${sign(x)}${m}e${e >= 0 ? '+' : ''}${e}`;
}

/** `~.Pf` of `x` (P >= 1). */
export function floatF(x: number, precision: number): string {
  let { digits, exponent } = floatData(x);
  if (exponent <= 0) {
    digits = [...new Array<number>(1 - exponent).fill(0), ...digits];
    exponent = 1;
  }
  const { text, carry } = mantissa(digits, exponent, precision);
  return sign(x) + (carry ? `1${text}` : text);
}

/**
 * How `~.Pg` writes `x` (P >= 1): `~f` with P significant digits when 0.1 <= |x| < 10000 and they
 * fit, else `~e`. Returns the directive and precision to use.
 */
export function floatG(x: number, precision: number): { style: 'f' | 'e'; precision: number } {
  const a = Math.abs(x);
  // The exponent io_lib_format compares with; null from 1.0e4 on (an atom in OTP, above every number).
  const e = a < 0.1 ? -2 : a < 1 ? -1 : a < 10 ? 0 : a < 100 ? 1 : a < 1000 ? 2 : a < 10000 ? 3 : null;
  if ((precision <= 1 && e === -1) || (e !== null && precision - 1 > e && e >= -1)) {
    return { style: 'f', precision: precision - 1 - (e as number) };
  }
  return { style: 'e', precision: precision <= 1 ? 2 : precision };
}
