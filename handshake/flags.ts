/**
 * Distribution capability flags (DFLAG_*) exchanged in the handshake.
 *
 * Values come from OTP's `erts/emulator/beam/dist.h` and `lib/kernel/include/dist.hrl`. Flags
 * span 64 bits, so they are `bigint`s; JavaScript's `|`/`&` on numbers would cut them to 32 bits.
 * The keys are OTP's own flag names, which is also how erl names missing flags in its logs.
 */
export const DistFlag = {
  PUBLISHED: 0x1n,
  ATOM_CACHE: 0x2n,
  EXTENDED_REFERENCES: 0x4n,
  DIST_MONITOR: 0x8n,
  FUN_TAGS: 0x10n,
  DIST_MONITOR_NAME: 0x20n,
  HIDDEN_ATOM_CACHE: 0x40n,
  NEW_FUN_TAGS: 0x80n,
  EXTENDED_PIDS_PORTS: 0x100n,
  EXPORT_PTR_TAG: 0x200n,
  BIT_BINARIES: 0x400n,
  NEW_FLOATS: 0x800n,
  UNICODE_IO: 0x1000n,
  DIST_HDR_ATOM_CACHE: 0x2000n,
  SMALL_ATOM_TAGS: 0x4000n,
  ETS_COMPRESSED: 0x8000n,
  UTF8_ATOMS: 0x10000n,
  MAP_TAG: 0x20000n,
  BIG_CREATION: 0x40000n,
  SEND_SENDER: 0x80000n,
  BIG_SEQTRACE_LABELS: 0x100000n,
  PENDING_CONNECT: 0x200000n,
  EXIT_PAYLOAD: 0x400000n,
  FRAGMENTS: 0x800000n,
  HANDSHAKE_23: 0x1000000n,
  UNLINK_ID: 0x2000000n,
  // The docs say 1 bsl 36; every OTP source and erl on the wire use bit 26.
  MANDATORY_25_DIGEST: 0x4000000n,
  SPAWN: 1n << 32n,
  NAME_ME: 1n << 33n,
  V4_NC: 1n << 34n,
  ALIAS: 1n << 35n,
  LOCAL_EXT: 1n << 36n,
  ALTACT_SIG: 1n << 37n,
  // OTP 29 advertises it (lib/kernel/include/dist.hrl there).
  NATIVE_RECORDS: 1n << 38n,
} as const;

/** OTP's name of one distribution flag, e.g. `'V4_NC'`. */
export type DistFlagName = keyof typeof DistFlag;

/** `DFLAG_DIST_MANDATORY_25`: what OTP 25 requires of every peer (0x1070f94). */
export const DIST_MANDATORY_25 =
  DistFlag.EXTENDED_REFERENCES |
  DistFlag.FUN_TAGS |
  DistFlag.EXTENDED_PIDS_PORTS |
  DistFlag.UTF8_ATOMS |
  DistFlag.NEW_FUN_TAGS |
  DistFlag.BIG_CREATION |
  DistFlag.NEW_FLOATS |
  DistFlag.MAP_TAG |
  DistFlag.EXPORT_PTR_TAG |
  DistFlag.BIT_BINARIES |
  DistFlag.HANDSHAKE_23;

/** What OTP 26 and later require of every peer: the OTP 25 set plus V4_NC and UNLINK_ID. */
export const DIST_MANDATORY_26 = DIST_MANDATORY_25 | DistFlag.V4_NC | DistFlag.UNLINK_ID;

/**
 * The flags we advertise, without PUBLISHED. Equal to erl's own hidden-node flags (0xd07df7fbc
 * on OTP 25 and 27).
 */
export const DEFAULT_DIST_FLAGS =
  DIST_MANDATORY_25 |
  DistFlag.UNLINK_ID |
  DistFlag.V4_NC |
  DistFlag.DIST_MONITOR |
  DistFlag.DIST_MONITOR_NAME |
  DistFlag.SPAWN |
  DistFlag.ALIAS |
  DistFlag.EXIT_PAYLOAD |
  DistFlag.SEND_SENDER |
  DistFlag.SMALL_ATOM_TAGS |
  DistFlag.UNICODE_IO |
  DistFlag.BIG_SEQTRACE_LABELS |
  DistFlag.FRAGMENTS |
  DistFlag.DIST_HDR_ATOM_CACHE |
  DistFlag.MANDATORY_25_DIGEST;

/**
 * The flags to advertise: {@link DEFAULT_DIST_FLAGS} (or `base`), plus PUBLISHED for a visible
 * node. Hidden is this layer's default: a bare handshake has no node behind it to answer the
 * global and pg traffic visible peers get. The node layer (`ErlNode`) is visible by default.
 */
export function advertisedFlags(options: { visible?: boolean; base?: bigint } = {}): bigint {
  const base = options.base ?? DEFAULT_DIST_FLAGS;
  return options.visible ? base | DistFlag.PUBLISHED : base & ~DistFlag.PUBLISHED;
}

/** A peer's flags as OTP reads them: MANDATORY_25_DIGEST stands for the whole OTP 25 set. */
export function expandMandatory25(flags: bigint): bigint {
  return flags & DistFlag.MANDATORY_25_DIGEST ? flags | DIST_MANDATORY_25 : flags;
}

/** OTP names of the flags set in `flags`, lowest bit first; unknown bits as `UNKNOWN<hex>`. */
export function flagNames(flags: bigint): string[] {
  const names: string[] = [];
  for (let bit = 1n; bit <= flags; bit <<= 1n) {
    if (flags & bit) names.push(nameOf(bit));
  }
  return names;
}

const NAME_BY_VALUE = new Map<bigint, string>(Object.entries(DistFlag).map(([name, value]) => [value, name]));

function nameOf(bit: bigint): string {
  return NAME_BY_VALUE.get(bit) ?? `UNKNOWN<${bit.toString(16).toUpperCase()}>`;
}

/** The names of the `required` flags that `offered` lacks (empty when none are missing). */
export function missingFlags(required: bigint, offered: bigint): string[] {
  return flagNames(required & ~offered);
}
